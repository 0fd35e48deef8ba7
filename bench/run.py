"""Run the sixsigma benchmarks and write bench/RESULTS.md.

Usage::

    .venv/bin/python bench/run.py              # every benchmark, full sizes
    .venv/bin/python bench/run.py --quick      # small sizes only (1M points for SPC)
    .venv/bin/python bench/run.py --only spc   # one benchmark (repeatable)

A benchmark is a module ``bench/bench_<name>.py`` registered in :data:`BENCHMARKS`. It
provides

* ``TITLE``: the heading of its section in RESULTS.md;
* ``run(quick: bool) -> list[dict]``: measure, one dict per row of results;
* ``render(rows: list[dict]) -> str``: the markdown body of its section (tables, the
  PASS/FAIL of its targets, a short "what this shows");
* ``failed(rows: list[dict]) -> list[str]``: the targets that were missed (empty: all met).

RESULTS.md keeps one section per benchmark between ``<!-- bench:<name> -->`` and
``<!-- /bench:<name> -->`` markers: a run rewrites the machine header and the sections of
the benchmarks it ran, and keeps the others as they were.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import re
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"

# name -> module in bench/. Add later benchmarks (segment scan, process discovery) here.
BENCHMARKS: dict[str, str] = {
    "spc": "bench_spc",
    "datasets": "bench_datasets",
    "rootcause": "bench_rootcause",
    "flow": "bench_flow",
    "scale": "bench_scale",
    "dawid_skene": "bench_dawid_skene",
    "screen": "bench_screen",
    "design": "bench_design",
}

HEADER_START, HEADER_END = "<!-- bench:header -->", "<!-- /bench:header -->"


def _load(name: str) -> ModuleType:
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(BENCHMARKS[name])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, str]:
    """The facts that make the timings comparable between runs."""
    import numpy as np
    import pandas as pd

    try:
        import sixsigma

        ss_version = getattr(sixsigma, "__version__", "unknown")
    except Exception as err:  # the header must still be written
        ss_version = f"import failed: {err}"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "Date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "CPU": _cpu_model(),
        "Cores": f"{os.cpu_count()} logical" + (f", {affinity} usable" if affinity else ""),
        "RAM": _ram_gib(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "sixsigma": ss_version,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(not set)"),
    }


def header(info: dict[str, str]) -> str:
    lines = [
        HEADER_START,
        "# Benchmark results",
        "",
        "Written by `make bench` (`.venv/bin/python bench/run.py`); see bench/README.md.",
        "The machine of the last run:",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in info.items()),
        HEADER_END,
    ]
    return "\n".join(lines)


def _section(name: str, title: str, body: str, argv: list[str]) -> str:
    cmd = " ".join(["bench/run.py", *argv]).strip()
    return (f"<!-- bench:{name} -->\n## {title}\n\n_Last run: "
            f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, `{cmd}`._\n\n"
            f"{body.rstrip()}\n<!-- /bench:{name} -->")


def write_results(info: dict[str, str], sections: dict[str, str]) -> None:
    """Rewrite the header and the given sections of RESULTS.md, keeping the others."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    kept: dict[str, str] = {}
    for match in re.finditer(r"<!-- bench:(\w+) -->.*?<!-- /bench:\1 -->", old, re.S):
        if match.group(1) != "header":
            kept[match.group(1)] = match.group(0)
    kept.update(sections)
    order = [n for n in BENCHMARKS if n in kept] + [n for n in kept if n not in BENCHMARKS]
    text = header(info) + "\n\n" + "\n\n".join(kept[n] for n in order) + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes only (SPC: 1M points, no O(n) check)")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS),
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target is missed")
    parser.add_argument("--no-write", action="store_true",
                        help="print the results without touching RESULTS.md")
    args = parser.parse_args(argv)

    info = machine()
    print("\n".join(f"{k:>18}: {v}" for k, v in info.items()), flush=True)
    sections: dict[str, str] = {}
    missed: list[str] = []
    for name in args.only or list(BENCHMARKS):
        module = _load(name)
        print(f"\n=== {name}: {module.TITLE} ===", flush=True)
        rows = module.run(quick=args.quick)
        body = module.render(rows)
        print("\n" + body, flush=True)
        sections[name] = _section(name, module.TITLE, body, argv)
        missed += [f"{name}: {m}" for m in module.failed(rows)]
    if not args.no_write:
        write_results(info, sections)
        print(f"\nwrote {RESULTS.relative_to(HERE.parent)}")
    if missed:
        print("\nMISSED TARGETS:\n  " + "\n  ".join(missed))
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
