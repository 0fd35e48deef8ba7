"""Bad inputs to the root-cause functions: refused by name, never a silent wrong answer."""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

import sixsigma.rootcause as rc
from sixsigma.errors import ColumnError, MissingValueError, ParameterError

from .conftest import simulate

NAN = float("nan")


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return simulate(6000, 7, {(("queue", "spam"), ("market", "DE")): 0.25})


def test_polars_nan_defective_refused(records: pd.DataFrame) -> None:
    df = records.assign(is_error=records["is_error"].astype(float))
    df.loc[5, "is_error"] = NAN
    for data in (pl.from_pandas(df, nan_to_null=False),
                 pl.from_pandas(df, nan_to_null=False).lazy()):
        with pytest.raises(MissingValueError, match="'is_error'"):
            rc.segment_scan(data, "is_error", ["queue", "market"])


def test_duckdb_text_nan_refused(records: pd.DataFrame) -> None:
    df = records.assign(is_error=records["is_error"].astype(str))
    df.loc[3, "is_error"] = "nan"
    con = duckdb.connect()
    con.register("src", df)
    rel = con.sql("select queue, market, is_error::double as is_error from src")
    with pytest.raises(MissingValueError, match="'is_error'"):
        rc.segment_scan(rel, "is_error", ["queue", "market"])


@pytest.mark.parametrize("gap", [None, NAN])
def test_missing_key_is_not_a_segment(records: pd.DataFrame, gap: object) -> None:
    df = records.astype({"market": object})
    df.loc[11, "market"] = gap
    with pytest.raises(MissingValueError, match=r"'market'.*row 11"):
        rc.segment_scan(df, "is_error", ["queue", "market"])
    with pytest.raises(MissingValueError, match=r"'market'.*row 11"):
        rc.funnel(df, "is_error", "market")
    df["week"] = np.where(np.arange(len(df)) % 2 == 0, 1, 2)
    with pytest.raises(MissingValueError, match=r"'market'"):
        rc.explain_change(df, "is_error", "week", ["queue", "market"], before=1, after=2)


def test_funnel_nan_unit_refused() -> None:
    df = pd.DataFrame({"site": [1.0, 2.0, NAN, 3.0], "errors": [1, 2, 3, 1],
                       "audited": [50, 60, 70, 80]})
    with pytest.raises(MissingValueError, match=r"'site'.*row 2"):
        rc.funnel(df, "errors", "site", size="audited")


def test_duplicate_columns_named(records: pd.DataFrame) -> None:
    df = records[["queue", "market", "is_error", "is_error"]]
    with pytest.raises(ColumnError, match="'is_error'"):
        rc.segment_scan(df, "is_error", ["queue", "market"])
    with pytest.raises(ColumnError, match="'is_error'"):
        rc.funnel(df, "is_error", "queue")


def test_funnel_notes_unit_of_size_zero() -> None:
    df = pd.DataFrame({"site": list("ABCDEF"), "errors": [5, 8, 30, 6, 7, 0],
                       "audited": [100, 150, 200, 120, 130, 0]})
    f = rc.funnel(df, "errors", "site", size="audited")
    assert "F" not in set(f.units["unit"])
    assert any("size 0" in n and "F" in n for n in f.notes)


def test_multiplicative_funnel_has_no_negative_limits() -> None:
    rng = np.random.default_rng(3)
    n = np.r_[20, 25, 30, rng.integers(40, 2000, 40)]
    p = np.clip(rng.normal(0.05, 0.025, n.size), 0.001, 0.5)
    df = pd.DataFrame({"mod": [f"m{i}" for i in range(n.size)],
                       "errors": rng.binomial(n, p), "audited": n})
    for method in ("exact", "normal"):
        for od in ("multiplicative", "additive", None):
            f = rc.funnel(df, "errors", "mod", size="audited", method=method,
                          overdispersion=od)
            for frame in (f.units, f.curve):
                for col in ("lower2", "lower3", "upper2", "upper3"):
                    v = frame[col].to_numpy(dtype=float)
                    assert not (v[np.isfinite(v)] < 0).any(), (method, od, col)
                    assert not (v[np.isfinite(v)] > 1).any(), (method, od, col)
    f = rc.funnel(df, "errors", "mod", size="audited", overdispersion="multiplicative")
    small = f.units[f.units["n"] == 20]
    assert small["lower3"].isna().all()
    assert any("absent" in note for note in f.notes)


@pytest.mark.parametrize(("kw", "name"), [
    ({"alpha": NAN}, "alpha"), ({"alpha": 1.5}, "alpha"), ({"confidence": 1.0}, "confidence"),
    ({"max_depth": 2.5}, "max_depth"), ({"max_depth": True}, "max_depth"),
    ({"max_depth": NAN}, "max_depth"), ({"max_depth": 4}, "max_depth"),
    ({"min_expected": float("inf")}, "min_expected"), ({"max_causes": 0}, "max_causes"),
    ({"descend_share": NAN}, "descend_share"),
])
def test_scan_parameters_named(records: pd.DataFrame, kw: dict[str, object],
                               name: str) -> None:
    with pytest.raises(ParameterError, match=f"'{name}'"):
        rc.segment_scan(records, "is_error", ["queue", "market"], **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kw", "name"), [
    ({"target": NAN}, "target"), ({"target": 1.0}, "target"), ({"winsor": 0.5}, "winsor"),
    ({"method": "wald"}, "method"), ({"overdispersion": "yes"}, "overdispersion"),
])
def test_funnel_parameters_named(records: pd.DataFrame, kw: dict[str, object],
                                 name: str) -> None:
    with pytest.raises(ParameterError, match=f"'{name}'"):
        rc.funnel(records, "is_error", "market", **kw)  # type: ignore[arg-type]


def test_explain_change_joint_checked(records: pd.DataFrame) -> None:
    df = records.assign(week=np.where(np.arange(len(records)) % 2 == 0, 1, 2))
    with pytest.raises(ParameterError, match="'joint'"):
        rc.explain_change(df, "is_error", "week", ["queue"], before=1, after=2, joint="yes")


def test_no_foreign_warnings(records: pd.DataFrame) -> None:
    df = records.assign(week=np.where(np.arange(len(records)) % 2 == 0, 1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scan = rc.segment_scan(df, "is_error", ["queue", "market", "tenure_band"],
                               max_depth=3)
        scan.summary()
        scan.to_dict()
        f = rc.funnel(df, "is_error", "market", overdispersion="multiplicative")
        f.summary()
        f.to_dict()
        rc.explain_change(df, "is_error", "week", ["queue", "market"], before=1,
                          after=2).to_dict()
        rc.segment_scan(pl.from_pandas(df).lazy(), "is_error", ["queue", "market"])


def test_two_sets_of_figures_named(records: pd.DataFrame) -> None:
    scan = rc.segment_scan(records, "is_error", ["queue", "market"])
    cols = set(scan.causes.columns)
    assert {"excess_at_pick", "q_at_pick", "excess_first_pass", "q_first_pass"} <= cols
    assert "excess_defects" not in cols
    seg = scan.segments.set_index("segment")
    for row in scan.causes.itertuples():
        assert row.excess_first_pass == pytest.approx(seg.loc[row.segment, "excess_defects"])
        assert row.q_first_pass == pytest.approx(seg.loc[row.segment, "q_value"])
    assert scan.explained_defects == pytest.approx(scan.causes["excess_at_pick"].sum())
    text = scan.summary()
    assert "how much does this cause explain" in text
    assert "excess at pick" in text and "first pass" in text


def test_scan_notes_cells_of_size_zero() -> None:
    rows = pd.DataFrame({
        "queue": ["spam", "spam", "hate", "hate", "adult"] * 2,
        "market": ["DE", "US"] * 5,
        "errors": [60, 10, 11, 9, 0, 58, 12, 10, 10, 9],
        "audited": [200, 200, 200, 200, 0, 200, 200, 200, 200, 200],
    })
    scan = rc.segment_scan(rows, "errors", ["queue", "market"], size="audited")
    assert any("size 0" in n and "queue=adult & market=DE" in n for n in scan.notes)
    assert "queue=adult & market=DE" not in set(scan.segments["segment"])


def test_dimensions_parameter_named(records: pd.DataFrame) -> None:
    for dims in ([], ["queue", "queue"], None):
        with pytest.raises(ParameterError, match="'dimensions'"):
            rc.segment_scan(records, "is_error", dims)  # type: ignore[arg-type]


def test_old_payload_causes_are_renamed(records: pd.DataFrame) -> None:
    import sixsigma as ss
    from sixsigma._result import encode

    scan = rc.segment_scan(records, "is_error", ["queue", "market"])
    d = scan.to_dict()
    old = scan.causes.drop(columns=["excess_first_pass", "q_first_pass"]).rename(
        columns={"excess_at_pick": "excess_defects", "z_at_pick": "z", "p_at_pick": "p_value",
                 "q_at_pick": "q_value"})
    legacy = ss.from_dict({**d, "causes": encode(old)})   # the same payload, old columns
    assert list(legacy.causes.columns) == list(scan.causes.columns)
    assert legacy.summary() == scan.summary()
