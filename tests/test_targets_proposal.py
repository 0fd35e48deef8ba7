"""ss.targets: assurance against process limits, entitlement, probability of meeting."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import InsufficientDataError, ParameterError


def _chart(rate: float, n: int = 400, days: int = 30, seed: int = 0):
    rng = np.random.default_rng(seed)
    d = rng.binomial(n, rate, days)
    return ss.spc.p_chart({"d": d, "n": [n] * days}, defectives="d", size="n")


@pytest.mark.parametrize(("target", "direction", "expected"), [
    (0.20, "lower", "pass"),           # limits wholly below a ceiling
    (0.01, "lower", "fail"),           # limits wholly above it
    (0.05, "lower", "hit_and_miss"),   # straddling
    (0.01, "higher", "pass"),          # limits wholly above a floor
    (0.20, "higher", "fail"),          # wholly below it
    (0.05, "higher", "hit_and_miss"),
])
def test_assurance_constructed(target, direction, expected):
    chart = _chart(0.05)
    lo, hi = float(chart.lcl[0]), float(chart.ucl[0])
    assert 0.01 < lo < 0.05 < hi < 0.2
    assert ss.targets.assurance(chart, target, direction=direction) == expected


def test_assurance_at_the_limit_and_without_lower_limit():
    chart = _chart(0.05)
    assert ss.targets.assurance(chart, float(chart.ucl[0])) == "pass"
    low = _chart(0.01, n=100)
    assert np.isnan(low.lcl[0])  # no lower limit: never wholly above a floor
    assert ss.targets.assurance(low, 0.0001) == "hit_and_miss"
    with pytest.raises(ParameterError, match="direction"):
        ss.targets.assurance(chart, 0.1, direction="up")


def _segments(seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    days = pd.date_range("2026-01-01", periods=60)
    rates = {"a": 0.04, "b": 0.05, "c": 0.06, "d": 0.045}
    for seg, p in rates.items():
        n = rng.poisson(300, days.size)
        rows.append(pd.DataFrame({"day": days, "seg": seg, "n": n, "d": rng.binomial(n, p)}))
    # a tiny segment with no errors at all: it must never set the entitlement
    rows.append(pd.DataFrame({"day": days[:5], "seg": "tiny", "n": 4, "d": 0}))
    return pd.concat(rows, ignore_index=True)


def test_entitlement_ignores_small_segments():
    data = _segments()
    tp = ss.targets.propose(data, "d", size="n", label="day", by="seg", min_n=30)
    seg = tp.segments.set_index("seg")
    assert not seg.loc["tiny", "eligible"] and seg.loc["tiny", "rate"] == 0
    assert tp.entitlement == pytest.approx(seg.loc[seg["eligible"], "shrunk"].min())
    assert tp.entitlement > 0.03  # near segment a (0.04), not the tiny segment's 0
    assert tp.entitlement < tp.stretch < tp.baseline
    assert tp.ci[0] < tp.baseline < tp.ci[1]
    lo, hi = tp.process_limits
    assert lo is not None and hi is not None and lo < tp.baseline < hi
    # with min_n=0 every segment is eligible, but shrinkage still pulls "tiny" towards the
    # mean: its 0 errors in 20 units do not make an entitlement of 0
    loose = ss.targets.propose(data, "d", size="n", label="day", by="seg", min_n=0)
    assert loose.entitlement > 0.02
    with pytest.raises(InsufficientDataError):
        ss.targets.propose(data, "d", size="n", label="day", by="seg", min_n=10**9)


def test_higher_is_better():
    data = _segments()
    tp = ss.targets.propose(data, "d", size="n", label="day", by="seg", direction="higher")
    assert tp.entitlement > tp.stretch > tp.baseline
    assert tp.probability(0.0) == pytest.approx(1.0)


def test_probability_matches_resampling_recent_days():
    rng = np.random.default_rng(7)
    days = 730
    n = rng.poisson(800, days)
    p = np.clip(0.05 * np.exp(rng.normal(0, 0.2, days)), 0, 1)  # overdispersed
    d = rng.binomial(n, p)
    data = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=days), "n": n, "d": d})
    tp = ss.targets.propose(data, "d", size="n", label="day")
    assert tp.chart == "laney_p" and tp.sigma_z > 1.2
    recent = data  # the proposal's own window: the days it was computed from
    pick = rng.integers(0, len(recent), size=(40_000, 7))
    week = recent["d"].to_numpy()[pick].sum(1) / recent["n"].to_numpy()[pick].sum(1)
    volume = 7 * recent["n"].mean()
    for target in (0.046, 0.05, 0.052, 0.055):
        simulated = float(np.mean(week <= target))
        assert tp.probability(target, period_volume=volume) == pytest.approx(simulated,
                                                                              abs=0.01)
    assert set(tp.candidates["target"]) == {"baseline", "stretch", "entitlement"}


def test_roundtrip():
    tp = ss.targets.propose(_segments(), "d", size="n", label="day", by="seg")
    d = tp.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is ss.targets.TargetProposal
    assert back.to_dict() == d
    assert back.probability(0.05) == tp.probability(0.05)
