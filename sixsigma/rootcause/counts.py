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

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._aggregate import DEFECTIVES, N, group_counts
from sixsigma._frames import Table, show
from sixsigma.errors import (
    InsufficientDataError,
    ParameterError,
)

__all__ = ["Cells", "count_cells"]



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
    empty : tuple of str
        The cells of size 0 that were left out (``"dim=value & ..."``), for a note.
    """

    frame: pd.DataFrame
    dimensions: tuple[str, ...]
    codes: NDArray[np.int64]
    levels: tuple[NDArray[Any], ...]
    n: NDArray[np.float64]
    defects: NDArray[np.float64]
    empty: tuple[str, ...] = ()


def check_dimensions(dimensions: Any, caller: str) -> tuple[str, ...]:
    """Return ``dimensions`` as a tuple of distinct column names, or raise ParameterError."""
    if isinstance(dimensions, str):
        dimensions = [dimensions]
    if not isinstance(dimensions, Sequence) or not dimensions:
        raise ParameterError(
            f"{caller}: the 'dimensions' parameter must be a non-empty list of column names; "
            f"got {dimensions!r}."
        )
    dims = tuple(str(d) for d in dimensions)
    if len(set(dims)) != len(dims):
        raise ParameterError(f"{caller}: the 'dimensions' parameter must name each column "
                             f"once; got {list(dims)}.")
    return dims


def count_cells(
    table: Table,
    defectives: str,
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
    defectives : str
        Raw records (``size=None``): a 0/1 or boolean column, one row per unit.
        Pre-aggregated rows: the number of defects of each row.
    dimensions : sequence of str
        Columns to group by (all at once). A missing value (null or NaN) is refused with
        :class:`~sixsigma.errors.MissingValueError` naming the column and row.
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
    frame = group_counts(table, defectives, dims, size=size)
    n = frame[N].to_numpy(dtype=np.float64)
    d = frame[DEFECTIVES].to_numpy(dtype=np.float64)
    keep = n > 0
    empty: tuple[str, ...] = ()
    if not keep.all():
        gone = frame.loc[~keep, list(dims)]
        empty = tuple(" & ".join(f"{k}={_plain(v)}" for k, v in zip(dims, row, strict=True))
                      for row in gone.itertuples(index=False, name=None))
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
                 defects=d, empty=empty)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
