"""`sixsigma demo` (what `make demo` runs), `report` and `monitor` on the demo project."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

typer_testing = pytest.importorskip("typer.testing", reason="typer is not installed")
pytest.importorskip("rich")

import dmaic  # noqa: E402
import sixsigma as ss  # noqa: E402
from dmaic import demo  # noqa: E402
from dmaic.cli import app  # noqa: E402

RUNNER = typer_testing.CliRunner()


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    built = demo.build_case()
    out = tmp_path_factory.mktemp("case")
    demo.write_outputs(built, out)
    return built, out


def test_demo_command_writes_the_storyboard(tmp_path):
    out = tmp_path / "demo-output"
    result = RUNNER.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    storyboard = out / "storyboard.html"
    assert storyboard.exists() and storyboard.stat().st_size < 5_000_000
    for name in ("control_chart", "capability", "pareto", "agreement", "flow", "hotspots"):
        assert (out / f"{name}.html").exists()
    assert f"Open {storyboard}" in result.stdout
    project = dmaic.load(out / "project.yaml")
    assert project.phase == "closed"


def test_report_command(case, tmp_path):
    built, out = case
    target = tmp_path / "sb.html"
    result = RUNNER.invoke(app, ["report", str(out / "project.yaml"), "--out", str(target)])
    assert result.exit_code == 0, result.stderr
    html = target.read_text(encoding="utf-8")
    assert built.project.title in html and html.count("<svg") >= 8


def test_monitor_flags_the_relapse_like_the_library(case):
    built, out = case
    new = pd.read_csv(out / "monitor_new_days.csv", parse_dates=["day"])
    result = RUNNER.invoke(app, ["monitor", str(out / "project.yaml"),
                                 str(out / "monitor_new_days.csv"), "--json"])
    got = json.loads(result.stdout)
    checks = {c["ctq"]: c for c in got["checks"]}
    for ctq, eid, col in (("wrong_policy_rate", "pilot_chart", "wrong_policy"),
                          ("error_rate", "pilot_errors_chart", "errors")):
        # Phase II with the pilot chart itself as the frozen limits (DESIGN.md: limits=)
        lib = ss.spc.laney_p(new, defectives=col, size="audited", label="day", rules="nelson",
                             limits=built.results[eid])
        flagged = np.unique(lib.violation_index)
        assert checks[ctq]["in_control"] == lib.in_control
        assert [a["label"][:10] for a in checks[ctq]["alerts"]] == [
            str(pd.Timestamp(new["day"][i]).date()) for i in flagged]
        assert checks[ctq]["center"] == pytest.approx(lib.center[0], rel=1e-12)
    assert got["in_control"] is False
    assert result.exit_code == 1


def test_monitor_in_control_exits_0(case, tmp_path):
    built, out = case
    pilot = built.results["pilot_chart"]
    stage = pilot.stages[-1]
    # the pilot's own days, judged against their own frozen limits
    days = pd.DataFrame({"day": pilot.labels[stage.start:stage.stop],
                         "audited": pilot.n[stage.start:stage.stop].astype(int)})
    days["wrong_policy"] = np.rint(pilot.statistic[stage.start:stage.stop]
                                   * days["audited"]).astype(int)
    days["errors"] = days["wrong_policy"]
    path = tmp_path / "new.csv"
    days.to_csv(path, index=False)
    lib = ss.spc.laney_p(days, defectives="wrong_policy", size="audited", label="day",
                         rules="nelson", limits=pilot)
    result = RUNNER.invoke(app, ["monitor", str(out / "project.yaml"), str(path),
                                 "--ctq", "wrong_policy_rate"])
    assert result.exit_code == (0 if lib.in_control else 1), result.stderr
    assert "wrong_policy_rate: laney_p chart, 28 points" in result.stdout


def test_monitor_module_returns_typed_checks(case):
    from dmaic.monitor import monitor_project

    built, out = case
    new = pd.read_csv(out / "monitor_new_days.csv", parse_dates=["day"])
    report = monitor_project(dmaic.load(out / "project.yaml"), new, ctq="error_rate")
    (check,) = report.checks
    assert isinstance(check.chart, ss.spc.ControlChart) and check.evidence == "pilot_errors_chart"
    lib = ss.spc.laney_p(new, defectives="errors", size="audited", label="day", rules="nelson",
                         limits=built.results["pilot_errors_chart"])
    assert np.array_equal(check.chart.ucl, lib.ucl, equal_nan=True)
    assert report.in_control == lib.in_control
    assert [a.rules for a in check.alerts] == [
        tuple(r.split(",")) for r in lib.to_frame().query("out_of_control")["rules"]]
