"""Effect sizes and their intervals: the one home of these formulas in sixsigma.

* eta-squared of a one-way layout and its noncentral-F interval (Steiger 2004);
* epsilon-squared of the ranks (Kruskal-Wallis) with the interval of the ANOVA on ranks;
* Cramer's V and its noncentral chi-square interval (Smithson 2003);
* the rank-biserial correlation's Fisher-z interval, with the standard errors of the R
  package effectsize for two samples and for matched pairs;
* the paired risk difference with its Wald interval (Agresti 2013, section 11.1);
* Cohen's h, the difference of arcsine-transformed proportions (Cohen 1988, ch. 6).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from sixsigma._stats.intervals import z_two_sided

__all__ = [
    "cohen_h",
    "cramers_v",
    "cramers_v_interval",
    "epsilon_squared_interval",
    "eta_squared",
    "eta_squared_interval",
    "paired_risk_difference",
    "rank_biserial_interval",
    "rank_biserial_se_paired",
    "rank_biserial_se_two_sample",
]

FloatArray = NDArray[np.float64]


def _invert(cdf: Callable[[float, float], float], observed: float, target: float) -> float:
    """Smallest noncentrality lam >= 0 with cdf(observed, lam) <= target (cdf falls in lam)."""
    if cdf(observed, 0.0) <= target:
        return 0.0
    hi = max(10.0, 2.0 * observed)
    while cdf(observed, hi) > target:
        hi *= 2.0
    return float(optimize.brentq(lambda lam: cdf(observed, lam) - target, 0.0, hi,
                                 xtol=1e-10))


def eta_squared(samples: Sequence[FloatArray]) -> tuple[float, float]:
    """Eta-squared SS_between / SS_total of a one-way layout, and its classic F statistic.

    Returns ``(eta2, f)``; eta2 is 0 when every value is equal, f is inf when the groups
    have no within-group variation.

    Examples
    --------
    >>> eta2, f = eta_squared([np.array([1.0, 2, 3]), np.array([4.0, 5, 6])])
    >>> round(eta2, 4), round(f, 2)
    (0.7714, 13.5)
    """
    n_tot = sum(s.size for s in samples)
    k = len(samples)
    allv = np.concatenate(samples)
    grand = allv.mean()
    ssb = sum(s.size * (s.mean() - grand) ** 2 for s in samples)
    sst = float(((allv - grand) ** 2).sum())
    eta2 = float(ssb / sst) if sst > 0 else 0.0
    f = (ssb / (k - 1)) / ((sst - ssb) / (n_tot - k)) if sst > ssb else np.inf
    return eta2, float(f)


def eta_squared_interval(f: float, df1: float, df2: float,
                         confidence: float = 0.95) -> tuple[float, float]:
    """Interval of eta-squared by inverting the noncentral F (Steiger 2004).

    The noncentrality bounds lam are converted with eta^2 = lam / (lam + N),
    N = df1 + df2 + 1 (one-way design).

    Examples
    --------
    >>> low, high = eta_squared_interval(5.0, 2, 27)
    >>> 0 < low < 0.27 < high < 1
    True
    """
    a = (1 - confidence) / 2
    n = df1 + df2 + 1

    def cdf(x: float, lam: float) -> float:
        return float(stats.f.cdf(x, df1, df2) if lam == 0 else stats.ncf.cdf(x, df1, df2, lam))

    lo = _invert(cdf, f, 1 - a)
    hi = _invert(cdf, f, a)
    return lo / (lo + n), hi / (hi + n)


def epsilon_squared_interval(samples: Sequence[FloatArray],
                             confidence: float = 0.95) -> tuple[float, float]:
    """Interval of epsilon-squared of the ranks: eta-squared's interval of the ANOVA on ranks.

    The values are ranked together (mid-ranks for ties) and the noncentral-F interval of
    :func:`eta_squared_interval` is computed from the one-way F of the ranks (Kelley 1935;
    Tomczak & Tomczak 2014 for epsilon-squared = H / (n - 1)).
    """
    k = len(samples)
    n_tot = sum(s.size for s in samples)
    ranks = stats.rankdata(np.concatenate(samples))
    cuts = np.cumsum([s.size for s in samples])[:-1]
    _, f_rank = eta_squared(np.split(ranks, cuts))
    if not math.isfinite(f_rank):
        f_rank = 1e9
    return eta_squared_interval(f_rank, k - 1, n_tot - k, confidence)


def cramers_v(chi2: float, n: float, k: float) -> float:
    """Cramer's V = sqrt(chi2 / (n (k - 1))), k = min(rows, columns); 0 when k = 1."""
    return float(np.sqrt(chi2 / (n * (k - 1)))) if k > 1 else 0.0


def cramers_v_interval(chi2: float, df: float, n: float, k: float,
                       confidence: float = 0.95) -> tuple[float, float]:
    """Interval of Cramer's V by inverting the noncentral chi-square (Smithson 2003).

    V = sqrt(lam / (n (k - 1))), k = min(rows, columns), clipped to 1.
    """
    a = (1 - confidence) / 2

    def cdf(x: float, lam: float) -> float:
        return float(stats.chi2.cdf(x, df) if lam == 0 else stats.ncx2.cdf(x, df, lam))

    lo = _invert(cdf, chi2, 1 - a)
    hi = _invert(cdf, chi2, a)
    return (min(1.0, float(np.sqrt(lo / (n * (k - 1))))),
            min(1.0, float(np.sqrt(hi / (n * (k - 1))))))


def rank_biserial_se_two_sample(n1: float, n2: float) -> float:
    """Standard error of the rank-biserial r's Fisher z, two samples: sqrt((n1+n2+1)/(3 n1 n2))."""
    return float(np.sqrt((n1 + n2 + 1) / (3 * n1 * n2)))


def rank_biserial_se_paired(n: float) -> float:
    """Standard error of the matched-pairs rank-biserial r's Fisher z.

    sqrt(n (n+1) (2n+1) / 6) / (n (n+1) / 2), as the R package effectsize.
    """
    return float(np.sqrt(n * (n + 1) * (2 * n + 1) / 6) / (n * (n + 1) / 2))


def rank_biserial_interval(r: float, se: float, confidence: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of a rank-biserial correlation: tanh(atanh(r) -+ z se).

    Examples
    --------
    >>> low, high = rank_biserial_interval(0.3, 0.2)
    >>> round(low, 4), round(high, 4)
    (-0.0823, 0.6053)
    """
    z = z_two_sided(confidence)
    r = float(np.clip(r, -0.9999999, 0.9999999))
    return float(np.tanh(np.arctanh(r) - z * se)), float(np.tanh(np.arctanh(r) + z * se))


def paired_risk_difference(n10: float, n01: float, n: float,
                           confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of two paired proportions and its Wald interval (Agresti 2013, 11.1).

    ``n10``: pairs with the first outcome only, ``n01``: the second only, ``n`` pairs.
    Returns ``(difference, lower, upper)``.

    Examples
    --------
    >>> d, lo, hi = paired_risk_difference(30, 10, 200)
    >>> round(d, 3), round(lo, 4), round(hi, 4)
    (0.1, 0.0396, 0.1604)
    """
    diff = (n10 - n01) / n
    disc = n10 + n01
    se = float(np.sqrt(max(disc - (n10 - n01) ** 2 / n, 0.0)) / n)
    zc = z_two_sided(confidence)
    return float(diff), float(diff - zc * se), float(diff + zc * se)


def cohen_h(p1: float, p2: float) -> float:
    """Cohen's h of p2 against p1: 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)) (Cohen 1988, 6.2).

    >>> round(cohen_h(0.1, 0.2), 4)
    0.2838
    """
    return 2.0 * math.asin(math.sqrt(p2)) - 2.0 * math.asin(math.sqrt(p1))
