"""Count once: one aggregate over all the scanned dimensions.

Every root-cause analysis in this package starts from a *cell table*: one row per observed
combination of the scanned dimensions (the finest grain of the scan), with the number of
units ``n`` and the number of defects. It is computed by a single narwhals ``group_by``, so
it runs where the data live (pandas, polars, pyarrow, a DuckDB relation over Parquet files);
only the aggregate, a few tens of thousands of cells at most, comes back into memory. Every
segment (a value of one dimension, a pair of values of two dimensions, ...) is then rolled
up from the cells, and the explain-away rescans never touch the records again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import Table, show
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

__all__ = ["Cells", "count_cells"]

_N = "__ss_n"
_D = "__ss_defects"


@dataclass(frozen=True)
class Cells:
    """The cell table: one row per observed combination of the dimensions.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns: the dimensions (their values), then ``n`` (units) and ``defects``; one row
        per cell with ``n > 0``, sorted by the dimension values.
    dimensions : tuple of str
        The dimensions, in the order given.
    codes : numpy.ndarray of int64, shape (cells, dimensions)
        The integer code of each cell's value in each dimension (positions in ``levels``).
    levels : tuple of numpy.ndarray
        The values of each dimension, sorted (missing values last).
    n, defects : numpy.ndarray of float64
        Units and defects per cell.
    """

    frame: pd.DataFrame
    dimensions: tuple[str, ...]
    codes: NDArray[np.int64]
    levels: tuple[NDArray[Any], ...]
    n: NDArray[np.float64]
    defects: NDArray[np.float64]


def check_dimensions(dimensions: Any, caller: str) -> tuple[str, ...]:
    """Return ``dimensions`` as a tuple of distinct column names, or raise ParameterError."""
    if isinstance(dimensions, str):
        dimensions = [dimensions]
    if not isinstance(dimensions, Sequence) or not dimensions:
        raise ParameterError(
            f"{caller}: dimensions must be a non-empty list of column names; got "
            f"{dimensions!r}."
        )
    dims = tuple(str(d) for d in dimensions)
    if len(set(dims)) != len(dims):
        raise ParameterError(f"{caller}: dimensions repeat a column: {list(dims)}.")
    return dims


def _collect(frame: Any) -> Any:
    return frame.collect() if isinstance(frame, nw.LazyFrame) else frame


def _first_bad_row(table: Table, column: str, values_bad: Any) -> str:
    """'row i (value)' for eager frames, a plain description for lazy ones."""
    if table.lazy:
        sample = _collect(table.frame.filter(values_bad).select(column).head(1))
        value = sample[column].to_list()[0] if len(sample) else None
        return f"a row holding {show(value)} (row position unavailable for a lazy frame)"
    mask = np.asarray(_collect(table.frame.select(values_bad.alias("__bad")))["__bad"]
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
        nulls = int(_collect(table.frame.select(col.null_count()))[defect].to_list()[0])
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
    stats = _collect(table.frame.select(*checks)).to_pandas().iloc[0]
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
    stats = _collect(table.frame.select(
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


def count_cells(
    table: Table,
    defect: str,
    dimensions: Sequence[str],
    size: str | None = None,
    *,
    min_levels: int = 2,
) -> Cells:
    """Aggregate the records into the cell table, in one group-by where the data live.

    Parameters
    ----------
    table : Table
        The user's data (see :mod:`sixsigma._frames`).
    defect : str
        Raw records (``size=None``): a 0/1 or boolean column, one row per unit.
        Pre-aggregated rows: the number of defects of each row.
    dimensions : sequence of str
        Columns to group by (all at once). Missing values form a level of their own.
    size : str, optional
        The units behind each row (pre-aggregated counts).
    min_levels : int
        Each dimension must have at least this many levels (a dimension with one level
        cannot separate segments).

    Returns
    -------
    Cells
    """
    caller = table.caller
    dims = tuple(dimensions)
    table.require(defect, size, *dims)
    for name in (defect, size):
        if name is not None and name in dims:
            raise ParameterError(f"{caller}: column {name!r} cannot be both a dimension and "
                                 "the defect/size column.")
    frame = table.frame
    if size is None:
        expr = _check_defect_raw(table, defect)
        if frame.collect_schema()[defect] == nw.Boolean:
            # a simple sum keeps the group-by on the engine's fast path
            frame = frame.with_columns(expr.alias(defect))
        aggs = [nw.len().alias(_N), nw.col(defect).sum().alias(_D)]
    else:
        _check_counts(table, defect, size)
        aggs = [nw.col(size).sum().alias(_N), nw.col(defect).sum().alias(_D)]
    agg = _collect(frame.group_by(*dims).agg(*aggs))
    frame = agg.to_pandas()
    if frame.empty:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    n = frame[_N].to_numpy(dtype=np.float64)
    d = frame[_D].to_numpy(dtype=np.float64)
    keep = n > 0
    if not keep.all():
        frame = frame.loc[keep]
        n, d = n[keep], d[keep]
    codes = np.empty((len(frame), len(dims)), dtype=np.int64)
    levels: list[NDArray[Any]] = []
    for j, dim in enumerate(dims):
        c, uniq = pd.factorize(frame[dim], sort=True, use_na_sentinel=False)
        codes[:, j] = c
        levels.append(np.asarray(uniq, dtype=object))
        if len(uniq) < min_levels:
            only = show(uniq[0]) if len(uniq) else "none"
            raise InsufficientDataError(
                f"{caller}: dimension {dim!r} has {len(uniq)} level ({only}); a dimension "
                "needs at least two levels to separate segments. Drop it from dimensions."
            )
    order = np.lexsort(codes.T[::-1])
    codes = codes[order]
    n, d = n[order], d[order]
    out = frame.iloc[order][list(dims)].reset_index(drop=True)
    out["n"] = n
    out["defects"] = d
    return Cells(frame=out, dimensions=dims, codes=codes, levels=tuple(levels), n=n,
                 defects=d)
