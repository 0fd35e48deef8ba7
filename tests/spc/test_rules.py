"""Tests of sixsigma.spc.rules: every rule pinned by tiny hand-made series, plus an
equivalence test against a slow, obviously correct pure-Python reference implementation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sixsigma.errors import ParameterError
from sixsigma.spc.rules import (
    ALL_RULES,
    ANHOJ_MIN_USEFUL,
    RULE_DESCRIPTIONS,
    RULE_SETS,
    anhoj_limits,
    find_violations,
    resolve_rules,
)

nan = math.nan


def hits(x, rule, *, center=0.0, se=1.0, lcl=-3.0, ucl=3.0, segment=None):
    """(index, rule) pairs for one rule on a chart with centre 0, se 1, limits +/-3."""
    x = np.asarray(x, dtype=float)
    n = x.size
    vec = [np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in (center, se, lcl, ucl)]
    index, rules = find_violations(x, *vec, (rule,), segment=segment)
    return list(zip(index.tolist(), rules.tolist(), strict=True))


def pairs(rule, *indices):
    return [(i, rule) for i in indices]


# ---------------------------------------------------------------------------------------
# Rule 1: a point beyond a limit
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["nelson_1", "we_1"])
def test_rule_1_flags_points_beyond_limits(rule):
    assert hits([0, 3.5, 0, -3.2, 3.0, -3.0], rule) == pairs(rule, 1, 3)


@pytest.mark.parametrize("rule", ["nelson_1", "we_1"])
def test_rule_1_points_on_or_inside_limits_do_not_signal(rule):
    assert hits([2.9, -2.99, 3.0, -3.0], rule) == []


def test_rule_1_nan_limit_never_triggers():
    x = [10.0, 10.0, -10.0, -10.0]
    lcl = [-3.0, nan, nan, -3.0]
    ucl = [nan, 3.0, nan, 3.0]
    assert hits(x, "nelson_1", lcl=lcl, ucl=ucl) == pairs("nelson_1", 1, 3)


def test_rule_1_nan_statistic_never_triggers():
    assert hits([nan, 4.0, nan], "nelson_1") == pairs("nelson_1", 1)


def test_rule_1_ignores_se():
    # rule 1 compares with the limits only; se = 0 or NaN does not matter
    assert hits([4.0, 4.0], "nelson_1", se=[0.0, nan]) == pairs("nelson_1", 0, 1)


def test_single_point_beyond_limit_is_flagged():
    assert hits([5.0], "nelson_1") == pairs("nelson_1", 0)


# ---------------------------------------------------------------------------------------
# Nelson 2 (9 on one side) and Western Electric 4 (8 on one side)
# ---------------------------------------------------------------------------------------
def test_nelson_2_nine_in_a_row_above():
    assert hits([-1.0] + [0.5] * 9 + [-0.5], "nelson_2") == pairs("nelson_2", 9)


def test_nelson_2_flags_every_point_of_a_long_run_from_the_ninth():
    assert hits([-0.5] * 11, "nelson_2") == pairs("nelson_2", 8, 9, 10)


def test_nelson_2_eight_in_a_row_is_not_enough():
    assert hits([0.5] * 8 + [-0.5] + [0.5] * 8, "nelson_2") == []


def test_nelson_2_point_on_centre_breaks_the_run():
    assert hits([0.5] * 4 + [0.0] + [0.5] * 8, "nelson_2") == []


def test_nelson_2_does_not_depend_on_se():
    se = [1.0, 1.0, 1.0, 0.0, nan, 1.0, 1.0, 1.0, 1.0]
    assert hits([0.5] * 9, "nelson_2", se=se) == pairs("nelson_2", 8)


def test_we_4_eight_in_a_row():
    assert hits([0.5] * 8 + [-0.1], "we_4") == pairs("we_4", 7)


def test_we_4_seven_in_a_row_is_not_enough():
    assert hits([0.5] * 7 + [0.0] + [0.5] * 7, "we_4") == []


# ---------------------------------------------------------------------------------------
# Nelson 3: 6 points in a row increasing or decreasing
# ---------------------------------------------------------------------------------------
def test_nelson_3_six_increasing():
    assert hits([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], "nelson_3") == pairs("nelson_3", 5)


def test_nelson_3_seven_decreasing_flags_sixth_and_seventh():
    assert hits([0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0], "nelson_3") == pairs("nelson_3", 5, 6)


def test_nelson_3_five_increasing_is_not_enough():
    assert hits([0.0, 0.1, 0.2, 0.3, 0.4, 0.0], "nelson_3") == []


def test_nelson_3_equal_pair_breaks_the_trend():
    x = [0.0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    # 0.2 .. 0.7 from index 3 is the first trend of 6 points
    assert hits(x, "nelson_3") == pairs("nelson_3", 8)
    assert hits(x[:8], "nelson_3") == []


# ---------------------------------------------------------------------------------------
# Nelson 4: 14 points alternating up and down
# ---------------------------------------------------------------------------------------
def zigzag(k, a=0.5):
    return [a * (-1) ** i for i in range(k)]


def test_nelson_4_fourteen_alternating():
    assert hits(zigzag(14), "nelson_4") == pairs("nelson_4", 13)
    assert hits(zigzag(15), "nelson_4") == pairs("nelson_4", 13, 14)


def test_nelson_4_thirteen_alternating_is_not_enough():
    assert hits(zigzag(13), "nelson_4") == []


def test_nelson_4_equal_pair_breaks_the_alternation():
    x = zigzag(14)
    x[7] = x[6]
    assert hits(x, "nelson_4") == []


def test_nelson_4_alternation_need_not_cross_the_centre():
    x = [1.0 + 0.1 * (-1) ** i for i in range(14)]
    assert hits(x, "nelson_4") == pairs("nelson_4", 13)


# ---------------------------------------------------------------------------------------
# Nelson 5 / WE 2: 2 of 3 beyond 2 sigma, same side
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["nelson_5", "we_2"])
def test_two_of_three_beyond_two_sigma(rule):
    assert hits([0, 2.5, 0, 2.5, 0, 0, 2.5], rule) == pairs(rule, 3)
    assert hits([-2.1, 0.3, -2.5], rule) == pairs(rule, 2)


@pytest.mark.parametrize("rule", ["nelson_5", "we_2"])
def test_two_of_three_flags_only_points_that_are_beyond(rule):
    assert hits([2.5, 2.5, 0.0], rule) == pairs(rule, 1)
    assert hits([2.5, 2.5, 2.5], rule) == pairs(rule, 1, 2)


@pytest.mark.parametrize("rule", ["nelson_5", "we_2"])
def test_two_of_three_near_misses(rule):
    assert hits([2.5, 0, -2.5], rule) == []  # opposite sides
    assert hits([2.5, 0, 2.0], rule) == []  # exactly 2 sigma is not beyond
    assert hits([2.5, 0, 0, 2.5], rule) == []  # 1 of 3 in every window
    assert hits([2.5, nan, 2.5], rule) == []  # NaN breaks the window
    assert hits([2.5, 0, 2.5], rule, se=[1.0, 0.0, 1.0]) == []  # se = 0 breaks it


def test_two_of_three_window_is_truncated_at_segment_start():
    assert hits([0, 2.5, 2.5], "nelson_5") == pairs("nelson_5", 2)
    assert hits([0, 2.5, 2.5], "nelson_5", segment=[0, 0, 1]) == []
    assert hits([2.5, 0, 2.5, 2.5], "nelson_5", segment=[0, 0, 1, 1]) == pairs("nelson_5", 3)


# ---------------------------------------------------------------------------------------
# Nelson 6 / WE 3: 4 of 5 beyond 1 sigma, same side
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["nelson_6", "we_3"])
def test_four_of_five_beyond_one_sigma(rule):
    assert hits([1.5, 1.5, 0.0, 1.5, 1.5], rule) == pairs(rule, 4)
    assert hits([-1.5] * 5, rule) == pairs(rule, 3, 4)


@pytest.mark.parametrize("rule", ["nelson_6", "we_3"])
def test_four_of_five_near_misses(rule):
    assert hits([1.5, 1.5, 0, 0, 1.5, 1.5], rule) == []  # 3 of 5
    assert hits([1.5, 1.5, -1.5, 1.5], rule) == []  # mixed sides
    assert hits([1.5, 1.5, 1.0, 1.5], rule) == []  # exactly 1 sigma is not beyond
    assert hits([1.5, 1.5, 1.5, 0.5, 1.5], rule, se=[1, 1, 1, 1, 0.5]) == pairs(rule, 4)
    assert hits([1.5, 1.5, 1.5, 0.5, 1.5], rule, se=[1, 1, nan, 1, 1]) == []


# ---------------------------------------------------------------------------------------
# Nelson 7: 15 within 1 sigma; Nelson 8: 8 beyond 1 sigma
# ---------------------------------------------------------------------------------------
def test_nelson_7_fifteen_within_one_sigma():
    assert hits(zigzag(15, 0.3) + [1.5], "nelson_7") == pairs("nelson_7", 14)


def test_nelson_7_fourteen_within_is_not_enough():
    assert hits(zigzag(14, 0.3) + [1.5] + zigzag(14, 0.3), "nelson_7") == []


def test_nelson_7_exactly_one_sigma_is_not_within():
    assert hits([0.3] * 7 + [1.0] + [0.3] * 7, "nelson_7") == []


def test_nelson_7_uses_the_local_se():
    # 2.0 is within 1 sigma where se = 4
    assert hits([0.3] * 7 + [2.0] + [0.3] * 7, "nelson_7", se=[1.0] * 7 + [4.0] + [1.0] * 7) == [
        (14, "nelson_7")
    ]


def test_nelson_8_eight_beyond_one_sigma_either_side():
    assert hits(zigzag(8, 1.5), "nelson_8") == pairs("nelson_8", 7)


def test_nelson_8_seven_beyond_is_not_enough():
    assert hits(zigzag(7, 1.5) + [0.5] + zigzag(7, 1.5), "nelson_8") == []
    assert hits(zigzag(7, 1.5) + [1.0] + zigzag(7, 1.5), "nelson_8") == []


def test_nelson_8_se_zero_breaks_the_run():
    assert hits([1.5] * 8, "nelson_8", se=[1, 1, 1, 0, 1, 1, 1, 1]) == []


# ---------------------------------------------------------------------------------------
# Breaks: NaN statistic, segments
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "x"),
    [
        ("nelson_2", [0.5] * 5 + [nan] + [0.5] * 5),
        ("we_4", [0.5] * 4 + [nan] + [0.5] * 4),
        ("nelson_3", [0, 1, 2, nan, 3, 4, 5]),
        ("nelson_4", zigzag(7) + [nan] + zigzag(7)),
        ("nelson_6", [1.5, 1.5, nan, 1.5, 1.5]),
        ("nelson_7", [0.1] * 8 + [nan] + [0.1] * 8),
        ("nelson_8", [1.5] * 4 + [nan] + [1.5] * 4),
    ],
)
def test_nan_breaks_runs(rule, x):
    assert hits(x, rule) == []
    filled = [0.5 if math.isnan(v) else v for v in x]
    if rule == "nelson_3":
        filled = [0, 1, 2, 2.5, 3, 4, 5]
    if rule == "nelson_4":
        filled = zigzag(15)
    if rule in ("nelson_6", "nelson_8"):
        filled = [1.5 if math.isnan(v) else v for v in x]
    if rule == "nelson_7":
        filled = [0.1] * 17
    assert hits(filled, rule) != []  # the same series without the NaN does signal


@pytest.mark.parametrize(
    ("rule", "x", "cut"),
    [
        ("nelson_2", [0.5] * 12, 6),
        ("we_4", [0.5] * 10, 5),
        ("nelson_3", [0, 1, 2, 3, 4, 5, 6], 3),
        ("nelson_4", zigzag(16), 8),
        ("nelson_5", [2.5, 2.5], 1),
        ("nelson_6", [1.5] * 6, 3),
        ("nelson_7", [0.1] * 20, 10),
        ("nelson_8", [1.5] * 12, 6),
    ],
)
def test_segment_boundary_breaks_runs(rule, x, cut):
    assert hits(x, rule) != []
    segment = [0] * cut + [1] * (len(x) - cut)
    assert hits(x, rule, segment=segment) == []


def test_runs_restart_in_each_segment():
    segment = [3] * 9 + [7] * 9
    assert hits([0.5] * 18, "nelson_2", segment=segment) == pairs("nelson_2", 8, 17)


# ---------------------------------------------------------------------------------------
# Anhøj rules
# ---------------------------------------------------------------------------------------
def test_anhoj_run_longer_than_limit():
    # 10 useful points: longest-run limit 6, so a run of 7 signals at its 7th point
    x = [1, 1, 1, 1, 1, 1, 1, -1, 1, -1]
    assert hits(x, "anhoj_run") == pairs("anhoj_run", 6)
    assert hits(x, "anhoj_crossings") == []


def test_anhoj_run_flags_every_point_beyond_the_limit():
    x = [1] * 8 + [-1, 1]  # 10 useful points: limit 6
    assert hits(x, "anhoj_run") == pairs("anhoj_run", 6, 7)


def test_anhoj_run_at_the_limit_does_not_signal():
    assert hits([1] * 6 + [-1, 1, -1, 1], "anhoj_run") == []


def test_anhoj_points_on_centre_are_ignored():
    # the point on the centre line neither breaks nor extends the run, and is not useful
    x = [1, 1, 1, 0, 1, 1, 1, 1, -1, 1, -1]
    assert hits(x, "anhoj_run") == pairs("anhoj_run", 7)


def test_anhoj_nan_breaks_the_run():
    assert hits([1, 1, 1, nan, 1, 1, 1, 1, -1, 1, -1], "anhoj_run") == []


def test_anhoj_run_limit_depends_on_useful_points():
    # 24 useful points: limit 8; a run of 8 is fine, 9 signals
    base = [-1, 1] * 8
    assert hits([1] * 8 + base, "anhoj_run") == []
    assert hits([1] * 9 + base[:-1], "anhoj_run") == pairs("anhoj_run", 8)


def test_anhoj_crossings_too_few():
    # 10 useful points, 1 crossing < 2: flagged at the last point
    assert hits([1] * 5 + [-1] * 5, "anhoj_crossings") == pairs("anhoj_crossings", 9)
    assert hits([1] * 5 + [-1] * 5, "anhoj_run") == []


def test_anhoj_crossings_flagged_at_last_useful_point():
    x = [1] * 5 + [-1] * 5 + [0, nan]
    assert hits(x, "anhoj_crossings") == pairs("anhoj_crossings", 9)


def test_anhoj_crossings_enough():
    assert hits([1] * 4 + [-1] * 3 + [1] * 3, "anhoj_crossings") == []


def test_anhoj_crossings_counted_across_nan():
    # the NaN does not hide the crossing between the points around it
    x = [1] * 5 + [nan] + [-1] * 5
    assert hits(x, "anhoj_crossings") == pairs("anhoj_crossings", 10)
    x = [1] * 4 + [nan] + [-1] * 3 + [1] * 3
    assert hits(x, "anhoj_crossings") == []


def test_anhoj_not_judged_below_ten_useful_points():
    assert ANHOJ_MIN_USEFUL == 10
    assert hits([1] * 9, "anhoj_run") == []
    assert hits([1] * 4 + [-1] * 5 + [0, 0], "anhoj_crossings") == []


def test_anhoj_rules_per_segment():
    x = [1] * 5 + [-1] * 5 + [1, -1] * 5 + [1] * 7 + [-1, 1, -1]
    seg = [0] * 10 + [1] * 10 + [2] * 10
    got = find_violations(np.array(x, float), 0.0, 1.0, nan, nan, RULE_SETS["anhoj"], segment=seg)
    assert list(zip(got[0].tolist(), got[1].tolist(), strict=True)) == [
        (9, "anhoj_crossings"),
        (26, "anhoj_run"),
    ]


def test_anhoj_uses_the_given_centre():
    x = np.arange(10.0)
    index, _ = find_violations(x, 4.5, 1.0, nan, nan, ("anhoj_crossings",))
    assert index.tolist() == [9]


# Published critical values, from the qicharts2 vignette "qicharts2", Appendix 2
# "Critical values for longest run and number of crossings" (Anhøj, qicharts2 0.7 on CRAN,
# vignettes/qicharts2.Rmd: `round(log2(n) + 3)` and `qbinom(0.05, n - 1, 0.5)`), the
# table Anhøj & Olesen (2014) use; rows n = 10 .. 100.
PUBLISHED_RUN_MAX = [6, 6] + [7] * 11 + [8] * 23 + [9] * 45 + [10] * 10
PUBLISHED_CROSSINGS_MIN = [
    2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10, 11, 11, 11, 12, 12,
    13, 13, 14, 14, 14, 15, 15, 16, 16, 17, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 21,
    22, 22, 23, 23, 24, 24, 25, 25, 25, 26, 26, 27, 27, 28, 28, 29, 29, 29, 30, 30, 31,
    31, 32, 32, 33, 33, 34, 34, 34, 35, 35, 36, 36, 37, 37, 38, 38, 39, 39, 39, 40, 40,
    41, 41,
]  # fmt: skip


def test_anhoj_limits_match_published_table():
    n = np.arange(10, 101)
    run_max, cross_min = anhoj_limits(n)
    assert len(PUBLISHED_RUN_MAX) == len(PUBLISHED_CROSSINGS_MIN) == n.size
    assert run_max.tolist() == PUBLISHED_RUN_MAX
    assert cross_min.tolist() == PUBLISHED_CROSSINGS_MIN


@pytest.mark.parametrize(
    ("n", "expected"), [(10, (6, 2)), (20, (7, 6)), (24, (8, 8)), (30, (8, 10)), (40, (8, 14))]
)
def test_anhoj_limits_scalar(n, expected):
    assert anhoj_limits(n) == expected
    assert all(type(v) is int for v in anhoj_limits(n))


def exact_qbinom_half(p, size):
    """Smallest k with P(Binomial(size, 1/2) <= k) >= p, in exact rational arithmetic."""
    total, target, acc = 2**size, Fraction(p).limit_denominator(10**6), 0
    for k in range(size + 1):
        acc += math.comb(size, k)
        if Fraction(acc, total) >= target:
            return k
    return size


@pytest.mark.parametrize("n", [1, 2, 5, 101, 137, 250, 512, 1000, 4097])
def test_anhoj_crossings_limit_is_exact_binomial_quantile(n):
    assert anhoj_limits(n)[1] == exact_qbinom_half(0.05, n - 1)
    assert anhoj_limits(n)[0] == round(math.log2(n) + 3)


# ---------------------------------------------------------------------------------------
# resolve_rules, validation, output format
# ---------------------------------------------------------------------------------------
def test_rule_tables_are_consistent():
    assert len(ALL_RULES) == len(set(ALL_RULES)) == 14
    assert set(ALL_RULES) == {r for ids in RULE_SETS.values() for r in ids}
    assert set(RULE_DESCRIPTIONS) == set(ALL_RULES)
    assert RULE_SETS["nelson"] == tuple(f"nelson_{k}" for k in range(1, 9))


def test_resolve_rules_default_and_sets():
    assert resolve_rules(None, caller="f") == ("nelson_1",)
    assert resolve_rules("nelson", caller="f") == RULE_SETS["nelson"]
    assert resolve_rules("western_electric", caller="f") == ("we_1", "we_2", "we_3", "we_4")
    assert resolve_rules("anhoj", caller="f") == ("anhoj_run", "anhoj_crossings")
    assert resolve_rules("nelson_5", caller="f") == ("nelson_5",)


def test_resolve_rules_mixes_dedupes_and_orders():
    got = resolve_rules(["anhoj_run", "we_4", "western_electric", "nelson_2", "we_4"], caller="f")
    assert got == ("nelson_2", "we_1", "we_2", "we_3", "we_4", "anhoj_run")
    assert resolve_rules(("nelson", "nelson_1"), caller="f") == RULE_SETS["nelson"]
    assert resolve_rules([], caller="f") == ()


def test_resolve_rules_unknown_name():
    with pytest.raises(ParameterError, match=r"imr_chart: unknown rule 'xyz'; expected one of"):
        resolve_rules(["nelson_1", "xyz"], caller="imr_chart")
    with pytest.raises(ParameterError, match=r"p_chart: unknown rule 'Nelson'"):
        resolve_rules("Nelson", caller="p_chart")
    with pytest.raises(ParameterError, match=r"unknown rule 3"):
        resolve_rules([3], caller="f")  # type: ignore[list-item]
    with pytest.raises(ParameterError, match=r"'we_1'.*'anhoj_crossings'"):
        resolve_rules("we5", caller="f")


def test_resolve_rules_error_is_a_value_error():
    with pytest.raises(ValueError):
        resolve_rules("nelson_9", caller="f")


def test_find_violations_rejects_unknown_rule_and_bad_shapes():
    x = np.zeros(3)
    with pytest.raises(ParameterError, match="find_violations: unknown rule 'nelson'"):
        find_violations(x, 0.0, 1.0, -3.0, 3.0, ("nelson",))
    with pytest.raises(ParameterError, match="'se' must have the length"):
        find_violations(x, 0.0, np.ones(2), -3.0, 3.0, ("nelson_1",))
    with pytest.raises(ParameterError, match="'segment' must have the length"):
        find_violations(x, 0.0, 1.0, -3.0, 3.0, ("nelson_1",), segment=[0, 1])
    with pytest.raises(ParameterError, match="must be a tuple of rule ids"):
        find_violations(x, 0.0, 1.0, -3.0, 3.0, "nelson_1")
    with pytest.raises(ParameterError, match="1-D"):
        find_violations(np.zeros((2, 2)), 0.0, 1.0, -3.0, 3.0, ("nelson_1",))


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_inputs(n):
    x = np.zeros(n)
    index, rule = find_violations(x, x, x + 1, x - 3, x + 3, ALL_RULES)
    assert index.dtype == np.int64 and index.size == 0
    assert rule.dtype.kind == "U" and rule.size == 0


def test_no_rules_gives_empty_result():
    index, rule = find_violations(np.full(5, 9.0), 0.0, 1.0, -3.0, 3.0, ())
    assert index.size == 0 and rule.size == 0


def test_sorted_by_index_then_rule_order():
    x = np.array([0.5] * 8 + [2.5, 3.5, 0.1])
    index, rule = find_violations(
        x, 0.0, 1.0, -3.0, 3.0, ("we_4", "nelson_5", "nelson_1", "nelson_2", "we_1")
    )
    assert index.dtype == np.int64
    assert rule.dtype == np.dtype("<U15")
    assert list(zip(index.tolist(), rule.tolist(), strict=True)) == [
        (7, "we_4"),
        (8, "nelson_2"),
        (8, "we_4"),
        (9, "nelson_1"),
        (9, "nelson_2"),
        (9, "nelson_5"),
        (9, "we_1"),
        (9, "we_4"),
        (10, "nelson_2"),
        (10, "we_4"),
    ]


def test_inputs_are_not_modified():
    rng = np.random.default_rng(7)
    arrays = [rng.normal(size=50) for _ in range(5)]
    arrays[2] = np.abs(arrays[2])
    copies = [a.copy() for a in arrays]
    find_violations(*arrays, ALL_RULES)
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)


# ---------------------------------------------------------------------------------------
# Equivalence with a slow, obviously correct reference implementation
# ---------------------------------------------------------------------------------------
def qbinom_05(size):
    return exact_qbinom_half(0.05, size)


def reference(x, center, se, lcl, ucl, rules, segment=None):
    """Pure-Python, point-by-point implementation of the documented conventions."""
    n = len(x)
    seg = list(segment) if segment is not None else [0] * n

    def side(j):
        if x[j] > center[j]:
            return 1
        if x[j] < center[j]:
            return -1
        return 0  # on the centre line, or NaN

    def z(j):
        if not se[j] > 0:
            return None
        value = (x[j] - center[j]) / se[j]
        return value if math.isfinite(value) else None

    def same_seg(i, k):  # points i-k+1 .. i exist and share a segment
        return i - k + 1 >= 0 and all(seg[j] == seg[i] for j in range(i - k + 1, i + 1))

    def diff_sign(j):  # sign of x[j] - x[j-1], 0 for equal or NaN
        if x[j] > x[j - 1]:
            return 1
        if x[j] < x[j - 1]:
            return -1
        return 0

    def in_a_row(i, k, test):
        return same_seg(i, k) and all(test(j) for j in range(i - k + 1, i + 1))

    def m_of_w(i, m, w, limit):
        for sgn in (1, -1):
            zi = z(i)
            if zi is None or not sgn * zi > limit:
                continue
            count = 1
            for j in range(i - 1, i - w, -1):
                if j < 0 or seg[j] != seg[i] or z(j) is None:
                    break
                if sgn * z(j) > limit:
                    count += 1
            if count >= m:
                return True
        return False

    def trend(i):
        if not same_seg(i, 6):
            return False
        signs = {diff_sign(j) for j in range(i - 4, i + 1)}
        return signs in ({1}, {-1})

    def alternating(i):
        if not same_seg(i, 14):
            return False
        signs = [diff_sign(j) for j in range(i - 12, i + 1)]
        return all(s != 0 for s in signs) and all(
            signs[k] == -signs[k - 1] for k in range(1, len(signs))
        )

    def within(j):
        zj = z(j)
        return zj is not None and abs(zj) < 1

    def beyond(j):
        zj = z(j)
        return zj is not None and abs(zj) > 1

    tests = {
        "nelson_1": lambda i: x[i] > ucl[i] or x[i] < lcl[i],
        "nelson_2": lambda i: side(i) != 0 and in_a_row(i, 9, lambda j: side(j) == side(i)),
        "we_4": lambda i: side(i) != 0 and in_a_row(i, 8, lambda j: side(j) == side(i)),
        "nelson_3": trend,
        "nelson_4": alternating,
        "nelson_5": lambda i: m_of_w(i, 2, 3, 2.0),
        "nelson_6": lambda i: m_of_w(i, 4, 5, 1.0),
        "nelson_7": lambda i: in_a_row(i, 15, within),
        "nelson_8": lambda i: in_a_row(i, 8, beyond),
    }
    tests["we_1"], tests["we_2"], tests["we_3"] = (
        tests["nelson_1"],
        tests["nelson_5"],
        tests["nelson_6"],
    )

    flagged = set()
    for rule in rules:
        if rule in tests:
            flagged |= {(i, rule) for i in range(n) if tests[rule](i)}
    # Anhøj, segment by segment
    for s in dict.fromkeys(seg):
        points = [i for i in range(n) if seg[i] == s]
        useful = [i for i in points if side(i) != 0]
        if len(useful) < 10:
            continue
        run_max = round(math.log2(len(useful)) + 3)
        if "anhoj_run" in rules:
            run, prev = 0, 0
            for i in points:
                if math.isnan(x[i]) or math.isnan(center[i]):
                    run, prev = 0, 0
                elif side(i) == 0:
                    continue
                else:
                    run = run + 1 if side(i) == prev else 1
                    prev = side(i)
                    if run > run_max:
                        flagged.add((i, "anhoj_run"))
        if "anhoj_crossings" in rules:
            crossings = sum(
                side(a) != side(b) for a, b in zip(useful[:-1], useful[1:], strict=True)
            )
            if crossings < qbinom_05(len(useful) - 1):
                flagged.add((useful[-1], "anhoj_crossings"))
    order = {r: k for k, r in enumerate(ALL_RULES)}
    return sorted(flagged, key=lambda t: (t[0], order[t[1]]))


def random_case(rng, n):
    """A random chart with ties, points on the centre, NaNs, bad se, NaN limits, stages."""
    kind = rng.integers(6)
    if kind == 0:  # discrete values: ties and points on the centre
        x = rng.integers(-4, 5, size=n) / 2.0
    elif kind == 1:  # continuous
        x = rng.normal(scale=1.3, size=n)
    elif kind == 2:  # sticky sides: long runs, few crossings
        x = np.repeat(rng.choice([-1.5, -0.5, 0.5, 1.5], size=n // 4 + 1), 4)[:n]
        x = x + rng.integers(-1, 2, size=n) * 0.25
    elif kind == 3:  # zig-zag with noise
        x = (-1.0) ** np.arange(n) * rng.uniform(0.1, 2.5, size=n)
    elif kind == 4:  # random walk with ties: trends
        x = np.cumsum(rng.choice([-0.2, 0.0, 0.2, 0.2, 0.4], size=n)) - 1.0
    else:  # mostly within 1 sigma
        x = rng.uniform(-1.05, 1.05, size=n)
    x[rng.random(n) < 0.03] = nan
    center = np.zeros(n)
    se = rng.choice([1.0, 1.0, 1.0, 0.5, 2.0], size=n)
    se[rng.random(n) < 0.03] = 0.0
    se[rng.random(n) < 0.02] = nan
    lcl = center - 3 * se
    ucl = center + 3 * se
    lcl[rng.random(n) < 0.2] = nan
    ucl[rng.random(n) < 0.2] = nan
    segment = None
    if rng.random() < 0.5:
        segment = np.sort(rng.integers(0, 3, size=n))
    return x, center, se, lcl, ucl, segment


def check_against_reference(x, center, se, lcl, ucl, segment):
    index, rule = find_violations(x, center, se, lcl, ucl, ALL_RULES, segment=segment)
    got = list(zip(index.tolist(), rule.tolist(), strict=True))
    expected = reference(
        x.tolist(),
        center.tolist(),
        se.tolist(),
        lcl.tolist(),
        ucl.tolist(),
        ALL_RULES,
        None if segment is None else segment.tolist(),
    )
    assert got == expected


@pytest.mark.parametrize("seed", range(120))
def test_matches_reference_on_random_series(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 120))
    check_against_reference(*random_case(rng, n))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([-3.5, -2.5, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.5, nan]),
            st.sampled_from([1.0, 1.0, 1.0, 0.0, nan]),
            st.integers(0, 1),
        ),
        max_size=70,
    )
)
def test_matches_reference_hypothesis(points):
    x = np.array([p[0] for p in points], dtype=float)
    se = np.array([p[1] for p in points], dtype=float)
    segment = np.cumsum([p[2] for p in points]) // 10 if points else np.zeros(0, int)
    center = np.zeros(x.size)
    check_against_reference(x, center, se, center - 3, center + 3, segment)


def test_all_rules_on_a_long_series_are_fast_enough_and_sane():
    rng = np.random.default_rng(11)
    n = 200_000
    x = rng.standard_normal(n)
    index, rule = find_violations(x, 0.0, 1.0, -3.0, 3.0, RULE_SETS["nelson"])
    # rule 1 alone: about 0.27 % of points
    share = np.count_nonzero(rule == "nelson_1") / n
    assert 0.0022 < share < 0.0032
    assert np.all(np.diff(index) >= 0)


def test_block_evaluation_equals_whole_series(monkeypatch):
    """Long series are judged in overlapping blocks; the result must not depend on it."""
    from sixsigma.spc import rules as rules_module

    gen = np.random.default_rng(3)
    x = gen.normal(size=5000)
    x[gen.integers(0, 5000, 40)] = np.nan
    x[1000:1020] = 0.0  # points on the centre line
    x[2000:2030] = np.linspace(-2, 2, 30)  # a long trend across a block edge
    seg = np.repeat(np.arange(5), 1000)
    every = rules_module.ALL_RULES
    whole = rules_module.find_violations(x, 0.0, 1.0, -3.0, 3.0, every, segment=seg)
    monkeypatch.setattr(rules_module, "_BLOCK", 97)
    blocked = rules_module.find_violations(x, 0.0, 1.0, -3.0, 3.0, every, segment=seg)
    np.testing.assert_array_equal(whole[0], blocked[0])
    np.testing.assert_array_equal(whole[1], blocked[1])
    assert whole[0].size > 50


def test_rule_table_covers_every_rule_id_in_order():
    from sixsigma.spc.rules import RULES

    assert tuple(RULES) == ALL_RULES
    assert {k: r.description for k, r in RULES.items()} == RULE_DESCRIPTIONS
    for rule in RULES.values():
        assert rule.same_as is None or rule.same_as in RULES
    assert {k for k, r in RULES.items() if r.whole_series} == set(RULE_SETS["anhoj"])
