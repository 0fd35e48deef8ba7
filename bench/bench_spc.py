"""SPC benchmark: p_chart and imr with all Nelson rules on 1M and 10M points.

Every (scenario, N) pair is measured in a fresh Python process (``--worker``), so that the
first ("cold") call really is the first one and the peak RSS of one scenario does not hide
another's. In that process, on the same data:

1. one cold call on the full data (time, peak-RSS delta);
2. one warm-up call on 10 000 points (the function and its bare-numpy baseline);
3. three timed calls, each followed by one timed call of the baseline (interleaved, so
   both see the same machine state); the medians are reported and their ratio;
4. one call under ``tracemalloc`` (numpy reports its buffers to it): the peak of traced
   memory during the call, as a multiple of the bytes of the input arrays.

``python bench/bench_spc.py --profile SCENARIO N`` prints a cProfile (by tottime) of one
warm call and the largest allocations alive at the tracemalloc peak.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _common import find_row, ok_rows, peak_delta_mb, reset_peak

# this checkout's code, not an installed sixsigma (a script's sys.path starts at bench/)
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

TITLE = "SPC: p_chart and imr with all Nelson rules"
SEED = 20240611
SIZES = (1_000_000, 10_000_000)
QUICK_SIZES = (1_000_000,)
REPS = 3
SMALL = 10_000
D2_2 = 1.1283791670955126  # d2(2) = 2 / sqrt(pi)
D4_2 = 3.2665  # D4 for n = 2 (MR chart UCL / MR-bar), as tabled

# targets of the issue
MAX_SECONDS = 2.0
MAX_RATIO = 15.0
MAX_PEAK_X = 10.0
MAX_SCALING = 1.5

CHARTS = ("p_chart[dict]", "p_chart[pandas]", "imr[nelson]", "imr[rule 1]")
SCENARIOS = (*CHARTS, "find_violations[nelson]")


# ---------------------------------------------------------------------------------------
# data and the bare-numpy baselines


def p_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily defectives and sizes: sizes 400-600, p = 5 % (seeded)."""
    rng = np.random.default_rng([SEED, 1])
    size = rng.integers(400, 601, n)
    defectives = rng.binomial(size, 0.05)
    return defectives, size


def x_data(n: int) -> np.ndarray:
    """Individual values, normal(10, 1) (seeded)."""
    return np.random.default_rng([SEED, 2]).normal(10.0, 1.0, n)


def p_baseline(d: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Bare numpy: p-hat, p-bar, the per-point limits and rule 1, nothing else."""
    p = d / n
    pbar = d.sum() / n.sum()
    se = np.sqrt(pbar * (1.0 - pbar) / n)
    lcl = pbar - 3.0 * se
    ucl = pbar + 3.0 * se
    flags: np.ndarray = (p > ucl) | (p < lcl)
    return flags


def imr_baseline(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bare numpy I-MR: moving ranges, centre, sigma = MR-bar/d2, rule 1 on both charts."""
    mr = np.abs(np.diff(x))
    center = x.mean()
    mrbar = mr.mean()
    sigma = mrbar / D2_2
    flags_i = (x > center + 3.0 * sigma) | (x < center - 3.0 * sigma)
    flags_mr = mr > D4_2 * mrbar
    return flags_i, flags_mr


# ---------------------------------------------------------------------------------------
# scenarios


@dataclass
class Case:
    call: Callable[[Any], Any]  # the function under test, on one of the inputs below
    baseline: Callable[[Any], Any]
    full: Any
    small: Any
    input_bytes: int  # bytes of the input arrays (d and n; x)
    signals: Callable[[Any], int]


def _chart_signals(result: Any) -> int:
    charts = [result.location, result.dispersion] if hasattr(result, "location") else [result]
    return int(sum(c.violation_index.size for c in charts))


def make_case(name: str, n: int) -> Case:
    import pandas as pd

    import sixsigma as ss
    from sixsigma.spc.rules import RULE_SETS, find_violations

    if name.startswith("p_chart") or name.startswith("find_violations"):
        d, size = p_data(n)
        nbytes = d.nbytes + size.nbytes

        def base(a: dict[str, np.ndarray]) -> Any:
            return p_baseline(a["d"], a["n"])

        full = {"d": d, "n": size}
        small = {"d": d[:SMALL].copy(), "n": size[:SMALL].copy()}
        if name == "p_chart[dict]":
            return Case(
                lambda a: ss.spc.p_chart(a, defectives="d", size="n", rules="nelson"),
                base, full, small, nbytes, _chart_signals)
        if name == "p_chart[pandas]":
            frame, frame_small = pd.DataFrame(full), pd.DataFrame(small)
            return Case(
                lambda a: ss.spc.p_chart(a[0], defectives="d", size="n", rules="nelson"),
                lambda a: base(a[1]), (frame, full), (frame_small, small), nbytes,
                _chart_signals)
        # find_violations alone, on the arrays a p chart would hand it
        nelson = RULE_SETS["nelson"]

        def chart_arrays(a: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
            stat = a["d"] / a["n"]
            pbar = a["d"].sum() / a["n"].sum()
            se = np.sqrt(pbar * (1.0 - pbar) / a["n"])
            lcl = pbar - 3.0 * se
            return stat, np.full(stat.size, pbar), se, np.where(lcl < 0, np.nan, lcl), \
                pbar + 3.0 * se

        arrays, arrays_small = chart_arrays(full), chart_arrays(small)
        return Case(
            lambda a: find_violations(a[0][0], a[0][1], a[0][2], a[0][3], a[0][4], nelson),
            lambda a: base(a[1]),
            (arrays, full), (arrays_small, small), sum(v.nbytes for v in arrays),
            lambda r: int(r[0].size))
    if name.startswith("imr"):
        x = x_data(n)
        rules = "nelson" if name == "imr[nelson]" else None
        return Case(lambda a: ss.spc.imr(a, rules=rules), imr_baseline, x,
                    x[:SMALL].copy(), x.nbytes, _chart_signals)
    raise ValueError(f"unknown scenario {name!r}; expected one of {SCENARIOS}")


# ---------------------------------------------------------------------------------------
# measuring (in the worker process)


def _traced_peak(fn: Callable[[], Any]) -> tuple[float, float]:
    """Peak and retained (result) traced bytes of one call, in MB."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    result = fn()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return (peak - start) / 2**20, (current - start) / 2**20


def measure(name: str, n: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    case = make_case(name, n)
    setup_s = time.perf_counter() - t0
    gc.collect()

    rss0 = reset_peak()
    t0 = time.perf_counter()
    result = case.call(case.full)
    cold = time.perf_counter() - t0
    cold_rss = peak_delta_mb(rss0)
    signals = case.signals(result)
    del result

    case.call(case.small)  # warm-up on small data
    case.baseline(case.small)

    times: list[float] = []
    base_times: list[float] = []
    rss: list[float] = []
    faults: list[int] = []
    for _ in range(REPS):
        gc.collect()
        rss0 = reset_peak()
        flt0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter()
        result = case.call(case.full)
        times.append(time.perf_counter() - t0)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - flt0)
        delta = peak_delta_mb(rss0)
        if delta is not None:
            rss.append(delta)
        del result
        gc.collect()
        t0 = time.perf_counter()
        flags = case.baseline(case.full)
        base_times.append(time.perf_counter() - t0)
        del flags

    peak, retained = _traced_peak(lambda: case.call(case.full))
    base_peak, _ = _traced_peak(lambda: case.baseline(case.full))
    median = statistics.median(times)
    base = statistics.median(base_times)
    input_mb = case.input_bytes / 2**20
    return {
        "scenario": name, "n": n, "setup_s": setup_s, "cold_s": cold, "times_s": times,
        "median_s": median, "per_million_s": median / (n / 1e6),
        "baseline_times_s": base_times, "baseline_s": base, "ratio": median / base,
        "input_mb": input_mb, "peak_mb": peak, "peak_x": peak / input_mb,
        "retained_mb": retained, "baseline_peak_mb": base_peak,
        "rss_delta_mb": max(rss) if rss else None, "cold_rss_delta_mb": cold_rss,
        "page_faults": int(statistics.median(faults)), "signals": signals,
    }


def profile(name: str, n: int, top: int = 25) -> str:
    """cProfile (tottime) of one warm call and the allocations alive at the traced peak."""
    case = make_case(name, n)
    case.call(case.small)
    case.call(case.full)  # profile a warm call: the first full-size one also pays page faults
    prof = cProfile.Profile()
    prof.enable()
    result = case.call(case.full)
    prof.disable()
    del result
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)

    # Snapshot whenever traced memory reaches a new high at a function return: the last
    # snapshot holds what was alive at (about) the peak.
    best: dict[str, Any] = {"mem": -1, "snap": None}

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event in ("return", "c_return"):
            cur = tracemalloc.get_traced_memory()[0]
            if cur > best["mem"] + (1 << 20):
                best["mem"], best["snap"] = cur, tracemalloc.take_snapshot()

    gc.collect()
    tracemalloc.start(8)
    sys.setprofile(hook)
    result = case.call(case.full)
    sys.setprofile(None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    out.write(f"\ntracemalloc peak {peak / 2**20:.0f} MB; input {case.input_bytes / 2**20:.0f}"
              f" MB; largest live allocations at {best['mem'] / 2**20:.0f} MB:\n")
    if best["snap"] is not None:
        for stat in best["snap"].statistics("lineno")[:15]:
            out.write(f"  {stat.size / 2**20:8.1f} MB  {stat.count:6d} blocks  "
                      f"{stat.traceback[0]}\n")
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# driving the workers, targets and the report


def _worker(name: str, n: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"scenario": name, "n": n, "error": " / ".join(tail) or f"exit {proc.returncode}"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    for n in QUICK_SIZES if quick else SIZES:
        for name in SCENARIOS:
            print(f"  {name:<26} N={n:>11,} ...", end="", file=sys.stderr, flush=True)
            row = _worker(name, n)
            msg = row.get("error") or f"{row['median_s']:.3f} s (x{row['ratio']:.1f})"
            print(f" {msg}", file=sys.stderr, flush=True)
            rows.append(row)
    return rows




def scaling(rows: list[dict[str, Any]], name: str) -> float | None:
    """Time per million points at the largest N over that at the smallest."""
    sizes = sorted({r["n"] for r in ok_rows(rows) if r["scenario"] == name})
    if len(sizes) < 2:
        return None
    lo, hi = find_row(rows, name, sizes[0]), find_row(rows, name, sizes[-1])
    assert lo is not None and hi is not None
    return float(hi["per_million_s"] / lo["per_million_s"])


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One dict per target of the issue that was measured: {"target", "where",
    "measured", "limit", "met"}."""
    out: list[dict[str, Any]] = []

    def add(target: str, where: str, measured: str, limit: str, met: bool) -> None:
        out.append({"target": target, "where": where, "measured": measured, "limit": limit,
                    "met": bool(met)})

    for r in ok_rows(rows):
        if r["scenario"] not in CHARTS:
            continue
        where = f"{r['scenario']} N={r['n']:,}"
        add("wall time", where, f"{r['median_s']:.2f} s", f"< {MAX_SECONDS:g} s",
            r["median_s"] < MAX_SECONDS)
        add("ratio to bare numpy", where, f"{r['ratio']:.1f}x", f"<= {MAX_RATIO:g}x",
            r["ratio"] <= MAX_RATIO)
        add("tracemalloc peak / input bytes", where, f"{r['peak_x']:.1f}x",
            f"<= {MAX_PEAK_X:g}x", r["peak_x"] <= MAX_PEAK_X)
    ratio = scaling(rows, "find_violations[nelson]")
    if ratio is not None:
        add("O(n): per-1M time, 10M / 1M", "find_violations[nelson]", f"{ratio:.2f}",
            f"<= {MAX_SCALING:g}", ratio <= MAX_SCALING)
    for r in rows:
        if "error" in r:
            add("ran", f"{r['scenario']} N={r['n']:,}", r["error"][:80], "no error", False)
    return out


def failed(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{t['target']} ({t['where']}): {t['measured']}, target {t['limit']}"
            for t in targets(rows) if not t["met"]]


def _fmt(v: float | None, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "Wall times: median of 3 warm calls (after a warm-up on 10k points); cold: the first",
        "call in a fresh process. Baseline: the bare-numpy pass (p-hat, p-bar, limits, rule 1;",
        "for imr: moving ranges, mean, MR-bar/d2, rule 1 on I and MR), timed in the same",
        "process, interleaved. Peak: tracemalloc peak during one call (it includes the",
        "returned chart), / the input arrays' bytes (d and n: int64; x: float64). RSS: peak",
        "RSS delta of a warm call (Linux VmHWM reset via clear_refs); faults: minor page",
        "faults of a warm call (thousands), i.e. fresh memory the kernel had to map.",
        "",
        "| scenario | N | cold s | median s | s per 1M | baseline s | ratio | input MB "
        "| peak MB | peak / input | result MB | RSS delta MB | faults k | signals |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['scenario']} | {r['n']:,} | ERROR: {r['error'][:120]} "
                         "||||||||||||")
            continue
        lines.append(
            f"| {r['scenario']} | {r['n']:,} | {r['cold_s']:.3f} | {r['median_s']:.3f} | "
            f"{r['per_million_s']:.3f} | {r['baseline_s']:.3f} | {r['ratio']:.1f}x | "
            f"{r['input_mb']:.0f} | {r['peak_mb']:.0f} | {r['peak_x']:.1f}x | "
            f"{r['retained_mb']:.0f} | {_fmt(r['rss_delta_mb'], '.0f')} | "
            f"{r.get('page_faults', 0) / 1000:.0f} | {r['signals']:,} |")
    lines += ["", "| target | scenario | measured | limit | result |", "|---|---|--:|--:|---|"]
    checks = targets(rows)
    lines += [f"| {t['target']} | {t['where']} | {t['measured']} | {t['limit']} | "
              f"{'PASS' if t['met'] else '**FAIL**'} |" for t in checks]
    lines += ["", "**What this shows.** " + _summary(rows, checks)]
    return "\n".join(lines) + "\n"


def _summary(rows: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    n_max = max((r["n"] for r in ok_rows(rows)), default=0)
    parts = []
    for name in CHARTS:
        r = find_row(rows, name, n_max)
        if r is not None:
            parts.append(f"{name} takes {r['median_s']:.2f} s ({r['ratio']:.1f}x the bare-numpy"
                         f" pass, peak {r['peak_x']:.1f}x its input)")
    text = f"At N={n_max:,}, " + "; ".join(parts) + "."
    fv = [f"{name}: {s:.2f}" for name in ("find_violations[nelson]", *CHARTS)
          if (s := scaling(rows, name)) is not None]
    if fv:
        text += (" Time per million points at 10M over that at 1M (1.0 = linear) - "
                 + ", ".join(fv) + ".")
    missed = [c for c in checks if not c["met"]]
    if missed:
        text += (f" {len(missed)} of {len(checks)} targets are missed: "
                 + "; ".join(f"{c['target']} for {c['where']} ({c['measured']})"
                             for c in missed)
                 + ". `python bench/bench_spc.py --profile SCENARIO N` shows where the time"
                 " and memory go.")
    else:
        text += f" All {len(checks)} targets are met."
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--worker", nargs=2, metavar=("SCENARIO", "N"),
                       help="measure one scenario in this process; print JSON")
    group.add_argument("--profile", nargs=2, metavar=("SCENARIO", "N"),
                       help="cProfile and tracemalloc top allocations of one scenario")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker[0], int(float(args.worker[1])))))
    elif args.profile:
        print(profile(args.profile[0], int(float(args.profile[1]))))
    else:
        rows = run(quick=args.quick)
        print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
