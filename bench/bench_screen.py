"""Screening benchmark: 1,000 series from a 10M-row Parquet audit log.

The audit log has one row per audited item: ``day`` (100 days), ``queue`` x ``policy`` x
``market`` (10 x 10 x 10 = 1,000 series), ``error`` (0/1; rate 3-8% per series, a few
shifted), 100 items per series and day: 10M rows, written once with pyarrow (not timed).

Scenarios, each in a fresh Python process (``--worker``) so that its peak RSS is its own:

* ``screen[duckdb]``: ``ss.spc.screen(ss.read(path), defectives="error", label="day",
  by=[...])`` end to end: the file opened in DuckDB, one group-by where the data live, every
  chart computed at once. Timed cold (the first call) and warm (median of 3).
* ``loop[pandas]``: what a user writes today: the file read into pandas (not timed), then
  ``for key, group in frame.groupby([...]): ss.spc.p_chart(group, defectives="error",
  label="day", rules="nelson")``, one single-series chart per group (timed once).

Both are timed cold (the first call in the worker) and warm (median of 3 further calls; 1
for the loop at 10M rows, about 9 s each).

Targets (issue 17): the screen under 2 s (cold and warm) and 0.5 GB peak RSS end to end at
10M rows, and at least 10x faster than the loop (warm), measured in the same run.

``python bench/bench_screen.py`` runs it and prints the table (``--quick``: 1M rows).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    checkout_env,
    dict_table,
    missed_dicts,
    speed_targets,
    status_kb,
    target,
)

TITLE = "Screen: 1,000 series from a Parquet audit log (DuckDB) vs a loop of p charts"
SEED = 20261206
SERIES = (10, 10, 10)
DAYS = 100
ROWS = 10_000_000
QUICK_ROWS = 1_000_000
REPS = 3
LOOP_REPS = 1  # warm calls of the loop at full size (about 9 s each)
MAX_SECONDS = 2.0
MAX_MB = 512.0
MIN_SPEEDUP = 10.0
KEYS = ["queue", "policy", "market"]


def write_log(rows: int, path: Path) -> None:
    """The audit log: ``rows`` items spread evenly over 1,000 series x 100 days."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    nq, npol, nm = SERIES
    k = nq * npol * nm
    per = rows // (k * DAYS)
    base = rng.uniform(0.03, 0.08, k)
    shifted = rng.choice(k, 10, replace=False)
    factor = np.ones((k, DAYS))
    factor[shifted, DAYS - 21:] = 1.8
    days = np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-01-01") + DAYS)
    names = [np.array([f"{p}{i:02d}" for i in range(n)]) for p, n in
             zip("qpm", SERIES, strict=True)]
    with pq.ParquetWriter(path, pa.schema([
        ("day", pa.date32()), ("queue", pa.string()), ("policy", pa.string()),
        ("market", pa.string()), ("error", pa.int8()),
    ])) as writer:
        for d in range(DAYS):  # one row group per day
            s = np.repeat(np.arange(k), per)
            err = (rng.random(s.size) < (base * factor[:, d])[s]).astype(np.int8)
            writer.write_table(pa.table({
                "day": pa.array(np.full(s.size, days[d])),
                "queue": names[0][s // (npol * nm)],
                "policy": names[1][(s // nm) % npol],
                "market": names[2][s % nm],
                "error": err,
            }))


def _worker(name: str, path: str) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code
    import sixsigma as ss

    out: dict[str, Any] = {"scenario": name}
    if name == "screen[duckdb]":
        def call() -> Any:
            return ss.spc.screen(ss.read(path), defectives="error", label="day", by=KEYS)

        t0 = time.perf_counter()
        result = call()
        out["cold_s"] = time.perf_counter() - t0
        times = []
        for _ in range(REPS):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        out["median_s"] = statistics.median(times)
        out["series"] = len(result.table)
        out["flagged"] = int(result.table["flagged"].sum())
    else:
        import pandas as pd

        frame = pd.read_parquet(path)
        frame["day"] = pd.to_datetime(frame["day"])

        def loop() -> list[Any]:
            return [ss.spc.p_chart(g, defectives="error", label="day", rules="nelson")
                    for _, g in frame.groupby(KEYS, sort=True)]

        t0 = time.perf_counter()
        charts = loop()
        out["cold_s"] = time.perf_counter() - t0
        times = []
        for _ in range(LOOP_REPS if len(frame) > QUICK_ROWS else REPS):
            t0 = time.perf_counter()
            loop()
            times.append(time.perf_counter() - t0)
        out["median_s"] = statistics.median(times)
        out["series"] = len(charts)
    out["peak_mb"] = (status_kb("VmHWM") or 0) / 1024
    return out


def _spawn(name: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", name,
                           str(path)], capture_output=True, text=True, check=False,
                          env=checkout_env())
    if proc.returncode:
        return {"scenario": name, "error": proc.stderr.strip().splitlines()[-1]}
    row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return row


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    n = QUICK_ROWS if quick else ROWS
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit_log.parquet"
        write_log(n, path)
        for name in ("screen[duckdb]", "loop[pandas]"):
            print(f"  {name:<16} N={n:>11,} ...", end="", file=sys.stderr, flush=True)
            row = _spawn(name, path)
            row["n"] = n
            print(f" {row.get('error') or format(row['median_s'], '.3f') + ' s'}",
                  file=sys.stderr, flush=True)
            rows.append(row)
    return rows


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 17: under 2 s and 0.5 GB (at 10M rows), >= 10x the loop (any size)."""
    by = {r["scenario"]: r for r in rows if "error" not in r}
    out = [target("ran", r["scenario"], r["error"][:80], "no error", False)
           for r in rows if "error" in r]
    scr, loop = by.get("screen[duckdb]"), by.get("loop[pandas]")
    if scr and scr["n"] >= ROWS:
        out += speed_targets(scr, f"screen[duckdb] N={scr['n']:,}",
                             max_seconds=MAX_SECONDS, max_mb=MAX_MB)
    if scr and loop:
        ratio = loop["median_s"] / scr["median_s"]
        cold = loop["cold_s"] / scr["cold_s"]
        out.append(target("speed-up over the loop of p charts (warm; cold)",
                          f"N={scr['n']:,}", f"{ratio:.1f}x; {cold:.1f}x",
                          f">= {MIN_SPEEDUP:g}x", ratio >= MIN_SPEEDUP))
    return out


def failed(rows: list[dict[str, Any]]) -> list[str]:
    return missed_dicts(targets(rows))


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "1,000 queue x policy x market series, 100 days, from a Parquet audit log of N rows",
        "(one per audited item). Peak RSS: VmHWM of the worker process (interpreter and",
        "libraries included; for the loop, the pandas frame too).",
        "",
        "Cold: the first call in the process; warm: the median of 3 further calls (1 for",
        "the loop at 10M rows).",
        "",
        "| scenario | N | cold s | warm s | peak RSS MB | series |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['scenario']} | {r.get('n', '')} | error: {r['error']} | | | |")
            continue
        lines.append(f"| {r['scenario']} | {r['n']:,} | {r['cold_s']:.3f} | "
                     f"{r['median_s']:.3f} | {r['peak_mb']:.0f} | {r['series']} |")
    checked = targets(rows)
    lines += dict_table(checked)
    miss = [t for t in checked if not t["met"]]
    lines += ["", "**What this shows.** One group-by where the data live and every chart "
              "computed at once, against one chart per group in a Python loop (the frame "
              "already in memory). " + (f"{len(miss)} of {len(checked)} targets missed."
                                         if miss else f"All {len(checked)} targets are met.")]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--worker", nargs=2, metavar=("SCENARIO", "PATH"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(*args.worker)))
        return
    rows = run(quick=args.quick)
    print(render(rows))


if __name__ == "__main__":
    main()
