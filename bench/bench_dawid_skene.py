"""Dawid-Skene benchmark: sixsigma.msa.dawid_skene against crowd-kit's DawidSkene.

Data (seeded ``numpy.random.default_rng``): 100,000 items x 10 raters, every rater labels
every item (1,000,000 labels), 5 classes with priors 0.40/0.25/0.15/0.12/0.08; rater r
is right with probability ACCURACY[r] (0.92 down to 0.60) and otherwise gives one of the
other classes by a per-(rater, true class) Dirichlet(1, 1, 1, 1) draw, as in
tests/data/make_dawid_skene_reference.py. Item ids are int64, raters and labels text
("r03", "spam"), in a pandas DataFrame.

Each engine runs in a fresh process that reads the labels from a Parquet file written
beforehand (the read and the imports are not timed):

* ``sixsigma``: ``ss.msa.dawid_skene(df, "item", "rater", "label")`` (defaults:
  max_iter=100, tol=1e-6, smoothing=0.01): **cold**, the first call in the process; **warm**,
  the median of ``REPS`` further calls; and one call with ``tol=1e-300``, which runs
  (nearly) all 100 EM cycles, to show the cost per cycle.
* ``crowd-kit`` (the alternative a user would pick): ``DawidSkene(n_iter=100).fit(df)``
  (its default tol=1e-5) on the same frame (columns renamed task/worker/label), in the
  throwaway venv /tmp/ck when it exists (``python3 -m venv /tmp/ck && /tmp/ck/bin/pip
  install crowd-kit``): cold (first fit in the process) and warm (median of ``REPS``
  further fits). Its labels are compared with ours.

Target (issue 16): 1M labels under 5 s (warm and cold); checked too: faster than
crowd-kit, and the same labels on at least 99.9 % of the items. Run it with
``.venv/bin/python bench/run.py --only dawid_skene`` or by hand,
``.venv/bin/python bench/bench_dawid_skene.py`` (``--quick``: 100k labels).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import dict_table, missed_dicts, target, worker

TITLE = "Dawid-Skene: sixsigma.msa.dawid_skene vs crowd-kit DawidSkene"
SEED = 20261206
N_ITEMS = 100_000
QUICK_ITEMS = 10_000
N_RATERS = 10
CLASSES = ("abuse", "hate", "ok", "spam", "violent")
PRIORS = np.array([0.12, 0.08, 0.40, 0.25, 0.15])
ACCURACY = np.linspace(0.92, 0.60, N_RATERS)
REPS = 3
TARGET_S = 5.0
MIN_AGREEMENT = 0.999
CK_PYTHON = Path("/tmp/ck/bin/python")

CK_SCRIPT = textwrap.dedent("""
    import json, statistics, sys, time
    import pandas as pd
    import crowdkit
    from crowdkit.aggregation import DawidSkene
    df = pd.read_parquet(sys.argv[1]).rename(columns={"item": "task", "rater": "worker"})
    times = []
    for _ in range(1 + int(sys.argv[3])):
        t = time.perf_counter()
        ds = DawidSkene(n_iter=100).fit(df)
        times.append(time.perf_counter() - t)
    ds.labels_.rename("label").rename_axis("item").reset_index().to_parquet(sys.argv[2])
    print(json.dumps({"cold_s": times[0], "seconds": statistics.median(times[1:]),
                      "iterations": len(ds.loss_history_),
                      "version": crowdkit.__version__}))
""")


def simulate(n_items: int, seed: int = SEED) -> pd.DataFrame:
    """The seeded labels: every rater labels every item."""
    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    conf = np.zeros((N_RATERS, k, k))
    for r in range(N_RATERS):
        for c in range(k):
            off = rng.dirichlet(np.ones(k - 1)) * (1 - ACCURACY[r])
            conf[r, c] = np.insert(off, c, ACCURACY[r])
    truth = rng.choice(k, size=n_items, p=PRIORS)
    items = np.repeat(np.arange(n_items, dtype=np.int64), N_RATERS)
    raters = np.tile(np.arange(N_RATERS), n_items)
    cum = np.cumsum(conf[raters, truth[items]], axis=1)
    given = (rng.random(items.size)[:, None] > cum).sum(axis=1)
    rater_names = np.array([f"r{j:02d}" for j in range(N_RATERS)], dtype=object)
    return pd.DataFrame({"item": items, "rater": rater_names[raters],
                         "label": np.asarray(CLASSES, dtype=object)[given]})


def _ours(df: pd.DataFrame, **options: Any) -> tuple[float, Any]:
    import sixsigma as ss

    t = time.perf_counter()
    r = ss.msa.dawid_skene(df, "item", "rater", "label", **options)
    return time.perf_counter() - t, r


def measure(data: str, out: str) -> dict[str, Any]:
    """In a fresh process: cold call, REPS warm calls, the tol=1e-300 call; labels to out."""
    df = pd.read_parquet(data)
    import sixsigma  # noqa: F401  (imports are not part of the call)

    cold, result = _ours(df)
    times = []
    for _ in range(REPS):
        seconds, result = _ours(df)
        times.append(seconds)
    full_s, full = _ours(df, tol=1e-300)              # (almost) every one of 100 cycles
    result.labels.rename("label").rename_axis("item").reset_index().to_parquet(out)
    return {"cold_s": cold, "seconds": statistics.median(times),
            "iterations": result.iterations, "converged": bool(result.converged),
            "full_s": full_s, "full_iterations": full.iterations,
            "full_converged": bool(full.converged)}


def _crowdkit(data: Path, out: Path) -> dict[str, Any] | None:
    if not CK_PYTHON.exists():
        return None
    proc = subprocess.run([str(CK_PYTHON), "-c", CK_SCRIPT, str(data), str(out), str(REPS)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": " / ".join(proc.stderr.strip().splitlines()[-1:])}
    row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return row


def _labels(path: Path) -> pd.Series:
    return pd.read_parquet(path).set_index("item")["label"]


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Time both engines on the same data, each in a fresh process; one row per engine."""
    n_items = QUICK_ITEMS if quick else N_ITEMS
    df = simulate(n_items)
    size = {"labels": len(df), "items": n_items}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data, ours_out, ck_out = (Path(tmp) / f for f in ("labels.parquet", "ours.parquet",
                                                          "ck.parquet"))
        df.to_parquet(data)
        print(f"  sixsigma   {len(df):>11,} labels ...", end="", file=sys.stderr, flush=True)
        ours = worker(__file__, str(data), str(ours_out), timeout=1800)
        print(f" {ours.get('error') or format(ours['seconds'], '.2f') + ' s'}",
              file=sys.stderr, flush=True)
        if "error" in ours:
            rows.append({"engine": "sixsigma", **size, **ours})
        else:
            rows.append({"engine": "sixsigma", **size, "cold_s": ours["cold_s"],
                         "seconds": ours["seconds"], "iterations": ours["iterations"],
                         "converged": ours["converged"]})
            rows.append({"engine": "sixsigma, tol=1e-300", **size, "cold_s": None,
                         "seconds": ours["full_s"], "iterations": ours["full_iterations"],
                         "converged": ours["full_converged"]})
        print(f"  crowd-kit  {len(df):>11,} labels ...", end="", file=sys.stderr, flush=True)
        ck = _crowdkit(data, ck_out)
        if ck is None:
            rows.append({"engine": "crowd-kit", "error": f"{CK_PYTHON} not found"})
        elif "error" in ck:
            rows.append({"engine": "crowd-kit", **ck})
        else:
            row = {"engine": f"crowd-kit {ck['version']}", **size, "cold_s": ck["cold_s"],
                   "seconds": ck["seconds"], "iterations": ck["iterations"]}
            if "error" not in ours:
                mine = _labels(ours_out)
                row["agreement"] = float((mine == _labels(ck_out).reindex(mine.index)).mean())
            rows.append(row)
        print(f" {rows[-1].get('error') or format(rows[-1]['seconds'], '.2f') + ' s'}",
              file=sys.stderr, flush=True)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    """A markdown table: one row per engine, then the targets."""
    lines = ["Each engine in a fresh process: cold, its first call; warm, the median of "
             f"{REPS} further calls.", "",
             "| engine | labels | items | cold s | warm s | EM iterations "
             "| labels agreeing with sixsigma |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['engine']} | | | | | | not run: {r['error']} |")
            continue
        agree = f"{r['agreement']:.2%}" if "agreement" in r else ""
        cold = "" if r.get("cold_s") is None else f"{r['cold_s']:.2f}"
        lines.append(f"| {r['engine']} | {r['labels']:,} | {r['items']:,} | {cold} | "
                     f"{r['seconds']:.2f} | {r['iterations']} | {agree} |")
    checked = targets(rows)
    if checked:
        lines += dict_table(checked)
    miss = [t for t in checked if not t["met"]]
    lines += ["", "**What this shows.** " + (
        "No target could be judged." if not checked
        else f"{len(miss)} of {len(checked)} targets missed." if miss
        else f"All {len(checked)} targets are met.")]
    return "\n".join(lines)


def _engine(rows: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["engine"] == prefix
                 or r["engine"].startswith(prefix + " ")), None)


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Under 5 s cold and warm (at 1M labels), faster than crowd-kit, the same labels."""
    ours = _engine(rows, "sixsigma")
    ck = next((r for r in rows if r["engine"].startswith("crowd-kit")), None)
    if ours is None:
        return []
    if "error" in ours:
        return [target("ran", "sixsigma", ours["error"][:80], "no error", False)]
    where = f"{ours['labels']:,} labels"
    out = []
    if ours["labels"] >= 1_000_000:  # the time target is stated for 1M labels
        out.append(target("wall time, warm", where, f"{ours['seconds']:.2f} s",
                          f"< {TARGET_S:g} s", ours["seconds"] < TARGET_S))
    if ours["labels"] >= 1_000_000 and ours.get("cold_s") is not None:
        out.append(target("wall time, cold (first call in a fresh process)", where,
                          f"{ours['cold_s']:.2f} s", f"< {TARGET_S:g} s",
                          ours["cold_s"] < TARGET_S))
    if ck is None or "error" in ck:
        out.append(target("crowd-kit measured in the same run", where,
                          "not run" if ck is None else ck["error"][:80], "ran", False))
        return out
    out.append(target("faster than crowd-kit DawidSkene (warm / cold)", where,
                      f"{ck['seconds'] / ours['seconds']:.1f}x / "
                      f"{ck['cold_s'] / ours['cold_s']:.1f}x", ">= 1x",
                      ck["seconds"] >= ours["seconds"]))
    if "agreement" in ck:
        out.append(target("same labels as crowd-kit", where, f"{ck['agreement']:.2%}",
                          f">= {MIN_AGREEMENT:.1%}", ck["agreement"] >= MIN_AGREEMENT))
    return out


def failed(rows: list[dict[str, Any]]) -> list[str]:
    """The targets missed."""
    return missed_dicts(targets(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--quick", action="store_true", help="100k labels only")
    parser.add_argument("--worker", nargs=2, metavar=("DATA", "OUT"),
                        help="time sixsigma on the labels in DATA in this process; JSON")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(*args.worker)))
        return 0
    print(f"## {TITLE}\n")
    print(render(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
