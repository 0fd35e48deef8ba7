"""Issue 15 item 15 (and 10, report side): storyboard and pages read as a director reads them.

Words stay whole in table cells, p-values print as "< 0.001" (the JSON keeps the exact
value), the baseline table shows the sigma level its evidence reports, the pilot's scope and
success criteria are labelled, the problem statement is printed once, a staged chart shows
each stage's centre (before -> after).
"""

from __future__ import annotations

import html as _html
import json
import re

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from dmaic import demo
from dmaic.report import storyboard
from sixsigma.report import analysis_report, chart_report
from sixsigma.report.render import fmt_p

_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _cells(fragment: str, tag: str) -> list[str]:
    return [" ".join(_html.unescape(_TAG.sub("", c)).split())
            for c in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", fragment, re.S)]


def _tables(page: str) -> list[tuple[list[str], list[list[str]]]]:
    """(header cells, rows of cells) of every table of a page."""
    out = []
    for t in _TABLE.findall(page):
        head = _cells(t, "th")
        rows = [_cells(r, "td") for r in re.findall(r"<tr\b[^>]*>(.*?)</tr>", t, re.S)]
        out.append((head, [r for r in rows if r]))
    return out


@pytest.fixture(scope="module")
def case():
    return demo.build_case()


@pytest.fixture(scope="module")
def board(case):
    return storyboard(case.project)


def test_cells_never_break_inside_a_word():
    page = chart_report(ss.spc.p_chart({"d": [3, 4, 5, 4], "n": [100] * 4}, "d", "n"))
    style = page[page.index("<style"):page.index("</style>")]
    rule = re.search(r"th, td \{[^}]*\}", style).group(0)
    assert "overflow-wrap: normal" in rule and "word-break: keep-all" in rule
    assert "hyphens: none" in rule
    assert re.search(r"td \.w, th \.w \{ white-space: nowrap; \}", style)
    assert "overflow-wrap: anywhere" not in style and "break-all" not in style
    assert re.search(r"\.table-wrap \{[^}]*overflow-x: auto", style)  # wide tables scroll


def test_p_values_print_as_less_than_0001_and_json_keeps_them():
    assert [fmt_p(v) for v in (0.0, 4.399e-302, 0.00099, 0.001, 0.0175, None, np.nan)] == [
        "< 0.001", "< 0.001", "< 0.001", "0.001", "0.018", "\u2013", "\u2013"]
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"group": ["a"] * 400 + ["b"] * 400,
                         "x": np.r_[rng.normal(0, 1, 400), rng.normal(3, 1, 400)]})
    test = ss.hypothesis.compare(data, "x", "group")
    assert 0 <= test.p_value < 1e-100
    page = analysis_report(test)
    text = _html.unescape(_TAG.sub(" ", re.sub(r"<svg\b.*?</svg>", "", page, flags=re.S)))
    assert "< 0.001" in text
    assert not re.search(r"\d\.?\d*e-\d{2,}", text)
    assert json.loads(json.dumps(test.to_dict()))["p_value"] == test.p_value


def test_storyboard_p_value_cells(board):
    found = 0
    for head, rows in _tables(board):
        for k, name in enumerate(head):
            if name.lower() in ("p-value", "p value", "q value", "q-value"):
                for row in rows:
                    for cell in row[k].split(", ") if k < len(row) else []:
                        found += 1
                        assert re.fullmatch(r"< 0\.001|[01]\.\d{3}|\u2013", cell), (name, cell)
    assert found >= 3
    assert "&lt; 0.001" in board


def test_baseline_sigma_level_is_the_number_the_evidence_reports(case, board):
    project = case.project
    head, rows = next(t for t in _tables(board) if "sigma level" in t[0])
    column = head.index("sigma level")
    for baseline, row in zip(project.measure.baselines, rows, strict=True):
        level = (baseline.sigma_level if baseline.sigma_level is not None
                 else project.evidence[baseline.capability].number("sigma_level"))
        assert level is not None
        assert row[column] == f"{level:.4g}"


def test_pilot_is_labelled_and_the_problem_printed_once(case, board):
    pilot = case.project.improve.pilot
    cells = [c for _, rows in _tables(board) for row in rows for c in row]
    assert cells[cells.index("pilot scope") + 1] == " ".join(pilot.scope.split())
    assert cells[cells.index("success criteria") + 1] == " ".join(
        pilot.success_criteria.split())
    problem = " ".join(case.project.define.charter.problem_statement.split())
    text = " ".join(_html.unescape(_TAG.sub(" ", board)).split())
    assert text.count(problem) == 1


def test_staged_chart_shows_each_stage_centre():
    ds = ss.datasets.load("daily_audits")
    chart = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
                           stage=ds.changes)
    page = chart_report(chart, title="Daily error rate")
    before, after = (s.center for s in chart.stages)
    text = " ".join(_html.unescape(_TAG.sub(" ", page)).split())
    assert f"centre by stage {before:.4g} \u2192 {after:.4g}" in text
    names = [s.name for s in chart.stages]
    assert f"{names[0]} {before:.4g} \u2192 {names[1]} {after:.4g}" in text
    assert "sigma (per unit)" in _cells(page, "th")           # not a subgroup's sigma


def test_chart_report_is_titled_for_what_is_charted():
    ds = ss.datasets.load("daily_audits")
    chart = ss.spc.p_chart(ds.audits, defectives="errors", size="audited", label="day")
    page = chart_report(chart, ylabel="errors per audited")
    headings = _cells(page, "h1") + _cells(page, "h2")
    assert headings[0] != headings[1]                  # never "Control chart / Control chart"
    assert "errors per audited" in page                # the y axis
    page = chart_report(chart, title="Daily QA error rate", ylabel="errors per audited")
    assert _cells(page, "h1") == ["Daily QA error rate"]
    assert "Daily QA error rate" not in _cells(page, "h2")    # not the same heading twice
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "Daily QA error rate" in svg                         # the figure's title


def test_segment_scan_names_the_figures_to_quote():
    import sixsigma.rootcause  # noqa: F401

    audits = ss.datasets.load("policy_update").audits.iloc[:30000]
    audits = audits[audits["qa_decision"].notna()].assign(
        e=lambda d: (d["error_type"] != "").astype(int))
    scan = ss.rootcause.segment_scan(audits, "e", ["queue", "region"])
    assert len(scan.causes)
    page = analysis_report(scan)
    heads = [h for head, _ in _tables(page) for h in head]
    assert "excess defects at pick" in heads and "q value at pick" in heads
    assert "q value (first pass)" in heads
    assert "Quote these" in page
