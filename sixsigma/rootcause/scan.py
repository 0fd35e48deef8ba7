"""Segment scan: where defects concentrate, with explain-away.

:func:`segment_scan` answers "which segment (a queue, a market, a policy, a tenure band, or
a combination of two) carries the extra defects?". It follows the multidimensional
root-cause localisation methods (Adtributor, Bhagwan et al. 2014; iDice, Lin et al. 2016;
HotSpot, Sun et al. 2018; Squeeze, Li et al. 2019) and the stratification step of DMAIC's
Analyze phase, with tests that hold up in a review:

1. **Count once.** One group-by over all the scanned dimensions gives the cell table
   (:mod:`sixsigma.rootcause.counts`); every single and pair is rolled up from it.
2. **Test every segment against the rest**: the pooled two-proportion z test, or Fisher's
   exact test when a 2x2 table has an expected cell below 5 (Cochran's rule), then
   Benjamini-Hochberg (1995) false-discovery control across all the segments tested.
3. **Excess defects** of a segment: ``defects - n * rest_rate``, the defects it would not
   have if it performed like the rest.
4. **Explain away, iteratively.** Pick the significant segment with the largest test
   statistic (not the largest excess: a broad parent holds almost all of its child's excess
   and would win by volume alone); descend to a child when the child carries at least
   ``descend_share`` of the parent's excess and the remainder of the parent is not
   significantly worse than the rest; record it as a cause; set its expected rate to the
   rest's (its cells' defects are scaled by ``rest_rate / rate``, which keeps the contrasts
   inside it, so a child that is worse than its parent still shows); rescan the aggregate;
   stop when nothing significant remains. Parents whose excess was carried by a cause, and
   children that add nothing beyond it, lose their significance in the rescans: they are
   reported as ``explained``, never as causes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse, stats

from sixsigma._frames import as_table
from sixsigma._params import check_confidence, check_number
from sixsigma._result import Result, jsonable
from sixsigma._stats import wilson
from sixsigma._stats.fdr import bh
from sixsigma._stats.proportions import MIN_EXPECTED, segment_tests
from sixsigma.rootcause.counts import Cells, check_dimensions, count_cells
from sixsigma.rootcause.evidence import evidence_record

__all__ = ["SegmentScan", "segment_scan"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


# ---------------------------------------------------------------------------------------
# the segments of a cell table


@dataclass(frozen=True)
class _Segments:
    codes: IntArray  # (S, d): level code per dimension, -1 = any value
    depth: IntArray
    member: sparse.csr_matrix  # (S, cells), 1 where the cell belongs to the segment
    n: FloatArray
    redundant: int  # segments dropped as identical to a coarser one


def _grouping(cells: Cells, combo: tuple[int, ...]) -> tuple[IntArray, IntArray]:
    """Segment codes (U, d) and the segment index of each cell for one grouping."""
    sizes = [len(cells.levels[j]) for j in combo]
    key = np.ravel_multi_index(tuple(cells.codes[:, j] for j in combo), sizes)
    uniq, inv = np.unique(key, return_inverse=True)
    codes = np.full((uniq.size, cells.codes.shape[1]), -1, dtype=np.int64)
    codes[:, list(combo)] = np.column_stack(np.unravel_index(uniq, sizes))
    return codes, inv.astype(np.int64)


def _build(cells: Cells, combos: Sequence[tuple[int, ...]]) -> _Segments:
    """The segments of the given groupings, minus those identical to a coarser one."""
    k = cells.n.size
    codes_l: list[IntArray] = []
    rows_l: list[IntArray] = []
    offset = 0
    for combo in combos:
        codes, inv = _grouping(cells, combo)
        codes_l.append(codes)
        rows_l.append(offset + inv)
        offset += codes.shape[0]
    codes_all = np.concatenate(codes_l).astype(np.int64)
    rows = np.concatenate(rows_l)
    cols = np.tile(np.arange(k, dtype=np.int64), len(combos))
    member = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(offset, k))
    depth = (codes_all >= 0).sum(axis=1).astype(np.int64)
    n = np.asarray(member @ cells.n, dtype=np.float64)
    # drop segments that hold exactly the units of a coarser segment (nested dimensions,
    # e.g. a market within its region): same units, same test, one name is enough
    drop = np.zeros(depth.size, dtype=bool)
    index = pd.MultiIndex.from_arrays(list(codes_all.T))
    for j in range(codes_all.shape[1]):
        has = (codes_all[:, j] >= 0) & (depth > 1)
        if not has.any():
            continue
        parent = codes_all[has].copy()
        parent[:, j] = -1
        pos = index.get_indexer(pd.MultiIndex.from_arrays(list(parent.T)))
        same = (pos >= 0) & (n[has] == n[np.maximum(pos, 0)])
        drop[np.flatnonzero(has)[same]] = True
    ok = ~drop
    return _Segments(codes=codes_all[ok], depth=depth[ok], member=member[ok], n=n[ok],
                     redundant=int(drop.sum()))


@dataclass(frozen=True)
class _Scan:
    d: FloatArray
    rate: FloatArray
    rest_rate: FloatArray
    z: FloatArray
    p: FloatArray
    q: FloatArray
    exact: NDArray[np.bool_]
    excess: FloatArray


def _scan(seg: _Segments, d_cells: FloatArray, total_n: float, min_expected: float) -> _Scan:
    d = np.asarray(seg.member @ d_cells, dtype=np.float64)
    total_d = float(d_cells.sum())
    z, p, exact = segment_tests(seg.n, d, total_n, total_d, min_expected=min_expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = d / seg.n
        rest_rate = (total_d - d) / (total_n - seg.n)
    excess = d - seg.n * rest_rate
    return _Scan(d=d, rate=rate, rest_rate=rest_rate, z=z, p=p, q=bh(p), exact=exact,
                 excess=excess)


def _children(seg: _Segments, s: int) -> IntArray:
    codes = seg.codes[s]
    fixed = codes >= 0
    match = np.all(seg.codes[:, fixed] == codes[fixed], axis=1)
    return np.flatnonzero(match & (seg.depth == seg.depth[s] + 1)).astype(np.int64)


# ---------------------------------------------------------------------------------------
# the result


_CAUSE_COLUMNS = ("rank", "segment", "filter", "n", "defects", "rate", "rest_rate",
                  "excess_at_pick", "share_of_excess", "share_of_defects", "z_at_pick",
                  "p_at_pick", "q_at_pick", "excess_first_pass", "q_first_pass",
                  "descended_from")
_OLD_CAUSE_COLUMNS = {"excess_defects": "excess_at_pick", "z": "z_at_pick",
                      "p_value": "p_at_pick", "q_value": "q_at_pick"}


@dataclass(frozen=True, eq=False, repr=False)
class SegmentScan(Result, kind="segment_scan"):
    """The result of :func:`segment_scan`.

    Attributes
    ----------
    segments : pandas.DataFrame
        The first pass (every figure before any cause is explained away, except the ``residual_*``
        columns). One row per segment tested, best first: the causes in the order they were picked,
        then the other segments by the evidence left after the causes were explained
        (``residual_z``, largest first). Columns: ``segment`` (text), ``filter`` (dict dimension ->
        value), ``depth``, ``n``, ``defects``, ``rate``, ``ci_low``, ``ci_high`` (Wilson interval of
        the rate), ``rest_rate``, ``lift`` (rate / rest_rate), ``z``, ``p_value``, ``q_value``
        (Benjamini-Hochberg), ``test`` (``"z"`` or ``"fisher"``), ``excess_defects``,
        ``significant`` (q <= alpha, in the first scan), ``cause_rank`` (missing, NaN, for segments
        that are not causes), ``explained_by`` (the rank of the cause after whose adjustment a
        significant segment stopped being significant; missing otherwise), ``residual_z``,
        ``residual_excess`` (after all the causes were set to their rest's rate), ``status``
        (``"cause"``; ``"explained"``: significant at first, explained away by a cause;
        ``"significant"``: still significant at the end, which only a segment better than the rest
        can be; ``"not significant"``). Segments explained away come after all the others.
    causes : pandas.DataFrame
        The causes in the order picked: ``rank``, ``segment``, ``filter``, ``n``,
        ``defects``, ``rate``, ``rest_rate`` (at the time of picking); ``excess_at_pick``,
        ``z_at_pick``, ``p_at_pick``, ``q_at_pick``: the figures when the cause was picked,
        after the causes picked before it were set to their rest's rate;
        ``excess_at_pick`` is the answer to "how much does this cause explain" (the causes'
        excesses do not overlap and add up to :attr:`explained_defects`);
        ``share_of_excess`` (of the total excess at pick of all causes),
        ``share_of_defects`` (of all defects); ``excess_first_pass`` and
        ``q_first_pass``: the same segment in the first scan, against all the other data
        (the ``excess_defects`` and ``q_value`` of :attr:`segments`; they overlap the other
        causes' excess, so they do not add up); ``descended_from`` (the broader segments it
        was reached from).
    cells : pandas.DataFrame
        The aggregate everything was computed from (one row per cell).
    """

    segments: pd.DataFrame
    causes: pd.DataFrame
    cells: pd.DataFrame
    defectives: str
    dimensions: tuple[str, ...]
    size: str | None
    max_depth: int
    alpha: float
    descend_share: float
    min_expected: float
    total_n: float
    total_defects: float
    overall_rate: float
    n_tests: int
    rescans: int
    method: str = (
        "two-proportion z (pooled) or Fisher exact (expected cell < min_expected), "
        "Benjamini-Hochberg across all segments; explain-away by proportional rescaling"
    )

    def __post_init__(self) -> None:
        for name in ("segments", "causes", "cells"):
            object.__setattr__(self, name, getattr(self, name).copy())
        causes = self.causes
        if "excess_defects" in causes.columns and "excess_at_pick" not in causes.columns:
            # a payload written before the two sets of figures were named
            causes = causes.rename(columns=_OLD_CAUSE_COLUMNS)
            first = self.segments.set_index("segment") if len(self.segments) else None
            for new, old in (("excess_first_pass", "excess_defects"),
                             ("q_first_pass", "q_value")):
                if new not in causes.columns:
                    causes[new] = ([float(first[old].get(s, np.nan)) for s in causes["segment"]]
                                   if first is not None and old in first.columns
                                   else np.nan)
            order = [c for c in _CAUSE_COLUMNS if c in causes.columns]
            rest = [c for c in causes.columns if c not in order]
            object.__setattr__(self, "causes", causes[order + rest])
        super().__post_init__()

    @property
    def explained_defects(self) -> float:
        """The total excess at pick of all causes (defects that would go if all were fixed)."""
        return float(self.causes["excess_at_pick"].sum()) if len(self.causes) else 0.0

    def to_frame(self) -> pd.DataFrame:
        """The segments table (a copy)."""
        return self.segments.copy()

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        lines = [
            f"segment scan of {self.defectives!r} over {', '.join(self.dimensions)}: "
            f"{self.total_n:,.0f} units, {self.total_defects:,.0f} defects "
            f"({self.overall_rate:.4%}), {self.n_tests} segments tested "
            f"(depth <= {self.max_depth}, alpha {self.alpha:g}, BH)",
        ]
        if not len(self.causes):
            lines.append("  no significant segment")
        else:
            lines.append(
                "  'excess at pick' answers \"how much does this cause explain\": the "
                "defects above its rest's rate once the causes before it are accounted for "
                "(they add up to the explained total); 'first pass' is the same segment "
                "against all the other data, overlapping the other causes (do not add up)"
            )
        for row in self.causes.itertuples():
            lines.append(
                f"  {row.rank}. {row.segment}: rate {row.rate:.4%} vs {row.rest_rate:.4%}, "
                f"excess at pick {row.excess_at_pick:,.1f} defects ({row.share_of_excess:.0%} "
                f"of the explained excess), z = {row.z_at_pick:.2f}, q = {row.q_at_pick:.2g}; "
                f"first pass: excess {row.excess_first_pass:,.1f}, "
                f"q = {row.q_first_pass:.2g}"
            )
        if len(self.causes):
            lines.append(f"  explained by the causes: {self.explained_defects:,.1f} of "
                         f"{self.total_defects:,.0f} defects")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_evidence(self) -> dict[str, Any]:
        """An evidence record (see :mod:`sixsigma.rootcause.evidence`)."""
        if len(self.causes):
            found = "; ".join(
                f"{r.segment} (excess at pick {r.excess_at_pick:.1f} defects, "
                f"{r.share_of_excess:.0%})" for r in self.causes.itertuples())
        else:
            found = "no significant segment"
        description = (
            f"Segment scan of {self.defectives} over {', '.join(self.dimensions)} "
            f"({self.n_tests} segments, BH at {self.alpha:g}): {found}."
        )
        figures = {
            "total_n": self.total_n, "total_defects": self.total_defects,
            "overall_rate": self.overall_rate, "n_tests": self.n_tests,
            "causes": _records(self.causes),
        }
        parameters = {
            "defectives": self.defectives, "dimensions": list(self.dimensions), "size": self.size,
            "max_depth": self.max_depth, "alpha": self.alpha,
            "descend_share": self.descend_share, "min_expected": self.min_expected,
            "method": self.method,
        }
        return evidence_record(self.kind, description, self.cells, figures, parameters)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = jsonable(frame.to_dict(orient="records"))
    return out


# ---------------------------------------------------------------------------------------
# the scan


def segment_scan(
    data: Any,
    defectives: str,
    dimensions: list[str] | tuple[str, ...],
    *,
    size: str | None = None,
    max_depth: int = 2,
    alpha: float = 0.05,
    descend_share: float = 0.8,
    min_expected: float = MIN_EXPECTED,
    max_causes: int = 20,
    confidence: float = 0.95,
) -> SegmentScan:
    """Find the segments where defects concentrate, explaining away parents and children.

    Parameters
    ----------
    data : dataframe
        Raw records (one row per unit) or pre-aggregated counts; any frame narwhals reads
        (pandas, polars eager or lazy, pyarrow, a DuckDB relation).
    defectives : str
        Raw records: a 0/1 or boolean column (1/True = defective). With ``size``: the number
        of defective units of each row.
    dimensions : list of str
        The columns to scan (queue, market, policy, tenure band, ...).
    size : str, optional
        The units behind each row, for pre-aggregated counts.
    max_depth : int
        1: single values only; 2 (default): also every pair of values of two dimensions;
        3: also triples, tested only under a significant pair (pruning).
    alpha : float
        False-discovery rate (Benjamini-Hochberg) for calling a segment significant.
    descend_share : float
        Descend from a picked segment to a child when the child carries at least this share
        of the parent's excess defects (default 0.8: "most") and what is left of the parent
        outside the child is not significantly worse than the rest (one-sided score test at
        ``alpha``).
    min_expected : float
        Cochran's rule: a segment whose 2x2 table (segment/rest x defect/not) has an
        expected cell below this is tested with Fisher's exact test.
    max_causes : int
        Stop after this many causes.
    confidence : float
        Level of the Wilson intervals of the segment rates.

    Returns
    -------
    SegmentScan
        ``.segments`` (every segment tested, best first), ``.causes`` (in the order picked).

    Raises
    ------
    sixsigma.errors.ColumnError
        A column is not in the data.
    sixsigma.errors.DomainError
        ``defectives`` is not 0/1 or boolean (raw records); defectives exceed the size, or are
        negative or fractional (counts).
    sixsigma.errors.InsufficientDataError
        A dimension has only one level.
    sixsigma.errors.ParameterError
        A parameter is out of range.

    Notes
    -----
    Segment ``s`` with ``n`` units and ``x`` defects is compared with the rest (``N - n``
    units, ``X - x`` defects): z = (x/n - (X-x)/(N-n)) / sqrt(p(1-p)(1/n + 1/(N-n))),
    p = X/N (Agresti 2013, §3.1.4); when the smallest expected cell of that 2x2 table is
    below ``min_expected`` (Cochran 1954) Fisher's exact test is used instead (two-sided:
    tables no more probable than the observed one, relative tolerance 1e-7 as R's
    ``fisher.test``) and ``z`` is the normal deviate with the same p-value. The
    q-values are Benjamini-Hochberg (1995) adjusted p-values over all segments tested.
    Excess defects = x - n (X-x)/(N-n).

    A segment that holds exactly the units of a coarser one (a market nested in its region:
    ``region=EMEA & market=DE`` is ``market=DE``) is tested once, under the coarser name.

    References
    ----------
    Bhagwan, R. et al. (2014). Adtributor: revenue debugging in advertising systems. NSDI.
    Lin, Q. et al. (2016). iDice: problem identification for emerging issues. ICSE.
    Sun, Y. et al. (2018). HotSpot: anomaly localization for additive KPIs. IEEE Access 6.
    Li, Z. et al. (2019). Generic and robust localization of multi-dimensional root causes.
    ISSRE (Squeeze). Benjamini, Y., Hochberg, Y. (1995). JRSS B 57, 289-300.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "queue": ["spam", "spam", "hate", "hate"] * 2,
    ...     "market": ["DE", "US"] * 4,
    ...     "errors": [60, 10, 11, 9, 58, 12, 10, 10],
    ...     "audited": [200] * 8,
    ... })
    >>> scan = ss.rootcause.segment_scan(rows, "errors", ["queue", "market"], size="audited")
    >>> scan.causes["segment"].tolist()
    ['queue=spam & market=DE']
    >>> round(float(scan.causes["excess_at_pick"].iloc[0]), 1)
    97.3
    """
    caller = "segment_scan"
    dims = check_dimensions(dimensions, caller)
    max_depth = int(check_number(max_depth, "max_depth", caller=caller, low=1.0, high=3.0,
                                 integer=True))
    alpha = check_confidence(alpha, caller=caller, name="alpha")
    descend_share = check_number(descend_share, "descend_share", caller=caller, low=0.0,
                                 high=1.0, low_open=True)
    min_expected = check_number(min_expected, "min_expected", caller=caller, low=0.0)
    max_causes = int(check_number(max_causes, "max_causes", caller=caller, low=1.0,
                                  integer=True))
    confidence = check_confidence(confidence, caller=caller)
    table = as_table(data, caller=caller)
    cells = count_cells(table, defectives, dims, size)
    scan = scan_cells(cells, defectives=defectives, size=size, max_depth=max_depth,
                      alpha=alpha, descend_share=descend_share, min_expected=min_expected,
                      max_causes=max_causes, confidence=confidence)
    if cells.empty:
        more = " ..." if len(cells.empty) > 5 else ""
        note = (f"{len(cells.empty)} combination(s) of size 0 left out (no units): "
                f"{'; '.join(cells.empty[:5])}{more}")
        scan = dataclasses.replace(scan, notes=(*scan.notes, note))
    return scan


def scan_cells(
    cells: Cells,
    *,
    defectives: str,
    size: str | None,
    max_depth: int,
    alpha: float,
    descend_share: float,
    min_expected: float,
    max_causes: int,
    confidence: float,
) -> SegmentScan:
    """The scan on a cell table (see :func:`segment_scan`); never touches the records."""
    ndim = len(cells.dimensions)
    total_n = float(cells.n.sum())
    combos = [c for depth in range(1, min(max_depth, 2) + 1)
              for c in combinations(range(ndim), depth)]
    seg = _build(cells, combos)
    notes: list[str] = []
    if max_depth == 3 and ndim >= 3:
        first = _scan(seg, cells.defects, total_n, min_expected)
        sig_pairs = seg.codes[(seg.depth == 2) & (first.q <= alpha)]
        if len(sig_pairs):
            triples = [c for c in combinations(range(ndim), 3)
                       if any(set(np.flatnonzero(p >= 0)) <= set(c) for p in sig_pairs)]
            ext = _build(cells, triples)
            tri = ext.depth == 3
            parents_ok = np.zeros(ext.codes.shape[0], dtype=bool)
            pair_index = pd.MultiIndex.from_arrays(list(sig_pairs.T))
            for j in range(ndim):
                has = tri & (ext.codes[:, j] >= 0)
                parent = ext.codes[has].copy()
                parent[:, j] = -1
                pos = pair_index.get_indexer(pd.MultiIndex.from_arrays(list(parent.T)))
                parents_ok[np.flatnonzero(has)[pos >= 0]] = True
            keep = tri & parents_ok
            seg = _Segments(
                codes=np.concatenate([seg.codes, ext.codes[keep]]),
                depth=np.concatenate([seg.depth, ext.depth[keep]]),
                member=sparse.vstack([seg.member, ext.member[keep]], format="csr"),
                n=np.concatenate([seg.n, ext.n[keep]]),
                redundant=seg.redundant,
            )
            notes.append(f"depth 3: {int(keep.sum())} triples tested under the "
                         f"{len(sig_pairs)} significant pairs")
    if seg.redundant:
        notes.append(f"{seg.redundant} segments hold exactly the units of a coarser segment "
                     "(nested dimensions) and were tested once, under the coarser name")
    n_seg = seg.codes.shape[0]

    d_cells = cells.defects.astype(np.float64, copy=True)
    first = _scan(seg, d_cells, total_n, min_expected)
    significant = first.q <= alpha
    picked: list[int] = []
    cause_rows: list[dict[str, Any]] = []
    explained_by = np.zeros(n_seg, dtype=np.int64)
    current = first
    rescans = 0
    labels = _labels(cells, seg)
    for rank in range(1, max_causes + 1):
        cand = (current.q <= alpha) & (current.excess > 0)
        cand[picked] = False
        if not cand.any():
            break
        s = int(np.argmax(np.where(cand, current.z, -np.inf)))
        path = [s]
        while True:
            kids = _children(seg, s)
            kids = kids[cand[kids] & (current.excess[kids] >= descend_share * current.excess[s])]
            if kids.size:
                rem_n = seg.n[s] - seg.n[kids]
                rem_d = current.d[s] - current.d[kids]
                r0 = current.rest_rate[s]
                with np.errstate(divide="ignore", invalid="ignore"):
                    zr = (rem_d - rem_n * r0) / np.sqrt(rem_n * r0 * (1 - r0))
                zr = np.where(np.isfinite(zr), zr, 0.0)
                kids = kids[stats.norm.sf(zr) > alpha]
            if not kids.size:
                break
            s = int(kids[np.argmax(current.z[kids])])
            path.append(s)
        picked.append(s)
        cause_rows.append({
            "rank": rank, "segment": labels[s], "filter": _filter(cells, seg, s),
            "n": float(seg.n[s]), "defects": float(first.d[s]), "rate": float(first.rate[s]),
            "rest_rate": float(current.rest_rate[s]),
            "excess_at_pick": float(current.excess[s]), "z_at_pick": float(current.z[s]),
            "p_at_pick": float(current.p[s]), "q_at_pick": float(current.q[s]),
            "excess_first_pass": float(first.excess[s]), "q_first_pass": float(first.q[s]),
            "descended_from": [labels[i] for i in path[:-1]],
        })
        # set the cause's expected rate to the rest's, keeping the contrasts inside it
        cols = seg.member.indices[seg.member.indptr[s]:seg.member.indptr[s + 1]]
        d_cells[cols] *= current.rest_rate[s] / current.rate[s]
        before_sig = current.q <= alpha
        current = _scan(seg, d_cells, total_n, min_expected)
        rescans += 1
        lost = significant & before_sig & (current.q > alpha) & (explained_by == 0)
        explained_by[lost] = rank

    causes = pd.DataFrame(cause_rows, columns=[
        "rank", "segment", "filter", "n", "defects", "rate", "rest_rate", "excess_at_pick",
        "z_at_pick", "p_at_pick", "q_at_pick", "excess_first_pass", "q_first_pass",
        "descended_from"])
    total_excess = float(causes["excess_at_pick"].sum()) if len(causes) else 0.0
    total_d = float(cells.defects.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        causes["share_of_excess"] = (causes["excess_at_pick"] / total_excess
                                     if total_excess > 0 else np.nan)
        causes["share_of_defects"] = causes["excess_at_pick"] / total_d if total_d else np.nan
    causes = causes[list(_CAUSE_COLUMNS)]

    rank_of = np.zeros(n_seg, dtype=np.int64)
    rank_of[picked] = np.arange(1, len(picked) + 1)
    explained_by[picked] = 0
    low, high = wilson(first.d, seg.n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(first.rest_rate > 0, first.rate / first.rest_rate, np.nan)
    status = np.where(rank_of > 0, "cause",
                      np.where(significant & (explained_by > 0), "explained",
                               np.where(significant, "significant", "not significant")))
    frame = pd.DataFrame({
        "segment": labels,
        "filter": [_filter(cells, seg, i) for i in range(n_seg)],
        "depth": seg.depth,
        "n": seg.n,
        "defects": first.d,
        "rate": first.rate,
        "ci_low": low,
        "ci_high": high,
        "rest_rate": first.rest_rate,
        "lift": lift,
        "z": first.z,
        "p_value": first.p,
        "q_value": first.q,
        "test": np.where(first.exact, "fisher", "z"),
        "excess_defects": first.excess,
        "significant": significant,
        "cause_rank": np.where(rank_of > 0, rank_of, np.nan),
        "explained_by": np.where(explained_by > 0, explained_by, np.nan),
        "residual_z": current.z,
        "residual_excess": current.excess,
        "status": status,
    })
    # best first: the causes in the order picked; then the segments not explained by a
    # cause, by the evidence left (residual z); the explained ones last
    explained = (rank_of == 0) & (explained_by > 0)
    order = np.lexsort((-first.z, -current.z, explained,
                        np.where(rank_of > 0, rank_of, n_seg + 1)))
    frame = frame.iloc[order].reset_index(drop=True)
    return SegmentScan(
        segments=frame, causes=causes, cells=cells.frame, defectives=defectives,
        dimensions=cells.dimensions, size=size, max_depth=max_depth, alpha=alpha,
        descend_share=descend_share, min_expected=min_expected, total_n=total_n,
        total_defects=total_d, overall_rate=total_d / total_n, n_tests=n_seg,
        rescans=rescans, notes=tuple(notes),
    )


def _value(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _filter(cells: Cells, seg: _Segments, s: int) -> dict[str, Any]:
    return {cells.dimensions[j]: _value(cells.levels[j][c])
            for j, c in enumerate(seg.codes[s]) if c >= 0}


def _labels(cells: Cells, seg: _Segments) -> list[str]:
    parts = np.full(seg.codes.shape[0], "", dtype=object)
    for j, dim in enumerate(cells.dimensions):
        names = np.array([f"{dim}={_value(v)}" for v in cells.levels[j]], dtype=object)
        has = seg.codes[:, j] >= 0
        text = np.where(has, names[np.maximum(seg.codes[:, j], 0)], "")
        sep = np.where((parts != "") & has, " & ", "")
        parts = parts + sep + text
    return [str(p) for p in parts]
