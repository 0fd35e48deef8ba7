"""Tests of the one demo: `sixsigma demo --out DIR` (what `make demo` runs), `dmaic.demo`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.report import chart_report

EXPECTED = ["agreement.html", "capability.html", "control_chart.html", "flow.html",
            "hotspots.html", "monitor_new_days.csv", "pareto.html", "project.yaml",
            "rootcause.html", "storyboard.html"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The demo as `make demo` runs it: the console command in a fresh process."""
    out = tmp_path_factory.mktemp("demo") / "demo-output"
    code = "import sys; from dmaic.cli import main; sys.argv = ['sixsigma', *sys.argv[1:]]; main()"
    done = subprocess.run([sys.executable, "-c", code, "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_writes_the_storyboard_the_reports_and_the_project(run):
    out, _ = run
    assert sorted(p.name for p in out.iterdir()) == EXPECTED


def test_prints_the_paths(run):
    out, printed = run
    listed = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
    assert sorted(p.rsplit("/", 1)[-1] for p in listed) == EXPECTED
    assert f"Open {out / 'storyboard.html'}" in printed


def test_the_chart_page_shows_the_stages_and_the_signals(run):
    out, _ = run
    page = (out / "control_chart.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "<script" not in page.lower()
    assert "Policy update: hate speech v3" in page       # a stage per change-log event
    assert "sigma z" in page                             # Laney's sigma_z per stage
    assert "nelson_1" in page
    story = (out / "storyboard.html").read_text(encoding="utf-8")
    assert "rose from" in story


def test_event_names_are_escaped():
    base = ss.datasets.load("daily_audits")
    evil = "<script>alert('x')</script>"
    changes = pd.DataFrame({"date": [pd.Timestamp("2026-03-26")], "event": [evil]})
    chart = ss.spc.laney_p(base.audits, defectives="errors", size="audited", label="day",
                           stage=changes, rules="nelson")
    assert chart.stages[-1].name == evil
    page = chart_report(chart)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_importing_the_demo_sets_no_backend():
    code = "import sys, dmaic.demo; assert 'matplotlib' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_sixsigma_has_no_second_demo():
    package = Path(ss.__file__).parent
    assert not (package / "demo.py").exists()
    assert not (package / "templates").exists()
