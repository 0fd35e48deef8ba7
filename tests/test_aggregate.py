"""The group-count layer: NaN is missing, missing keys refused, duplicates and mixed kinds named."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

from sixsigma._aggregate import group_counts
from sixsigma._frames import as_table
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    MissingValueError,
    ParameterError,
)

NAN = float("nan")


def _duck(df: pd.DataFrame) -> object:
    con = duckdb.connect()
    con.register("src", df)
    return con.sql("select * from src")


BACKENDS = {
    "pandas": lambda df: df,
    "polars": lambda df: pl.from_pandas(df, nan_to_null=False),
    "polars_lazy": lambda df: pl.from_pandas(df, nan_to_null=False).lazy(),
    "duckdb": _duck,
}


def _counts(data: object, *args: object, **kw: object) -> pd.DataFrame:
    return group_counts(as_table(data, caller="t"), *args, **kw)  # type: ignore[arg-type]


@pytest.fixture(params=list(BACKENDS))
def make(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return BACKENDS[request.param]


def test_float_nan_defective_is_missing(make) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"d": [1.0, 0.0, NAN, 1.0], "k": ["a", "b", "a", "b"]})
    with pytest.raises(MissingValueError, match=r"'d'.*(row 2|lazy)"):
        _counts(make(df), "d", ["k"])


def test_nan_from_duckdb_text() -> None:
    rel = duckdb.sql("select * from (values ('1', 'a'), ('nan', 'b'), ('0', 'a')) t(d, k)")
    rel = rel.select("d::double as d, k")
    with pytest.raises(MissingValueError, match="'d'"):
        _counts(rel, "d", ["k"])


def test_float_nan_in_counts_is_missing(make) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"d": [1.0, NAN, 2.0], "n": [5.0, 5.0, 5.0], "k": ["a", "b", "a"]})
    with pytest.raises(MissingValueError, match="'d'"):
        _counts(make(df), "d", ["k"], size="n")
    df = pd.DataFrame({"d": [1.0, 1.0, 2.0], "n": [5.0, 5.0, NAN], "k": ["a", "b", "a"]})
    with pytest.raises(MissingValueError, match="'n'"):
        _counts(make(df), "d", ["k"], size="n")


@pytest.mark.parametrize("gap", [None, NAN])
def test_missing_key_refused(make, gap) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"d": [1, 0, 1, 0], "k": [1.0, 2.0, gap, 2.0], "j": list("wxyz")})
    with pytest.raises(MissingValueError, match=r"'k'.*(row 2|j='y')"):
        _counts(make(df), "d", ["k", "j"])
    df = pd.DataFrame({"d": [1, 0, 1, 0], "k": ["a", None, "a", "b"]})
    with pytest.raises(MissingValueError, match=r"'k'.*(row 1|lazy)"):
        _counts(make(df), "d", ["k"])


@pytest.mark.parametrize("gap", [None, NAN])
def test_missing_key_as_own_level(make, gap) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"d": [1, 0, 1, 0, 1], "k": [1.0, 2.0, gap, 2.0, None]})
    out = _counts(make(df), "d", ["k"], dropna=False)
    out = out.assign(k=out["k"].astype(float)).sort_values("k", na_position="last")
    assert out["n"].tolist() == [1.0, 2.0, 2.0]
    assert out["defectives"].tolist() == [1.0, 0.0, 2.0]
    assert out["k"].isna().tolist() == [False, False, True]


def test_dropna_checked() -> None:
    df = pd.DataFrame({"d": [1, 0], "k": ["a", "b"]})
    with pytest.raises(ParameterError, match="'dropna'"):
        _counts(df, "d", ["k"], dropna="no")


def test_duplicate_columns_named() -> None:
    df = pd.DataFrame([[1, 0, "a"], [0, 1, "b"]], columns=["d", "d", "k"])
    with pytest.raises(ColumnError, match="'d'"):
        as_table(df, caller="t")


def test_mixed_kind_key_named() -> None:
    df = pd.DataFrame({"d": [1, 0, 1, 0], "k": [1, 1, "2", "2"]})
    with pytest.raises(InputError, match=r"'k'.*row 0.*row 2"):
        _counts(df, "d", ["k"])
    # int and float together are one kind (numbers)
    df = pd.DataFrame({"d": [1, 0, 1, 0], "k": pd.Series([1, 1, 2.5, 2.5], dtype=object)})
    assert len(_counts(df, "d", ["k"])) == 2


def test_clean_data_unchanged(make) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"d": [1.0, 0.0, 1.0, 1.0], "k": ["a", "b", "a", "b"]})
    out = _counts(make(df), "d", ["k"]).sort_values("k").reset_index(drop=True)
    assert out["n"].tolist() == [2.0, 2.0]
    assert out["defectives"].tolist() == [2.0, 1.0]
    assert np.isfinite(out["defectives"]).all()


def test_counts_that_overflow_are_refused() -> None:
    df = pd.DataFrame({"d": [1.0, 2.0, 1.0], "n": [1e308, 1e308, 5.0], "k": ["a", "a", "b"]})
    with pytest.raises(DomainError, match="'n'.*overflow"):
        _counts(df, "d", ["k"], size="n")
