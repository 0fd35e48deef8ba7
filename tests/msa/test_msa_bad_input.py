"""Issue 14: every public msa function refuses bad input with the specific error type.

Each case asserts the exception type and that the message names the column or parameter
(and the first offending row where there is one). Warnings are errors here: no numpy,
scipy or pandas warning may reach the user.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from sixsigma import msa
from sixsigma.errors import (
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

pytestmark = pytest.mark.filterwarnings("error")


def long() -> pd.DataFrame:
    return pd.DataFrame({
        "item": [1, 1, 2, 2, 3, 3, 4, 4],
        "rater": ["a", "b"] * 4,
        "rating": ["x", "x", "y", "y", "x", "y", "y", "y"],
        "std": ["x", "x", "y", "y", "x", "x", "y", "y"],
        "round": [1] * 4 + [2] * 4,
    })


def gage_data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [(p, o, r, p + 0.1 * rng.normal()) for p in range(5) for o in "ab" for r in range(2)]
    return pd.DataFrame(rows, columns=["part", "op", "rep", "y"])


CALLS: dict[str, Callable[[Any], Any]] = {
    "cohen_kappa": lambda d: msa.cohen_kappa(d, "rating", "std"),
    "fleiss_kappa": lambda d: msa.fleiss_kappa(d, "item", "rater", "rating"),
    "krippendorff_alpha": lambda d: msa.krippendorff_alpha(d, "item", "rater", "rating",
                                                           n_boot=20),
    "kendall_w": lambda d: msa.kendall_w(d, "item", "rater", "rating"),
    "attribute_agreement": lambda d: msa.attribute_agreement(d, "item", "rater", "rating",
                                                             standard="std"),
    "agreement_by_round": lambda d: msa.agreement_by_round(d, "round", "item", "rater",
                                                           "rating"),
    "compare_rounds": lambda d: msa.compare_rounds(d, "round", "item", "rater", "rating",
                                                   first=1, second=2),
    "auditor_accuracy": lambda d: msa.auditor_accuracy(d, "rater", "rating", "std",
                                                       positive=["x", 1]),
}


def cases() -> Iterator[tuple[str, Any, type[Exception], tuple[str, ...]]]:
    b = long()
    yield "empty", b.iloc[:0], InsufficientDataError, ("no rows",)
    yield "one row", b.iloc[:1], InsufficientDataError, ("1 row",)
    x = b.copy()
    x["rating"] = x["std"] = np.nan
    yield "all-NaN rating", x, MissingValueError, ("'rating'",)
    x = b.copy()
    x["rating"] = [1, 1, "1", 2, 1, 2, 2, 2]
    x["std"] = [1, 1, 1, 2, 1, 1, 2, 2]
    yield "1 and '1'", x, InputError, ("'rating'", "row 0", "row 2")
    x = b.copy()
    x["item"] = [1, 1, "2", "2", 3, 3, 4, 4]
    yield "mixed-type item keys", x, InputError, ("'item'", "row 2", "row 0")
    x = b.copy()
    x["rating"] = [1, 1, 2, 2, 1, 2, 2, np.inf]
    x["std"] = [1, 1, 2, 2, 1, 2, 2, 2]
    yield "inf rating", x, DomainError, ("'rating'", "row 7")
    x = b.copy()
    x.columns = pd.Index(["item", "rater", "rating", "rating", "round"])
    yield "duplicate columns", x, InputError, ("'rating'", "more than once")
    x = b.copy()
    x.columns = pd.MultiIndex.from_product([["k"], x.columns])
    yield "multi-level columns", x, InputError, ("multi-level",)
    yield ("index holds keys", b.set_index(["item", "rater"]), InputError,
           ("index", "reset_index"))
    yield "not a frame", 5, InputError, ("cannot read data of type int",)
    yield ("ragged dict", {"item": [1, 2], "rater": ["a"], "rating": [1, 2, 3], "std": [1],
                           "round": [1]}, InputError, ("'item'", "'rater'"))


CASES = list(cases())

# functions with their own batteries below (measurements, counts)
OWN_BATTERY = {"gage_rr", "corrected_rate",
               "dawid_skene"}  # its bad inputs: tests/msa/test_dawid_skene.py


def test_every_public_function_is_in_a_battery() -> None:
    """A public msa function missing from the batteries fails here (issue 14 registry)."""
    public = {name for name in msa.__all__ if callable(getattr(msa, name))
              and not isinstance(getattr(msa, name), type)}
    assert public == set(CALLS) | OWN_BATTERY


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_frames_raise_specific_errors(name: str, case: Any) -> None:
    _, data, error, words = case
    if name == "cohen_kappa" and case[0] == "all-NaN rating":
        words = ("'rating'", "row 0")
    if (name in ("cohen_kappa", "auditor_accuracy") and case[0] == "mixed-type item keys") \
            or (name == "cohen_kappa" and case[0] == "index holds keys"):
        return   # no item (or index) column in these calls
    with pytest.raises(error) as info:
        CALLS[name](data)
    msg = str(info.value)
    assert msg.startswith(name + ":")
    for w in words:
        if name == "cohen_kappa" and w == "'rating'" and case[0] == "duplicate columns":
            continue
        assert w in msg, (w, msg)


@pytest.mark.parametrize("name", ["fleiss_kappa", "kendall_w", "attribute_agreement",
                                  "agreement_by_round", "compare_rounds"])
@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_nan_is_missing_like_null(name: str, backend: str) -> None:
    """A float NaN rating or key is refused exactly as a null one, at the same row."""
    b = long().assign(rating=[1.0, 1, 2, 2, 1, 2, 2, 1])
    nan_rating = b.assign(rating=[1.0, 1, 2, 2, 1, 2, 2, np.nan])
    nan_item = b.assign(item=[1.0, 1, np.nan, 2, 3, 3, 4, 4])
    for frame, column, row in ((nan_rating, "rating", 7), (nan_item, "item", 2)):
        data: Any = frame
        if backend == "polars":
            data = pl.from_pandas(frame, nan_to_null=False)
            assert data[column].is_nan().sum() == 1 and data[column].null_count() == 0
        with pytest.raises(MissingValueError, match=rf"'{column}'.*row {row}"):
            CALLS[name](data)


def test_krippendorff_drops_nan_exactly_as_null() -> None:
    b = long().assign(rating=[1.0, 1, 2, 2, 1, 2, 2, np.nan], item=[1, 1, 2, 2, 3, 3, 4, 4])
    with_nan = pl.from_pandas(b, nan_to_null=False)
    with_null = pl.from_pandas(b, nan_to_null=True)
    a = msa.krippendorff_alpha(with_nan, "item", "rater", "rating", n_boot=20)
    c = msa.krippendorff_alpha(with_null, "item", "rater", "rating", n_boot=20)
    assert a.to_dict() == c.to_dict()
    assert a.n_units == 3


@pytest.mark.parametrize("name", list(CALLS))
def test_categorical_ratings_are_labels(name: str) -> None:
    """A categorical rating column is read as its labels: same result as plain text."""
    b = long()
    cat = b.assign(rating=b["rating"].astype("category"), std=b["std"].astype("category"),
                   rater=b["rater"].astype("category"))
    plain = CALLS[name](b).to_dict()
    assert CALLS[name](cat).to_dict() == plain
    assert CALLS[name](pl.from_pandas(cat)).to_dict() == plain
    json.dumps(plain, allow_nan=False)


def test_mixed_labels_without_clash_do_not_warn() -> None:
    """1, 2 and 'unsure' never print alike: accepted, and to_dict keeps every category."""
    d = {"a": [1, 2, "unsure", 1], "b": [1, 2, "unsure", 2]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = msa.cohen_kappa(d, "a", "b")
        payload = r.to_dict()
    assert len(r.categories) == 3
    json.dumps(payload, allow_nan=False)


@pytest.mark.parametrize(("case", "error", "words"), [
    ("empty", InsufficientDataError, ("no rows",)),
    ("one row", InsufficientDataError, ("1 row",)),
    ("all-NaN", MissingValueError, ("'y'", "row 0")),
    ("NaN", MissingValueError, ("'y'", "row 3")),
    ("polars NaN", MissingValueError, ("'y'", "row 1")),
    ("categorical", NonNumericError, ("'y'", "categories")),
    ("bool", NonNumericError, ("'y'", "flags")),
    ("text", NonNumericError, ("'y'", "row 2")),
    ("1e308", DomainError, ("'y'", "row 2", "overflow")),
    ("inf", DomainError, ("'y'", "row 4")),
    ("duplicate columns", InputError, ("'y'",)),
])
def test_gage_bad_frames(case: str, error: type[Exception], words: tuple[str, ...]) -> None:
    g = gage_data()
    data: Any = g
    if case == "empty":
        data = g.iloc[:0]
    elif case == "one row":
        data = g.iloc[:1]
    elif case == "all-NaN":
        data = g.assign(y=np.nan)
    elif case == "NaN":
        data = g.assign(y=np.where(np.arange(len(g)) == 3, np.nan, g["y"]))
    elif case == "polars NaN":
        data = pl.from_pandas(g).with_columns(
            pl.when(pl.col("rep") == 1).then(float("nan")).otherwise(pl.col("y")).alias("y"))
    elif case == "categorical":
        data = g.assign(y=g["y"].astype("category"))
    elif case == "bool":
        data = g.assign(y=g["y"] > 2)
    elif case == "text":
        data = g.assign(y=g["y"].astype(object).where(g.index != 2, "n/a"))
    elif case == "1e308":
        data = g.assign(y=np.where(g.index == 2, 1e308, np.where(g.index == 3, -1e308, g["y"])))
    elif case == "inf":
        data = g.assign(y=np.where(g.index == 4, np.inf, g["y"]))
    elif case == "duplicate columns":
        data = g.set_axis(["part", "op", "y", "y"], axis=1)
    with pytest.raises(error) as info:
        msa.gage_rr(data, "part", "op", "y")
    for w in words:
        assert w in str(info.value), (w, str(info.value))


ABSURD: list[tuple[str, Callable[[], Any], str]] = [
    *[(f"{n} confidence={c!r}", (lambda n=n, c=c: CALLS_CONF[n](c)), "'confidence'")
      for n in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "attribute_agreement",
                "agreement_by_round", "compare_rounds")
      for c in (2, float("nan"), 0, "x", None, True)],
    ("gage tolerance (1, inf)",
     lambda: msa.gage_rr(gage_data(), "part", "op", "y", tolerance=(1, float("inf"))),
     "'tolerance'"),
    ("gage tolerance 'a'", lambda: msa.gage_rr(gage_data(), "part", "op", "y", tolerance="a"),
     "'tolerance'"),
    ("gage tolerance -1", lambda: msa.gage_rr(gage_data(), "part", "op", "y", tolerance=-1),
     "'tolerance'"),
    ("gage study_multiplier nan", lambda: msa.gage_rr(gage_data(), "part", "op", "y",
                                                      study_multiplier=float("nan")),
     "'study_multiplier'"),
    ("kripp seed nan", lambda: msa.krippendorff_alpha(long(), "item", "rater", "rating",
                                                      seed=float("nan")), "'seed'"),
    ("kripp seed 'x'", lambda: msa.krippendorff_alpha(long(), "item", "rater", "rating",
                                                      seed="x"), "'seed'"),
    ("rounds seed -1", lambda: msa.agreement_by_round(long(), "round", "item", "rater",
                                                      "rating", statistic="krippendorff",
                                                      seed=-1), "'seed'"),
    ("rounds level", lambda: msa.agreement_by_round(long(), "round", "item", "rater", "rating",
                                                    statistic="krippendorff", level="x"),
     "'level'"),
    ("rounds n_boot", lambda: msa.agreement_by_round(long(), "round", "item", "rater", "rating",
                                                     n_boot=1.5), "'n_boot'"),
    ("compare same round", lambda: msa.compare_rounds(long(), "round", "item", "rater",
                                                      "rating", first=1, second=1), "'first'"),
    ("same column twice", lambda: msa.fleiss_kappa(long(), "item", "item", "rating"),
     "'item'"),
]

CALLS_CONF: dict[str, Callable[[Any], Any]] = {
    "cohen_kappa": lambda c: msa.cohen_kappa(long(), "rating", "std", confidence=c),
    "fleiss_kappa": lambda c: msa.fleiss_kappa(long(), "item", "rater", "rating",
                                               confidence=c),
    "krippendorff_alpha": lambda c: msa.krippendorff_alpha(long(), "item", "rater", "rating",
                                                           confidence=c),
    "attribute_agreement": lambda c: msa.attribute_agreement(long(), "item", "rater", "rating",
                                                             confidence=c),
    "agreement_by_round": lambda c: msa.agreement_by_round(long(), "round", "item", "rater",
                                                           "rating", confidence=c),
    "compare_rounds": lambda c: msa.compare_rounds(long(), "round", "item", "rater", "rating",
                                                   first=1, second=2, confidence=c),
}


@pytest.mark.parametrize("case", ABSURD, ids=[c[0] for c in ABSURD])
def test_absurd_parameters(case: Any) -> None:
    _, call, word = case
    with pytest.raises(ParameterError, match=word):
        call()
