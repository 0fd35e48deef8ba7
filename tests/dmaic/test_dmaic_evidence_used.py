"""Issue 15 item 12: evidence records the size the analysis used, and a scan tests a cause.

The size (units) and the groups come from the result, not from the table passed as
``data=`` (which may be a summary of other rows: "data: 56 rows" for a test on 782 items);
a segment scan attached to a root cause verifies it with the segment's q-value.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import dmaic
import sixsigma as ss
from dmaic.evidence import attach


@pytest.fixture(scope="module")
def audits() -> pd.DataFrame:
    au = ss.datasets.load("policy_update").audits
    return au.assign(error=(au["decision"] != au["qa_decision"]).astype(int),
                     tenure=np.where(au["tenure_days"] < 30, "<30d", ">=30d"))


@pytest.fixture(scope="module")
def scan(audits: pd.DataFrame) -> ss.rootcause.SegmentScan:
    return ss.rootcause.segment_scan(audits, "error", ["queue", "tenure"])


def test_a_test_records_the_items_it_used_not_the_rows_passed(audits):
    items = audits.iloc[:782]
    daily = items.groupby("day", as_index=False)["error"].sum().head(56)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        test = ss.hypothesis.compare(items, "error", "tenure")
    ev = attach(test, data=daily)
    assert ev.fingerprint is not None and ev.fingerprint.rows == len(daily)
    assert (ev.size, ev.groups) == (782, 2)
    assert ev.data_used == "782 units in 2 groups"


def test_a_scan_records_units_and_cells(scan):
    ev = attach(scan)
    assert (ev.size, ev.groups) == (13405, len(scan.cells))


def test_a_chart_records_units_and_subgroups():
    daily = ss.datasets.load("daily_audits").audits
    chart = ss.spc.p_chart(daily, "errors", size="audited")
    ev = attach(chart)
    assert ev.size == int(daily["audited"].sum()) and ev.groups == len(daily)
    assert ev.data_used == f"{ev.size:,} units in {len(daily)} subgroups"


def test_pareto_records_its_categories():
    au = ss.datasets.load("policy_update").audits
    wrong = au[au["error_type"] != ""]
    ev = attach(ss.pareto.pareto(wrong, "error_type"))
    assert ev.size == len(wrong) and ev.groups == wrong["error_type"].nunique()


def test_size_and_groups_survive_a_save(scan, tmp_path):
    project = dmaic.Project(title="t")
    project.attach("scan", scan)
    project.save(tmp_path / "p.yaml")
    ev = dmaic.load(tmp_path / "p.yaml").evidence["scan"]
    assert (ev.size, ev.groups) == (13405, len(scan.cells))


# -- a segment scan tests a root cause ----------------------------------------------------
def test_a_scan_gives_the_q_value_of_its_first_cause(scan):
    ev = attach(scan)
    assert ev.p_value == pytest.approx(float(scan.causes["q_at_pick"].iloc[0]))
    assert ev.p_value_for("queue=harassment") == pytest.approx(
        float(scan.causes.set_index("segment").loc["queue=harassment", "q_at_pick"]))
    not_a_cause = scan.segments[scan.segments["status"] != "cause"].iloc[0]
    assert ev.p_value_for(not_a_cause["segment"]) == pytest.approx(not_a_cause["q_value"])
    with pytest.raises(dmaic.EvidenceError, match="no segment 'queue=nowhere'"):
        ev.p_value_for("queue=nowhere")


def _project_with_cause(scan, segment=None):
    project = dmaic.Project(title="Errors of new reviewers")
    project.set("analyze.fishbone.effect", "errors")
    project.append("analyze.fishbone.categories.0.causes", "short tenure")
    project.attach("scan", scan)
    cause = {"id": "tenure", "statement": "new reviewers in hate speech",
             "category": "People", "status": "verified", "evidence": ["scan"]}
    if segment is not None:
        cause["segment"] = segment
    project.append("analyze.root_causes", cause)
    return project


def test_a_scan_verifies_a_root_cause(scan):
    project = _project_with_cause(scan)
    check = project.tollgate("analyze")["verified_root_cause"]
    assert check.passed, check.reason
    assert "q = " in check.reason and "'scan'" in check.reason


def test_a_root_cause_names_its_segment(scan):
    project = _project_with_cause(scan, segment="queue=harassment & tenure=<30d")
    assert project.root_cause_tests("tenure") == [
        ("scan", pytest.approx(float(scan.causes.set_index("segment").loc[
            "queue=harassment & tenure=<30d", "q_at_pick"])))]
    assert project.tollgate("analyze")["verified_root_cause"].passed


def test_a_segment_the_scan_does_not_hold_fails_the_check(scan):
    project = _project_with_cause(scan, segment="queue=nowhere")
    check = project.tollgate("analyze")["verified_root_cause"]
    assert not check.passed and "no segment 'queue=nowhere'" in check.reason


def test_older_evidence_gains_its_size_on_load(scan, tmp_path):
    project = dmaic.Project(title="t")
    project.attach("scan", scan)
    doc = project.model_dump(mode="json")
    doc["evidence"]["scan"].update(size=None, groups=None)
    doc["evidence"]["scan"].pop("group_name")
    doc["schema_version"] = 3                   # a file written before sizes were recorded
    doc.pop("id")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    ev = dmaic.load(path).evidence["scan"]
    assert ev.data_used == f"13,405 units in {len(scan.cells)} cells"
