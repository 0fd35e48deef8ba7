"""compare: the kind of values checked first; one path for a two-level outcome; counts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import sixsigma.hypothesis as hy
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

NAN = float("nan")


def _small() -> pd.DataFrame:
    """1 error in 30 before, 7 in 25 after (issue 15, item 6)."""
    return pd.DataFrame({"period": ["before"] * 30 + ["after"] * 25,
                         "error": [1] + [0] * 29 + [1] * 7 + [0] * 18})


@pytest.mark.parametrize("coding", ["01", "bool", "text", "text_upper", "numeric_text"])
def test_two_level_outcome_takes_one_path(coding: str) -> None:
    df = _small()
    if coding == "bool":
        df["error"] = df["error"].astype(bool)
    elif coding == "text":
        df["error"] = np.where(df["error"] == 1, "error", "ok")
    elif coding == "text_upper":
        df["error"] = np.where(df["error"] == 1, "WRONG", "CORRECT")
    elif coding == "numeric_text":
        df["error"] = df["error"].astype(str)
    res = hy.compare(df, "error", "period")
    assert res.test == "fisher_exact"
    assert round(res.p_value, 4) == 0.0175
    # the rate of the errors (the rarer level for text): after - before = 7/25 - 1/30
    assert res.effect == pytest.approx(7 / 25 - 1 / 30)


def test_counts_give_the_same_test() -> None:
    daily = pd.DataFrame({"period": ["before"] * 3 + ["after"] * 3,
                          "errors": [1, 0, 0, 3, 2, 2], "audited": [10, 10, 10, 9, 8, 8]})
    res = hy.compare(daily, defectives="errors", size="audited", group="period")
    rows = hy.compare(_small(), "error", "period")
    assert (res.test, res.p_value, res.effect, res.ci) == (rows.test, rows.p_value,
                                                          rows.effect, rows.ci)
    assert res.groups["n"].tolist() == [25.0, 30.0]


def test_counts_three_groups_equal_rows() -> None:
    rng = np.random.default_rng(5)
    rows = pd.DataFrame({"g": np.repeat(list("ABC"), 300),
                         "v": rng.binomial(1, np.repeat([0.1, 0.15, 0.2], 300))})
    counts = rows.groupby("g", as_index=False).agg(d=("v", "sum"), n=("v", "size"))
    a = hy.compare(rows, "v", "g")
    b = hy.compare(counts, defectives="d", size="n", group="g")
    assert a.test == b.test == "chi_square"
    assert b.statistic == pytest.approx(a.statistic, rel=1e-12)
    assert b.p_value == pytest.approx(a.p_value, rel=1e-12)
    assert b.posthoc["p_holm"].to_numpy() == pytest.approx(a.posthoc["p_holm"].to_numpy())


def test_counts_polars_lazy() -> None:
    daily = pl.DataFrame({"period": ["before"] * 3 + ["after"] * 3,
                          "errors": [1, 0, 0, 3, 2, 2], "audited": [10, 10, 10, 9, 8, 8]})
    res = hy.compare(daily.lazy(), defectives="errors", size="audited", group="period")
    assert round(res.p_value, 4) == 0.0175


def test_event_chooses_the_counted_level() -> None:
    df = _small().assign(error=lambda d: np.where(d["error"] == 1, "error", "ok"))
    ok = hy.compare(df, "error", "period", event="ok")
    err = hy.compare(df, "error", "period")
    assert err.event == "error" and ok.event == "ok"
    assert ok.p_value == pytest.approx(err.p_value, rel=1e-12)
    assert ok.effect == pytest.approx(-err.effect)
    with pytest.raises(ParameterError, match="'event'"):
        hy.compare(df, "error", "period", event="bad")


def _numbers() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"site": ["A"] * 40 + ["B"] * 40,
                         "seconds": np.r_[rng.normal(60, 8, 40), rng.normal(70, 8, 40)]})


@pytest.mark.parametrize("cell", ["n/a", "", "NaN", "  N/A ", None, NAN])
def test_missing_text_is_refused_not_a_category(cell: object) -> None:
    df = _numbers().astype({"seconds": object})
    df.loc[7, "seconds"] = cell
    with pytest.raises(MissingValueError, match=r"'seconds'.*row 7"):
        hy.compare(df, "seconds", "site")


@pytest.mark.parametrize("cell", [float("inf"), -float("inf"), "inf"])
def test_infinite_value_is_refused(cell: object) -> None:
    df = _numbers()
    if isinstance(cell, str):
        df = df.astype({"seconds": object})
    df.loc[7, "seconds"] = cell
    with pytest.raises(DomainError, match=r"'seconds'.*row 7"):
        hy.compare(df, "seconds", "site")


def test_numbers_as_text_are_numbers() -> None:
    df = _numbers()
    as_text = df.assign(seconds=df["seconds"].map(repr))
    a, b = hy.compare(df, "seconds", "site"), hy.compare(as_text, "seconds", "site")
    assert (a.test, a.p_value) == (b.test, b.p_value) == ("welch_t", a.p_value)


def test_mixed_numbers_and_text_refused() -> None:
    df = _numbers().astype({"seconds": object})
    df.loc[9, "seconds"] = "slow"
    with pytest.raises(NonNumericError, match=r"'seconds'.*row 0.*row 9"):
        hy.compare(df, "seconds", "site")


def test_polars_nan_is_missing() -> None:
    df = pl.from_pandas(_numbers()).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(NAN).otherwise(pl.col("seconds"))
        .alias("seconds"))
    with pytest.raises(MissingValueError, match=r"'seconds'.*row 3"):
        hy.compare(df, "seconds", "site")


def test_bad_groups() -> None:
    df = _numbers().astype({"site": object})
    df.loc[4, "site"] = NAN
    with pytest.raises(MissingValueError, match=r"'site'.*row 4"):
        hy.compare(df, "seconds", "site")
    df.loc[4, "site"] = 1
    with pytest.raises(InputError, match="'site'"):
        hy.compare(df, "seconds", "site")
    dup = pd.concat([_numbers(), _numbers()[["seconds"]]], axis=1)
    with pytest.raises(ColumnError, match="'seconds'"):
        hy.compare(dup, "seconds", "site")


def test_parameters_named() -> None:
    df = _numbers()
    for kw, name in (({"alpha": NAN}, "alpha"), ({"confidence": 1.5}, "confidence"),
                     ({"paired": "yes"}, "paired")):
        with pytest.raises(ParameterError, match=f"'{name}'"):
            hy.compare(df, "seconds", "site", **kw)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="value="):
        hy.compare(df, "seconds", "site", defectives="x")
    with pytest.raises(ParameterError, match="'group'"):
        hy.compare(df, "seconds")


def test_no_warning_reaches_the_user() -> None:
    rng = np.random.default_rng(11)
    three = pd.DataFrame({"g": np.repeat(list("ABC"), 30),
                          "v": np.r_[rng.normal(10, 2, 30), rng.normal(11, 2, 30),
                                     rng.normal(12, 2, 30)]})
    x = rng.normal(10, 2, 30)
    paired3 = pd.DataFrame({"g": np.repeat(list("ABC"), 30),
                            "v": np.r_[x, x + rng.normal(0.5, 1, 30), x + rng.normal(1, 1, 30)]})
    sparse = pd.DataFrame({"g": np.repeat(list("ABC"), 6),
                           "v": ["a", "b", "c"] * 6})
    constant = pd.DataFrame({"g": np.repeat(list("AB"), 5), "v": [1.0] * 10})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hy.compare(three, "v", "g").summary()
        hy.compare(paired3, "v", "g", paired=True).to_dict()
        hy.compare(sparse, "v", "g").to_dict()
        hy.compare(constant, "v", "g").to_dict()
        hy.compare(_small(), "error", "period").to_dict()


def test_values_that_would_overflow_are_refused() -> None:
    df = _numbers()
    df.loc[6, "seconds"] = 1e308
    with pytest.raises(DomainError, match=r"'seconds'.*row 6"):
        hy.compare(df, "seconds", "site")
    with pytest.raises(DomainError, match=r"'seconds'.*row 6"):
        hy.equivalence(df, "seconds", "site", margin=1)
    with pytest.raises(DomainError, match=r"'seconds'.*row 6"):
        hy.one_sample(df, "seconds", target=1)
