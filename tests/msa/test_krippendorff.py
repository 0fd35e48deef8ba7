"""Krippendorff's alpha on his own worked example and on irr's anxiety data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sixsigma import msa
from sixsigma.errors import DomainError, InputError, InsufficientDataError, ParameterError


def load(name: str) -> pd.DataFrame:
    """A reference dataset copied into tests/data (see its README for the source)."""
    return pd.read_csv(Path(__file__).parents[1] / "data" / f"{name}.csv")

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section on data with
# missing values: 4 observers (A-D) x 12 units, values 1-5, "." missing. The same matrix is
# in the test suite of the Python package krippendorff (pln-fing-udelar/fast-krippendorff,
# tests/test_krippendorff.py).
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.fixture(scope="module")
def k2011():
    rows = [(u + 1, "ABCD"[c], K2011[c][u]) for c in range(4) for u in range(12)]
    return pd.DataFrame(rows, columns=["unit", "observer", "value"])


@pytest.mark.parametrize(("level", "expected", "source"), [
    ("nominal", 0.743, "Krippendorff (2011), nominal alpha printed as .743"),
    ("interval", 0.849, "Krippendorff (2011), interval alpha printed as .849"),
    ("ordinal", 0.815, "fast-krippendorff test_ordinal_metric, round(alpha, 3) == 0.815"),
    ("ratio", 0.797, "fast-krippendorff test_ratio_metric, round(alpha, 3) == 0.797"),
])
def test_krippendorff_2011_example(k2011, level, expected, source):
    r = msa.krippendorff_alpha(k2011, "unit", "observer", "value", level=level, n_boot=0)
    assert round(r.alpha, 3) == pytest.approx(expected, abs=1e-9), source
    # unit 12 has a single value (not pairable): 40 pairable values in 11 units (paper)
    assert r.n_pairable == 40 and r.n_units == 11


def test_coincidence_matrix_of_the_paper(k2011):
    # Krippendorff (2011) prints the nominal coincidence matrix: marginals n_c =
    # 9, 13, 10, 5, 3 (n = 40) and o_11 = 7 (value 1 with itself)
    r = msa.krippendorff_alpha(k2011, "unit", "observer", "value", n_boot=0)
    o = r.coincidence.to_numpy()
    assert o.sum(axis=1).tolist() == pytest.approx([9, 13, 10, 5, 3])
    assert o[0, 0] == pytest.approx(7)
    assert np.allclose(o, o.T)


def _alpha_by_pairs(frame, level):
    """Oracle: loop over units and pairs of coders (Krippendorff 2011, eq. for o_ck)."""
    vals = sorted(frame["value"].dropna().unique())
    idx = {v: i for i, v in enumerate(vals)}
    o = np.zeros((len(vals), len(vals)))
    for _, g in frame.dropna().groupby("unit"):
        v = g["value"].tolist()
        m = len(v)
        if m < 2:
            continue
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[idx[v[i]], idx[v[j]]] += 1 / (m - 1)
    n_c = o.sum(1)
    n = n_c.sum()
    if level == "nominal":
        d = 1 - np.eye(len(vals))
    else:
        x = np.array(vals, dtype=float)
        d = np.subtract.outer(x, x) ** 2
    return 1 - (n - 1) * (o * d).sum() / (np.outer(n_c, n_c) * d).sum()


def test_anxiety_against_pairwise_oracle_and_fleiss():
    a = load("anxiety").rename(columns={"subject": "unit", "rating": "value"})
    for level in ("nominal", "interval"):
        r = msa.krippendorff_alpha(a, "unit", "rater", "value", level=level, n_boot=0)
        assert r.alpha == pytest.approx(_alpha_by_pairs(a, level), abs=1e-12)
    # complete data: alpha_nominal = 1 - (1 - P_bar)(N - 1) / (N (1 - P_e)), N = n m,
    # with P_bar, P_e of Fleiss' kappa (Krippendorff 2011, relation to Fleiss' kappa)
    f = msa.fleiss_kappa(a, "unit", "rater", "value")
    big_n = 60
    nominal = msa.krippendorff_alpha(a, "unit", "rater", "value", n_boot=0).alpha
    assert nominal == pytest.approx(1 - (1 - f.p_bar) * (big_n - 1) / (big_n * (1 - f.p_e)),
                                    abs=1e-12)


@pytest.mark.parametrize(("level", "irr_value"), [
    ("nominal", -0.032400849858357),
    ("ordinal", 0.221847851608359),
    ("interval", 0.163065545243619),
])
def test_anxiety_deliberate_difference_from_irr(level, irr_value):
    """irr 0.84.1 kripp.alpha (expected.json anxiety) weights each pair of a complete unit
    by 1 instead of 1/(m_u - 1) (CONVENTIONS.md). With complete data that only changes the
    small-sample factor: irr uses n' = n (m - 1) pairable values where Krippendorff has n.
    So irr's value is 1 - (1 - ours) (n (m-1) - 1) / ((n - 1)(m - 1)); we reproduce irr
    through that identity and keep Krippendorff's own definition as the result."""
    a = load("anxiety")
    r = msa.krippendorff_alpha(a, "subject", "rater", "rating", level=level, n_boot=0)
    n, m = 60, 3
    irr_like = 1 - (1 - r.alpha) * (n * (m - 1) - 1) / ((n - 1) * (m - 1))
    assert irr_like == pytest.approx(irr_value, abs=1e-9)
    assert abs(r.alpha - irr_value) > 1e-3   # the difference is real, and deliberate


def test_bootstrap_is_seeded_and_brackets(k2011):
    a = msa.krippendorff_alpha(k2011, "unit", "observer", "value", n_boot=200, seed=3)
    b = msa.krippendorff_alpha(k2011, "unit", "observer", "value", n_boot=200, seed=3)
    c = msa.krippendorff_alpha(k2011, "unit", "observer", "value", n_boot=200, seed=4)
    assert a.ci == b.ci and a.ci != c.ci
    assert a.ci[0] < a.alpha <= a.ci[1] and a.ci[1] <= 1.0
    assert a.ci_method == "bootstrap_units_percentile" and a.seed == 3
    # oracle: per-unit coincidences by a loop over coder pairs, summed with the same
    # multinomial resampling weights, alpha by the nominal formula
    rng = np.random.default_rng(3)
    vals = sorted(k2011["value"].dropna().unique())
    per_unit = []
    for _, g in k2011.dropna().groupby("unit"):
        v = g["value"].tolist()
        if len(v) < 2:
            continue
        o_u = np.zeros((len(vals), len(vals)))
        for i in range(len(v)):
            for j in range(len(v)):
                if i != j:
                    o_u[vals.index(v[i]), vals.index(v[j])] += 1 / (len(v) - 1)
        per_unit.append(o_u)
    n_u = len(per_unit)
    w = rng.multinomial(n_u, np.full(n_u, 1 / n_u), size=200)
    d = 1 - np.eye(len(vals))
    boots = []
    for row in w:
        o = sum(t * o_u for t, o_u in zip(row, per_unit, strict=True))
        n_c = o.sum(1)
        boots.append(1 - (n_c.sum() - 1) * (o * d).sum() / (np.outer(n_c, n_c) * d).sum())
    lo, hi = np.quantile(boots, [0.025, 0.975])
    assert a.ci == pytest.approx((lo, hi), abs=1e-12)
    json.dumps(a.to_dict(), allow_nan=False)


def test_ordinal_text_labels_need_declared_order(k2011):
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    d = k2011.assign(value=k2011["value"].map(names))
    r = msa.krippendorff_alpha(d, "unit", "observer", "value", level="ordinal", n_boot=0,
                               categories=list(names.values()))
    assert round(r.alpha, 3) == 0.815
    with pytest.raises(ParameterError, match="numeric"):
        msa.krippendorff_alpha(d, "unit", "observer", "value", level="interval")


def test_bad_input(k2011):
    one = k2011[k2011["observer"] == "A"]
    with pytest.raises(InsufficientDataError, match="at least two"):
        msa.krippendorff_alpha(one, "unit", "observer", "value")
    dup = pd.concat([k2011, k2011.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="rated unit 1 more than once"):
        msa.krippendorff_alpha(dup, "unit", "observer", "value")
    with pytest.raises(DomainError, match="holds 5"):
        msa.krippendorff_alpha(k2011, "unit", "observer", "value", categories=[1, 2, 3, 4])
    with pytest.raises(ParameterError, match="level"):
        msa.krippendorff_alpha(k2011, "unit", "observer", "value", level="cardinal")  # type: ignore
    lonely = {"unit": [1, 2], "observer": ["a", "b"], "value": [1, 2]}
    with pytest.raises(InsufficientDataError, match="pairable"):
        msa.krippendorff_alpha(lonely, "unit", "observer", "value")
