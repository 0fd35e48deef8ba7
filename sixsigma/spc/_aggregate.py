"""Per-subgroup aggregation.

Subgroup statistics for variables charts, and counts per label for attribute charts built
from raw records (grouped where the data live).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import Table, check_keys, orderable, show
from sixsigma.errors import DomainError, MissingValueError, NonNumericError, ParameterError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Subgroups:
    """Statistics of each subgroup, in subgroup order."""

    labels: NDArray[Any]
    n: FloatArray
    mean: FloatArray
    range: FloatArray
    sd: FloatArray  # n-1 divisor; NaN for a subgroup of one
    row_point: NDArray[np.int64]  # subgroup position of each input row


def subgroups(values: FloatArray, keys: NDArray[Any]) -> Subgroups:
    """Group ``values`` by ``keys``: sorted keys when orderable, else first appearance."""
    codes, uniques = pd.factorize(pd.Series(keys, copy=False), sort=orderable(keys))
    codes = codes.astype(np.int64)
    k = len(uniques)
    n = np.bincount(codes, minlength=k).astype(float)
    mean = np.bincount(codes, weights=values, minlength=k) / n
    dev2 = (values - mean[codes]) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.bincount(codes, weights=dev2, minlength=k) / (n - 1))
    sd[n < 2] = np.nan
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate(([0], np.cumsum(n[:-1]))).astype(np.int64)
    ordered = values[order]
    rng = np.maximum.reduceat(ordered, starts) - np.minimum.reduceat(ordered, starts)
    labels = np.asarray(uniques)
    return Subgroups(labels=labels, n=n, mean=mean, range=rng, sd=sd, row_point=codes)


@dataclass(frozen=True)
class Counts:
    """Counts per point: the defectives (or defects) and the size behind each point."""

    labels: NDArray[Any]
    count: FloatArray
    size: FloatArray
    row_point: NDArray[np.int64] | None


def counts(
    table: Table,
    count: str,
    size: str | None,
    label: str | None,
    *,
    binary: bool,
) -> Counts:
    """Counts per point, from aggregated rows (``size`` given) or from raw records.

    With ``size``, each row is one point: ``count`` defectives (or defects) among ``size``
    units. Without it, each row is one inspected unit (``count`` 0/1 when ``binary``, a
    count >= 0 otherwise) and rows are grouped by ``label``; the grouping runs where the
    data live (pandas, polars, DuckDB ...), and only the aggregate comes back.
    """
    caller = table.caller
    if size is not None:
        table.require(count, size, label)
        c = table.numeric(count, count=True)
        s = table.numeric(size, minimum=0.0, strict_minimum=True)
        if binary:
            over = c > s
            if over.any():
                i = int(np.flatnonzero(over)[0])
                raise DomainError(
                    f"{caller}: column {count!r} ({c[i]:g}) exceeds column {size!r} "
                    f"({s[i]:g}) at row {i}: there cannot be more defectives than units."
                )
        return Counts(labels=table.labels(label, c.size), count=c, size=s, row_point=None)
    if label is None:
        raise ParameterError(
            f"{caller}: give size= (the units behind each row), or label= to group raw "
            "records (one row per inspected unit) into points."
        )
    table.require(count, label)
    dtype = table.frame.collect_schema()[count]
    if not (dtype.is_numeric() or dtype == nw.Boolean):
        if not table.lazy:
            table.numeric(count)  # names the first bad row
        raise NonNumericError(f"{caller}: column {count!r} must be numeric or boolean; it "
                              f"is {dtype}.")
    frame = table.frame
    if dtype == nw.Boolean:
        frame = frame.with_columns(nw.col(count).cast(nw.Int64))
    col = nw.col(count)
    agg = (
        frame.group_by(label)
        .agg(
            col.sum().alias("__count"),
            nw.len().alias("__size"),
            col.min().alias("__min"),
            col.max().alias("__max"),
            col.count().alias("__present"),
        )
        .sort(label)
    )
    if table.lazy:
        agg = agg.collect()
    labels = np.asarray(agg[label].to_pandas().to_numpy() if agg[label].dtype in (
        nw.Datetime, nw.Date) else agg[label].to_numpy())
    nulls = agg["__size"].to_numpy() - agg["__present"].to_numpy()
    low = agg["__min"].to_numpy()
    high = agg["__max"].to_numpy()
    if dtype.is_float():
        # fractional values are only possible in a float column: one more filtered pass
        fractional = frame.filter(col != col.round(0)).select(label).head(1)
        frac = np.asarray((fractional.collect() if table.lazy else fractional)[label].to_numpy())
        frac_bad = np.isin(labels, frac) if frac.size else np.zeros(labels.size, dtype=bool)
    else:
        frac_bad = np.zeros(labels.size, dtype=bool)
    what = "0/1 (one row per inspected unit)" if binary else "a whole count >= 0"
    for bad, problem, exc in (
        (nulls > 0, "a missing value", MissingValueError),
        (low < 0, "a negative value", DomainError),
        ((high > 1) if binary else np.zeros(labels.size, dtype=bool), "a value above 1",
         DomainError),
        (frac_bad, "a fractional value", DomainError),
    ):
        if bad.any():
            row = _first_bad_row(table, count, binary)
            where = f"row {row}" if row is not None else f"the group {label}={show(labels[bad][0])}"
            raise exc(f"{caller}: column {count!r} must be {what}; {where} holds {problem}.")
    if pd.isna(labels).any():
        raise MissingValueError(f"{caller}: column {label!r} has missing labels; every raw "
                                "record needs one.")
    check_keys(labels, label, caller=caller)
    return Counts(
        labels=labels,
        count=agg["__count"].to_numpy().astype(float),
        size=agg["__size"].to_numpy().astype(float),
        row_point=None,
    )


def _first_bad_row(table: Table, column: str, binary: bool) -> int | None:
    if table.lazy:
        return None
    v = table.raw(column).astype(float)
    bad = np.isnan(v) | (v < 0) | (np.mod(np.nan_to_num(v), 1) != 0)
    if binary:
        bad |= v > 1
    return int(np.flatnonzero(bad)[0]) if bad.any() else None
