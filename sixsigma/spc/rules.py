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
* Anhøj rules (Anhøj & Olesen 2014; Anhøj 2015; as in qicharts2) live in
  :mod:`sixsigma.spc.anhoj` (their conventions are described there). They judge whole
  segments, so they are evaluated on the full series; the other rules look back at most
  15 points and are evaluated block by block.
* Each rule id maps to one entry of :data:`RULES` (its test, its description, and the rule
  whose test it repeats: ``we_1`` is ``nelson_1``); the evaluator reads that table.

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sixsigma.errors import ParameterError
from sixsigma.spc import anhoj as _anhoj
from sixsigma.spc._runs import window_all
from sixsigma.spc.anhoj import ANHOJ_MIN_USEFUL, anhoj_limits

__all__ = [
    "ALL_RULES",
    "ANHOJ_MIN_USEFUL",
    "RULE_DESCRIPTIONS",
    "RULES",
    "RULE_SETS",
    "Rule",
    "anhoj_limits",
    "find_violations",
    "resolve_rules",
    "rule_params",
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

_POSITION: Final[dict[str, int]] = {rule: k for k, rule in enumerate(ALL_RULES)}
_NAMES: Final[NDArray[np.str_]] = np.array(ALL_RULES)
# Block size and overlap of the evaluation of the local rules (look-back <= 15 points).
# 64k points: a block's temporaries (512 kB of z, 64 kB masks) are reused from the heap
# from block to block; blocks of 1M points had the allocator map fresh pages for them
# (tens of thousands of page faults in the first call of a process).
_BLOCK: Final[int] = 1 << 16
_OVERLAP: Final[int] = 32


def _unknown(name: object, caller: str) -> ParameterError:
    expected = ", ".join(repr(k) for k in (*RULE_SETS, *ALL_RULES))
    return ParameterError(f"{caller}: unknown rule {name!r}; expected one of {expected} "
                          "in the 'rules' parameter")


_K_RANGE: Final[tuple[int, int]] = (2, 30)  # look-back stays within the block overlap


def rule_params(rules: object, *, caller: str) -> dict[str, int]:
    """The K values given in a ``rules=`` mapping that differ from each rule's default.

    ``rules={"nelson_1": None, "nelson_2": 7, "nelson_5": 3}`` evaluates rules 1, 2 and 5,
    rule 2 with K = 7 points on one side and rule 5 with 3 of 4 points beyond 2 sigma:
    Minitab's K values (its "Tests" tab). A value of None keeps the default. K is a whole
    number from 1 (the m-of-m+1 rules ``nelson_5``/``nelson_6``) or 2 up to 30.

    Examples
    --------
    >>> rule_params({"nelson_1": None, "nelson_2": 7, "nelson_3": 6}, caller="imr")
    {'nelson_2': 7}
    """
    if not isinstance(rules, Mapping):
        return {}
    out: dict[str, int] = {}
    for name, k in rules.items():
        if not isinstance(name, str) or (name not in _POSITION and name not in RULE_SETS):
            raise _unknown(name, caller)
        if k is None:
            continue
        rule = RULES.get(name)
        if rule is None or rule.k is None:
            raise ParameterError(
                f"{caller}: rule {name!r} takes no K value (give None); adjustable rules: "
                + ", ".join(r for r, v in RULES.items() if v.k is not None)
                + ". The limits' width is nsigmas=."
            )
        low = 1 if rule.test in (_beyond_1, _beyond_2) else _K_RANGE[0]
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or \
                not low <= int(k) <= _K_RANGE[1]:
            raise ParameterError(f"{caller}: the K value of rule {name!r} must be a whole "
                                 f"number from {low} to {_K_RANGE[1]}; got {k!r}.")
        if int(k) != rule.k:
            out[name] = int(k)
    return out


def resolve_rules(rules: str | Sequence[str] | Mapping[str, int | None] | None, *,
                  caller: str) -> tuple[str, ...]:
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
    if isinstance(rules, Mapping):  # {"nelson_2": 7, "nelson_1": None}: K values
        rule_params(rules, caller=caller)
        rules = list(rules)
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
        runs_center: FloatArray | None = None,
    ) -> None:
        self.x, self.center, self.se, self.lcl, self.ucl = x, center, se, lcl, ucl
        # the line the same-side runs are judged about (the median on g and t charts)
        self.runs_center = center if runs_center is None else runs_center
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
        reach = self.reach_upto(w - 1)
        for k in range(1, min(w, self.n)):
            hit = reach[k - 1][k:] & a[:-k]
            count[k:] += hit
        return count

    # -- conditions ----------------------------------------------------------------------
    @cached_property
    def above(self) -> BoolArray:
        return self.x > self.runs_center

    @cached_property
    def below(self) -> BoolArray:
        return self.x < self.runs_center

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
        return self.reach_upto(4)

    def reach_upto(self, m: int) -> list[BoolArray]:
        """:attr:`reach` for look-backs 1 .. ``m`` (extended on demand)."""
        out: list[BoolArray] = self.__dict__.setdefault("_reach", [self.link(self.valid)])
        first = out[0]
        for k in range(len(out) + 1, m + 1):
            nxt = out[-1].copy()
            if k - 1 < self.n:
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
        return window_all(self.same_side_link, k - 1)

    def trend(self, k: int) -> BoolArray:
        up, down = self.up, self.down
        link = np.zeros(self.n, dtype=bool)
        link[1:] = (up[1:] & up[:-1]) | (down[1:] & down[:-1])
        return window_all(link, k - 2)

    def alternating(self, k: int) -> BoolArray:
        up, down = self.up, self.down
        link = np.zeros(self.n, dtype=bool)
        link[1:] = (up[1:] & down[:-1]) | (down[1:] & up[:-1])
        return window_all(link, k - 2)

    def m_of_w(self, m: int, w: int, sigmas: int) -> BoolArray:
        hi, lo = self.zones[f"above_{sigmas}"], self.zones[f"below_{sigmas}"]
        return (hi & (self.window_count(hi, w) >= m)) | (lo & (self.window_count(lo, w) >= m))

    def within_1(self, k: int) -> BoolArray:
        return window_all(self.link(self.zones["inside_1"]), k - 1)

    def outside_1(self, k: int) -> BoolArray:
        return window_all(self.link(self.zones["above_1"] | self.zones["below_1"]), k - 1)

    @cached_property
    def anhoj(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Indices flagged by ``anhoj_run`` and by ``anhoj_crossings``."""
        return _anhoj.signals(self.x, self.runs_center, self.starts)


def _flagged(test: Callable[[_Series], BoolArray]) -> Callable[[_Series], NDArray[np.intp]]:
    def evaluate(s: _Series) -> NDArray[np.intp]:
        return np.flatnonzero(test(s))
    return evaluate


@dataclass(frozen=True)
class Rule:
    """One run rule: what it detects and how it is evaluated.

    Attributes
    ----------
    description : str
        One line, for summaries and reports.
    evaluate : callable
        Takes the per-point conditions of a series and returns the flagged indices.
    same_as : str or None
        The rule whose test this one repeats (``we_1`` is ``nelson_1``): evaluated once.
    whole_series : bool
        Judges whole segments (the Anhøj rules), so it is evaluated on the full series
        rather than block by block.
    """

    description: str
    evaluate: Callable[[_Series], NDArray[np.intp]]
    same_as: str | None = None
    whole_series: bool = False
    k: int | None = None  # Minitab's K: the rule's default count (None: not adjustable)
    test: Callable[[_Series, int], BoolArray] | None = None  # the test for another K


def _kind(test: Callable[[_Series, int], BoolArray], k: int, text: str,
          same_as: str | None = None) -> Rule:
    return Rule(text.format(k=k), _flagged(lambda s: test(s, k)), same_as=same_as, k=k,
                test=test)


def _same_side(s: _Series, k: int) -> BoolArray:
    return s.same_side(k)


def _trend(s: _Series, k: int) -> BoolArray:
    return s.trend(k)


def _alternating(s: _Series, k: int) -> BoolArray:
    return s.alternating(k)


def _beyond_2(s: _Series, k: int) -> BoolArray:
    return s.m_of_w(k, k + 1, 2)


def _beyond_1(s: _Series, k: int) -> BoolArray:
    return s.m_of_w(k, k + 1, 1)


def _within_1(s: _Series, k: int) -> BoolArray:
    return s.within_1(k)


def _outside_1(s: _Series, k: int) -> BoolArray:
    return s.outside_1(k)


RULES: Final[dict[str, Rule]] = {
    "nelson_1": Rule("1 point beyond a control limit", _flagged(lambda s: s.limits())),
    "nelson_2": _kind(_same_side, 9, "{k} points in a row on the same side of the centre "
                      "line"),
    "nelson_3": _kind(_trend, 6, "{k} points in a row steadily increasing or decreasing"),
    "nelson_4": _kind(_alternating, 14, "{k} points in a row alternating up and down"),
    "nelson_5": _kind(_beyond_2, 2, "{k} of {k}+1 points in a row beyond 2 sigma, same side"
                      .replace("{k}+1", "3")),
    "nelson_6": _kind(_beyond_1, 4, "{k} of 5 points in a row beyond 1 sigma, same side"),
    "nelson_7": _kind(_within_1, 15, "{k} points in a row within 1 sigma of the centre line"),
    "nelson_8": _kind(_outside_1, 8, "{k} points in a row beyond 1 sigma, either side"),
    "we_1": Rule("1 point beyond a control limit", _flagged(lambda s: s.limits()),
                 same_as="nelson_1"),
    "we_2": _kind(_beyond_2, 2, "{k} of 3 points in a row beyond 2 sigma, same side",
                  same_as="nelson_5"),
    "we_3": _kind(_beyond_1, 4, "{k} of 5 points in a row beyond 1 sigma, same side",
                  same_as="nelson_6"),
    "we_4": _kind(_same_side, 8, "{k} points in a row on the same side of the centre line"),
    "anhoj_run": Rule("longest run on one side longer than round(log2(n_useful) + 3)",
                      lambda s: s.anhoj[0], whole_series=True),
    "anhoj_crossings": Rule("fewer crossings of the centre line than qbinom(0.05, n_useful "
                            "- 1, 0.5)", lambda s: s.anhoj[1], whole_series=True),
}
"""Every rule id and its :class:`Rule`, in :data:`ALL_RULES` order."""

RULE_DESCRIPTIONS: Final[dict[str, str]] = {k: r.description for k, r in RULES.items()}
"""A one-line description of each rule id, for summaries and reports."""

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
    params: Mapping[str, int] | None = None,
    runs_center: ArrayLike | None = None,
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
    params : mapping of rule id to int, optional
        K values other than the defaults (see :func:`rule_params`).
    runs_center : array_like of float, shape (n,) or scalar, optional
        The line that same-side runs (``nelson_2``, ``we_4``, the Anhøj rules) are judged
        about, when it is not ``center``: the median on g and t charts (as qicharts2).

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
    runs_a = center_a if runs_center is None else _as_vector(runs_center, "runs_center", n)
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
            rule = RULES[ALL_RULES[pos]]
            k = (params or {}).get(ALL_RULES[pos])
            key = f"{rule.same_as or ALL_RULES[pos]}:{k}"
            if key not in cache:
                cache[key] = rule.evaluate(series) if k is None or rule.test is None else \
                    np.flatnonzero(rule.test(series, k))
            idx = cache[key]
            if keep_from > offset:
                idx = idx[idx >= keep_from - offset]
            found.append(idx + offset)
            codes.append(np.full(idx.size, pos, dtype=np.int8))

    whole = [p for p in wanted if RULES[ALL_RULES[p]].whole_series]
    local = [p for p in wanted if not RULES[ALL_RULES[p]].whole_series]
    if whole:  # whole-segment properties (Anhøj): judged on the full series
        collect(_Series(x, center_a, se_a, lcl_a, ucl_a, starts, runs_a), whole, 0, 0)
    # The other rules look back at most 15 points, so they are judged block by block with
    # an overlap: the temporaries stay small and in cache, and the cost per point constant.
    for first in range(0, n, _BLOCK) if local else ():
        lo, hi = max(0, first - _OVERLAP), min(n, first + _BLOCK)
        inner = starts[(starts > lo) & (starts < hi)] - lo
        block = _Series(x[lo:hi], center_a[lo:hi], se_a[lo:hi], lcl_a[lo:hi], ucl_a[lo:hi],
                        inner, runs_a[lo:hi])
        collect(block, local, lo, first)
    index = np.concatenate(found).astype(np.int64, copy=False)
    code = np.concatenate(codes)
    order = np.lexsort((code, index))  # by index, then in ALL_RULES order
    return index[order], _NAMES[code[order]]
