"""Table's numeric checks: reductions instead of full-size masks, same errors and rows.

The checks decide with whole-column reductions and build a mask only to name the bad row
(issue 19: a cold process pays a page fault for every fresh page). The expected outcome of
every case is the former mask-based implementation, kept below as the oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sixsigma._frames import CHUNK, Table, first_fractional, first_greater
from sixsigma.errors import DomainError, MissingValueError


def _oracle(arr: np.ndarray, *, count: bool = False, minimum: float | None = None,
            strict_minimum: bool = False, allow_missing: bool = False
            ) -> tuple[type[Exception], int] | None:
    """The first failing check of the mask-based implementation, and its row."""
    arr = arr.astype(np.float64)
    nan = np.isnan(arr)
    if nan.any() and not allow_missing:
        return MissingValueError, int(np.flatnonzero(nan)[0])
    inf = np.isinf(arr)
    if inf.any():
        return DomainError, int(np.flatnonzero(inf)[0])
    if arr.size:
        limit = float(np.sqrt(np.finfo(np.float64).max / arr.size)) / 16.0
        with np.errstate(invalid="ignore"):
            big = np.abs(arr) > limit
        if big.any():
            return DomainError, int(np.flatnonzero(big)[0])
    if count:
        neg = arr < 0
        if neg.any():
            return DomainError, int(np.flatnonzero(neg)[0])
        with np.errstate(invalid="ignore"):
            frac = ~nan & (np.mod(arr, 1.0) != 0)
        if frac.any():
            return DomainError, int(np.flatnonzero(frac)[0])
    if minimum is not None:
        low = arr <= minimum if strict_minimum else arr < minimum
        if low.any():
            return DomainError, int(np.flatnonzero(low)[0])
    return None


def _outcome(values: np.ndarray, **kw: object) -> tuple[type[Exception], int] | None:
    table = Table({"v": values}, caller="f")
    try:
        out = table.numeric("v", **kw)  # type: ignore[arg-type]
    except (DomainError, MissingValueError) as err:
        row = int(str(err).split(" row ")[1].split()[0].rstrip(",;."))
        return type(err), row
    np.testing.assert_array_equal(out, values.astype(np.float64))
    return None


SPECIALS = [np.nan, np.inf, -np.inf, -1.0, 0.5, -0.5, 1e200, -1e200, 0.0, -0.0, 3.0]
OPTIONS = [
    {},
    {"count": True},
    {"minimum": 0.0},
    {"minimum": 0.0, "strict_minimum": True},
    {"count": True, "allow_missing": True},
    {"minimum": 1.0, "allow_missing": True},
    {"allow_missing": True},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_checks_match_the_mask_based_oracle(options: dict[str, object]) -> None:
    rng = np.random.default_rng(19)
    n = CHUNK + 1000  # the fractional check runs in chunks: cross a boundary
    for _ in range(60):
        values = rng.integers(1, 50, n).astype(np.float64)
        for _ in range(rng.integers(0, 4)):
            values[rng.integers(0, n)] = SPECIALS[rng.integers(0, len(SPECIALS))]
        assert _outcome(values, **options) == _oracle(values, **options)


def test_all_missing_allowed_passes() -> None:
    values = np.full(5, np.nan)
    out = Table({"v": values}, caller="f").numeric("v", allow_missing=True, count=True)
    assert np.isnan(out).all()


@pytest.mark.parametrize("at", [0, CHUNK - 1, CHUNK, 3 * CHUNK + 7])
def test_first_fractional_and_first_greater_across_chunks(at: int) -> None:
    values = np.ones(4 * CHUNK)
    assert first_fractional(values) == -1
    assert first_greater(values, values) == -1
    values[at] = 2.25
    values[-1] = 0.5
    assert first_fractional(values) == at
    assert first_greater(values, np.ones(values.size)) == at


def test_counts_keeps_integers_without_a_copy() -> None:
    d = np.array([3, 0, 7], dtype=np.int64)
    out = Table({"d": d}, caller="f").count_values("d")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, d)
    floats = Table({"d": d.astype(float)}, caller="f").count_values("d")
    assert floats.dtype == np.float64


@pytest.mark.parametrize("values", [np.array([3, -2, 1]), np.array([3.0, 1.5, 1.0]),
                                    np.array([3.0, np.nan, 1.0])])
def test_counts_raises_what_numeric_raises(values: np.ndarray) -> None:
    table = Table({"d": values}, caller="f")
    with pytest.raises((DomainError, MissingValueError)) as expected:
        table.numeric("d", count=True)
    with pytest.raises(type(expected.value), match=str(expected.value).replace("(", r"\(")
                       .replace(")", r"\)").replace(".", r"\.")):
        table.count_values("d")


def test_dict_input_is_not_copied_and_copy_true_owns_its_data() -> None:
    x = np.arange(10.0)
    table = Table({"x": x, "k": np.arange(10)}, caller="f")
    assert np.shares_memory(table.numeric("x"), x)  # the table reads the user's array
    owned = table.numeric("x", copy=True)
    assert not np.shares_memory(owned, x)
    converted = table.numeric("k", copy=True)  # int -> float64 is already a fresh array
    assert converted.flags.owndata


@pytest.mark.parametrize("make", [lambda x: x, lambda x: {"value": x},
                                  lambda x: pd.DataFrame({"value": x})])
def test_copy_true_never_aliases_the_data(make: object) -> None:
    x = np.arange(6.0)
    data = make(x)  # type: ignore[operator]
    out = Table(data, caller="f").numeric("value", copy=True)
    if isinstance(data, pd.DataFrame):
        data.loc[0, "value"] = 99.0
    x[1] = 77.0
    np.testing.assert_array_equal(out, np.arange(6.0))
