"""Sigma metrics against the standard sigma conversion table and independent formulas.

The conversion table (with the 1.5 sigma shift) is the one printed in most Six Sigma
texts, e.g. Harry & Schroeder, *Six Sigma* (2000), and Breyfogle, *Implementing Six
Sigma*, 2nd ed. (2003), Table "Sigma quality level": 6 sigma = 3.4 DPMO, 5 = 233,
4 = 6,210, 3 = 66,807, 2 = 308,538, 1 = 691,462; without the shift 3.4 DPMO is 4.5 sigma.
Binomial intervals are checked against scipy.stats.binomtest(...).proportion_ci.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from sixsigma import from_dict
from sixsigma.capability import (
    dpmo_from_sigma,
    rolled_throughput_yield,
    sigma_level,
    sigma_metrics,
)
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError

TABLE = [(3.4, 6.0), (233, 5.0), (6_210, 4.0), (66_807, 3.0), (308_538, 2.0), (691_462, 1.0)]


@pytest.mark.parametrize(("dpmo", "sigma"), TABLE)
def test_conversion_table(dpmo, sigma):
    assert round(sigma_level(dpmo), 1) == sigma
    assert round(sigma_level(dpmo, shift=0), 1) == round(sigma - 1.5, 1)
    # and back: the table's DPMO to its printed precision
    assert dpmo_from_sigma(sigma) == pytest.approx(dpmo, rel=0.01)


def test_six_sigma_without_shift_is_4_5():
    assert round(sigma_level(3.4, shift=0.0), 1) == 4.5
    arr = sigma_level([3.4, 66_807])
    assert np.round(arr, 1).tolist() == [6.0, 3.0]


def test_metrics_by_formula():
    m = sigma_metrics(count=120, units=4_000, opportunities=3, defectives=110)
    assert m.dpu == 120 / 4_000
    assert m.dpo == 120 / 12_000
    assert m.dpmo == pytest.approx(10_000.0)
    assert m.fpy == 1 - 110 / 4_000 and m.fpy_method == "observed"
    assert m.z_bench == pytest.approx(stats.norm.ppf(1 - 0.01))
    assert m.sigma_level == pytest.approx(m.z_bench + 1.5)
    poisson = sigma_metrics(count=120, units=4_000)
    assert poisson.fpy == pytest.approx(math.exp(-0.03)) and poisson.fpy_method == "poisson"


@pytest.mark.parametrize("method", ["wilson", "exact"])
def test_interval_carried_to_sigma(method):
    m = sigma_metrics(count=37, units=1_500, interval=method, confidence=0.95)
    ci = stats.binomtest(37, 1_500).proportion_ci(0.95, method=method)
    assert m.intervals["dpo"] == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert m.intervals["sigma_level"] == pytest.approx(
        (stats.norm.isf(ci.high) + 1.5, stats.norm.isf(ci.low) + 1.5), rel=1e-9)
    assert m.intervals["sigma_level"][0] < m.sigma_level < m.intervals["sigma_level"][1]


def test_zero_defects_unbounded_sigma():
    m = sigma_metrics(count=0, units=500, interval="exact")
    assert m.intervals["dpo"][0] == 0.0 and math.isinf(m.intervals["sigma_level"][1])
    out = m.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["sigma_level"] is None
    assert out["intervals"]["sigma_level"]["__tuple__"][1] is None
    assert any("sigma_level" in n and "+inf" in n for n in m.notes)
    again = from_dict(json.loads(json.dumps(out)))
    assert again.sigma_level is None and again.notes == m.notes and again == m


def test_rolled_throughput_yield():
    steps = {"triage": 0.97, "review": 0.93, "qa": 0.99}
    r = rolled_throughput_yield(steps)
    assert r.rty == pytest.approx(0.97 * 0.93 * 0.99)
    assert r.normalized_yield == pytest.approx((0.97 * 0.93 * 0.99) ** (1 / 3))
    assert r.table["cumulative"].tolist() == pytest.approx([0.97, 0.97 * 0.93,
                                                            0.97 * 0.93 * 0.99])
    m = sigma_metrics(count=10, units=100, defectives=10)
    assert rolled_throughput_yield([m, 0.5]).rty == pytest.approx(0.45)
    json.dumps(r.to_dict(), allow_nan=False)


def test_bad_input():
    with pytest.raises(DomainError, match="count"):
        sigma_metrics(count=-1, units=10)
    with pytest.raises(DomainError, match="exceed"):
        sigma_metrics(count=11, units=10)
    with pytest.raises(DomainError, match="units"):
        sigma_metrics(count=1, units=0)
    with pytest.raises(DomainError, match="defectives"):
        sigma_metrics(count=2, units=10, defectives=3)
    with pytest.raises(DomainError, match="whole number"):
        sigma_metrics(count=1.5, units=10)
    with pytest.raises(ParameterError, match="interval"):
        sigma_metrics(count=1, units=10, interval="wald")  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="DPMO"):
        sigma_level(2e6)
    with pytest.raises(DomainError, match="yield"):
        rolled_throughput_yield([0.9, 1.2])
    with pytest.raises(InsufficientDataError):
        rolled_throughput_yield([])
