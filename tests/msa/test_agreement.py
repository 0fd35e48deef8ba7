"""attribute_agreement: every table checked on a tiny study worked out by hand.

The study: appraisers A and B, items 1-3, two trials, categories g/b, standard g, b, g.

    item  std   A t1 A t2   B t1 B t2
    1     g     g    g      g    g
    2     b     b    b      b    g
    3     g     g    b      g    g

Within:  A agrees with itself on items 1, 2 (2/3); B on items 1, 3 (2/3).
         kappa A: counts (2,0) (0,2) (1,1): P-bar 2/3, P_e 1/2 -> 1/3, se0 sqrt(2/6).
         kappa B: counts (2,0) (1,1) (2,0): P-bar 2/3, P_e 26/36 -> -0.2.
Vs std:  A matches on 1, 2 (item 3 trial 2 wrong): 2/3; B on 1, 3: 2/3.
         kappa A = mean(trial 1 vs std = 1, trial 2 vs std = 1/3) = 2/3,
         se = sqrt(1/3 + 1/3) / 2; kappa B = mean(1, -0.2) = 0.4.
Between: all four ratings agree on item 1 only: 1/3. Counts (4,0) (1,3) (3,1):
         P-bar 2/3, p = (2/3, 1/3), P_e 5/9 -> kappa 1/4.
All vs standard: only item 1: 1/3; kappa = mean(1, 1/3, 1, -0.2) = 0.5333...
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sixsigma import msa
from sixsigma._stats import clopper_pearson, wilson
from sixsigma.errors import (
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)

SE2 = np.sqrt(2 / 6)   # null se of a binary kappa, n = 3 items, m = 2 ratings


@pytest.fixture
def study():
    ratings = {("A", 1): "gbg", ("A", 2): "gbb", ("B", 1): "gbg", ("B", 2): "ggg"}
    rows = [(a, i + 1, t, r[i], "gbg"[i]) for (a, t), r in ratings.items() for i in range(3)]
    return pd.DataFrame(rows, columns=["appraiser", "item", "trial", "rating", "standard"])


@pytest.fixture
def result(study):
    return msa.attribute_agreement(study, "item", "appraiser", "rating", standard="standard",
                                   trial="trial")


def overall(frame, who):
    row = frame[(frame["rater"] == who) & (frame["category"] == "overall")]
    return row.iloc[0]


def test_within_table(result):
    w = result.within
    assert w["n_inspected"].tolist() == [3, 3]
    assert w["n_matched"].tolist() == [2, 2]
    assert w["percent"].tolist() == pytest.approx([200 / 3, 200 / 3])
    a, b = overall(result.within_kappa, "A"), overall(result.within_kappa, "B")
    assert a["kappa"] == pytest.approx(1 / 3) and a["se_kappa"] == pytest.approx(SE2)
    assert a["z"] == pytest.approx((1 / 3) / SE2)
    assert a["p_value"] == pytest.approx(stats.norm.sf((1 / 3) / SE2))   # P(vs > 0)
    assert b["kappa"] == pytest.approx(-0.2)


def test_vs_standard_table(result):
    v = result.vs_standard
    assert v["n_matched"].tolist() == [2, 2]
    a, b = overall(result.vs_standard_kappa, "A"), overall(result.vs_standard_kappa, "B")
    assert a["kappa"] == pytest.approx(2 / 3)
    assert a["se_kappa"] == pytest.approx(np.sqrt(2 * SE2**2) / 2)
    assert b["kappa"] == pytest.approx(0.4)


def test_between_table(result):
    b = result.between
    assert b["n_inspected"].tolist() == [3] and b["n_matched"].tolist() == [1]
    assert overall(result.between_kappa, "all")["kappa"] == pytest.approx(0.25)


def test_all_vs_standard_table(result):
    t = result.all_vs_standard
    assert t["n_matched"].tolist() == [1]
    k = overall(result.all_vs_standard_kappa, "all")
    assert k["kappa"] == pytest.approx((1 + 1 / 3 + 1 - 0.2) / 4)
    assert k["se_kappa"] == pytest.approx(np.sqrt(4 * SE2**2) / 4)


def test_category_kappas_binary_equal_overall(result):
    # with two categories each category-wise kappa equals the overall kappa (Fleiss 1971)
    kap = result.between_kappa
    assert kap["kappa"].to_numpy() == pytest.approx(np.full(3, 0.25))


def test_clopper_pearson_matches_minitab_printed():
    # At x = n Minitab prints the one-sided bound alpha^(1/n) (0.05^(1/15) = 0.8190), not
    # the two-sided (alpha/2)^(1/n) = 0.7820; we follow Minitab there.
    # Minitab's ESSAY example (Attribute Agreement Analysis help page): 8/15 -> (26.59,
    # 78.73), 13/15 -> (59.54, 98.34), 15/15 -> (81.90, 100.00), 14/15 -> (68.05, 99.83)
    lo, hi = clopper_pearson(np.array([8, 13, 15, 14]), np.array([15] * 4),
                             one_sided_extremes=True)
    assert np.round(100 * lo, 2).tolist() == [26.59, 59.54, 81.90, 68.05]
    assert np.round(100 * hi, 2).tolist() == [78.73, 98.34, 100.00, 99.83]


def test_percent_interval_is_exact(result):
    lo, hi = stats.beta.ppf([0.025, 0.975], [2, 3], [2, 1])   # x = 2, n = 3
    assert result.within["ci_low"].iloc[0] == pytest.approx(100 * lo)
    assert result.within["ci_high"].iloc[0] == pytest.approx(100 * hi)


def test_by_rater_ranked_with_confusion(result):
    br = result.by_rater
    # A: 5 of 6 ratings right (item 3 trial 2: g -> b); B: 5 of 6 (item 2 trial 2: b -> g)
    assert br["n_correct"].tolist() == [5, 5]
    # tie on accuracy broken by kappa vs standard: B (0.4) before A (2/3)
    assert br["rater"].tolist() == ["B", "A"]
    assert br["top_confusion"].tolist() == ["b -> g", "g -> b"]
    assert br["weakest_category"].tolist() == ["b", "g"]
    lo, hi = wilson(np.array([5]), np.array([6]))
    assert br["ci_low"].iloc[0] == pytest.approx(lo[0])
    # Wilson by formula: (p + z^2/2n -/+ z sqrt(p q / n + z^2 / 4n^2)) / (1 + z^2 / n)
    z, p, n = 1.959963984540054, 5 / 6, 6
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (lo[0], hi[0]) == pytest.approx((centre - half, centre + half))
    cm = result.confusion_matrix("A")
    assert cm.loc["g", "b"] == 1 and cm.loc["g", "g"] == 3 and cm.loc["b", "b"] == 2
    assert result.confusion_matrix().to_numpy().sum() == 12


def test_by_category_ranked(study):
    # make "b" ambiguous: B says g on item 2 in both trials
    s = study.copy()
    s.loc[(s.appraiser == "B") & (s.item == 2), "rating"] = "g"
    r = msa.attribute_agreement(s, "item", "appraiser", "rating", standard="standard",
                                trial="trial")
    bc = r.by_category
    assert bc["kappa"].is_monotonic_increasing
    assert bc.set_index("category").loc["b", "recall"] == pytest.approx(2 / 4)
    assert r.by_category_basis == "between"


def test_ordinal_kendall_tables():
    # A: both trials (1, 2, 3); B: (1, 2, 3) and (1, 3, 3); standard (1, 2, 3)
    rows = []
    for a, trials in {"A": [(1, 2, 3), (1, 2, 3)], "B": [(1, 2, 3), (1, 3, 3)]}.items():
        for t, r in enumerate(trials, start=1):
            rows += [(a, i + 1, t, r[i], i + 1) for i in range(3)]
    d = pd.DataFrame(rows, columns=["appraiser", "item", "trial", "rating", "standard"])
    r = msa.attribute_agreement(d, "item", "appraiser", "rating", standard="standard",
                                trial="trial", ordinal=True)
    w = r.within_kendall.set_index("rater")["w"]
    assert w["A"] == pytest.approx(1.0)
    assert w["B"] == pytest.approx(78 / 84)   # worked in test_kendall.py
    tau = r.vs_standard_kendall.set_index("rater")["tau_b"]
    # B trial 2 vs standard: 2 concordant pairs, 1 tied in x: tau_b = 2 / sqrt(2 * 3)
    assert tau["B"] == pytest.approx((1 + 2 / np.sqrt(6)) / 2)
    assert tau["A"] == pytest.approx(1.0)
    assert r.between_kendall["w"].iloc[0] <= 1.0


def test_output_round_trips(result):
    json.dumps(result.to_dict(), allow_nan=False)
    f = result.to_frame()
    assert f["table"].tolist() == ["within"] * 2 + ["vs_standard"] * 2 + ["between",
                                                                          "all_vs_standard"]
    assert "kappa" in result.kappa_frame().columns
    assert "within" in result.summary() and "<table" in result._repr_html_()


def test_runs_on_polars(study):
    pl = pytest.importorskip("polars")
    r = msa.attribute_agreement(pl.from_pandas(study), "item", "appraiser", "rating",
                                standard="standard", trial="trial")
    assert r.between["n_matched"].tolist() == [1]


# -- bad input and explicit handling -------------------------------------------------------
def test_single_rater_handling(study):
    one = study[study.appraiser == "A"]
    r = msa.attribute_agreement(one, "item", "appraiser", "rating", standard="standard",
                                trial="trial")
    assert r.between is None and r.all_vs_standard is None
    assert any("single appraiser" in n for n in r.notes)
    with pytest.raises(InsufficientDataError, match="single appraiser"):
        msa.attribute_agreement(one[one.trial == 1], "item", "appraiser", "rating")


def test_items_rated_once_when_within_requested(study):
    with pytest.raises(InsufficientDataError, match="at least two trials"):
        msa.attribute_agreement(study[study.trial == 1], "item", "appraiser", "rating",
                                trial="trial")
    with pytest.raises(InputError, match=r"rated item 1 more than once \(row 3\); pass trial="):
        msa.attribute_agreement(study, "item", "appraiser", "rating")
    r = msa.attribute_agreement(study[study.trial == 1], "item", "appraiser", "rating")
    assert r.within is None and any("trial=" in n for n in r.notes)


def test_unbalanced_study(study):
    with pytest.raises(InputError, match="appraiser 'B' has no rating of item 3 in trial 2"):
        msa.attribute_agreement(study.iloc[:-1], "item", "appraiser", "rating", trial="trial")


def test_rating_outside_declared_categories(study):
    s = study.copy()
    s.loc[4, "rating"] = "x"
    with pytest.raises(DomainError, match=r"column 'rating' holds 'x' at row 4"):
        msa.attribute_agreement(s, "item", "appraiser", "rating", trial="trial",
                                categories=["g", "b"])
    s = study.copy()
    s.loc[2, "standard"] = "x"
    with pytest.raises(DomainError, match=r"column 'standard' holds 'x' at row 2"):
        msa.attribute_agreement(s, "item", "appraiser", "rating", standard="standard",
                                trial="trial", categories=["g", "b"])


def test_missing_standard(study):
    s = study.copy()
    s.loc[s["item"] == 3, "standard"] = None
    with pytest.raises(MissingValueError, match=r"missing standard at row 2 \(item 3\)"):
        msa.attribute_agreement(s, "item", "appraiser", "rating", standard="standard",
                                trial="trial")
    r = msa.attribute_agreement(s, "item", "appraiser", "rating", standard="standard",
                                trial="trial", missing_standard="drop")
    assert r.vs_standard["n_inspected"].tolist() == [2, 2]   # items 1, 2 only
    assert r.within["n_inspected"].tolist() == [3, 3]        # within uses every item
    assert any("without a standard" in n for n in r.notes)


def test_inconsistent_standard(study):
    s = study.copy()
    s.loc[3, "standard"] = "b"   # item 1 once b, else g
    with pytest.raises(InputError, match=r"item 1 has two different standards .*\(row 3\)"):
        msa.attribute_agreement(s, "item", "appraiser", "rating", standard="standard",
                                trial="trial")


def test_bad_parameters(study):
    with pytest.raises(ParameterError):
        msa.attribute_agreement(study, "item", "appraiser", "rating", trial="trial",
                                accuracy_interval="normal")  # type: ignore[arg-type]
    r = msa.attribute_agreement(study, "item", "appraiser", "rating", trial="trial")
    with pytest.raises(ParameterError, match="no standard"):
        r.confusion_matrix()
