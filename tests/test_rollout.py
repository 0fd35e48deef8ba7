"""ss.rollout.track: per-unit verdicts, the pooled MH risk difference, staggered DiD."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import ColumnError, DomainError, MissingValueError, ParameterError
from sixsigma.flow.processmap import from_paths
from sixsigma.rollout import mantel_haenszel_rd

DAYS = pd.date_range("2026-01-01", periods=60)


def _simulate(go_live, *, base=0.10, effect=-0.03, trend=0.0, size=400, seed=0,
              worse=()):
    """Daily audits per unit; the change moves the rate by `effect` from go-live on
    (by -effect in the units of `worse`), every unit shares a linear `trend` per day."""
    rng = np.random.default_rng(seed)
    rows = []
    for u, g in go_live.items():
        for k, d in enumerate(DAYS):
            p = base + trend * k
            if g is not None and d >= pd.Timestamp(g):
                p += -effect if u in worse else effect
            rows.append({"day": d, "region": u, "audited": size,
                         "errors": int(rng.binomial(size, p))})
    return pd.DataFrame(rows)


def test_mh_risk_difference_agresti():
    # Agresti (2013), Categorical Data Analysis, 3rd ed., p. 226 (8 centres, drug vs
    # control); p. 231 gives the MH common risk difference 0.130 with SE 0.050 (Sato). The
    # R package cicalc (GSK-Biostatistics, ci_risk_diff_mh_strata, Sato variance) gives
    # the 95 % interval (0.0313, 0.2284) on the same data.
    x1 = [11, 16, 14, 2, 6, 1, 1, 4]
    n1 = [36, 20, 19, 16, 17, 11, 5, 6]
    x0 = [10, 22, 7, 1, 0, 0, 1, 6]
    n0 = [37, 32, 19, 17, 12, 10, 9, 7]
    r = mantel_haenszel_rd(x1, n1, x0, n0)
    assert round(r.estimate, 3) == 0.130
    assert round(r.se, 3) == 0.050
    assert (round(r.ci[0], 4), round(r.ci[1], 4)) == (0.0313, 0.2284)
    assert r.units == 8


def test_mh_single_stratum_is_the_plain_difference():
    r = mantel_haenszel_rd([30], [200], [50], [250])
    assert r.estimate == pytest.approx(30 / 200 - 50 / 250)
    # one stratum: Sato's variance reduces to the unpooled binomial variance
    var = 0.15 * 0.85 / 200 + 0.2 * 0.8 / 250
    assert r.se == pytest.approx(np.sqrt(var), rel=1e-9)


def test_per_unit_hand_case_and_verdicts():
    data = _simulate({"A": "2026-01-31", "B": None}, effect=0.0, seed=3)
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live={"A": "2026-01-31"})
    a = r.table.set_index("unit").loc["A"]
    sub = data[data.region == "A"]
    before, after = sub[sub.day < "2026-01-31"], sub[sub.day >= "2026-01-31"]
    assert a.n_before == before.audited.sum() and a.defectives_after == after.errors.sum()
    xb, nb, xa, na = before.errors.sum(), before.audited.sum(), after.errors.sum(), \
        after.audited.sum()
    assert a.change == pytest.approx(xa / na - xb / nb)
    assert (a.ci_low, a.ci_high) == pytest.approx(ss._stats.newcombe(xa, na, xb, nb))
    assert r.table.set_index("unit").loc["B", "verdict"] == "not_live"


def test_exactly_the_failing_region_is_flagged_and_no_baseline():
    go = {"NA": "2026-01-15", "EMEA": "2026-01-25", "APAC": "2026-02-05",
          "LATAM": "2026-01-20", "BR": None, "JP": "2026-01-01"}
    data = _simulate(go, effect=-0.03, seed=5, worse=("LATAM",))
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live=go)
    v = r.table.set_index("unit")["verdict"].to_dict()
    assert v == {"APAC": "improved", "BR": "not_live", "EMEA": "improved",
                 "JP": "no_baseline", "LATAM": "worse", "NA": "improved"}
    chart = r.chart("NA")
    assert len(chart.statistic) == 60
    assert len(chart.stages) == 2
    with pytest.raises(ParameterError, match="no chart"):
        r.chart("XX")


def test_staggered_recovers_the_injected_effect():
    go = {"u1": "2026-01-15", "u2": "2026-01-15", "u3": "2026-01-30", "u4": "2026-02-10",
          "u5": None, "u6": None}
    data = _simulate(go, effect=-0.03, trend=-0.0005, seed=11)
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live=go)
    s = r.staggered
    assert abs(s.estimate - (-0.03)) < 2 * s.se
    assert s.ci[1] < 0
    assert s.cohorts == 3 and "not-yet-live" in s.estimator
    assert len(r.cohorts) == 3 and r.cohorts.weight.sum() == pytest.approx(1.0)
    assert any("parallel trends" in a for a in s.assumptions)


def test_shared_trend_with_no_effect():
    # every unit drifts down; the fix does nothing: a naive before/after finds an
    # "improvement", the staggered estimate does not
    go = {"u1": "2026-01-20", "u2": "2026-01-20", "u3": "2026-02-01", "u4": "2026-02-10",
          "u5": None, "u6": None}
    data = _simulate(go, effect=0.0, trend=-0.001, base=0.12, seed=2)
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live=go)
    assert r.pooled.ci[1] < 0                         # naive: significant improvement
    assert (r.table.verdict == "improved").sum() >= 3
    s = r.staggered
    assert s.ci[0] < 0 < s.ci[1]
    assert abs(s.estimate) < 0.01


def test_null_rollouts_flags_within_fdr():
    go = {f"u{k}": ("2026-01-20" if k % 2 else "2026-02-05") for k in range(8)}
    flagged = 0
    reps = 40
    for seed in range(reps):
        data = _simulate(go, effect=0.0, seed=100 + seed, size=100)
        r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                             go_live=go)
        flagged += bool(r.table.verdict.isin(["improved", "worse"]).any())
    # under the global null BH controls the chance of any flag at the FDR (0.05)
    assert flagged / reps <= 0.15


def test_direction_higher():
    data = _simulate({"A": "2026-01-31"}, effect=0.05, seed=1)
    low = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                           go_live={"A": "2026-01-31"})
    high = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                            go_live={"A": "2026-01-31"}, direction="higher")
    assert low.table.verdict[0] == "worse" and high.table.verdict[0] == "improved"


def test_go_live_table_and_raw_records():
    rng = np.random.default_rng(0)
    raw = pd.DataFrame({"day": np.repeat(DAYS[:20], 50), "region": np.tile(["A", "B"], 500),
                        "error": rng.random(1000) < 0.1})
    table = pd.DataFrame({"region": ["A", "B"], "go_live": ["2026-01-10", None]})
    r = ss.rollout.track(raw, "error", label="day", unit="region", go_live=table)
    assert r.table.n_before.sum() + r.table.n_after.sum() == 1000
    assert r.table.set_index("unit").loc["B", "verdict"] == "not_live"


def test_bad_inputs():
    data = _simulate({"A": None, "B": None}, seed=0)
    kw = dict(size="audited", label="day", unit="region")
    with pytest.raises(DomainError, match=r"unit 'A' \(row 0\).*outside the data"):
        ss.rollout.track(data, "errors", go_live={"A": "2025-12-01"}, **kw)
    with pytest.raises(DomainError, match=r"unit 'A' \(row 0\).*outside the data"):
        ss.rollout.track(data, "errors", go_live={"A": "2026-06-01"}, **kw)
    with pytest.raises(DomainError, match=r"'ZZ' \(row 1\).*not in column 'region'"):
        ss.rollout.track(data, "errors", go_live={"A": "2026-01-10", "ZZ": "2026-01-10"},
                         **kw)
    with pytest.raises(DomainError, match="twice"):
        ss.rollout.track(data, "errors", go_live=pd.DataFrame(
            {"region": ["A", "A"], "go_live": ["2026-01-10", "2026-01-12"]}), **kw)
    with pytest.raises(ColumnError, match="go_live"):
        ss.rollout.track(data, "errors", go_live=pd.DataFrame(
            {"region": ["A"], "x": [1], "y": [2]}), **kw)
    bad = data.copy()
    bad.loc[3, "region"] = None
    with pytest.raises(MissingValueError, match=r"'region'.*row 3"):
        ss.rollout.track(bad, "errors", go_live={"A": "2026-01-10"}, **kw)
    with pytest.raises(ParameterError, match="'direction'"):
        ss.rollout.track(data, "errors", go_live={}, direction="down", **kw)
    with pytest.raises(ParameterError, match="process="):
        ss.rollout.track(data, "errors", go_live={}, log=pd.DataFrame(), **kw)


def test_adherence():
    intended = from_paths([("ingest", "review", "decision", "closed")], [1])
    go = {"A": "2026-01-10", "B": "2026-01-20"}
    data = _simulate({"A": "2026-01-10", "B": "2026-01-20"}, seed=0)
    events = []
    for k in range(40):
        unit = "A" if k % 2 == 0 else "B"
        start = DAYS[k]
        path = ["ingest", "review", "decision", "closed"]
        if k % 4 == 1:                       # every other B case skips review
            path = ["ingest", "decision", "closed"]
        for j, a in enumerate(path):
            events.append({"case_id": f"c{k}", "activity": a, "region": unit,
                           "timestamp": start + pd.Timedelta(minutes=j)})
    log = pd.DataFrame(events)
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live=go, log=log, process=intended)
    adh = r.adherence.set_index("unit")
    # A: cases k = 10, 12, ..., 38 start on/after 2026-01-10 -> all follow
    assert adh.loc["A", "cases"] == 15 and adh.loc["A", "rate"] == 1.0
    # B: cases k = 19, 21, ..., 39 (day >= 2026-01-20); k % 4 == 1 skip review
    ks = [k for k in range(19, 40, 2)]
    assert adh.loc["B", "cases"] == len(ks)
    assert adh.loc["B", "following"] == sum(k % 4 != 1 for k in ks)


def test_round_trip():
    go = {"u1": "2026-01-15", "u2": "2026-01-30", "u3": None}
    r = ss.rollout.track(_simulate(go, seed=4), "errors", size="audited", label="day",
                         unit="region", go_live=go)
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is type(r)
    assert back.to_dict() == d
    assert back.chart("u1").to_dict() == r.chart("u1").to_dict()


def test_date_labels_from_duckdb_read_as_datetimes():
    """DuckDB returns datetime.date objects for a CSV date column: the same result."""
    duckdb = pytest.importorskip("duckdb")
    go = {"u1": "2026-01-15", "u2": "2026-01-30", "u3": None}
    data = _simulate(go, seed=4)
    as_dates = data.assign(day=[d.date() for d in data["day"]])
    assert isinstance(as_dates["day"].iloc[0], datetime.date)
    want = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                            go_live=go)
    got = ss.rollout.track(as_dates, "errors", size="audited", label="day", unit="region",
                           go_live=go)
    pd.testing.assert_frame_equal(got.table, want.table)
    con = duckdb.connect()
    con.register("d", data)
    rel = con.sql("select region, errors, audited, cast(day as date) as day from d")
    lazy = ss.rollout.track(rel, "errors", size="audited", label="day", unit="region",
                            go_live=go)
    pd.testing.assert_frame_equal(lazy.table, want.table)
