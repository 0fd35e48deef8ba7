"""Directly-follows discovery from an event log, aggregated where the data live.

The query is written once with narwhals: the next activity and the next timestamp of each
event within its case (``shift(-1).over(case, order_by=...)``, i.e. SQL's
``LEAD() OVER (PARTITION BY case ORDER BY timestamp)``), then a group-by over the pairs for
the frequency and the transition-time statistics. It runs on the back end of the input:
DuckDB relations and polars lazy frames execute it lazily and only the small aggregate is
collected. In-memory frames (pandas, polars, pyarrow, dicts) skip the query engine by
default (``engine="auto"``): :mod:`sixsigma.flow._dfg` encodes case and activity as
integer codes, sorts once by (case, timestamp, row) and counts the neighbouring pairs with
numpy, several times faster than a DuckDB window over the same memory, in any row order.
``engine="duckdb"`` runs the narwhals query in DuckDB (a zero-copy Arrow scan) and
``engine="native"`` on the frame's own library.

Ties: events of a case are ordered by timestamp, then by their original row order (eager
inputs; pm4py's stable sort does the same, so the counts equal ``pm4py.discover_dfg``).
A lazy table has no row order, so there ties are broken by activity name (documented on the
map's ``notes``).
"""

from __future__ import annotations

from typing import Any, Literal

import narwhals.stable.v2 as nw
import networkx as nx
import numpy as np
import pandas as pd

from sixsigma._frames import as_table, first_row
from sixsigma.errors import (
    InputError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)
from sixsigma.flow import _dfg
from sixsigma.flow.processmap import VARIANT_SEP, ProcessMap

__all__ = ["discover"]

_C, _A, _T, _R = "__case", "__activity", "__ts", "__row"
_NA, _NT, _DT = "__next_activity", "__next_ts", "__dt"


def _has_duckdb() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:  # pragma: no cover - duckdb is in the dev extra
        return False
    return True


def discover(
    log: Any,
    case: str = "case_id",
    activity: str = "activity",
    timestamp: str = "timestamp",
    *,
    variants: bool = False,
    engine: Literal["auto", "native", "duckdb"] = "auto",
) -> ProcessMap:
    """Discover the directly-follows graph of an event log.

    Parameters
    ----------
    log : dataframe
        Any table narwhals reads: pandas, polars (eager or lazy), pyarrow, a DuckDB
        relation, PySpark; or a dict of columns. One row per event.
    case, activity, timestamp : str
        Column names. ``timestamp`` holds datetimes (transition times in seconds) or
        numbers (transition times in the same unit).
    variants : bool
        Also compute the variants (path frequencies, needed by
        :meth:`ProcessMap.top_variants`), aggregated in the back end too. Off by default:
        it is a second pass over the log (an order-sensitive hash per case, then a count
        per hash) that costs about as much again as the graph itself.
    engine : {"auto", "native", "duckdb"}
        Where an in-memory frame is aggregated (see the module docstring). Lazy inputs
        always run in their own back end.

    Returns
    -------
    ProcessMap
        ``graph`` nodes carry ``count`` (events), ``start_count``, ``end_count`` and
        ``exit_probability``; edges ``count`` (directly-follows frequency), ``probability``
        (count / events of the source step) and ``wait_mean``, ``wait_median``,
        ``wait_p90`` (transition time, linear-interpolation quantiles, Hyndman and Fan
        type 7 as numpy and R's default). ``start_activities`` / ``end_activities``:
        activity -> number of cases.

    Raises
    ------
    ColumnError
        A named column is missing.
    MissingValueError
        A null case, activity or timestamp; the message names the column and the first
        row (0-based) for eager inputs, the number of such rows for lazy ones.
    InsufficientDataError
        The log has no events.
    NonNumericError
        ``timestamp`` is neither a datetime nor a number (e.g. unparsed text).

    Notes
    -----
    Directly-follows relation and its frequency as in van der Aalst, *Process Mining:
    Data Science in Action* (2nd ed., 2016), §6.2; the same counts as pm4py's
    ``discover_dfg``. Start and end counts follow from the counts: a step's events are its
    cases' starts plus its incoming flows, and its cases' ends plus its outgoing flows.

    Examples
    --------
    >>> import pandas as pd
    >>> import sixsigma as ss
    >>> log = pd.DataFrame({
    ...     "case_id": ["1", "1", "1", "2", "2"],
    ...     "activity": ["review", "qa", "close", "review", "close"],
    ...     "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-01 09:10",
    ...                                  "2026-01-01 09:30", "2026-01-01 10:00",
    ...                                  "2026-01-01 10:05"])})
    >>> pm = ss.flow.discover(log, "case_id", "activity", "timestamp")
    >>> sorted((u, v, c) for u, v, c in pm.graph.edges(data="count"))
    [('qa', 'close', 1), ('review', 'close', 1), ('review', 'qa', 1)]
    >>> pm.graph.nodes["review"]["count"], pm.start_activities
    (2, {'review': 2})
    >>> float(pm.graph.edges["review", "qa"]["wait_mean"])  # 10 minutes
    600.0
    """
    caller = "discover"
    if engine not in ("auto", "native", "duckdb"):
        raise ParameterError(f"{caller}: engine must be 'auto', 'native' or 'duckdb'; got "
                             f"{engine!r}.")
    for name, value in (("case", case), ("activity", activity), ("timestamp", timestamp)):
        if not isinstance(value, str):
            raise ParameterError(f"{caller}: {name} must be a column name (str); got "
                                 f"{value!r}.")
    table = as_table(log, caller=caller)
    table.require(case, activity, timestamp)
    frame = table.frame.select(
        nw.col(case).alias(_C), nw.col(activity).alias(_A), nw.col(timestamp).alias(_T)
    )
    lazy_input = table.lazy
    ts_dtype = frame.collect_schema()[_T]
    is_time = ts_dtype == nw.Datetime or ts_dtype == nw.Date
    if not (is_time or ts_dtype.is_numeric()):
        raise NonNumericError(
            f"{caller}: column {timestamp!r} must hold datetimes or numbers; it has type "
            f"{ts_dtype}. Parse it first (e.g. pandas.to_datetime)."
        )
    _check_nulls(table, frame, {case: _C, activity: _A, timestamp: _T}, caller)
    if ts_dtype == nw.Date:
        frame = frame.with_columns(nw.col(_T).cast(nw.Datetime("us")))

    notes: list[str] = []
    fast = None
    if lazy_input:
        order = [_T, _A]
        notes.append("ties in timestamp within a case ordered by activity name (lazy input "
                     "has no row order)")
    else:
        order = [_T, _R]
        if engine == "auto":
            fast = _fast_flows(frame, is_time)
        if fast is None or variants:
            use_duckdb = engine == "duckdb" or (engine == "auto" and _has_duckdb())
            frame = _in_memory(frame.with_row_index(_R), use_duckdb,
                               names={_C: case, _A: activity},
                               strict=engine == "duckdb" or variants, caller=caller)

    if fast is not None:
        if not fast.activities:
            raise InsufficientDataError(f"{caller}: the event log has no events.")
        node_count = dict(zip(fast.activities, fast.node_count.tolist(), strict=True))
        erows = [{_A: r[0], _NA: r[1], "count": r[2], "wait_mean": r[3],
                  "wait_median": r[4], "wait_p90": r[5]}
                 for r in fast.edges.itertuples(index=False)]
        elapsed = fast.elapsed
    else:
        node_count, erows, elapsed = _query_flows(frame, order, is_time, caller)

    g = nx.DiGraph()
    out_n: dict[str, int] = dict.fromkeys(node_count, 0)
    in_n: dict[str, int] = dict.fromkeys(node_count, 0)
    for r in erows:
        out_n[r[_A]] += int(r["count"])
        in_n[r[_NA]] += int(r["count"])
    start = {a: int(c) - in_n[a] for a, c in node_count.items() if int(c) - in_n[a] > 0}
    end = {a: int(c) - out_n[a] for a, c in node_count.items() if int(c) - out_n[a] > 0}
    for a, c in node_count.items():
        g.add_node(a, count=int(c), start_count=start.get(a, 0), end_count=end.get(a, 0),
                   exit_probability=end.get(a, 0) / int(c))
    for r in erows:
        c = int(r["count"])
        g.add_edge(r[_A], r[_NA], count=c, probability=c / int(node_count[r[_A]]),
                   wait_mean=float(r["wait_mean"]), wait_median=float(r["wait_median"]),
                   wait_p90=float(r["wait_p90"]))

    n_cases = sum(start.values())  # every case starts exactly once
    rate = n_cases / elapsed if elapsed > 0 else float("nan")
    if not elapsed > 0:
        notes.append("arrival_rate unknown: the log spans no time")
    var = _variants(frame, order, list(node_count), n_cases) if variants else None
    return ProcessMap(graph=g, start_activities=start, end_activities=end, variants=var,
                      n_cases=n_cases, arrival_rate=rate,
                      time_unit="s" if is_time else "timestamp units", source="discovered",
                      notes=tuple(notes))


def _fast_flows(frame: Any, is_time: bool) -> _dfg.Flows | None:
    """The numpy computation on an eager frame; None if a column cannot go to Arrow."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow comes with polars/duckdb/pandas 3
        return None

    try:
        return _dfg.flows(frame[_C], frame[_A], frame[_T], is_time=is_time)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None  # e.g. a column mixing value types: the query path says what to do


def _query_flows(frame: Any, order: list[str], is_time: bool,
                 caller: str) -> tuple[dict[Any, int], list[dict[str, Any]], float]:
    """The narwhals query: LEAD over the case, then aggregate (activity, next activity).

    The group of a case's last event (next activity null) gives the end counts; all the
    groups of an activity together give its event count and first and last timestamps.
    """
    win = frame.with_columns(
        nw.col(_A).shift(-1).over(_C, order_by=order).alias(_NA),
        nw.col(_T).shift(-1).over(_C, order_by=order).alias(_NT),
    )
    delta = nw.col(_NT) - nw.col(_T)
    dt = delta.dt.total_microseconds() / 1e6 if is_time else delta
    cells_q = win.with_columns(dt.cast(nw.Float64).alias(_DT)).group_by(
        _A, _NA, drop_null_keys=False).agg(
        nw.len().alias("count"),
        nw.col(_DT).mean().alias("wait_mean"),
        nw.col(_DT).median().alias("wait_median"),
        nw.col(_DT).quantile(0.9, interpolation="linear").alias("wait_p90"),
        nw.col(_T).min().alias("first"),
        nw.col(_T).max().alias("last"),
    )
    cells = _collect(cells_q).to_pandas()
    if cells.empty:
        raise InsufficientDataError(f"{caller}: the event log has no events.")
    is_end = cells[_NA].isna().to_numpy()
    edges = cells[~is_end].sort_values([_A, _NA], kind="stable")
    nodes = (cells.groupby(_A, sort=True)
             .agg(count=("count", "sum"), first=("first", "min"), last=("last", "max"))
             .reset_index())
    node_count = dict(zip(nodes[_A].to_list(), nodes["count"].to_list(), strict=True))
    first, last = min(nodes["first"].to_list()), max(nodes["last"].to_list())
    elapsed = _seconds(last - first) if is_time else float(last - first)
    return node_count, edges.to_dict("records"), elapsed


def _to_duckdb(frame: Any) -> Any:
    """An eager narwhals frame as a lazy DuckDB one, on a private connection.

    The columns go over as Arrow (zero-copy where the frame's buffers allow); a private
    connection keeps our settings (no progress bar) off the user's default connection.
    """
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return nw.from_native(con.from_arrow(frame.to_arrow()))


def _in_memory(frame: Any, use_duckdb: bool, *, names: dict[str, str], strict: bool,
               caller: str) -> Any:
    """The lazy frame the query runs on: DuckDB's, or the frame's own library's.

    A case or activity column mixing value types (1 and "2") cannot go to Arrow:
    ``engine="auto"`` then runs natively, while ``engine="duckdb"`` and the variants (which
    order case ids) need one type and say so (``strict``).
    """
    import pyarrow as pa

    arrow_errors = (pa.ArrowInvalid, pa.ArrowTypeError)
    mixed = None
    if use_duckdb:
        try:
            return _to_duckdb(frame)
        except arrow_errors:
            mixed = _mixed_column(frame, names, arrow_errors)
            if mixed is None:
                raise
    elif strict:
        mixed = _mixed_column(frame, names, arrow_errors)
    if mixed is not None and strict:
        raise InputError(
            f"{caller}: column {mixed!r} mixes value types (e.g. 1 and '2'); cast it to one "
            "type first (e.g. .astype(str))."
        )
    return frame.lazy()


def _mixed_column(frame: Any, names: dict[str, str],
                  errors: tuple[type[BaseException], ...]) -> str | None:
    """The user's name of the first column Arrow cannot hold (values of mixed types)."""
    for internal, user in names.items():
        try:
            frame.select(internal).to_arrow()
        except errors:
            return user
    return None


def _collect(q: Any) -> Any:
    return q.collect() if isinstance(q, nw.LazyFrame) else q


def _seconds(delta: Any) -> float:
    return float(pd.Timedelta(delta).total_seconds())


def _check_nulls(table: Any, frame: Any, names: dict[str, str], caller: str) -> None:
    counts = _collect(frame.select(*(nw.col(c).null_count() for c in names.values())))
    row = counts.rows()[0]
    for (user, _), k in zip(names.items(), row, strict=True):
        if not k:
            continue
        if table.lazy:
            raise MissingValueError(
                f"{caller}: column {user!r} has {int(k)} missing value(s) (null); drop or "
                "fill those events first."
            )
        i = first_row(table.frame[user].is_null().to_numpy())
        raise MissingValueError(
            f"{caller}: column {user!r} has a missing value (null/NaT) at row {i}; every "
            "event needs a case, an activity and a timestamp."
        )


# multiplier, prime: w(pos) = ((pos * multiplier) mod 2^31)^2 mod prime, a pseudo-random
# weight per position computed with exact int64 arithmetic in any back end
_HASHES = ((2654435761, 2147483647), (2246822519, 2147483629))


def _variants(frame: Any, order: list[str], activities: list[str],
              n_cases: int) -> pd.DataFrame:
    """Path frequencies, aggregated in the back end.

    Each case's path is keyed by its length and two order-sensitive integer hashes,
    sum_k code_k w(pos_k), with activity codes 1..A and pseudo-random position weights w
    (exact int64 arithmetic, so every back end gives the same keys and no case's events
    leave it). The back end returns one row per key with its case count and one
    representative case, whose events then spell the path.
    """
    codes = {a: i + 1 for i, a in enumerate(activities)}
    pos = nw.col(_A).cum_count().over(_C, order_by=order).cast(nw.Int64)
    code = nw.col(_A).replace_strict(codes, default=0, return_dtype=nw.Int64)
    q = frame.with_columns(code.alias("__code"), pos.alias("__pos"))
    terms = []
    for k, (mult, prime) in enumerate(_HASHES):
        w = (nw.col("__pos") * mult) % 2147483648
        terms.append(((w * w) % prime * nw.col("__code")).alias(f"__t{k}"))
    per_case = q.with_columns(*terms).group_by(_C).agg(
        nw.col("__t0").sum().alias("__h0"), nw.col("__t1").sum().alias("__h1"),
        nw.len().alias("length"))
    keys = per_case.group_by("__h0", "__h1", "length").agg(
        nw.len().alias("count"), nw.col(_C).min().alias("__rep"))
    table = _collect(keys).to_pandas()
    if table.empty:
        return pd.DataFrame({"variant": [], "length": [], "count": [], "share": []})
    reps = keys.select(nw.col("__rep").alias(_C))
    ev = _collect(frame.join(reps, on=_C, how="semi").sort(_C, *order).select(_C, _A))
    evp = ev.to_pandas()
    paths = evp[_A].astype(str).groupby(evp[_C], sort=False).agg(VARIANT_SEP.join)
    out = pd.DataFrame({"variant": table["__rep"].map(paths).to_numpy(),
                        "length": table["length"].to_numpy(dtype=np.int64),
                        "count": table["count"].to_numpy(dtype=np.int64)})
    out["share"] = out["count"] / max(n_cases, 1)
    out = out.sort_values(["count", "variant"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)
