"""Kendall's W against irr 0.84.1 (expected.json anxiety)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sixsigma import msa
from sixsigma.errors import InputError, InsufficientDataError


def load(name: str) -> pd.DataFrame:
    """A reference dataset copied into tests/data (see its README for the source)."""
    return pd.read_csv(Path(__file__).parents[1] / "data" / f"{name}.csv")


def test_anxiety_w_tie_corrected():
    r = msa.kendall_w(load("anxiety"), "subject", "rater", "rating")
    # irr 0.84.1 kendall(correct = TRUE): W and chi-square (expected.json)
    assert r.w == pytest.approx(0.53965687595437, abs=1e-9)
    assert r.chi2 == pytest.approx(30.7604419293991, abs=1e-9)
    assert r.df == 19


def test_w_by_hand_with_ties():
    # two judges over three items: (1, 2, 3) and (1, 3, 3); mid-ranks (1, 2.5, 2.5);
    # R = (2, 4.5, 5.5), S = 6.5, T = 2^3 - 2 = 6, W = 12 * 6.5 / (4 * 24 - 2 * 6) = 78/84
    d = {"item": [1, 2, 3] * 2, "rater": ["a"] * 3 + ["b"] * 3, "rating": [1, 2, 3, 1, 3, 3]}
    assert msa.kendall_w(d, "item", "rater", "rating").w == pytest.approx(78 / 84)


def test_bad_input():
    with pytest.raises(InsufficientDataError, match="single rater"):
        msa.kendall_w({"item": [1, 2], "rater": ["a", "a"], "rating": [1, 2]},
                      "item", "rater", "rating")
    with pytest.raises(InputError, match="no rating of item 2"):
        msa.kendall_w({"item": [1, 2, 1], "rater": ["a", "a", "b"], "rating": [1, 2, 1]},
                      "item", "rater", "rating")
