"""The one group-count layer: units and defectives per key, counted where the data live.

Every analysis of defectives (control charts from raw records, the segment scan, Pareto
tables, moderation metrics, flow yields) starts from the same query: group the records by
some key columns and count the units ``n`` and the defectives. :func:`group_counts` writes it
once with narwhals, so it runs in pandas, polars, pyarrow, a DuckDB relation over Parquet
files or Spark; only the aggregate comes back into memory. It validates the defective column
on the way (0/1 or boolean per unit; or whole counts with ``size=`` per row) and names the
column and first offending row in every error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from sixsigma._frames import Table, show
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

__all__ = ["N", "DEFECTIVES", "collect", "group_counts"]

#: Column names of the counts in the frame :func:`group_counts` returns.
N = "n"
DEFECTIVES = "defectives"
_N = "__ss_n"
_D = "__ss_defects"

def collect(frame: Any) -> Any:
    """An eager narwhals frame from an eager or lazy one."""
    return frame.collect() if isinstance(frame, nw.LazyFrame) else frame


def _first_bad_row(table: Table, column: str, values_bad: Any) -> str:
    """'row i (value)' for eager frames, a plain description for lazy ones."""
    if table.lazy:
        sample = collect(table.frame.filter(values_bad).select(column).head(1))
        value = sample[column].to_list()[0] if len(sample) else None
        return f"a row holding {show(value)} (row position unavailable for a lazy frame)"
    mask = np.asarray(collect(table.frame.select(values_bad.alias("__bad")))["__bad"]
                      .to_numpy(), dtype=bool)
    i = int(np.flatnonzero(mask)[0])
    value = table.raw(column)[i]
    return f"row {i} ({show(value)})"


def _check_defect_raw(table: Table, defect: str) -> Any:
    """Validate a raw 0/1 or boolean defect column; return the expression to sum."""
    caller = table.caller
    dtype = table.frame.collect_schema()[defect]
    col = nw.col(defect)
    if dtype == nw.Boolean:
        nulls = int(collect(table.frame.select(col.null_count()))[defect].to_list()[0])
        if nulls:
            where = _first_bad_row(table, defect, col.is_null())
            raise MissingValueError(
                f"{caller}: column {defect!r} has a missing value at {where}; each row must "
                "be one unit, defective (1/True) or not (0/False)."
            )
        return col.cast(nw.Int64)
    if not dtype.is_numeric():
        if not table.lazy:
            table.numeric(defect)  # names the first non-numeric row
        raise NonNumericError(
            f"{caller}: column {defect!r} must be 0/1 or boolean (one row per unit); it is "
            f"{dtype}."
        )
    checks = [
        col.min().alias("min"),
        col.max().alias("max"),
        col.null_count().alias("nulls"),
    ]
    if dtype.is_float():
        # x(1 - x) >= 0 on [0, 1], = 0 only at 0 and 1: one sum proves the values are 0/1
        checks.append((col * (1 - col)).abs().sum().alias("frac"))
    stats = collect(table.frame.select(*checks)).to_pandas().iloc[0]
    if int(stats["nulls"]):
        where = _first_bad_row(table, defect, col.is_null())
        raise MissingValueError(f"{caller}: column {defect!r} has a missing value at {where}.")
    bad = (col < 0) | (col > 1)
    if dtype.is_float():
        bad = bad | (col != col.round(0))
        not01 = float(stats["frac"]) > 0 or float(stats["min"]) < 0 or float(stats["max"]) > 1
    else:
        not01 = float(stats["min"]) < 0 or float(stats["max"]) > 1
    if not01:
        where = _first_bad_row(table, defect, bad)
        raise DomainError(
            f"{caller}: column {defect!r} must be 0/1 or boolean (one row per unit, 1 = "
            f"defective), but {where} is not. For counts per row, pass size= (the units "
            "behind each row)."
        )
    return col


def _check_counts(table: Table, defect: str, size: str) -> None:
    """Validate pre-aggregated counts: whole numbers, 0 <= defects <= size."""
    caller = table.caller
    schema = table.frame.collect_schema()
    if not table.lazy:
        d = table.numeric(defect, count=True)
        s = table.numeric(size, count=True)
        over = d > s
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise DomainError(
                f"{caller}: column {defect!r} ({d[i]:g}) exceeds column {size!r} ({s[i]:g}) "
                f"at row {i}: a size cannot be smaller than its defects."
            )
        return
    for name in (defect, size):
        if not schema[name].is_numeric():
            raise NonNumericError(f"{caller}: column {name!r} must be numeric; it is "
                                  f"{schema[name]}.")
    dc, sc = nw.col(defect), nw.col(size)
    stats = collect(table.frame.select(
        dc.null_count().alias("dn"), sc.null_count().alias("sn"), dc.min().alias("dmin"),
        (sc - dc).min().alias("gap"), (dc - dc.round(0)).abs().sum().alias("dfrac"),
        (sc - sc.round(0)).abs().sum().alias("sfrac"),
    )).to_pandas().iloc[0]
    if int(stats["dn"]) or int(stats["sn"]):
        name = defect if int(stats["dn"]) else size
        where = _first_bad_row(table, name, nw.col(name).is_null())
        raise MissingValueError(f"{caller}: column {name!r} has a missing value at {where}.")
    if float(stats["dmin"]) < 0 or float(stats["dfrac"]) > 0 or float(stats["sfrac"]) > 0:
        where = _first_bad_row(table, defect, (dc < 0) | (dc != dc.round(0))
                               | (sc != sc.round(0)))
        raise DomainError(f"{caller}: columns {defect!r} and {size!r} must hold whole counts "
                          f">= 0; {where} does not.")
    if float(stats["gap"]) < 0:
        where = _first_bad_row(table, defect, dc > sc)
        raise DomainError(
            f"{caller}: column {defect!r} exceeds column {size!r} at {where}: a size cannot "
            "be smaller than its defects."
        )


def group_counts(
    table: Table,
    defectives: str,
    keys: Sequence[str],
    *,
    size: str | None = None,
) -> pd.DataFrame:
    """Units and defectives per combination of ``keys``, in one group-by where the data live.

    Parameters
    ----------
    table : Table
        The user's data (see :mod:`sixsigma._frames`).
    defectives : str
        Raw records (``size=None``): a 0/1 or boolean column, one row per unit.
        Pre-aggregated rows: the number of defectives of each row (whole, <= size).
    keys : sequence of str
        Columns to group by (all at once). Missing key values form a group of their own;
        callers that refuse them check the key columns first.
    size : str, optional
        The units behind each row (pre-aggregated counts).

    Returns
    -------
    pandas.DataFrame
        The key columns, then ``n`` and ``defectives`` (float64); one row per observed
        combination, in the engine's order (callers sort).

    Raises
    ------
    ColumnError, NonNumericError, MissingValueError, DomainError, InsufficientDataError
        Naming the column and the first offending row (lazy inputs: the offending value).
    """
    caller = table.caller
    dims = tuple(keys)
    table.require(defectives, size, *dims)
    for name in (defectives, size):
        if name is not None and name in dims:
            raise ParameterError(f"{caller}: column {name!r} cannot be both a grouping key "
                                 "and the defectives/size column.")
    frame = table.frame
    if size is None:
        expr = _check_defect_raw(table, defectives)
        if frame.collect_schema()[defectives] == nw.Boolean:
            # a simple sum keeps the group-by on the engine's fast path
            frame = frame.with_columns(expr.alias(defectives))
        aggs = [nw.len().alias(_N), nw.col(defectives).sum().alias(_D)]
    else:
        _check_counts(table, defectives, size)
        aggs = [nw.col(size).sum().alias(_N), nw.col(defectives).sum().alias(_D)]
    if dims:
        agg = collect(frame.group_by(*dims).agg(*aggs))
    else:
        agg = collect(frame.select(*aggs))
    out = agg.to_pandas()
    if out.empty or (not dims and float(out[_N].iloc[0]) == 0):
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    out[_N] = out[_N].to_numpy(dtype=np.float64)
    out[_D] = out[_D].to_numpy(dtype=np.float64)
    renamed: pd.DataFrame = out.rename(columns={_N: N, _D: DEFECTIVES})
    return renamed
