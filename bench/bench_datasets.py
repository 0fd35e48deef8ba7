"""Datasets benchmark: generate_moderation sized to 1M and 10M audit rows.

Each case runs in a fresh Python process (``--worker``), so that its peak RSS is its own:
one call of ``generate_moderation("policy_update", days=365, daily_volume=..., audit_rate
=0.05)`` timed with ``perf_counter``; memory is the peak RSS of the process (VmHWM) minus
its RSS before the call. The 10M-row case builds the audits only (``events=False``, the
event log adds about 7 rows per audit); the 1M-row case builds the event log too.

Target of the issue: 10 million audit rows in under 60 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from _common import status_kb, worker

TITLE = "Datasets: generate_moderation at 1M and 10M audit rows"
DAYS = 365
AUDIT_RATE = 0.05
MAX_SECONDS_10M = 60.0
# (label, audit rows wanted, build the event log)
CASES = (("1M audits + events", 1_000_000, True), ("10M audits", 10_000_000, False))
QUICK_CASES = CASES[:1]


def measure(rows: int, events: bool) -> dict[str, Any]:
    import sixsigma.datasets as datasets

    volume = round(rows / DAYS / AUDIT_RATE)
    datasets.generate_moderation(days=7, daily_volume=2000)  # imports and warm-up
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark
    except OSError:
        pass
    rss0 = status_kb("VmRSS")
    t0 = time.perf_counter()
    ds = datasets.generate_moderation("policy_update", days=DAYS, daily_volume=volume,
                                      audit_rate=AUDIT_RATE, events=events)
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    audits_mb = float(ds.audits.memory_usage(deep=False).sum()) / 2**20
    return {
        "rows": rows, "events": events, "daily_volume": volume, "seconds": seconds,
        "audit_rows": len(ds.audits), "event_rows": 0 if ds.events is None else len(ds.events),
        "peak_rss_mb": None if peak is None or rss0 is None else (peak - rss0) / 1024,
        "audits_mb": audits_mb,
    }


def _worker(label: str, rows: int, events: bool) -> dict[str, Any]:
    row = worker(__file__, str(rows), "1" if events else "0", timeout=1800)
    return {"case": label, "rows": rows, **row} if "error" in row else {"case": label, **row}


def run(quick: bool = False) -> list[dict[str, Any]]:
    out = []
    for label, rows, events in QUICK_CASES if quick else CASES:
        print(f"  {label:<22} ...", end="", file=sys.stderr, flush=True)
        row = _worker(label, rows, events)
        print(f" {row.get('error') or format(row['seconds'], '.1f') + ' s'}", file=sys.stderr,
              flush=True)
        out.append(row)
    return out


def targets(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, bool]]:
    out = []
    for r in rows:
        if "error" in r:
            out.append((f"{r['case']} ran", r["error"][:80], "no error", False))
        elif r["rows"] == 10_000_000:
            out.append(("10M audit rows: wall time", f"{r['seconds']:.1f} s",
                        f"< {MAX_SECONDS_10M:g} s", r["seconds"] < MAX_SECONDS_10M))
    return out


def failed(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{t}: {v}, target {lim}" for t, v, lim, ok in targets(rows) if not ok]


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.0f}"


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"One call of `generate_moderation(\"policy_update\", days={DAYS}, daily_volume=V,",
        f"audit_rate={AUDIT_RATE})` in a fresh process (after a small warm-up call). Peak RSS:",
        "the process's peak resident memory during the call minus its resident memory",
        "before it (Linux VmHWM reset via clear_refs); audits MB: the returned audit frame",
        "(shallow).",
        "",
        "| case | daily_volume | audit rows | event rows | seconds | rows/s | peak RSS MB "
        "| audits MB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['case']} | ERROR: {r['error'][:120]} ||||||| ")
            continue
        lines.append(f"| {r['case']} | {r['daily_volume']:,} | {r['audit_rows']:,} | "
                     f"{r['event_rows']:,} | {r['seconds']:.1f} | "
                     f"{r['audit_rows'] / r['seconds']:,.0f} | {_fmt(r['peak_rss_mb'])} | "
                     f"{r['audits_mb']:,.0f} |")
    checks = targets(rows)
    lines += ["", "| target | measured | limit | result |", "|---|--:|--:|---|"]
    lines += [f"| {t} | {v} | {lim} | {'PASS' if ok else '**FAIL**'} |"
              for t, v, lim, ok in checks]
    missed = [c for c in checks if not c[3]]
    summary = ("All targets are met." if not missed
               else f"{len(missed)} of {len(checks)} targets are missed.")
    lines += ["", f"**What this shows.** {summary} Generation is vectorised over rows (numpy"
              " draws, one argsort by decision time, string columns built from codes), so"
              " time and memory grow linearly with the number of audit rows."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("ROWS", "EVENTS"),
                        help="measure one case in this process; print JSON")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(int(float(args.worker[0])), args.worker[1] == "1")))
    else:
        print(render(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
