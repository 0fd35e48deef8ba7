"""The `sixsigma` command through typer's CliRunner; expected numbers computed independently."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

typer_testing = pytest.importorskip("typer.testing", reason="typer is not installed")
pytest.importorskip("rich")

import sixsigma as ss  # noqa: E402
import sixsigma.flow  # noqa: E402, F401
from dmaic.cli import app  # noqa: E402

RUNNER = typer_testing.CliRunner()


def run(*args: str, code: int = 0):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def as_json(*args: str, code: int = 0):
    """The printed ``--json`` payload restored to its typed result (``ss.from_dict``)."""
    payload = json.loads(run(*args, "--json", code=code).stdout)
    return ss.from_dict(payload)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    ds = ss.datasets.load("policy_update")
    daily = ss.datasets.load("daily_audits").audits
    daily.to_csv(d / "daily.csv", index=False)
    audits = ds.audits[ds.audits["qa_decision"].notna()]
    audits.to_parquet(d / "audits.parquet")
    cases = audits["item_id"].iloc[:1500]
    events = ds.events[ds.events["case_id"].isin(cases)]
    events.to_parquet(d / "events.parquet")
    audits[audits["item_id"].isin(cases)].to_parquet(d / "audits_small.parquet")
    cal = ds.calibration[ds.calibration["round"] == 6]
    cal.to_csv(d / "calibration.csv", index=False)
    return d


def test_chart_p_matches_the_textbook_formula(files):
    out = as_json("chart", "p", files / "daily.csv", "--defectives", "errors", "--size",
                  "audited", "--label", "day", "--rules", "nelson")
    daily = pd.read_csv(files / "daily.csv")
    # Montgomery (2019) §7.2: p-bar = sum d / sum n; limits p-bar +- 3 sqrt(p-bar(1-p-bar)/n)
    pbar = daily["errors"].sum() / daily["audited"].sum()
    ucl = pbar + 3 * np.sqrt(pbar * (1 - pbar) / daily["audited"])
    assert out.chart == "p" and len(out.statistic) == len(daily)
    assert out.center[0] == pytest.approx(pbar, rel=1e-12)
    assert np.allclose(out.ucl, ucl, rtol=1e-12)
    assert np.allclose(out.statistic, daily["errors"] / daily["audited"], rtol=1e-12)
    lib = ss.spc.p_chart(daily, defectives="errors", size="audited", label="day",
                         rules="nelson")
    assert out.violation_index.tolist() == lib.violation_index.tolist()


def test_chart_writes_an_html_report(files, tmp_path):
    html = tmp_path / "chart.html"
    result = run("chart", "laney_p", files / "daily.csv", "--defectives", "errors", "--size",
                 "audited", "--label", "day", "--html", html)
    assert "laney_p chart: 120 points" in result.stdout
    assert html.read_text(encoding="utf-8").count("<svg") == 1


def test_capability_matches_hand_computed_pp(files):
    out = as_json("capability", files / "audits.parquet", "--value", "handle_seconds",
                  "--lsl", "5", "--usl", "400")
    x = pd.read_parquet(files / "audits.parquet")["handle_seconds"].to_numpy()
    s = x.std(ddof=1)  # overall sigma: sample SD (n - 1), AIAG SPC manual
    assert out.n == x.size
    assert out.pp == pytest.approx((400 - 5) / (6 * s), rel=1e-9)
    assert out.ppk == pytest.approx(min(400 - x.mean(), x.mean() - 5) / (3 * s), rel=1e-9)


def test_pareto_counts(files):
    out = as_json("pareto", files / "audits.parquet", "--category", "error_type")
    counts = pd.read_parquet(files / "audits.parquet")["error_type"].value_counts()
    got = dict(zip(out.table["category"], out.table["count"], strict=True))
    assert got == {k: float(v) for k, v in counts.items()}
    assert out.table["category"].iloc[0] == counts.index[0]
    assert out.total == counts.sum()


def test_agreement_percent_matched(files):
    out = as_json("agreement", files / "calibration.csv", "--item", "item_id", "--rater",
                  "rater", "--rating", "rating", "--standard", "standard", "--trial", "trial")
    cal = pd.read_csv(files / "calibration.csv")
    # AIAG MSA 4th ed.: an item counts when every trial of the appraiser matches the standard
    hit = (cal["rating"] == cal["standard"]).groupby([cal["rater"], cal["item_id"]]).all()
    expected = (100 * hit.groupby(level=0).mean()).to_dict()
    got = dict(zip(out.vs_standard["rater"], out.vs_standard["percent"], strict=True))
    assert got == pytest.approx(expected)


def test_flow_counts_directly_follows_pairs(files):
    out = as_json("flow", files / "events.parquet")
    ev = pd.read_parquet(files / "events.parquet").sort_values(["case_id", "timestamp"],
                                                               kind="stable")
    nxt = ev.groupby("case_id")["activity"].shift(-1)
    pairs = pd.DataFrame({"s": ev["activity"], "t": nxt}).dropna().value_counts()
    flows = out.edges_frame()
    got = dict(zip(zip(flows["source"], flows["target"], strict=True), flows["count"],
                   strict=True))
    assert got == {k: int(v) for k, v in pairs.items()}
    assert out.n_cases == ev["case_id"].nunique()


def test_hotspots_match_the_library(files, tmp_path):
    out = as_json("hotspots", files / "events.parquet", files / "audits_small.parquet",
                  "--by", "market")
    lib = ss.flow.hotspots(pd.read_parquet(files / "events.parquet"),
                           pd.read_parquet(files / "audits_small.parquet"), by="market")
    table = out.table
    assert table["name"].tolist() == lib.table["name"].tolist()
    assert np.allclose(table["excess_defects"], lib.table["excess_defects"])
    top = table.iloc[0]
    assert top["defects"] / top["items"] == pytest.approx(top["rate"])
    html = tmp_path / "hot.html"
    run("hotspots", files / "events.parquet", files / "audits_small.parquet", "--html", html)
    assert html.read_text(encoding="utf-8").count("<svg") == 1


@pytest.mark.parametrize("args", [
    ("chart", "p", "missing.csv", "--defectives", "x"),
    ("chart", "p", "{d}/daily.csv", "--defectives", "no_such_column", "--size", "audited"),
    ("chart", "zz", "{d}/daily.csv"),
    ("chart", "u", "{d}/daily.csv", "--count", "errors"),
    ("chart", "c", "{d}/daily.csv"),
    ("chart", "ewma", "{d}/daily.csv", "--value", "audited", "--defectives", "errors"),
    ("capability", "{d}/audits.parquet", "--value", "handle_seconds"),
    ("pareto", "{d}/audits.parquet", "--category", "nope"),
    ("report", "missing.yaml"),
    ("monitor", "{d}/daily.csv", "{d}/daily.csv"),
])
def test_bad_input_is_one_line_and_exit_2(files, args):
    result = RUNNER.invoke(app, [a.format(d=files) for a in args])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("sixsigma: error: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_invalid_project_document_is_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 2\ntitle: t\ndefine:\n  ctqs:\n  - {id: a, name: A, "
                   "lsl: 5, usl: 1}\n", encoding="utf-8")
    result = RUNNER.invoke(app, ["report", str(bad)])
    assert result.exit_code == 2
    assert "invalid project document: define.ctqs.0.usl" in result.stderr


def test_chart_kinds_come_from_the_spc_registry(files):
    result = RUNNER.invoke(app, ["chart", "zz", str(files / "daily.csv")])
    assert result.exit_code == 2
    assert all(kind in result.stderr for kind in ss.spc.CHARTS)
    for kind, func in ss.spc.CHARTS.items():
        assert callable(func) and func.__module__.startswith("sixsigma.spc"), kind
    missing = RUNNER.invoke(app, ["chart", "c", str(files / "daily.csv")])
    assert "chart c: --count required." in missing.stderr


def test_dmaic_errors_are_one_line_and_exit_2(files, tmp_path):
    import dmaic

    path = tmp_path / "case.yaml"
    dmaic.Project(title="No control plan yet").save(path)
    result = RUNNER.invoke(app, ["monitor", str(path), str(files / "daily.csv")])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr == ("sixsigma: error: monitor: the project has no control-plan line "
                             "with frozen limits.\n")
