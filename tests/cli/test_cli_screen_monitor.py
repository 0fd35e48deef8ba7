"""`sixsigma screen`, `monitor --by/--state/--go-live`, the roll-out page (issues 17, 18)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

typer_testing = pytest.importorskip("typer.testing", reason="typer is not installed")

import dmaic  # noqa: E402
import sixsigma as ss  # noqa: E402
from dmaic.cli import app  # noqa: E402
from dmaic.monitor import monitor_segments  # noqa: E402
from dmaic.report import storyboard  # noqa: E402
from sixsigma.datasets.many_series import generate_many_series  # noqa: E402
from sixsigma.report import rollout_report, screen_report  # noqa: E402

RUNNER = typer_testing.CliRunner()
KEYS = ["queue", "policy", "market"]


def _run(*args):
    return RUNNER.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    out = tmp_path_factory.mktemp("many")
    data = generate_many_series(seed=0, queues=2, policies=3, markets=4).audits
    path = out / "many.csv"
    data.to_csv(path, index=False)
    null = generate_many_series(seed=3, queues=2, policies=2, markets=3, shifts=0).audits
    null_path = out / "null.csv"
    null.to_csv(null_path, index=False)
    return data, path, null_path


def test_screen_prints_urgent_rows_and_exits_1(many, tmp_path):
    data, path, _ = many
    html = tmp_path / "screen.html"
    r = _run("screen", path, "--by", "queue,policy,market", "--defectives", "errors",
             "--size", "audited", "--label", "day", "--target", "0.06", "--html", html)
    direct = ss.spc.screen(data, defectives="errors", size="audited", label="day", by=KEYS,
                           target=0.06)
    urgent = direct.table[direct.table["flagged"] & direct.table["recent_signal"]]
    assert len(urgent) > 0
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert f"urgent (q <= 0.05 and a signal in the last 7 labels): {len(urgent)}" in r.stdout
    first = " / ".join(str(urgent.iloc[0][k]) for k in KEYS)
    assert first in r.stdout
    page = html.read_text(encoding="utf-8")
    assert page.count('class="card') == len(direct.table)
    assert "Goal plot" in page and page.count("<script>") == 1


def test_screen_json_and_quiet_exit(many):
    _, path, null_path = many
    r = _run("screen", path, "--by", "queue,policy,market", "--defectives", "errors",
             "--size", "audited", "--label", "day", "--json")
    doc = json.loads(r.stdout)
    assert doc["kind"] == "screen" and r.exit_code == 1
    r = _run("screen", null_path, "--by", "queue,policy,market", "--defectives", "errors",
             "--size", "audited", "--label", "day")
    assert r.exit_code == 0, r.stdout
    assert "urgent (q <= 0.05 and a signal in the last 7 labels): 0" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--by", "queue", "--label", "day"], "give --defectives"),
    (["--by", "queue", "--label", "day", "--defectives", "nope"], "nope"),
    (["--by", " , ", "--label", "day", "--defectives", "errors"], "--by"),
])
def test_screen_bad_input_is_one_line(many, args, message):
    _, path, _ = many
    r = _run("screen", path, *args)
    assert r.exit_code == 2
    assert message in r.stderr and r.stderr.count("\n") == 1, r.stderr


# -- monitor --by: a baseline screen stored as evidence -----------------------------------

@pytest.fixture(scope="module")
def segments(tmp_path_factory):
    out = tmp_path_factory.mktemp("segments")
    data = generate_many_series(seed=1, queues=2, policies=2, markets=3, shifts=0).audits
    days = np.sort(data["day"].unique())
    base = data[data["day"] < days[60]]
    new = data[data["day"] >= days[60]].copy()
    bad = (new["queue"] == "q1") & (new["policy"] == "p01") & (new["market"] == "m01")
    first = new[bad & (new["day"] >= days[75]) & (new["day"] < days[80])].index
    later = new[bad & (new["day"] >= days[80])].index
    project = dmaic.Project(title="Segments")
    project.attach("baseline_screen", ss.spc.screen(base, defectives="errors", size="audited",
                                                     label="day", by=KEYS),
                   function="sixsigma.spc.screen",
                   parameters={"defectives": "errors", "size": "audited", "label": "day",
                               "by": KEYS})
    project.save(out / "project.yaml")
    shifted = new.copy()
    shifted.loc[first, "errors"] *= 3
    shifted[shifted["day"] < days[80]].to_csv(out / "week1.csv", index=False)
    shifted.loc[later, "errors"] *= 3
    shifted.to_csv(out / "week2.csv", index=False)
    return out, project, shifted


def test_monitor_by_matches_the_screen_with_frozen_limits(segments):
    out, project, shifted = segments
    report = monitor_segments(project, shifted, by=KEYS)
    base = project.evidence["baseline_screen"].result
    direct = ss.spc.screen(shifted, defectives="errors", size="audited", label="day", by=KEYS,
                           limits=base)
    pd.testing.assert_frame_equal(report.screen.table, direct.table)
    segs = {a.segment for a in report.alerts}
    assert ("q1", "p01", "m01") in segs
    chart = base.chart(("q1", "p01", "m01"))
    again = report.screen.chart(("q1", "p01", "m01"))
    assert again.center[0] == pytest.approx(chart.center[0])  # the frozen centre
    json.dumps(report.to_dict(), allow_nan=False)


def test_monitor_state_reports_known_alerts(segments, tmp_path):
    out, _, _ = segments
    state = tmp_path / "state.json"
    args = ["monitor", out / "project.yaml", out / "week1.csv", "--by", "queue,policy,market",
            "--state", state]
    first = _run(*args)
    assert first.exit_code == 1, (first.stdout, first.stderr)
    assert "NEW" in first.stdout and state.exists()
    again = _run(*args)
    assert again.exit_code == 0, again.stdout
    assert "known" in again.stdout and "NEW" not in again.stdout
    assert ", 0 new" in again.stdout
    later = _run("monitor", out / "project.yaml", out / "week2.csv", "--by",
                 "queue,policy,market", "--state", state, "--json")
    assert later.exit_code == 1
    doc = json.loads(later.stdout)
    flags = [a["known"] for s in doc["segments"] for a in s["alerts"]]
    assert any(flags) and not all(flags) and doc["new_alerts"] == flags.count(False)
    # without --state every alert fails the job; --html writes the screen of the new data
    page = tmp_path / "segments.html"
    assert _run(*args[:-2], "--html", page).exit_code == 1
    assert page.read_text(encoding="utf-8").count('class="card') == 12


def test_monitor_by_unknown_segment_and_missing_baseline(segments, tmp_path):
    out, _, shifted = segments
    extra = shifted.copy()
    extra["market"] = extra["market"].where(extra["market"] != "m03", "m99")
    extra.to_csv(tmp_path / "extra.csv", index=False)
    r = _run("monitor", out / "project.yaml", tmp_path / "extra.csv", "--by",
             "queue,policy,market")
    assert "not judged (no baseline limits)" in r.stdout and "m99" in r.stdout
    r = _run("monitor", out / "project.yaml", tmp_path / "extra.csv", "--by", "queue")
    assert r.exit_code == 2 and "no baseline screen by these keys" in r.stderr
    bad = tmp_path / "state.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    r = _run("monitor", out / "project.yaml", out / "week1.csv", "--by",
             "queue,policy,market", "--state", bad)
    assert r.exit_code == 2 and "not a monitor state file" in r.stderr


# -- roll-outs: monitor --go-live, the roll-out page, the storyboard --------------------------

def _rollout_data(seed=0):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-01", periods=80)
    go = {"A": "2026-02-01", "B": "2026-02-15", "C": "2026-03-01", "D": None}
    rows = []
    for unit, date in go.items():
        for d in days:
            live = date is not None and d >= pd.Timestamp(date)
            p = 0.10 + (0.04 if unit == "C" and live else -0.04 if live else 0.0)
            rows.append({"region": unit, "day": d, "audited": 400,
                         "errors": int(rng.binomial(400, p))})
    return pd.DataFrame(rows), go


def test_monitor_go_live_reports_per_unit(tmp_path):
    data, go = _rollout_data()
    base = data[data["day"] < "2026-01-20"]
    project = dmaic.Project(title="Roll-out")
    project.attach("regions", ss.spc.screen(base, defectives="errors", size="audited",
                                            label="day", by="region"),
                   function="sixsigma.spc.screen",
                   parameters={"defectives": "errors", "size": "audited", "label": "day"})
    project.save(tmp_path / "p.yaml")
    data.to_csv(tmp_path / "new.csv", index=False)
    pd.DataFrame({"region": list(go), "go_live": [v or "" for v in go.values()]}).to_csv(
        tmp_path / "go.csv", index=False)
    html = tmp_path / "rollout.html"
    r = _run("monitor", tmp_path / "p.yaml", tmp_path / "new.csv", "--by", "region",
             "--go-live", tmp_path / "go.csv", "--html", html)
    assert r.exit_code in (0, 1), (r.stdout, r.stderr)
    direct = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                              go_live={k: v for k, v in go.items()})
    verdicts = dict(zip(direct.table["unit"].astype(str), direct.table["verdict"],
                        strict=True))
    assert verdicts["C"] == "worse" and verdicts["D"] == "not_live"
    for unit, verdict in verdicts.items():
        assert f"  {unit}: {verdict}" in r.stdout
    assert "pooled (MH)" in r.stdout
    page = html.read_text(encoding="utf-8")
    assert "Forest plot" in page and page.count('class="spark"') == 4
    r = _run("monitor", tmp_path / "p.yaml", tmp_path / "new.csv", "--go-live",
             tmp_path / "go.csv")
    assert r.exit_code == 2 and "--go-live needs --by" in r.stderr


def test_rollout_page_and_storyboard_section(tmp_path):
    data, go = _rollout_data(1)
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live=go)
    html = rollout_report(r, tmp_path / "r.html", title="Guideline v2 roll-out")
    assert html.count('class="forest"') == 1 and html.count('class="spark"') == len(r.charts)
    assert "pooled (MH)" in html and "<script" not in html
    project = dmaic.Project(title="Roll-out project")
    board = storyboard(project)
    assert "Control: the roll-out" not in board
    project.attach("rollout", r, description="Guideline v2 by region")
    board = storyboard(project)
    assert "Control: the roll-out" in board and 'class="forest"' in board


def test_screen_report_escapes_keys():
    data = generate_many_series(seed=0, queues=2, policies=2, markets=2).audits
    data["market"] = data["market"].replace({"m01": "<b>m01</b>"})
    s = ss.spc.screen(data, defectives="errors", size="audited", label="day", by=KEYS)
    html = screen_report(s)
    assert "<b>m01</b>" not in html and "&lt;b&gt;m01&lt;/b&gt;" in html
    assert "Goal plot" not in html  # no target, no goal plot


def test_analysis_report_dispatches_screen_and_rollout():
    from sixsigma.report import analysis_report

    data = generate_many_series(seed=0, queues=1, policies=2, markets=2).audits
    s = ss.spc.screen(data, defectives="errors", size="audited", label="day", by=KEYS)
    assert 'content="screen"' in analysis_report(s)
    frame, go = _rollout_data(2)
    r = ss.rollout.track(frame, "errors", size="audited", label="day", unit="region",
                         go_live=go)
    assert 'class="forest"' in analysis_report(r)


def test_monitor_reports_the_projects_rollout_plan(tmp_path):
    if "rollout" not in type(dmaic.Project(title="x").control).model_fields:
        pytest.skip("no roll-out plan in the control plan model yet")
    import importlib

    rollouts = importlib.import_module("dmaic.rollouts")
    data, go = _rollout_data(3)
    project = dmaic.Project(title="Roll-out plan")
    project.append("define.ctqs", {"id": "error_rate", "name": "Error rate",
                                   "direction": "lower"})
    base = data[data["day"] < "2026-01-20"]
    project.attach("regions", ss.spc.screen(base, defectives="errors", size="audited",
                                            label="day", by="region"),
                   function="sixsigma.spc.screen",
                   parameters={"defectives": "errors", "size": "audited", "label": "day"})
    project.set("control.rollout", {
        "ctq": "error_rate", "unit_column": "region", "defectives": "errors",
        "size": "audited", "label": "day",
        "units": [{"unit": u, "go_live": g} for u, g in go.items()]})
    project.save(tmp_path / "p.yaml")
    data.to_csv(tmp_path / "new.csv", index=False)
    html = tmp_path / "rollout.html"
    r = _run("monitor", tmp_path / "p.yaml", tmp_path / "new.csv", "--by", "region",
             "--html", html)
    assert r.exit_code in (0, 1), (r.stdout, r.stderr)
    direct = rollouts.rollout_status(dmaic.load(tmp_path / "p.yaml"), data)
    assert "roll-out per region:" in r.stdout
    for unit, verdict in zip(direct.table["unit"], direct.table["verdict"], strict=True):
        assert f"  {unit}: {verdict}" in r.stdout
    assert "Forest plot" in html.read_text(encoding="utf-8")
