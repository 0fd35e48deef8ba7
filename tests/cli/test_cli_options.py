"""Command-line options of issue 14 item 5: raw audit rows, --stage-file, --title, --schema,
hotspots' column options and the rule ids in --rules help."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

typer_testing = pytest.importorskip("typer.testing", reason="typer is not installed")
pytest.importorskip("rich")

import sixsigma as ss  # noqa: E402
import sixsigma.flow  # noqa: E402, F401
from dmaic import demo  # noqa: E402
from dmaic.cli import app  # noqa: E402

RUNNER = typer_testing.CliRunner()


def run(*args, code: int = 0):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def typed(*args, code: int = 0):
    return ss.from_dict(json.loads(run(*args, "--json", code=code).stdout))


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    d = tmp_path_factory.mktemp("raw")
    raw = ss.datasets.load("policy_update").audits.iloc[:6000]
    audited = raw[raw["qa_decision"].notna()].copy()
    audited["is_error"] = (audited["decision"] != audited["qa_decision"]).astype(int)
    audited.to_parquet(d / "audited.parquet")
    return d, raw, audited


def test_chart_takes_raw_audit_rows_grouped_by_label(audits):
    d, _, audited = audits
    got = typed("chart", "p", d / "audited.parquet", "--defectives", "is_error",
                "--label", "day")
    daily = audited.groupby("day")["is_error"].agg(["sum", "count"])
    assert np.allclose(got.n, daily["count"]) and np.allclose(
        got.statistic, daily["sum"] / daily["count"], rtol=1e-12)
    lib = ss.spc.p_chart(audited, defectives="is_error", label="day")
    assert got.center[0] == pytest.approx(lib.center[0], rel=1e-12)


def test_stage_file_splits_the_chart_like_the_change_log(tmp_path):
    ds = ss.datasets.load("daily_audits")
    ds.audits.to_csv(tmp_path / "daily.csv", index=False)
    changes = ds.changes.assign(date=ds.changes["date"].dt.strftime("%Y-%m-%d"))
    changes.to_csv(tmp_path / "changes.csv", index=False)
    got = typed("chart", "laney_p", tmp_path / "daily.csv", "--defectives", "errors",
                "--size", "audited", "--label", "day", "--stage-file",
                tmp_path / "changes.csv")
    lib = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
                         stage=ds.changes)
    assert len(got.stages) == len(lib.stages) == 2
    assert [s.center for s in got.stages] == pytest.approx([s.center for s in lib.stages])
    (tmp_path / "bad.csv").write_text("date,event\nsoon,launch\n", encoding="utf-8")
    bad = run("chart", "p", tmp_path / "daily.csv", "--defectives", "errors", "--size",
              "audited", "--stage-file", tmp_path / "bad.csv", code=2)
    assert "bad.csv" in bad.stderr and "'soon'" in bad.stderr and bad.stderr.count("\n") == 1


def test_title_and_y_axis_name_what_is_charted(tmp_path):
    ds = ss.datasets.load("daily_audits")
    ds.audits.to_csv(tmp_path / "daily.csv", index=False)
    ds.changes.to_csv(tmp_path / "changes.csv", index=False)
    run("chart", "laney_p", tmp_path / "daily.csv", "--defectives", "errors", "--size",
        "audited", "--label", "day", "--stage-file", tmp_path / "changes.csv",
        "--html", tmp_path / "c.html")
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "errors per audited" in title and "Control chart" not in page.split("<svg")[0]
    assert "errors per audited (proportion)" in page          # the y axis (SVG text)
    assert "Proportion</text>" not in page
    assert "\u2192" in page                                   # centre before -> after
    run("chart", "laney_p", tmp_path / "daily.csv", "--defectives", "errors", "--size",
        "audited", "--title", "Daily QA error rate", "--html", tmp_path / "t.html")
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>Daily QA error rate</h1>", page)
    assert page.count("Daily QA error rate") >= 2


def test_rules_help_lists_every_rule_id_and_takes_ids():
    text = " ".join(run("chart", "--help").stdout.split())
    for rule in ss.spc.ALL_RULES:
        assert rule in text
    ds = ss.datasets.load("daily_audits")
    lib = ss.spc.p_chart(ds.audits, defectives="errors", size="audited",
                         rules=["nelson_1", "we_2"])
    assert lib.rules == ("nelson_1", "we_2") or list(lib.rules) == ["nelson_1", "we_2"]


def test_hotspots_takes_column_options_like_flow(tmp_path):
    ds = ss.datasets.load("policy_update")
    cases = ds.audits["item_id"].iloc[:800]
    events = ds.events[ds.events["case_id"].isin(cases)].rename(
        columns={"case_id": "ticket", "activity": "step", "timestamp": "at"})
    audits = ds.audits[ds.audits["item_id"].isin(cases)].rename(columns={"item_id": "ticket"})
    events.to_parquet(tmp_path / "ev.parquet")
    audits.to_parquet(tmp_path / "au.parquet")
    got = typed("hotspots", tmp_path / "ev.parquet", tmp_path / "au.parquet", "--case",
                "ticket", "--activity", "step", "--timestamp", "at", "--item", "ticket")
    base = ds.events[ds.events["case_id"].isin(cases)]
    lib = ss.flow.hotspots(base, ds.audits[ds.audits["item_id"].isin(cases)])
    assert got.to_frame().shape == lib.to_frame().shape
    assert list(got.to_frame().iloc[:, 0]) == list(lib.to_frame().iloc[:, 0])


def test_monitor_takes_raw_audit_rows(tmp_path):
    built = demo.build_case()
    demo.write_outputs(built, tmp_path)
    daily = pd.read_csv(tmp_path / "monitor_new_days.csv")
    rows = []
    for r in daily.itertuples():
        rows.append(pd.DataFrame({"day": r.day, "is_error": [1] * int(r.errors)
                                  + [0] * int(r.audited - r.errors)}))
    pd.concat(rows).to_csv(tmp_path / "raw.csv", index=False)
    totals = json.loads(run("monitor", tmp_path / "project.yaml",
                            tmp_path / "monitor_new_days.csv", "--ctq", "error_rate",
                            "--json", code=1).stdout)
    raw = run("monitor", tmp_path / "project.yaml", tmp_path / "raw.csv", "--ctq",
              "error_rate", "--defectives", "is_error", "--label", "day", "--json",
              code=1)
    got = json.loads(raw.stdout)
    assert got["checks"][0]["center"] == pytest.approx(totals["checks"][0]["center"])
    assert [a["label"][:10] for a in got["checks"][0]["alerts"]] == [
        a["label"][:10] for a in totals["checks"][0]["alerts"]]
    bad = run("monitor", tmp_path / "project.yaml", tmp_path / "raw.csv", "--ctq",
              "error_rate", "--value", "is_error", code=2)
    assert bad.stderr.count("\n") == 1 and "'value'" in bad.stderr


def test_chart_and_monitor_take_an_audit_schema(audits, tmp_path):
    moderation = pytest.importorskip("sixsigma.moderation")
    if not hasattr(moderation, "AuditSchema"):
        pytest.skip("sixsigma.moderation.AuditSchema is not on this branch yet")
    _, raw, audited = audits
    export = pd.DataFrame({
        "review_date": raw["decided_at"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
        "policy_label": raw["decision"].replace({"no_violation": "NONE"}).str.upper(),
        "qa_label": raw["qa_decision"].fillna("").replace({"no_violation": "NONE"})
        .str.upper(),
        "site": raw["region"]})
    export.to_csv(tmp_path / "export.csv", index=False)
    labels = {p.upper(): p for p in set(raw["decision"]) | set(audited["qa_decision"])
              if p != "no_violation"}
    schema = moderation.AuditSchema(
        columns={"decided_at": "review_date", "decision": "policy_label",
                 "qa_decision": "qa_label", "region": "site"},
        no_violation=["NONE"], not_audited=[""], labels=labels)
    schema.to_yaml(tmp_path / "schema.yaml")
    got = typed("chart", "p", tmp_path / "export.csv", "--schema", tmp_path / "schema.yaml")
    day = audited["decided_at"].dt.floor("D")
    expected = audited.groupby(day)["is_error"].agg(["sum", "count"])
    assert np.allclose(got.n, expected["count"])
    assert np.allclose(got.statistic, expected["sum"] / expected["count"], rtol=1e-12)
