"""Design-based estimation of a proportion: the Hájek ratio, its linearised variance, intervals.

The estimator of a domain's rate is the ratio p̂_d = Σ w d y / Σ w d (Hájek), w the design
weight (1/inclusion probability), d the domain indicator, y the 0/1 outcome. Its
Taylor-linearised variance under a stratified design whose units are drawn with replacement
within strata (each unit its own PSU; the finite-population correction (1 - f_h) where the
stratum sizes are known) is

    V(p̂_d) = Σ_h (1 - f_h) n_h/(n_h - 1) Σ_i (u_hi - ū_h)²,   u = w d (y - p̂_d) / Σ w d,

summed over **all** n_h sampled units of every stratum (units outside the domain have u = 0):
the domain-indicator approach, so a domain that cuts across strata keeps the design's n_h
(Cochran 1977 §2.13; Särndal, Swensson & Wretman 1992 §5.8; R survey's ``svymean`` on a
subset design, samplics' ``TaylorEstimator(domain=)``). The sums need only per-(stratum,
domain) moments n, Σw, Σwy, Σw², Σw²y, Σw²y², which the aggregation layer computes where the
data live; everything here runs on that small table.

The intervals are those of R survey's ``svyciprop`` (Lumley 2010, §2.4; Korn & Graubard
1998): ``"beta"`` (Clopper-Pearson on the effective sample size n* = p̂(1-p̂)/V, scaled by
(t_{n-1}/t_{df})², with n* = n when V = 0), ``"wilson"`` (the Wilson score interval on n*,
t quantile), ``"logit"`` (symmetric on the logit scale) and ``"wald"`` (p̂ ± t·se, clipped to
[0, 1]); t has the design's degrees of freedom df = (units) - (strata).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = ["INTERVALS", "LONELY", "RatioEstimate", "design_interval", "effective_size",
           "stratified_ratio"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Interval methods of :func:`design_interval`.
INTERVALS = ("beta", "wilson", "logit", "wald")
#: Handling of a stratum with one sampled unit (R survey's ``survey.lonely.psu`` option).
LONELY = ("fail", "certainty", "remove", "adjust")


@dataclass(frozen=True)
class RatioEstimate:
    """Per-domain estimates from :func:`stratified_ratio` (arrays indexed by domain)."""

    estimate: FloatArray
    variance: FloatArray
    n: FloatArray
    df: FloatArray
    weight_total: FloatArray


def stratified_ratio(
    stratum: IntArray,
    domain: IntArray,
    n: FloatArray,
    sw: FloatArray,
    swy: FloatArray,
    sw2: FloatArray,
    sw2y: FloatArray,
    sw2y2: FloatArray,
    *,
    fpc: FloatArray,
    n_domains: int,
    lonely: str = "fail",
) -> RatioEstimate:
    """Hájek ratio and its linearised stratified variance from cell moments.

    Parameters
    ----------
    stratum, domain : int arrays
        Codes (0..H-1, 0..D-1) of each cell; one cell per observed (stratum, domain) pair.
    n, sw, swy, sw2, sw2y, sw2y2 : float arrays
        Per cell: units, Σw, Σwy, Σw², Σw²y, Σw²y².
    fpc : float array
        (1 - n_h/N_h) per stratum code; ones without a known population.
    n_domains : int
        Number of domains D.
    lonely : {"fail", "certainty", "remove", "adjust"}
        A stratum with one unit contributes 0 ("certainty", "remove") or its unit's squared
        deviation from the grand mean of u, which is 0 ("adjust", scale 1); the caller
        raises for "fail" before calling.
    """
    n_strata = fpc.size
    n_h = np.bincount(stratum, weights=n, minlength=n_strata)
    w_d = np.bincount(domain, weights=sw, minlength=n_domains)
    wy_d = np.bincount(domain, weights=swy, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_d = np.where(w_d > 0, wy_d / np.where(w_d > 0, w_d, 1.0), np.nan)
        p = p_d[domain]
        big_w = w_d[domain]
        su = (swy - p * sw) / big_w
        su2 = (sw2y2 - 2.0 * p * sw2y + p * p * sw2) / (big_w * big_w)
    nh = n_h[stratum]
    single = nh < 2
    ss = su2 - np.where(single, 0.0, su * su / np.where(nh > 0, nh, 1.0))
    scale = np.where(single, 1.0, nh / np.where(single, 2.0, nh - 1.0))
    contrib = fpc[stratum] * scale * np.maximum(ss, 0.0)
    if lonely != "adjust":
        contrib = np.where(single, 0.0, contrib)
    contrib = np.where(np.isfinite(contrib), contrib, 0.0)
    var_d: FloatArray = np.bincount(domain, weights=contrib, minlength=n_domains).astype(
        np.float64)
    var_d = np.where(np.isnan(p_d), np.nan, var_d)
    n_d: FloatArray = np.bincount(domain, weights=n, minlength=n_domains).astype(np.float64)
    strata_d = np.bincount(domain, weights=(n > 0).astype(np.float64), minlength=n_domains)
    return RatioEstimate(estimate=p_d, variance=var_d, n=n_d,
                         df=(n_d - strata_d).astype(np.float64),
                         weight_total=w_d.astype(np.float64))


def design_interval(
    p: FloatArray,
    variance: FloatArray,
    n: FloatArray,
    df: FloatArray,
    *,
    confidence: float,
    method: str,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper limits of a design-based interval for proportions (vectorised).

    NaN where the interval is undefined: fewer than two units or df < 1, and for
    ``"logit"`` at p̂ = 0 or 1.
    """
    p = np.asarray(p, dtype=np.float64)
    alpha = 1.0 - confidence
    ok = (n >= 2) & (df >= 1) & np.isfinite(p) & np.isfinite(variance)
    safe_df = np.where(ok, df, 1.0)
    t = stats.t.ppf(1.0 - alpha / 2.0, safe_df)
    se = np.sqrt(np.where(ok, variance, 0.0))
    lo = np.full(p.shape, np.nan)
    hi = np.full(p.shape, np.nan)
    if method == "wald":
        lo = np.clip(p - t * se, 0.0, 1.0)
        hi = np.clip(p + t * se, 0.0, 1.0)
    elif method == "logit":
        inner = ok & (p > 0) & (p < 1) & (variance > 0)
        pp = np.where(inner, p, 0.5)
        half = t * se / (pp * (1.0 - pp))
        eta = np.log(pp / (1.0 - pp))
        lo = np.where(inner, 1.0 / (1.0 + np.exp(-(eta - half))), np.nan)
        hi = np.where(inner, 1.0 / (1.0 + np.exp(-(eta + half))), np.nan)
    else:
        n_eff = effective_size(p, variance, n)
        if method == "beta":
            t_n = stats.t.ppf(1.0 - alpha / 2.0, np.where(ok, n - 1.0, 1.0))
            n_eff = n_eff * (t_n / t) ** 2
            x = n_eff * p
            with np.errstate(invalid="ignore"):
                lo = np.where(p > 0, stats.beta.ppf(alpha / 2.0, np.where(p > 0, x, 1.0),
                                                    n_eff - x + 1.0), 0.0)
                hi = np.where(p < 1, stats.beta.ppf(1.0 - alpha / 2.0, x + 1.0,
                                                    np.where(p < 1, n_eff - x, 1.0)), 1.0)
        else:  # wilson on the effective sample size, t quantile
            t2 = t * t
            denom = 1.0 + t2 / n_eff
            centre = (p + t2 / (2.0 * n_eff)) / denom
            half = t / denom * np.sqrt(p * (1.0 - p) / n_eff + t2 / (4.0 * n_eff * n_eff))
            lo = np.clip(centre - half, 0.0, 1.0)
            hi = np.clip(centre + half, 0.0, 1.0)
    lo = np.where(ok, lo, np.nan)
    hi = np.where(ok, hi, np.nan)
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)


def effective_size(p: FloatArray, variance: FloatArray, n: FloatArray) -> FloatArray:
    """n* = p̂(1 - p̂)/V, and the actual n where V = 0 (p̂ = 0 or 1): Korn & Graubard."""
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(variance > 0, p * (1.0 - p) / np.where(variance > 0, variance, 1.0),
                         n)
    return np.asarray(n_eff, dtype=np.float64)
