"""Vectorised tests of a segment's proportion against the rest.

* the pooled two-proportion z test (Agresti, *Categorical Data Analysis*, 3rd ed., §3.1.4;
  identical to the Pearson chi-square test of the 2x2 table without continuity correction);
* Fisher's exact test, two-sided by the "sum of the probabilities no larger than the
  observed one" rule (Agresti §3.5.1; the convention of R's ``fisher.test`` and
  ``scipy.stats.fisher_exact``, with the same relative tolerance 1e-7), computed for many
  tables at once by binary search on the unimodal hypergeometric probabilities;
* Cochran's rule for "small counts": a 2x2 table whose smallest expected cell is below 5
  is tested exactly (Cochran 1954, *Biometrics* 10, 417-451).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

MIN_EXPECTED = 5.0
"""Cochran's rule: a 2x2 table with an expected cell below this is tested exactly."""

_GAMMA = 1 + 1e-7  # relative tolerance of R's fisher.test and scipy for ties in probability


def fisher_two_sided(x: FloatArray, n1: FloatArray, k: FloatArray, n: FloatArray) -> FloatArray:
    """Two-sided Fisher exact p-values of many 2x2 tables.

    Each table has ``x`` defects among ``n1`` units of the segment, ``k`` defects among all
    ``n`` units. All arguments are arrays of whole numbers of the same shape.
    """
    x, n1, k, n = (np.asarray(a, dtype=np.float64) for a in (x, n1, k, n))
    out = np.ones_like(x)
    if x.size == 0:
        return out
    dist = stats.hypergeom(n, k, n1)
    lo = np.maximum(0.0, n1 - (n - k))
    hi = np.minimum(n1, k)
    mode = np.floor((n1 + 1) * (k + 1) / (n + 2))
    mode = np.clip(mode, lo, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp_obs = dist.logpmf(x)
        lp_mode = dist.logpmf(mode)
    thr = lp_obs + np.log(_GAMMA)
    with np.errstate(invalid="ignore"):
        at_mode = np.abs(np.exp(lp_obs - lp_mode) - 1) <= 1e-7  # the most likely table
    below = x < mode
    # search the other tail: the first (below) / last (above) value whose probability
    # does not exceed the observed one
    a = np.where(below, mode, lo)
    b = np.where(below, hi, mode)
    with np.errstate(divide="ignore", invalid="ignore"):
        end_lp = dist.logpmf(np.where(below, hi, lo))
    no_other = end_lp > thr  # even the far end is more likely: only the own tail counts
    while True:
        active = a < b
        if not active.any():
            break
        mid = np.floor((a + b) / 2)
        if not below.all():
            mid_up = np.ceil((a + b) / 2)
            mid = np.where(below, mid, mid_up)
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = dist.logpmf(mid) <= thr
        # below: smallest y in [mode, hi] with pmf <= thr; above: largest y in [lo, mode]
        new_a = np.where(below, np.where(ok, a, mid + 1), np.where(ok, mid, a))
        new_b = np.where(below, np.where(ok, mid, b), np.where(ok, b, mid - 1))
        a = np.where(active, new_a, a)
        b = np.where(active, new_b, b)
    y = a
    own = np.where(below, dist.cdf(x), dist.sf(x - 1))
    other = np.where(below, dist.sf(y - 1), dist.cdf(y))
    p = np.where(no_other, own, own + other)
    p = np.where(at_mode, 1.0, p)
    out[:] = np.clip(p, 0.0, 1.0)
    return out


def segment_tests(
    seg_n: FloatArray,
    seg_d: FloatArray,
    total_n: float,
    total_d: float,
    *,
    min_expected: float = MIN_EXPECTED,
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Test each segment's defect rate against the rest of the data.

    Returns
    -------
    z : numpy.ndarray
        The signed statistic: the pooled two-proportion z, or for exactly tested segments
        the normal deviate with the same two-sided p-value, signed like the difference.
    p : numpy.ndarray
        Two-sided p-values.
    exact : numpy.ndarray of bool
        True where Fisher's exact test was used (smallest expected cell < ``min_expected``).
    """
    rest_n = total_n - seg_n
    rest_d = total_d - seg_d
    pbar = total_d / total_n
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = seg_d / seg_n
        rest_rate = rest_d / rest_n
        se = np.sqrt(pbar * (1.0 - pbar) * (1.0 / seg_n + 1.0 / rest_n))
        z = (rate - rest_rate) / se
    z = np.where(np.isfinite(z), z, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    expected = np.minimum.reduce([seg_n * pbar, seg_n * (1 - pbar), rest_n * pbar,
                                  rest_n * (1 - pbar)])
    exact = expected < min_expected
    if exact.any():
        pe = fisher_two_sided(np.rint(seg_d[exact]), np.rint(seg_n[exact]),
                              np.full(int(exact.sum()), np.rint(total_d)),
                              np.full(int(exact.sum()), np.rint(total_n)))
        p = p.copy()
        p[exact] = pe
        sign = np.sign(np.where(np.isfinite(rate - rest_rate), rate - rest_rate, 0.0))
        z = z.copy()
        z[exact] = sign[exact] * stats.norm.isf(pe / 2.0)
    return z, p, exact
