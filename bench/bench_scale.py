"""Scale benchmark: charts and metrics from raw audit records in a Parquet file.

Audit records (one row per audited decision) are generated with
``ss.datasets.generate_moderation("policy_update", days=90, audit_rate=1.0, events=False,
calibration=False)`` sized to about N rows (``daily_volume = ceil(N / 90)``; the weekly
volume pattern makes the count a little below N, the table shows the exact count), an
``is_error`` column (int8: ``error_type != ""``) is added, and the frame is written to one
Parquet file in a temporary directory (all 18 audit columns + ``is_error``, snappy). The
generator is realistic (overdispersed days, the policy_update cause) and takes about 1.2 s
per million rows, which is small next to the rest, so no simpler generator is needed.

Every (scenario, N) pair runs in a fresh Python process (``--worker``): libraries are
imported first (their time and RSS are reported apart), then one cold call (the first in
the process), then ``REPS`` warm calls (median reported). Memory is the peak RSS of the
worker process (``VmHWM``: interpreter and libraries included, the memory a user needs);
"delta" subtracts the RSS after the imports. For Spark, the JVM's own peak RSS is
reported next to it. The file is in the OS page cache for every scenario (it was just
written): the timings are of decoding and computing, not of the disk.

Scenarios (the Laney p' chart is ``ss.spc.laney_p(data, defectives="is_error",
label="day", rules="nelson")``, all eight Nelson rules):

* ``laney[pandas]``: ``pd.read_parquet(path, columns=["day", "is_error"])`` then the chart
  on the pandas frame; read and chart timed apart and together. Reading only the two
  columns is the best case for pandas (``anchor: pandas read_parquet (all)`` is the naive
  one);
* ``laney[duckdb]``: ``ss.read(path)`` then the chart: file to result, in DuckDB;
* ``laney[hand pandas]``: a straightforward pandas/numpy implementation written here
  (:func:`hand_laney`): read the two columns, group by day, Laney's formulas, Nelson rule
  1 and rule 2 (9 on one side, rolling window), nothing else;
* ``laney[spark]``: local[2] Spark, ``spark.read.parquet(path)`` then the chart, for
  correctness (session start timed apart); skipped with a note without pyspark or Java;
* ``metrics[pandas]`` / ``metrics[duckdb]``: ``ss.moderation.metrics(data, by="queue",
  grain="week", sla_seconds=14400)`` on the 7 columns it needs read into pandas / on
  ``ss.read(path)`` (file to result). For pandas the frame is read once before the calls
  (read time and the RSS it adds reported apart): cold is the first call on the frame in
  the process, and the memory is the peak **beyond the input frame**: the peak RSS of the
  call minus the RSS before it, the frame loaded (the kernel's peak mark reset before
  every call, ``/proc/self/clear_refs``). Both also run on the ``export`` layout: the
  same 7 columns as a team's export has them (rows in a seeded random order,
  ``decided_at`` as ISO text, ``appealed`` / ``appeal_overturned`` as ``"Y"``/``"N"``
  text with missing values): the text checks and conversions that made pandas slow;
* anchors of the machine: ``anchor: duckdb SQL by day`` (``SELECT day, sum(is_error),
  count(*) ... GROUP BY day`` on one connection, as ``ss.read`` keeps one), ``anchor:
  pandas read_parquet (all)`` (the whole file into pandas).

Targets of issue 19 (at the largest N run, each layout): ``metrics`` on the pandas frame
within 3x of DuckDB over Parquet, warm (median) and cold, also counting the read of the
frame (file to result), and its peak memory beyond the input frame below 1.5 GB, cold and
warm. Checks (in the table of targets, FAIL when they do not hold): the charts of pandas,
DuckDB and Spark are the same (labels, statistic, LCL, UCL to rtol 1e-12, and the Nelson
signals); the hand implementation agrees with them (statistic, limits, rules 1 and 2); the
two metrics tables are identical.

Only some scenarios or sizes (own measurements): ``python bench/bench_scale.py --only
metrics --sizes 1e7`` (``--only`` takes scenario prefixes; ``run(quick, only=, sizes=)``;
or ``BENCH_SCALE_ONLY=metrics`` / ``BENCH_SCALE_SIZES=1e7`` under ``bench/run.py``).

``python bench/bench_scale.py --profile SCENARIO N [LAYOUT]`` writes the data, then prints a
cProfile (by tottime) of one warm call and the time spent inside DuckDB's ``execute`` /
``fetch`` calls against the rest (Python).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path[:2]:   # this checkout's sixsigma, not an editable install's
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from _common import reset_peak, status_kb  # noqa: E402

TITLE = "Scale: Laney p' chart and moderation metrics from a Parquet file of raw audits"
SEED = 20260105
DAYS = 90
SIZES = (1_000_000, 10_000_000)
QUICK_SIZES = (1_000_000,)
REPS = 3
SPARK_REPS = 2
LANEY_D2 = 1.128  # Laney (2002), as sixsigma.spc.laney_p
NELSON_2_RUN = 9

# targets of the issue (10M-row file, DuckDB end to end)
MAX_CHART_S = 1.0
MAX_CHART_RSS_MB = 512.0
# issue 19: metrics on a pandas frame
MAX_METRICS_RATIO = 3.0        # pandas time / DuckDB time
MAX_METRICS_BEYOND_MB = 1536.0  # peak RSS of the call beyond the input frame (1.5 GB)

LANEY = ("laney[pandas]", "laney[duckdb]", "laney[hand pandas]", "laney[spark]")
METRICS = ("metrics[pandas]", "metrics[duckdb]")
ANCHORS = ("anchor: duckdb SQL by day", "anchor: pandas read_parquet (all)")
SCENARIOS = (*LANEY, *METRICS, *ANCHORS)
# the scenarios run on each file layout (Spark and metrics on the time-ordered file only)
LAYOUTS = {"sorted": SCENARIOS,
           "shuffled": ("laney[pandas]", "laney[duckdb]", "laney[hand pandas]",
                        "anchor: duckdb SQL by day"),
           "export": METRICS}
METRIC_COLUMNS = ["decided_at", "queue", "decision", "qa_decision", "appealed",
                  "appeal_overturned", "turnaround_seconds"]


# ---------------------------------------------------------------------------------------
# data


def export_frame(audits: Any, seed: Any) -> Any:
    """The metrics columns as a team's export has them (see the module docstring)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    frame = audits[METRIC_COLUMNS].take(rng.permutation(len(audits))).reset_index(drop=True)
    stamps = pa.array(frame["decided_at"].to_numpy(dtype="datetime64[s]"))
    frame["decided_at"] = pd.Series(pc.strftime(stamps, "%Y-%m-%d %H:%M:%S").to_numpy(
        zero_copy_only=False), dtype="str")
    for name in ("appealed", "appeal_overturned"):
        flags = frame[name].astype("boolean")
        text = np.where(flags.fillna(False).to_numpy(dtype=bool), "Y", "N").astype(object)
        text[flags.isna().to_numpy()] = None
        if name == "appealed":   # a few flags left empty
            text[rng.random(len(frame)) < 0.01] = None
        frame[name] = pd.Series(text, dtype="str")
    return frame


def write_data(n: int, path: Path, shuffled: Path | None = None,
               export: Path | None = None) -> dict[str, Any]:
    """Generate about ``n`` audit records and write them to ``path`` (Parquet).

    With ``shuffled``, also write the same rows in a seeded random order there; with
    ``export``, the metrics columns as an export has them (:func:`export_frame`).
    """
    import sixsigma as ss

    t0 = time.perf_counter()
    ds = ss.datasets.generate_moderation("policy_update", seed=SEED, days=DAYS,
                                         daily_volume=math.ceil(n / DAYS), audit_rate=1.0,
                                         events=False, calibration=False)
    audits = ds.audits
    audits["is_error"] = (audits["error_type"] != "").astype(np.int8)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    audits.to_parquet(path, index=False)
    info = {"rows": len(audits), "gen_s": gen_s, "write_s": time.perf_counter() - t0,
            "file_mb": path.stat().st_size / 2**20, "columns": len(audits.columns)}
    if shuffled is not None:
        order = np.random.default_rng([SEED, n]).permutation(len(audits))
        audits.take(order).to_parquet(shuffled, index=False)
        info["shuffled_mb"] = shuffled.stat().st_size / 2**20
    if export is not None:
        export_frame(audits, [SEED, n, 1]).to_parquet(export, index=False)
        info["export_mb"] = export.stat().st_size / 2**20
    return info


# ---------------------------------------------------------------------------------------
# the straightforward implementation


def hand_laney(path: str) -> dict[str, Any]:
    """Laney p' chart by hand: read, group by day, Laney's formulas, Nelson rules 1 and 2.

    p_i = d_i / n_i, p-bar = sum d / sum n, sigma_pi = sqrt(p-bar (1 - p-bar) / n_i),
    z_i = (p_i - p-bar) / sigma_pi, sigma_z = mean |z_i - z_(i-1)| / 1.128, limits
    p-bar +- 3 sigma_pi sigma_z (an LCL below 0 is NaN: no lower limit). Rule 1: a point
    beyond a limit; rule 2: the point completing 9 in a row on one side of p-bar.
    """
    import pandas as pd

    frame = pd.read_parquet(path, columns=["day", "is_error"])
    per_day = frame.groupby("day", sort=True)["is_error"].agg(["sum", "size"])
    d = per_day["sum"].to_numpy(float)
    n = per_day["size"].to_numpy(float)
    p = d / n
    pbar = d.sum() / n.sum()
    sigma_p = np.sqrt(pbar * (1.0 - pbar) / n)
    z = (p - pbar) / sigma_p
    sigma_z = float(np.mean(np.abs(np.diff(z))) / LANEY_D2)
    half = 3.0 * sigma_p * sigma_z
    lcl = pbar - half
    lcl[lcl < 0] = np.nan
    ucl = pbar + half
    rule1 = (p > ucl) | (p < lcl)
    side = pd.Series(np.sign(p - pbar))
    rule2 = (side.rolling(NELSON_2_RUN).sum().abs() == NELSON_2_RUN).to_numpy()
    return {"labels": per_day.index, "statistic": p, "lcl": lcl, "ucl": ucl,
            "sigma_z": sigma_z, "rule1": np.flatnonzero(rule1), "rule2": np.flatnonzero(rule2)}


# ---------------------------------------------------------------------------------------
# measuring (in the worker process)


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += [int(child), *_descendants(int(child))]
    except OSError:
        pass
    return out


def _load1() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _labels(values: Any) -> list[str]:
    import pandas as pd

    return [str(v) for v in pd.to_datetime(np.asarray(values))]


def _floats(a: Any) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float)]


def _chart_summary(chart: Any) -> dict[str, Any]:
    return {"labels": _labels(chart.labels), "statistic": _floats(chart.statistic),
            "lcl": _floats(chart.lcl), "ucl": _floats(chart.ucl),
            "sigma_z": float(chart.stages[-1].extra["sigma_z"]),
            "violations": [[int(i), str(r)] for i, r in zip(chart.violation_index,
                                                            chart.violation_rule, strict=True)]}


def _hand_summary(res: dict[str, Any]) -> dict[str, Any]:
    return {"labels": _labels(res["labels"]), "statistic": _floats(res["statistic"]),
            "lcl": _floats(res["lcl"]), "ucl": _floats(res["ucl"]), "sigma_z": res["sigma_z"],
            "rule1": res["rule1"].tolist(), "rule2": res["rule2"].tolist()}


def _metrics_summary(table: Any) -> dict[str, Any]:
    import pandas as pd

    keys = table[["period", "queue", "metric", "policy"]].astype(str)
    keys["numerator"] = table["numerator"].astype(float).map("{:.0f}".format)
    keys["denominator"] = table["denominator"].astype(float).map("{:.0f}".format)
    keys["estimate"] = table["estimate"].astype(float).round(12).astype(str)
    digest = hashlib.sha256(keys.to_csv(index=False).encode()).hexdigest()[:16]
    return {"metric_rows": len(table), "digest": digest,
            "periods": int(pd.Series(table["period"]).nunique())}


def _spark_session() -> Any:
    import shutil

    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise RuntimeError(f"SKIP: pyspark is not installed ({err}); extra 'spark'") from err
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise RuntimeError("SKIP: Spark needs Java (java not on PATH and JAVA_HOME unset)")
    session = (SparkSession.builder.master("local[2]").appName("sixsigma-bench-scale")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "2g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def make_call(name: str, path: str) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    """The timed call of a scenario and the function turning its result into JSON."""
    import pandas as pd

    import sixsigma as ss

    def chart(data: Any) -> Any:
        return ss.spc.laney_p(data, defectives="is_error", label="day", rules="nelson")

    def metrics(data: Any) -> Any:
        return ss.moderation.metrics(data, by="queue", grain="week", sla_seconds=14_400)

    if name == "laney[pandas]":
        return (lambda: chart(pd.read_parquet(path, columns=["day", "is_error"])),
                _chart_summary)
    if name == "laney[duckdb]":
        return (lambda: chart(ss.read(path))), _chart_summary
    if name == "laney[hand pandas]":
        return (lambda: hand_laney(path)), _hand_summary
    if name == "laney[spark]":
        session = _spark_session()
        return (lambda: chart(session.read.parquet(path))), _chart_summary
    if name == "metrics[pandas]":
        # the frame is read once, before the calls: the memory measured is beyond it
        frame = pd.read_parquet(path, columns=METRIC_COLUMNS)
        return (lambda: metrics(frame)), _metrics_summary
    if name == "metrics[duckdb]":
        return (lambda: metrics(ss.read(path))), _metrics_summary
    if name == "anchor: duckdb SQL by day":
        import duckdb

        con = duckdb.connect()  # one connection for all calls, as ss.read keeps one

        def sql() -> Any:
            return con.execute("SELECT day, sum(is_error), count(*) FROM read_parquet(?) "
                               "GROUP BY day", [path]).fetchall()

        return sql, lambda rows: {"groups": len(rows), "total": int(sum(r[2] for r in rows))}
    if name == "anchor: pandas read_parquet (all)":
        return (lambda: pd.read_parquet(path)), lambda f: {"groups": len(f)}
    raise ValueError(f"unknown scenario {name!r}; expected one of {SCENARIOS}")


def _split_call(name: str, path: str) -> tuple[float, float] | None:
    """For laney[pandas] and metrics[pandas]: (read s, analysis s) of one warm call."""
    import pandas as pd

    import sixsigma as ss

    if name not in ("laney[pandas]", "metrics[pandas]"):
        return None
    cols = ["day", "is_error"] if name == "laney[pandas]" else METRIC_COLUMNS
    t0 = time.perf_counter()
    frame = pd.read_parquet(path, columns=cols)
    t1 = time.perf_counter()
    if name == "laney[pandas]":
        ss.spc.laney_p(frame, defectives="is_error", label="day", rules="nelson")
    else:
        ss.moderation.metrics(frame, by="queue", grain="week", sla_seconds=14_400)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def measure(name: str, n: int, path: str) -> dict[str, Any]:
    load_start = _load1()
    t0 = time.perf_counter()
    import duckdb  # noqa: F401
    import pandas as pd  # noqa: F401

    import sixsigma as ss  # noqa: F401

    setup: dict[str, Any] = {"import_s": time.perf_counter() - t0}
    rss_imports = status_kb("VmRSS") or 0
    t0 = time.perf_counter()
    try:
        call, summarise = make_call(name, path)
    except RuntimeError as err:
        if str(err).startswith("SKIP: "):
            return {"scenario": name, "n": n, "skipped": str(err)[6:]}
        raise
    setup["session_s"] = time.perf_counter() - t0
    rss_start = status_kb("VmRSS")
    hwm = [status_kb("VmHWM") or 0]   # the process peak, kept across the resets below

    def timed() -> tuple[Any, float, float | None]:
        """One call: result, seconds, peak RSS above the RSS before it (MB)."""
        hwm.append(status_kb("VmHWM") or 0)
        before = reset_peak()
        t0 = time.perf_counter()
        result = call()
        wall = time.perf_counter() - t0
        after = status_kb("VmHWM")
        hwm.append(after or 0)
        delta = (after - before) / 1024 if before is not None and after is not None else None
        return result, wall, delta

    result, cold, cold_delta = timed()
    summary = summarise(result)
    del result
    times, deltas = [], []
    for _ in range(SPARK_REPS if name == "laney[spark]" else REPS):
        result, wall, delta = timed()
        times.append(wall)
        deltas.append(delta)
        del result
    splits = [s for s in (_split_call(name, path) for _ in range(REPS)) if s is not None]
    hwm.append(status_kb("VmHWM") or 0)
    row: dict[str, Any] = {
        "scenario": name, "n": n, **setup, "cold_s": cold, "times_s": times,
        "median_s": statistics.median(times),
        "peak_rss_mb": max(hwm) / 1024,
        "start_rss_mb": (rss_start or 0) / 1024,
        "cold_delta_mb": cold_delta,
        "warm_delta_mb": None if None in deltas else max(deltas),
        "load_start": load_start, "load_end": _load1(), "summary": summary,
    }
    if splits:
        row["read_s"] = statistics.median(s[0] for s in splits)
        row["compute_s"] = statistics.median(s[1] for s in splits)
    if name == "metrics[pandas]":   # the frame, read before the calls
        row["input_mb"] = ((rss_start or 0) - rss_imports) / 1024
    if name == "laney[spark]":
        jvm = [status_kb("VmHWM", pid) for pid in _descendants(os.getpid())]
        row["jvm_peak_rss_mb"] = max((k or 0 for k in jvm), default=0) / 1024
    return row


def profile(name: str, n: int, layout: str = "sorted") -> None:
    """Print a cProfile of one warm call and the time inside DuckDB's execute/fetch."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"audits_{n}.parquet"
        if layout == "sorted":
            info = write_data(n, path)
        else:
            other = Path(tmp) / f"audits_{n}_{layout}.parquet"
            info = write_data(n, path, *((other, None) if layout == "shuffled"
                                         else (None, other)))
            path = other
        print(f"{info['rows']:,} rows, {info['file_mb']:.0f} MB", file=sys.stderr)
        call, _ = make_call(name, str(path))
        call()  # cold
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        call()
        prof.disable()
        wall = time.perf_counter() - t0
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        print(f"{name} N={n:,}: one warm call {wall:.3f} s\n{out.getvalue()}")
        raw: Any = stats
        # the duckdb package (its Python shim submits the query to the C++ engine) and its
        # builtins; narwhals' DuckDB backend lives in narwhals/_duckdb/ and counts as Python
        inside = sum(v[2] for k, v in raw.stats.items()
                     if f"{os.sep}duckdb{os.sep}" in str(k[0])
                     or (k[0] == "~" and "duckdb" in str(k[2]).lower()))
        print(f"inside the duckdb package (tottime): {inside:.3f} s of {wall:.3f} s; the rest "
              f"(Python: narwhals, pandas, numpy, sixsigma): {wall - inside:.3f} s")


# ---------------------------------------------------------------------------------------
# the parent: data, workers, checks


def _env() -> dict[str, str]:
    """A child interpreter's environment: this checkout first in PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _worker(name: str, n: int, path: Path) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(n), str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False,
                          env=_env())
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"scenario": name, "n": n, "error": " / ".join(tail) or f"exit {proc.returncode}"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _selected(only: Sequence[str] | None) -> dict[str, tuple[str, ...]]:
    """The scenarios of each layout whose name starts with one of ``only`` (None: all)."""
    if not only:
        return dict(LAYOUTS)
    out = {layout: tuple(s for s in names if any(s.startswith(p) for p in only))
           for layout, names in LAYOUTS.items()}
    return {layout: names for layout, names in out.items() if names}


def run(quick: bool = False, only: Sequence[str] | None = None,
        sizes: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Every scenario at every size; ``only``: scenario name prefixes (``"metrics"``).

    Without arguments, the environment can narrow a run of ``bench/run.py``:
    ``BENCH_SCALE_ONLY`` (comma-separated prefixes), ``BENCH_SCALE_SIZES`` (sizes).
    """
    if only is None and os.environ.get("BENCH_SCALE_ONLY"):
        only = [p.strip() for p in os.environ["BENCH_SCALE_ONLY"].split(",") if p.strip()]
    if sizes is None and os.environ.get("BENCH_SCALE_SIZES"):
        sizes = [int(float(v)) for v in os.environ["BENCH_SCALE_SIZES"].split(",")]
    layouts = _selected(only)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes or (QUICK_SIZES if quick else SIZES):
            paths = {layout: Path(tmp) / f"audits_{n}_{layout}.parquet" for layout in LAYOUTS}
            print(f"  writing N~{n:,} ...", end="", file=sys.stderr, flush=True)
            extra = [str(paths[layout]) if layout in layouts else "-"
                     for layout in ("shuffled", "export")]
            proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--write",
                                   str(n), str(paths["sorted"]), *extra],
                                  check=True, capture_output=True, text=True, env=_env())
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f" {data['rows']:,} rows, {data['file_mb']:.0f} MB", file=sys.stderr)
            rows.append({"scenario": "data", "n": n, "load": _load1(), **data})
            for layout, names in layouts.items():
                for name in names:
                    print(f"  {name:<34} {layout:<8} N={n:>11,} ...", end="", file=sys.stderr,
                          flush=True)
                    row = _worker(name, n, paths[layout])
                    row["rows"], row["layout"] = data["rows"], layout
                    msg = row.get("error") or row.get("skipped") or f"{row['median_s']:.3f} s"
                    print(f" {msg}", file=sys.stderr, flush=True)
                    rows.append(row)
    return rows


def _ok(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["scenario"] != "data" and "error" not in r
            and "skipped" not in r]


def _find(rows: list[dict[str, Any]], name: str, n: int, layout: str = "sorted"
          ) -> dict[str, Any] | None:
    return next((r for r in _ok(rows) if r["scenario"] == name and r["n"] == n
                 and r.get("layout", "sorted") == layout), None)


def _same_chart(a: dict[str, Any], b: dict[str, Any], *, rules: bool = True) -> str:
    """'' when the two chart summaries agree, else what differs."""
    if a["labels"] != b["labels"]:
        return "labels differ"
    for key in ("statistic", "lcl", "ucl"):
        x = np.array(a[key], dtype=float)
        y = np.array(b[key], dtype=float)
        if not np.allclose(x, y, rtol=1e-12, atol=0.0, equal_nan=True):
            i = int(np.flatnonzero(~np.isclose(x, y, rtol=1e-12, atol=0.0, equal_nan=True))[0])
            return f"{key} differs at point {i}: {x[i]!r} vs {y[i]!r}"
    if rules and a["violations"] != b["violations"]:
        return "Nelson signals differ"
    return ""


def checks(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str, bool]]:
    """The equality checks: (check, where, measured, expected, ok)."""
    out = []
    for n in sorted({r["n"] for r in rows}):
        ref = _find(rows, "laney[pandas]", n)
        if ref is None:
            continue
        others = [("laney[duckdb]", "sorted"), ("laney[spark]", "sorted"),
                  ("laney[pandas]", "shuffled"), ("laney[duckdb]", "shuffled")]
        for name, layout in others:
            other = _find(rows, name, n, layout)
            if other is not None:
                diff = _same_chart(ref["summary"], other["summary"])
                out.append(("same chart", f"laney[pandas] = {name} {layout}, N~{n:,}",
                            diff or "identical", "identical", not diff))
        for layout in LAYOUTS:
            hand = _find(rows, "laney[hand pandas]", n, layout)
            if hand is None:
                continue
            diff = _same_chart(ref["summary"], hand["summary"], rules=False)
            got = ref["summary"]["violations"]
            for rule, key in (("nelson_1", "rule1"), ("nelson_2", "rule2")):
                if not diff and [i for i, r in got if r == rule] != hand["summary"][key]:
                    diff = f"{rule} differs"
            out.append(("same chart", f"laney[pandas] = hand {layout} (limits, rules 1-2), "
                        f"N~{n:,}", diff or "identical", "identical", not diff))
    for n in sorted({r["n"] for r in rows}):
        for layout in LAYOUTS:
            mp = _find(rows, "metrics[pandas]", n, layout)
            md = _find(rows, "metrics[duckdb]", n, layout)
            if mp and md:
                same = mp["summary"] == md["summary"]
                out.append(("same metrics", f"pandas = duckdb {layout}, N~{n:,}",
                            "identical" if same else "differ", "identical", same))
    return out


def _metrics_targets(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str, bool]]:
    """Issue 19: metrics on pandas within 3x of DuckDB, < 1.5 GB beyond the input frame."""
    out = []
    sizes = [r["n"] for r in _ok(rows) if r["scenario"].startswith("metrics[")]
    if not sizes:
        return out
    n = max(sizes)
    for layout in LAYOUTS:
        pand = _find(rows, "metrics[pandas]", n, layout)
        duck = _find(rows, "metrics[duckdb]", n, layout)
        if pand is None:
            continue
        where = f"metrics[pandas] {layout} N={pand['rows']:,}"
        limit = f"<= {MAX_METRICS_RATIO:g}x"
        if duck is not None:
            for label, p_s, d_s in (
                    ("warm (median)", pand["median_s"], duck["median_s"]),
                    ("cold (first call)", pand["cold_s"], duck["cold_s"]),
                    ("warm, read of the frame included", pand["median_s"]
                     + pand.get("read_s", math.nan), duck["median_s"])):
                ratio = p_s / d_s
                out.append((f"time / DuckDB over Parquet, {label}", where,
                            f"{ratio:.2f}x ({p_s:.2f} s / {d_s:.2f} s)", limit,
                            bool(ratio <= MAX_METRICS_RATIO)))
        for label, key in (("cold", "cold_delta_mb"), ("warm", "warm_delta_mb")):
            got = pand.get(key)
            out.append((f"peak memory beyond the input frame, {label}", where,
                        "not measured" if got is None else f"{got:.0f} MB",
                        f"< {MAX_METRICS_BEYOND_MB:g} MB",
                        got is not None and got < MAX_METRICS_BEYOND_MB))
    return out


def _checks(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str, bool]]:
    """Every target and check, as (target, where, measured, limit, met)."""
    out = []
    for layout in LAYOUTS:
        duck = _find(rows, "laney[duckdb]", max(SIZES), layout)
        if duck is None:
            continue
        where = f"laney[duckdb] {layout} N={duck['rows']:,}"
        out.append(("wall time, file to chart", where, f"{duck['median_s']:.2f} s",
                    f"< {MAX_CHART_S:g} s", duck["median_s"] < MAX_CHART_S))
        out.append(("peak RSS (fresh process)", where, f"{duck['peak_rss_mb']:.0f} MB",
                    f"< {MAX_CHART_RSS_MB:g} MB", duck["peak_rss_mb"] < MAX_CHART_RSS_MB))
    out += _metrics_targets(rows)
    out += checks(rows)
    for r in rows:
        if "error" in r:
            out.append(("ran", f"{r['scenario']} {r.get('layout', '')} N~{r['n']:,}",
                        r["error"][:100], "no error", False))
    return out


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One dict per target of the issues (and per check): the protocol of bench/README.md."""
    return [{"target": t, "where": where, "measured": value, "limit": limit, "met": bool(ok)}
            for t, where, value, limit, ok in _checks(rows)]


def failed(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{t['target']} ({t['where']}): {t['measured']}, target {t['limit']}"
            for t in targets(rows) if not t["met"]]


def _s(value: Any) -> str:
    return "" if value is None else f"{value:.3f}"


def _mb(value: Any) -> str:
    return "" if value is None else f"{value:.0f}"


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "Raw audit records (`generate_moderation`, 90 days, all 19 columns) in one Parquet",
        "file, rows in time order as the generator writes them (`sorted`: the `day` column",
        "is run-length encoded) and the same rows in a seeded random order (`shuffled`: the",
        "hard case for a group-by); for the metrics also `export`: their 7 columns as a",
        "team's export has them (random row order, ISO date text, \"Y\"/\"N\" flags with",
        "missing values). Each scenario in a fresh process: cold = first call, median of 3",
        "warm calls (2 for Spark). pandas scenarios read only the columns they need; read /",
        "compute split those calls; `metrics[pandas]` reads its frame once before the calls",
        "(cold and median are the metrics on the frame; input MB: the RSS the frame adds).",
        "Peak RSS: VmHWM of the worker (interpreter and libraries included); delta: above",
        "the RSS after imports; call peak MB: the peak RSS of one call above the RSS before",
        "it (the peak mark reset before each call: for `metrics[pandas]` the memory beyond",
        "the input frame), cold / the largest warm. Load: 1-minute load average at the start",
        "and end of the worker (2-core machine shared with others).",
        "",
        "| data N | rows | generate s | write s | file MB (sorted / shuffled / export) | load |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if r["scenario"] == "data":
            lines.append(f"| {r['n']:,} | {r['rows']:,} | {r['gen_s']:.1f} | "
                         f"{r['write_s']:.1f} | {r['file_mb']:.0f} / "
                         f"{_mb(r.get('shuffled_mb')) or '-'} / "
                         f"{_mb(r.get('export_mb')) or '-'} | {r['load']:.2f} |")
    lines += [
        "",
        "| scenario | layout | rows | cold s | median s | read s | compute s | peak RSS MB | "
        "delta MB | call peak MB (cold / warm) | input MB | load |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        if r["scenario"] == "data":
            continue
        head = f"| {r['scenario']} | {r.get('layout', '')} | {r['rows']:,} |"
        if "error" in r:
            lines.append(f"{head} ERROR: {r['error'][:120]} |||||||||")
            continue
        if "skipped" in r:
            lines.append(f"{head} skipped: {r['skipped']} |||||||||")
            continue
        peak = f"{r['peak_rss_mb']:.0f}"
        if "jvm_peak_rss_mb" in r:
            peak += f" (+ JVM {r['jvm_peak_rss_mb']:.0f})"
        note = f"{r['load_start']:.2f} -> {r['load_end']:.2f}"
        if r["scenario"] == "laney[spark]":
            note += f"; session start {r['session_s']:.1f} s"
        lines.append(f"{head} {r['cold_s']:.3f} | {r['median_s']:.3f} | "
                     f"{_s(r.get('read_s'))} | {_s(r.get('compute_s'))} | {peak} | "
                     f"{r['peak_rss_mb'] - r['start_rss_mb']:.0f} | "
                     f"{_mb(r.get('cold_delta_mb'))} / {_mb(r.get('warm_delta_mb'))} | "
                     f"{_mb(r.get('input_mb'))} | {note} |")
    lines += ["", "| target / check | where | measured | expected | result |",
              "|---|---|--:|--:|---|"]
    checked = _checks(rows)
    lines += [f"| {t} | {w} | {v} | {lim} | {'PASS' if ok else '**FAIL**'} |"
              for t, w, v, lim, ok in checked]
    n_max = max((r["n"] for r in _ok(rows)), default=0)
    parts = [f"{name} {layout} {r['median_s']:.2f} s / {r['peak_rss_mb']:.0f} MB"
             for layout, names in LAYOUTS.items() for name in names
             if (row := _find(rows, name, n_max, layout)) is not None
             for r in [row]]
    text = f"At N~{n_max:,}: " + ", ".join(parts) + "."
    duck, sql = _find(rows, "laney[duckdb]", n_max), _find(rows, "anchor: duckdb SQL by day", n_max)
    pand = _find(rows, "laney[pandas]", n_max)
    if duck and sql and pand:
        text += (f" The chart from the file costs {duck['median_s'] / sql['median_s']:.1f}x the"
                 " plain SQL group-by (the rest: the chart, the rules, narwhals); pandas"
                 f" needs {pand['peak_rss_mb'] - duck['peak_rss_mb']:.0f} MB more peak memory"
                 " for the same chart even reading only its two columns.")
    for layout in ("sorted", "export"):
        mp = _find(rows, "metrics[pandas]", n_max, layout)
        md = _find(rows, "metrics[duckdb]", n_max, layout)
        if mp and md:
            text += (f" Metrics ({layout}): pandas {mp['median_s']:.2f} s on the frame"
                     f" ({mp.get('read_s', math.nan):.2f} s more to read it), DuckDB"
                     f" {md['median_s']:.2f} s from the file,"
                     f" {mp['median_s'] / md['median_s']:.1f}x; pandas needs"
                     f" {_mb(mp.get('warm_delta_mb'))} MB beyond its"
                     f" {_mb(mp.get('input_mb'))} MB frame (the label combinations are"
                     " counted first, the checks run on one row per combination).")
    missed = [c for c in checked if not c[4]]
    text += (f" {len(missed)} of {len(checked)} targets/checks missed." if missed
             else f" All {len(checked)} targets/checks are met.")
    lines += ["", "**What this shows.** " + text]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--worker", nargs=3, metavar=("SCENARIO", "N", "PATH"))
    group.add_argument("--write", nargs="+", metavar="N PATH [SHUFFLED|-] [EXPORT|-]")
    group.add_argument("--profile", nargs="+", metavar="SCENARIO N [LAYOUT]")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", action="append", metavar="PREFIX",
                        help="run only the scenarios whose name starts so (repeatable)")
    parser.add_argument("--sizes", nargs="+", metavar="N", help="sizes (e.g. 1e7)")
    args = parser.parse_args(argv)
    if args.write:
        more = [Path(p) if p != "-" else None for p in args.write[2:4]]
        more += [None] * (2 - len(more))
        print(json.dumps(write_data(int(float(args.write[0])), Path(args.write[1]), *more)))
    elif args.worker:
        print(json.dumps(measure(args.worker[0], int(float(args.worker[1])), args.worker[2])))
    elif args.profile:
        profile(args.profile[0], int(float(args.profile[1])), *args.profile[2:3])
    else:
        rows = run(quick=args.quick, only=args.only,
                   sizes=[int(float(v)) for v in args.sizes] if args.sizes else None)
        print(render(rows))
        return 1 if failed(rows) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
