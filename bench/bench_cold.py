"""Cold against warm: the first call of an analysis in a fresh process, beside warm calls.

A user runs one analysis per process (the command line, a scheduled monitor), so the first
call is the one that counts: it pays for the fresh memory it touches (page faults), which a
warm benchmark hides. For each scenario a fresh Python process (``--worker``) builds the
data (not timed), then times

1. the first call (``cold``): wall time, minor page faults, peak-RSS delta;
2. three further calls on the same data (``warm``): their median and page faults.

Scenarios: ``p_chart[nelson]`` and ``imr[nelson]`` on N points (the data of
bench_spc.py); ``metrics[pandas]`` (the Parquet read before the timer, as a user holding a
frame) and ``metrics[duckdb]`` (``ss.read`` inside the call) on the audit Parquet file of
bench_scale.py, given with ``--data``.

    python bench/bench_cold.py                         # SPC scenarios at 10M points
    python bench/bench_cold.py --data audits.parquet   # and the metrics scenarios
    python bench/bench_cold.py --worker imr[nelson] 1e7

The worker imports sixsigma from this checkout (the directory above bench/).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPC = ("p_chart[nelson]", "imr[nelson]")
METRICS = ("metrics[pandas]", "metrics[duckdb]")
SIZES = (10_000_000,)
WARM = 3


def make_call(name: str, n: int, data: str | None) -> Callable[[], Any]:
    """The timed call of a scenario, its data already built."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import sixsigma as ss

    if name == "p_chart[nelson]":
        from bench_spc import p_data

        d, size = p_data(n)
        table = {"d": d, "n": size}
        return lambda: ss.spc.p_chart(table, defectives="d", size="n", rules="nelson")
    if name == "imr[nelson]":
        from bench_spc import x_data

        x = x_data(n)
        return lambda: ss.spc.imr(x, rules="nelson")
    if name in METRICS:
        if data is None:
            raise ValueError(f"{name} needs --data (an audit Parquet file of bench_scale.py)")
        import pandas as pd
        from bench_scale import METRIC_COLUMNS

        def metrics(frame: Any) -> Any:
            return ss.moderation.metrics(frame, by="queue", grain="week", sla_seconds=14_400)

        if name == "metrics[pandas]":
            frame = pd.read_parquet(data, columns=METRIC_COLUMNS)
            return lambda: metrics(frame)
        return lambda: metrics(ss.read(data))
    raise ValueError(f"unknown scenario {name!r}; expected one of {SPC + METRICS}")


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def measure(name: str, n: int, data: str | None) -> dict[str, Any]:
    """In this (fresh) process: one cold call, then the warm ones."""
    from _common import peak_delta_mb, reset_peak

    call = make_call(name, n, data)
    gc.collect()
    rss0 = reset_peak()
    flt0 = _faults()
    t0 = time.perf_counter()
    result = call()
    cold = time.perf_counter() - t0
    row: dict[str, Any] = {"scenario": name, "n": n, "cold_s": cold,
                           "cold_faults": _faults() - flt0,
                           "cold_rss_delta_mb": peak_delta_mb(rss0)}
    del result
    times, faults = [], []
    for _ in range(WARM):
        gc.collect()
        flt0 = _faults()
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
        faults.append(_faults() - flt0)
        del result
    row.update({"warm_s": statistics.median(times), "warm_times_s": times,
                "warm_faults": int(statistics.median(faults)),
                "cold_over_warm": cold / statistics.median(times)})
    return row


def _worker(name: str, n: int, data: str | None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(n)]
    if data:
        cmd += ["--data", data]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"scenario": name, "n": n, "error": " / ".join(tail) or f"exit {proc.returncode}"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run(data: str | None, sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        for name in SPC:
            rows.append(_worker(name, n, None))
    for name in METRICS if data else ():
        rows.append(_worker(name, 0, data))
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = ["| scenario | N | cold s | warm s | cold / warm | cold faults | warm faults "
             "| cold peak-RSS delta MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['scenario']} | {r['n']:,} | error: {r['error']} |||||| ")
            continue
        rss = r["cold_rss_delta_mb"]
        size = f"{r['n']:,}" if r["n"] else "file"
        lines.append(f"| {r['scenario']} | {size} | {r['cold_s']:.2f} | "
                     f"{r['warm_s']:.2f} | {r['cold_over_warm']:.1f} | {r['cold_faults']:,} | "
                     f"{r['warm_faults']:,} | {'' if rss is None else f'{rss:.0f}'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("SCENARIO", "N"))
    parser.add_argument("--data", help="audit Parquet file for the metrics scenarios")
    parser.add_argument("--sizes", nargs="*", type=float, default=list(SIZES))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker[0], int(float(args.worker[1])), args.data)))
        return 0
    rows = run(args.data, tuple(int(s) for s in args.sizes))
    print(render(rows))
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
