"""sixsigma.sampling: QA audit sample sizes, allocation, two-period power, p-chart ARL.

Every expected number is a published value or is recomputed here independently (by the
textbook formula with scipy); the statsmodels numbers were produced with statsmodels 0.15.0
in a throwaway virtual environment (statsmodels is not a project dependency) by the calls
quoted next to each value.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from _helpers import assert_round_trip
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sixsigma as ss
import sixsigma.sampling as sampling
from sixsigma import spc
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)

Z95 = stats.norm.ppf(0.975)


# --------------------------------------------------------------------------------------
# sample_size_proportion / margin_of_error
# --------------------------------------------------------------------------------------
def test_cochran_textbook_case():
    # Cochran (1977), Sampling Techniques, 3rd ed., §4.4 eq. 4.2: n0 = t² p q / d²;
    # p = 0.95, d = 0.01, 95 %: 1.96² x 0.95 x 0.05 / 0.0001 = 1824.7 -> 1825.
    assert sampling.sample_size_proportion(0.95, 0.01, 0.95) == 1825
    assert math.ceil(1.96**2 * 0.95 * 0.05 / 0.01**2) == 1825


def test_cochran_classic_half_and_five_points():
    # The classic survey case p = 0.5, d = 0.05, 95 %: n0 = 384.1 -> 385.
    assert sampling.sample_size_proportion(0.5, 0.05) == 385
    # 99 % with z = 2.5758: 0.25 x 2.5758² / 0.0025 = 663.5 -> 664.
    assert sampling.sample_size_proportion(0.5, 0.05, 0.99) == math.ceil(
        stats.norm.ppf(0.995) ** 2 * 0.25 / 0.0025
    )


@pytest.mark.parametrize(("population", "expected"), [(2000, 323), (10_000, 370), (500, 218)])
def test_finite_population_correction(population, expected):
    # Cochran (1977) eq. 4.3, n = n0 / (1 + (n0 - 1)/N), worked by hand with n0 = 384.15
    # (p = .5, d = .05, 95 %): N = 2000 -> 322.4 -> 323; N = 10 000 -> 370.0 -> 370
    # (the usual textbook figure "about 370"); N = 500 -> 217.5 -> 218.
    assert sampling.sample_size_proportion(0.5, 0.05, 0.95, population) == expected
    n0 = Z95**2 * 0.25 / 0.05**2
    assert expected == math.ceil(n0 / (1 + (n0 - 1) / population))


def test_fpc_never_exceeds_population():
    assert sampling.sample_size_proportion(0.5, 0.001, population=50) <= 50
    assert sampling.sample_size_proportion(0.5, 0.01, population=1) == 1


def _wilson_half_width(p, n, z):
    # Wilson (1927): centre (p + z²/2n)/(1 + z²/n), half-width z/(1+z²/n) sqrt(pq/n + z²/4n²)
    return z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))


@pytest.mark.parametrize(("p", "margin"), [(0.95, 0.01), (0.5, 0.05), (0.98, 0.005),
                                           (0.02, 0.03)])
def test_wilson_sample_size_is_the_smallest_n(p, margin):
    n = np.arange(1, 200_000)
    ok = _wilson_half_width(p, n, Z95) <= margin
    expected = int(n[np.argmax(ok)])
    assert sampling.sample_size_proportion(p, margin, method="wilson") == expected


def test_wilson_needs_more_than_wald_near_the_edges():
    assert (sampling.sample_size_proportion(0.95, 0.01, method="wilson")
            > sampling.sample_size_proportion(0.95, 0.01))


@pytest.mark.parametrize("method", ["wald", "wilson"])
@pytest.mark.parametrize("population", [None, 3000])
def test_margin_of_error_inverts_sample_size(method, population):
    for p, margin in [(0.95, 0.01), (0.9, 0.02), (0.5, 0.05)]:
        n = sampling.sample_size_proportion(p, margin, population=population, method=method)
        assert sampling.margin_of_error(p, n, population=population, method=method) <= margin
        if n > 1:
            assert sampling.margin_of_error(
                p, n - 1, population=population, method=method
            ) > margin


def test_margin_of_error_formula():
    # Wald with FPC: z sqrt(pq/n (N-n)/(N-1)), Cochran (1977) §3.2.
    got = sampling.margin_of_error(0.9, 400, population=2000)
    assert got == pytest.approx(Z95 * math.sqrt(0.09 / 400 * 1600 / 1999), rel=1e-12)
    assert sampling.margin_of_error(0.9, 40, population=40) == 0.0


# --------------------------------------------------------------------------------------
# allocate
# --------------------------------------------------------------------------------------
STRATA = {"stratum": ["spam", "hate", "adult"], "size": [6000, 3000, 1000],
          "p": [0.1, 0.2, 0.5]}


def test_neyman_by_hand():
    # Cochran (1977) ch. 5, Neyman: n_h = n N_h S_h / sum N_h S_h, S_h = sqrt(p_h q_h).
    # N_h S_h = 6000 x .3, 3000 x .4, 1000 x .5 = 1800, 1200, 500 (sum 3500); n = 700:
    # 360, 240, 100 exactly.
    a = sampling.allocate(STRATA, 700, method="neyman")
    assert a.n.tolist() == [360, 240, 100]
    assert a.table["n"].tolist() == [360, 240, 100]


def test_neyman_by_hand_with_rounding():
    # N = 5000, 3000, 2000; p = .05, .10, .02; n = 500.
    # N_h S_h = 1089.72, 900, 280 (sum 2269.72) -> 240.06, 198.26, 61.68; floors 240, 198,
    # 61 (499); the one left over goes to the largest remainder (.68) -> 240, 198, 62.
    strata = {"stratum": ["a", "b", "c"], "size": [5000, 3000, 2000], "p": [0.05, 0.1, 0.02]}
    assert sampling.allocate(strata, 500, method="neyman").n.tolist() == [240, 198, 62]


def test_neyman_over_allocation_is_censused():
    # Cochran (1977) ch. 5, allocation requiring more than 100 % sampling. N = 1000, 30;
    # p = .01, .5: N S = 99.50, 15 -> stratum b would get 250 x 15/114.5 = 32.7 > 30, so it
    # is censused (30) and a gets the remaining 220.
    strata = {"stratum": ["a", "b"], "size": [1000, 30], "p": [0.01, 0.5]}
    a = sampling.allocate(strata, 250, method="neyman")
    assert a.n.tolist() == [220, 30]
    assert a.margin[1] == 0.0


def test_proportional_and_equal():
    assert sampling.allocate(STRATA, 700).n.tolist() == [420, 210, 70]
    # 10 over 3 equal strata: 3.33 each; the leftover goes to the first listed (ties).
    assert sampling.allocate(STRATA, 10, method="equal").n.tolist() == [4, 3, 3]
    # equal allocation capped by a small stratum: 2 + (98 / 2) each for the others.
    small = {"stratum": ["x", "y", "z"], "size": [2, 500, 500]}
    assert sampling.allocate(small, 100, method="equal").n.tolist() == [2, 49, 49]


def test_largest_remainder_ties_are_deterministic():
    strata = {"stratum": ["a", "b", "c", "d"], "size": [100, 100, 100, 100]}
    # 4 x 2.5 = 10 -> floors 2 each, two extra audits go to the first two strata.
    assert sampling.allocate(strata, 10).n.tolist() == [3, 3, 2, 2]


def test_minimum_per_stratum():
    strata = {"stratum": ["big", "mid", "tiny"], "size": [9000, 900, 100], "p": [.1, .1, .1]}
    plain = sampling.allocate(strata, 200)
    assert plain.n.tolist() == [180, 18, 2]
    floored = sampling.allocate(strata, 200, minimum=30)
    assert floored.n.tolist() == [140, 30, 30]  # 140 = 200 - 60; big alone stays free
    assert floored.n.sum() == 200
    # a stratum smaller than the minimum is audited in full
    tiny = sampling.allocate({"stratum": ["a", "b"], "size": [1000, 5]}, 100, minimum=10)
    assert tiny.n.tolist() == [95, 5]
    assert tiny.notes


def test_margins_by_formula():
    a = sampling.allocate(STRATA, 700, method="neyman", confidence=0.9)
    z = stats.norm.ppf(0.95)
    size = np.array([6000, 3000, 1000.0])
    n = np.array([360, 240, 100.0])
    p = np.array([0.1, 0.2, 0.5])
    var = p * (1 - p) / n * (size - n) / (size - 1)
    np.testing.assert_allclose(a.margin, z * np.sqrt(var), rtol=1e-12)
    w = size / size.sum()
    np.testing.assert_allclose(a.weight, w)
    # variance of the stratified proportion: sum W_h² p_h q_h / n_h (N_h - n_h)/(N_h - 1)
    assert a.overall_margin == pytest.approx(z * math.sqrt(np.sum(w**2 * var)), rel=1e-12)


def test_neyman_beats_proportional_overall():
    prop = sampling.allocate(STRATA, 700, method="proportional")
    ney = sampling.allocate(STRATA, 700, method="neyman")
    assert ney.overall_margin < prop.overall_margin


def test_p_keyword_and_default():
    no_p = {"stratum": ["a", "b"], "size": [300, 700]}
    a = sampling.allocate(no_p, 100)
    assert a.p_source == "default 0.5" and a.p.tolist() == [0.5, 0.5]
    b = sampling.allocate(no_p, 100, p=0.9, method="neyman")
    assert b.p_source == "given" and b.n.tolist() == [30, 70]
    assert any("proportional" in note for note in b.notes)


def test_zero_allocation_makes_overall_undefined():
    a = sampling.allocate({"stratum": ["a", "b"], "size": [10_000, 10]}, 100)
    assert a.n.tolist() == [100, 0]
    assert math.isnan(a.margin[1]) and math.isnan(a.overall_margin)
    assert json.dumps(a.to_dict(), allow_nan=False)


def test_allocation_accepts_polars_and_renamed_columns():
    frame = pl.DataFrame({"queue": ["spam", "hate", "adult"], "volume": [6000, 3000, 1000],
                          "acc": [0.1, 0.2, 0.5]})
    a = sampling.allocate(frame, 700, method="neyman",
                          columns={"stratum": "queue", "size": "volume", "p": "acc"})
    assert a.n.tolist() == [360, 240, 100]
    assert a.stratum.tolist() == ["spam", "hate", "adult"]


def test_allocation_result_is_immutable_and_serialises():
    a = sampling.allocate(STRATA, 700, method="neyman")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.total = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        a.n[0] = 1
    table = a.table
    table.loc[0, "n"] = 0  # a copy: the result is untouched
    assert a.n[0] == 360
    d = a.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["n"]["data"] == [360, 240, 100]
    assert isinstance(a.to_frame(), pd.DataFrame)
    assert "neyman allocation of 700" in a.summary()
    assert "<table" in a._repr_html_()


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=12),
    frac=st.floats(0.0, 1.0),
    minimum=st.integers(0, 60),
    method=st.sampled_from(["proportional", "neyman", "equal"]),
    ps=st.lists(st.floats(0.01, 0.99), min_size=12, max_size=12),
)
def test_allocation_properties(sizes, frac, minimum, method, ps):
    size = np.array(sizes)
    lo = np.minimum(size, minimum)
    total = max(1, int(lo.sum() + round(frac * (size.sum() - lo.sum()))))
    strata = {"stratum": [f"s{i}" for i in range(size.size)], "size": sizes,
              "p": ps[: size.size]}
    a = sampling.allocate(strata, total, method=method, minimum=minimum)
    assert int(a.n.sum()) == total
    assert (a.n <= size).all()
    assert (a.n >= np.minimum(lo, total)).all()


# -- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        (STRATA, {"total": 10_001}, ParameterError, "larger than the population"),
        (STRATA, {"total": 50, "minimum": 20}, ParameterError, "minimum=20"),
        (STRATA, {"total": 0}, ParameterError, "'total'"),
        (STRATA, {"total": 10.5}, ParameterError, "whole number"),
        (STRATA, {"total": 10, "method": "optimal"}, ParameterError, "'method'"),
        (STRATA, {"total": 10, "p": 0.3}, ParameterError, "pass one of them"),
        (STRATA, {"total": 10, "confidence": 1.0}, ParameterError, "'confidence'"),
        (STRATA, {"total": 10, "minimum": -1}, ParameterError, "'minimum'"),
        ({"stratum": ["a", "b"], "size": [10, -3]}, {"total": 5}, DomainError, "row 1"),
        ({"stratum": ["a", "b"], "size": [10, 2.5]}, {"total": 5}, DomainError, "row 1"),
        ({"stratum": ["a", "b"], "size": [10, 0]}, {"total": 5}, DomainError, "row 1"),
        ({"stratum": ["a", "b", "a"], "size": [10, 5, 5]}, {"total": 5}, InputError,
         "row 2 repeats 'a'"),
        ({"stratum": ["a", None], "size": [10, 5]}, {"total": 5}, MissingValueError, "row 1"),
        ({"stratum": ["a", "b"], "size": [10, 5], "p": [0.5, 1.0]}, {"total": 5}, DomainError,
         "row 1"),
        ({"stratum": ["a", "b"], "size": [10, 5], "p": [0.0, 0.5]}, {"total": 5}, DomainError,
         "row 0"),
        ({"stratum": ["a"], "n": [10]}, {"total": 5}, ColumnError, "'size'"),
        ({"stratum": [], "size": []}, {"total": 5}, InsufficientDataError, "no rows"),
        (STRATA, {"total": 5, "columns": {"weight": "w"}}, ParameterError, "may rename"),
    ],
)
def test_allocate_bad_input(data, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        sampling.allocate(data, **kwargs)
    assert "allocate" in str(info.value)


# --------------------------------------------------------------------------------------
# two proportions
# --------------------------------------------------------------------------------------
def test_arcsine_effect_size_is_cohens_h():
    # statsmodels: proportion_effectsize(0.07, 0.05) -> 0.08449984251812542
    res = sampling.power_two_proportions(0.05, 0.07, 1000)
    assert res.h == pytest.approx(0.08449984251812542, rel=1e-12)
    assert res.method == "arcsine"


@pytest.mark.parametrize(
    ("p1", "p2", "kwargs", "n1", "n2"),
    [
        # NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=1.0,
        #     alternative="two-sided") -> 2198.491583671903   (h = 0.0844998...)
        (0.05, 0.07, {}, 2199, 2199),
        # ... alternative="larger" -> 1731.754567931
        (0.05, 0.07, {"alternative": "larger"}, 1732, 1732),
        # ... ratio=2.0, two-sided -> 1648.8686877432074 (n2 = 2 x 1648.87 = 3297.7)
        (0.05, 0.07, {"ratio": 2.0}, 1649, 3298),
        # h = proportion_effectsize(0.2, 0.1) = 0.2837941092083278;
        # solve_power(..., ratio=1.0, two-sided) -> 194.90808460207387
        (0.10, 0.20, {}, 195, 195),
        # ... alternative="larger" -> 153.52934181717427
        (0.10, 0.20, {"alternative": "larger"}, 154, 154),
    ],
)
def test_arcsine_sample_size_matches_statsmodels(p1, p2, kwargs, n1, n2):
    res = sampling.sample_size_two_proportions(p1, p2, **kwargs)
    assert (res.n1, res.n2) == (n1, n2)
    assert res.power >= 0.8


def test_arcsine_power_matches_statsmodels():
    # NormalIndPower().power(effect_size=0.08449984..., nobs1=1000, alpha=0.05, ratio=1.0,
    #     alternative="two-sided") -> 0.47196099854478324
    assert sampling.power_two_proportions(0.05, 0.07, 1000).power == pytest.approx(
        0.47196099854478324, rel=1e-9)
    # ... nobs1=2000, ratio=1.5 -> 0.833277587068395
    assert sampling.power_two_proportions(0.05, 0.07, 2000, 3000).power == pytest.approx(
        0.833277587068395, rel=1e-9)
    # ... effect_size=-0.08449984..., nobs1=1000, alternative="smaller" -> 0.5966247749509074
    assert sampling.power_two_proportions(
        0.07, 0.05, 1000, alternative="smaller").power == pytest.approx(0.5966247749509074,
                                                                         rel=1e-9)


def test_fleiss_table_value():
    # Fleiss, Levin & Paik (2003), Table A.4 (continuity-corrected n per group, alpha = .05
    # two-sided, power .80): P1 = .10, P2 = .20 -> 219; uncorrected eq. 4.14 -> 199.
    # By hand: p̄ = .15; n' = (1.95996 sqrt(2 x .1275) + 0.84162 sqrt(.09 + .16))² / .01
    # = 198.97; n = n'/4 (1 + sqrt(1 + 4/(n' x .1)))² = 218.5.
    za, zb = Z95, stats.norm.ppf(0.8)
    n_prime = (za * math.sqrt(2 * 0.15 * 0.85) + zb * math.sqrt(0.09 + 0.16)) ** 2 / 0.01
    n_cc = n_prime / 4 * (1 + math.sqrt(1 + 4 / (n_prime * 0.1))) ** 2
    assert (math.ceil(n_prime), math.ceil(n_cc)) == (199, 219)
    plain = sampling.sample_size_two_proportions(0.10, 0.20, method="fleiss")
    corrected = sampling.sample_size_two_proportions(0.10, 0.20, method="fleiss",
                                                     continuity=True)
    assert (plain.n1, corrected.n1) == (199, 219)
    assert corrected.continuity and corrected.method == "fleiss"


def test_fleiss_unequal_groups_by_hand():
    # Fleiss, Levin & Paik (2003) §4.4: n1' = [z sqrt((r+1) p̄ q̄) + zb sqrt(r p1q1 + p2q2)]²
    # / (r d²), p̄ = (p1 + r p2)/(1 + r); CC n1 = n1'/4 (1 + sqrt(1 + 2(r+1)/(r n1' d)))².
    p1, p2, r = 0.05, 0.08, 2.0
    za, zb = Z95, stats.norm.ppf(0.9)
    pbar = (p1 + r * p2) / (1 + r)
    n_prime = (za * math.sqrt((r + 1) * pbar * (1 - pbar))
               + zb * math.sqrt(r * p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (r * 0.03**2)
    n_cc = n_prime / 4 * (1 + math.sqrt(1 + 2 * (r + 1) / (r * n_prime * 0.03))) ** 2
    res = sampling.sample_size_two_proportions(p1, p2, power=0.9, ratio=r, method="fleiss",
                                               continuity=True)
    assert (res.n1, res.n2) == (math.ceil(n_cc), math.ceil(r * n_cc))


def test_fleiss_power_matches_statsmodels_pooled():
    # statsmodels power_proportions_2indep(diff=0.02, prop2=0.05, nobs1=1000, ratio=1.0,
    #     alpha=0.05, alternative="two-sided").power -> 0.4694022066461381
    # (pooled variance under H0, unpooled under H1: Fleiss' formula, both tails)
    res = sampling.power_two_proportions(0.05, 0.07, 1000, method="fleiss")
    assert res.power == pytest.approx(0.4694022066461381, rel=1e-9)
    # power_proportions_2indep(diff=0.02, prop2=0.05, nobs1=2000, ratio=1.5): its group 1
    # (rate 0.07) has 2000 and group 2 (rate 0.05) 3000 -> 0.8349726431756993
    res = sampling.power_two_proportions(0.05, 0.07, 3000, 2000, method="fleiss")
    assert res.power == pytest.approx(0.8349726431756993, rel=1e-9)


def test_fleiss_power_at_its_sample_size_reaches_target():
    for cc in (False, True):
        res = sampling.sample_size_two_proportions(0.05, 0.07, method="fleiss", continuity=cc)
        assert res.power >= 0.8
        below = sampling.power_two_proportions(0.05, 0.07, res.n1 - 1, method="fleiss",
                                               continuity=cc)
        assert below.power < 0.8 + 1e-4


def test_two_proportion_result():
    res = sampling.sample_size_two_proportions(0.05, 0.07)
    json.dumps(res.to_dict(), allow_nan=False)
    assert res.total == 2 * 2199
    assert "NormalIndPower" in res.method_description
    assert "power" in res.summary() and "<table" in res._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n1 = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        ("power", {"p1": 0.05, "p2": 0.05, "n1": 100}, "no change"),
        ("power", {"p1": 0.0, "p2": 0.05, "n1": 100}, "'p1'"),
        ("power", {"p1": 0.05, "p2": 1.2, "n1": 100}, "'p2'"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 0}, "'n1'"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 10, "n2": 2.5}, "'n2'"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 10, "alpha": 0}, "'alpha'"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 10, "alternative": "greater"},
         "'alternative'"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 10, "alternative": "smaller"}, "p2 <"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 10, "continuity": True}, "continuity"),
        ("power", {"p1": 0.05, "p2": 0.07, "n1": 10, "method": "exact"}, "'method'"),
        ("size", {"p1": 0.05, "p2": 0.05}, "no change"),
        ("size", {"p1": 0.05, "p2": 0.07, "power": 1.0}, "'power'"),
        ("size", {"p1": 0.05, "p2": 0.07, "power": 0.01}, "must exceed alpha"),
        ("size", {"p1": 0.05, "p2": 0.07, "ratio": 0}, "'ratio'"),
        ("size", {"p1": "0.05", "p2": 0.07}, "must be a number"),
    ],
)
def test_two_proportions_bad_input(func, kwargs, match):
    f = (sampling.power_two_proportions if func == "power"
         else sampling.sample_size_two_proportions)
    with pytest.raises(ParameterError, match=match) as info:
        f(**kwargs)
    assert f.__name__ in str(info.value)


# --------------------------------------------------------------------------------------
# sample_size_proportion / margin_of_error bad input
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0.0, 0.01), {}, "'p'"),
        ((1.0, 0.01), {}, "'p'"),
        ((-0.2, 0.01), {}, "'p'"),
        ((float("nan"), 0.01), {}, "finite"),
        ((0.9, 0.0), {}, "'margin'"),
        ((0.9, 1.0), {}, "'margin'"),
        ((0.9, -0.01), {}, "'margin'"),
        ((0.9, 0.01, 1.0), {}, "'confidence'"),
        ((0.9, 0.01, 0.0), {}, "'confidence'"),
        ((0.9, 0.01, 0.95, 0), {}, "'population'"),
        ((0.9, 0.01, 0.95, 100.5), {}, "whole number"),
        ((0.9, 0.01), {"method": "exact"}, "'method'"),
        ((True, 0.01), {}, "must be a number"),
    ],
)
def test_sample_size_bad_input(args, kwargs, match):
    with pytest.raises(ParameterError, match=match) as info:
        sampling.sample_size_proportion(*args, **kwargs)
    assert "sample_size_proportion" in str(info.value)


def test_margin_of_error_bad_input():
    with pytest.raises(ParameterError, match="cannot exceed the population"):
        sampling.margin_of_error(0.9, 50, population=40)
    with pytest.raises(ParameterError, match="'n'"):
        sampling.margin_of_error(0.9, 0)


# --------------------------------------------------------------------------------------
# p chart ARL and detectable shift
# --------------------------------------------------------------------------------------
def _direct_arl(p0, p1, n, k=3.0):
    # Montgomery (2019) §7.2.1: signal when the count is beyond n x limit; the limits are
    # p0 ± k sqrt(p0 q0 / n) and the lower one is absent when not above 0.
    half = k * math.sqrt(p0 * (1 - p0) / n)
    ucl, lcl = p0 + half, p0 - half
    prob = stats.binom.sf(math.floor(n * ucl), n, p1)
    if lcl > 0:
        prob += stats.binom.cdf(math.ceil(n * lcl) - 1, n, p1)
    return 1 / prob


@pytest.mark.parametrize(("p0", "p1", "n"), [(0.05, 0.05, 500), (0.05, 0.08, 500),
                                             (0.05, 0.03, 500), (0.1, 0.2, 50),
                                             (0.02, 0.05, 1000), (0.05, 0.1, 100)])
def test_pchart_arl_against_direct_binomial(p0, p1, n):
    assert sampling.pchart_arl(p0, p1, n) == pytest.approx(_direct_arl(p0, p1, n), rel=1e-12)


def test_pchart_arl_vectorised_and_nsigmas():
    p1 = np.array([0.05, 0.06, 0.08])
    got = sampling.pchart_arl(0.05, p1, 500, nsigmas=2.5)
    np.testing.assert_allclose(got, [_direct_arl(0.05, q, 500, 2.5) for q in p1], rtol=1e-12)
    # the normal-theory 370 does not hold for the discrete binomial chart
    assert sampling.pchart_arl(0.05, 0.05, 500) != pytest.approx(370.4, rel=0.05)


def test_pchart_arl_no_signal_possible():
    # p0 = 0.5, n = 4: UCL = 1.25 and LCL < 0, so no count can signal
    assert sampling.pchart_arl(0.5, 0.9, 4) == math.inf


def test_detectable_shift_solves_the_arl_equation():
    res = sampling.pchart_detectable_shift(0.05, 500, 5)
    assert res.arl_increase <= 5 and _direct_arl(0.05, res.increase, 500) == pytest.approx(5,
                                                                                       rel=1e-8)
    assert _direct_arl(0.05, res.increase - 1e-6, 500) > 5
    assert res.arl_decrease <= 5 and _direct_arl(0.05, res.decrease + 1e-6, 500) > 5
    assert res.upper_count == 40  # n x UCL = 39.62
    assert res.lower_count == 10  # n x LCL = 10.38
    assert res.in_control_arl == pytest.approx(_direct_arl(0.05, 0.05, 500))
    json.dumps(res.to_dict(), allow_nan=False)
    assert res.to_frame()["direction"].tolist() == ["increase", "decrease"]
    assert "in-control ARL" in res.summary() and "<table" in res._repr_html_()


def test_detectable_shift_monte_carlo(rng):
    # Simulate the chart the library draws (ss.spc.p_chart with the known p0) on binomial
    # days at the detected rate: the fraction of days beyond the limits must be 1/5.
    res = sampling.pchart_detectable_shift(0.05, 500, 5)
    days = 40_000
    errors = rng.binomial(500, res.increase, size=days)
    chart = spc.p_chart({"errors": errors, "audited": np.full(days, 500)},
                        defectives="errors", size="audited", center=0.05)
    rate = np.unique(chart.violation_index).size / days
    assert rate == pytest.approx(0.2, abs=4 * math.sqrt(0.2 * 0.8 / days))
    # run lengths: first signal per simulated chart, mean ~ 5 days
    x = rng.binomial(500, res.increase, size=(4000, 120))
    signal = (x / 500 > res.ucl) | (x / 500 < res.lcl)
    run_length = signal.argmax(axis=1) + 1
    assert signal.any(axis=1).all()
    se = math.sqrt(0.8 / 0.2**2 / 4000)
    assert run_length.mean() == pytest.approx(5.0, abs=4 * se)


def test_detectable_shift_without_lower_limit():
    res = sampling.pchart_detectable_shift(0.05, 50, 5)
    assert math.isnan(res.lcl) and math.isnan(res.decrease) and res.lower_count is None
    assert res.notes
    assert json.dumps(res.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p0": 0.05, "n": 500, "days": 400}, "in-control ARL"),
        ({"p0": 0.05, "n": 500, "days": 1}, "exceed 1"),
        ({"p0": 0.05, "n": 500, "days": 5, "rules": "nelson"}, "only rule 1"),
        ({"p0": 0.05, "n": 500, "days": 5, "rules": "nelson_9"}, "unknown rule"),
        ({"p0": 1.0, "n": 500, "days": 5}, "'p0'"),
        ({"p0": 0.05, "n": 0, "days": 5}, "'n'"),
        ({"p0": 0.05, "n": 500, "days": 5, "nsigmas": 0}, "'nsigmas'"),
    ],
)
def test_detectable_shift_bad_input(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sampling.pchart_detectable_shift(**kwargs)


def test_detectable_shift_accepts_we_1():
    assert sampling.pchart_detectable_shift(0.05, 500, 5, rules="we_1").increase == (
        sampling.pchart_detectable_shift(0.05, 500, 5).increase)


def test_pchart_arl_bad_p1():
    with pytest.raises(ParameterError, match="value 1"):
        sampling.pchart_arl(0.05, [0.1, 1.5], 500)


# --------------------------------------------------------------------------------------
# every sampling result through JSON and back
# --------------------------------------------------------------------------------------
def _results():
    yield sampling.allocate(STRATA, 700, method="neyman")
    # a stratum without audits: the overall margin is undefined (NaN -> null + note)
    yield sampling.allocate({"stratum": ["a", "b"], "size": [10_000, 10]}, 100)
    yield sampling.power_two_proportions(0.05, 0.07, 1000)
    yield sampling.sample_size_two_proportions(0.10, 0.20, method="fleiss", continuity=True)
    yield sampling.pchart_detectable_shift(0.05, 500, 5)
    yield sampling.pchart_detectable_shift(0.05, 50, 5)  # no lower limit: NaN figures


@pytest.mark.parametrize("result", list(_results()), ids=lambda r: type(r).__name__)
def test_results_round_trip(result):
    again = assert_round_trip(result)
    assert isinstance(again.summary(), str) and isinstance(again.to_frame(), pd.DataFrame)
    assert "<table" in again._repr_html_()


def test_undefined_figures_read_back_as_none_with_a_note():
    res = sampling.pchart_detectable_shift(0.05, 50, 5)
    d = res.to_dict()
    again = ss.from_dict(d)
    assert d["decrease"] is None and again.decrease is None
    assert any("no lower limit" in n for n in again.notes)
    assert any(n.startswith("lcl is undefined") for n in again.notes)
    a = sampling.allocate({"stratum": ["a", "b"], "size": [10_000, 10]}, 100)
    again = ss.from_dict(a.to_dict())
    assert again.overall_margin is None and "undefined" in again.summary()
