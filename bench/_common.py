"""Helpers the benchmarks share: process memory (Linux /proc; None elsewhere), result rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
