"""Tests of sixsigma.spc.arl: a small simulation against the exact ARL of rule 1, and the
documented table against exact values and Champ & Woodall (1987)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import sixsigma.spc.arl as arl_module
from sixsigma.errors import ParameterError
from sixsigma.spc.arl import (
    IN_CONTROL_ARL,
    IN_CONTROL_ARL_SE,
    in_control_arl,
    simulate_run_lengths,
)
from sixsigma.spc.rules import RULE_SETS

P_BEYOND_3 = 2 * stats.norm.sf(3.0)  # 0.0026998
P_BEYOND_1 = 2 * stats.norm.sf(1.0)  # 0.3173105


def run_of_k_arl(p, k):
    """Expected trials until k successes in a row (success probability p), exact."""
    return (p**-k - 1) / (1 - p)


# Exact in-control ARLs for i.i.d. N(0, 1) data:
EXACT = {
    "nelson_1": 1 / P_BEYOND_3,  # 370.40 (geometric)
    "nelson_2": 2**9 - 1,  # 9 in a row on one side of a fair coin: 511
    "we_4": 2**8 - 1,  # 255
    "nelson_7": run_of_k_arl(1 - P_BEYOND_1, 15),  # 963.3
    "nelson_8": run_of_k_arl(P_BEYOND_1, 8),  # 14 251.4
    # Champ & Woodall (1987), Technometrics 29(4), Markov chain: Western Electric rules 1-4
    "western_electric": 91.75,
}


def test_exact_values_are_what_the_docstring_says():
    assert EXACT["nelson_1"] == pytest.approx(370.40, abs=0.01)
    assert EXACT["nelson_7"] == pytest.approx(963.3, abs=0.05)
    assert EXACT["nelson_8"] == pytest.approx(14251.4, abs=0.05)


def test_docstring_states_the_exact_nelson_8_arl():
    # issue 15 item 8: the docstring said 14 260 (rounded wrongly)
    source = open(arl_module.__file__, encoding="utf-8").read()
    assert "14 251.4" in source and "= 14 260" not in source


@pytest.mark.parametrize("key", sorted(EXACT))
def test_table_agrees_with_exact_values_within_its_standard_error(key):
    assert abs(IN_CONTROL_ARL[key] - EXACT[key]) < 2.5 * IN_CONTROL_ARL_SE[key]


def test_table_standard_errors_are_plausible():
    assert set(IN_CONTROL_ARL) == set(IN_CONTROL_ARL_SE)
    for key, value in IN_CONTROL_ARL.items():
        # run lengths are close to geometric: sd close to the mean
        assert 0.002 * value < IN_CONTROL_ARL_SE[key] < 0.006 * value, key


def test_table_covers_every_rule_and_the_sets():
    for rule in RULE_SETS["nelson"] + RULE_SETS["western_electric"]:
        assert rule in IN_CONTROL_ARL
    assert {"nelson", "western_electric"} <= set(IN_CONTROL_ARL)
    assert not any("anhoj" in key for key in IN_CONTROL_ARL)
    # Western Electric tests 1-3 are Nelson's 1, 5 and 6
    assert IN_CONTROL_ARL["we_1"] == IN_CONTROL_ARL["nelson_1"]
    assert IN_CONTROL_ARL["we_2"] == IN_CONTROL_ARL["nelson_5"]
    assert IN_CONTROL_ARL["we_3"] == IN_CONTROL_ARL["nelson_6"]


def test_table_more_rules_means_shorter_arl():
    table = IN_CONTROL_ARL
    we_with_nine = table["nelson_1+nelson_2+nelson_5+nelson_6"]
    assert table["nelson"] < table["western_electric"] < we_with_nine
    assert table["nelson_1+nelson_2"] < min(table["nelson_1"], table["nelson_2"])
    for rule in RULE_SETS["nelson"]:
        assert table["nelson"] < table[rule]


def test_simulated_arl_of_rule_1_is_close_to_exact():
    runs = 3000
    arl = in_control_arl("nelson_1", runs=runs, seed=12345)
    se = EXACT["nelson_1"] / math.sqrt(runs)  # geometric: sd about equal to the mean
    assert abs(arl - EXACT["nelson_1"]) < 3 * se


def test_run_lengths_of_rule_1_match_a_direct_computation():
    # 50 charts fit in one block of 80 000 points each: the first |x| > 3 of each row
    rl = simulate_run_lengths("nelson_1", runs=50, seed=99)
    data = np.random.default_rng(99).standard_normal((50, 4_000_000 // 50))
    first = np.argmax(np.abs(data) > 3, axis=1) + 1
    assert rl.tolist() == first.tolist()


def test_runs_continue_across_blocks(monkeypatch):
    # tiny blocks (64 points): a 9-point run must be carried over from one block to the next
    monkeypatch.setattr(arl_module, "_POINTS_PER_BLOCK", 1)
    runs = 1500
    rl = simulate_run_lengths("nelson_2", runs=runs, seed=5)
    se = EXACT["nelson_2"] / math.sqrt(runs)
    assert abs(rl.mean() - EXACT["nelson_2"]) < 3.5 * se
    assert rl.min() >= 9


def test_max_length_censors():
    rl = simulate_run_lengths("nelson_8", runs=100, max_length=50, seed=0)
    assert rl.max() == 50
    assert rl.min() >= 8


def test_seed_makes_it_reproducible():
    a = in_control_arl("western_electric", runs=300, seed=4)
    b = in_control_arl("western_electric", runs=300, seed=4)
    assert a == b


def test_bad_arguments():
    with pytest.raises(ParameterError, match="Nelson and Western Electric rules only"):
        in_control_arl("anhoj")
    with pytest.raises(ParameterError, match="unknown rule 'nelson_9'"):
        in_control_arl("nelson_9")
    with pytest.raises(ParameterError, match=r"the 'runs' parameter must be >= 1"):
        in_control_arl("nelson_1", runs=0)
