"""Shared pieces of the measurement-system analyses.

Long-format input, category order and binomial intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import Table, show
from sixsigma.errors import DomainError, InsufficientDataError, MissingValueError, ParameterError

__all__ = [
    "clopper_pearson",
    "wilson",
    "category_order",
    "codes",
    "key_column",
    "z_quantile",
    "check_confidence",
]


def check_confidence(confidence: float, caller: str) -> float:
    """Validate a confidence level (0 < confidence < 1)."""
    if not 0.0 < float(confidence) < 1.0:
        raise ParameterError(f"{caller}: confidence must lie strictly between 0 and 1; "
                             f"got {confidence!r}.")
    return float(confidence)


def z_quantile(confidence: float) -> float:
    """The two-sided normal quantile z_{1-(1-confidence)/2}."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def clopper_pearson(
    matched: NDArray[Any], n: NDArray[Any], confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact (Clopper-Pearson 1934) interval for a binomial proportion, vectorised.

    The bounds are beta quantiles: lower = B(a/2; x, n-x+1), upper = B(1-a/2; x+1, n-x).
    At the extremes Minitab's attribute agreement output uses the one-sided bound: at x = n
    the lower bound is a^(1/n) (15 of 15 matched: 81.90 %), at x = 0 the upper bound is
    1 - a^(1/n); this function does the same, so percent-matched intervals match Minitab.
    """
    x = np.asarray(matched, dtype=float)
    m = np.asarray(n, dtype=float)
    a = 1.0 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(x > 0, stats.beta.ppf(a / 2, x, m - x + 1), 0.0)
        upper = np.where(x < m, stats.beta.ppf(1 - a / 2, x + 1, m - x), 1.0)
        one_sided = np.power(a, 1.0 / np.where(m > 0, m, 1.0))
        lower = np.where((x == m) & (m > 0), one_sided, lower)
        upper = np.where((x == 0) & (m > 0), 1.0 - one_sided, upper)
    lower = np.where(m > 0, lower, np.nan)
    upper = np.where(m > 0, upper, np.nan)
    return lower.astype(float), upper.astype(float)


def wilson(
    matched: NDArray[Any], n: NDArray[Any], confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson (1927) score interval for a binomial proportion, vectorised."""
    x = np.asarray(matched, dtype=float)
    m = np.asarray(n, dtype=float)
    z = z_quantile(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / m
        centre = (p + z * z / (2 * m)) / (1 + z * z / m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    lower = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    upper = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lower.astype(float), upper.astype(float)


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
        i = int(np.flatnonzero(missing)[0])
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
        i = int(np.flatnonzero(bad)[0])
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
        i = int(np.flatnonzero(missing)[0])
        raise MissingValueError(f"{table.caller}: column {name!r} has a missing value at row {i}.")
    return values


def need_two(n: int, what: str, caller: str) -> None:
    """Raise :class:`InsufficientDataError` when fewer than two of ``what`` exist."""
    if n < 2:
        raise InsufficientDataError(f"{caller}: agreement needs at least two {what}; got {n}.")
