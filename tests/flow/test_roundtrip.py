"""Every flow result, built from the bundled scenario, survives to_dict -> JSON -> from_dict."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
from _helpers import assert_round_trip

import sixsigma as ss
from sixsigma.flow import (
    ProcessMap,
    bottlenecks,
    defect_flow,
    discover,
    escapes,
    hotspots,
    markov,
    rework_loops,
    yields,
)

SPEC = {
    "start": "ingest", "arrival_rate": 2.0, "time_unit": "min",
    "steps": {
        "ingest": {"handle_time": 0.0},
        "human_review_l1": {"handle_time": 1.5, "capacity": 4, "defect_rate": 0.07},
        "escalate_l2": {"handle_time": 6.0, "capacity": 1, "defect_rate": 0.08},
        "qa_audit": {"handle_time": 2.0, "capacity": 1, "catch_rate": 0.9,
                     "value_added": False},
        "closed": {},
    },
    "flows": [
        {"source": "ingest", "target": "human_review_l1", "probability": 1.0,
         "wait_time": 30.0},
        {"source": "human_review_l1", "target": "escalate_l2", "probability": 0.05,
         "wait_time": 120.0},
        {"source": "human_review_l1", "target": "qa_audit", "probability": 0.95},
        {"source": "escalate_l2", "target": "qa_audit", "probability": 1.0},
        {"source": "qa_audit", "target": "human_review_l1", "probability": 0.02},
        {"source": "qa_audit", "target": "closed", "probability": 0.98},
    ],
}


@pytest.fixture(scope="module")
def results():
    ds = ss.datasets.load("escalation_handoff")
    pm = discover(ds.events, "case_id", "activity", "timestamp", variants=True)
    plan = ProcessMap.from_spec(SPEC)
    no_rate = ProcessMap.from_spec({k: v for k, v in SPEC.items() if k != "arrival_rate"})
    hot = hotspots(ds.events, ds.audits, by="market", process_map=pm)
    steps = hotspots(ds.events, ds.audits, process_map=pm)
    rates = steps.table.query("unit == 'step'").set_index("name")["rate"].to_dict()
    return {
        "discovered map": pm,
        "spec map": plan,
        "top variants": pm.top_variants(3),
        "markov": markov(pm),
        "defect flow": defect_flow(plan),
        "escapes": escapes(ds.events, ds.audits),
        "hotspots": hot,
        "yields": yields(pm.annotate(defect_rate=rates)),
        "rework": rework_loops(plan, cost_per_time=0.8),
        "bottlenecks": bottlenecks(plan),
        "bottlenecks without a rate": bottlenecks(no_rate),
        "bottlenecks of a discovered map": bottlenecks(pm),
    }


KINDS = ["discovered map", "spec map", "top variants", "markov", "defect flow", "escapes",
         "hotspots", "yields", "rework", "bottlenecks", "bottlenecks without a rate",
         "bottlenecks of a discovered map"]


@pytest.mark.parametrize("name", KINDS)
def test_round_trip(results, name):
    r = results[name]
    again = assert_round_trip(r)
    assert again.summary() == r.summary()  # undefined figures come back as NaN


def test_every_flow_result_class_is_covered(results):
    classes = {type(r) for r in results.values()}
    public = {getattr(ss.flow, n) for n in ss.flow.__all__}
    registered = {c for c in public if isinstance(c, type) and c in ss._result.registry().values()}
    assert registered == classes


@pytest.mark.parametrize("name", ["discovered map", "spec map", "top variants"])
def test_map_graph_round_trip(results, name):
    pm = results[name]
    again = ss.from_dict(json.loads(json.dumps(pm.to_dict(), allow_nan=False)))
    assert nx.is_frozen(again.graph)
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        again.graph.add_node("x")
    assert isinstance(again.graph, nx.DiGraph) and again.graph.is_directed()
    assert list(again.graph.nodes(data=True)) == list(pm.graph.nodes(data=True))
    assert list(again.graph.edges(data=True)) == list(pm.graph.edges(data=True))
    assert again.start_activities == pm.start_activities
    assert again.end_activities == pm.end_activities
    # the rebuilt map computes the same numbers
    np.testing.assert_array_equal(markov(again).visits, markov(pm).visits)


def test_undefined_arrival_rate_is_null_with_a_note(results):
    b = results["bottlenecks without a rate"]
    d = b.to_dict()
    assert d["arrival_rate"] is None and d["wip"] is None
    assert any("arrival rate" in n for n in b.notes)
    again = ss.from_dict(d)
    assert np.isnan(again.arrival_rate) and again.notes == b.notes
    pm = results["top variants"]  # a map from paths has no time span: no arrival rate
    d = pm.to_dict()
    assert d["arrival_rate"] is None and any("arrival_rate" in n for n in pm.notes)
    assert np.isnan(ss.from_dict(d).arrival_rate)


def test_nan_attributes_are_dropped():
    g = nx.DiGraph()
    g.add_node("a", count=float("nan"), handle_time=1.0)
    g.add_edge("a", "b", probability=1.0, wait_mean=float("nan"))
    pm = ProcessMap(graph=g, start_activities={"a": 1.0}, end_activities={"b": 1.0})
    assert pm.graph.nodes["a"] == {"handle_time": 1.0}
    assert pm.graph.edges["a", "b"] == {"probability": 1.0}
    json.dumps(pm.to_dict(), allow_nan=False)
