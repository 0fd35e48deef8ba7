"""Helpers the benchmarks share: process memory (Linux /proc; None elsewhere), result rows.

Importing this module puts the checkout it lives in (the directory above bench/) first on
``sys.path``, and :func:`worker` passes it on in ``PYTHONPATH``: a benchmark measures the
sixsigma of its own checkout, not the one an editable install points at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path[:2]:
    sys.path.insert(0, str(ROOT))


def checkout_env() -> dict[str, str]:
    """The environment for a child interpreter: this checkout first in PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def status_kb(field: str, pid: int | str = "self") -> int | None:
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or None where unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> int | None:
    """Reset the kernel's peak-RSS mark (clear_refs 5); return the current RSS in kB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return status_kb("VmRSS")


def peak_delta_mb(before_kb: int | None) -> float | None:
    """Peak RSS since :func:`reset_peak` minus the RSS it returned, in MB."""
    after = status_kb("VmHWM")
    if before_kb is None or after is None:
        return None
    return (after - before_kb) / 1024


def ok_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The result rows whose measurement did not fail."""
    return [r for r in rows if "error" not in r]


def find_row(rows: list[dict[str, Any]], name: str, n: int) -> dict[str, Any] | None:
    """The successful row of scenario ``name`` at size ``n``, if any."""
    return next((r for r in ok_rows(rows) if r["scenario"] == name and r["n"] == n), None)


Target = tuple[str, str, str, str, bool]
"""One checked target: (what, where, measured, limit, met)."""


def target(what: str, where: str, measured: str, limit: str, met: bool) -> dict[str, Any]:
    """One target in the protocol's form (bench/README.md): a dict of the five fields."""
    return {"target": what, "where": where, "measured": measured, "limit": limit,
            "met": bool(met)}


def speed_targets(row: dict[str, Any], where: str, *, max_seconds: float,
                  max_mb: float) -> list[dict[str, Any]]:
    """Warm and cold wall time under ``max_seconds``, peak RSS under ``max_mb``, of one
    scenario row (``median_s``, ``cold_s``, ``peak_mb``; no memory target without it)."""
    out = [target("wall time, warm", where, f"{row['median_s']:.2f} s",
                  f"< {max_seconds:g} s", row["median_s"] < max_seconds),
           target("wall time, cold (first call in a fresh process)", where,
                  f"{row['cold_s']:.2f} s", f"< {max_seconds:g} s",
                  row["cold_s"] < max_seconds)]
    if row.get("peak_mb") is not None:
        out.append(target("peak RSS (fresh process)", where, f"{row['peak_mb']:.0f} MB",
                          f"< {max_mb:g} MB", row["peak_mb"] < max_mb))
    return out


def as_dicts(checks: list[Target]) -> list[dict[str, Any]]:
    """Tuple targets as the protocol's dicts."""
    return [target(*c) for c in checks]


def missed_dicts(checks: list[dict[str, Any]]) -> list[str]:
    """The dict targets not met, one line each (for ``failed``)."""
    return [f"{t['target']} ({t['where']}): {t['measured']}, target {t['limit']}"
            for t in checks if not t["met"]]


def dict_table(checks: list[dict[str, Any]]) -> list[str]:
    """The markdown table of dict targets (a blank line first)."""
    return target_table([(t["target"], t["where"], t["measured"], t["limit"], t["met"])
                         for t in checks])


def error_targets(rows: list[dict[str, Any]]) -> list[Target]:
    """A failed "ran" target for every scenario row that raised."""
    return [("ran", f"{r['scenario']} N={r['n']:,}", r["error"][:80], "no error", False)
            for r in rows if "error" in r]


def missed(checks: list[Target]) -> list[str]:
    """The targets not met, one line each."""
    return [f"{t} ({where}): {value}, target {limit}"
            for t, where, value, limit, ok in checks if not ok]


def target_table(checks: list[Target]) -> list[str]:
    """The markdown table of the checked targets (a blank line first)."""
    return ["", "| target | scenario | measured | limit | result |", "|---|---|--:|--:|---|",
            *(f"| {t} | {w} | {v} | {lim} | {'PASS' if ok else '**FAIL**'} |"
              for t, w, v, lim, ok in checks)]


def verdict(checks: list[Target]) -> str:
    """How many targets were missed, or that all are met."""
    n_missed = sum(not c[4] for c in checks)
    return (f" {n_missed} of {len(checks)} targets missed." if n_missed
            else f" All {len(checks)} targets are met.")


def worker(script: str, *args: str, timeout: float, lines: int = 5) -> dict[str, Any]:
    """Run ``script --worker *args`` in a fresh interpreter; its last stdout line (JSON).

    A failed worker gives ``{"error": ...}``: its last ``lines`` lines of output.
    """
    cmd = [sys.executable, str(Path(script).resolve()), "--worker", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                          env=checkout_env())
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-lines:]
        return {"error": " / ".join(tail) or f"exit {proc.returncode}"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))
