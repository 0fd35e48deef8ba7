"""The Anhøj run-chart rules: an unusually long run, or unusually few crossings.

Anhøj & Olesen (2014) and Anhøj (2015), as in qicharts2's ``runs.analysis``. The rules judge
a whole series (or each stage of it) against the median or centre line:

* ``anhoj_run``: a run on one side of the centre line longer than
  ``round(log2(n_useful) + 3)`` (Schilling's approximate upper 95 % prediction limit of the
  longest run);
* ``anhoj_crossings``: fewer crossings of the centre line than
  ``qbinom(0.05, n_useful - 1, 0.5)`` (Chen 2010).

Conventions
-----------
* The rules are evaluated per segment (stage) on the *useful* points, those not on the
  centre line; points on the centre line neither break nor extend a run (qicharts2).
* Unlike qicharts2, a NaN statistic breaks a run (qicharts2 drops it); crossings are
  counted between consecutive useful points, so a NaN between two points on opposite sides
  does not hide a crossing.
* A segment with fewer than :data:`ANHOJ_MIN_USEFUL` (10) useful points is not judged, as
  the published table starts at 10.
* ``anhoj_run`` flags the point at which a run first exceeds the limit and every later
  point of that run; ``anhoj_crossings`` is a property of the whole segment and is flagged
  at its last useful point.
* The rules are meant for run charts with the median as the centre line, but the
  ``center`` given is used as it is.

References
----------
.. [1] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited: a simulation study of run
   chart rules for detection of non-random variation in health care processes.
   *PLoS ONE*, 9(11), e113825.
.. [2] Anhøj, J. (2015). Diagnostic value of run chart analysis: using likelihood ratios to
   compare run chart rules on simulated data series. *PLoS ONE*, 10(3), e0121349.
"""

from __future__ import annotations

from typing import Final, overload

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import show
from sixsigma.errors import ParameterError
from sixsigma.spc._runs import window_all

__all__ = ["ANHOJ_MIN_USEFUL", "anhoj_limits", "signals"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ANHOJ_MIN_USEFUL: Final[int] = 10
"""Segments with fewer useful points than this are not judged by the Anhøj rules."""

# R's qbinom() shrinks p by this factor before searching, to be left-continuous.
_QBINOM_FUZZ: Final[float] = 1.0 - 64.0 * float(np.finfo(np.float64).eps)


@overload
def anhoj_limits(n_useful: int) -> tuple[int, int]: ...


@overload
def anhoj_limits(n_useful: NDArray[np.integer]) -> tuple[IntArray, IntArray]: ...


def anhoj_limits(
    n_useful: int | NDArray[np.integer],
) -> tuple[int, int] | tuple[IntArray, IntArray]:
    """Critical values of the Anhøj run-chart rules for a number of useful points.

    Parameters
    ----------
    n_useful : int or array of int
        Number of useful observations (points not on the centre line).

    Returns
    -------
    longest_run_max : int or array of int
        ``round(log2(n_useful) + 3)``: a run longer than this signals.
    crossings_min : int or array of int
        ``qbinom(0.05, n_useful - 1, 0.5)``: fewer crossings than this signal.

    Notes
    -----
    The longest-run limit is Schilling's (2012) approximate upper 95 % prediction limit,
    the crossings limit the lower 5 % quantile of Binomial(n - 1, 1/2) (Chen 2010), as in
    qicharts2's ``runs.analysis``. R's ``qbinom`` is matched exactly, including its
    left-continuity fuzz of ``1 - 64 * eps``. Values are defined for ``n_useful >= 1``
    (``n_useful <= 0`` is treated as 1); the rules are only applied from
    :data:`ANHOJ_MIN_USEFUL` points on.

    References
    ----------
    .. [1] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited. *PLoS ONE*, 9(11).

    Examples
    --------
    >>> anhoj_limits(24)
    (8, 8)
    >>> import numpy as np
    >>> anhoj_limits(np.array([10, 20, 30]))
    (array([6, 7, 8]), array([ 2,  6, 10]))
    """
    raw = np.asarray(n_useful)
    if raw.dtype.kind not in "iub":
        try:
            values = raw.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise ParameterError("anhoj_limits: the 'n_useful' parameter must be a whole "
                                 f"number; got {show(n_useful)}.") from err
        bad = ~np.isfinite(values) | (values != np.floor(values))
        if bad.any():
            first = values.ravel()[int(np.argmax(bad.ravel()))]
            raise ParameterError("anhoj_limits: the 'n_useful' parameter must be a whole "
                                 f"number; got {show(first)}.")
    n = np.maximum(np.asarray(n_useful, dtype=np.int64), 1)
    run_max = np.rint(np.log2(n) + 3.0).astype(np.int64)
    cross_min = stats.binom.ppf(0.05 * _QBINOM_FUZZ, n - 1, 0.5).astype(np.int64)
    if n.ndim == 0:
        return int(run_max), int(cross_min)
    return run_max, cross_min


def signals(
    x: FloatArray, center: FloatArray, starts: NDArray[np.intp]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Indices flagged by ``anhoj_run`` and by ``anhoj_crossings``.

    Parameters
    ----------
    x, center : numpy.ndarray of float, shape (n,)
        The statistic and the centre line at each point.
    starts : numpy.ndarray of int
        First index of every segment (stage) but the first.

    Returns
    -------
    run_index, crossings_index : numpy.ndarray of intp
        The points flagged by each rule (see the module docstring), sorted.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0] * 9 + [-1.0] * 3)   # a run of 9 above among 12 useful points
    >>> run, cross = signals(x, np.zeros(12), np.empty(0, dtype=np.intp))
    >>> run.tolist(), cross.tolist()   # run limit round(log2(12) + 3) = 7; 1 crossing < 3
    ([7, 8], [11])
    """
    n = x.size
    above, below = x > center, x < center
    useful = above | below
    bounds = np.concatenate(([0], starts, [n]))
    # useful_before[s]: useful points before segment s starts (last entry: the total)
    cum_useful: IntArray | None = None
    if starts.size:
        cum_useful = np.cumsum(useful, dtype=np.int64)
        useful_before = np.concatenate(([0], cum_useful[starts - 1], cum_useful[-1:]))
    else:
        useful_before = np.array([0, np.count_nonzero(useful)], dtype=np.int64)
    n_useful = np.diff(useful_before)
    run_max, cross_min = anhoj_limits(n_useful)
    judged = n_useful >= ANHOJ_MIN_USEFUL
    if not judged.any():
        empty = np.empty(0, dtype=np.intp)
        return empty, empty

    # Runs: drop the points on the centre line (they neither break nor extend a run);
    # NaN points stay in the sequence and break it.
    kept = ~(x == center)
    all_kept = bool(kept.all())
    cum_kept: IntArray | None = None
    if all_kept:
        above_k, below_k, starts_k, kept_per_seg = above, below, starts, np.diff(bounds)
    else:
        cum_kept = np.cumsum(kept, dtype=np.int64)
        above_k, below_k = above[kept], below[kept]
        kept_before = np.concatenate(([0], cum_kept[starts - 1], cum_kept[-1:]))
        kept_per_seg = np.diff(kept_before)
        starts_k = kept_before[1:-1]
        starts_k = starts_k[starts_k < above_k.size]
    m = above_k.size
    link = np.zeros(m, dtype=bool)
    if m > 1:
        link[1:] = (above_k[1:] & above_k[:-1]) | (below_k[1:] & below_k[:-1])
    link[starts_k] = False
    limit = np.where(judged, run_max, 0)
    flags = np.zeros(m, dtype=bool)
    point_limit = np.repeat(limit, kept_per_seg) if limit.size > 1 else None
    for lim in np.unique(limit[judged]).tolist():
        # a run longer than lim: lim + 1 points, i.e. lim links ending here
        hit = window_all(link, lim)
        if point_limit is not None:
            hit &= point_limit == lim
        flags |= hit
    run_idx = np.flatnonzero(flags)
    if cum_kept is not None:
        run_idx = np.searchsorted(cum_kept, run_idx + 1)

    # Crossings: side changes between consecutive useful points of a segment.
    side = above[useful]
    changes = side[1:] != side[:-1]
    if cum_useful is None:  # one segment
        n_cross = np.array([np.count_nonzero(changes)])
    else:
        crossed = np.zeros(side.size, dtype=np.int64)
        np.cumsum(changes, out=crossed[1:])
        top = side.size - 1
        first = useful_before[:-1].clip(0, top)
        last = (useful_before[1:] - 1).clip(0, top)
        n_cross = crossed[last] - crossed[first]
    bad = np.flatnonzero(judged & (n_cross < cross_min))
    if cum_useful is None:
        cross_idx = np.full(bad.size, n - 1 - int(np.argmax(useful[::-1])), dtype=np.intp)
    else:
        cross_idx = np.searchsorted(cum_useful, useful_before[bad + 1])
    return run_idx.astype(np.intp, copy=False), cross_idx.astype(np.intp, copy=False)
