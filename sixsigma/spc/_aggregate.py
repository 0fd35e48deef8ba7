"""Per-point aggregation of the charts.

Subgroup statistics for variables charts, and counts per label for attribute charts built
from raw records. The defectives of raw 0/1 records are counted by the one group-count
layer, :func:`sixsigma._aggregate.group_counts`, where the data live; this module adds
what is particular to charts: one point per label, in time order (:func:`check_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._aggregate import DEFECTIVES, N, collect, group_counts
from sixsigma._frames import (
    Table,
    check_keys,
    first_greater,
    first_row,
    orderable,
    parse_dates,
    show,
)
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
    count: FloatArray | NDArray[np.integer[Any]]  # an integer column as it is (sums exact)
    size: FloatArray
    row_point: NDArray[np.int64] | None


def counts(
    table: Table,
    count: str,
    size: str | None,
    label: str | None,
    *,
    binary: bool,
    keep_count: bool = False,
) -> Counts:
    """Counts per point, from aggregated rows (``size`` given) or from raw records.

    With ``size``, each row is one point: ``count`` defectives (or defects) among ``size``
    units. Without it, each row is one inspected unit (``count`` 0/1 or boolean when
    ``binary``, a whole count >= 0 otherwise) and rows are grouped by ``label``; the
    grouping runs where the data live (pandas, polars, DuckDB ...), and only the aggregate
    comes back. The sizes (and with ``keep_count`` the counts: a chart plotting them) are
    float64 and never share memory with the data: the chart keeps them. Without
    ``keep_count`` an integer count column stays integer (see :meth:`Table.count_values`).
    """
    caller = table.caller
    if size is not None:
        table.require(count, size, label)
        # the chart keeps the counts it plots (np): float64, its own; otherwise integer
        # counts are read as they are (no float64 copy)
        c = table.numeric(count, count=True, copy=True) if keep_count else \
            table.count_values(count)
        s = table.numeric(size, minimum=0.0, strict_minimum=True, copy=True)
        if binary:
            i = first_greater(c, s)
            if i >= 0:
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
    if binary:
        # units and defectives per label: the one group-count query, validated there
        agg = group_counts(table, count, [label])
        keys, total, units = agg[label], agg[DEFECTIVES], agg[N]
        _no_nan(table, count, label, keys, total)
    else:
        keys, total, units = _defects_per_label(table, count, label)
        _no_nan(table, count, label, keys, total)
    if table.lazy and isinstance(keys.dtype, pd.DatetimeTZDtype) and \
            str(keys.dt.tz) in ("UTC", "Etc/UTC"):
        # DuckDB and Spark hand back UTC instants: chart them as datetime64, as the dates of
        # an eager frame are
        keys = keys.dt.tz_localize(None)
    labels = np.asarray(keys.to_numpy())
    if pd.isna(labels).any():
        raise MissingValueError(f"{caller}: column {label!r} has missing labels; every raw "
                                "record needs one.")
    # date-like text labels are ordered as times, not as text
    labels = parse_dates(labels, label, caller=caller)
    count_ = np.asarray(total.to_numpy(dtype=np.float64))
    size_ = np.asarray(units.to_numpy(dtype=np.float64))
    if orderable(labels) and pd.Series(labels).duplicated().any():
        # two spellings of one time ("2026-01-02", "2026-01-02T00:00"): one point
        codes, uniq = pd.factorize(labels, sort=True)
        count_ = np.bincount(codes, weights=count_)
        size_ = np.bincount(codes, weights=size_)
        labels = np.asarray(uniq)
    order = np.argsort(labels, kind="stable") if orderable(labels) else \
        np.argsort(labels.astype(str), kind="stable")
    labels = labels[order]
    check_keys(labels, label, caller=caller)
    return Counts(labels=labels, count=count_[order], size=size_[order], row_point=None)


def _no_nan(table: Table, count: str, label: str, keys: Any, total: Any) -> None:
    """A float NaN that is not null (polars, DuckDB reading the text 'nan') is missing."""
    nan = np.isnan(np.asarray(total.to_numpy(dtype=np.float64)))
    if nan.any():
        if not table.lazy:
            table.numeric(count)  # names the first row holding it
        where = show(np.asarray(keys.to_numpy())[first_row(nan)])
        raise MissingValueError(f"{table.caller}: column {count!r} has a missing value "
                                f"(NaN) in the group {label}={where}; drop or fill those "
                                "rows first.")


def _defects_per_label(table: Table, count: str, label: str) -> tuple[Any, Any, Any]:
    """Labels, defects and units per label of raw records counting defects per unit."""
    caller = table.caller
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
    agg = collect(frame.group_by(label).agg(
        col.sum().alias("__count"), nw.len().alias("__size"), col.min().alias("__min"),
        col.count().alias("__present"),
    )).to_pandas()
    checks = [
        (agg["__size"].to_numpy() > agg["__present"].to_numpy(), "a missing value",
         MissingValueError),
        (agg["__min"].to_numpy() < 0, "a negative value", DomainError),
    ]
    if dtype.is_float():  # fractional values are only possible in a float column
        found = collect(frame.filter(col != col.round(0)).select(label).head(1))
        frac = np.asarray(found[label].to_numpy())
        checks.append((agg[label].isin(frac).to_numpy() if frac.size
                       else np.zeros(len(agg), dtype=bool), "a fractional value", DomainError))
    for bad, problem, exc in checks:
        if bad.any():
            if not table.lazy:
                table.numeric(count, count=True)  # names the first offending row
            where = show(agg[label].to_numpy()[first_row(bad)])
            raise exc(f"{caller}: column {count!r} must be a whole count >= 0; the group "
                      f"{label}={where} holds {problem}.")
    return agg[label], agg["__count"], agg["__size"]
