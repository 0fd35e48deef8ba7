"""The shipped example case gives the same tollgate answers before and after issue 13.

Pinned on the code before evidence became typed: the bundled example (planned evidence
only) and the same case with every gate's evidence attached (``_cases.build_complete``).
"""

from __future__ import annotations

import pytest
from _cases import build_complete, example_text
from _typed import needs_case

import dmaic

PHASES = ("define", "measure", "analyze", "improve", "control")

EXAMPLE_GATES = {
    "define": [
        ("charter_complete", True, "charter complete; team of 5, 5 milestones"),
        ("sipoc_complete", True, "SIPOC with 5 process steps"),
        ("voc_traced", True, "2 VOC items cover every CTQ"),
        ("ctqs_measurable", True, "2 CTQs measurable"),
    ],
    "measure": [
        ("data_collection", True, "2 data collection plan lines"),
        ("baseline_subgroups", False,
         "wrong_policy_rate's baseline has no attached control chart ('baseline_wrong_policy' "
         "is planned or not a chart); error_rate's baseline has no attached control chart "
         "('baseline_errors' is planned or not a chart)"),
        ("measurement_system", False, "'qa_calibration' has no result attached"),
        ("baseline_capability", False, "wrong_policy_rate has no capability evidence or "
         "sigma level; error_rate has no capability evidence or sigma level"),
    ],
    "analyze": [
        ("fishbone_populated", True, "7 candidate causes in 6 categories"),
        ("verified_root_cause", False,
         "verified causes ['rc_training'] have no attached evidence with p < 0.05"),
    ],
    "improve": [
        ("solution_selected", True, "selected: ['sol_v3_module']"),
        ("fmea_actions", True, "3 failure modes, 1 of high priority, all with actions"),
        ("pilot_significant", False, "the pilot has no result"),
        ("staged_chart_shift", False, "the pilot has no result"),
    ],
    "control": [
        ("control_plan_covers_ctqs", True, "2 control plan lines"),
        ("limits_frozen", False,
         "line 0 (Daily wrong-policy rate, hate_speech queue) has no frozen limits; line 1 "
         "(Daily audit error rate, hate_speech queue) has no frozen limits"),
        ("control_plan_complete", True, "sampling, reaction plan and owner on every line"),
        ("handover", False, "handover lacks the date, acceptance"),
    ],
}

COMPLETE_GATES = {
    "define": EXAMPLE_GATES["define"],
    "measure": [
        ("data_collection", True, "2 data collection plan lines"),
        ("baseline_subgroups", True, "wrong_policy_rate: 40 points; error_rate: 40 points"),
        ("measurement_system", True, "'qa_calibration': kappa 0.799 (needs >= 0.7)"),
        ("baseline_capability", True, "wrong_policy_rate: sigma_metrics, sigma level 3.75; "
         "error_rate: sigma_metrics, sigma level 2.99"),
    ],
    "analyze": [
        ("fishbone_populated", True, "7 candidate causes in 6 categories"),
        ("verified_root_cause", True, "verified: rc_training (p = 1e-06 in 'tenure_test')"),
    ],
    "improve": [
        ("solution_selected", True, "selected: ['sol_v3_module']"),
        ("fmea_actions", True, "3 failure modes, 1 of high priority, all with actions"),
        ("pilot_significant", True, "wrong_policy_rate 0.0123 -> 0.008, p = 0.0001 < 0.05"),
        ("staged_chart_shift", True,
         "chart 'pilot_chart': centre 0.01233 (baseline) -> 0.008764 (pilot), down"),
    ],
    "control": [
        ("control_plan_covers_ctqs", True, "2 control plan lines"),
        ("limits_frozen", True, "limits frozen on every line"),
        ("control_plan_complete", True, "sampling, reaction plan and owner on every line"),
        ("handover", True, "handed over to Mei Tanaka on 2026-06-26"),
    ],
}

FROZEN = [
    {"center": 0.008763505402160865, "lcl": 0.00012456053879075085,
     "ucl": 0.01810057364727751, "sigma": 0.0932025019794381, "evidence": "pilot_chart",
     "frozen_on": "2026-06-12"},
    {"center": 0.0676121223070322, "lcl": 0.023312658773384932, "ucl": 0.11191158584067946,
     "sigma": 0.25107911745936007, "evidence": "baseline_errors", "frozen_on": "2026-06-12"},
]


def _answers(project: dmaic.Project, phase: str) -> list[tuple[str, bool, str]]:
    return [(c.name, c.passed, c.reason) for c in project.tollgate(phase).checks]


@pytest.mark.parametrize("phase", PHASES)
def test_example_gates_are_pinned(phase):
    assert _answers(dmaic.loads(example_text()), phase) == EXAMPLE_GATES[phase]


@needs_case
@pytest.mark.parametrize("phase", PHASES)
def test_complete_case_gates_are_pinned(phase):
    assert _answers(build_complete(), phase) == COMPLETE_GATES[phase]


@needs_case
def test_complete_case_frozen_limits_are_pinned():
    project = build_complete()
    got = [line.limits.model_dump(mode="json") for line in project.control.plan]
    for g, want in zip(got, FROZEN, strict=True):
        assert {k: v for k, v in g.items() if isinstance(v, str)} == {
            k: v for k, v in want.items() if isinstance(v, str)}
        for key in ("center", "lcl", "ucl", "sigma"):
            assert g[key] == pytest.approx(want[key], rel=1e-12)
