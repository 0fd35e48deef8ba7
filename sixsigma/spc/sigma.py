"""The sigma estimators of the control charts, one home for each.

Every chart that estimates a process sigma from its Phase I points calls one of these; the
name of the function is the ``sigma_method`` recorded on the chart.

* ``mrbar_d2``: the mean moving range over d2(2) = 1.128 (individual values; qcc and
  Minitab). Moving ranges are taken only between consecutive points that both estimate
  the limits (Minitab).
* ``median_mr``: the median moving range over its expected value, sqrt(2) * 0.6745 = 0.954
  (Minitab's robust option).
* ``rbar_d2``: the mean over subgroups of R_i / d2(n_i) (qcc's UWAVE-R; R-bar/d2 for a
  constant n).
* ``sbar_c4``: the mean of S_i / c4(n_i) (qcc's UWAVE-SD; S-bar/c4 for a constant n).
* ``pooled_sd_c4``: sqrt(sum((n_i - 1) S_i^2) / sum(n_i - 1)) / c4(sum(n_i - 1) + 1)
  (Minitab's X-bar/S default).

References: Montgomery, *Introduction to Statistical Quality Control*, 8th ed., ch. 6;
qcc 2.7 (``sd.xbar``, ``sd.xbar.one``); Minitab's methods and formulas for variables charts.
The d2 and c4 constants are exact (:mod:`sixsigma.constants`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sixsigma.constants import c4, d2, d3

__all__ = [
    "D2_2",
    "D3_2",
    "D4_MEDIAN_2",
    "median_mr",
    "moving_ranges",
    "mrbar_d2",
    "pooled_sd_c4",
    "rbar_d2",
    "sbar_c4",
]

FloatArray = NDArray[np.float64]

#: d2(2): the expected moving range of two normal values, in sigma (1.128).
D2_2 = float(d2(2))
#: d3(2): the standard deviation of that moving range, in sigma (0.853).
D3_2 = float(d3(2))
#: Median of the moving range of two normal values, in sigma: sqrt(2) * 0.6745 (Minitab).
D4_MEDIAN_2 = float(np.sqrt(2.0) * 0.6744897501960817)


def moving_ranges(values: ArrayLike, idx: ArrayLike | None = None) -> FloatArray:
    """|x_i - x_(i-1)| between consecutive points that both estimate the limits.

    Parameters
    ----------
    values : array_like of float
        The values of the estimating points, in point order: ``values[k]`` belongs to point
        ``idx[k]``.
    idx : array_like of int, optional
        The (increasing) positions of those points on the chart. A moving range is taken
        only where ``idx[k + 1] == idx[k] + 1``; a gap (an excluded point, another stage)
        breaks the pair. Omitted: every pair of neighbours.

    Examples
    --------
    >>> moving_ranges([10.0, 12.0, 11.0, 15.0], [0, 1, 2, 5]).tolist()
    [2.0, 1.0]
    """
    x = np.asarray(values, dtype=np.float64)
    if idx is None:
        return np.abs(np.diff(x))
    pos = np.asarray(idx)
    first = np.flatnonzero(np.diff(pos) == 1)
    return np.abs(x[first + 1] - x[first])


def mrbar_d2(values: ArrayLike, idx: ArrayLike | None = None, *,
             divisor: float = D2_2) -> float:
    """MR-bar / d2(2): the individuals-chart sigma; NaN when no moving range exists.

    ``divisor`` is d2(2) = 1.1284; Laney's p' and u' charts use his rounded 1.128.

    Examples
    --------
    >>> round(mrbar_d2([10.0, 12.0, 11.0, 13.0, 12.0]), 4)   # MR-bar 1.5 / 1.1284
    1.3293
    """
    ranges = moving_ranges(values, idx)
    return float(ranges.mean() / divisor) if ranges.size else float("nan")


def median_mr(values: ArrayLike, idx: ArrayLike | None = None) -> float:
    """Median moving range / 0.954 (Minitab's robust option); NaN without a moving range.

    Examples
    --------
    >>> round(median_mr([10.0, 12.0, 11.0, 13.0, 12.0]), 4)   # median MR 1.5 / 0.9539
    1.5725
    """
    ranges = moving_ranges(values, idx)
    return float(np.median(ranges) / D4_MEDIAN_2) if ranges.size else float("nan")


def rbar_d2(ranges: ArrayLike, n: ArrayLike) -> float:
    """The mean of R_i / d2(n_i) over subgroups (R-bar/d2 for a constant n; qcc UWAVE-R).

    Examples
    --------
    >>> round(rbar_d2([2.0, 2.0, 2.0], [3, 3, 3]), 4)   # 2 / d2(3) = 2 / 1.6926
    1.1816
    """
    return float(np.mean(np.asarray(ranges, dtype=np.float64) / np.asarray(d2(n))))


def sbar_c4(sd: ArrayLike, n: ArrayLike) -> float:
    """The mean of S_i / c4(n_i) over subgroups (S-bar/c4 for a constant n; qcc UWAVE-SD).

    Examples
    --------
    >>> round(sbar_c4([1.0, 1.0], [3, 3]), 4)   # 1 / c4(3) = 1 / 0.8862
    1.1284
    """
    return float(np.mean(np.asarray(sd, dtype=np.float64) / np.asarray(c4(n))))


def pooled_sd_c4(sd: ArrayLike, n: ArrayLike) -> float:
    """The pooled standard deviation over c4(sum(n_i - 1) + 1) (Minitab's X-bar/S default).

    Examples
    --------
    >>> round(pooled_sd_c4([1.0, 1.0], [3, 3]), 4)   # 1 / c4(5) = 1 / 0.9400
    1.0638
    """
    s = np.asarray(sd, dtype=np.float64)
    dof = np.asarray(n, dtype=np.float64) - 1.0
    pooled = np.sqrt(np.sum(dof * s**2) / dof.sum())
    return float(pooled / c4(dof.sum() + 1.0))
