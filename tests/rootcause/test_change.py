"""explain_change: the Kitagawa / Das Gupta decomposition adds up exactly."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sixsigma.rootcause as rc
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError
from sixsigma.rootcause.change import decompose

from .conftest import simulate


def test_hand_example():
    # Kitagawa (1955) two-factor formulas worked by hand:
    # before a 5/50, b 10/50; after a 8/80, b 6/20; R0 = 0.15, R1 = 0.14
    rows = pd.DataFrame({"week": [1, 1, 2, 2], "queue": ["a", "b", "a", "b"],
                         "errors": [5, 10, 8, 6], "audited": [50, 50, 80, 20]})
    ch = rc.explain_change(rows, "errors", "week", ["queue"], before=1, after=2,
                           size="audited")
    seg = ch.segments.set_index("segment")
    assert ch.rate_before == pytest.approx(0.15) and ch.rate_after == pytest.approx(0.14)
    # a: mix (0.8 - 0.5)(0.1 + 0.1)/2 = 0.03, rate 0; b: mix (0.2 - 0.5)(0.2 + 0.3)/2,
    # rate (0.3 - 0.2)(0.5 + 0.2)/2
    assert seg.loc["queue=a", "mix_effect"] == pytest.approx(0.03)
    assert seg.loc["queue=a", "rate_effect"] == pytest.approx(0.0)
    assert seg.loc["queue=b", "mix_effect"] == pytest.approx(-0.075)
    assert seg.loc["queue=b", "rate_effect"] == pytest.approx(0.035)
    json.dumps(ch.to_dict(), allow_nan=False)
    json.dumps(ch.to_evidence(), allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500),
                          st.integers(0, 500)), min_size=1, max_size=12))
def test_decomposition_adds_up_exactly(rows):
    # counts (n0, d0 <= n0, n1, d1 <= n1); segments may be empty in one period
    n0 = np.array([r[0] for r in rows], dtype=float)
    d0 = np.array([min(r[1], r[0]) for r in rows], dtype=float)
    n1 = np.array([r[2] for r in rows], dtype=float)
    d1 = np.array([min(r[3], r[2]) for r in rows], dtype=float)
    keep = (n0 + n1) > 0
    n0, d0, n1, d1 = n0[keep], d0[keep], n1[keep], d1[keep]
    if n0.sum() == 0 or n1.sum() == 0:
        return
    t = decompose(n0, d0, n1, d1)
    total = d1.sum() / n1.sum() - d0.sum() / n0.sum()
    got = math.fsum([*t["mix_effect"], *t["rate_effect"]])
    assert got == pytest.approx(total, abs=1e-14)
    # the identity holds exactly in rational arithmetic: recompute with Fractions
    exact = Fraction(0)
    for a0, b0, a1, b1 in zip(n0, d0, n1, d1, strict=True):
        w0, w1 = Fraction(int(a0), int(n0.sum())), Fraction(int(a1), int(n1.sum()))
        r0 = Fraction(int(b0), int(a0)) if a0 else Fraction(int(b1), int(a1))
        r1 = Fraction(int(b1), int(a1)) if a1 else r0
        exact += (w1 - w0) * (r0 + r1) / 2 + (r1 - r0) * (w0 + w1) / 2
    assert exact == Fraction(int(d1.sum()), int(n1.sum())) - Fraction(int(d0.sum()),
                                                                        int(n0.sum()))


def test_each_dimension_adds_up_on_records():
    df = simulate(20_000, 30, {(("queue", "spam"),): 0.03})
    df["week"] = np.where(np.arange(len(df)) % 3 == 0, "w2", "w1")
    ch = rc.explain_change(df, "is_error", "week", ["queue", "market"], before="w1",
                           after="w2")
    for _, row in ch.by_dimension.iterrows():
        assert row["total"] == pytest.approx(ch.total_change, abs=1e-15)
    assert set(ch.by_dimension["dimension"]) == {"queue", "market", "queue x market"}
    polars = rc.explain_change(pl.from_pandas(df).lazy(), "is_error", "week",
                               ["queue", "market"], before="w1", after="w2")
    pd.testing.assert_frame_equal(polars.segments, ch.segments)


def test_segment_in_one_period_only_is_pure_mix():
    rows = pd.DataFrame({"p": ["b", "b", "a", "a"], "q": ["x", "old", "x", "new"],
                         "d": [5, 3, 4, 6], "n": [50, 30, 40, 60]})
    ch = rc.explain_change(rows, "d", "p", ["q"], before="b", after="a", size="n")
    seg = ch.segments.set_index("segment")
    assert seg.loc["q=new", "present"] == "after only"
    assert seg.loc["q=new", "rate_effect"] == 0
    assert seg.loc["q=new", "mix_effect"] == pytest.approx(0.6 * 0.1)   # +w1 r1
    assert seg.loc["q=old", "mix_effect"] == pytest.approx(-0.375 * 0.1)  # -w0 r0
    assert math.fsum(seg["total_effect"]) == pytest.approx(ch.total_change, abs=1e-15)


def test_list_of_period_values():
    df = simulate(5_000, 31)
    df["day"] = np.arange(len(df)) % 10
    ch = rc.explain_change(df, "is_error", "day", ["queue"], before=[0, 1, 2],
                           after=[7, 8, 9])
    assert ch.n_before == (df["day"] <= 2).sum() and ch.n_after == (df["day"] >= 7).sum()


def test_bad_input():
    df = simulate(2_000, 32)
    df["week"] = "w1"
    with pytest.raises(InsufficientDataError, match="after period is empty.*'w2'"):
        rc.explain_change(df, "is_error", "week", ["queue"], before="w1", after="w2")
    with pytest.raises(ParameterError, match="overlap"):
        rc.explain_change(df, "is_error", "week", ["queue"], before="w1",
                          after=["w1", "w2"])
    bad = df.assign(is_error=df["is_error"] * 2, week=np.where(df.index % 2, "w1", "w2"))
    with pytest.raises(DomainError, match="0/1"):
        rc.explain_change(bad, "is_error", "week", ["queue"], before="w1", after="w2")
