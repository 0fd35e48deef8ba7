"""Allocation of an audit budget over classifier-score buckets."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sixsigma as ss
from sixsigma.errors import DomainError, ParameterError

BUCKETS = {"bucket": ["0-0.2", "0.2-0.8", "0.8-1"], "size": [90_000, 9_000, 1_000],
           "rate": [0.001, 0.05, 0.6]}


def test_neyman_on_expected_variance():
    a = ss.sampling.allocate_by_score(BUCKETS, 1000)
    w = np.array([0.9, 0.09, 0.01])
    p = np.array(BUCKETS["rate"])
    target = w * np.sqrt(p * (1 - p))
    target = 1000 * target / target.sum()
    assert a.table["n"].sum() == 1000
    assert np.abs(a.table["n"].to_numpy() - target).max() <= 1
    n = a.table["n"].to_numpy()
    big_n = np.array(BUCKETS["size"])
    var = np.sum(w**2 * p * (1 - p) / n * (big_n - n) / (big_n - 1))
    assert a.variance == pytest.approx(var, rel=1e-12)
    prev = float(np.sum(w * p))
    srs = prev * (1 - prev) / 1000 * (100_000 - 1000) / (100_000 - 1)
    assert a.srs_variance == pytest.approx(srs, rel=1e-12)
    assert a.gain == pytest.approx(srs / var, rel=1e-12) and a.gain > 3
    # Neyman is the optimum: moving audits between buckets never lowers the variance
    for shift in ([10, -10, 0], [0, 10, -10], [-10, 0, 10]):
        m = n + np.array(shift)
        assert np.sum(w**2 * p * (1 - p) / m * (big_n - m) / (big_n - 1)) >= var


def test_equal_rates_gain_about_one():
    a = ss.sampling.allocate_by_score(BUCKETS | {"rate": [0.05] * 3}, 1000)
    assert a.gain == pytest.approx(1.0, abs=0.01)


def test_views_weight_the_buckets():
    items = ss.sampling.allocate_by_score(BUCKETS, 1000)
    views = ss.sampling.allocate_by_score(BUCKETS | {"v": [1e6, 2e5, 1e5]}, 1000, views="v")
    assert views.measure == "views"
    assert views.table["n"].iloc[-1] > items.table["n"].iloc[-1]
    assert views.expected == pytest.approx((1e6 * 0.001 + 2e5 * 0.05 + 1e5 * 0.6) / 1.3e6)


def test_bad_inputs():
    with pytest.raises(DomainError, match=r"column 'rate'.*row 2"):
        ss.sampling.allocate_by_score(BUCKETS | {"rate": [0.1, 0.2, 1.0]}, 100)
    with pytest.raises(ParameterError, match="'budget' parameter"):
        ss.sampling.allocate_by_score(BUCKETS, 200_000)
    with pytest.raises(ParameterError, match="'budget' parameter"):
        ss.sampling.allocate_by_score(BUCKETS, 5, minimum=2)


def test_round_trip():
    a = ss.sampling.allocate_by_score(BUCKETS, 1000)
    d = a.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is ss.sampling.ScoreAllocation and back.to_dict() == d


def test_zero_rate_bucket_gets_the_minimum():
    a = ss.sampling.allocate_by_score(BUCKETS | {"rate": [0.0, 0.05, 0.6]}, 500, minimum=5)
    assert a.table["n"].iloc[0] == 5 and a.table["n"].sum() == 500
    assert any("expected rate of 0" in n for n in a.notes)
