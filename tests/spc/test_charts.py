"""Charts on hand-computed cases, and the options every chart shares."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.constants import d2
from sixsigma.errors import ParameterError

# -- attribute charts -------------------------------------------------------------------


def test_np_chart_hand_computed():
    chart = ss.spc.np_chart({"d": [3, 5, 4, 6], "n": [100] * 4}, defectives="d", size="n")
    pbar = 18 / 400
    se = np.sqrt(100 * pbar * (1 - pbar))
    assert chart.center.tolist() == pytest.approx([4.5] * 4)
    assert chart.ucl[0] == pytest.approx(4.5 + 3 * se)
    assert np.isnan(chart.lcl).all()  # 4.5 - 6.2 < 0: absent
    assert chart.sigma == pytest.approx(np.sqrt(pbar * (1 - pbar)))


def test_np_chart_upper_limit_above_n_is_absent():
    chart = ss.spc.np_chart({"d": [1, 2, 1, 2], "n": [2, 3, 2, 3]}, defectives="d", size="n")
    assert np.isnan(chart.ucl).all()  # n p-bar + 3 se exceeds n everywhere


def test_p_chart_limits_vary_with_n():
    chart = ss.spc.p_chart({"d": [5, 20, 9], "n": [100, 400, 150]}, defectives="d", size="n")
    pbar = 34 / 650
    np.testing.assert_allclose(chart.ucl,
                               pbar + 3 * np.sqrt(pbar * (1 - pbar) / np.array([100, 400, 150])))


def test_laney_u_matches_direct_formula():
    c = np.array([50, 80, 45, 90, 60, 75, 66])
    n = np.array([100, 120, 90, 110, 100, 95, 105])
    chart = ss.spc.laney_u({"c": c, "n": n}, count="c", size="n")
    ubar = c.sum() / n.sum()
    se = np.sqrt(ubar / n)
    z = (c / n - ubar) / se
    sigma_z = np.abs(np.diff(z)).mean() / 1.128
    assert chart.stages[-1].extra["sigma_z"] == pytest.approx(sigma_z)
    np.testing.assert_allclose(chart.ucl, ubar + 3 * se * sigma_z)
    np.testing.assert_allclose(chart.se, se * sigma_z)


def test_laney_p_without_overdispersion_is_close_to_p():
    rng = np.random.default_rng(5)
    n = np.full(200, 1000)
    d = rng.binomial(n, 0.05)
    lp = ss.spc.laney_p({"d": d, "n": n}, defectives="d", size="n")
    assert 0.85 < lp.stages[-1].extra["sigma_z"] < 1.15


# -- rare events ------------------------------------------------------------------------


def test_g_chart_benneyan_limits():
    g = [120, 80, 200, 150, 90, 60, 310]
    chart = ss.spc.g_chart(g)
    m = np.mean(g)
    assert chart.center[0] == pytest.approx(m)
    assert chart.ucl[0] == pytest.approx(m + 3 * np.sqrt(m * (m + 1)))
    assert np.isnan(chart.lcl[0])


def test_t_chart_is_an_individuals_chart_of_the_transformed_times():
    t = np.array([5.0, 12.0, 3.5, 8.0, 20.0, 6.0, 9.5, 2.0, 15.0])
    chart = ss.spc.t_chart(t)
    y = t ** (1 / 3.6)
    sigma = np.abs(np.diff(y)).mean() / d2(2)
    assert chart.sigma == pytest.approx(sigma)
    assert chart.center[0] == pytest.approx(y.mean() ** 3.6)
    assert chart.ucl[0] == pytest.approx((y.mean() + 3 * sigma) ** 3.6)
    low = y.mean() - 3 * sigma
    assert (np.isnan(chart.lcl[0]) if low <= 0 else chart.lcl[0] == pytest.approx(low ** 3.6))


def test_t_chart_flags_a_long_gap():
    t = np.r_[np.full(20, 2.0) + np.tile([0.5, -0.5], 10), 60.0]
    chart = ss.spc.t_chart(t, rules="nelson_1")
    assert chart.violation_index.tolist() == [20]


# -- EWMA and CUSUM ---------------------------------------------------------------------


def _ewma_loop(x, lam, z0):
    out, z = [], z0
    for v in x:
        z = lam * v + (1 - lam) * z
        out.append(z)
    return np.array(out)


def test_ewma_recursion_and_exact_limits(rng):
    x = rng.normal(10, 2, 50)
    chart = ss.spc.ewma(x, lam=0.2, L=3.0, target=10.0, sigma=2.0)
    np.testing.assert_allclose(chart.statistic, _ewma_loop(x, 0.2, 10.0))
    t = np.arange(1, 51)
    half = 3 * 2.0 * np.sqrt(0.2 / 1.8 * (1 - 0.8 ** (2 * t)))
    np.testing.assert_allclose(chart.ucl - 10.0, half)
    np.testing.assert_allclose(10.0 - chart.lcl, half)
    steady = ss.spc.ewma(x, lam=0.2, target=10.0, sigma=2.0, steady_state=True)
    assert steady.ucl[0] == pytest.approx(10 + 3 * 2 * np.sqrt(0.2 / 1.8))


def test_ewma_estimates_from_subgroups(rng):
    x = rng.normal(0, 1, (30, 4))
    df = pd.DataFrame({"x": x.ravel(), "g": np.repeat(np.arange(30), 4)})
    chart = ss.spc.ewma(df, value="x", subgroup="g", lam=0.1)
    sigma = (np.ptp(x, axis=1) / d2(4)).mean()
    assert chart.sigma == pytest.approx(sigma)
    assert chart.center[0] == pytest.approx(x.mean())
    np.testing.assert_allclose(chart.statistic, _ewma_loop(x.mean(axis=1), 0.1, x.mean()))
    assert chart.se[-1] == pytest.approx(sigma / 2 * np.sqrt(0.1 / 1.9 * (1 - 0.9 ** 60)))


def test_ewma_lambda_one_is_the_shewhart_chart():
    x = np.array([1.0, 2, 1, 3, 2, 2, 9])
    chart = ss.spc.ewma(x, lam=1.0, target=2.0, sigma=1.0)
    np.testing.assert_allclose(chart.statistic, x)
    assert chart.violation_index.tolist() == [6]


def _cusum_loop(z, k, start):
    hi, lo, up, down = start, start, [], []
    for v in z:
        hi = max(0.0, hi + v - k)
        lo = max(0.0, lo - v - k)
        up.append(hi)
        down.append(lo)
    return np.array(up), np.array(down)


@pytest.mark.parametrize("fir", [False, True])
def test_cusum_matches_the_tabular_recursion(rng, fir):
    x = np.r_[rng.normal(0, 1, 40), rng.normal(1, 1, 40)]
    chart = ss.spc.cusum(x, k=0.5, h=5, target=0.0, sigma=1.0, fir=fir)
    up, down = _cusum_loop(x, 0.5, 2.5 if fir else 0.0)
    np.testing.assert_allclose(chart.upper, up, atol=1e-9)
    np.testing.assert_allclose(chart.lower, down, atol=1e-9)
    expected = sorted([(i, "cusum_upper") for i in np.flatnonzero(up > 5)]
                      + [(i, "cusum_lower") for i in np.flatnonzero(down > 5)])
    assert [(v.index, v.rule) for v in chart.violations] == expected
    assert chart.h == 5 and chart.k == 0.5


def test_cusum_standardises_subgroup_means(rng):
    x = rng.normal(5, 2, (20, 5))
    df = pd.DataFrame({"x": x.ravel(), "g": np.repeat(np.arange(20), 5)})
    chart = ss.spc.cusum(df, value="x", subgroup="g", target=5.0, sigma=2.0)
    z = (x.mean(axis=1) - 5.0) / (2.0 / np.sqrt(5))
    up, down = _cusum_loop(z, 0.5, 0.0)
    np.testing.assert_allclose(chart.upper, up, atol=1e-9)
    np.testing.assert_allclose(chart.lower, down, atol=1e-9)


def _first_signal_per_run(chart, runs, length):
    first = np.full(runs, length, dtype=float)
    run_of = chart.violation_index // length
    idx, pos = np.unique(run_of, return_index=True)
    first[idx] = chart.violation_index[pos] % length + 1
    return first


def test_ewma_and_cusum_in_control_arl():
    # Published in-control ARLs: EWMA lambda 0.2, L 3 (asymptotic limits) about 560
    # (Lucas & Saccucci 1990, Table 3); two-sided CUSUM k 0.5, h 5 about 465 (Montgomery,
    # 8th ed., Table 9.3). Each run restarts at a stage boundary.
    runs, length = 600, 6000
    x = np.random.default_rng(11).normal(size=runs * length)
    stage = np.repeat(np.arange(runs), length)
    e = ss.spc.ewma(x, lam=0.2, L=3.0, target=0.0, sigma=1.0, stage=stage, steady_state=True)
    c = ss.spc.cusum(x, k=0.5, h=5.0, target=0.0, sigma=1.0, stage=stage)
    assert _first_signal_per_run(e, runs, length).mean() == pytest.approx(560, rel=0.12)
    assert _first_signal_per_run(c, runs, length).mean() == pytest.approx(465, rel=0.12)


# -- run chart --------------------------------------------------------------------------


def test_run_chart_centre_is_the_median_and_anhoj_flags_a_shift():
    base = [3.0, 5.0] * 10
    chart = ss.spc.run_chart(base + [7.0] * 12)
    assert chart.center[0] == 5.0
    assert chart.sigma_method == "none" and np.isnan(chart.ucl).all()
    assert "anhoj_run" in set(chart.violation_rule.tolist())


# -- options: phases, stages, known standards, frozen limits, revision ---------------------


def test_known_standards_replace_the_estimates():
    x = [10.0, 11.0, 9.0, 10.5, 9.5]
    pair = ss.spc.imr(x, center=10.0, sigma=0.5)
    assert pair.location.ucl[0] == pytest.approx(11.5)
    assert pair.location.sigma_method == "known"
    assert pair.location.stages[0].source == "known"
    p = ss.spc.p_chart({"d": [5, 6], "n": [100, 100]}, defectives="d", size="n", center=0.1)
    assert p.ucl[0] == pytest.approx(0.1 + 3 * np.sqrt(0.09 / 100))


def test_phase1_count_and_mask_agree():
    x = np.r_[np.tile([10.0, 11.0, 10.5, 9.5], 5), [14.0, 15.0]]
    a = ss.spc.imr(x, phase1=20)
    b = ss.spc.imr(x, phase1=np.arange(22) < 20)
    assert a.location.ucl[0] == b.location.ucl[0]
    assert a.location.phase1.sum() == 20
    assert a.location.center[0] == pytest.approx(10.25)


def test_frozen_limits_reject_another_chart_type():
    p = ss.spc.p_chart({"d": [5, 6, 7], "n": [100] * 3}, defectives="d", size="n")
    with pytest.raises(ParameterError, match="limits= is a 'p' chart"):
        ss.spc.u_chart({"c": [5, 6, 7], "n": [100] * 3}, count="c", size="n", limits=p)


def test_stage_column_recomputes_limits_per_stage():
    df = pd.DataFrame({"d": [5, 6, 4, 5, 12, 14, 13, 11], "n": [100] * 8,
                       "period": ["before"] * 4 + ["after"] * 4})
    chart = ss.spc.p_chart(df, defectives="d", size="n", stage="period")
    assert [s.name for s in chart.stages] == ["before", "after"]
    assert chart.center[:4].tolist() == pytest.approx([0.05] * 4)
    assert chart.center[4:].tolist() == pytest.approx([0.125] * 4)
    assert chart.stage.tolist() == ["before"] * 4 + ["after"] * 4


def test_change_log_splits_the_series_at_its_dates():
    days = pd.date_range("2026-01-01", periods=10, freq="D")
    df = pd.DataFrame({"day": days, "d": [5, 6, 4, 5, 6, 12, 14, 13, 11, 12], "n": [100] * 10})
    log = pd.DataFrame({"date": ["2026-01-06"], "event": ["classifier v2"]})
    chart = ss.spc.p_chart(df, defectives="d", size="n", label="day", stage=log)
    assert [(s.name, s.start, s.stop) for s in chart.stages] == [("baseline", 0, 5),
                                                                  ("classifier v2", 5, 10)]
    assert chart.stages[1].center == pytest.approx(62 / 500)
    with pytest.raises(ParameterError, match="date or numeric labels"):
        ss.spc.p_chart(df.assign(day=[f"d{i}" for i in range(10)]), defectives="d",
                       size="n", label="day", stage=log)


def test_stages_break_runs():
    wiggle = np.tile([1.0, -1.0], 5)
    x = np.r_[wiggle, 5.0 + wiggle]
    whole = ss.spc.imr(x, rules=["nelson_2"])
    # 10 in a row below, then 10 above the overall mean 2.5
    assert whole.location.violation_index.tolist() == [8, 9, 18, 19]
    staged = ss.spc.imr(x, rules=["nelson_2"], stage=["a"] * 10 + ["b"] * 10)
    assert staged.location.in_control
    assert [s.center for s in staged.location.stages] == [0.0, 5.0]


def test_revise_records_what_it_dropped():
    x = np.r_[np.tile([10.0, 10.4, 9.6, 10.2, 9.8], 6), [30.0], np.tile([10.0, 10.3], 3)]
    pair = ss.spc.imr(x, revise=True)
    assert pair.location.excluded.tolist() == [30]
    assert pair.location.exclusion_reasons == ("beyond the limits (revision pass 1)",)
    assert pair.location.center[0] == pytest.approx(np.delete(x, 30).mean())


# -- raw records: grouped where the data live -------------------------------------------


@pytest.fixture
def raw_audits(rng):
    day = np.repeat(pd.date_range("2026-02-01", periods=12, freq="D").to_numpy(), 300)
    err = rng.random(day.size) < np.repeat(np.linspace(0.03, 0.08, 12), 300)
    return pd.DataFrame({"day": day, "is_error": err.astype(int)}).sample(frac=1, random_state=1)


def _expected_daily(raw):
    agg = raw.groupby("day").is_error.agg(["sum", "size"]).reset_index()
    return ss.spc.p_chart(agg, defectives="sum", size="size", label="day", rules="nelson")


def test_raw_records_pandas(raw_audits):
    got = ss.spc.p_chart(raw_audits, defectives="is_error", label="day", rules="nelson")
    want = _expected_daily(raw_audits)
    np.testing.assert_allclose(got.statistic, want.statistic)
    np.testing.assert_allclose(got.ucl, want.ucl)
    assert got.n.tolist() == [300.0] * 12
    assert got.labels.tolist() == want.labels.tolist()
    assert got.violations == want.violations


def test_raw_records_polars_and_duckdb(raw_audits):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    want = _expected_daily(raw_audits)
    frame = pl.from_pandas(raw_audits)
    for data in (frame, frame.lazy()):
        got = ss.spc.p_chart(data, defectives="is_error", label="day", rules="nelson")
        np.testing.assert_allclose(got.statistic, want.statistic)
    con = duckdb.connect()
    rel = con.from_df(raw_audits)
    got = ss.spc.laney_p(rel, defectives="is_error", label="day")
    agg = raw_audits.groupby("day").is_error.agg(["sum", "size"]).reset_index()
    ref = ss.spc.laney_p(agg, defectives="sum", size="size", label="day")
    np.testing.assert_allclose(got.ucl, ref.ucl)


def test_raw_records_boolean_and_u_chart():
    df = pd.DataFrame({"day": [1, 1, 2, 2, 2, 3, 3], "bad": [True, False, False, False, True,
                                                              True, True],
                       "defects": [0, 2, 1, 0, 0, 3, 1]})
    p = ss.spc.p_chart(df, defectives="bad", label="day")
    assert p.statistic.tolist() == pytest.approx([0.5, 1 / 3, 1.0])
    u = ss.spc.u_chart(df, count="defects", label="day")
    assert u.statistic.tolist() == pytest.approx([1.0, 1 / 3, 2.0])
    assert u.center[0] == pytest.approx(7 / 7)


# -- results ----------------------------------------------------------------------------


def test_results_are_read_only():
    chart = ss.spc.c_chart({"c": [4, 6, 5, 9]}, count="c")
    with pytest.raises(ValueError, match="read-only"):
        chart.ucl[0] = 1.0
    with pytest.raises(AttributeError):
        chart.sigma = 2.0  # type: ignore[misc]


def test_to_dict_is_strict_json_and_to_frame_is_tidy():
    days = pd.date_range("2026-01-01", periods=6, freq="D")
    df = pd.DataFrame({"day": days, "d": [1, 2, 1, 9, 1, 2], "n": [50] * 6})
    chart = ss.spc.p_chart(df, defectives="d", size="n", label="day", rules="nelson")
    text = json.dumps(chart.to_dict(), allow_nan=False)
    back = json.loads(text)
    assert back["lcl"]["data"][0] is None
    assert back["labels"]["data"][0] == "2026-01-01T00:00:00"
    assert back["violation_index"]["data"] == chart.violation_index.tolist()
    frame = chart.to_frame()
    assert list(frame.columns) == ["label", "statistic", "n", "center", "lcl", "ucl", "se",
                                   "stage", "phase1", "out_of_control", "rules"]
    assert frame.loc[3, "rules"] == "nelson_1" and frame.out_of_control.sum() == 1
    pair = ss.spc.imr([1.0, 2.0, 1.5, 3.0])
    assert set(pair.to_frame().chart) == {"I", "MR"}
    json.dumps(pair.to_dict(), allow_nan=False)


def test_repr_html_escapes_labels():
    df = pd.DataFrame({"q": ["<script>alert(1)</script>", "b", "c"], "c": [1, 2, 3]})
    html = ss.spc.c_chart(df, count="c", label="q")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_phase1_and_stage_columns_on_subgrouped_rows():
    from refdata import load

    rings = load("pistonrings").assign(trial=lambda d: d.phase.eq("trial"),
                                       period=lambda d: np.where(d.subgroup <= 20, "A", "B"))
    pair = ss.spc.xbar_r(rings, value="diameter_mm", subgroup="subgroup", phase1="trial",
                         stage="period")
    assert [(s.name, s.n_estimation) for s in pair.location.stages] == [("A", 20), ("B", 5)]
    with pytest.raises(ss.errors.InputError, match="must be the same for every row"):
        ss.spc.xbar_r(rings.assign(trial=rings.obs == 1), value="diameter_mm",
                      subgroup="subgroup", phase1="trial")
    with pytest.raises(ParameterError, match=r"phase1 column 'phase' must be boolean"):
        ss.spc.xbar_r(rings, value="diameter_mm", subgroup="subgroup", phase1="phase")


def test_chart_states_the_false_alarm_cost_of_its_rules():
    x = [1.0, 2.0, 1.5, 2.5, 1.0]
    assert ss.spc.imr(x).location.in_control_arl == pytest.approx(370.4, rel=0.01)
    assert ss.spc.imr(x, rules="nelson").location.in_control_arl == pytest.approx(73.8, rel=0.01)
    assert ss.spc.imr(x, rules="western_electric").location.in_control_arl == pytest.approx(
        91.75, rel=0.01)  # Champ & Woodall (1987)
    assert ss.spc.imr(x, rules=["nelson_1", "nelson_7"]).location.in_control_arl is None


def test_every_input_kind_gives_the_same_chart():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    cols = {"d": [3, 5, 4, 6, 2], "n": [100, 120, 90, 110, 100]}
    want = ss.spc.p_chart(pd.DataFrame(cols), defectives="d", size="n")
    for data in (cols, pa.table(cols), pl.DataFrame(cols), pl.DataFrame(cols).lazy()):
        got = ss.spc.p_chart(data, defectives="d", size="n")
        np.testing.assert_allclose(got.ucl, want.ucl)
    x = np.array([1.0, 2.0, 1.5, 3.0])
    ref = ss.spc.imr(x)
    for data in (x, x.tolist(), pd.Series(x), {"v": x}, pa.table({"v": x})):
        np.testing.assert_allclose(ss.spc.imr(data).location.ucl, ref.location.ucl)


def test_chart_registry_names_every_chart_function_by_its_command_line_kind():
    import inspect

    assert "CHARTS" in ss.spc.__all__
    cli_kinds = {"imr", "xbar_r", "xbar_s", "p", "np", "c", "u", "laney_p", "laney_u", "ewma",
                 "cusum", "run"}
    assert cli_kinds <= set(ss.spc.CHARTS)
    for kind, func in ss.spc.CHARTS.items():
        assert func is getattr(ss.spc, func.__name__), kind
        params = list(inspect.signature(func).parameters.values())
        assert params[0].name == "data"
        # data and its columns may be positional; every option is keyword-only
        columns = {"value", "subgroup", "defectives", "count", "size", "label"}
        for p in params[1:]:
            if p.kind is not p.KEYWORD_ONLY:
                assert p.name in columns, (kind, p.name)


def test_time_weighted_options_are_keyword_only():
    with pytest.raises(TypeError):
        ss.spc.ewma([1.0, 2.0, 3.0], None, None, 0.2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        ss.spc.cusum([1.0, 2.0, 3.0], None, None, 0.5)  # type: ignore[misc]
