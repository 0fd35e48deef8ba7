"""Intervals of a binomial proportion and of a difference of two, vectorised.

The one home of these formulas in sixsigma: every module that reports a proportion's
interval calls these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

__all__ = ["clopper_pearson", "newcombe", "wilson", "z_two_sided"]

FloatArray = NDArray[np.float64]


def z_two_sided(confidence: float) -> float:
    """The standard normal quantile z with P(|Z| <= z) = ``confidence``.

    >>> round(z_two_sided(0.95), 6)
    1.959964
    """
    return float(special.ndtri(0.5 + confidence / 2.0))


def wilson(successes: Any, n: Any, confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Wilson (1927) score interval of a binomial proportion, vectorised.

    Parameters
    ----------
    successes, n : array-like
        Counts; where ``n`` is 0 the interval is undefined (NaN).
    confidence : float
        Two-sided confidence level (checked by the caller).

    Returns
    -------
    (lower, upper) : tuple of numpy.ndarray

    References
    ----------
    Wilson, E.B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22, 209-212. Newcombe, R.G. (1998). Two-sided confidence intervals
    for the single proportion. *Statistics in Medicine* 17, 857-872.

    Examples
    --------
    >>> low, high = wilson(81, 263)   # Newcombe (1998), Table II, example (a)
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = z_two_sided(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    empty = m <= 0
    low = np.where(empty, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(centre + half, 0.0, 1.0))
    return low.astype(float), high.astype(float)


def clopper_pearson(
    successes: Any, n: Any, confidence: float = 0.95, *, one_sided_extremes: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Exact (Clopper-Pearson 1934) interval of a binomial proportion, vectorised.

    The bounds are beta quantiles: lower = B(a/2; x, n-x+1), upper = B(1-a/2; x+1, n-x),
    with lower 0 at x = 0 and upper 1 at x = n.

    Parameters
    ----------
    successes, n : array-like
        Counts; where ``n`` is 0 the interval is undefined (NaN).
    confidence : float
        Two-sided confidence level.
    one_sided_extremes : bool
        Minitab's attribute-agreement convention: at x = n the lower bound is the one-sided
        a^(1/n) (15 of 15 matched: 81.90 %), at x = 0 the upper bound is 1 - a^(1/n).

    Examples
    --------
    >>> low, high = clopper_pearson(15, 15, one_sided_extremes=True)
    >>> round(float(low), 4), float(high)
    (0.819, 1.0)
    """
    x = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    a = 1.0 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(x > 0, stats.beta.ppf(a / 2, x, m - x + 1), 0.0)
        upper = np.where(x < m, stats.beta.ppf(1 - a / 2, x + 1, m - x), 1.0)
        if one_sided_extremes:
            one_sided = np.power(a, 1.0 / np.where(m > 0, m, 1.0))
            lower = np.where((x == m) & (m > 0), one_sided, lower)
            upper = np.where((x == 0) & (m > 0), 1.0 - one_sided, upper)
    lower = np.where(m > 0, lower, np.nan)
    upper = np.where(m > 0, upper, np.nan)
    return lower.astype(float), upper.astype(float)


def newcombe(x1: float, n1: float, x2: float, n2: float,
             confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval of p1 - p2 (Newcombe 1998, method 10).

    Examples
    --------
    >>> low, high = newcombe(56, 70, 48, 80)   # Newcombe (1998), Table II, (a)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
    """
    l1, u1 = (float(v) for v in wilson(x1, n1, confidence))
    l2, u2 = (float(v) for v in wilson(x2, n2, confidence))
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    return (d - float(np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
            d + float(np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)))
