"""The project model: validation errors point at the field, edits are transactional."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

import dmaic
from dmaic.model import FMEARow, FrozenLimits, Project, action_priority
from dmaic.model.improve import AP_TABLE


def locs(err: ValidationError) -> list[tuple]:
    return [e["loc"] for e in err.errors()]


def invalid(example: Project, path: str, value) -> ValidationError:
    data = example.model_dump()
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    with pytest.raises(ValidationError) as info:
        Project.model_validate(data)
    return info.value


@pytest.mark.parametrize(("path", "value", "loc"), [
    # goal worse than baseline (lower is better)
    ("define.charter.goal.target", 0.02, ("define", "charter", "goal", "target")),
    # spec limits in the wrong order
    ("define.ctqs.0.lsl", 0.5, ("define", "ctqs", 0, "usl")),
    # target outside the specs
    ("define.ctqs.1.target", 0.09, ("define", "ctqs", 1, "target")),
    # FMEA score out of range, and not an integer
    ("improve.fmea.0.severity", 11, ("improve", "fmea", 0, "severity")),
    ("improve.fmea.0.occurrence", 4.5, ("improve", "fmea", 0, "occurrence")),
    # selection score out of range
    ("improve.selection.scores.sol_buddy.cost", 0, ("improve", "selection", "scores",
                                                    "sol_buddy", "cost")),
    # unknown CTQ referenced by the control plan
    ("control.plan.0.ctq", "nope", ("control", "plan", 0, "ctq")),
    # unknown evidence referenced by a baseline
    ("measure.baselines.0.chart", "nope", ("measure", "baselines", 0, "chart")),
    # milestone before the start, and out of phase order
    ("define.charter.milestones.4.due", "2026-04-01",
     ("define", "charter", "milestones", 4, "due")),
    # deadline before the start
    ("define.charter.goal.deadline", "2026-01-01", ("define", "charter", "goal", "deadline")),
    # a pilot that ends before it starts
    ("improve.pilot.end", "2026-05-01", ("improve", "pilot", "end")),
    # a root cause in no fishbone category
    ("analyze.root_causes.2.category", "Weather", ("analyze", "root_causes", 2, "category")),
    # verified without evidence
    ("analyze.root_causes.0.evidence", [], ("analyze", "root_causes", 0, "evidence")),
    # a five-whys chain that names an unknown root cause
    ("analyze.five_whys.0.root_cause", "rc_x", ("analyze", "five_whys", 0, "root_cause")),
    # misspelt field
    ("define.charter.problem", "x", ("define", "charter", "problem")),
    # empty text
    ("define.charter.problem_statement", "   ", ("define", "charter", "problem_statement")),
    # bad identifier
    ("define.ctqs.0.id", "has space", ("define", "ctqs", 0, "id")),
    # unknown schema version
    ("schema_version", 6, ("schema_version",)),
    # bad role
    ("define.charter.team.0.role", "boss", ("define", "charter", "team", 0, "role")),
    # a duplicated fishbone category
    ("analyze.fishbone.categories.1.name", "people",
     ("analyze", "fishbone", "categories", 1, "name")),
    # selection matrix scoring an unknown solution
    ("improve.selection.scores.sol_x", {"cost": 1, "effect on wrong-policy rate": 1,
                                        "time to implement": 1},
     ("improve", "selection", "scores", "sol_x")),
])
def test_invalid_document_points_at_the_field(example, path, value, loc):
    err = invalid(example, path, value)
    assert loc in locs(err), locs(err)


def test_every_problem_is_reported_at_once(example):
    # cross-document problems: all found by the project's validator in one pass
    data = example.model_dump()
    data["define"]["charter"]["goal"]["target"] = 0.5
    data["control"]["plan"][0]["ctq"] = "nope"
    data["measure"]["msa"][0]["evidence"] = "missing"
    data["analyze"]["root_causes"][1]["category"] = "Weather"
    with pytest.raises(ValidationError) as info:
        Project.model_validate(data)
    assert set(locs(info.value)) == {
        ("define", "charter", "goal", "target"), ("control", "plan", 0, "ctq"),
        ("measure", "msa", 0, "evidence"), ("analyze", "root_causes", 1, "category")}
    # problems inside separate parts are collected too (the project-wide rules run once
    # the parts themselves are valid, as Pydantic validates inside out)
    data = example.model_dump()
    data["improve"]["pilot"]["end"] = "2026-05-01"
    data["define"]["ctqs"][0]["lsl"] = 1.0
    data["improve"]["fmea"][1]["detection"] = 0
    with pytest.raises(ValidationError) as info:
        Project.model_validate(data)
    assert set(locs(info.value)) == {("improve", "pilot", "end"), ("define", "ctqs", 0, "usl"),
                                     ("define", "ctqs", 0, "target"),  # below the new lsl
                                     ("improve", "fmea", 1, "detection")}


def test_goal_direction_higher(example):
    data = example.model_dump()
    data["define"]["ctqs"][0]["direction"] = "higher"
    data["define"]["ctqs"][0]["target"] = None
    with pytest.raises(ValidationError, match="must be above the baseline"):
        Project.model_validate(data)
    data["define"]["charter"]["goal"]["target"] = 0.02
    Project.model_validate(data)


def test_every_ctq_must_be_in_a_written_data_collection_plan(example):
    data = example.model_dump()
    data["measure"]["data_collection"] = data["measure"]["data_collection"][:1]
    with pytest.raises(ValidationError) as info:
        Project.model_validate(data)
    assert ("define", "ctqs", 1, "id") in locs(info.value)
    assert "not measured" in str(info.value)
    data["measure"]["data_collection"] = []   # no plan yet: a draft, not an error
    Project.model_validate(data)


def test_duplicate_ids_are_errors(example):
    data = example.model_dump()
    data["define"]["ctqs"][1]["id"] = "wrong_policy_rate"
    with pytest.raises(ValidationError) as info:
        Project.model_validate(data)
    assert ("define", "ctqs", 1, "id") in locs(info.value)


def test_frozen_limits_in_order():
    with pytest.raises(ValidationError) as info:
        FrozenLimits(center=0.01, lcl=0.02, ucl=0.005, evidence="c", frozen_on="2026-01-01")
    assert {("lcl",), ("ucl",)} <= set(locs(info.value))


def test_set_is_transactional(example):
    before = example.model_dump()
    with pytest.raises(ValidationError):
        example.set("define.charter.goal.target", 0.5)
    assert example.model_dump() == before
    example.set("define.charter.goal.target", 0.009)
    assert example.define.charter.goal.target == 0.009


def test_append_validates_and_rolls_back(example):
    n = len(example.control.plan)
    with pytest.raises(ValidationError) as info:
        example.append("control.plan", {"ctq": "ghost", "metric": "m", "chart": "p"})
    assert ("control", "plan", n, "ctq") in locs(info.value)
    assert len(example.control.plan) == n
    # a new CTQ is only valid with its data collection line: edit both together
    with pytest.raises(ValidationError, match="not measured"):
        example.append("define.ctqs", {"id": "appeal_rate", "name": "Appeal overturn rate"})
    with example.edit() as draft:
        draft.append("define.ctqs", {"id": "appeal_rate", "name": "Appeal overturn rate"})
        draft.append("measure.data_collection", {"ctq": "appeal_rate",
                                                 "data_source": "appeals log"})
    assert example.define.ctqs[-1].id == "appeal_rate"


def test_edit_block_that_raises_changes_nothing(example):
    before = example.model_dump()
    with pytest.raises(RuntimeError), example.edit() as draft:
        draft.set("title", "new title")
        raise RuntimeError("changed my mind")
    assert example.model_dump() == before


def test_set_on_missing_path_is_a_key_error(example):
    with pytest.raises(KeyError, match="define.ctqs.9"):
        example.set("define.ctqs.9.name", "x")
    with pytest.raises(KeyError, match="define.nothing"):
        example.set("define.nothing.x", 1)
    with pytest.raises(dmaic.DocumentPathError, match="not a list"):
        example.append("title", "x")


def test_assignment_on_a_sub_model_is_validated(example):
    with pytest.raises(ValidationError):
        example.improve.fmea[0].severity = 0
    assert example.improve.fmea[0].severity == 6


def test_fmea_rpn_and_selection_totals(example):
    row = example.improve.fmea[0]
    assert row.rpn == 6 * 6 * 7
    # 0.5 * 8 + 0.2 * 8 + 0.3 * 9 = 8.3 (weights and scores of the example file)
    totals = example.improve.selection.totals()
    assert list(totals) == ["sol_v3_module", "sol_buddy", "sol_picker"]
    assert totals["sol_v3_module"] == pytest.approx(8.3)


# -- AIAG-VDA action priority ---------------------------------------------------------------
RATINGS = range(1, 11)


def test_action_priority_table_covers_every_band():
    assert len(AP_TABLE) == 25
    assert all(len(v) == 4 and set(v) <= set("HML") for v in AP_TABLE.values())


def test_action_priority_is_monotone():
    order = {"L": 0, "M": 1, "H": 2}
    for s, o, d in itertools.product(RATINGS, RATINGS, RATINGS):
        ap = order[action_priority(s, o, d)]
        if s < 10:
            assert order[action_priority(s + 1, o, d)] >= ap
        if o < 10:
            assert order[action_priority(s, o + 1, d)] >= ap
        if d < 10:
            assert order[action_priority(s, o, d + 1)] >= ap


@pytest.mark.parametrize(("s", "o", "d", "ap"), [
    # AIAG & VDA FMEA Handbook (2019), action priority table: severity 9-10 with
    # occurrence 6 or more is always high, whatever the detection
    (9, 6, 1, "H"), (10, 10, 1, "H"),
    # S 9-10, O 4-5: H unless detection is 1 (M)
    (9, 4, 2, "H"), (9, 5, 1, "M"),
    # S 9-10, O 2-3: D 7-10 H, D 5-6 M, D 2-4 L
    (10, 3, 7, "H"), (10, 3, 5, "M"), (10, 3, 4, "L"),
    # occurrence 1 is low at every severity
    (10, 1, 10, "L"),
    # S 7-8, O 4-5: D 7-10 H, otherwise M
    (7, 4, 7, "H"), (8, 5, 1, "M"),
    # S 4-6, O 8-10: D 5-10 H, D 1-4 M; S 4-6 O 6-7 D 1: L
    (5, 9, 6, "H"), (5, 9, 3, "M"), (6, 6, 1, "L"),
    # S 2-3, O 8-10: D 5-10 M, D 1-4 L; severity 1 is always low
    (2, 8, 5, "M"), (3, 10, 4, "L"), (1, 10, 10, "L"),
])
def test_action_priority_rows(s, o, d, ap):
    assert action_priority(s, o, d) == ap
    row = FMEARow(process_step="p", failure_mode="f", effect="e", cause="c", severity=s,
                  occurrence=o, detection=d)
    assert row.action_priority == ap
    assert row.rpn == s * o * d


@pytest.mark.parametrize("bad", [0, 11, -1])
def test_action_priority_rejects_out_of_range(bad):
    with pytest.raises(ValueError, match="from 1 to 10"):
        action_priority(bad, 5, 5)


def test_json_schema_export():
    schema = dmaic.json_schema()
    assert schema == Project.model_json_schema()
    assert schema["properties"]["schema_version"]["const"] == 5
    assert schema["additionalProperties"] is False
    for name in ("Charter", "CTQ", "FMEARow", "ControlPlanItem", "Evidence", "Override"):
        assert name in schema["$defs"]
    fmea = schema["$defs"]["FMEARow"]["properties"]["severity"]
    assert (fmea["minimum"], fmea["maximum"]) == (1, 10)
