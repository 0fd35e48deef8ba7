"""The weighted p chart (ss.spc.weighted_p): design-based daily rates, limits at the centre."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import DomainError, MissingValueError, ZeroVarianceError


def _audits(seed: int = 1, days: int = 30, per_day: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = days * per_day
    stratum = rng.choice(["low", "high"], size=n, p=[0.7, 0.3])
    weight = np.where(stratum == "low", 20.0, 2.0)
    rate = np.where(stratum == "low", 0.02, 0.15)
    return pd.DataFrame({
        "day": pd.Timestamp("2026-01-01") + pd.to_timedelta(np.repeat(np.arange(days), per_day),
                                                            unit="D"),
        "stratum": stratum,
        "w": weight,
        "error": (rng.random(n) < rate).astype(int),
    })


def test_equal_weights_one_stratum_is_the_p_chart() -> None:
    a = _audits()
    a["w"] = 3.0
    w = ss.spc.weighted_p(a, "error", "w", label="day", rules="nelson")
    p = ss.spc.p_chart(a, "error", label="day", rules="nelson")
    np.testing.assert_allclose(w.statistic, p.statistic, rtol=1e-12)
    np.testing.assert_allclose(w.center, p.center, rtol=1e-12)
    np.testing.assert_allclose(w.se, p.se, rtol=1e-12)
    np.testing.assert_allclose(w.ucl, p.ucl, rtol=1e-12)
    np.testing.assert_allclose(w.lcl, p.lcl, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(w.violation_index, p.violation_index)
    assert w.sigma == pytest.approx(p.sigma)
    # a stratum column with one stratum changes nothing
    a["one"] = "x"
    s = ss.spc.weighted_p(a, "error", "w", label="day", strata="one")
    np.testing.assert_allclose(s.ucl, w.ucl, rtol=1e-12)


def test_design_based_rates_and_kish_limits() -> None:
    a = _audits()
    w = ss.spc.weighted_p(a, "error", "w", label="day")
    by_day = a.assign(wy=a.w * a.error).groupby("day")
    np.testing.assert_allclose(w.statistic, (by_day.wy.sum() / by_day.w.sum()).to_numpy())
    pbar = (a.w * a.error).sum() / a.w.sum()
    assert w.center[0] == pytest.approx(pbar)
    kish = by_day.w.sum() ** 2 / (a.assign(w2=a.w ** 2).groupby("day").w2.sum())
    np.testing.assert_allclose(w.se, np.sqrt(pbar * (1 - pbar) / kish.to_numpy()))
    # the weighted centre differs from the raw audit rate: low-rate strata weigh more
    assert pbar < a.error.mean()


def test_stratified_limits_use_stratum_centres() -> None:
    a = _audits()
    w = ss.spc.weighted_p(a, "error", "w", label="day", strata="stratum")
    ph = {s: (g.w * g.error).sum() / g.w.sum() for s, g in a.groupby("stratum")}
    assert w.stages[0].extra["stratum:low"] == pytest.approx(ph["low"])
    day0 = a[a.day == a.day.min()]
    var = sum(ph[s] * (1 - ph[s]) * (g.w ** 2).sum() for s, g in day0.groupby("stratum"))
    assert w.se[0] == pytest.approx(np.sqrt(var) / day0.w.sum())
    unstratified = ss.spc.weighted_p(a, "error", "w", label="day")
    assert (w.se < unstratified.se).mean() > 0.9   # stratification buys precision


def test_error_free_days_keep_limits() -> None:
    a = _audits()
    a.loc[a.day == a.day.max(), "error"] = 0
    w = ss.spc.weighted_p(a, "error", "w", label="day", strata="stratum")
    assert w.statistic[-1] == 0
    assert w.se[-1] > 0 and w.ucl[-1] > w.center[-1] + 1e-6


def test_phase1_stage_and_frozen_limits() -> None:
    a = _audits(days=40)
    late = a.day >= a.day.min() + pd.Timedelta(days=30)
    a.loc[late, "error"] = (np.random.default_rng(5).random(late.sum()) < 0.4).astype(int)
    p1 = ss.spc.weighted_p(a, "error", "w", label="day", phase1=30)
    assert p1.phase1.sum() == 30 and p1.stages[0].n_estimation == 30
    assert set(p1.violation_index.tolist()) >= set(range(30, 40))
    base = a[a.day < a.day.min() + pd.Timedelta(days=30)]
    frozen = ss.spc.weighted_p(base, "error", "w", label="day")
    p2 = ss.spc.weighted_p(a, "error", "w", label="day", limits=frozen)
    assert p2.stages[0].source == "frozen"
    assert p2.center[0] == pytest.approx(frozen.center[0])
    np.testing.assert_allclose(p2.center, p1.center)
    a["period"] = np.where(a.day >= a.day.min() + pd.Timedelta(days=30), "after", "before")
    st = ss.spc.weighted_p(a, "error", "w", label="day", stage="period")
    assert [s.name for s in st.stages] == ["before", "after"]
    assert st.stages[-1].center > 0.3 > st.stages[0].center
    with pytest.raises(ss.errors.ParameterError):
        ss.spc.weighted_p(a, "error", "w", label="day", limits=ss.spc.p_chart(
            a, "error", label="day"))


def test_zero_width_and_bad_input() -> None:
    a = _audits(days=5)
    a["error"] = 0
    with pytest.raises(ZeroVarianceError):
        ss.spc.weighted_p(a, "error", "w", label="day")
    b = _audits(days=5)
    b.loc[3, "w"] = 0.0
    with pytest.raises(DomainError, match="row 3"):
        ss.spc.weighted_p(b, "error", "w", label="day")
    b.loc[3, "w"] = np.nan
    with pytest.raises(MissingValueError):
        ss.spc.weighted_p(b, "error", "w", label="day")


def test_true_centre_and_round_trip() -> None:
    a = _audits()
    a["w"] = 1.0
    c = {"sensitivity": 0.9, "specificity": 0.97}
    w = ss.spc.weighted_p(a, "error", "w", label="day", correct=c)
    r = ss.msa.corrected_rate(int(a.error.sum()), len(a), 0.9, 0.97)
    assert w.parameters["true_center"] == pytest.approx(r.rate)
    assert w.parameters["true_ci_low"] == pytest.approx(r.ci[0])
    assert w.parameters["true_ci_high"] == pytest.approx(r.ci[1])
    d = w.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is type(w) and back.to_dict() == d


def test_lazy_duckdb_matches_pandas() -> None:
    duckdb = pytest.importorskip("duckdb")
    a = _audits()
    rel = duckdb.from_df(a)
    lazy = ss.spc.weighted_p(rel, "error", "w", label="day", strata="stratum")
    eager = ss.spc.weighted_p(a, "error", "w", label="day", strata="stratum")
    np.testing.assert_allclose(lazy.statistic, eager.statistic)
    np.testing.assert_allclose(lazy.ucl, eager.ucl)
