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

from sixsigma._frames import Table, first_row, show
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

__all__ = ["N", "DEFECTIVES", "check_defectives", "check_group_keys", "collect",
           "group_counts", "locate", "missing"]

#: Column names of the counts in the frame :func:`group_counts` returns.
N = "n"
DEFECTIVES = "defectives"
_N = "__ss_n"
_D = "__ss_defects"


def missing(frame: Any, name: str) -> Any:
    """The expression 'value missing': null, or a float NaN (polars, DuckDB keep both)."""
    col = nw.col(name)
    if frame.collect_schema()[name].is_float():
        return col.is_null() | col.is_nan()
    return col.is_null()


def collect(frame: Any) -> Any:
    """An eager narwhals frame from an eager or lazy one."""
    return frame.collect() if isinstance(frame, nw.LazyFrame) else frame


def locate(table: Table, column: str, values_bad: Any, keys: Sequence[str] = ()) -> str:
    """Where the first bad value is, for an error message.

    Eager frames: ``row i (value)``; lazy ones (no row positions): the grouping keys of that
    row, or its value when there are no keys.
    """
    if table.lazy:
        names = [column, *[k for k in keys if k != column]]
        sample = collect(table.frame.filter(values_bad).select(*names).head(1))
        row = {n: sample[n].to_list()[0] for n in names} if len(sample) else {}
        if len(names) > 1 and row:
            group = ", ".join(f"{k}={show(row[k])}" for k in names[1:])
            return (f"the row with {group} (holding {show(row[column])}; row position "
                    "unavailable for a lazy frame)")
        return (f"a row holding {show(row.get(column))} (row position unavailable for a "
                "lazy frame)")
    mask = np.asarray(collect(table.frame.select(values_bad.alias("__bad")))["__bad"]
                      .to_numpy(), dtype=bool)
    i = first_row(mask)
    value = table.raw(column)[i]
    return f"row {i} ({show(value)})"


def check_defectives(table: Table, defect: str, keys: Sequence[str] = ()) -> Any:
    """Validate a raw 0/1 or boolean defect column; return the expression to sum."""
    caller = table.caller
    dtype = table.frame.collect_schema()[defect]
    col = nw.col(defect)
    if dtype == nw.Boolean:
        nulls = int(collect(table.frame.select(col.null_count()))[defect].to_list()[0])
        if nulls:
            where = locate(table, defect, col.is_null(), keys)
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
    miss = missing(table.frame, defect)
    checks = [
        col.min().alias("min"),
        col.max().alias("max"),
        miss.cast(nw.Int64).sum().alias("nulls"),
    ]
    if dtype.is_float():
        # x(1 - x) >= 0 on [0, 1], = 0 only at 0 and 1: one sum proves the values are 0/1
        checks.append((col * (1 - col)).abs().sum().alias("frac"))
    stats = collect(table.frame.select(*checks)).to_pandas().iloc[0]
    if int(stats["nulls"]):
        where = locate(table, defect, miss, keys)
        raise MissingValueError(f"{caller}: column {defect!r} has a missing value (null or "
                                f"NaN) at {where}.")
    bad = (col < 0) | (col > 1)
    if dtype.is_float():
        bad = bad | (col != col.round(0))
        not01 = float(stats["frac"]) > 0 or float(stats["min"]) < 0 or float(stats["max"]) > 1
    else:
        not01 = float(stats["min"]) < 0 or float(stats["max"]) > 1
    if not01:
        where = locate(table, defect, bad, keys)
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
    dmiss, smiss = missing(table.frame, defect), missing(table.frame, size)
    stats = collect(table.frame.select(
        dmiss.cast(nw.Int64).sum().alias("dn"), smiss.cast(nw.Int64).sum().alias("sn"),
        dc.min().alias("dmin"),
        (sc - dc).min().alias("gap"), (dc - dc.round(0)).abs().sum().alias("dfrac"),
        (sc - sc.round(0)).abs().sum().alias("sfrac"),
    )).to_pandas().iloc[0]
    if int(stats["dn"]) or int(stats["sn"]):
        name, miss = (defect, dmiss) if int(stats["dn"]) else (size, smiss)
        where = locate(table, name, miss)
        raise MissingValueError(f"{caller}: column {name!r} has a missing value (null or "
                                f"NaN) at {where}.")
    inf = collect(table.frame.select(
        (dc.abs() == float("inf")).cast(nw.Int64).sum().alias("di"),
        (sc.abs() == float("inf")).cast(nw.Int64).sum().alias("si"))).to_pandas().iloc[0]
    if int(inf["di"]) or int(inf["si"]):
        name = defect if int(inf["di"]) else size
        where = locate(table, name, nw.col(name).abs() == float("inf"))
        raise DomainError(f"{caller}: column {name!r} has an infinite value at {where}.")
    if float(stats["dmin"]) < 0 or float(stats["dfrac"]) > 0 or float(stats["sfrac"]) > 0:
        where = locate(table, defect, (dc < 0) | (dc != dc.round(0))
                               | (sc != sc.round(0)))
        raise DomainError(f"{caller}: columns {defect!r} and {size!r} must hold whole counts "
                          f">= 0; {where} does not.")
    if float(stats["gap"]) < 0:
        where = locate(table, defect, dc > sc)
        raise DomainError(
            f"{caller}: column {defect!r} exceeds column {size!r} at {where}: a size cannot "
            "be smaller than its defects."
        )


def _check_mixed(table: Table, name: str) -> None:
    """Refuse a key column (pandas object dtype) that mixes kinds, e.g. 1 and "2"."""
    table.check_kinds(name)


def check_group_keys(table: Table, keys: Sequence[str], *, dropna: bool = True) -> None:
    """Refuse missing (null or NaN) values and mixed kinds in the grouping columns.

    With ``dropna=False`` missing values are allowed (they form a group of their own).
    Errors name the column and the first row (a lazy frame: the other keys of that row).
    """
    caller = table.caller
    frame = table.frame
    for name in keys:
        if not table.lazy:
            _check_mixed(table, name)
    if dropna is False and keys:
        return
    # cast before summing: Spark does not sum booleans
    counts = collect(frame.select(*[missing(frame, k).cast(nw.Int64).sum().alias(k)
                                    for k in keys]))
    for name in keys:
        if not int(counts[name].to_list()[0]):
            continue
        miss = missing(frame, name)
        if table.lazy:
            others = [k for k in keys if k != name]
            row = collect(frame.filter(miss).select(*keys).head(1)).to_pandas().iloc[0]
            group = ", ".join(f"{k}={show(row[k])}" for k in others)
            where = (f"the group {group}" if group else "a row") + (
                " (row position unavailable for a lazy frame)")
        else:
            mask = np.asarray(collect(frame.select(miss.alias("__bad")))["__bad"].to_numpy(),
                              dtype=bool)
            where = f"row {first_row(mask)}"
        raise MissingValueError(
            f"{caller}: grouping column {name!r} has a missing value (null or NaN) at "
            f"{where}; drop those rows or give them a label first."
        )


def group_counts(
    table: Table,
    defectives: str,
    keys: Sequence[str],
    *,
    size: str | None = None,
    dropna: bool = True,
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
        Columns to group by (all at once).
    size : str, optional
        The units behind each row (pre-aggregated counts).
    dropna : bool
        ``True`` (default): a missing key (null, or a float NaN) is refused with
        :class:`~sixsigma.errors.MissingValueError` naming the column and first row.
        ``False``: the rows with a missing key form one group of their own per column
        (its key is missing: ``None``/``NaN``; null and NaN are the same group).

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
    if not isinstance(dropna, bool):
        raise ParameterError(f"{caller}: the 'dropna' parameter must be True or False; got "
                             f"{show(dropna)}.")
    check_group_keys(table, dims, dropna=dropna)
    frame = table.frame
    if not dropna:
        floats = [k for k in dims if frame.collect_schema()[k].is_float()]
        if floats:
            frame = frame.with_columns(*[nw.col(k).fill_nan(None) for k in floats])
    if size is None:
        expr = check_defectives(table, defectives, dims)
        if frame.collect_schema()[defectives] == nw.Boolean:
            # a simple sum keeps the group-by on the engine's fast path
            frame = frame.with_columns(expr.alias(defectives))
        aggs = [nw.len().alias(_N), nw.col(defectives).sum().alias(_D)]
    else:
        _check_counts(table, defectives, size)
        aggs = [nw.col(size).sum().alias(_N), nw.col(defectives).sum().alias(_D)]
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
        if dims:
            agg = collect(frame.group_by(*dims).agg(*aggs))
        else:
            agg = collect(frame.select(*aggs))
    out = agg.to_pandas()
    if out.empty or (not dims and float(out[_N].iloc[0]) == 0):
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    out[_N] = out[_N].to_numpy(dtype=np.float64)
    out[_D] = out[_D].to_numpy(dtype=np.float64)
    over = ~(np.isfinite(out[_N].to_numpy()) & np.isfinite(out[_D].to_numpy()))
    if over.any():
        name = size if size is not None else defectives
        raise DomainError(f"{caller}: the counts of column {name!r} overflow when summed "
                          "(values near 1e308); they cannot be counts of units.")
    renamed: pd.DataFrame = out.rename(columns={_N: N, _D: DEFECTIVES})
    return renamed
