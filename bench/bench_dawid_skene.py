"""Dawid-Skene benchmark: sixsigma.msa.dawid_skene against crowd-kit's DawidSkene.

Data (seeded ``numpy.random.default_rng``): 100,000 items x 10 raters, every rater labels
every item (1,000,000 labels), 5 classes with priors 0.40/0.25/0.15/0.12/0.08; rater r
is right with probability ACCURACY[r] (0.92 down to 0.60) and otherwise gives one of the
other classes by a per-(rater, true class) Dirichlet(1, 1, 1, 1) draw, as in
tests/data/make_dawid_skene_reference.py. Item ids are int64, raters and labels text
("r03", "spam"), in a pandas DataFrame.

* ``sixsigma``: ``ss.msa.dawid_skene(df, "item", "rater", "label")`` (defaults:
  max_iter=100, tol=1e-6, smoothing=0.01); median of ``REPS`` warm calls after a warm-up
  on 10,000 labels; and one call with ``tol=1e-300``, which runs (nearly) all 100 EM
  cycles, to show the cost per cycle.
* ``crowd-kit``: ``DawidSkene(n_iter=100).fit(df)`` (its default tol=1e-5) on the same
  frame (columns renamed task/worker/label), in the throwaway venv /tmp/ck when it exists
  (``python3 -m venv /tmp/ck && /tmp/ck/bin/pip install crowd-kit``): one timed call in a
  subprocess that reads the data from a Parquet file written beforehand (the read is not
  timed). Its labels are compared with ours.

Target (issue 16): 1M labels under 5 s. Not a timed test: run it by hand,
``.venv/bin/python bench/bench_dawid_skene.py`` (``--quick``: 100k labels). The module
follows bench/README.md (``TITLE``, ``run``, ``render``, ``failed``) so that
bench/run.py can register it.
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
CK_PYTHON = Path("/tmp/ck/bin/python")

CK_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import pandas as pd
    import crowdkit
    from crowdkit.aggregation import DawidSkene
    df = pd.read_parquet(sys.argv[1]).rename(columns={"item": "task", "rater": "worker"})
    t = time.perf_counter()
    ds = DawidSkene(n_iter=100).fit(df)
    seconds = time.perf_counter() - t
    ds.labels_.rename("label").rename_axis("item").reset_index().to_parquet(sys.argv[2])
    print(json.dumps({"seconds": seconds, "iterations": len(ds.loss_history_),
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


def _crowdkit(df: pd.DataFrame) -> dict[str, Any] | None:
    if not CK_PYTHON.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "labels.parquet", Path(tmp) / "ck_labels.parquet"
        df.to_parquet(data)
        proc = subprocess.run([str(CK_PYTHON), "-c", CK_SCRIPT, str(data), str(out)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:]}
        row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        row["labels"] = pd.read_parquet(out).set_index("item")["label"]
    return row


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Time both engines on the same data; one row per engine."""
    n_items = QUICK_ITEMS if quick else N_ITEMS
    df = simulate(n_items)
    _ours(simulate(1_000, seed=1))                       # warm-up: imports, first calls
    times, result = [], None
    for _ in range(REPS):
        seconds, result = _ours(df)
        times.append(seconds)
    assert result is not None
    rows: list[dict[str, Any]] = [{
        "engine": "sixsigma", "labels": len(df), "items": n_items,
        "seconds": statistics.median(times), "iterations": result.iterations,
        "converged": result.converged,
    }]
    seconds, full = _ours(df, tol=1e-300)              # (almost) every one of 100 cycles
    rows.append({"engine": "sixsigma, tol=1e-300", "labels": len(df), "items": n_items,
                 "seconds": seconds, "iterations": full.iterations,
                 "converged": full.converged})
    ck = _crowdkit(df)
    if ck is None:
        rows.append({"engine": "crowd-kit", "error": f"{CK_PYTHON} not found"})
    elif "error" in ck:
        rows.append({"engine": "crowd-kit", **ck})
    else:
        agree = float((result.labels == ck.pop("labels").reindex(result.labels.index)).mean())
        rows.append({"engine": f"crowd-kit {ck['version']}", "labels": len(df),
                     "items": n_items, "seconds": ck["seconds"],
                     "iterations": ck["iterations"], "agreement": agree})
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    """A markdown table: one row per engine."""
    lines = ["| engine | labels | items | seconds | EM iterations "
             "| labels agreeing with sixsigma |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['engine']} | | | | | not run: {r['error']} |")
            continue
        agree = f"{r['agreement']:.2%}" if "agreement" in r else ""
        lines.append(f"| {r['engine']} | {r['labels']:,} | {r['items']:,} | "
                     f"{r['seconds']:.2f} | {r['iterations']} | {agree} |")
    miss = failed(rows)
    lines.append("")
    lines.append("Target: 1M labels under 5 s: " + ("FAIL: " + "; ".join(miss) if miss
                                                     else "PASS"))
    return "\n".join(lines)


def failed(rows: list[dict[str, Any]]) -> list[str]:
    """The targets missed."""
    ours = next(r for r in rows if r["engine"] == "sixsigma")
    if ours["seconds"] > TARGET_S:
        return [f"sixsigma took {ours['seconds']:.2f} s on {ours['labels']:,} labels"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--quick", action="store_true", help="100k labels only")
    args = parser.parse_args(argv)
    print(f"## {TITLE}\n")
    print(render(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
