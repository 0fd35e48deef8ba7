"""Migration of version-2 project files (hand-written result payloads) to version 3."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from _typed import needs_typed

import dmaic
import sixsigma as ss
from dmaic.migrations import CONVERTIBLE, convert_v2_result, migrate, v2_to_v3

V2 = Path(__file__).parent / "data" / "v2_case.yaml"


def v2_data() -> pd.DataFrame:
    """The data tests/dmaic/data/v2_case.yaml was computed on (written by the v2 code)."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2026-03-02", periods=30)
    n = rng.integers(400, 600, 30)
    return pd.DataFrame({"day": days, "audited": n, "errors": rng.binomial(n, 0.05),
                         "period": ["before"] * 20 + ["after"] * 10})


def test_v2_to_v3_keeps_every_record_readable():
    doc = yaml.safe_load(V2.read_text())
    new = v2_to_v3(doc)
    assert new["schema_version"] == 3 and doc["schema_version"] == 2   # input untouched
    for key, ev in new["evidence"].items():
        assert "summary" not in ev and "result" not in ev
        if key == "planned":
            assert "payload" not in ev and "record" not in ev
        else:
            held = ev.get("payload") or ev.get("record")
            assert held["kind"] == ev["kind"]
    test = new["evidence"]["test"]
    assert test["record"] == {"kind": "hypothesis_test", "test": "two-proportion z",
                              "p_value": 0.004}
    json.dumps(new, allow_nan=False)


def test_v2_file_loads_and_keeps_its_answers():
    project = dmaic.load(V2)
    assert project.schema_version == 5 and project.revision == 1
    assert project.evidence["planned"].planned
    assert project.evidence["test"].p_value == 0.004
    assert project.evidence["test"].result is None


@needs_typed(ss.spc.ControlChart, ss.spc.ChartPair)
def test_v2_charts_become_the_typed_charts_they_were():
    project = dmaic.load(V2)
    data = v2_data()
    params = {"defectives": "errors", "size": "audited", "label": "day"}
    expected = {
        "chart": ss.spc.p_chart(data, **params),
        "staged": ss.spc.laney_p(data, **params, stage="period"),
        "pair": ss.spc.imr(data, value="errors"),
    }
    for key, want in expected.items():
        ev = project.evidence[key]
        assert ev.record is None, key
        assert type(ev.result) is type(want) and ev.result == want, key
    assert project.evidence["staged"].points == 30
    assert [s.name for s in project.evidence["staged"].chart.stages] == ["before", "after"]


@needs_typed(ss.capability.SigmaMetrics)
def test_v2_sigma_metrics_become_typed():
    project = dmaic.load(V2)
    data = v2_data()
    want = ss.capability.sigma_metrics(int(data["errors"].sum()), int(data["audited"].sum()))
    assert project.evidence["sigma"].result == want


def test_unconvertible_kinds_stay_readable_records():
    old = {"kind": "fleiss_kappa", "kappa": 0.41, "by_category": [{"category": "x"}]}
    if "fleiss_kappa" not in CONVERTIBLE:
        assert convert_v2_result(old) is None
    new = migrate({"schema_version": 2, "title": "t", "evidence": {
        "k": {"kind": "fleiss_kappa", "result": old, "summary": {"kappa": 0.41}}}})
    project = dmaic.model.Project.model_validate(new)
    assert project.evidence["k"].record == old
    assert project.evidence["k"].number("kappa") == 0.41


def test_migrated_file_saves_as_the_current_version(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(V2.read_text())
    project = dmaic.load(path)
    project.save(path)
    saved = yaml.safe_load(path.read_text())
    assert saved["schema_version"] == 5 and saved["revision"] == 2
    assert dmaic.load(path) == project


def test_a_v2_gage_study_keeps_its_percent_grr_readable():
    old = {"kind": "gage_rr", "ndc": 5, "components": [
        {"source": "repeatability", "pct_study_var": 20.0},
        {"source": "gage_rr", "pct_study_var": 24.5}]}
    new = migrate({"schema_version": 2, "title": "t", "evidence": {
        "g": {"kind": "gage_rr", "result": old}}})
    project = dmaic.model.Project.model_validate(new)
    assert project.evidence["g"].record == {**old, "pct_grr": 24.5}
    assert project.evidence["g"].number("pct_grr") == 24.5
