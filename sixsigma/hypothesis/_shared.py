"""What the numeric and the proportion tests share: pingouin, the data kind, pairing."""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sixsigma.errors import InsufficientDataError, ParameterError

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["check_columns", "data_kind", "first", "omnibus", "pingouin", "wide_pairs"]


def check_columns(group: str | None, value: str | None, defectives: str | None, *,
                  groups: str, caller: str) -> str:
    """The column checks of every group comparison: a group column, one kind of outcome.

    Returns the group column.
    """
    if group is None:
        raise ParameterError(f"{caller}: the 'group' parameter must name the column of the "
                             f"{groups}; got None.")
    if defectives is not None and value is not None:
        raise ParameterError(f"{caller}: pass either value= (one row per "
                             "observation) or defectives= (counts), not both.")
    return group


def pingouin() -> ModuleType:
    """Return pingouin, imported on first use (it loads matplotlib; sixsigma must not)."""
    return importlib.import_module("pingouin")


def first(res: pd.DataFrame, name: str) -> float:
    """The first value of a pingouin column (``p_val``, or ``p-val`` in older releases)."""
    return float(res[name].iloc[0] if name in res else res[name.replace("_", "-")].iloc[0])


def omnibus(res: pd.DataFrame, stat: str, df: str) -> tuple[float, float, float]:
    """Statistic, degrees of freedom and p-value from the first row of a pingouin table."""
    return float(res[stat].iloc[0]), float(res[df].iloc[0]), first(res, "p_unc")


def data_kind(values: pd.Series) -> str:
    """``"proportion"`` (0/1, boolean), ``"categorical"``, ``"count"`` or ``"continuous"``."""
    if values.dtype == bool:
        return "proportion"
    if not pd.api.types.is_numeric_dtype(values):
        return "categorical"
    arr = values.to_numpy(dtype=np.float64)
    uniq = np.unique(arr)
    if np.isin(uniq, (0.0, 1.0)).all():
        return "proportion"
    if (arr >= 0).all() and (np.mod(arr, 1) == 0).all():
        return "count"
    return "continuous"


def wide_pairs(frame: pd.DataFrame, value: str, group: str, subject: str | None,
               levels: list[Any]) -> tuple[pd.DataFrame, list[str]]:
    """Wide table: one row per subject, one column per group (complete subjects only)."""
    notes: list[str] = []
    if subject is None:
        sizes = frame.groupby(group, sort=False).size()
        if sizes.nunique() != 1:
            raise InsufficientDataError(
                f"compare: paired=True without subject= pairs rows by order within each "
                f"group, but the groups of {group!r} have different sizes "
                f"({', '.join(f'{k}: {v}' for k, v in sizes.items())}); pass subject=.")
        frame = frame.assign(__subject=frame.groupby(group, sort=False).cumcount())
        subject = "__subject"
    wide = frame.pivot_table(index=subject, columns=group, values=value, aggfunc="first",
                             observed=True)
    wide = wide[levels]
    complete = wide.dropna()
    if len(complete) < len(wide):
        notes.append(f"{len(wide) - len(complete)} subject(s) without a value in every group "
                     "were left out")
    return complete, notes


#: Text that means "no value" in exported files: refused as missing, never a category.
MISSING_TEXT = frozenset({"", "n/a", "na", "nan", "null", "none", "-", "#n/a", "missing", "?"})


def _cell_kind(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "number"
    if isinstance(v, int | float | np.integer | np.floating):
        return "number"
    return "text" if isinstance(v, str) else type(v).__name__


def read_values(frame: pd.DataFrame, value: str, caller: str) -> pd.Series:
    """The outcome column, checked for its kind (see :func:`_read_values`) and for size.

    Values so large that their squares summed over the sample overflow (about 1e150 and
    above) are refused: every variance, t and p-value computed from them would be inf/NaN.
    """
    from sixsigma._frames import first_row, show
    from sixsigma.errors import DomainError

    out = _read_values(frame, value, caller)
    if out.dtype == bool or not pd.api.types.is_numeric_dtype(out):
        return out
    arr = np.abs(out.to_numpy(dtype=np.float64))
    limit = math.sqrt(np.finfo(np.float64).max / max(arr.size, 1)) / 10.0
    big = arr > limit
    if big.any():
        i = first_row(big)
        raise DomainError(
            f"{caller}: column {value!r} holds {show(out.iloc[i])} at row {i}, too large to "
            f"compute a variance (|value| must be below {limit:.3g}); rescale the column "
            "first.")
    return out


def _read_values(frame: pd.DataFrame, value: str, caller: str) -> pd.Series:
    """The outcome column, checked for its kind before any test is chosen.

    Numbers stay numbers (NaN refused as missing, inf refused as out of range); a text
    column of numbers (``"12.5"``) becomes numbers; text that means "no value" (``"n/a"``,
    ``""``, ``"NaN"``, ...) is refused as missing, never taken as a category; a column that
    mixes numbers and text is refused, naming the first row of each kind.
    """
    from sixsigma._frames import first_row, show
    from sixsigma.errors import DomainError, MissingValueError, NonNumericError

    col = frame[value]
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if col.dtype == bool:
        return col
    if pd.api.types.is_numeric_dtype(col):
        arr = col.to_numpy(dtype=np.float64)
        miss = np.isnan(arr)
        if miss.any():
            raise MissingValueError(f"{caller}: column {value!r} has a missing value (NaN) at "
                                    f"row {first_row(miss)}; drop those rows first.")
        inf = np.isinf(arr)
        if inf.any():
            i = first_row(inf)
            raise DomainError(f"{caller}: column {value!r} has an infinite value at row {i} "
                              f"({show(arr[i])}); it is not a measurement.")
        return col
    values = col.to_numpy(dtype=object)
    parsed = np.full(values.size, np.nan)
    kinds = np.empty(values.size, dtype=object)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float | np.floating) and np.isnan(v)) or v is pd.NA:
            raise MissingValueError(f"{caller}: column {value!r} has a missing value at row "
                                    f"{i}; drop those rows first.")
        if isinstance(v, str):
            text = v.strip()
            if text.lower() in MISSING_TEXT:
                raise MissingValueError(
                    f"{caller}: column {value!r} holds {show(v)} at row {i}, which reads as a "
                    "missing value, not as a category or a number; drop those rows (or give "
                    "them a label) first.")
            try:
                parsed[i] = float(text)
                kinds[i] = "number"
            except ValueError:
                kinds[i] = "text"
        else:
            kinds[i] = _cell_kind(v)
            if kinds[i] == "number":
                parsed[i] = float(v)
        if kinds[i] == "number" and not np.isfinite(parsed[i]):
            raise DomainError(f"{caller}: column {value!r} has an infinite value at row {i} "
                              f"({show(v)}); it is not a measurement.")
    found = list(dict.fromkeys(kinds.tolist()))
    if len(found) > 1:
        j = first_row(kinds == found[0])
        i = first_row(kinds != found[0])
        raise NonNumericError(
            f"{caller}: column {value!r} mixes kinds of values: row {j} holds "
            f"{show(values[j])} ({found[0]}) but row {i} holds {show(values[i])} "
            f"({kinds[i]}); convert the column to one kind first.")
    if found == ["number"]:
        return pd.Series(parsed, index=col.index, name=value)
    if found != ["text"]:
        raise NonNumericError(f"{caller}: column {value!r} holds values of type {found[0]}; "
                              "an outcome must be numbers, 0/1, booleans or text categories.")
    return pd.Series(values, index=col.index, name=value, dtype=object)


def two_levels(values: pd.Series, event: Any, value: str, caller: str
               ) -> tuple[pd.Series, Any, list[Any]] | None:
    """A two-level outcome as 0/1 (1 = ``event``), or None when it is not two-level.

    0/1 numbers and booleans count 1/True unless ``event`` says otherwise; text with two
    levels counts ``event``, by default the rarer level (ties: the first in sorted order).
    """
    from sixsigma._frames import show
    from sixsigma.errors import ParameterError

    kind = data_kind(values)
    if kind == "proportion":
        levels: list[Any] = [False, True] if values.dtype == bool else [0, 1]
    elif kind == "categorical":
        counts = values.value_counts(sort=False)
        if len(counts) != 2:
            return None
        levels = sorted(counts.index.tolist(), key=str)
    else:
        return None
    if event is None:
        if kind == "proportion":
            event = levels[1]
        else:
            counts = values.value_counts(sort=False)
            event = min(levels, key=lambda lv: (int(counts[lv]), str(lv)))
    else:
        match = [lv for lv in levels if lv == event or str(lv) == str(event)]
        if not match:
            raise ParameterError(
                f"{caller}: the 'event' parameter must be one of the values of {value!r} "
                f"({', '.join(show(v) for v in levels)}); got {show(event)}.")
        event = match[0]
    if kind == "proportion":
        coded = (values.astype(np.float64) == float(event)).astype(np.int64)
    else:
        coded = (values == event).astype(np.int64)
    return coded, event, levels
