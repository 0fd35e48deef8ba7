"""segment_scan: tests, explain-away, engines, false-positive rate, bad input."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats

import sixsigma.rootcause as rc
from sixsigma._stats.fdr import bh
from sixsigma._stats.proportions import fisher_two_sided, segment_tests
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

from .conftest import simulate

DIMS = ["queue", "market", "region", "tenure_band", "language"]


# ---------------------------------------------------------------------------------------
# the statistics against independent oracles


def test_fisher_matches_scipy(rng):
    # oracle: scipy.stats.fisher_exact, one table at a time
    total = rng.integers(10, 2000, 300)
    k = (total * rng.uniform(0, 0.4, 300)).astype(int)
    n1 = (total * rng.uniform(0.01, 0.6, 300)).astype(int) + 1
    x = np.array([rng.integers(max(0, a - (b - c)), min(a, c) + 1)
                  for a, b, c in zip(n1, total, k, strict=True)])
    got = fisher_two_sided(x, n1, k, total)
    want = [stats.fisher_exact([[xx, a - xx], [c - xx, b - a - c + xx]])[1]
            for xx, a, b, c in zip(x, n1, total, k, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


def test_two_proportion_z_by_hand():
    # segment 30/200, rest 70/1800; pooled p = 100/2000 (Agresti 2013, §3.1.4)
    z, p, exact = segment_tests(np.array([200.0]), np.array([30.0]), 2000.0, 100.0)
    pool = 0.05
    want = (30 / 200 - 70 / 1800) / np.sqrt(pool * (1 - pool) * (1 / 200 + 1 / 1800))
    assert z[0] == pytest.approx(want, rel=1e-12)
    assert p[0] == pytest.approx(2 * stats.norm.sf(want), rel=1e-9)
    assert not exact[0]
    # Pearson's chi-square of the same 2x2 table (no continuity correction) is z^2
    chi2 = stats.chi2_contingency([[30, 170], [70, 1730]], correction=False)[0]
    assert z[0] ** 2 == pytest.approx(chi2, rel=1e-9)


def test_small_expected_cell_uses_fisher():
    # expected defects in the segment 40 * 0.05 = 2 < 5 (Cochran): Fisher's exact test
    z, p, exact = segment_tests(np.array([40.0]), np.array([6.0]), 2000.0, 100.0)
    assert exact[0]
    assert p[0] == pytest.approx(stats.fisher_exact([[6, 34], [94, 1866]])[1], rel=1e-9)
    assert z[0] == pytest.approx(stats.norm.isf(p[0] / 2), rel=1e-9)


def test_bh_matches_definition(rng):
    # Benjamini-Hochberg (1995): q_(i) = min_{j >= i} p_(j) m / j, capped at 1
    p = rng.uniform(size=50) ** 3
    order = np.argsort(p)
    m = p.size
    raw = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1)
    want = np.empty(m)
    want[order] = q_sorted
    np.testing.assert_allclose(bh(p), want, rtol=1e-12)


def test_segment_columns_by_hand():
    df = simulate(20_000, 1, {(("queue", "spam"),): 0.05})
    scan = rc.segment_scan(df, "is_error", ["queue", "tenure_band"])
    row = scan.segments[scan.segments["segment"] == "queue=spam"].iloc[0]
    spam = df["queue"] == "spam"
    n, d = spam.sum(), df.loc[spam, "is_error"].sum()
    rest = df.loc[~spam, "is_error"].mean()
    assert row["n"] == n and row["defects"] == d
    assert row["rate"] == pytest.approx(d / n)
    assert row["rest_rate"] == pytest.approx(rest)
    assert row["lift"] == pytest.approx(d / n / rest)
    assert row["excess_defects"] == pytest.approx(d - n * rest)
    assert row["filter"] == {"queue": "spam"}
    for col in ("filter", "n", "defects", "rate", "rest_rate", "lift", "p_value", "q_value",
                "excess_defects", "significant"):
        assert col in scan.segments.columns


# ---------------------------------------------------------------------------------------
# finding causes and explaining away


def test_pair_cause_found_and_parents_explained():
    df = simulate(60_000, 2, {(("queue", "spam"), ("market", "DE")): 0.08})
    scan = rc.segment_scan(df, "is_error", DIMS)
    assert scan.causes["segment"].iloc[0] == "queue=spam & market=DE"
    assert scan.causes["filter"].iloc[0] == {"queue": "spam", "market": "DE"}
    top = scan.segments.head(5)
    for parent in ("queue=spam", "market=DE"):
        assert parent not in set(top["segment"])
        row = scan.segments.set_index("segment").loc[parent]
        assert row["significant"] and row["status"] == "explained"
        assert row["explained_by"] == 1


def test_single_cause_not_split_into_children():
    df = simulate(60_000, 3, {(("tenure_band", "<30"),): 0.04})
    scan = rc.segment_scan(df, "is_error", DIMS)
    assert scan.causes["segment"].iloc[0] == "tenure_band=<30"
    top = scan.segments.head(5)
    assert not top["segment"].str.contains("tenure_band=<30 &|& tenure_band=<30").any()
    assert (top["status"] != "explained").all()


def test_descends_to_child_carrying_the_excess():
    # the cause is (spam, DE); with a huge spam volume the parent could win on z alone
    df = simulate(80_000, 4, {(("queue", "spam"), ("market", "DE")): 0.10})
    scan = rc.segment_scan(df, "is_error", ["queue", "market"])
    assert scan.causes["segment"].tolist()[0] == "queue=spam & market=DE"


def test_two_causes_shares_sum_to_one():
    df = simulate(80_000, 5, {(("queue", "spam"), ("market", "DE")): 0.08,
                              (("tenure_band", "<30"),): 0.03})
    scan = rc.segment_scan(df, "is_error", DIMS)
    assert set(scan.causes["segment"].head(2)) == {"queue=spam & market=DE",
                                                   "tenure_band=<30"}
    assert scan.causes["share_of_excess"].sum() == pytest.approx(1.0)
    assert scan.explained_defects == pytest.approx(scan.causes["excess_at_pick"].sum())
    top = scan.segments.head(5)
    assert (top["status"] != "explained").all()


def test_nested_dimension_pairs_tested_once():
    df = simulate(20_000, 6)
    scan = rc.segment_scan(df, "is_error", ["region", "market"])
    # every (region, market) pair holds the units of its market: no pair is tested
    assert (scan.segments["depth"] == 1).all()
    assert any("nested" in n for n in scan.notes)


def test_depth_one_and_three():
    df = simulate(60_000, 7, {(("queue", "spam"), ("market", "DE"), ("tenure_band", "<30")):
                              0.25})
    one = rc.segment_scan(df, "is_error", ["queue", "market", "tenure_band"], max_depth=1)
    assert (one.segments["depth"] == 1).all()
    three = rc.segment_scan(df, "is_error", ["queue", "market", "tenure_band"], max_depth=3)
    assert three.segments["depth"].max() == 3
    assert three.causes["segment"].iloc[0] == "queue=spam & market=DE & tenure_band=<30"


# ---------------------------------------------------------------------------------------
# inputs: raw records, counts, engines


def _aggregate(df: pd.DataFrame) -> pd.DataFrame:
    return (df.groupby(DIMS, as_index=False).agg(errors=("is_error", "sum"),
                                                 audited=("is_error", "size")))


def test_raw_and_counts_agree():
    df = simulate(30_000, 8, {(("queue", "adult"),): 0.04})
    raw = rc.segment_scan(df, "is_error", DIMS)
    agg = rc.segment_scan(_aggregate(df), "errors", DIMS, size="audited")
    cols = ["segment", "n", "defects", "z", "q_value", "excess_defects", "status"]
    pd.testing.assert_frame_equal(raw.segments[cols], agg.segments[cols])
    assert raw.to_evidence()["fingerprint"] == agg.to_evidence()["fingerprint"]


def test_boolean_defect():
    df = simulate(10_000, 9)
    a = rc.segment_scan(df, "is_error", ["queue", "market"])
    b = rc.segment_scan(df.assign(is_error=df["is_error"].astype(bool)), "is_error",
                        ["queue", "market"])
    pd.testing.assert_frame_equal(a.segments, b.segments)


@pytest.mark.parametrize("engine", ["polars", "polars_lazy", "duckdb"])
def test_engines_agree_with_pandas(engine, tmp_path):
    df = simulate(30_000, 10, {(("queue", "spam"), ("market", "DE")): 0.08})
    want = rc.segment_scan(df, "is_error", DIMS)
    if engine == "polars":
        data = pl.from_pandas(df)
    elif engine == "polars_lazy":
        data = pl.from_pandas(df).lazy()
    else:
        path = tmp_path / "audits.parquet"
        df.to_parquet(path)
        data = duckdb.read_parquet(str(path))
    got = rc.segment_scan(data, "is_error", DIMS)
    cols = ["segment", "n", "defects", "z", "q_value", "excess_defects", "status"]
    pd.testing.assert_frame_equal(got.segments[cols], want.segments[cols])
    assert got.to_evidence()["fingerprint"] == want.to_evidence()["fingerprint"]


def test_result_is_json_safe_and_immutable():
    df = simulate(10_000, 11, {(("queue", "spam"),): 0.05})
    scan = rc.segment_scan(df, "is_error", DIMS)
    json.dumps(scan.to_dict(), allow_nan=False)
    ev = scan.to_evidence()
    json.dumps(ev, allow_nan=False)
    assert set(ev) == {"kind", "description", "fingerprint", "figures", "parameters"}
    assert ev["kind"] == "segment_scan" and ev["fingerprint"].startswith("sha256:")
    assert "queue=spam" in ev["description"]
    with pytest.raises(AttributeError):
        scan.alpha = 0.1  # type: ignore[misc]
    assert "segment scan" in scan.summary() and "<div>" in scan._repr_html_()


# ---------------------------------------------------------------------------------------
# no cause: the share of runs reporting a significant segment stays near alpha


def test_false_positive_rate_near_alpha():
    runs, alpha = 100, 0.05
    hits = 0
    for seed in range(runs):
        df = simulate(4_000, 1000 + seed)
        scan = rc.segment_scan(df, "is_error", ["queue", "market", "tenure_band"],
                               alpha=alpha)
        hits += bool(scan.segments["significant"].any())
    # BH controls the family-wise rate under the global null; allow the binomial margin
    # (99.9 % quantile of Binomial(100, 0.05) is 13)
    assert hits <= stats.binom.ppf(0.999, runs, alpha)


# ---------------------------------------------------------------------------------------
# bad input


def test_defect_not_binary():
    df = simulate(1_000, 12)
    df.loc[7, "is_error"] = 2
    with pytest.raises(DomainError, match=r"segment_scan: column 'is_error'.*row 7 \(2\)"):
        rc.segment_scan(df, "is_error", ["queue", "market"])


def test_defect_fractional_and_text_and_missing():
    df = simulate(1_000, 13)
    frac = df.assign(is_error=df["is_error"].astype(float))
    frac.loc[3, "is_error"] = 0.5
    with pytest.raises(DomainError, match="row 3"):
        rc.segment_scan(frac, "is_error", ["queue"])
    text = df.assign(is_error=df["is_error"].astype(str))
    text.loc[5, "is_error"] = "yes"
    with pytest.raises(NonNumericError, match="row 5"):
        rc.segment_scan(text, "is_error", ["queue"])
    miss = df.assign(is_error=df["is_error"].astype(float))
    miss.loc[9, "is_error"] = np.nan
    with pytest.raises(MissingValueError, match="row 9"):
        rc.segment_scan(miss, "is_error", ["queue"])


def test_defect_not_binary_lazy():
    df = simulate(1_000, 14)
    df.loc[7, "is_error"] = 3
    with pytest.raises(DomainError, match="is_error"):
        rc.segment_scan(pl.from_pandas(df).lazy(), "is_error", ["queue"])


def test_dimension_with_one_level():
    df = simulate(1_000, 15).assign(site="only")
    with pytest.raises(InsufficientDataError, match="dimension 'site' has 1 level"):
        rc.segment_scan(df, "is_error", ["queue", "site"])


def test_size_smaller_than_defects():
    agg = _aggregate(simulate(5_000, 16))
    agg.loc[4, "errors"] = agg.loc[4, "audited"] + 1
    with pytest.raises(DomainError, match="row 4.*size cannot be smaller"):
        rc.segment_scan(agg, "errors", DIMS, size="audited")
    with pytest.raises(DomainError, match="size cannot be smaller"):
        rc.segment_scan(pl.from_pandas(agg).lazy(), "errors", DIMS, size="audited")


def test_negative_counts_and_missing_column():
    agg = _aggregate(simulate(5_000, 17))
    agg.loc[2, "errors"] = -1
    with pytest.raises(DomainError, match="row 2"):
        rc.segment_scan(agg, "errors", DIMS, size="audited")
    with pytest.raises(ColumnError, match="'nope' is not in the data"):
        rc.segment_scan(agg, "errors", ["nope"], size="audited")


@pytest.mark.parametrize("kwargs", [{"max_depth": 4}, {"alpha": 0}, {"alpha": 1.5},
                                    {"descend_share": 0}, {"max_causes": 0},
                                    {"dimensions": []}, {"dimensions": ["queue", "queue"]}])
def test_bad_parameters(kwargs):
    df = simulate(1_000, 18)
    args = {"dimensions": ["queue", "market"], **kwargs}
    with pytest.raises(ParameterError):
        rc.segment_scan(df, "is_error", **args)
