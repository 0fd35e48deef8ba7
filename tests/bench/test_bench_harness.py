"""bench/run.py: stored JSON results, the targets summary, modules lacking the interface.

Fast: fake benchmark modules only; no real benchmark runs.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture()
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_run_under_test", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "RESULTS", tmp_path / "RESULTS.md")
    monkeypatch.setattr(mod, "STORE", tmp_path / "results")
    monkeypatch.setattr(mod, "machine", lambda: {"Date": "today", "CPU": "test"})
    benchmarks: dict[str, str] = {}
    monkeypatch.setattr(mod, "BENCHMARKS", benchmarks)

    def register(name: str, **attrs: Any) -> types.ModuleType:
        module = types.ModuleType(f"bench_fake_{name}")
        for key, value in attrs.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        benchmarks[name] = module.__name__
        return module

    mod.register = register
    return mod


def _rows(quick: bool) -> list[dict[str, Any]]:
    return [{"scenario": "a", "seconds": 0.5, "nan": float("nan"), "quick": quick}]


def _targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    s = rows[0]["seconds"]
    return [{"target": "wall time", "where": "a", "measured": f"{s} s", "limit": "< 1 s",
             "met": s < 1},
            {"target": "memory", "where": "a", "measured": "9 MB", "limit": "< 5 MB",
             "met": False}]


def test_run_stores_json_and_builds_the_summary(harness: Any) -> None:
    harness.register("good", TITLE="Good bench", run=_rows, render=lambda rows: "body",
                     targets=_targets)
    harness.register("tuples", TITLE="Tuple bench", run=_rows, render=lambda rows: "b",
                     failed=lambda rows: [],
                     targets=lambda rows: [("speed", "b", "2x", ">= 1x", True)])
    harness.register("notargets", TITLE="Old bench", run=_rows, render=lambda rows: "old",
                     failed=lambda rows: [])
    harness.register("neverrun", TITLE="Never run", run=_rows, render=lambda rows: "x",
                     targets=_targets)
    harness.register("cold", TITLE="Half done")            # lacks run and render
    status = harness.main(["--only", "good", "--only", "tuples", "--only", "notargets",
                           "--only", "cold", "--quick"])
    assert status == 0                                      # missed, but not --strict

    stored = json.loads((harness.STORE / "good.json").read_text())
    assert stored["rows"][0]["nan"] is None and stored["quick"] is True
    assert stored["command"] == ("bench/run.py --only good --only tuples --only notargets "
                                 "--only cold --quick")
    assert stored["machine"]["CPU"] == "test" and stored["date"]
    assert not (harness.STORE / "cold.json").exists()

    text = harness.RESULTS.read_text()
    summary = text[text.index("<!-- bench:summary -->"):text.index("<!-- /bench:summary -->")]
    assert text.index("<!-- /bench:header -->") < text.index("<!-- bench:summary -->")
    assert "**2 of 3 targets met.**" in summary
    assert "| good | 1 of 2 |" in summary and "| neverrun | - | not stored |" in summary
    assert "| wall time | a | 0.5 s | < 1 s | yes |" in summary
    assert "| memory | a | 9 MB | < 5 MB | **NO** |" in summary
    assert "| speed | b | 2x | >= 1x | yes |" in summary
    assert "No `targets()` in bench/bench_fake_notargets.py" in summary
    assert "No stored results (bench/results/neverrun.json)" in summary
    assert "No stored results (bench/results/cold.json)" in summary
    assert "<!-- bench:good -->" in text and "<!-- bench:cold -->" not in text

    # a later run of one benchmark keeps the others' stored rows in the summary
    assert harness.main(["--only", "neverrun", "--strict"]) == 1
    text = harness.RESULTS.read_text()
    assert text.count("<!-- bench:summary -->") == 1
    assert "**3 of 5 targets met.**" in text
    assert "<!-- bench:good -->" in text and "<!-- bench:neverrun -->" in text


def test_no_write_touches_nothing(harness: Any) -> None:
    harness.register("good", TITLE="Good bench", run=_rows, render=lambda rows: "body",
                     targets=_targets)
    assert harness.main(["--only", "good", "--no-write"]) == 0
    assert not harness.RESULTS.exists() and not harness.STORE.exists()


def test_summary_survives_a_broken_targets(harness: Any) -> None:
    def broken(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise KeyError("median_s")

    harness.register("broken", TITLE="Broken", run=_rows, render=lambda rows: "",
                     targets=broken, failed=lambda rows: [])
    assert harness.main(["--only", "broken"]) == 0
    assert "`targets()` failed on the stored rows: KeyError" in harness.RESULTS.read_text()


def test_summary_only_keeps_the_header(harness: Any) -> None:
    harness.register("good", TITLE="Good bench", run=_rows, render=lambda rows: "body",
                     targets=_targets)
    harness.main(["--only", "good"])
    harness.RESULTS.write_text(harness.RESULTS.read_text().replace("| CPU | test |",
                                                                   "| CPU | kept |"))
    assert harness.main(["--summary"]) == 0
    text = harness.RESULTS.read_text()
    assert "| CPU | kept |" in text and "<!-- bench:good -->" in text
    assert "**1 of 2 targets met.**" in text


@pytest.mark.parametrize("name", ["bench_dawid_skene", "bench_datasets", "bench_rootcause",
                                  "bench_design", "bench_screen", "bench_rollout"])
def test_owned_modules_follow_the_protocol(name: str, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    module = importlib.import_module(name)
    for attr in ("TITLE", "run", "render", "failed", "targets"):
        assert hasattr(module, attr), attr
    assert module.targets([]) == []


def test_rollout_targets_and_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    rollout = importlib.import_module("bench_rollout")
    unit = {"unit": "NA", "n_before": 10, "defectives_before": 2, "n_after": 10,
            "defectives_after": 1, "rate_before": 0.2, "rate_after": 0.1, "p_value": 0.5}
    assert rollout.compare([unit], [dict(unit)]) == ""
    assert "p-value" in rollout.compare([unit], [{**unit, "p_value": 0.5001}])
    assert "n_after" in rollout.compare([unit], [{**unit, "n_after": 11}])
    n = rollout.ROWS
    rows = [
        {"scenario": "track[duckdb]", "n": n, "cold_s": 1.0, "median_s": 0.5,
         "peak_mb": 300.0, "agrees_with_alternative": "", "agrees_with_pandas": "",
         "staggered": -0.01, "staggered_ci": [-0.02, 0.0], "pooled": -0.02},
        {"scenario": "track[pandas]", "n": n, "cold_s": 3.0, "median_s": 2.0,
         "peak_mb": 900.0, "agrees_with_alternative": "NA p-value: 0.5 != 0.6"},
        {"scenario": "pandas + statsmodels", "n": n, "cold_s": 4.0, "median_s": 3.0,
         "peak_mb": 900.0, "did": -0.01, "did_se": 0.005},
        {"scenario": "read[pandas]", "n": n, "cold_s": 1.0, "median_s": 0.5, "peak_mb": 1.0},
    ]
    met = {(t["target"], t["where"]): t["met"] for t in rollout.targets(rows)}
    assert all(v for k, v in met.items() if "p-values" not in k[0] or "duckdb" in k[1])
    assert not met[("same per-unit counts, rates, z-test p-values as statsmodels",
                    f"track[pandas] N={n:,}")]
    assert len(met) == 8
    assert "| wall time, warm |" in rollout.render([{**r, "file_mb": 1.0} for r in rows])
