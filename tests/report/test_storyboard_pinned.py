"""The storyboard of the shipped example project, pinned: its text and its key figures.

Written before the report code moved to ``sixsigma.report`` (issue 13) and kept passing
after it: the shipped example must render the same headings, figures and table cells.
Two projects are pinned: the example as shipped (every evidence planned) and the example
with its chart, sigma-metrics and kappa evidence computed from the bundled data.

Regenerate a golden file only when a change of output is intended:
``SIXSIGMA_REGOLD=1 pytest tests/report/test_storyboard_pinned.py``.
"""

from __future__ import annotations

import html as _html
import importlib
import json
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dmaic
import sixsigma as ss
import sixsigma.flow
import sixsigma.rootcause  # noqa: F401
from dmaic.report import storyboard

GOLDEN = Path(__file__).parent / "golden"
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_TAG = re.compile(r"<[^>]+>")
_FACT = re.compile(r'<li><span class="label">(.*?)</span><span class="value[^"]*">(.*?)</span>'
                   r"</li>")
_HEAD = re.compile(r"<h([1-4])[^>]*>(.*?)</h\1>", re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_VOLATILE = [(re.compile(r"attached \d{4}-\d\d-\d\d \d\d:\d\d UTC"), "attached <time>"),
             (re.compile(r"fingerprint [0-9a-f]{12}"), "fingerprint <digest>")]


def _text(fragment: str) -> str:
    out = _html.unescape(_TAG.sub("", fragment))
    for pattern, repl in _VOLATILE:
        out = pattern.sub(repl, out)
    return " ".join(out.split())


def digest(page: str) -> dict[str, list[str]]:
    """Headings, key figures (label = value) and table cells of a report, in order."""
    body = _SVG.sub("", page[page.index("<body>"):page.index("<footer>")])
    return {"headings": [_text(m.group(2)) for m in _HEAD.finditer(body)],
            "facts": [f"{_text(a)} = {_text(b)}" for a, b in _FACT.findall(body)],
            "cells": [_text(c) for c in _CELL.findall(body)],
            "text": [line for line in (_text(x) for x in body.split("\n")) if line]}


def _example() -> dmaic.Project:
    text = resources.files("dmaic").joinpath("examples/policy_update_case.yaml").read_text(
        encoding="utf-8")
    return dmaic.loads(text, "yaml")


def _with_results() -> dmaic.Project:
    project = _example()
    days = ss.datasets.load("daily_audits").audits
    days = days[days["day"] >= pd.Timestamp("2026-03-26")].reset_index(drop=True)
    for eid in ("baseline_wrong_policy", "baseline_errors"):
        ev = project.evidence[eid]
        project.attach(eid, ev.rerun(days), data=days)
    for eid, col in (("capability_wrong_policy", "wrong_policy"),
                     ("capability_errors", "errors")):
        # positional: the defect count is the first parameter before and after the rename
        project.attach(eid, ss.capability.sigma_metrics(int(days[col].sum()),
                                                        int(days["audited"].sum())),
                       data=days[[col, "audited"]])
    cal = ss.datasets.load("policy_update").calibration
    cal = cal[(cal["round"] == 6) & (cal["trial"] == 1)].reset_index(drop=True)
    project.attach("qa_calibration", project.evidence["qa_calibration"].rerun(cal), data=cal)
    return project


def _check(name: str, got: dict[str, list[str]]) -> None:
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SIXSIGMA_REGOLD"):
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    for key in ("headings", "facts", "cells"):
        assert got[key] == want[key], key


def test_shipped_example_as_planned():
    page = storyboard(_example())
    assert page.count("<svg") == 0
    got = digest(page)
    _check("policy_update_case_planned", got)
    want = json.loads((GOLDEN / "policy_update_case_planned.json").read_text(encoding="utf-8"))
    assert got["text"] == want["text"]          # every visible line, as shipped


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_shipped_example_with_results():
    page = storyboard(_with_results())
    assert page.count("<svg") == 3      # the two baseline charts and kappa by category
    got = digest(page)
    _check("policy_update_case_results", got)
    assert got["facts"].count("points = 40") == 2


def _every_kind() -> dict[str, object]:
    importlib.import_module("sixsigma.hypothesis")   # ss.hypothesis.compare below

    ds = ss.datasets.load("policy_update")
    audits = ds.audits[ds.audits["qa_decision"].notna()].iloc[:3000]
    audits = audits.assign(e=(audits["error_type"] != "").astype(int),
                           half=np.where(np.arange(len(audits)) < 1500, "before", "after"))
    events = ds.events[ds.events["case_id"].isin(audits["item_id"])]
    days = ss.datasets.load("daily_audits").audits
    cal = ds.calibration[ds.calibration["round"] == 6]
    one = cal[cal["trial"] == 1]
    pm = ss.flow.discover(events, "case_id", "activity", "timestamp")
    x = audits["handle_seconds"].to_numpy()[:400]
    pair = one.pivot_table(index="item_id", columns="rater", values="rating", aggfunc="first")
    return {
        "p": ss.spc.laney_p(days, defectives="errors", size="audited", label="day",
                            rules="nelson"),
        "imr": ss.spc.imr(days, value="median_handle_seconds", label="day"),
        "cusum": ss.spc.cusum(days, value="median_handle_seconds"),
        "capability": ss.capability.capability(x, lsl=5, usl=400),
        "percentile": ss.capability.percentile_capability(x, usl=400),
        "sigma": ss.capability.sigma_metrics(30, 1000),
        "pareto": ss.pareto.pareto(audits, "error_type"),
        "agreement": ss.msa.attribute_agreement(cal, item="item_id", rater="rater",
                                                rating="rating", standard="standard",
                                                trial="trial"),
        "fleiss": ss.msa.fleiss_kappa(one, item="item_id", rater="rater", rating="rating"),
        "cohen": ss.msa.cohen_kappa(pair.reset_index(), str(pair.columns[0]),
                                    str(pair.columns[1])),
        "alpha": ss.msa.krippendorff_alpha(one, item="item_id", rater="rater",
                                           rating="rating"),
        "process_map": pm,
        "hotspots": ss.flow.hotspots(events, audits, process_map=pm),
        "scan": ss.rootcause.segment_scan(audits, "e", ["queue", "market"]),
        "change": ss.rootcause.explain_change(audits, "e", "half", ["queue"],
                                              before="before", after="after"),
        "test": ss.hypothesis.compare(audits, "e", "half"),
    }


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_saved_and_loaded_project_renders_the_same_storyboard(tmp_path):
    project = dmaic.Project(title="Evidence of every kind")
    for eid, result in _every_kind().items():
        project.attach(eid, result, description=f"{eid} evidence")
    before = storyboard(project)
    path = tmp_path / "case.yaml"
    project.save(path)
    after = storyboard(dmaic.load(path))
    assert after.count("<svg") == before.count("<svg") == 11
    # saving bumps the revision (the storyboard's header says which): nothing else changes
    revision = re.compile(r"revision \d+")
    a, b = (digest(revision.sub("revision <n>", page)) for page in (before, after))
    for key in ("headings", "facts", "cells", "text"):
        assert a[key] == b[key], key
