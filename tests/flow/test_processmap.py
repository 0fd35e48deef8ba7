"""A hand-built map worked out by hand, and the spec's bad inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sixsigma as ss
from sixsigma.errors import ParameterError, SixSigmaError
from sixsigma.flow import (
    GraphError,
    ProcessMap,
    bottlenecks,
    cycle_efficiency,
    markov,
    rework_loops,
    yields,
)

SPEC = {
    "start": "intake",
    "arrival_rate": 0.2,  # items per minute
    "time_unit": "min",
    "steps": {
        "intake": {"handle_time": 1.0, "capacity": 1, "defect_rate": 0.01},
        "review": {"handle_time": 4.0, "capacity": 3, "defect_rate": 0.05},
        "qa": {"handle_time": 2.0, "capacity": 1, "catch_rate": 0.9, "value_added": False},
        "done": {},
    },
    "flows": [
        {"source": "intake", "target": "review", "probability": 1.0, "wait_time": 10.0},
        {"source": "review", "target": "qa", "probability": 1.0},
        {"source": "qa", "target": "review", "probability": 0.2},
        {"source": "qa", "target": "done", "probability": 0.8},
    ],
}


@pytest.fixture
def pm():
    return ProcessMap.from_spec(SPEC)


def test_expected_visits_by_hand(pm):
    m = markov(pm)
    v = dict(zip(m.steps, m.visits, strict=True))
    # review is entered once from intake and again each time QA sends it back:
    # v_review = 1 + 0.2 v_qa and v_qa = v_review  =>  v_review = 1 / 0.8 = 1.25
    assert v["intake"] == pytest.approx(1.0, abs=1e-12)
    assert v["review"] == pytest.approx(1.25, abs=1e-12)
    assert v["qa"] == pytest.approx(1.25, abs=1e-12)
    assert v["done"] == pytest.approx(1.0, abs=1e-12)
    # fundamental matrix row of qa: from qa, 0.2 back to review -> review 0.25, qa 1.25
    n = m.fundamental
    iq, ir = m.steps.index("qa"), m.steps.index("review")
    assert n[iq, ir] == pytest.approx(0.25) and n[iq, iq] == pytest.approx(1.25)
    # lead time: work 1 x 1 + 1.25 x 4 + 1.25 x 2 = 8.5, plus the wait 1 x 10 = 18.5
    assert m.lead_time == pytest.approx(18.5)
    assert m.exit_share[m.steps.index("done")] == pytest.approx(1.0)


def test_yields_by_hand(pm):
    y = yields(pm)
    # a clean pass through review-and-QA is 0.95 x 0.8 = 0.76 per lap, and a lap repeats
    # with 0.95 x 0.2 = 0.19: 0.76 / (1 - 0.19) = 0.76 / 0.81; times intake's 0.99
    assert y.rty == pytest.approx(0.99 * 0.76 / 0.81, abs=1e-12)
    # without the rework flow qa -> review, 0.8 of the items leave first time
    assert y.first_pass == pytest.approx(0.8, abs=1e-12)
    assert y.rework_flows == ("qa -> review",)
    fpy = dict(zip(y.table["step"], y.table["fpy"], strict=True))
    assert fpy["review"] == pytest.approx(0.95)
    json.dumps(y.to_dict(), allow_nan=False)


def test_serial_rty_is_the_product_of_fpy():
    spec = {"start": "a", "steps": {"a": {"defect_rate": 0.1}, "b": {"defect_rate": 0.2},
                                    "c": {"defect_rate": 0.05}},
            "flows": [{"source": "a", "target": "b", "probability": 1.0},
                      {"source": "b", "target": "c", "probability": 1.0}]}
    # Breyfogle: RTY = 0.9 x 0.8 x 0.95 = 0.684
    assert yields(ProcessMap.from_spec(spec)).rty == pytest.approx(0.684, abs=1e-12)


def test_bottleneck_by_hand(pm):
    b = bottlenecks(pm)
    u = dict(zip(b.table["step"], b.table["utilisation"], strict=True))
    # rho = lambda x visits x handle / capacity, lambda = 0.2 per minute
    assert u["intake"] == pytest.approx(0.2 * 1.0 * 1.0 / 1)   # 0.2
    assert u["review"] == pytest.approx(0.2 * 1.25 * 4.0 / 3)  # 0.3333
    assert u["qa"] == pytest.approx(0.2 * 1.25 * 2.0 / 1)      # 0.5
    assert b.bottleneck == "qa"
    # Little: L = lambda W = 0.2 x 18.5 = 3.7 items in process
    assert b.wip == pytest.approx(3.7)
    # waiting share: 10 of 18.5 minutes
    assert b.wait_share == pytest.approx(10 / 18.5)
    # capacity: qa can take 1 / (1.25 x 2) = 0.4 items per minute, the least of all
    assert b.throughput_capacity == pytest.approx(0.4)
    # PCE: value-added work intake 1 + review 5 (QA is inspection) over 18.5
    assert b.pce == pytest.approx(6 / 18.5)
    assert cycle_efficiency(pm) == pytest.approx(6 / 18.5)
    json.dumps(b.to_dict(), allow_nan=False)
    assert "qa" in b.summary()


def test_rework_loop_cost_by_hand(pm):
    r = rework_loops(pm, cost_per_time=0.5)
    row = r.to_frame().iloc[0]
    assert row["cycle"] == "review -> qa -> review"
    assert row["back_edge"] == "qa -> review"
    # flow on the back edge: v_qa x 0.2 = 0.25 laps per item; a lap is 4 + 2 = 6 minutes
    assert row["rework_per_item"] == pytest.approx(0.25)
    assert row["lap_time"] == pytest.approx(6.0)
    assert row["time_per_item"] == pytest.approx(1.5)
    assert row["cost_per_item"] == pytest.approx(0.75)
    assert row["share_of_lead_time"] == pytest.approx(1.5 / 18.5)
    assert r.components == (("qa", "review"),)


def test_map_is_frozen_and_serialises(pm):
    with pytest.raises(Exception, match="Frozen"):
        pm.graph.add_node("x")
    d = pm.to_dict()
    json.dumps(d, allow_nan=False)
    again = ss.from_dict(json.loads(json.dumps(d)))
    assert {u for u, _ in again.graph.edges} == {"intake", "review", "qa"}
    assert "process map (spec)" in pm.summary()
    assert "<table" in pm._repr_html_()


def test_counts_give_probabilities():
    spec = {"start": "a", "steps": {"a": {}, "b": {}, "c": {}},
            "flows": [{"source": "a", "target": "b", "count": 30},
                      {"source": "a", "target": "c", "count": 10}]}
    pm = ProcessMap.from_spec(spec)
    assert pm.graph.edges["a", "b"]["probability"] == pytest.approx(0.75)


# -- bad input ------------------------------------------------------------------------


def _spec(**changes):
    spec = json.loads(json.dumps(SPEC))
    spec.update(changes)
    return spec


def test_unreachable_activity():
    spec = _spec()
    spec["steps"]["orphan"] = {}
    with pytest.raises(GraphError, match="step 'orphan' is unreachable.*no flow reaches it"):
        ProcessMap.from_spec(spec)


def test_loop_without_way_out():
    spec = {"start": "a", "steps": {"a": {}, "b": {}, "c": {}, "end": {}},
            "flows": [{"source": "a", "target": "b", "probability": 0.5},
                      {"source": "a", "target": "end", "probability": 0.5},
                      {"source": "b", "target": "c", "probability": 1.0},
                      {"source": "c", "target": "b", "probability": 1.0}]}
    with pytest.raises(GraphError, match=r"loop b -> c has no way out.*absorbing end"):
        ProcessMap.from_spec(spec)


def test_probabilities_not_summing_to_one():
    spec = _spec()
    spec["flows"][3]["probability"] = 0.8 + 2e-9
    with pytest.raises(GraphError, match=r"out of step 'qa' sum to 1\.000000002.*1e-09"):
        ProcessMap.from_spec(spec)
    spec["flows"][3]["probability"] = 0.8 + 1e-12  # within tolerance
    ProcessMap.from_spec(spec)


def test_unknown_step_in_flow():
    spec = _spec()
    spec["flows"].append({"source": "qa", "target": "nowhere", "probability": 0.0})
    with pytest.raises(GraphError, match="flow 4 .*'nowhere'"):
        ProcessMap.from_spec(spec)


@pytest.mark.parametrize(("where", "value", "match"), [
    ("defect_rate", 1.5, r"defect_rate must be in \[0, 1\]"),
    ("capacity", 0, r"capacity must be in \(0"),
    ("handle_time", -1, r"handle_time must be in \[0"),
    ("speed", 1, "unknown attribute"),
])
def test_bad_step_attributes(where, value, match):
    spec = _spec()
    spec["steps"]["review"][where] = value
    with pytest.raises(ParameterError, match=match):
        ProcessMap.from_spec(spec)


def test_missing_keys_and_types():
    with pytest.raises(ParameterError, match="no 'start' key"):
        ProcessMap.from_spec({"steps": {"a": {}}, "flows": []})
    with pytest.raises(ParameterError, match="must be a dict"):
        ProcessMap.from_spec(42)  # type: ignore[arg-type]
    with pytest.raises(GraphError, match="start step 'zzz'"):
        ProcessMap.from_spec(_spec(start="zzz"))
    assert issubclass(GraphError, SixSigmaError) and issubclass(GraphError, ValueError)


def test_yaml_spec():
    yaml = pytest.importorskip("yaml")
    pm = ProcessMap.from_spec(yaml.safe_dump(SPEC))
    assert np.isclose(markov(pm).lead_time, 18.5)


def test_defect_flow_by_hand(pm):
    from sixsigma.flow import defect_flow

    r = defect_flow(pm)
    t = r.to_frame().set_index(["introduced_at", "outcome"])["probability"]
    # a defect born at review reaches QA: caught with 0.9; missed (0.1), it goes back to
    # review with 0.2 and meets QA again, or leaves with 0.8:
    #   P(caught) = 0.9 + 0.1 x 0.2 x P(caught)  =>  0.9 / 0.98
    assert t[("review", "caught at qa")] == pytest.approx(0.9 / 0.98)
    assert t[("review", "escaped")] == pytest.approx(0.1 * 0.8 / 0.98)
    # intake's defects take the same road from review on
    assert t[("intake", "escaped")] == pytest.approx(0.08 / 0.98)
    # per item: intake 1 x 0.01, review 1.25 x 0.05 defects born
    expected = (0.01 + 1.25 * 0.05) * 0.08 / 0.98
    assert r.escape_per_item == pytest.approx(expected)
    json.dumps(r.to_dict(), allow_nan=False)


def test_bad_yaml_names_the_problem():
    pytest.importorskip("yaml")
    from sixsigma.errors import InputError

    text = "start: a\nsteps: {a: {}\nflows: []\n"   # the steps mapping is never closed
    with pytest.raises(InputError, match=r"from_spec: the spec is not valid YAML at line \d+"):
        ProcessMap.from_spec(text)
