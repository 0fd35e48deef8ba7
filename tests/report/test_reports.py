"""Reports: self-contained, escaped, one per analysis; the storyboard; SVG rendering."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from _payloads import IMG, SCRIPT

import dmaic
import sixsigma as ss
import sixsigma.flow  # noqa: F401
import sixsigma.rootcause  # noqa: F401
from dmaic.report import storyboard
from sixsigma.report import (
    agreement_report,
    analysis_report,
    capability_report,
    chart_report,
    flow_report,
    hotspots_report,
    pareto_report,
)
from sixsigma.report.svg import figure, to_svg

REMOTE = re.compile(r"""(src|href)\s*=\s*["']?(https?:|//)|@import|url\(\s*["']?https?:|<link\b""",
                    re.I)


def assert_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert REMOTE.search(html) is None
    assert "@media print" in html


@pytest.fixture(scope="module")
def data():
    ds = ss.datasets.load("policy_update")
    audits = ds.audits[ds.audits["qa_decision"].notna()]
    first = audits["item_id"].iloc[:1500]
    return ds, audits, ds.events[ds.events["case_id"].isin(first)], audits[
        audits["item_id"].isin(first)]


def test_svg_escapes_text_and_ids_are_unique():
    with figure(4, 3) as fig:
        ax = fig.subplots()
        ax.bar([SCRIPT, IMG], [1, 2])
        ax.set_title("cost $5 and $6 --> <b>")   # no mathtext, no comment break-out
        one, two = to_svg(fig), to_svg(fig)
    assert "<script" not in one and "<img" not in one and "<!--" not in one
    assert "&lt;script&gt;" in one and "cost $5 and $6 --&gt; &lt;b&gt;" in one
    ids = re.findall(r'\bid="([^"]+)"', one + two)
    assert len(ids) == len(set(ids)) > 0
    refs = re.findall(r"url\(#([^)]+)\)", one)
    assert set(refs) <= set(re.findall(r'\bid="([^"]+)"', one))
    assert "<metadata>" not in one and not one.startswith("<?xml")


def test_single_analysis_reports(data, tmp_path):
    ds, audits, events, small = data
    daily = ss.datasets.load("daily_audits")
    chart = ss.spc.laney_p(daily.audits, defectives="errors", size="audited", label="day",
                           stage=daily.changes, rules="nelson")
    pm = ss.flow.discover(events, "case_id", "activity", "timestamp")
    hot = ss.flow.hotspots(events, small, process_map=pm)
    cal = ds.calibration[ds.calibration["round"] == 6]
    made = {
        "chart": chart_report(chart, tmp_path / "chart.html"),
        "imr": chart_report(ss.spc.imr(daily.audits, value="median_handle_seconds")),
        "capability": capability_report(ss.capability.capability(
            audits["handle_seconds"].to_numpy()[:500], lsl=5, usl=400)),
        "percentile": capability_report(ss.capability.percentile_capability(
            audits["handle_seconds"].to_numpy()[:500], usl=400)),
        "pareto": pareto_report(ss.pareto.pareto(audits, "error_type")),
        "agreement": agreement_report(ss.msa.attribute_agreement(
            cal, item="item_id", rater="rater", rating="rating", standard="standard",
            trial="trial")),
        "flow": flow_report(pm, hotspots=hot),
        "hotspots": hotspots_report(hot, process_map=pm),
        "scan": analysis_report(ss.rootcause.segment_scan(audits.assign(
            e=(audits["error_type"] != "").astype(int)), "e", ["queue", "market"])),
    }
    charts = {"chart": 1, "imr": 1, "capability": 1, "percentile": 1, "pareto": 1,
              "agreement": 2, "flow": 1, "hotspots": 1, "scan": 1}
    for name, html in made.items():
        assert_self_contained(html)
        assert html.count("<svg") == charts[name], name
    assert (tmp_path / "chart.html").read_text(encoding="utf-8") == made["chart"]
    assert "Policy update: hate speech v3" in made["chart"]          # stage names shown
    assert "qa-06" in made["agreement"]


def test_free_text_is_escaped_in_html_and_svg():
    res = ss.pareto.pareto({"type": [SCRIPT] * 3 + [IMG] * 2 + ["a & b"]}, "type")
    html = pareto_report(res, title=SCRIPT, subtitle=IMG)
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") >= 4             # title, heading, table, SVG text
    assert "&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in html  # Jinja
    assert '"&gt;&lt;img src=x onerror="window.__pwned=2"&gt;</text>' in html  # SVG text
    assert "a &amp; b" in html


def test_restored_chart_equals_the_original_and_reports_the_same():
    daily = ss.datasets.load("daily_audits")
    chart = ss.spc.laney_p(daily.audits, defectives="errors", size="audited", label="day",
                           stage=daily.changes, rules="nelson")
    again = ss.from_dict(chart.to_dict())         # what a project holds, restored
    for name in ("statistic", "center", "lcl", "ucl", "n"):
        assert np.array_equal(getattr(again, name), getattr(chart, name), equal_nan=True)
    assert [s.__dict__ for s in again.stages] == [s.__dict__ for s in chart.stages]
    assert again.violations == chart.violations
    assert (pd.DatetimeIndex(again.labels) == pd.DatetimeIndex(chart.labels)).all()
    a = ss.spc.laney_p(daily.audits, defectives="errors", size="audited", limits=again)
    b = ss.spc.laney_p(daily.audits, defectives="errors", size="audited", limits=chart)
    assert np.array_equal(a.ucl, b.ucl, equal_nan=True)
    svg = re.compile(r"<svg\b.*?</svg>|Generated [^<]*", re.S)
    assert svg.sub("", chart_report(again)) == svg.sub("", chart_report(chart))


def test_storyboard_of_the_shipped_example_with_planned_evidence():
    text = resources.files("dmaic").joinpath("examples/policy_update_case.yaml").read_text(
        encoding="utf-8")
    project = dmaic.loads(text, "yaml")
    html = storyboard(project)
    assert_self_contained(html)
    assert "is planned; no result attached yet" in html
    for part in ("Define: the charter", "Measure: the baseline", "Analyze: root causes",
                 "Improve: the solution and its pilot", "Control: the control plan"):
        assert part in html


def test_demo_storyboard(demo_output):
    html = (demo_output / "storyboard.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert len(html.encode()) < 5_000_000
    assert html.count("<svg") >= 8
    for text in ("Baseline chart: wrong_policy_rate", "rc_training (verified)",
                 "Before and after: the staged control chart", "tollgate passed",
                 "Control plan", "Pareto", "Process map", "Segment scan"):
        assert text in html, text
    assert html.count("tollgate passed") == 5


def test_single_analysis_pages_need_neither_dmaic_nor_matplotlib_at_import():
    code = ("import sys, sixsigma.report; assert 'matplotlib' not in sys.modules; "
            "import sixsigma as ss; from sixsigma.report import pareto_report; "
            "html = pareto_report(ss.pareto.pareto({'t': ['a', 'b', 'a']}, 't')); "
            "assert html.count('<svg') == 1; assert 'dmaic' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
