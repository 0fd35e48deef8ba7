"""Shared pieces of the measurement-system analyses.

Long-format input and category order. Intervals and parameter checks live in
:mod:`sixsigma._stats` and :mod:`sixsigma._params` (one home per formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import Table, first_row, show
from sixsigma.errors import DomainError, MissingValueError, ParameterError

__all__ = [
    "category_order",
    "codes",
    "key_column",
]


def _numeric_like(values: NDArray[Any]) -> bool:
    if np.issubdtype(values.dtype, np.number) or values.dtype == bool:
        return True
    converted = pd.to_numeric(pd.Series(values, copy=False), errors="coerce")
    return bool(converted.notna().all())


def category_order(
    observed: NDArray[Any], declared: Sequence[Any] | None, *, caller: str
) -> list[Any]:
    """The categories in their order.

    The declared ones as given, else the observed ones sorted numerically when they are
    numbers (1, 2, 10 -- not irr's string order 1, 10, 2) and alphabetically otherwise.
    """
    if declared is not None:
        cats = list(declared)
        if len(cats) == 0:
            raise ParameterError(f"{caller}: categories= must not be empty.")
        if len(set(cats)) != len(cats):
            raise ParameterError(f"{caller}: categories= lists a category twice.")
        return cats
    uniq = pd.unique(pd.Series(observed, copy=False))
    if _numeric_like(np.asarray(uniq)):
        keys = pd.to_numeric(pd.Series(uniq)).to_numpy(dtype=float)
        return [uniq[i] for i in np.argsort(keys, kind="stable")]
    return sorted(uniq.tolist(), key=str)


def codes(
    values: NDArray[Any], cats: Sequence[Any], column: str, *, caller: str,
    positions: NDArray[np.int64] | None = None,
) -> NDArray[np.int64]:
    """Integer codes 0..k-1 of ``values`` in ``cats``.

    A value outside them raises :class:`DomainError` naming the column and the first
    offending row.
    """
    series = pd.Series(values, copy=False)
    missing = series.isna().to_numpy()
    if missing.any():
        i = first_row(missing)
        row = i if positions is None else int(positions[i])
        raise MissingValueError(f"{caller}: column {column!r} has a missing rating at row {row}; "
                                "drop those rows first.")
    lookup = pd.Index(list(cats))
    found = lookup.get_indexer(series)
    if (found < 0).any() and _numeric_like(np.asarray(list(cats), dtype=object)) and \
            _numeric_like(values):
        # 1 and 1.0 (or "1") denote the same category
        num = pd.Index(pd.to_numeric(pd.Series(list(cats))).to_numpy(dtype=float))
        found = num.get_indexer(pd.to_numeric(series).to_numpy(dtype=float))
    bad = found < 0
    if bad.any():
        i = first_row(bad)
        row = i if positions is None else int(positions[i])
        shown = ", ".join(show(c) for c in list(cats)[:12])
        raise DomainError(
            f"{caller}: column {column!r} holds {show(values[i])} at row {row}, which is not "
            f"one of the declared categories ({shown})."
        )
    out: NDArray[np.int64] = np.asarray(found, dtype=np.int64)
    return out


def key_column(table: Table, name: str) -> NDArray[Any]:
    """A key column (item, rater, trial) as numpy, with missing keys rejected."""
    values = table.raw(name)
    missing = pd.Series(values, copy=False).isna().to_numpy()
    if missing.any():
        i = first_row(missing)
        raise MissingValueError(f"{table.caller}: column {name!r} has a missing value at row {i}.")
    return values
