"""Every tollgate check, passing and failing; advance, refusals and overrides."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from _cases import calibration, post_update, pvalue_result, staged
from _typed import needs_typed

import dmaic
import sixsigma as ss
from dmaic.model import Override
from dmaic.tollgates import CHECKS, Thresholds, check_tollgate
from sixsigma.msa import fleiss_kappa


def test_complete_case_passes_every_check(complete):
    for phase, checks in CHECKS.items():
        report = complete.tollgate(phase)
        assert [c.name for c in report.checks] == [f.__name__ for f in checks]
        assert report.passed, report.summary()
        assert all(c.reason for c in report.checks)


def _remove_role(p, role):
    p.set("define.charter.team", [m for m in p.model_dump()["define"]["charter"]["team"]
                                  if m["role"] != role])


def _drop_ctq_from_voc(p):
    p.set("define.voc.1.ctqs", ["wrong_policy_rate"])


def _fewer_points(p):
    post = post_update().iloc[:19]
    p.attach("baseline_errors", ss.spc.laney_p(post, defectives="errors", size="audited"),
             data=post)


def _poor_agreement(p):
    cal = calibration(0.55, seed=3)
    p.attach("qa_calibration", fleiss_kappa(cal, item="item_id", rater="rater",
                                            rating="rating"), data=cal)


def _wrong_direction_chart(p):
    data = staged(post_update(), 0.02)
    p.attach("pilot_chart", ss.spc.laney_p(data, defectives="wrong_policy", size="audited",
                                           stage="period"), data=data)


def _unstaged_chart(p):
    data = staged(post_update(), 0.008)
    p.attach("pilot_chart", ss.spc.laney_p(data, defectives="wrong_policy", size="audited"),
             data=data)


FAILURES = [
    # (phase, check, mutation, words expected in the reason)
    ("define", "charter_complete",
     lambda p: p.set("define.charter.business_case", None), "business case"),
    ("define", "charter_complete", lambda p: _remove_role(p, "sponsor"), "sponsor"),
    ("define", "charter_complete",
     lambda p: p.set("define.charter.milestones",
                     p.model_dump()["define"]["charter"]["milestones"][:4]),
     "milestones for control"),
    ("define", "sipoc_complete", lambda p: p.set("define.sipoc.customers", []), "customers"),
    ("define", "voc_traced", _drop_ctq_from_voc, "error_rate"),
    ("define", "voc_traced", lambda p: p.set("define.voc", []), "no voice"),
    ("define", "ctqs_measurable", lambda p: p.set("define.ctqs.1.unit", None),
     "error_rate lacks unit"),
    ("define", "ctqs_measurable",
     lambda p: [p.set(f"define.ctqs.1.{k}", None) for k in ("usl", "target")],
     "spec limit or target"),
    ("measure", "data_collection", lambda p: p.set("measure.data_collection", []),
     "no data collection plan"),
    ("measure", "baseline_subgroups", _fewer_points, "19 points, fewer than 20"),
    ("measure", "baseline_subgroups", lambda p: p.set("measure.baselines.1.chart", None),
     "no attached control chart"),
    ("measure", "baseline_subgroups",
     lambda p: p.set("measure.baselines.1.chart", "capability_errors"),
     "not a chart"),
    ("measure", "measurement_system", _poor_agreement, "needs >= 0.7"),
    ("measure", "measurement_system", lambda p: p.set("measure.msa", []), "no measurement"),
    ("measure", "measurement_system",
     lambda p: p.set("measure.msa.0.evidence", "tenure_test"), "not a measurement-system"),
    ("measure", "baseline_capability", lambda p: p.set("measure.baselines.0.capability", None),
     "wrong_policy_rate has no capability"),
    ("analyze", "fishbone_populated", lambda p: p.set("analyze.fishbone.effect", None),
     "needs an effect"),
    ("analyze", "verified_root_cause",
     lambda p: p.attach("tenure_test", pvalue_result(0.2)), "no attached evidence with p <"),
    ("analyze", "verified_root_cause",
     lambda p: p.set("analyze.root_causes.0.status", "hypothesized"), "no verified"),
    ("improve", "solution_selected", lambda p: p.set("improve.solutions.0.selected", False),
     "no solution selected"),
    ("improve", "solution_selected",
     lambda p: p.set("improve.solutions.2.selected", True), "sol_picker"),
    ("improve", "fmea_actions", lambda p: p.set("improve.fmea.1.action", None),
     "high action priority without an action"),
    ("improve", "fmea_actions", lambda p: p.set("improve.fmea", []), "no FMEA"),
    ("improve", "pilot_significant", lambda p: p.attach("pilot_test", pvalue_result(0.3)),
     "not below 0.05"),
    ("improve", "pilot_significant", lambda p: p.set("improve.pilot.result.after", 0.013),
     "wrong way"),
    ("improve", "pilot_significant", lambda p: p.set("improve.pilot.result", None),
     "no result"),
    ("improve", "staged_chart_shift", _wrong_direction_chart, "but lower is better"),
    ("improve", "staged_chart_shift", _unstaged_chart, "needs 2"),
    ("improve", "staged_chart_shift", lambda p: p.set("improve.pilot.result.chart", None),
     "no staged control chart"),
    ("control", "control_plan_covers_ctqs",
     lambda p: p.set("control.plan", p.model_dump()["control"]["plan"][:1]), "error_rate"),
    ("control", "limits_frozen", lambda p: p.set("control.plan.1.limits", None),
     "no frozen limits"),
    ("control", "limits_frozen",
     lambda p: p.set("control.plan.1.limits.evidence", "capability_errors"),
     "not an attached chart"),
    ("control", "control_plan_complete", lambda p: p.set("control.plan.0.owner", None),
     "lacks owner"),
    ("control", "handover", lambda p: p.set("control.handover.accepted", False),
     "acceptance"),
]


@pytest.mark.parametrize(("phase", "name", "mutate", "words"), FAILURES,
                         ids=[f"{f[1]}-{i}" for i, f in enumerate(FAILURES)])
def test_check_fails_with_its_reason(complete, phase, name, mutate, words):
    mutate(complete)
    report = complete.tollgate(phase)
    assert not report.passed
    failed = [c.name for c in report.failed]
    # one check fails; without a pilot result, both pilot checks do
    assert failed == [name] or failed == ["pilot_significant", "staged_chart_shift"], failed
    assert words in report[name].reason


def test_every_check_has_a_failing_case():
    tested = {f[1] for f in FAILURES}
    assert tested == {f.__name__ for fs in CHECKS.values() for f in fs}


def test_pilot_significant_falls_back_to_the_staged_chart(complete):
    complete.set("improve.pilot.result.test", None)
    check = complete.tollgate("improve")["pilot_significant"]
    assert check.passed and "no test attached" in check.reason


def test_planned_evidence_does_not_count(example):
    report = example.tollgate("measure")
    assert not report["baseline_subgroups"].passed
    assert "planned" in report["baseline_subgroups"].reason


def test_alpha_threshold(complete):
    complete.attach("tenure_test", pvalue_result(0.03))
    assert complete.tollgate("analyze").passed
    assert not complete.tollgate("analyze", alpha=0.01).passed


@pytest.mark.parametrize(("result", "ok"), [
    ({"kind": "krippendorff_alpha", "alpha": 0.85}, True),
    ({"kind": "krippendorff_alpha", "alpha": 0.75}, False),   # Krippendorff: >= 0.8
    ({"kind": "cohen_kappa", "kappa": 0.70}, True),
    ({"kind": "gage_rr", "pct_grr": 29.9}, True),
    ({"kind": "gage_rr", "ndc": 7}, False),                    # no %GRR reported
])
def test_measurement_system_kinds(complete, result, ok):
    complete.attach("qa_calibration", result)
    assert complete.tollgate("measure")["measurement_system"].passed is ok


def _gage(noise: float):
    rng = np.random.default_rng(3)
    parts = np.repeat(np.arange(10), 6)
    operators = np.tile(np.repeat(["a", "b", "c"], 2), 10)
    value = parts * 1.0 + rng.normal(0, noise, parts.size)
    return ss.msa.gage_rr(pd.DataFrame({"part": parts, "operator": operators, "y": value}),
                          part="part", operator="operator", value="y")


@needs_typed(ss.msa.GageRR)
@pytest.mark.parametrize(("noise", "ok"), [(0.05, True), (3.0, False)])
def test_measurement_system_reads_a_typed_gage_study(complete, noise, ok):
    study = _gage(noise)
    pct = float(study.components.loc["gage_rr", "pct_study_var"])
    assert (pct < 30) is ok
    complete.attach("qa_calibration", study)
    check = complete.tollgate("measure")["measurement_system"]
    assert check.passed is ok and f"%GRR {pct:.1f} %" in check.reason


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="alpha"):
        Thresholds(alpha=1.5)
    with pytest.raises(ValueError, match="phase"):
        check_tollgate(dmaic.Project(title="t"), "deploy")  # type: ignore[arg-type]


def test_report_conversions(complete):
    report = complete.tollgate("measure")
    frame = report.to_frame()
    assert list(frame.columns) == ["name", "passed", "reason"] and frame["passed"].all()
    import json
    assert json.loads(json.dumps(report.to_dict()))["passed"] is True
    assert "measure tollgate: passed" in report._repr_html_()
    name, passed, reason = report.checks[0]
    assert (name, passed) == ("data_collection", True)


# -- advance ----------------------------------------------------------------------------------
def test_advance_through_every_phase(complete):
    for expected in ("measure", "analyze", "improve", "control", "closed"):
        step = complete.advance()
        assert complete.phase == expected == step.to_stage
        assert step.override is None
    assert [t.from_stage for t in complete.transitions] == list(CHECKS)
    with pytest.raises(ValueError, match="closed"):
        complete.advance()
    with pytest.raises(ValueError, match="closed"):
        complete.tollgate()


def test_advance_refuses_an_unmet_gate(example):
    example.advance()
    with pytest.raises(dmaic.TollgateNotPassedError) as info:
        example.advance()
    err = info.value
    assert example.phase == "measure" and len(example.transitions) == 1
    assert [c.name for c in err.report.failed] == ["baseline_subgroups", "measurement_system",
                                                   "baseline_capability"]
    assert "measure tollgate is not passed (3 of 4 checks failed" in str(err)
    assert "measurement_system: 'qa_calibration' has no result attached" in str(err)
    assert isinstance(err, dmaic.DmaicError)


def test_override_is_recorded(example, tmp_path):
    example.advance()
    before = dt.datetime.now(dt.UTC)
    step = example.advance(override=Override(by="Dana Okafor", reason="charts next week"))
    assert example.phase == "analyze"
    record = example.overrides[0]
    assert step.override == record
    assert (record.by, record.reason) == ("Dana Okafor", "charts next week")
    assert record.at <= step.at and step.at >= before
    assert [f.name for f in record.failed] == ["baseline_subgroups", "measurement_system",
                                               "baseline_capability"]
    assert "has no result attached" in record.failed[1].reason
    # the override survives a save and a load
    example.save(tmp_path / "case.yaml")
    again = dmaic.load(tmp_path / "case.yaml")
    assert again.overrides == example.overrides


def test_override_needs_who_and_why():
    with pytest.raises(Exception) as info:
        Override(by=" ", reason="")
    assert {e["loc"] for e in info.value.errors()} == {("by",), ("reason",)}


def test_unneeded_override_is_not_recorded(complete):
    step = complete.advance(override=Override(by="x", reason="y"))
    assert step.override is None and complete.overrides == []
