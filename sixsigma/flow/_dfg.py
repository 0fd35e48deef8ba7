"""Directly-follows counts of an in-memory event log with numpy (no query engine).

The columns go over as Arrow (zero-copy for Arrow-backed pandas and polars), activities
become integer codes in the order of their names (Arrow's dictionary encoding), dense
integer case ids are used as they are, and string case ids are coded by a 64-bit hash
(polars', when installed; polars series are hashed without an Arrow round trip) checked
for collisions. One stable sort by (case, timestamp, row) puts every case's events
together in time order: the directly-follows pairs are then neighbouring rows of the
same case, counted with ``np.bincount`` on pair codes. Transition-time totals on an
integer clock (datetimes, integer steps) are exact (two float sums of 26-bit halves, each
below 2**53), so they do not depend on the order of the rows or of the case codes; medians
and 90th percentiles come from one partition per flow.

The sort is skipped or cheapened where the rows allow: rows already grouped by case in
time order need none; rows in time order need only a stable sort by case (a 16-bit radix
sort in two passes); otherwise case code and timestamp are packed into one uint64 key when
they fit, else two keys, sorted by polars' parallel sort when installed (numpy's merge
sort otherwise), runs of equal keys put back in row order. A shuffled log therefore gives
bit for bit the same map as the ordered one. Ties in timestamp keep the original row order, as pm4py
does.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_UNIT_US = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


@dataclass(frozen=True)
class Flows:
    """What the graph is built from."""

    activities: list[Any]  # sorted
    node_count: np.ndarray  # events per activity
    edges: pd.DataFrame  # src, dst, count, wait_mean, wait_median, wait_p90 (sorted)
    elapsed: float  # last timestamp - first, seconds (datetimes) or timestamp units


def _arrow(series: Any) -> Any:
    import pyarrow as pa

    arr = series.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr


def _encode(arr: Any, *, names: bool = True) -> tuple[np.ndarray, list[Any]]:
    """Integer codes 0..k-1 in the sorted order of the values, and the sorted values.

    Codes in value order (not in order of appearance) make the sort, and so every sum,
    independent of the row order: a shuffled log gives bit for bit the same map.
    """
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(arr)
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    uniques = enc.dictionary
    rank = np.asarray(pc.rank(uniques, sort_keys="ascending", tiebreaker="first")
                      .to_numpy(zero_copy_only=False), dtype=np.int64) - 1
    codes = rank[codes]
    if not names:
        return codes, [None] * len(uniques)
    values = uniques.to_pylist()
    ordered: list[Any] = [None] * len(values)
    for v, r in zip(values, rank.tolist(), strict=True):
        ordered[r] = v
    return codes, ordered


def _case_codes(series: Any, *, ranked: bool = True) -> tuple[np.ndarray, int]:
    """Non-negative int64 codes of a case-id series and their upper bound (exclusive).

    ``ranked=False`` lets string ids keep codes in order of appearance (cheaper): the
    caller's sums must then not depend on the order of the cases.
    """
    import narwhals.stable.v2 as nw
    import pyarrow as pa

    if series.implementation is nw.Implementation.POLARS and series.dtype == nw.String:
        hashed = _hash_codes(nw.to_native(series), ranked=ranked)  # no Arrow round trip
        if hashed is not None:
            return hashed
    arr = _arrow(series)
    if pa.types.is_integer(arr.type):
        v = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.int64)
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 4 * v.size + 1024:  # dense enough to use as they are
            return v - lo, hi - lo + 1
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        try:
            import polars as pl
        except ImportError:  # pragma: no cover - polars is optional
            pass
        else:
            hashed = _hash_codes(pl.from_arrow(arr), ranked=ranked)
            if hashed is not None:
                return hashed
    codes, uniques = _encode(arr, names=False)
    return codes, len(uniques)


def _hash_codes(strings: Any, *, ranked: bool) -> tuple[np.ndarray, int] | None:
    """Case codes of a polars string series from a 64-bit hash of each string, if exact.

    Several times faster than a dictionary of the strings. Ranked codes follow the order
    of the hashes (fixed seeds: independent of the row order); unranked ones the order of
    first appearance. Exactness is checked: every string must equal the first string of
    its code; on a collision the caller encodes the strings themselves.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    h = strings.hash().to_numpy()
    enc = pc.dictionary_encode(pa.array(h))  # Arrow's hash table: faster than pandas'
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    n_unique = len(enc.dictionary)
    if ranked:
        uniques = np.asarray(enc.dictionary.to_numpy(zero_copy_only=False))
        rank = np.empty(n_unique, dtype=np.int64)
        rank[np.argsort(uniques)] = np.arange(n_unique)
        codes = rank[codes]
    first = np.empty(n_unique, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    if not (strings == strings.gather(first[codes])).all():  # pragma: no cover
        return None  # a 64-bit hash collision
    return codes, n_unique


def _stable_argsort(codes: np.ndarray, bound: int) -> np.ndarray:
    """Stable argsort of non-negative integers below ``bound``.

    Below 2**32: a least-significant-digit radix sort in 16-bit passes (numpy's stable
    sort of 16-bit integers is a radix sort), several times faster than a comparison
    sort of int64.
    """
    if bound > 2**32:
        return np.argsort(codes, kind="stable")
    order = np.argsort((codes & 0xFFFF).astype(np.uint16), kind="stable")
    if bound > 2**16:
        high = (codes[order] >> 16).astype(np.uint16)
        order = order[np.argsort(high, kind="stable")]
    return order


def _order(case: np.ndarray, n_case: int, ts: np.ndarray) -> np.ndarray | None:
    """The stable order by (case, timestamp, row); None when the rows are in it already."""
    n = case.size
    ts_sorted = bool(np.all(ts[1:] >= ts[:-1]))
    if ts_sorted:
        if bool(np.all(case[1:] >= case[:-1])):
            return None
        return _stable_argsort(case, n_case)
    same_case = case[1:] == case[:-1]
    if bool(np.all(case[1:] >= case[:-1])) and bool(np.all(ts[1:][same_case]
                                                          >= ts[:-1][same_case])):
        return None
    if ts.dtype.kind in "iu":
        lo, hi = int(ts.min()), int(ts.max())
        span = hi - lo + 1
        if n_case * span < 2**64:  # one unsigned key: case * span + (ts - min)
            key = case.astype(np.uint64) * np.uint64(span) + (ts - lo).astype(np.uint64)
            return _stable_argsort_by(key)
    return _stable_argsort_by(case, ts) if n else np.arange(0)


def _stable_argsort_by(*keys: np.ndarray) -> np.ndarray:
    """Stable argsort by the keys (first key first): polars' parallel sort if installed.

    A full sort of 64-bit keys is where a shuffled log spends its time; polars' sort is
    parallel and several times faster than numpy's stable sort (a merge sort). It is not
    stable, so runs of equal keys (events of a case at the same timestamp) are put back in
    row order afterwards, as a stable sort leaves them.
    """
    try:
        import polars as pl
    except ImportError:  # pragma: no cover - polars is optional
        return np.lexsort(keys[::-1]) if len(keys) > 1 else np.argsort(keys[0], kind="stable")
    frame = pl.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    order = np.asarray(frame.select(pl.arg_sort_by(frame.columns)).to_series().to_numpy(),
                       dtype=np.intp)
    tie = np.ones(order.size - 1 if order.size else 0, dtype=bool)
    for k in keys:
        ks = k[order]
        tie &= ks[1:] == ks[:-1]
    if tie.any():  # rows of equal keys back in row order (a stable sort's order)
        start = np.concatenate(([True], ~tie))
        end = np.concatenate((~tie, [True]))
        pos = np.flatnonzero(~(start & end))  # positions in runs of two or more
        run = np.cumsum(start[pos])
        sub = order[pos]
        order[pos] = sub[np.lexsort((sub, run))]
    return order


def flows(case_s: Any, activity_s: Any, ts_s: Any, *, is_time: bool) -> Flows:
    """Directly-follows counts and transition times of eager narwhals series."""
    import pyarrow as pa

    ts_arr = _arrow(ts_s)
    unit = "us"
    if is_time:
        unit = str(ts_arr.type.unit)
        ts = np.asarray(ts_arr.cast(pa.int64()).to_numpy(zero_copy_only=False))
    else:
        ts = np.asarray(ts_arr.to_numpy(zero_copy_only=False))
    # an integer clock gives exact totals (whatever the order of the cases) unless it is
    # so wide that a delta (at most the span) would round as a float or a total overflow
    exact = ts.dtype.kind in "iu"
    if exact and ts.size:
        span = int(ts.max()) - int(ts.min())
        factor = _UNIT_US[unit] if is_time else 1
        span *= factor or 1
        exact = span < 2**53 and span * ts.size < 2**62
    # the two codings run in native code that releases the GIL: side by side
    with ThreadPoolExecutor(max_workers=1) as pool:
        activity_job = pool.submit(_encode, _arrow(activity_s))
        case, n_case = _case_codes(case_s, ranked=not exact)
        act, activities = activity_job.result()
    k = len(activities)
    node_count = np.bincount(act, minlength=k)
    # narrow codes: the gathers after the sort move half the bytes
    if n_case < 2**31:
        case = case.astype(np.int32)
    if k * k < 2**31:
        act = act.astype(np.int32)

    o = _order(case, n_case, ts)
    if o is not None:
        case, act, ts = case[o], act[o], ts[o]
    same = case[1:] == case[:-1]
    pair = (act[:-1] * k + act[1:])[same]
    delta = (ts[1:] - ts[:-1])[same]
    if is_time:
        factor = _UNIT_US[unit]
        delta = delta // 1000 if factor is None else delta * factor  # microseconds
    dt = delta.astype(np.float64)  # on an exact clock every delta is below 2**53
    total: np.ndarray
    if exact and int(delta.sum()) >= 2**53:
        # a float sum could round: the total of each flow as two float sums of 26-bit
        # halves, each exact below 2**53
        lo = np.bincount(pair, weights=(delta & 0x3FFFFFF).astype(np.float64),
                         minlength=k * k).astype(np.int64)
        hi = np.bincount(pair, weights=(delta >> 26).astype(np.float64),
                         minlength=k * k).astype(np.int64)
        total = ((hi << 26) + lo).astype(np.float64)
    else:
        # on an exact clock every partial sum is an integer below 2**53: the total is
        # exact, whatever the order of the cases or the rows (a float clock sums floats)
        total = np.bincount(pair, weights=dt, minlength=k * k)
    if is_time:
        dt /= 1e6
        total /= 1e6

    count = np.bincount(pair, minlength=k * k)
    present = np.flatnonzero(count)
    # small codes sort by radix (numpy's stable sort of 16-bit integers)
    by_pair = np.argsort(pair.astype(np.int16) if k * k < 2**15 else pair, kind="stable")
    sorted_dt = dt[by_pair]
    ends = np.cumsum(count)
    starts = ends - count
    med = np.empty(present.size)
    p90 = np.empty(present.size)
    for j, p in enumerate(present):
        seg = sorted_dt[starts[p]:ends[p]]
        med[j], p90[j] = np.quantile(seg, [0.5, 0.9])
    edges = pd.DataFrame({
        "src": [activities[i] for i in (present // k).tolist()],
        "dst": [activities[i] for i in (present % k).tolist()],
        "count": count[present],
        "wait_mean": total[present] / count[present],
        "wait_median": med,
        "wait_p90": p90,
    })
    if ts.size:
        span = ts.max() - ts.min()
        if is_time:
            elapsed = int(span) / _PER_SECOND[unit]
        else:
            elapsed = float(span)
    else:
        elapsed = float("nan")
    return Flows(activities=activities, node_count=node_count, edges=edges,
                 elapsed=elapsed)
