"""ss.spc.screen: every series at once equals each series charted alone; ranking; FDR."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import ParameterError
from sixsigma.spc import attributes

KEYS = ["queue", "policy", "market"]


def _fifty(seed: int = 11) -> pd.DataFrame:
    """50 series (2 x 5 x 5), 45 days, gaps, overdispersion and one shift."""
    return ss.datasets.generate_many_series(seed=seed, days=45, queues=2, policies=5,
                                            markets=5, shifts=1).audits


def _check_equal(s: ss.spc.Screen, data: pd.DataFrame) -> None:
    assert len(s.table) == 50
    kinds = set()
    for row in s.table.itertuples(index=False):
        key = tuple(getattr(row, k) for k in KEYS)
        mask = np.ones(len(data), dtype=bool)
        for k, v in zip(KEYS, key, strict=True):
            mask &= (data[k] == v).to_numpy()
        own = data[mask].sort_values("day")
        fn = ss.spc.laney_p if row.chart == "laney_p" else ss.spc.p_chart
        alone = fn(own, defectives="errors", size="audited", label="day", rules="nelson")
        got = s.chart(key)
        kinds.add(row.chart)
        assert got.chart == alone.chart == row.chart
        np.testing.assert_array_equal(got.labels, alone.labels)
        np.testing.assert_allclose(got.center, alone.center, rtol=1e-12)
        np.testing.assert_allclose(got.lcl, alone.lcl, rtol=1e-12)
        np.testing.assert_allclose(got.ucl, alone.ucl, rtol=1e-12)
        assert got.violations == alone.violations
        # the screen's own (vectorised) figures agree with the chart of the series alone
        assert row.center == pytest.approx(alone.center[0], rel=1e-12)
        assert row.points == len(alone)
        assert row.signals == np.unique(alone.violation_index).size
        if row.chart == "laney_p":
            assert row.sigma_z == pytest.approx(alone.stages[-1].extra["sigma_z"], rel=1e-12)
        if alone.violation_index.size:
            last = int(alone.violation_index.max())
            assert pd.Timestamp(row.last_signal) == pd.Timestamp(alone.labels[last])
            assert row.last_rule.split(",") == [
                v.rule for v in alone.violations if v.index == last]
    assert kinds == {"p", "laney_p"}


@pytest.fixture(scope="module")
def fifty() -> pd.DataFrame:
    return _fifty()


def _screen_vectorised(data, monkeypatch, **kw):
    def boom(*a, **k):
        raise AssertionError("screen called a single-series chart function")

    with monkeypatch.context() as m:
        for name in ("p_chart", "laney_p", "_attribute", "_attribute_counts"):
            m.setattr(attributes, name, boom)
        m.setattr(ss.spc, "p_chart", boom)
        m.setattr(ss.spc, "laney_p", boom)
        return ss.spc.screen(data, defectives="errors", size="audited", label="day", by=KEYS,
                             **kw)


def test_each_series_equals_its_own_chart_pandas(fifty, monkeypatch):
    s = _screen_vectorised(fifty, monkeypatch)
    _check_equal(s, fifty)


def test_each_series_equals_its_own_chart_duckdb(fifty, monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.register("audits", fifty)
    rel = con.sql("select * from audits")
    s = _screen_vectorised(rel, monkeypatch)
    _check_equal(s, fifty)
    pandas_screen = ss.spc.screen(fifty, defectives="errors", size="audited", label="day",
                                  by=KEYS)
    pd.testing.assert_frame_equal(s.table, pandas_screen.table)


def test_raw_records_equal_counts(fifty):
    small = fifty[fifty["queue"] == "q1"].head(300)
    rows = small.loc[small.index.repeat(small["audited"])].copy()
    rank = rows.groupby(level=0).cumcount()
    rows["error"] = (rank < rows["errors"]).astype(int)
    raw = ss.spc.screen(rows[[*KEYS, "day", "error"]], defectives="error", label="day", by=KEYS)
    counted = ss.spc.screen(small, defectives="errors", size="audited", label="day", by=KEYS)
    cols = ["center", "sigma_z", "signals", "p_value", "chart", "points"]
    pd.testing.assert_frame_equal(raw.table[cols], counted.table[cols])


def test_missing_days_are_no_points():
    days = pd.date_range("2026-01-01", periods=30)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"day": np.tile(days, 2), "q": np.repeat(["a", "b"], 30),
                          "n": 200, "d": rng.binomial(200, 0.05, 60)})
    frame = frame.drop(index=[5, 6, 7]).reset_index(drop=True)  # three days without audits
    s = ss.spc.screen(frame, defectives="d", size="n", label="day", by="q")
    row = s.table.set_index("q").loc["a"]
    assert row["points"] == 27 and row["missing"] == 3
    assert s.table.set_index("q").loc["b", "missing"] == 0
    alone = ss.spc.p_chart(frame[frame.q == "a"], defectives="d", size="n", label="day",
                           rules="nelson")
    assert len(s.chart("a")) == len(alone) == 27
    assert s.chart({"q": "a"}).violations == alone.violations


def test_injected_shifts_rank_at_the_top():
    for seed in (0, 1, 2):
        ds = ss.datasets.generate_many_series(seed=seed)
        s = ss.spc.screen(ds.audits, defectives="errors", size="audited", label="day",
                          by=KEYS)
        assert len(s.table) == 240
        top = s.table.head(len(ds.truth) + 1)
        found = {tuple(r) for r in top[KEYS].itertuples(index=False)}
        for t in ds.truth:
            key = tuple(t["series"][k] for k in KEYS)
            if t["days_before_end"] >= 21:  # the three-week-old shift included
                assert key in found, (seed, t)
        three = next(t for t in ds.truth if t["days_before_end"] == 21)
        row = s.table.set_index(KEYS).loc[tuple(three["series"][k] for k in KEYS)]
        assert row["flagged"]
        assert abs(pd.Timestamp(row["change_at"]) - pd.Timestamp(three["start_day"])) \
            <= pd.Timedelta(days=7)


def test_null_scenarios_keep_the_fdr():
    runs, hits = 100, 0
    for seed in range(runs):
        ds = ss.datasets.generate_many_series(seed=1000 + seed, days=40, queues=2, policies=3,
                                              markets=5, shifts=0)
        s = ss.spc.screen(ds.audits, defectives="errors", size="audited", label="day",
                          by=KEYS, fdr=0.1)
        hits += bool(s.table["flagged"].any())
    # under the global null, BH keeps P(any flagged) <= fdr; allow simulation error
    assert hits / runs <= 0.1 + 2 * np.sqrt(0.1 * 0.9 / runs)


def test_target_adds_sigma_level_and_assurance(fifty):
    s = ss.spc.screen(fifty, defectives="errors", size="audited", label="day", by=KEYS,
                      target=0.2)
    assert set(s.table["assurance"]) <= {"pass", "hit_and_miss", "fail"}
    assert (s.table["assurance"] == "pass").any()
    for row in s.table.head(5).itertuples(index=False):
        chart = s.chart(tuple(getattr(row, k) for k in KEYS))
        assert row.assurance == ss.targets.assurance(chart, 0.2)


def test_forced_chart_and_recent(fifty):
    s = ss.spc.screen(fifty, defectives="errors", size="audited", label="day", by=KEYS,
                      chart="laney_p", recent=3)
    assert set(s.table["chart"]) == {"laney_p"}
    last3 = np.sort(fifty["day"].unique())[-3:]
    for row in s.table.itertuples(index=False):
        chart = s.chart(tuple(getattr(row, k) for k in KEYS))
        recent = np.isin(chart.labels[chart.violation_index], last3).any()
        assert row.recent_signal == recent


def test_bad_parameters(fifty):
    with pytest.raises(ParameterError, match="chart"):
        ss.spc.screen(fifty, defectives="errors", size="audited", label="day", by=KEYS,
                      chart="u")
    with pytest.raises(ParameterError, match="fdr"):
        ss.spc.screen(fifty, defectives="errors", size="audited", label="day", by=KEYS,
                      fdr=0)
    with pytest.raises(ParameterError, match="value="):
        ss.spc.screen(fifty, defectives="errors", value="errors", label="day", by=KEYS)
    with pytest.raises(ParameterError, match="count="):
        ss.spc.screen(fifty, defectives="errors", count="errors", label="day", by=KEYS)


def test_roundtrip(fifty):
    s = ss.spc.screen(fifty, defectives="errors", size="audited", label="day", by=KEYS,
                      target=0.05)
    d = s.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is ss.spc.Screen
    assert back.to_dict() == d


def test_values_screen_equals_imr(monkeypatch):
    rng = np.random.default_rng(5)
    days = pd.date_range("2026-01-01", periods=40)
    frames = []
    for site in range(12):
        x = rng.normal(100 + site, 5, days.size)
        if site == 3:
            x[25:] += 12  # a sustained shift
        frame = pd.DataFrame({"day": days, "site": f"s{site:02d}", "seconds": x})
        frames.append(frame.drop(index=rng.choice(40, 3, replace=False)))
    data = pd.concat(frames, ignore_index=True)
    from sixsigma.spc import variables

    def boom(*a, **k):
        raise AssertionError("screen called imr")

    with monkeypatch.context() as m:
        m.setattr(variables, "imr", boom)
        s = ss.spc.screen(data, value="seconds", label="day", by="site", target=130,
                          direction="lower")
    assert set(s.table["chart"]) == {"imr"}
    assert s.table["site"].iloc[0] == "s03" and s.table["flagged"].iloc[0]
    assert (s.table["assurance"] == "pass").all()
    for row in s.table.itertuples(index=False):
        own = data[data.site == row.site]
        alone = ss.spc.imr(own, value="seconds", label="day", rules="nelson").location
        got = s.chart(row.site)
        np.testing.assert_allclose(got.center, alone.center, rtol=1e-12)
        np.testing.assert_allclose(got.ucl, alone.ucl, rtol=1e-12)
        assert got.violations == alone.violations
        assert row.signals == np.unique(alone.violation_index).size
    dup = pd.concat([data, data.head(1)])
    with pytest.raises(ss.errors.OrderError, match="more than one row"):
        ss.spc.screen(dup, value="seconds", label="day", by="site")


def test_frozen_limits_from_a_previous_screen(monkeypatch):
    ds = ss.datasets.generate_many_series(seed=4, days=90, queues=2, policies=5, markets=5)
    a = ds.audits
    cut = a["day"].max() - pd.Timedelta(days=29)
    phase1, phase2 = a[a.day < cut], a[a.day >= cut]
    base = ss.spc.screen(phase1, defectives="errors", size="audited", label="day", by=KEYS)
    now = _screen_vectorised(phase2, monkeypatch, limits=base)
    assert len(now.table) == 50
    for row in now.table.itertuples(index=False):
        key = tuple(getattr(row, k) for k in KEYS)
        own = phase2[(phase2.queue == key[0]) & (phase2.policy == key[1])
                     & (phase2.market == key[2])]
        fn = ss.spc.laney_p if row.chart == "laney_p" else ss.spc.p_chart
        alone = fn(own, defectives="errors", size="audited", label="day", rules="nelson",
                   limits=base.chart(key))
        got = now.chart(key)
        assert got.chart == alone.chart
        np.testing.assert_allclose(got.center, alone.center, rtol=1e-12)
        np.testing.assert_allclose(got.ucl, alone.ucl, rtol=1e-12)
        assert got.violations == alone.violations
        assert row.signals == np.unique(alone.violation_index).size
    recent = [t for t in ds.truth if t["days_before_end"] <= 21]
    top = {tuple(r) for r in now.table.head(len(recent) + 1)[KEYS].itertuples(index=False)}
    for t in recent:
        assert tuple(t["series"][k] for k in KEYS) in top
    d = now.to_dict()
    json.dumps(d, allow_nan=False)
    assert ss.from_dict(d).to_dict() == d
    with pytest.raises(ParameterError, match="limits="):
        ss.spc.screen(phase2, defectives="errors", size="audited", label="day", by="queue",
                      limits=base)


def test_frozen_null_p_values_are_uniform():
    hits = 0
    runs = 60
    for seed in range(runs):
        ds = ss.datasets.generate_many_series(seed=500 + seed, days=60, queues=1, policies=3,
                                              markets=5, shifts=0)
        a = ds.audits
        cut = a["day"].min() + pd.Timedelta(days=40)
        base = ss.spc.screen(a[a.day < cut], defectives="errors", size="audited", label="day",
                             by=KEYS)
        now = ss.spc.screen(a[a.day >= cut], defectives="errors", size="audited", label="day",
                            by=KEYS, limits=base, fdr=0.1)
        hits += bool(now.table["flagged"].any())
    assert hits / runs <= 0.1 + 2 * np.sqrt(0.1 * 0.9 / runs)


# -- count=: u and Laney u' charts -----------------------------------------------------------

def _defect_series(seed: int = 5) -> pd.DataFrame:
    """24 series (6 queues x 4 policies), 40 days with gaps; odd queues overdispersed."""
    rng = np.random.default_rng(seed)
    rows = []
    days = pd.date_range("2026-01-01", periods=40)
    for q in range(6):
        for pol in range(4):
            for d in days[rng.random(40) > 0.1]:
                n = int(rng.integers(20, 200))
                lam = 0.8 * (rng.gamma(4, 0.25) if q % 2 else 1.0)
                rows.append((f"q{q}", f"p{pol}", d, int(rng.poisson(lam * n)), n))
    return pd.DataFrame(rows, columns=["queue", "policy", "day", "defects", "units"])


def _screen_u(data, monkeypatch, **kw):
    def boom(*a, **k):
        raise AssertionError("screen called a single-series chart function")

    with monkeypatch.context() as m:
        for name in ("u_chart", "laney_u", "_attribute", "_attribute_counts"):
            m.setattr(attributes, name, boom)
        m.setattr(ss.spc, "u_chart", boom)
        m.setattr(ss.spc, "laney_u", boom)
        return ss.spc.screen(data, count="defects", label="day", by=["queue", "policy"], **kw)


def _check_u(s: ss.spc.Screen, data: pd.DataFrame, **kw) -> set[str]:
    kinds = set()
    for row in s.table.itertuples(index=False):
        own = data[(data.queue == row.queue) & (data.policy == row.policy)]
        fn = ss.spc.laney_u if row.chart == "laney_u" else ss.spc.u_chart
        alone = fn(own, count="defects", size="units", label="day", rules="nelson", **kw)
        got = s.chart((row.queue, row.policy))
        kinds.add(row.chart)
        assert got.chart == alone.chart == row.chart
        np.testing.assert_array_equal(got.labels, alone.labels)
        np.testing.assert_allclose(got.center, alone.center, rtol=1e-12)
        np.testing.assert_allclose(got.lcl, alone.lcl, rtol=1e-12)
        np.testing.assert_allclose(got.ucl, alone.ucl, rtol=1e-12)
        assert got.violations == alone.violations
        assert row.signals == np.unique(alone.violation_index).size
        if "limits" not in kw:
            assert row.center == pytest.approx(alone.center[0], rel=1e-12)
            assert row.points == len(alone)
        if row.chart == "laney_u" and "limits" not in kw:
            assert row.sigma_z == pytest.approx(alone.stages[-1].extra["sigma_z"], rel=1e-12)
    return kinds


def test_count_screen_equals_u_and_laney_u(monkeypatch):
    data = _defect_series()
    s = _screen_u(data, monkeypatch, size="units")
    assert len(s.table) == 24 and s.count
    assert _check_u(s, data) == {"u", "laney_u"}
    assert any("Laney u'" in n for n in s.notes)
    d = s.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is ss.spc.Screen and back.to_dict() == d


def test_count_raw_rows_equal_counts(monkeypatch):
    data = _defect_series(seed=6).head(400)
    # one row per unit: each pre-counted row split into its units, the defects on the first
    raw = data.loc[data.index.repeat(data["units"])].reset_index(drop=True)
    first = np.r_[True, (raw[["queue", "policy", "day"]].to_numpy()[1:]
                         != raw[["queue", "policy", "day"]].to_numpy()[:-1]).any(axis=1)]
    raw["defects"] = np.where(first, raw["defects"], 0)
    a = _screen_u(raw.drop(columns="units"), monkeypatch)
    b = _screen_u(data, monkeypatch, size="units")
    pd.testing.assert_frame_equal(a.table, b.table)


def test_count_forced_chart_limits_and_errors(monkeypatch):
    data = _defect_series(seed=7)
    s = _screen_u(data, monkeypatch, size="units", chart="u", target=0.9)
    assert set(s.table["chart"]) == {"u"}
    assert "assurance" in s.table and "sigma_level" not in s.table
    cut = pd.Timestamp("2026-01-26")
    base = _screen_u(data[data.day < cut], monkeypatch, size="units")
    now = _screen_u(data[data.day >= cut], monkeypatch, size="units", limits=base)
    for row in now.table.itertuples(index=False):
        own = data[(data.day >= cut) & (data.queue == row.queue) & (data.policy == row.policy)]
        fn = ss.spc.laney_u if row.chart == "laney_u" else ss.spc.u_chart
        alone = fn(own, count="defects", size="units", label="day", rules="nelson",
                   limits=base.chart((row.queue, row.policy)))
        got = now.chart((row.queue, row.policy))
        np.testing.assert_allclose(got.ucl, alone.ucl, rtol=1e-12)
        assert got.violations == alone.violations
    with pytest.raises(ParameterError, match="chart="):
        ss.spc.screen(data, count="defects", size="units", label="day", by="queue",
                      chart="p")
    p_screen = ss.spc.screen(data.assign(d=np.minimum(data.defects, data.units)),
                             defectives="d", size="units", label="day", by=["queue", "policy"])
    with pytest.raises(ParameterError, match="limits="):
        ss.spc.screen(data, count="defects", size="units", label="day",
                      by=["queue", "policy"], limits=p_screen)
    bad = data.copy()
    bad.loc[5, "defects"] = -1
    with pytest.raises(ss.errors.DomainError, match="negative"):
        ss.spc.screen(bad, count="defects", size="units", label="day", by="queue")


# -- stage=: a change log applied to every series -------------------------------------------

@pytest.mark.parametrize("kind", ["defectives", "count"])
def test_staged_screen_equals_staged_chart(fifty, monkeypatch, kind):
    changes = pd.DataFrame({"date": [pd.Timestamp("2026-01-20"), pd.Timestamp("2026-02-01")],
                            "event": ["new guideline", "retraining"]})
    if kind == "defectives":
        data, col, fns = fifty, "errors", (ss.spc.p_chart, ss.spc.laney_p)
        s = _screen_vectorised(fifty, monkeypatch, stage=changes)
        by = KEYS
    else:
        data, col, fns = _defect_series(), "defects", (ss.spc.u_chart, ss.spc.laney_u)
        changes = changes.assign(date=[pd.Timestamp("2026-01-15"), pd.Timestamp("2026-01-28")])
        s = _screen_u(data, monkeypatch, size="units", stage=changes)
        by = ["queue", "policy"]
    size = "audited" if kind == "defectives" else "units"
    kinds = set()
    for row in s.table.itertuples(index=False):
        key = tuple(getattr(row, k) for k in by)
        mask = np.ones(len(data), dtype=bool)
        for k, v in zip(by, key, strict=True):
            mask &= (data[k] == v).to_numpy()
        own = data[mask].sort_values("day")
        fn = fns[1] if row.chart.startswith("laney") else fns[0]
        alone = fn(own, col, size, "day", rules="nelson", stage=changes)
        got = s.chart(key)
        kinds.add(row.chart)
        assert got.chart == alone.chart == row.chart
        assert [st.name for st in got.stages] == [st.name for st in alone.stages]
        assert len(alone.stages) == 3
        np.testing.assert_allclose(got.center, alone.center, rtol=1e-12)
        np.testing.assert_allclose(got.lcl, alone.lcl, rtol=1e-12)
        np.testing.assert_allclose(got.ucl, alone.ucl, rtol=1e-12)
        assert got.violations == alone.violations
        assert row.signals == np.unique(alone.violation_index).size
        assert row.center == pytest.approx(alone.stages[-1].center, rel=1e-12)
        if row.chart.startswith("laney"):
            assert row.sigma_z == pytest.approx(alone.stages[-1].extra["sigma_z"], rel=1e-12)
        if row.change_at is not None:  # the change point lies within the last stage
            assert pd.Timestamp(row.change_at) > changes["date"].max()
    assert len(kinds) == 2
    d = s.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is ss.spc.Screen and back.to_dict() == d
    with pytest.raises(ParameterError, match="stage="):
        ss.spc.screen(data, **{"count" if kind == "count" else "defectives": col}, size=size,
                      label="day", by=by, stage=changes, limits=s)


def test_staged_p_value_uses_the_last_stage_only():
    # a step exactly at the change-log date: explained by the stage, so no evidence of a shift
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-01-01", periods=60)
    rows = []
    for q in range(20):
        for i, d in enumerate(days):
            rate = 0.04 if i < 30 else 0.08
            rows.append((f"q{q}", d, int(rng.binomial(500, rate)), 500))
    data = pd.DataFrame(rows, columns=["queue", "day", "errors", "audited"])
    plain = ss.spc.screen(data, defectives="errors", size="audited", label="day", by="queue")
    staged = ss.spc.screen(data, defectives="errors", size="audited", label="day", by="queue",
                           stage={days[30]: "new policy"})
    assert plain.table["flagged"].all()
    assert not staged.table["flagged"].any()
    assert staged.table["center"].to_numpy() == pytest.approx(0.08, abs=0.01)
