"""Cohen's and Fleiss' kappa against irr 0.84.1 (expected.json), statsmodels and hand work."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa

from sixsigma import msa
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)


def load(name: str) -> pd.DataFrame:
    """A reference dataset copied into tests/data (see its README for the source)."""
    return pd.read_csv(Path(__file__).parents[1] / "data" / f"{name}.csv")

EXACT = 1e-9  # expected.json "exact" tolerance: pure arithmetic on the data


@pytest.fixture(scope="module")
def diagnoses():
    return load("diagnoses")


@pytest.fixture(scope="module")
def anxiety_wide():
    a = load("anxiety")
    w = a.pivot(index="subject", columns="rater", values="rating")
    w.columns = ["r1", "r2", "r3"]
    return w.reset_index()


# -- Fleiss 1971 (diagnoses) --------------------------------------------------------------
def test_fleiss_diagnoses_published_and_computed(diagnoses):
    r = msa.fleiss_kappa(diagnoses, "patient", "rater", "category_label")
    # Fleiss (1971) printed 0.430 (expected.json kappa_published, published_unverified)
    assert round(r.kappa, 3) == pytest.approx(0.430, abs=5e-4)
    # irr 0.84.1 kappam.fleiss, re-derived from the counts (expected.json, computed)
    assert r.kappa == pytest.approx(0.430244520060141, abs=EXACT)
    assert r.p_bar == pytest.approx(0.555555555555556, abs=EXACT)
    assert r.p_e == pytest.approx(0.219938271604938, abs=EXACT)
    p_j = dict(zip(r.by_category["category"], r.by_category["p_j"], strict=True))
    expected_pj = {"Depression": 0.144444444444444, "Personality_Disorder": 0.144444444444444,
                   "Schizophrenia": 0.166666666666667, "Neurosis": 0.305555555555556,
                   "Other": 0.238888888888889}
    for cat, v in expected_pj.items():
        assert p_j[cat] == pytest.approx(v, abs=EXACT)
    assert r.n_items == 30 and r.m == 6


def test_fleiss_diagnoses_by_category_and_test(diagnoses):
    r = msa.fleiss_kappa(diagnoses, "patient", "rater", "category_label")
    bc = r.by_category.set_index("category")
    # irr 0.84.1 kappam.fleiss(detail = TRUE), unrounded (expected.json fleiss_kappa_by_category)
    kj = {"Depression": 0.244755244755245, "Personality_Disorder": 0.244755244755245,
          "Schizophrenia": 0.52, "Neurosis": 0.471127272727273, "Other": 0.566117806823969}
    zj = {"Depression": 5.1920427989222, "Personality_Disorder": 5.1920427989222,
          "Schizophrenia": 11.0308657865101, "Neurosis": 9.99411868042136,
          "Other": 12.0091722046705}
    for cat in kj:
        assert bc.loc[cat, "kappa"] == pytest.approx(kj[cat], abs=EXACT)
        assert bc.loc[cat, "z"] == pytest.approx(zj[cat], abs=1e-8)
    # Fleiss, Nee & Landis (1979) null SE as irr (expected.json fleiss_kappa_test)
    assert r.se0 == pytest.approx(0.0243739320994112, abs=EXACT)
    assert r.z == pytest.approx(17.6518305829914, abs=1e-8)


def test_fleiss_numeric_codes_give_same_kappa(diagnoses):
    a = msa.fleiss_kappa(diagnoses, "patient", "rater", "category")
    b = msa.fleiss_kappa(diagnoses, "patient", "rater", "category_label")
    assert a.kappa == pytest.approx(b.kappa, abs=1e-12)
    assert a.categories == (1, 2, 3, 4, 5)


def test_fleiss_anxiety_and_video():
    # irr 0.84.1 kappam.fleiss (expected.json anxiety/video other_agreement)
    r = msa.fleiss_kappa(load("anxiety"), "subject", "rater", "rating")
    assert r.kappa == pytest.approx(-0.0410764872521247, abs=EXACT)
    assert r.z == pytest.approx(-0.63415188879512, abs=1e-8)
    v = msa.fleiss_kappa(load("video"), "subject", "rater", "rating")
    assert v.kappa == pytest.approx(0.0356703567035671, abs=EXACT)


def test_fleiss_jackknife_interval_by_hand(diagnoses):
    r = msa.fleiss_kappa(diagnoses, "patient", "rater", "category_label")
    # oracle: leave each patient out and recompute kappa with a plain loop
    ids = diagnoses["patient"].unique()
    ks = []
    for pid in ids:
        sub = diagnoses[diagnoses["patient"] != pid]
        ks.append(msa.fleiss_kappa(sub, "patient", "rater", "category_label").kappa)
    ks = np.array(ks)
    n = ids.size
    se = np.sqrt((n - 1) / n * ((ks - ks.mean()) ** 2).sum())
    assert r.se == pytest.approx(se, rel=1e-12)
    assert r.ci[0] == pytest.approx(r.kappa - 1.959963984540054 * se, rel=1e-9)


def test_fleiss_result_serialises(diagnoses):
    r = msa.fleiss_kappa(diagnoses, "patient", "rater", "category_label")
    json.dumps(r.to_dict(), allow_nan=False)
    assert list(r.to_frame()["category"])[0] == "overall"
    assert "Fleiss" in r.summary() and "<div>" in r._repr_html_()


# -- Cohen ---------------------------------------------------------------------------------
def test_cohen_anxiety_irr(anxiety_wide):
    # irr 0.84.1 kappa2 (expected.json anxiety other_agreement); irr uses observed
    # categories only, which is our default when categories= is not given
    w = anxiety_wide
    assert msa.cohen_kappa(w, "r1", "r2").kappa == pytest.approx(0.119496855345912, abs=EXACT)
    assert msa.cohen_kappa(w, "r1", "r2", weights="quadratic").kappa == pytest.approx(
        0.29676511954993, abs=EXACT)
    assert msa.cohen_kappa(w, "r2", "r3").kappa == pytest.approx(-0.0062893081761006,
                                                                 abs=EXACT)
    assert msa.cohen_kappa(w, "r2", "r3", weights="quadratic").kappa == pytest.approx(
        0.252032520325203, abs=EXACT)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_se_matches_statsmodels(anxiety_wide, weights):
    # oracle: statsmodels cohens_kappa (Fleiss, Cohen & Everitt 1969 variances)
    w = anxiety_wide
    r = msa.cohen_kappa(w, "r1", "r2", weights=weights)
    cats = list(r.categories)
    tab = pd.crosstab(pd.Categorical(w["r1"], cats), pd.Categorical(w["r2"], cats),
                      dropna=False).to_numpy()
    wt = {None: None, "linear": "linear", "quadratic": "quadratic"}[weights]
    sm = sm_cohens_kappa(tab, wt=wt)
    assert r.kappa == pytest.approx(sm.kappa, abs=1e-12)
    if weights is None:
        assert r.se == pytest.approx(sm.std_kappa, rel=1e-9)
        assert r.se0 == pytest.approx(sm.std_kappa0, rel=1e-9)


def test_cohen_weighted_se_by_hand():
    # Fleiss, Cohen & Everitt (1969) formula coded independently with loops
    d = {"a": [1, 1, 2, 2, 3, 3, 1, 2, 3, 3], "b": [1, 2, 2, 3, 3, 3, 1, 1, 2, 3]}
    r = msa.cohen_kappa(d, "a", "b", weights="linear")
    k, n = 3, 10
    p = np.zeros((k, k))
    for x, y in zip(d["a"], d["b"], strict=True):
        p[x - 1, y - 1] += 1 / n
    w = np.array([[1 - abs(i - j) / (k - 1) for j in range(k)] for i in range(k)])
    pr, pc = p.sum(1), p.sum(0)
    po = sum(w[i, j] * p[i, j] for i in range(k) for j in range(k))
    pe = sum(w[i, j] * pr[i] * pc[j] for i in range(k) for j in range(k))
    kap = (po - pe) / (1 - pe)
    wi = [sum(pc[j] * w[i, j] for j in range(k)) for i in range(k)]
    wj = [sum(pr[i] * w[i, j] for i in range(k)) for j in range(k)]
    s = sum(p[i, j] * (w[i, j] - (wi[i] + wj[j]) * (1 - kap)) ** 2
            for i in range(k) for j in range(k))
    var = (s - (kap - pe * (1 - kap)) ** 2) / (n * (1 - pe) ** 2)
    s0 = sum(pr[i] * pc[j] * (w[i, j] - (wi[i] + wj[j])) ** 2
             for i in range(k) for j in range(k))
    var0 = (s0 - pe**2) / (n * (1 - pe) ** 2)
    assert r.kappa == pytest.approx(kap, abs=1e-12)
    assert r.se == pytest.approx(np.sqrt(var), rel=1e-10)
    assert r.se0 == pytest.approx(np.sqrt(var0), rel=1e-10)
    assert r.z == pytest.approx(kap / np.sqrt(var0), rel=1e-10)


def test_cohen_orders_codes_numerically_not_as_strings():
    # irr's kappa2 sorts 1, 10, 2 as strings; the weights must use 1 < 2 < 10
    d = {"a": [1, 2, 10, 2, 1], "b": [2, 2, 10, 1, 1]}
    r = msa.cohen_kappa(d, "a", "b", weights="quadratic")
    assert r.categories == (1, 2, 10)
    # by hand: positions 0,1,2 -> weights 1, 0.75, 0 between neighbours / the ends
    p = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]]) / 5
    w = 1 - (np.subtract.outer(range(3), range(3)) ** 2) / 4
    po = (w * p).sum()
    pe = (w * np.outer(p.sum(1), p.sum(0))).sum()
    assert r.kappa == pytest.approx((po - pe) / (1 - pe), abs=1e-12)


def test_cohen_declared_categories_change_weighted_kappa(anxiety_wide):
    # rater 2-3 never uses 5 or 6 (expected.json note); weights over the declared 1..6
    w = anxiety_wide
    r = msa.cohen_kappa(w, "r2", "r3", weights="quadratic", categories=range(1, 7))
    tab = np.zeros((6, 6))
    for x, y in zip(w["r2"], w["r3"], strict=True):
        tab[x - 1, y - 1] += 1
    p = tab / tab.sum()
    wt = 1 - np.subtract.outer(range(6), range(6)) ** 2 / 25
    po = (wt * p).sum()
    pe = (wt * np.outer(p.sum(1), p.sum(0))).sum()
    assert r.kappa == pytest.approx((po - pe) / (1 - pe), abs=1e-12)
    assert r.kappa != pytest.approx(0.252032520325203, abs=1e-3)


def test_cohen_small_example_and_output():
    r = msa.cohen_kappa({"a": ["x", "x", "y", "y"], "b": ["x", "x", "y", "y"]}, "a", "b")
    assert r.kappa == 1.0 and r.po == 1.0
    json.dumps(r.to_dict(), allow_nan=False)
    assert r.table.to_numpy().tolist() == [[2, 0], [0, 2]]


# -- bad input -----------------------------------------------------------------------------
def test_fleiss_single_rater():
    d = {"item": [1, 2, 3], "rater": ["a"] * 3, "rating": ["x", "y", "x"]}
    with pytest.raises(InsufficientDataError, match="single rater"):
        msa.fleiss_kappa(d, "item", "rater", "rating")


def test_fleiss_unequal_ratings_per_item():
    d = {"item": [1, 1, 2, 2, 2, 3, 3], "rater": ["a", "b", "a", "b", "c", "a", "b"],
         "rating": ["x"] * 7}
    with pytest.raises(InputError, match=r"item 2 \(first at row 2\) has 3 ratings"):
        msa.fleiss_kappa(d, "item", "rater", "rating")


def test_fleiss_rating_outside_declared_categories():
    d = {"item": [1, 1, 2, 2], "rater": ["a", "b"] * 2, "rating": ["x", "y", "x", "z"]}
    with pytest.raises(DomainError, match=r"column 'rating' holds 'z' at row 3"):
        msa.fleiss_kappa(d, "item", "rater", "rating", categories=["x", "y"])


def test_fleiss_duplicate_rater_and_missing():
    d = {"item": [1, 1, 2, 2], "rater": ["a", "a", "a", "b"], "rating": ["x"] * 4}
    with pytest.raises(InputError, match="rated item 1 more than once"):
        msa.fleiss_kappa(d, "item", "rater", "rating")
    d = {"item": [1, 1, 2, 2], "rater": ["a", "b"] * 2, "rating": ["x", None, "x", "y"]}
    with pytest.raises(MissingValueError, match="row 1"):
        msa.fleiss_kappa(d, "item", "rater", "rating")
    with pytest.raises(ColumnError, match="'score'"):
        msa.fleiss_kappa(d, "item", "rater", "score")


def test_cohen_bad_input():
    d = {"a": [1, 2, 3], "b": [1, 2, 4]}
    with pytest.raises(DomainError, match=r"cohen_kappa: column 'b' holds 4 at row 2"):
        msa.cohen_kappa(d, "a", "b", categories=[1, 2, 3])
    with pytest.raises(ParameterError, match="same column"):
        msa.cohen_kappa(d, "a", "a")
    with pytest.raises(ParameterError, match="weights"):
        msa.cohen_kappa(d, "a", "b", weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="confidence"):
        msa.cohen_kappa(d, "a", "b", confidence=95)
