"""Run rules for control charts: Nelson, Western Electric and Anhøj, vectorised with numpy.

Every rule is evaluated for all points at once, in O(n) time, with a handful of temporary
boolean arrays of length n (no Python loop over points, no n x K matrices): a chart of ten
million points is judged against all eight Nelson rules in a fraction of a second.

Rule ids
--------
================  =========================================================================
``nelson_1``      1 point beyond a control limit (``we_1`` is the same test).
``nelson_2``      9 points in a row on the same side of the centre line.
``nelson_3``      6 points in a row steadily increasing or decreasing (5 strict changes).
``nelson_4``      14 points in a row alternating up and down (13 alternating changes).
``nelson_5``      2 of 3 points in a row beyond 2 sigma, same side (``we_2``).
``nelson_6``      4 of 5 points in a row beyond 1 sigma, same side (``we_3``).
``nelson_7``      15 points in a row within 1 sigma of the centre line, either side.
``nelson_8``      8 points in a row beyond 1 sigma, either side.
``we_4``          8 points in a row on the same side of the centre line.
``anhoj_run``     a run on one side longer than ``round(log2(n_useful) + 3)``.
``anhoj_crossings``  fewer centre-line crossings than ``qbinom(0.05, n_useful - 1, 0.5)``.
================  =========================================================================

Conventions
-----------
* The numbering is Nelson's (1984), which Minitab uses; the Western Electric tests are
  those of the 1956 handbook (test 4 there is 8 points on one side, not Nelson's 9).
* ``z = (statistic - center) / se``, where ``se`` is the standard error of the plotted
  statistic at that point (one zone is one ``se`` wide).
* A violation's index is the point that completes the pattern (Minitab's convention). For
  "K in a row" patterns every point at which the current run has length >= K is flagged,
  as Minitab and qcc do (points K, K+1, ... of a long run).
* For "m of w" patterns (``nelson_5``, ``nelson_6``) point i is flagged when it is itself
  beyond the zone boundary and at least m of the w points ending at i are beyond it on the
  same side. The window is truncated at the start of a segment and after a break, so two
  points beyond 2 sigma at the very start of a chart signal at the second one (as in the
  Markov-chain run-length model of Champ & Woodall, 1987).
* A point exactly on the centre line breaks a same-side run (it is on neither side); a point
  exactly on a zone boundary (``|z| == 1`` or ``2``) is neither beyond nor within it.
* A point whose statistic is NaN never signals and breaks every run and window containing
  it. A point whose ``se`` is NaN, zero or negative cannot be placed in a zone: it breaks
  the zone-based runs (``nelson_5`` to ``nelson_8``) but not the others.
* A NaN control limit means "no limit on that side there": it never triggers ``nelson_1``.
* ``segment`` (the stage of each point) splits the series: runs, trends and windows never
  cross a change of segment, because each stage has its own limits.
* Anhøj rules (Anhøj & Olesen 2014; Anhøj 2015; as in qicharts2) are evaluated per segment
  on the *useful* points (those not on the centre line; points on the centre line neither
  break nor extend a run, as in qicharts2). Unlike qicharts2, a NaN statistic breaks a run
  (qicharts2 drops it); crossings are counted between consecutive useful points, so a NaN
  between two points on opposite sides does not hide a crossing. A segment with fewer than
  :data:`ANHOJ_MIN_USEFUL` (10) useful points is not judged, as the published table starts
  at 10. ``anhoj_run`` flags the point at which a run first exceeds the limit and every
  later point of that run; ``anhoj_crossings`` is a property of the whole segment and is
  flagged at its last useful point. The rules are meant for run charts with the median as
  the centre line, but the ``center`` given is used as it is.

References
----------
.. [1] Nelson, L. S. (1984). The Shewhart control chart - tests for special causes.
   *Journal of Quality Technology*, 16(4), 237-239.
.. [2] Western Electric Company (1956). *Statistical Quality Control Handbook*.
   Indianapolis: Western Electric Co., section 1-B (tests for unnatural patterns).
.. [3] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited: a simulation study of run
   chart rules for detection of non-random variation in health care processes.
   *PLoS ONE*, 9(11), e113825.
.. [4] Anhøj, J. (2015). Diagnostic value of run chart analysis: using likelihood ratios to
   compare run chart rules on simulated data series. *PLoS ONE*, 10(3), e0121349.
.. [5] Champ, C. W., & Woodall, W. H. (1987). Exact results for Shewhart control charts with
   supplementary runs rules. *Technometrics*, 29(4), 393-399.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Final, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sixsigma.errors import ParameterError

__all__ = [
    "ALL_RULES",
    "ANHOJ_MIN_USEFUL",
    "RULE_DESCRIPTIONS",
    "RULE_SETS",
    "anhoj_limits",
    "find_violations",
    "resolve_rules",
]

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

RULE_SETS: Final[dict[str, tuple[str, ...]]] = {
    "nelson": tuple(f"nelson_{k}" for k in range(1, 9)),
    "western_electric": ("we_1", "we_2", "we_3", "we_4"),
    "anhoj": ("anhoj_run", "anhoj_crossings"),
}
"""Named rule sets: ``rules="nelson"`` means all eight Nelson rules, and so on."""

ALL_RULES: Final[tuple[str, ...]] = (
    RULE_SETS["nelson"] + RULE_SETS["western_electric"] + RULE_SETS["anhoj"]
)
"""Every rule id, in the fixed order used to sort violations of the same point."""

RULE_DESCRIPTIONS: Final[dict[str, str]] = {
    "nelson_1": "1 point beyond a control limit",
    "nelson_2": "9 points in a row on the same side of the centre line",
    "nelson_3": "6 points in a row steadily increasing or decreasing",
    "nelson_4": "14 points in a row alternating up and down",
    "nelson_5": "2 of 3 points in a row beyond 2 sigma, same side",
    "nelson_6": "4 of 5 points in a row beyond 1 sigma, same side",
    "nelson_7": "15 points in a row within 1 sigma of the centre line",
    "nelson_8": "8 points in a row beyond 1 sigma, either side",
    "we_1": "1 point beyond a control limit",
    "we_2": "2 of 3 points in a row beyond 2 sigma, same side",
    "we_3": "4 of 5 points in a row beyond 1 sigma, same side",
    "we_4": "8 points in a row on the same side of the centre line",
    "anhoj_run": "longest run on one side longer than round(log2(n_useful) + 3)",
    "anhoj_crossings": "fewer crossings of the centre line than qbinom(0.05, n_useful - 1, 0.5)",
}
"""A one-line description of each rule id, for summaries and reports."""

ANHOJ_MIN_USEFUL: Final[int] = 10
"""Segments with fewer useful points than this are not judged by the Anhøj rules."""

_POSITION: Final[dict[str, int]] = {rule: k for k, rule in enumerate(ALL_RULES)}
_NAMES: Final[NDArray[np.str_]] = np.array(ALL_RULES)
# R's qbinom() shrinks p by this factor before searching, to be left-continuous.
# Block size and overlap of the evaluation of the local rules (look-back <= 15 points).
_BLOCK: Final[int] = 1 << 20
_OVERLAP: Final[int] = 32
_QBINOM_FUZZ: Final[float] = 1.0 - 64.0 * float(np.finfo(np.float64).eps)


def _unknown(name: object, caller: str) -> ParameterError:
    expected = ", ".join(repr(k) for k in (*RULE_SETS, *ALL_RULES))
    return ParameterError(f"{caller}: unknown rule {name!r}; expected one of {expected}")


def resolve_rules(rules: str | Sequence[str] | None, *, caller: str) -> tuple[str, ...]:
    """Turn a rule-set name, a rule id or a list of them into a tuple of rule ids.

    Parameters
    ----------
    rules : str, sequence of str or None
        ``None`` means ``("nelson_1",)``. A string is a set name (``"nelson"``,
        ``"western_electric"``, ``"anhoj"``) or a single rule id. A sequence may mix set names
        and rule ids.
    caller : str
        Name of the public function, used in error messages.

    Returns
    -------
    tuple of str
        The rule ids, without duplicates, in :data:`ALL_RULES` order.

    Raises
    ------
    ParameterError
        If a name is neither a rule set nor a rule id.

    Examples
    --------
    >>> resolve_rules(None, caller="imr")
    ('nelson_1',)
    >>> resolve_rules(["we_4", "nelson_1", "anhoj", "we_4"], caller="imr")
    ('nelson_1', 'we_4', 'anhoj_run', 'anhoj_crossings')
    """
    if rules is None:
        return ("nelson_1",)
    names: Sequence[object] = [rules] if isinstance(rules, str) else rules
    if not isinstance(names, Sequence):
        raise ParameterError(
            f"{caller}: rules must be a rule-set name, a rule id or a list of them. "
            f"Got {type(rules).__name__} instead."
        )
    chosen: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise _unknown(name, caller)
        if name in RULE_SETS:
            chosen.update(RULE_SETS[name])
        elif name in _POSITION:
            chosen.add(name)
        else:
            raise _unknown(name, caller)
    return tuple(sorted(chosen, key=_POSITION.__getitem__))


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
    n = np.maximum(np.asarray(n_useful, dtype=np.int64), 1)
    run_max = np.rint(np.log2(n) + 3.0).astype(np.int64)
    cross_min = stats.binom.ppf(0.05 * _QBINOM_FUZZ, n - 1, 0.5).astype(np.int64)
    if n.ndim == 0:
        return int(run_max), int(cross_min)
    return run_max, cross_min


def _window_all(a: BoolArray, m: int) -> BoolArray:
    """``out[i] = a[i - m + 1] & ... & a[i]`` (False for ``i < m - 1``), in O(n log m)."""
    n = a.size
    out: BoolArray | None = None
    off = 0  # out[i] covers a[i - off + 1 .. i]
    p, plen = a, 1  # p[i] covers a[i - plen + 1 .. i]; False for i < plen - 1
    while True:
        if m & 1:
            if out is None:
                out, off = p.copy(), plen
            else:
                out[off:] &= p[: max(n - off, 0)]
                out[:off] = False
                off += plen
        m >>= 1
        if not m:
            break
        q = p.copy()
        q[plen:] &= p[: max(n - plen, 0)]
        q[:plen] = False
        p, plen = q, 2 * plen
    assert out is not None
    return out


class _Series:
    """Lazily computed per-point conditions shared by the rules of one call."""

    def __init__(
        self,
        x: FloatArray,
        center: FloatArray,
        se: FloatArray,
        lcl: FloatArray,
        ucl: FloatArray,
        starts: NDArray[np.intp],
    ) -> None:
        self.x, self.center, self.se, self.lcl, self.ucl = x, center, se, lcl, ucl
        self.n = x.size
        self.starts = starts  # first index of every segment but the first

    # -- helpers -------------------------------------------------------------------------
    def link(self, a: BoolArray) -> BoolArray:
        """``out[i] = a[i - 1] & a[i]``, False at 0 and where a segment starts."""
        out = np.zeros(self.n, dtype=bool)
        np.logical_and(a[1:], a[:-1], out=out[1:])
        out[self.starts] = False
        return out

    def window_count(self, a: BoolArray, w: int) -> NDArray[np.uint8]:
        """Count ``a`` among the last ``w`` points, truncated at breaks and segments."""
        count = a.astype(np.uint8)
        for k in range(1, w):
            hit = self.reach[k - 1][k:] & a[:-k]
            count[k:] += hit
        return count

    # -- conditions ----------------------------------------------------------------------
    @cached_property
    def above(self) -> BoolArray:
        return self.x > self.center

    @cached_property
    def below(self) -> BoolArray:
        return self.x < self.center

    @cached_property
    def zones(self) -> dict[str, BoolArray]:
        """Zone membership of every point; all False where the zones cannot judge it.

        ``z = (x - center) / se`` is only held while the comparisons are made.
        """
        z = np.subtract(self.x, self.center)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(z, self.se, out=z)
        bad = ~(np.isfinite(z) & (self.se > 0))
        if bad.any():
            z[bad] = np.nan  # NaN compares False with everything
        return {
            "valid": ~bad,
            "above_2": z > 2.0,
            "below_2": z < -2.0,
            "above_1": z > 1.0,
            "below_1": z < -1.0,
            "inside_1": (z < 1.0) & (z > -1.0),
        }

    @property
    def valid(self) -> BoolArray:
        return self.zones["valid"]

    @cached_property
    def reach(self) -> list[BoolArray]:
        """``reach[k - 1][i]``: points i-k .. i all judged by the zones, same segment."""
        first = self.link(self.valid)
        out = [first]
        for k in range(2, 5):
            nxt = out[-1].copy()
            nxt[k - 1 :] &= first[: self.n - k + 1]
            out.append(nxt)
        return out

    @cached_property
    def up(self) -> BoolArray:
        out = np.zeros(self.n, dtype=bool)
        np.greater(self.x[1:], self.x[:-1], out=out[1:])
        out[self.starts] = False
        return out

    @cached_property
    def down(self) -> BoolArray:
        out = np.zeros(self.n, dtype=bool)
        np.less(self.x[1:], self.x[:-1], out=out[1:])
        out[self.starts] = False
        return out

    @cached_property
    def same_side_link(self) -> BoolArray:
        return self.link(self.above) | self.link(self.below)

    # -- rules ---------------------------------------------------------------------------
    def limits(self) -> BoolArray:
        return (self.x > self.ucl) | (self.x < self.lcl)

    def same_side(self, k: int) -> BoolArray:
        return _window_all(self.same_side_link, k - 1)

    def trend(self, k: int) -> BoolArray:
        up, down = self.up, self.down
        link = np.zeros(self.n, dtype=bool)
        link[1:] = (up[1:] & up[:-1]) | (down[1:] & down[:-1])
        return _window_all(link, k - 2)

    def alternating(self, k: int) -> BoolArray:
        up, down = self.up, self.down
        link = np.zeros(self.n, dtype=bool)
        link[1:] = (up[1:] & down[:-1]) | (down[1:] & up[:-1])
        return _window_all(link, k - 2)

    def m_of_w(self, m: int, w: int, sigmas: int) -> BoolArray:
        hi, lo = self.zones[f"above_{sigmas}"], self.zones[f"below_{sigmas}"]
        return (hi & (self.window_count(hi, w) >= m)) | (lo & (self.window_count(lo, w) >= m))

    def within_1(self, k: int) -> BoolArray:
        return _window_all(self.link(self.zones["inside_1"]), k - 1)

    def outside_1(self, k: int) -> BoolArray:
        return _window_all(self.link(self.zones["above_1"] | self.zones["below_1"]), k - 1)

    @cached_property
    def anhoj(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Indices flagged by ``anhoj_run`` and by ``anhoj_crossings``."""
        n, above, below, starts = self.n, self.above, self.below, self.starts
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
        kept = ~(self.x == self.center)
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
            hit = _window_all(link, lim)
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


def _as_vector(value: ArrayLike, name: str, n: int) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.broadcast_to(arr, (n,))
    if arr.shape != (n,):
        raise ParameterError(
            f"find_violations: {name!r} must have the length of 'statistic' ({n}). "
            f"Got shape {arr.shape} instead."
        )
    return arr


def find_violations(
    statistic: ArrayLike,
    center: ArrayLike,
    se: ArrayLike,
    lcl: ArrayLike,
    ucl: ArrayLike,
    rules: tuple[str, ...],
    *,
    segment: ArrayLike | None = None,
) -> tuple[IntArray, NDArray[np.str_]]:
    """Find the points that violate run rules.

    Parameters
    ----------
    statistic : array_like of float, shape (n,)
        The plotted statistic. NaN means "no value": such a point never signals and breaks
        every run and window that contains it.
    center : array_like of float, shape (n,) or scalar
        Centre line at each point.
    se : array_like of float, shape (n,) or scalar
        Standard error of the statistic at each point (the width of one zone). Where it is
        NaN or not positive the zone rules cannot judge the point, which breaks their runs.
    lcl, ucl : array_like of float, shape (n,) or scalar
        Control limits; NaN means no limit on that side at that point.
    rules : tuple of str
        Rule ids (see :data:`ALL_RULES` and :func:`resolve_rules`).
    segment : array_like, shape (n,), optional
        Stage of each point (non-decreasing). Every change of value starts a new segment;
        no run, trend or window crosses it, and the Anhøj rules are judged per segment.

    Returns
    -------
    index : numpy.ndarray of int64
        Position of the point completing each pattern.
    rule : numpy.ndarray of str
        The rule id of each violation. One entry per (point, rule), sorted by index, then
        by the order of :data:`ALL_RULES`.

    Raises
    ------
    ParameterError
        If a rule id is unknown or the arrays do not have matching lengths.

    See Also
    --------
    resolve_rules : turn ``"nelson"`` or a list of names into rule ids.

    Notes
    -----
    All rules run in O(n) time (O(n log K) for "K in a row", with K <= 15), using boolean
    "link" arrays: ``link[i]`` is true when points i-1 and i are both in the required state
    and in the same segment, and a run of K points ends at i when the K-1 links ending at i
    are all true. The conventions (Nelson 1984 numbering, pattern-completing index, breaks)
    are described in the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.5, 3.5, 0.2, 0.4, 0.3, 0.6, 0.1, 0.2, 0.7, 0.3, 0.5])
    >>> index, rule = find_violations(x, 0.0, 1.0, -3.0, 3.0, ("nelson_1", "nelson_2"))
    >>> index.tolist(), rule.tolist()
    ([1, 8, 9, 10], ['nelson_1', 'nelson_2', 'nelson_2', 'nelson_2'])
    """
    x = np.asarray(statistic, dtype=np.float64)
    if x.ndim != 1:
        raise ParameterError(
            f"find_violations: 'statistic' must be 1-D. Got shape {x.shape} instead."
        )
    n = x.size
    if isinstance(rules, str):
        raise ParameterError(
            f"find_violations: 'rules' must be a tuple of rule ids (see resolve_rules). "
            f"Got the string {rules!r} instead."
        )
    wanted = sorted({_POSITION.get(r, -1) for r in rules})
    if wanted and wanted[0] < 0:
        bad = next(r for r in rules if r not in _POSITION)
        raise _unknown(bad, "find_violations")
    center_a = _as_vector(center, "center", n)
    se_a = _as_vector(se, "se", n)
    lcl_a = _as_vector(lcl, "lcl", n)
    ucl_a = _as_vector(ucl, "ucl", n)
    if segment is None:
        starts = np.empty(0, dtype=np.intp)
    else:
        seg = np.asarray(segment)
        if seg.shape != (n,):
            raise ParameterError(
                f"find_violations: 'segment' must have the length of 'statistic' ({n}). "
                f"Got shape {seg.shape} instead."
            )
        starts = np.flatnonzero(seg[1:] != seg[:-1]) + 1
    if n == 0 or not wanted:
        return np.empty(0, dtype=np.int64), _NAMES[:0].copy()

    found: list[NDArray[np.intp]] = []
    codes: list[NDArray[np.int8]] = []

    def collect(series: _Series, positions: list[int], offset: int, keep_from: int) -> None:
        cache: dict[str, NDArray[np.intp]] = {}
        for pos in positions:
            rule = ALL_RULES[pos]
            key = {"we_1": "nelson_1", "we_2": "nelson_5", "we_3": "nelson_6"}.get(rule, rule)
            if key not in cache:
                cache[key] = _evaluate(series, key)
            idx = cache[key]
            if keep_from > offset:
                idx = idx[idx >= keep_from - offset]
            found.append(idx + offset)
            codes.append(np.full(idx.size, pos, dtype=np.int8))

    anhoj = [p for p in wanted if ALL_RULES[p].startswith("anhoj")]
    local = [p for p in wanted if not ALL_RULES[p].startswith("anhoj")]
    if anhoj:  # whole-segment properties: judged on the full series
        collect(_Series(x, center_a, se_a, lcl_a, ucl_a, starts), anhoj, 0, 0)
    # The other rules look back at most 15 points, so they are judged block by block with
    # an overlap: the temporaries stay small and in cache, and the cost per point constant.
    for first in range(0, n, _BLOCK) if local else ():
        lo, hi = max(0, first - _OVERLAP), min(n, first + _BLOCK)
        inner = starts[(starts > lo) & (starts < hi)] - lo
        block = _Series(x[lo:hi], center_a[lo:hi], se_a[lo:hi], lcl_a[lo:hi], ucl_a[lo:hi],
                        inner)
        collect(block, local, lo, first)
    index = np.concatenate(found).astype(np.int64, copy=False)
    code = np.concatenate(codes)
    order = np.lexsort((code, index))  # by index, then in ALL_RULES order
    return index[order], _NAMES[code[order]]


def _evaluate(s: _Series, rule: str) -> NDArray[np.intp]:
    """Return the indices flagged by one rule (Western Electric ids mapped to Nelson's)."""
    if rule == "anhoj_run":
        return s.anhoj[0]
    if rule == "anhoj_crossings":
        return s.anhoj[1]
    if rule == "nelson_1":
        flags = s.limits()
    elif rule == "nelson_2":
        flags = s.same_side(9)
    elif rule == "we_4":
        flags = s.same_side(8)
    elif rule == "nelson_3":
        flags = s.trend(6)
    elif rule == "nelson_4":
        flags = s.alternating(14)
    elif rule == "nelson_5":
        flags = s.m_of_w(2, 3, 2)
    elif rule == "nelson_6":
        flags = s.m_of_w(4, 5, 1)
    elif rule == "nelson_7":
        flags = s.within_1(15)
    else:  # nelson_8
        flags = s.outside_1(8)
    return np.flatnonzero(flags)
