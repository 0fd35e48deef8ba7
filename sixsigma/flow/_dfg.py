"""Directly-follows counts of an in-memory event log with numpy (no query engine).

The columns go over as Arrow (zero-copy for Arrow-backed pandas and polars), case and
activity become integer codes in the order of their values, not of the rows (Arrow's
dictionary encoding; dense integer case ids are used as they are; string case ids by a
64-bit hash checked for collisions, when polars is installed), and one stable sort by
(case, timestamp, row) puts every case's events together in time order: the directly-
follows pairs are then neighbouring rows of the same case, counted with ``np.bincount`` on
pair codes. Transition-time means come from weighted bincounts, medians and 90th
percentiles from one partition per flow.

The sort is skipped or cheapened where the rows allow: rows already grouped by case in
time order need none; rows in time order need only a stable sort by case (a 16-bit radix
sort in two passes); otherwise case code and timestamp are packed into one uint64 key when
they fit, else ``np.lexsort``. As the codes do not depend on the row order, neither does
any sum: a shuffled log gives bit for bit the same map as the ordered one. Ties in
timestamp keep the original row order (a stable sort), as pm4py does.
"""

from __future__ import annotations

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


def _case_codes(arr: Any) -> tuple[np.ndarray, int]:
    """Non-negative int64 codes of the case ids and their upper bound (exclusive)."""
    import pyarrow as pa

    if pa.types.is_integer(arr.type):
        v = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.int64)
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 4 * v.size + 1024:  # dense enough to use as they are
            return v - lo, hi - lo + 1
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        hashed = _hash_codes(arr)
        if hashed is not None:
            return hashed
    codes, uniques = _encode(arr, names=False)
    return codes, len(uniques)


def _hash_codes(arr: Any) -> tuple[np.ndarray, int] | None:
    """Case codes from a 64-bit hash of each string (polars' vectorised hash), if exact.

    Several times faster than a dictionary of the strings. The codes follow the order of
    the hashes (fixed seeds: independent of the row order). Exactness is checked: every
    string must equal the first string of its code; on a collision (or without polars)
    the caller encodes the strings themselves.
    """
    try:
        import polars as pl
    except ImportError:  # pragma: no cover - polars is optional
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    h = pl.from_arrow(arr).hash().to_numpy()  # type: ignore[union-attr]
    codes, uniques = pd.factorize(h)
    rank = np.empty(uniques.size, dtype=np.int64)
    rank[np.argsort(uniques)] = np.arange(uniques.size)
    codes = rank[codes]
    first = np.empty(uniques.size, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    same = pc.equal(arr, arr.take(pa.array(first[codes])))
    if not pc.all(same).as_py():  # pragma: no cover - a 64-bit hash collision
        return None
    return codes, int(uniques.size)


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
            return np.argsort(key, kind="stable")
    return np.lexsort((ts, case)) if n else np.arange(0)


def flows(case_s: Any, activity_s: Any, ts_s: Any, *, is_time: bool) -> Flows:
    """Directly-follows counts and transition times of eager narwhals series."""
    import pyarrow as pa

    case, n_case = _case_codes(_arrow(case_s))
    act, activities = _encode(_arrow(activity_s))
    ts_arr = _arrow(ts_s)
    unit = "us"
    if is_time:
        unit = str(ts_arr.type.unit)
        ts = np.asarray(ts_arr.cast(pa.int64()).to_numpy(zero_copy_only=False))
    else:
        ts = np.asarray(ts_arr.to_numpy(zero_copy_only=False))
    k = len(activities)
    node_count = np.bincount(act, minlength=k)

    o = _order(case, n_case, ts)
    if o is not None:
        case, act, ts = case[o], act[o], ts[o]
    same = case[1:] == case[:-1]
    pair = (act[:-1] * k + act[1:])[same]
    delta = (ts[1:] - ts[:-1])[same]
    if is_time:
        factor = _UNIT_US[unit]
        us = delta // 1000 if factor is None else delta * factor
        dt = us.astype(np.float64) / 1e6
    else:
        dt = delta.astype(np.float64)

    count = np.bincount(pair, minlength=k * k)
    total = np.bincount(pair, weights=dt, minlength=k * k)
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
