"""Run the sixsigma benchmarks and write bench/RESULTS.md.

Usage::

    .venv/bin/python bench/run.py              # every benchmark, full sizes
    .venv/bin/python bench/run.py --quick      # small sizes only (1M points for SPC)
    .venv/bin/python bench/run.py --only spc   # one benchmark (repeatable)
    .venv/bin/python bench/run.py --summary    # only rebuild the summary from bench/results/

A benchmark is a module ``bench/bench_<name>.py`` registered in :data:`BENCHMARKS`. It
provides

* ``TITLE``: the heading of its section in RESULTS.md;
* ``run(quick: bool) -> list[dict]``: measure, one dict per row of results;
* ``render(rows: list[dict]) -> str``: the markdown body of its section (tables, the
  PASS/FAIL of its targets, a short "what this shows");
* ``failed(rows: list[dict]) -> list[str]``: the targets that were missed (empty: all met);
* ``targets(rows: list[dict]) -> list[dict]``: one dict per target of the issue,
  ``{"target", "where", "measured", "limit", "met"}`` (a 5-tuple in that order is
  accepted too). Without ``failed``, the missed targets are derived from it.

A module lacking ``TITLE``, ``run`` or ``render`` is skipped with a message.

After each benchmark, its rows are stored as JSON in ``bench/results/<name>.json`` with the
run date, the command, whether it was ``--quick`` and the machine. RESULTS.md keeps

* the machine header (``<!-- bench:header -->``);
* a "Summary: targets met" section (``<!-- bench:summary -->``), rebuilt on every run from
  ALL the stored JSON files: one table per area (benchmark), built by its ``targets()``;
* one section per benchmark between ``<!-- bench:<name> -->`` and ``<!-- /bench:<name> -->``
  markers: a run rewrites the sections of the benchmarks it ran and keeps the others.

``--no-write`` prints everything and writes neither RESULTS.md nor the JSON files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
STORE = HERE / "results"

# name -> module in bench/, in the order of RESULTS.md.
BENCHMARKS: dict[str, str] = {
    "spc": "bench_spc",
    "cold": "bench_cold",
    "datasets": "bench_datasets",
    "rootcause": "bench_rootcause",
    "flow": "bench_flow",
    "scale": "bench_scale",
    "dawid_skene": "bench_dawid_skene",
    "screen": "bench_screen",
    "design": "bench_design",
    "rollout": "bench_rollout",
}

INTERFACE = ("TITLE", "run", "render")
HEADER_START, HEADER_END = "<!-- bench:header -->", "<!-- /bench:header -->"
SUMMARY_START, SUMMARY_END = "<!-- bench:summary -->", "<!-- /bench:summary -->"
TARGET_KEYS = ("target", "where", "measured", "limit", "met")


def _paths() -> None:
    """bench/ for the modules, and this checkout before any installed sixsigma."""
    for path in (str(HERE), str(ROOT)):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)


def _load(name: str) -> ModuleType:
    _paths()
    return importlib.import_module(BENCHMARKS[name])


def missing_interface(module: ModuleType) -> list[str]:
    """The names of the benchmark interface the module lacks."""
    return [a for a in INTERFACE if not hasattr(module, a)]


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

    _paths()
    try:
        import sixsigma

        ss_version = getattr(sixsigma, "__version__", "unknown")
    except Exception as err:  # the header must still be written
        ss_version = f"import failed: {err}"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    load = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"
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
        "Load average (1 min) at start": load,
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


def _command(argv: list[str]) -> str:
    return " ".join(["bench/run.py", *argv]).strip()


def _section(name: str, title: str, body: str, argv: list[str]) -> str:
    return (f"<!-- bench:{name} -->\n## {title}\n\n_Last run: "
            f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, `{_command(argv)}`._\n\n"
            f"{body.rstrip()}\n<!-- /bench:{name} -->")


# ---------------------------------------------------------------------------------------
# stored results


def _jsonable(value: Any) -> Any:
    """``json.dumps`` default: numpy scalars and arrays, dates, paths, anything else as text."""
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _clean(value: Any) -> Any:
    """NaN and infinities as None (JSON has neither), recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def store(name: str, title: str, rows: list[dict[str, Any]], *, info: dict[str, str],
          argv: list[str], quick: bool, directory: Path | None = None) -> Path:
    """Write ``bench/results/<name>.json``: the rows, the date, the command, the machine."""
    directory = STORE if directory is None else directory
    directory.mkdir(parents=True, exist_ok=True)
    # one round trip through json first turns numpy values into plain ones, then clean
    rows_plain = json.loads(json.dumps(rows, default=_jsonable))
    doc = {
        "name": name, "title": title,
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "command": _command(argv), "quick": quick, "machine": info,
        "rows": _clean(rows_plain),
    }
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    return path


def load_stored(name: str, directory: Path | None = None) -> dict[str, Any] | None:
    """The stored run of a benchmark, or None when there is none (or it does not parse)."""
    path = (STORE if directory is None else directory) / f"{name}.json"
    try:
        doc: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc.get("rows"), list) else None


# ---------------------------------------------------------------------------------------
# targets and the summary


def normalise_targets(raw: Iterable[Any]) -> list[dict[str, Any]]:
    """Targets as dicts with the five keys (5-tuples accepted, in the key order)."""
    out = []
    for t in raw:
        if isinstance(t, dict):
            d = {k: t.get(k, "") for k in TARGET_KEYS}
        else:
            values = list(t)
            if len(values) != len(TARGET_KEYS):
                raise ValueError(f"a target must have {len(TARGET_KEYS)} fields "
                                 f"{TARGET_KEYS}; got {values!r}")
            d = dict(zip(TARGET_KEYS, values, strict=True))
        d["met"] = bool(d["met"])
        out.append(d)
    return out


def missed_targets(module: ModuleType, rows: list[dict[str, Any]]) -> list[str]:
    """The module's ``failed(rows)``, else the targets not met, one line each."""
    if hasattr(module, "failed"):
        return list(module.failed(rows))
    if hasattr(module, "targets"):
        return [f"{t['target']} ({t['where']}): {t['measured']}, limit {t['limit']}"
                for t in normalise_targets(module.targets(rows)) if not t["met"]]
    return []


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def area_summary(name: str, module: ModuleType | None, doc: dict[str, Any] | None,
                 load_error: str | None = None) -> tuple[list[str], int, int]:
    """The summary lines of one area, the targets met and the targets checked."""
    title = getattr(module, "TITLE", None) or (doc or {}).get("title") or name
    lines = [f"### {title}", ""]
    if load_error is not None:
        return [*lines, f"Not summarised: bench/{BENCHMARKS.get(name, name)}.py does not "
                f"import ({load_error}).", ""], 0, 0
    if doc is None:
        return [*lines, f"No stored results (bench/results/{name}.json): run "
                f"`bench/run.py --only {name}`.", ""], 0, 0
    when = (f"_Measured {doc.get('date', '?')}, `{doc.get('command', '?')}`"
            + (" (quick sizes: the targets are stated for the full sizes)"
               if doc.get("quick") else "") + "._")
    lines += [when, ""]
    if module is None or not hasattr(module, "targets"):
        return [*lines, f"No `targets()` in bench/{BENCHMARKS.get(name, name)}.py yet: its "
                "section below states what it checks.", ""], 0, 0
    try:
        checks = normalise_targets(module.targets(doc["rows"]))
    except Exception as err:  # a summary line, not a crash
        return [*lines, f"`targets()` failed on the stored rows: "
                f"{type(err).__name__}: {err}.", ""], 0, 0
    if not checks:
        return [*lines, "No target could be checked on these rows (at these sizes).", ""], 0, 0
    lines += ["| target | where | measured | limit | met |", "|---|---|--:|--:|---|"]
    lines += [f"| {_cell(t['target'])} | {_cell(t['where'])} | {_cell(t['measured'])} | "
              f"{_cell(t['limit'])} | {'yes' if t['met'] else '**NO**'} |" for t in checks]
    met = sum(t["met"] for t in checks)
    lines += ["", f"{met} of {len(checks)} met.", ""]
    return lines, met, len(checks)


def summary(names: Iterable[str] | None = None, directory: Path | None = None,
            modules: dict[str, ModuleType] | None = None) -> str:
    """The "Summary: targets met" section, from every stored JSON file."""
    body: list[str] = []
    overview = ["| area | targets met | last run |", "|---|--:|---|"]
    total_met = total = 0
    for name in names if names is not None else BENCHMARKS:
        module: ModuleType | None = (modules or {}).get(name)
        error = None
        if module is None:
            try:
                module = _load(name)
            except Exception as err:
                error = f"{type(err).__name__}: {err}"
        doc = load_stored(name, directory)
        lines, met, checked = area_summary(name, module, doc, error)
        body += lines
        when = ("not stored" if doc is None else f"{doc.get('date', '?')}"
                + (" (quick)" if doc.get("quick") else ""))
        overview.append(f"| {name} | {f'{met} of {checked}' if checked else '-'} | "
                        f"{when} |")
        total_met += met
        total += checked
    head = [SUMMARY_START, "## Summary: targets met", "",
            "Rebuilt by every `bench/run.py` from the stored rows of each benchmark's last "
            "run (bench/results/*.json), one table per area; the sections below give the "
            "tables, cold and warm, and what each shows.", "",
            f"**{total_met} of {total} targets met.**", "", *overview, ""]
    return "\n".join(head + body).rstrip() + "\n" + SUMMARY_END


def write_results(info: dict[str, str] | None, sections: dict[str, str],
                  summary_text: str | None = None) -> None:
    """Rewrite the header (kept when ``info`` is None), the summary and the given sections."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    kept: dict[str, str] = {}
    for match in re.finditer(r"<!-- bench:(\w+) -->.*?<!-- /bench:\1 -->", old, re.S):
        kept[match.group(1)] = match.group(0)
    old_header = kept.pop("header", None)
    old_summary = kept.pop("summary", None)
    kept.update(sections)
    order = [n for n in BENCHMARKS if n in kept] + [n for n in kept if n not in BENCHMARKS]
    parts = [old_header if info is None and old_header is not None
             else header(info if info is not None else machine())]
    if summary_text is not None or old_summary is not None:
        parts.append(summary_text if summary_text is not None else str(old_summary))
    parts += [kept[n] for n in order]
    RESULTS.write_text("\n\n".join(parts) + "\n")


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes only (SPC: 1M points, no O(n) check)")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS),
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target is missed")
    parser.add_argument("--no-write", action="store_true",
                        help="print the results; write neither RESULTS.md nor bench/results/")
    parser.add_argument("--summary", action="store_true",
                        help="run nothing: rebuild the summary from bench/results/ only")
    args = parser.parse_args(argv)

    info = machine()
    print("\n".join(f"{k:>30}: {v}" for k, v in info.items()), flush=True)
    sections: dict[str, str] = {}
    modules: dict[str, ModuleType] = {}
    fresh: dict[str, dict[str, Any]] = {}
    missed: list[str] = []
    for name in [] if args.summary else (args.only or list(BENCHMARKS)):
        try:
            module = _load(name)
        except Exception as err:
            print(f"\n=== {name}: skipped, bench/{BENCHMARKS[name]}.py does not import: "
                  f"{type(err).__name__}: {err}", flush=True)
            continue
        lacking = missing_interface(module)
        if lacking:
            print(f"\n=== {name}: skipped, bench/{BENCHMARKS[name]}.py lacks "
                  f"{', '.join(lacking)} (the benchmark interface: see bench/README.md)",
                  flush=True)
            continue
        modules[name] = module
        print(f"\n=== {name}: {module.TITLE} ===", flush=True)
        rows = module.run(quick=args.quick)
        body = module.render(rows)
        print("\n" + body, flush=True)
        sections[name] = _section(name, module.TITLE, body, argv)
        missed += [f"{name}: {m}" for m in missed_targets(module, rows)]
        if args.no_write:
            fresh[name] = {"rows": json.loads(json.dumps(rows, default=_jsonable)),
                           "date": info["Date"], "command": _command(argv),
                           "quick": args.quick}
        else:
            path = store(name, module.TITLE, rows, info=info, argv=argv, quick=args.quick)
            print(f"stored {_show(path)}", flush=True)

    if args.no_write:  # the summary of what just ran, nothing stored
        lines: list[str] = []
        for name, doc in fresh.items():
            lines += area_summary(name, modules[name], doc)[0]
        text = "\n".join(lines)
    else:
        text = summary(modules=modules)
    print("\n" + text, flush=True)
    if not args.no_write:
        write_results(None if args.summary else info, sections, text)
        print(f"\nwrote {_show(RESULTS)}")
    if missed:
        print("\nMISSED TARGETS:\n  " + "\n  ".join(missed))
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
