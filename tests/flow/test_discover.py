"""Directly-follows discovery: hand-checked logs, back ends, pm4py as the oracle, bad input."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

import sixsigma as ss
from sixsigma.errors import ColumnError, MissingValueError, NonNumericError, ParameterError
from sixsigma.flow import discover


def small_log() -> pd.DataFrame:
    """Three cases; case 3 has a tie at 09:05 (b then c in row order) and a rework a->a."""
    rows = [
        ("1", "a", "2026-01-01 09:00"), ("1", "b", "2026-01-01 09:10"),
        ("1", "d", "2026-01-01 09:40"),
        ("2", "a", "2026-01-01 10:00"), ("2", "c", "2026-01-01 10:20"),
        ("2", "d", "2026-01-01 10:30"),
        ("3", "a", "2026-01-01 09:00"), ("3", "b", "2026-01-01 09:05"),
        ("3", "c", "2026-01-01 09:05"), ("3", "d", "2026-01-01 09:15"),
    ]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    return df.sample(frac=1.0, random_state=3).sort_values("timestamp", kind="stable")


def edges(pm):
    return {(u, v): c for u, v, c in pm.graph.edges(data="count")}


def test_counts_times_and_ends_by_hand():
    pm = discover(small_log(), "case_id", "activity", "timestamp", variants=True)
    # pairs: case 1 a>b, b>d; case 2 a>c, c>d; case 3 a>b, b>c (tie, row order), c>d
    assert edges(pm) == {("a", "b"): 2, ("b", "d"): 1, ("a", "c"): 1, ("c", "d"): 2,
                         ("b", "c"): 1}
    assert {n: c for n, c in pm.graph.nodes(data="count")} == {"a": 3, "b": 2, "c": 2, "d": 3}
    assert pm.start_activities == {"a": 3} and pm.end_activities == {"d": 3}
    e = pm.graph.edges["a", "b"]
    # a>b took 10 min (case 1) and 5 min (case 3): mean 450 s, median 450 s,
    # p90 (linear, type 7) = 300 + 0.9 x 300 = 570 s
    assert (e["wait_mean"], e["wait_median"], e["wait_p90"]) == (450.0, 450.0, 570.0)
    assert pm.graph.edges["b", "c"]["wait_mean"] == 0.0
    # routing: 2 of a's 3 events are followed by b
    assert e["probability"] == pytest.approx(2 / 3)
    assert pm.graph.nodes["d"]["exit_probability"] == 1.0
    assert pm.n_cases == 3
    v = pm.variants
    assert v["count"].tolist() == [1, 1, 1] and v["share"].sum() == pytest.approx(1.0)
    assert set(v["variant"]) == {"a > b > d", "a > c > d", "a > b > c > d"}
    json.dumps(pm.to_dict(), allow_nan=False)


@pytest.mark.parametrize("kind", ["pandas-native", "polars", "polars-lazy", "duckdb",
                                  "dict", "duckdb-engine"])
def test_back_ends_agree(kind):
    df = small_log()
    ref = discover(df, variants=True)
    if kind == "pandas-native":
        pm = discover(df, engine="native", variants=True)
    elif kind == "polars":
        pm = discover(pl.from_pandas(df), variants=True)
    elif kind == "polars-lazy":
        pm = discover(pl.from_pandas(df).lazy(), variants=True)
    elif kind == "duckdb":
        pm = discover(duckdb.from_df(df), variants=True)
    elif kind == "dict":
        pm = discover({c: df[c].to_numpy() for c in df.columns}, engine="native",
                      variants=True)
    else:
        pm = discover(pl.from_pandas(df), engine="duckdb", variants=True)
    assert edges(pm) == edges(ref)
    for u, v, d in ref.graph.edges(data=True):
        assert pm.graph.edges[u, v]["wait_p90"] == pytest.approx(d["wait_p90"])
    assert pm.start_activities == ref.start_activities
    assert pm.variants["count"].sum() == 3


def test_lazy_ties_broken_by_activity_and_noted():
    df = small_log()
    # swap row order of the tie: eager follows rows (c then b), lazy follows names (b, c)
    tie = df[(df["case_id"] == "3") & df["activity"].isin(["b", "c"])].index
    df2 = pd.concat([df.drop(tie), df.loc[tie[::-1]]]).sort_values("timestamp",
                                                                        kind="stable")
    eager = discover(df2)
    assert eager.notes == ()
    lazy = discover(pl.from_pandas(df2).lazy())
    assert ("b", "c") in edges(lazy) and any("activity name" in n for n in lazy.notes)


def test_numeric_timestamps():
    df = pd.DataFrame({"c": [1, 1, 2, 2], "a": ["x", "y", "x", "y"], "t": [0, 5, 1, 2]})
    pm = discover(df, "c", "a", "t")
    assert pm.graph.edges["x", "y"]["wait_mean"] == 3.0 and pm.time_unit != "s"


def test_filtered_views():
    df = small_log()
    pm = discover(df, variants=True)
    view = pm.filter_edges(2)
    assert set(view.graph.edges) == {("a", "b"), ("c", "d")}
    top = pm.top_variants(1)
    assert top.n_cases == 1 and "top 1 variants" in top.notes[-1]
    with pytest.raises(ParameterError, match="positive integer"):
        pm.top_variants(0)
    with pytest.raises(ParameterError, match="variants=True"):
        discover(df).top_variants(1)


# -- bad input --------------------------------------------------------------------------


def test_null_timestamp_names_column_and_row():
    df = small_log().reset_index(drop=True)
    df.loc[4, "timestamp"] = pd.NaT
    with pytest.raises(MissingValueError, match=r"discover: column 'timestamp'.*at row 4"):
        discover(df)
    with pytest.raises(MissingValueError, match=r"column 'timestamp' has 1 missing"):
        discover(duckdb.from_df(df))


def test_null_activity_and_case():
    df = small_log().reset_index(drop=True)
    df.loc[2, "activity"] = None
    with pytest.raises(MissingValueError, match=r"column 'activity'.*row 2"):
        discover(df)
    df = small_log().reset_index(drop=True)
    df.loc[0, "case_id"] = None
    with pytest.raises(MissingValueError, match=r"column 'case_id'.*row 0"):
        discover(df)


def test_empty_log():
    from sixsigma.errors import InsufficientDataError

    with pytest.raises(InsufficientDataError, match="discover: the data have no rows"):
        discover(small_log().iloc[:0])


def test_text_timestamps_and_missing_columns():
    df = small_log()
    df["timestamp"] = df["timestamp"].astype(str)
    with pytest.raises(NonNumericError, match="'timestamp' must hold datetimes"):
        discover(df)
    with pytest.raises(ColumnError, match="column 'ts' is not in the data"):
        discover(small_log(), timestamp="ts")
    with pytest.raises(ParameterError, match="engine must be"):
        discover(small_log(), engine="spark")  # type: ignore[arg-type]


# -- pm4py as the oracle ----------------------------------------------------------------


def _pm4py_dfg(df, case="case_id", activity="activity", timestamp="timestamp"):
    pm4py = pytest.importorskip("pm4py")
    # pm4py's start/end activities take the first/last row of each case as the frame
    # stands (its format_dataframe sorts first); sort stably as it would, ties keeping
    # row order. Its directly-follows counts sort internally either way.
    df = df.sort_values([case, timestamp], kind="stable")
    return pm4py.discover_dfg(df, case_id_key=case, activity_key=activity,
                              timestamp_key=timestamp)


def test_equals_pm4py_on_a_random_log_with_ties():
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({
        "case_id": rng.integers(0, 400, n).astype(str),
        "activity": rng.choice(list("abcdef"), n),
        # whole minutes over two hours: many ties within a case
        "timestamp": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 120, n),
                                                                     unit="min"),
    })
    dfg, start, end = _pm4py_dfg(df.copy())
    pm = discover(df)
    assert edges(pm) == {k: int(v) for k, v in dfg.items()}
    assert pm.start_activities == {k: int(v) for k, v in start.items()}
    assert pm.end_activities == {k: int(v) for k, v in end.items()}


@pytest.mark.skipif("escalation_handoff" not in ss.datasets.list(),
                    reason="bundled scenario not available")
def test_equals_pm4py_on_the_bundled_log():
    events = ss.datasets.load("escalation_handoff").events
    dfg, start, end = _pm4py_dfg(events.copy())
    pm = discover(events, "case_id", "activity", "timestamp")
    assert edges(pm) == {k: int(v) for k, v in dfg.items()}
    assert pm.start_activities == {k: int(v) for k, v in start.items()}
    assert pm.end_activities == {k: int(v) for k, v in end.items()}
    # node counts are the events of each activity
    assert {n: c for n, c in pm.graph.nodes(data="count")} == \
        events["activity"].value_counts().to_dict()
    # and the DuckDB relation gives the same graph
    assert edges(discover(duckdb.from_df(events))) == edges(pm)


def test_sixsigma_never_imports_pm4py():
    """pm4py is AGPL: a test oracle only, never imported by the package."""
    import ast
    from pathlib import Path

    root = Path(ss.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "pm4py" for n in names), path


def test_mixed_type_case_ids():
    """1 and "2" cannot go to Arrow: auto runs natively, the rest say which column."""
    from sixsigma.errors import InputError

    log = pd.DataFrame({"case_id": [1, 1, "2", "2"], "activity": ["a", "b", "a", "b"],
                        "timestamp": pd.to_datetime([1, 2, 3, 4], unit="h")})
    pm = discover(log)
    assert edges(pm) == {("a", "b"): 2} and pm.n_cases == 2
    for options in ({"engine": "duckdb"}, {"variants": True},
                    {"engine": "native", "variants": True}):
        with pytest.raises(InputError, match="column 'case_id' mixes value types"):
            discover(log, **options)


# -- the numpy path: any row order, any id type, same map as the query engines ------------


def _random_log(ids: str, n: int = 6000, seed: int = 11) -> pd.DataFrame:
    """Distinct timestamps within each case (no ties), so any row order gives one map."""
    rng = np.random.default_rng(seed)
    case = rng.integers(0, 700, n)
    ts = rng.permutation(n).astype("int64") * 1_000_003  # all distinct, microseconds
    df = pd.DataFrame({
        "case_id": case if ids == "int" else np.char.add("c-", case.astype(str)),
        "activity": rng.choice(["intake", "review", "qa", "appeal", "close"], n),
        "timestamp": np.datetime64("2026-01-01", "us") + ts.astype("timedelta64[us]"),
    })
    if ids == "str":
        df["case_id"] = df["case_id"].astype("str")
    return df.sort_values("timestamp", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("ids", ["str", "int"])
@pytest.mark.parametrize("frame", ["pandas", "polars"])
def test_shuffled_log_gives_exactly_the_ordered_map(ids, frame):
    ordered = _random_log(ids)
    grouped = ordered.sort_values(["case_id", "timestamp"], kind="stable")
    shuffled = ordered.sample(frac=1.0, random_state=5)
    wrap = pl.from_pandas if frame == "polars" else (lambda d: d)
    ref = discover(wrap(ordered))
    for other in (shuffled, grouped, shuffled.reset_index(drop=True)):
        assert discover(wrap(other)).to_dict() == ref.to_dict()
    # the same counts as the DuckDB query, transition times to rounding
    db = discover(ordered, engine="duckdb")
    assert edges(ref) == edges(db)
    assert dict(ref.graph.nodes(data=True)) == dict(db.graph.nodes(data=True))
    assert (ref.start_activities, ref.end_activities, ref.n_cases) == \
        (db.start_activities, db.end_activities, db.n_cases)
    assert ref.arrival_rate == pytest.approx(db.arrival_rate, rel=1e-12)
    for u, v, d in db.graph.edges(data=True):
        for key in ("wait_mean", "wait_median", "wait_p90"):
            assert ref.graph.edges[u, v][key] == pytest.approx(d[key], rel=1e-12)


def test_numpy_path_equals_pm4py_on_a_shuffled_log_with_int_ids():
    df = _random_log("int").sample(frac=1.0, random_state=9)
    dfg, start, end = _pm4py_dfg(df.assign(case_id=df["case_id"].astype(str)))
    pm = discover(df)
    assert edges(pm) == {k: int(v) for k, v in dfg.items()}
    assert pm.start_activities == {k: int(v) for k, v in start.items()}
    assert pm.end_activities == {k: int(v) for k, v in end.items()}


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_numpy_path_time_units_and_numbers(unit):
    df = small_log()
    df["timestamp"] = df["timestamp"].astype(f"datetime64[{unit}]")
    pm = discover(df)
    assert pm.graph.edges["a", "b"]["wait_mean"] == pytest.approx(450.0)
    assert pm.graph.edges["a", "b"]["wait_mean"] == \
        discover(df, engine="duckdb").graph.edges["a", "b"]["wait_mean"]
    num = df.assign(timestamp=(df["timestamp"] - pd.Timestamp("2026-01-01"))
                    .dt.total_seconds().astype("int64"))
    assert edges(discover(num)) == edges(pm)
    assert discover(num).graph.edges["a", "b"]["wait_mean"] == pytest.approx(450.0)


@pytest.mark.parametrize("ids", ["str", "int"])
@pytest.mark.parametrize("clock", ["datetime", "wide int"])
def test_ties_in_a_shuffled_log_keep_row_order_as_pm4py(ids, clock):
    """Events of a case at the same time follow the row order (a stable sort), whatever
    sort runs underneath: the packed (case, time) key or, when the clock is too wide to
    pack, the two-key sort (pm4py, which needs datetimes, sees the same order in minutes)."""
    rng = np.random.default_rng(21)
    n = 4000
    case = rng.integers(0, 300, n)
    minutes = rng.integers(0, 60, n)  # many ties within a case
    df = pd.DataFrame({
        "case_id": case if ids == "int" else np.char.add("k", case.astype(str)),
        "activity": rng.choice(list("abcdefg"), n),
        "timestamp": pd.Timestamp("2026-01-01") + pd.to_timedelta(minutes, unit="min"),
    })
    dfg, start, end = _pm4py_dfg(df.assign(case_id=df["case_id"].astype(str)))
    if clock == "wide int":  # integers spanning most of int64: case * span overflows
        df["timestamp"] = minutes.astype(np.int64) * (2**56)
    pm = discover(df)
    assert edges(pm) == {k: int(v) for k, v in dfg.items()}
    assert pm.start_activities == {k: int(v) for k, v in start.items()}
    assert pm.end_activities == {k: int(v) for k, v in end.items()}


@pytest.mark.parametrize("clock", ["float hours", "wide int"])
def test_shuffled_log_same_map_on_other_clocks(clock):
    """Bit for bit the same map from any row order on a float clock (case codes ranked) and
    on an integer clock too wide for exact totals (likewise)."""
    ordered = _random_log("str")
    micros = ordered["timestamp"].astype("int64")
    ordered["timestamp"] = (micros / 3.6e9 if clock == "float hours"
                            else (micros - micros.min()) * (2**28))
    shuffled = ordered.sample(frac=1.0, random_state=8)
    ref = discover(ordered)
    assert discover(shuffled).to_dict() == ref.to_dict()
    assert discover(pl.from_pandas(shuffled)).to_dict() == ref.to_dict()
