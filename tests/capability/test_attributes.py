"""Binomial and Poisson capability (sixsigma.capability.binomial_capability / poisson_capability).

Expected values are hand computations with the formulas of Minitab's "Methods and formulas"
pages for Binomial and Poisson Capability Analysis: the average-P interval in its
F-distribution form (v1 = 2D, v2 = 2(N - D + 1), v3 = 2(D + 1), v4 = 2(N - D)), PPM and
%defective scaled from it, process Z = Phi^-1(1 - P) with the bounds mapped through it;
the DPU interval chi2(a/2, 2D)/2N, chi2(1 - a/2, 2(D + 1))/2N.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import sixsigma as ss
from sixsigma.capability import binomial_capability, poisson_capability
from sixsigma.errors import ColumnError, ParameterError, ZeroVarianceError

SMALL = {"d": [3, 5, 2, 4, 6, 1], "n": [100, 120, 90, 100, 110, 80]}


def _minitab_p_interval(d: float, n: float, conf: float) -> tuple[float, float]:
    a = 1 - conf
    v1, v2, v3, v4 = 2 * d, 2 * (n - d + 1), 2 * (d + 1), 2 * (n - d)
    f1 = stats.f.ppf(a / 2, v1, v2)
    f2 = stats.f.ppf(1 - a / 2, v3, v4)
    return v1 * f1 / (v2 + v1 * f1), v3 * f2 / (v4 + v3 * f2)


def test_binomial_by_hand():
    res = binomial_capability(SMALL, "d", "n")
    d, n = 21.0, 600.0
    assert res.p_bar == pytest.approx(d / n, rel=1e-15)
    assert res.percent_defective == pytest.approx(3.5, rel=1e-12)
    assert res.ppm == pytest.approx(35000.0, rel=1e-12)
    lo, hi = _minitab_p_interval(d, n, 0.95)
    assert res.intervals["p_bar"] == pytest.approx((lo, hi), rel=1e-9)
    assert res.intervals["percent_defective"] == pytest.approx((100 * lo, 100 * hi), rel=1e-9)
    assert res.intervals["ppm"] == pytest.approx((1e6 * lo, 1e6 * hi), rel=1e-9)
    assert res.z_bench == pytest.approx(1.8119106730, rel=1e-9)      # Phi^-1(0.965)
    assert res.intervals["z_bench"] == pytest.approx(
        (stats.norm.ppf(1 - hi), stats.norm.ppf(1 - lo)), rel=1e-9)
    assert res.samples == 6 and res.total_units == n and res.total_defectives == d


def test_binomial_chart_cumulative_and_rate_frame():
    res = binomial_capability(SMALL, "d", "n")
    chart = ss.spc.p_chart(SMALL, "d", "n")
    assert np.array_equal(res.chart.statistic, chart.statistic)
    assert np.array_equal(res.chart.ucl, chart.ucl)
    frame = res.to_frame()
    assert list(frame.columns) == ["label", "size", "count", "percent_defective",
                                   "cumulative_percent_defective"]
    cum = np.cumsum(SMALL["d"]) / np.cumsum(SMALL["n"]) * 100
    assert np.allclose(res.cumulative_percent_defective, cum)
    assert np.allclose(frame["size"], SMALL["n"])
    assert any("sample sizes vary" in n for n in res.notes)


def test_binomial_target_and_confidence():
    res = binomial_capability(SMALL, "d", "n", target=0.10, confidence=0.90)
    lo, hi = _minitab_p_interval(21, 600, 0.90)
    assert res.intervals["p_bar"] == pytest.approx((lo, hi), rel=1e-9)
    assert res.meets_target is True
    assert binomial_capability(SMALL, "d", "n", target=0.03).meets_target is False
    assert binomial_capability(SMALL, "d", "n").meets_target is None


def test_binomial_raw_records_match_aggregated():
    rows = {"day": [], "flag": []}
    for i, (d, n) in enumerate(zip(SMALL["d"], SMALL["n"], strict=True)):
        rows["day"] += [f"2026-01-0{i + 1}"] * n
        rows["flag"] += [1] * d + [0] * (n - d)
    raw = binomial_capability(rows, "flag", label="day")
    agg = binomial_capability(SMALL, "d", "n")
    assert raw.p_bar == agg.p_bar and raw.intervals == agg.intervals


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"target": 1.5}, "target"), ({"target": float("nan")}, "target"),
    ({"confidence": 1.0}, "confidence"), ({"confidence": 0}, "confidence"),
])
def test_binomial_bad_parameters(kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        binomial_capability(SMALL, "d", "n", **kwargs)


def test_binomial_bad_data():
    with pytest.raises(ColumnError, match="nope"):
        binomial_capability(SMALL, "nope", "n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ZeroVarianceError, match="binomial_capability: column 'd' holds no"):
            binomial_capability({"d": [0, 0, 0], "n": [10, 10, 10]}, "d", "n")


def test_poisson_by_hand():
    data = {"c": [14, 12, 20, 9], "n": [10, 8, 13, 7]}
    res = poisson_capability(data, "c", "n", target=2.0)
    d, n, k = 55.0, 38.0, 4
    assert res.dpu == pytest.approx(d / n, rel=1e-15)
    assert res.mean_defects == pytest.approx(d / k, rel=1e-15)
    lo = stats.chi2.ppf(0.025, 2 * d) / (2 * n)
    hi = stats.chi2.ppf(0.975, 2 * (d + 1)) / (2 * n)
    assert res.intervals["dpu"] == pytest.approx((lo, hi), rel=1e-12)
    assert res.intervals["mean_defects"] == pytest.approx((lo * n / k, hi * n / k), rel=1e-12)
    assert res.min_dpu == pytest.approx(9 / 7) and res.max_dpu == pytest.approx(20 / 13)
    assert res.meets_target is True and hi <= 2.0
    chart = ss.spc.u_chart(data, "c", "n")
    assert np.array_equal(res.chart.statistic, chart.statistic)
    assert np.allclose(res.cumulative_dpu, np.cumsum(data["c"]) / np.cumsum(data["n"]))
    with pytest.raises(ParameterError, match="'target'"):
        poisson_capability(data, "c", "n", target=-1)
    with pytest.raises(ParameterError, match="'target'"):
        poisson_capability(data, "c", "n", target=math.inf)


def test_daily_audits_report():
    audits = ss.datasets.load("daily_audits").audits
    res = binomial_capability(audits, "errors", "audited", "day")
    p = audits["errors"].sum() / audits["audited"].sum()
    assert res.p_bar == pytest.approx(p, rel=1e-12)
    assert res.kind == "binomial_capability"
    assert "% defective" in res.summary()
    assert poisson_capability(audits, "errors", "audited", "day").kind == "poisson_capability"
