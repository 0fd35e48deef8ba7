"""one_sample and equivalence (TOST), against scipy and statsmodels."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.weightstats import ttost_ind

import sixsigma as ss
import sixsigma.hypothesis as hy
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
    ZeroVarianceError,
)


def _accuracy() -> pd.DataFrame:
    return pd.DataFrame({"correct": [1] * 486 + [0] * 14})


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_one_sample_rate_is_scipy_binomtest(alternative: str) -> None:
    r = hy.one_sample(_accuracy(), "correct", target=0.95, alternative=alternative)
    want = stats.binomtest(486, 500, 0.95, alternative=alternative)   # oracle: scipy
    ci = want.proportion_ci(confidence_level=0.95, method="exact")
    assert r.test == "binomial_exact"
    assert r.p_value == pytest.approx(want.pvalue, rel=1e-12)
    assert r.ci == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert r.estimate == pytest.approx(0.972)
    assert r.effect == pytest.approx(0.972 - 0.95)


def test_one_sample_rate_codings_agree() -> None:
    base = hy.one_sample(_accuracy(), "correct", target=0.95, alternative="greater")
    text = _accuracy().assign(correct=lambda d: np.where(d["correct"] == 1, "ok", "error"))
    r = hy.one_sample(text, "correct", target=0.95, alternative="greater", event="ok")
    counts = pd.DataFrame({"ok": [300, 186], "audited": [310, 190]})
    c = hy.one_sample(counts, defectives="ok", size="audited", target=0.95,
                      alternative="greater")
    assert r.p_value == base.p_value == c.p_value
    assert r.event == "ok" and c.n == 500
    # the rarer text level is counted by default: the error rate
    e = hy.one_sample(text, "correct", target=0.05, alternative="less")
    assert e.event == "error" and e.p_value == pytest.approx(base.p_value, rel=1e-12)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_one_sample_t_is_scipy(alternative: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(310, 40, 60)
    r = hy.one_sample(x, target=300, alternative=alternative)
    want = stats.ttest_1samp(x, 300, alternative=alternative)          # oracle: scipy
    ci = want.confidence_interval(0.95)
    assert r.test == "one_sample_t" and r.df == 59
    assert r.statistic == pytest.approx(want.statistic, rel=1e-12)
    assert r.p_value == pytest.approx(want.pvalue, rel=1e-12)
    for got, end in zip(r.ci, (ci.low, ci.high), strict=True):
        assert got is None if not np.isfinite(end) else got == pytest.approx(end, rel=1e-12)
    assert r.effect == pytest.approx((x.mean() - 300) / x.std(ddof=1))
    json.dumps(r.to_dict(), allow_nan=False)


def test_one_sample_bad_inputs() -> None:
    with pytest.raises(ParameterError, match="'target'"):
        hy.one_sample(_accuracy(), "correct", target=1.2)
    with pytest.raises(ParameterError, match="'target'"):
        hy.one_sample([1.0, 2.0, 3.0], target=float("nan"))
    with pytest.raises(ParameterError, match="'alternative'"):
        hy.one_sample(_accuracy(), "correct", target=0.9, alternative="larger")
    with pytest.raises(MissingValueError, match="row 1"):
        hy.one_sample(pd.DataFrame({"v": [1.0, "n/a", 3.0]}), "v", target=2)
    with pytest.raises(DomainError, match="row 2"):
        hy.one_sample([1.0, 2.0, np.inf], target=2)
    with pytest.raises(ZeroVarianceError, match="no variation"):
        hy.one_sample([5.0, 5.0, 5.0, 5.0], target=2)
    with pytest.raises(ParameterError, match="'value'"):
        hy.one_sample(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), target=2)


def _two_means(shift: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame({"site": ["A"] * 50 + ["B"] * 50,
                         "seconds": np.r_[rng.normal(60, 8, 50), rng.normal(60 + shift, 9, 50)]})


@pytest.mark.parametrize(("shift", "margin"), [(1.0, 5.0), (1.0, 2.0), (6.0, 5.0),
                                               (0.0, (-3.0, 4.0))])
def test_tost_means_is_statsmodels(shift: float, margin: object) -> None:
    df = _two_means(shift)
    r = hy.equivalence(df, "seconds", "site", margin=margin)
    a = df.loc[df.site == "A", "seconds"].to_numpy()
    b = df.loc[df.site == "B", "seconds"].to_numpy()
    low, upp = (-margin, margin) if isinstance(margin, float) else margin
    p, lower, upper = ttost_ind(a, b, low, upp, usevar="unequal")    # oracle: statsmodels
    assert r.test == "tost_welch_t" and r.margin == (low, upp)
    assert r.p_value == pytest.approx(p, rel=1e-10)
    assert (r.statistic_lower, r.p_lower, r.df) == pytest.approx(lower, rel=1e-10)
    assert (r.statistic_upper, r.p_upper) == pytest.approx(upper[:2], rel=1e-10)
    assert r.equivalent == (p <= 0.05)
    # the 90 % interval lies inside the margin exactly when TOST finds equivalence
    assert r.equivalent == (low < r.ci[0] and r.ci[1] < upp)


@pytest.mark.parametrize(("counts", "margin"), [((420, 500, 410, 500), 0.05),
                                                ((420, 500, 380, 500), 0.05),
                                                ((90, 100, 170, 200), (-0.08, 0.1))])
def test_tost_rates_is_statsmodels(counts: tuple[int, int, int, int], margin: object) -> None:
    x1, n1, x2, n2 = counts
    df = pd.DataFrame({"g": ["a"] * n1 + ["b"] * n2,
                       "ok": [1] * x1 + [0] * (n1 - x1) + [1] * x2 + [0] * (n2 - x2)})
    r = hy.equivalence(df, "ok", "g", margin=margin)
    low, upp = (-margin, margin) if isinstance(margin, float) else margin
    want = smp.tost_proportions_2indep(x1, n1, x2, n2, low, upp, method="wald",
                                   compare="diff", correction=False)  # oracle: statsmodels
    assert r.test == "tost_two_proportion_z"
    assert r.p_value == pytest.approx(want.pvalue, rel=1e-10)
    assert r.difference == pytest.approx(x1 / n1 - x2 / n2)
    lo1 = smp.test_proportions_2indep(x1, n1, x2, n2, value=low, method="wald", compare="diff",
                                  alternative="larger", correction=False)
    up1 = smp.test_proportions_2indep(x1, n1, x2, n2, value=upp, method="wald", compare="diff",
                                  alternative="smaller", correction=False)
    assert (r.statistic_lower, r.p_lower) == pytest.approx((lo1.statistic, lo1.pvalue),
                                                           rel=1e-10)
    assert (r.statistic_upper, r.p_upper) == pytest.approx((up1.statistic, up1.pvalue),
                                                           rel=1e-10)
    counted = pd.DataFrame({"g": ["a", "b"], "ok": [x1, x2], "n": [n1, n2]})
    c = hy.equivalence(counted, group="g", defectives="ok", size="n", margin=margin)
    assert c.p_value == r.p_value and c.equivalent == r.equivalent


def test_equivalence_order_and_polars() -> None:
    df = _two_means()
    ab = hy.equivalence(df, "seconds", "site", margin=5)
    ba = hy.equivalence(pl.from_pandas(df), "seconds", "site", margin=5, order=("B", "A"))
    assert (ba.first, ba.second) == ("B", "A")
    assert ba.difference == pytest.approx(-ab.difference)
    assert ba.p_value == pytest.approx(ab.p_value, rel=1e-12)


def test_equivalence_bad_inputs() -> None:
    df = _two_means()
    for margin in (0, -1, float("nan"), (1, 2), (-1, float("inf"))):
        with pytest.raises(ParameterError, match="'margin'"):
            hy.equivalence(df, "seconds", "site", margin=margin)
    with pytest.raises(ParameterError, match="'alpha'"):
        hy.equivalence(df, "seconds", "site", margin=1, alpha=0.7)
    three = pd.concat([df, pd.DataFrame({"site": ["C"], "seconds": [1.0]})])
    with pytest.raises(InsufficientDataError, match="exactly two"):
        hy.equivalence(three, "seconds", "site", margin=1)
    with pytest.raises(ParameterError, match="'order'"):
        hy.equivalence(df, "seconds", "site", margin=1, order=("A", "Z"))
    bad = df.astype({"seconds": object})
    bad.loc[3, "seconds"] = "n/a"
    with pytest.raises(MissingValueError, match="row 3"):
        hy.equivalence(bad, "seconds", "site", margin=1)


def test_round_trip_and_no_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = [
            hy.one_sample(_accuracy(), "correct", target=0.95, alternative="greater"),
            hy.one_sample(np.r_[1.0, 2.0, 4.0, 3.5], target=2, alternative="less"),
            hy.equivalence(_two_means(), "seconds", "site", margin=5),
            hy.equivalence(pd.DataFrame({"g": ["a", "b"], "d": [40, 38], "n": [500, 500]}),
                           group="g", defectives="d", size="n", margin=0.02),
        ]
        for r in results:
            d = r.to_dict()
            json.dumps(d, allow_nan=False)
            back = ss.from_dict(json.loads(json.dumps(d)))
            assert type(back) is type(r) and back.to_dict() == d
            assert back.summary() == r.summary()
            assert len(r.to_frame()) == 1
