"""compare: the test chosen for each kind of data, and the effect sizes."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sixsigma as ss
import sixsigma.hypothesis as hy
from sixsigma._stats import newcombe
from sixsigma._stats.effects import cramers_v_interval, eta_squared_interval
from sixsigma.errors import InsufficientDataError, MissingValueError


def _long(*samples, names="ABCDE"):
    return pd.DataFrame({"g": np.repeat(list(names[:len(samples)]), [len(s) for s in samples]),
                         "v": np.concatenate(samples)})


def _case(name):
    r = np.random.default_rng(11)
    if name == "normal2":
        return _long(r.normal(10, 2, 40), r.normal(11, 2, 40)), False
    if name == "skewed2":
        return _long(r.lognormal(0, 1, 40), r.lognormal(0.5, 1, 40)), False
    if name == "counts2":
        return _long(r.poisson(1.0, 60), r.poisson(2.0, 60)), False
    if name == "normal3_equal":
        return _long(r.normal(10, 2, 30), r.normal(11, 2, 30), r.normal(12, 2, 30)), False
    if name == "normal3_unequal":
        return _long(r.normal(10, 1, 30), r.normal(11, 6, 30), r.normal(12, 12, 30)), False
    if name == "skewed3":
        return _long(r.lognormal(0, 1, 30), r.lognormal(0.3, 1, 30),
                     r.lognormal(0.6, 1, 30)), False
    if name == "paired_normal":
        x = r.normal(10, 2, 30)
        return _long(x, x + r.normal(0.5, 1, 30)), True
    if name == "paired_skewed":
        x = r.normal(10, 2, 30)
        return _long(x, x + r.lognormal(0, 1.2, 30)), True
    if name == "paired3_normal":
        x = r.normal(10, 2, 30)
        return _long(x, x + r.normal(0.5, 1, 30), x + r.normal(1, 1, 30)), True
    if name == "prop2":
        return _long(r.binomial(1, 0.1, 400), r.binomial(1, 0.15, 400)), False
    if name == "prop2_small":
        return _long(np.r_[np.ones(1), np.zeros(19)], np.r_[np.ones(6), np.zeros(14)]), False
    if name == "prop3":
        return _long(r.binomial(1, 0.1, 300), r.binomial(1, 0.15, 300),
                     r.binomial(1, 0.2, 300)), False
    if name == "bool2":
        df, _ = _case("prop2")
        return df.assign(v=df["v"].astype(bool)), False
    if name == "categories":
        labels = np.array(["spam", "adult", "no_violation"])
        return pd.DataFrame({"g": np.repeat(["A", "B"], 200),
                             "v": labels[np.r_[r.integers(0, 3, 200),
                                               r.choice(3, 200, p=[.5, .3, .2])]]}), False
    if name == "paired_prop":
        x = r.binomial(1, 0.3, 200)
        y = np.where(r.random(200) < 0.2, 1 - x, x)
        return _long(x, y), True
    raise KeyError(name)


CASES = [
    ("normal2", "welch_t", "hedges_g"),
    ("skewed2", "mann_whitney", "rank_biserial"),
    ("counts2", "mann_whitney", "rank_biserial"),
    ("normal3_equal", "anova", "eta_squared"),
    ("normal3_unequal", "welch_anova", "eta_squared"),
    ("skewed3", "kruskal", "epsilon_squared"),
    ("paired_normal", "paired_t", "hedges_g"),
    ("paired_skewed", "wilcoxon", "rank_biserial"),
    ("paired3_normal", "rm_anova", "partial_eta_squared"),
    ("prop2", "two_proportion_z", "risk_difference"),
    ("bool2", "two_proportion_z", "risk_difference"),
    ("prop2_small", "fisher_exact", "risk_difference"),
    ("prop3", "chi_square", "cramers_v"),
    ("categories", "chi_square", "cramers_v"),
    ("paired_prop", "mcnemar", "risk_difference"),
]


@pytest.mark.parametrize(("case", "test", "effect"), CASES, ids=[c[0] for c in CASES])
def test_choice_table(case, test, effect):
    df, paired = _case(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pingouin's low-count warnings
        res = hy.compare(df, "v", "g", paired=paired)
    assert (res.test, res.effect_name) == (test, effect), res.why
    assert res.why and res.sentence.endswith(".")
    json.dumps(res.to_dict(), allow_nan=False)
    json.dumps(res.to_evidence(), allow_nan=False)
    if test in ("anova", "welch_anova", "kruskal", "chi_square") and case != "categories":
        assert res.posthoc is not None and len(res.posthoc) == 3


def test_posthoc_names():
    df, _ = _case("normal3_equal")
    assert "diff" in hy.compare(df, "v", "g").posthoc.columns           # Tukey HSD
    df, _ = _case("skewed3")
    assert hy.compare(df, "v", "g").posthoc["p_adjust"].iloc[0] == "holm"


def test_welch_t_and_hedges_g_by_hand():
    df, _ = _case("normal2")
    x, y = (df.loc[df.g == k, "v"].to_numpy() for k in "AB")
    res = hy.compare(df, "v", "g")
    want = stats.ttest_ind(x, y, equal_var=False)           # oracle: scipy
    assert res.statistic == pytest.approx(want.statistic, rel=1e-9)
    assert res.p_value == pytest.approx(want.pvalue, rel=1e-9)
    # Hedges' g = d * J, J = 1 - 3 / (4 (nx + ny) - 9); d from the pooled SD
    sp = np.sqrt(((x.size - 1) * x.var(ddof=1) + (y.size - 1) * y.var(ddof=1))
                 / (x.size + y.size - 2))
    g = (x.mean() - y.mean()) / sp * (1 - 3 / (4 * (x.size + y.size) - 9))
    assert res.effect == pytest.approx(g, rel=1e-9)
    # Hedges & Olkin (1985) interval with the t critical value (as pingouin)
    se = np.sqrt((x.size + y.size) / (x.size * y.size) + g**2 / (2 * (x.size + y.size)))
    t = stats.t.ppf(0.975, x.size + y.size - 2)
    assert res.ci[0] == pytest.approx(g - t * se, rel=1e-9)
    assert res.ci[1] == pytest.approx(g + t * se, rel=1e-9)


def test_mann_whitney_rank_biserial_interval():
    df, _ = _case("skewed2")
    x, y = (df.loc[df.g == k, "v"].to_numpy() for k in "AB")
    res = hy.compare(df, "v", "g")
    u = stats.mannwhitneyu(x, y)                             # oracle: scipy
    assert res.p_value == pytest.approx(u.pvalue, rel=1e-6)
    se = np.sqrt((x.size + y.size + 1) / (3 * x.size * y.size))
    r = res.effect
    assert abs(r) == pytest.approx(abs(1 - 2 * u.statistic / (x.size * y.size)), rel=1e-9)
    assert res.ci[0] == pytest.approx(np.tanh(np.arctanh(r) - 1.959964 * se), rel=1e-6)


def test_newcombe_published_example():
    # Newcombe (1998) Stat Med 17:873, Table II, example (a) 56/70 - 48/80, method 10:
    # 0.0524 to 0.3339
    low, high = newcombe(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_two_proportion_z_by_hand():
    df, _ = _case("prop2")
    res = hy.compare(df, "v", "g")
    a, b = (df.loc[df.g == k, "v"] for k in "AB")
    table = [[a.sum(), len(a) - a.sum()], [b.sum(), len(b) - b.sum()]]
    chi2 = stats.chi2_contingency(table, correction=False)[0]   # oracle: scipy, z^2 = chi2
    assert res.statistic**2 == pytest.approx(chi2, rel=1e-9)
    assert res.effect == pytest.approx(a.mean() - b.mean())


def test_fisher_small_counts():
    df, _ = _case("prop2_small")
    res = hy.compare(df, "v", "g")
    assert res.p_value == pytest.approx(stats.fisher_exact([[1, 19], [6, 14]])[1], rel=1e-9)


def test_eta_squared_interval_inverts_noncentral_f():
    low, high = eta_squared_interval(5.0, 2, 87)
    lam_lo, lam_hi = 90 * low / (1 - low), 90 * high / (1 - high)   # eta2 = lam/(lam + N)
    assert stats.ncf.cdf(5.0, 2, 87, lam_lo) == pytest.approx(0.975, abs=1e-7)
    assert stats.ncf.cdf(5.0, 2, 87, lam_hi) == pytest.approx(0.025, abs=1e-7)


def test_cramers_v_interval_inverts_noncentral_chi2():
    low, high = cramers_v_interval(20.0, 2, 400, 2)
    assert stats.ncx2.cdf(20.0, 2, 400 * low**2) == pytest.approx(0.975, abs=1e-7)
    assert stats.ncx2.cdf(20.0, 2, 400 * high**2) == pytest.approx(0.025, abs=1e-7)


def test_anova_eta_squared_by_hand():
    df, _ = _case("normal3_equal")
    res = hy.compare(df, "v", "g")
    groups = [df.loc[df.g == k, "v"].to_numpy() for k in "ABC"]
    f = stats.f_oneway(*groups)                                  # oracle: scipy
    assert res.statistic == pytest.approx(f.statistic, rel=1e-9)
    allv = np.concatenate(groups)
    ssb = sum(g.size * (g.mean() - allv.mean()) ** 2 for g in groups)
    assert res.effect == pytest.approx(ssb / ((allv - allv.mean()) ** 2).sum(), rel=1e-9)


def test_bad_input():
    df, _ = _case("normal2")
    with pytest.raises(InsufficientDataError, match="at least two"):
        hy.compare(df[df.g == "A"], "v", "g")
    with pytest.raises(InsufficientDataError, match="fewer than 3"):
        hy.compare(pd.concat([df, pd.DataFrame({"g": ["C"], "v": [1.0]})]), "v", "g")
    bad = df.copy()
    bad.loc[3, "v"] = np.nan
    with pytest.raises(MissingValueError, match="row 3"):
        hy.compare(bad, "v", "g")
    with pytest.raises(InsufficientDataError, match="different sizes"):
        hy.compare(df.iloc[:-1], "v", "g", paired=True)


# ---------------------------------------------------------------------------------------
# every kind of result survives to_dict / from_dict


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_every_test_round_trips(case):
    df, paired = _case(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = hy.compare(df, "v", "g", paired=paired)
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(json.loads(json.dumps(d)))
    assert type(back) is hy.Comparison and back.to_dict() == d and back == res
    if res.ci is None:
        assert any("no interval" in n for n in res.notes)
    frame = res.to_frame()
    assert list(frame.columns[:8]) == ["test", "statistic", "df", "p_value", "effect_name",
                                       "effect", "ci_low", "ci_high"]
    assert isinstance(frame, pd.DataFrame) and len(frame) == 1
