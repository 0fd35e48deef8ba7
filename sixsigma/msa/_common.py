"""Shared pieces of the measurement-system analyses.

Long-format input and category order. Intervals and parameter checks live in
:mod:`sixsigma._stats` and :mod:`sixsigma._params` (one home per formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import Table, first_row, show
from sixsigma._params import check_number
from sixsigma.errors import (
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

__all__ = [
    "category_order",
    "check_labels",
    "check_seed",
    "codes",
    "key_column",
    "load",
    "measurement",
    "rating_column",
]


def load(data: Any, caller: str, *columns: str | None, min_rows: int = 1) -> Table:
    """The user's data as a :class:`Table`, checked once at the boundary.

    Refuses (naming the column) a dict of columns of unequal lengths, duplicated column
    names, the same column passed for two roles, a missing column, and data with fewer
    than ``min_rows`` rows.
    """
    names = [c for c in columns if c is not None]
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise ParameterError(f"{caller}: column names must be text; got {show(name)}.")
        if name in seen:
            raise ParameterError(f"{caller}: column {name!r} is passed for two roles; each "
                                 "role needs its own column.")
        seen.add(name)
    table = Table(data, caller=caller)  # refuses ragged dicts, duplicate columns ...
    table.require(*names)
    if names and min_rows > 0:
        n = table.raw(names[0]).size
        if n < min_rows:
            what = "no rows" if n == 0 else f"{n} row{'s' if n != 1 else ''}"
            raise InsufficientDataError(f"{caller}: the data have {what}; at least {min_rows} "
                                        "are needed.")
    return table


def check_seed(seed: Any, caller: str) -> int:
    """A seed for numpy's default_rng: a whole number >= 0."""
    return int(check_number(seed, "seed", caller=caller, low=0, integer=True))


def check_labels(values: NDArray[Any], column: str, *, caller: str,
                 positions: NDArray[np.int64] | None = None) -> None:
    """Refuse labels that look alike but differ in type, and infinite labels.

    A column holding both the number 1 and the text "1" would silently make two
    categories (or keys) that print the same; the data must be converted to one type first.
    """
    if values.size == 0:
        return
    series = pd.Series(values, copy=False)
    if values.dtype == object:
        present = series.notna().to_numpy()
        is_text = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if is_text.any() and (present & ~is_text).any():
            printed = series.map(str)
            text_forms = pd.Index(printed[is_text].unique())
            clash = present & ~is_text & printed.isin(text_forms).to_numpy()
            if clash.any():
                i = first_row(clash)
                j = first_row(is_text & (printed == printed.iloc[i]).to_numpy())
                ri, rj = (i, j) if positions is None else (int(positions[i]),
                                                           int(positions[j]))
                raise InputError(
                    f"{caller}: column {column!r} holds {show(values[i])} (a number, row {ri}) "
                    f"and {show(values[j])} (text, row {rj}), which print the same but are "
                    "different values; convert the column to one type first."
                )
    if values.dtype.kind in "fcO":
        inf = series.isin([np.inf, -np.inf]).to_numpy()
        if inf.any():
            i = first_row(inf)
            row = i if positions is None else int(positions[i])
            raise DomainError(f"{caller}: column {column!r} has an infinite value at row "
                              f"{row}.")


def measurement(table: Table, name: str) -> NDArray[np.float64]:
    """A column of measurements as float: numbers only (not categorical, not flags)."""
    col = table.eager(name)[name]
    if col.dtype in (nw.Categorical, nw.Enum, nw.Boolean):
        kind = "true/false flags" if col.dtype == nw.Boolean else "categories"
        raise NonNumericError(f"{table.caller}: column {name!r} must hold numbers; it holds "
                              f"{kind} (row 0: {show(table.raw(name)[0])}). Convert it to "
                              "numbers first.")
    values = table.numeric(name)
    biggest = float(np.abs(values).max()) if values.size else 0.0
    limit = float(np.sqrt(np.finfo(float).max / max(values.size, 1))) / 4.0
    if biggest > limit:
        i = first_row(np.abs(values) > limit)
        raise DomainError(f"{table.caller}: column {name!r} holds {values[i]:g} at row {i}, "
                          f"too large to square without overflow (limit {limit:.3g}); "
                          "rescale the measurements.")
    return values


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
    check_labels(values, column, caller=caller, positions=positions)
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
    """A key column (item, rater, trial) as numpy, with missing keys rejected.

    NaN counts as missing exactly as null does; keys mixing text with numbers (or other
    values) are refused, naming a row of each.
    """
    values = table.raw(name)
    missing = pd.Series(values, copy=False).isna().to_numpy()
    if missing.any():
        i = first_row(missing)
        raise MissingValueError(f"{table.caller}: column {name!r} has a missing value at row {i}.")
    check_labels(values, name, caller=table.caller)
    if values.dtype == object and values.size:
        is_text = pd.Series(values, copy=False).map(lambda v: isinstance(v, str)).to_numpy(
            dtype=bool)
        if is_text.any() and not is_text.all():
            i, j = first_row(~is_text), first_row(is_text)
            raise InputError(
                f"{table.caller}: column {name!r} mixes text and other values (row {j} holds "
                f"{show(values[j])}, row {i} holds {show(values[i])}); keys must be of one "
                "type: convert the column first."
            )
    return values


def rating_column(table: Table, name: str) -> NDArray[Any]:
    """A rating (label) column as numpy: labels checked, missing values kept."""
    values = table.raw(name)
    check_labels(values, name, caller=table.caller)
    return values
