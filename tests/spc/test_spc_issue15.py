"""Issue 15 (spc parts): EWMA on varying n, dispersion summaries, Laney sigma_z < 1, runs
about the median on g/t charts, ARL of nelson_8, staged summaries, rule parameters and
probability limits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss


def _alternating(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = np.tile([5, 10], 15)
    keys = np.repeat(np.arange(sizes.size), sizes)
    return pd.DataFrame({"g": keys, "x": rng.normal(50.0, 2.0, keys.size)})


def test_ewma_exact_limits_on_varying_sizes() -> None:
    data = _alternating()
    lam, L = 0.2, 3.0
    chart = ss.spc.ewma(data, value="x", subgroup="g", lam=lam, L=L)
    assert chart.conventions["ewma_limits"] == "exact"
    n = data.groupby("g").size().to_numpy().astype(float)
    sigma = chart.sigma
    # the direct sum: Var(z_t) = sigma^2 lam^2 sum_j (1-lam)^(2(t-j)) / n_j
    expect = np.empty(n.size)
    for t in range(n.size):
        total = sum((1 - lam) ** (2 * (t - j)) / n[j] for j in range(t + 1))
        expect[t] = sigma * lam * np.sqrt(total)
    np.testing.assert_allclose(chart.se, expect, rtol=1e-12)
    np.testing.assert_allclose(chart.ucl - chart.center, L * expect, rtol=1e-12)
    qcc = ss.spc.ewma(data, value="x", subgroup="g", lam=lam, L=L, varying_n="qcc")
    assert qcc.conventions["ewma_limits"] == "qcc"
    ratio = chart.se[-10:] / qcc.se[-10:]
    assert 0.15 < np.max(np.abs(ratio - 1)) < 0.18   # 15-18 % apart on alternating sizes
    assert any("qcc" in note for note in qcc.notes)
    back = ss.from_dict(json.loads(json.dumps(chart.to_dict(), allow_nan=False)))
    assert back.conventions == chart.conventions


def test_ewma_constant_sizes_unchanged() -> None:
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"g": np.repeat(np.arange(12), 4), "x": rng.normal(0, 1, 48)})
    a = ss.spc.ewma(data, value="x", subgroup="g")
    b = ss.spc.ewma(data, value="x", subgroup="g", varying_n="qcc")
    np.testing.assert_array_equal(a.se, b.se)


def test_dispersion_summaries_show_their_own_centre() -> None:
    x = [116.0, 118.5, 115.2, 117.9, 116.4, 114.8, 117.1, 116.0, 118.2, 115.5]
    pair = ss.spc.imr({"x": x}, value="x")
    mr_bar = float(np.mean(np.abs(np.diff(x))))
    assert f"center {mr_bar:.6g}," in pair.dispersion.summary()
    assert f"center {np.mean(x):.6g}," not in pair.dispersion.summary()
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"g": np.repeat(np.arange(10), 5), "x": rng.normal(100, 2, 50)})
    s = ss.spc.xbar_s(data, value="x", subgroup="g").dispersion
    assert f"center {s.center[0]:.6g}," in s.summary()


def test_staged_summary_and_payload_carry_each_stage() -> None:
    ds = ss.datasets.load("daily_audits")
    chart = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
                           stage=ds.changes)
    text = chart.summary()
    first, second = chart.stages
    assert f"center: {first.center:.6g} -> {second.center:.6g}" in text
    assert f"per-unit sigma (laney): {first.sigma:.6g} -> {second.sigma:.6g}" in text
    assert "sigma_z: " in text and " -> " in text.split("sigma_z: ")[1]
    payload = json.loads(json.dumps(chart.to_dict(), allow_nan=False))
    assert len(payload["stage"]) == len(chart)
    assert payload["stage"][0] == "baseline" and payload["stage"][-1] == second.name
    assert ss.from_dict(payload) == chart
    assert chart.to_frame()["stage"].iloc[-1] == second.name


def _sparse_audits(seed: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"d": rng.binomial(5, 0.04, 89), "n": np.full(89, 5)}


def test_laney_sigma_z_below_one_is_said_and_can_be_floored() -> None:
    data = _sparse_audits()
    chart = ss.spc.laney_p(data, "d", "n")
    sigma_z = chart.stages[-1].extra["sigma_z"]
    assert sigma_z < 1
    assert chart.parameters["sigma_z"] == sigma_z          # documented, was empty
    assert any("no overdispersion" in n and "p chart" in n for n in chart.notes)
    assert chart.conventions["sigma_z_floor"] == "none"
    floored = ss.spc.laney_p(data, "d", "n", sigma_z_floor=True)
    assert floored.conventions["sigma_z_floor"] == "1"
    assert floored.parameters["sigma_z"] == 1.0
    assert floored.stages[-1].extra["sigma_z_estimate"] == sigma_z
    p = ss.spc.p_chart(data, "d", "n")
    np.testing.assert_allclose(floored.ucl, p.ucl)
    big = ss.spc.laney_p({"d": [50, 80, 45, 90, 60, 75], "n": [1000] * 6}, "d", "n")
    assert not any("overdispersion" in n for n in big.notes)
    assert big.parameters["sigma_z"] == pytest.approx(3.484, abs=1e-3)
    u = ss.spc.laney_u({"c": data["d"], "n": data["n"]}, "c", "n", sigma_z_floor=True)
    assert u.conventions["sigma_z_floor"] == "1"
    with pytest.raises(ss.errors.ParameterError, match="sigma_z_floor"):
        ss.spc.laney_p(data, "d", "n", sigma_z_floor="yes")  # type: ignore[arg-type]


def test_probability_limits() -> None:
    from scipy import stats

    tail = 0.00135
    # c chart, c-bar = 4: P(X <= 10) = 0.99716 < 1 - tail <= P(X <= 11) = 0.99908
    c = ss.spc.c_chart({"d": [3, 5, 4, 6, 2, 4]}, "d", limits_method="probability")
    assert c.conventions["limits_method"] == "probability"
    assert c.ucl[0] == 11.0 and c.lcl[0] == 0.0
    assert stats.poisson.cdf(10, 4) < 1 - tail <= stats.poisson.cdf(11, 4)
    data = {"d": [3, 5, 4, 6, 2, 4], "n": [100, 120, 100, 90, 100, 100]}
    p = ss.spc.p_chart(data, "d", "n", limits_method="probability")
    pbar = 24 / 610
    n = np.array(data["n"])
    np.testing.assert_allclose(p.ucl, stats.binom.ppf(1 - tail, n, pbar) / n)
    np.testing.assert_allclose(p.lcl, stats.binom.ppf(tail, n, pbar) / n)
    np_ = ss.spc.np_chart(data, "d", "n", limits_method="probability")
    np.testing.assert_allclose(np_.ucl, stats.binom.ppf(1 - tail, n, pbar))
    u = ss.spc.u_chart({"c": [14, 12, 20], "n": [10, 8, 13]}, "c", "n",
                       limits_method="probability")
    ubar = 46 / 31
    np.testing.assert_allclose(u.ucl, stats.poisson.ppf(1 - tail, np.array([10, 8, 13]) * ubar)
                               / np.array([10, 8, 13]))
    assert ss.spc.p_chart(data, "d", "n").conventions["limits_method"] == "normal"
    with pytest.raises(ss.errors.ParameterError, match="limits_method"):
        ss.spc.p_chart(data, "d", "n", limits_method="exact")
    back = ss.from_dict(json.loads(json.dumps(p.to_dict(), allow_nan=False)))
    assert back == p


def test_rule_k_values_change_the_rule_and_the_stated_arl() -> None:
    from scipy import stats

    x = np.array([0.5, -0.2, 0.3, 0.4, 0.2, 0.6, 0.1, 0.3, 0.2, -0.4] * 3)
    default = ss.spc.imr({"x": x}, value="x", rules=["nelson_2"], center=0.0, sigma=1.0)
    seven = ss.spc.imr({"x": x}, value="x", rules={"nelson_2": 7}, center=0.0, sigma=1.0)
    # a run of 8 above the centre (rows 2-9 ... rows 11-19): K = 7 fires, K = 9 does not
    assert default.location.violation_index.size == 0
    assert seven.location.violation_index.size > 0
    first = int(seven.location.violation_index[0])
    assert first == 8   # rows 2..8 are the first 7 in a row above 0
    loc = seven.location
    assert loc.parameters["K.nelson_2"] == 7.0
    # 7 in a row on one side of a fair coin: exact ARL 2**7 - 1 = 127
    assert loc.in_control_arl == pytest.approx(127, rel=0.08)
    assert any("K values nelson_2=7" in n for n in loc.notes)
    # 6 in a row beyond 1 sigma: (q**-6 - 1) / (1 - q), q = P(|Z| > 1)
    q = 2 * stats.norm.sf(1)
    exact8 = (q**-6 - 1) / (1 - q)
    assert exact8 == pytest.approx(1433.6, abs=0.1)
    arl8 = ss.spc.in_control_arl({"nelson_8": 6}, runs=1000, seed=1)
    assert arl8 == pytest.approx(exact8, rel=0.1)
    # 3 of 4 beyond 2 sigma
    y = np.array([0.0, 2.5, 0.1, 2.4, 2.6, 0.0])
    r5 = ss.spc.imr({"y": y}, value="y", rules={"nelson_5": 3}, center=0.0, sigma=1.0)
    assert r5.location.violation_index.tolist() == [4]
    with pytest.raises(ss.errors.ParameterError, match="K value of rule 'nelson_2'"):
        ss.spc.imr({"x": x}, value="x", rules={"nelson_2": 1})
    with pytest.raises(ss.errors.ParameterError, match="nsigmas"):
        ss.spc.imr({"x": x}, value="x", rules={"nelson_1": 2})
    back = ss.from_dict(json.loads(json.dumps(loc.to_dict(), allow_nan=False)))
    assert back == loc and back.in_control_arl == loc.in_control_arl


def test_g_and_t_chart_runs_about_the_median() -> None:
    rng = np.random.default_rng(3)
    g = rng.geometric(1 / 21, 60) - 1.0
    # a run of 9 points between the median and the mean: a run below the mean, not a run
    # below (or above) the median
    med = float(np.median(g))
    mean = float(g.mean())
    assert med < mean
    g[20:29] = np.floor((med + mean) / 2)
    chart = ss.spc.g_chart({"g": g}, value="g", rules=["nelson_2"])
    assert chart.conventions["runs_about"] == "median"
    assert chart.stages[-1].extra["median"] == float(np.median(g))
    mid = chart.stages[-1].extra["median"]
    # nelson_2 fired exactly where 9 in a row sit on one side of the median
    from sixsigma.spc.rules import find_violations

    expect, _ = find_violations(g, mid, chart.se, chart.lcl, chart.ucl, ("nelson_2",))
    assert chart.violation_index.tolist() == expect.tolist()
    about_mean, _ = find_violations(g, chart.center, chart.se, chart.lcl, chart.ucl,
                                    ("nelson_2",))
    assert about_mean.size > expect.size  # about the mean the run of 9 signals
    # the ARL stated: about the median nelson_2 is near 2**9 - 1 (ties break runs), about
    # the mean of a skewed count far lower (about 190, issue 15)
    assert chart.in_control_arl is not None and chart.in_control_arl > 300
    assert any("about the median" in n and "in-control ARL" in n for n in chart.notes)
    rule1 = ss.spc.g_chart({"g": g}, value="g")
    keep = 1 - 1 / (rule1.center[0] + 1)
    exact = 1 / keep ** (np.floor(rule1.ucl[0]) + 1)
    assert rule1.in_control_arl == pytest.approx(exact, abs=0.05)
    t = rng.weibull(1.5, 50) * 10
    tc = ss.spc.t_chart({"t": t}, value="t", rules="nelson")
    assert tc.conventions["runs_about"] == "median"
    assert tc.stages[-1].extra["median"] == pytest.approx(float(np.median(t)))
    assert any("about the median" in n for n in tc.notes)
    back = ss.from_dict(json.loads(json.dumps(chart.to_dict(), allow_nan=False)))
    assert back == chart
