"""Escape analysis and hotspots: a hand-made log, the bundled hand-off fault, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sixsigma as ss
from sixsigma._stats import wilson
from sixsigma.errors import ColumnError, MissingValueError, ParameterError
from sixsigma.flow import escapes, hotspots


def make():
    """Six items: 1-4 decided at l1, 5-6 escalated to l2; QA finds errors in 2, 5, 6;
    item 6's error also escaped (appeal overturned); item 3 appealed, upheld."""
    paths = {
        "1": ["ingest", "l1", "decision", "qa_audit"],
        "2": ["ingest", "l1", "decision", "qa_audit", "l1", "decision"],  # rework
        "3": ["ingest", "l1", "decision", "qa_audit", "appeal", "appeal_review"],
        "4": ["ingest", "l1", "decision", "qa_audit"],
        "5": ["ingest", "l1", "l2", "decision", "qa_audit"],
        "6": ["ingest", "l1", "l2", "decision", "qa_audit", "appeal", "appeal_review"],
    }
    rows = [(c, a, pd.Timestamp("2026-01-01") + pd.Timedelta(minutes=i))
            for c, p in paths.items() for i, a in enumerate(p)]
    ev = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    au = pd.DataFrame({
        "item_id": list("123456"),
        "error_type": ["", "wrong_policy", "", "", "over_enforcement", "over_enforcement"],
        "appealed": [False, False, True, False, False, True],
        "appeal_overturned": [None, None, False, None, None, True],
        "market": ["US", "US", "BR", "BR", "BR", "BR"],
    })
    return ev, au


def test_escapes_by_hand():
    ev, au = make()
    r = escapes(ev, au)
    t = r.to_frame().set_index(["introduced_at", "error_type"])
    # l2 introduced two over-enforcements (items 5, 6), both caught at QA, one escaped
    assert t.loc[("l2", "over_enforcement"), "defects"] == 2
    assert t.loc[("l2", "over_enforcement"), "caught_at_qa"] == 2
    assert t.loc[("l2", "over_enforcement"), "escaped"] == 1
    # item 2 was reworked after QA: the error is attributed to its first decision, at l1
    assert t.loc[("l1", "wrong_policy"), "defects"] == 1
    lo, hi = wilson(1, 2)
    assert t.loc[("l2", "over_enforcement"), "ci_low"] == pytest.approx(float(lo))
    assert r.items == 6
    json.dumps(r.to_dict(), allow_nan=False)


def test_hotspots_by_hand():
    ev, au = make()
    h = hotspots(ev, au)
    t = h.to_frame().set_index(["unit", "name"])
    l2 = t.loc[("step", "l2")]
    # l2: 2 items, 2 defects; rest: 4 items with 1 defect -> excess 2 x (1 - 0.25) = 1.5
    assert (l2["items"], l2["defects"]) == (2, 2)
    assert l2["rest_rate"] == pytest.approx(0.25)
    assert l2["excess_defects"] == pytest.approx(1.5)
    # l1: 4 items, 1 defect; rest 2 of 2 -> excess 4 x (0.25 - 1) = -3
    assert t.loc[("step", "l1"), "excess_defects"] == pytest.approx(-3.0)
    # cost (defaults rework 1, appeal 3, escape 10): l2 caught 2, 1 appeal, 1 escape = 15
    assert l2["cost"] == pytest.approx(2 * 1 + 1 * 3 + 1 * 10)
    assert h.top == "l2"
    assert t.loc[("edge", "l1 -> l2"), "defects"] == 2
    lo, hi = wilson(2, 2)
    assert (l2["ci_low"], l2["ci_high"]) == (pytest.approx(float(lo)),
                                                 pytest.approx(float(hi)))
    # by cost with escapes weighted heavily, still l2; by centrality, l1 (all paths cross it)
    assert hotspots(ev, au, rank_by="cost", costs={"escape": 100}).top == "l2"
    assert hotspots(ev, au, rank_by="centrality").top in {"l1", "ingest -> l1"}
    json.dumps(h.to_dict(), allow_nan=False)
    assert "top hotspot" in h.summary()


def test_hotspots_by_segment_compare_within_step():
    ev, au = make()
    t = hotspots(ev, au, by="market").to_frame()
    row = t[(t["unit"] == "step") & (t["name"] == "l1") & (t["market"] == "US")].iloc[0]
    # l1 US: 2 items, 1 defect; the rest of l1 (BR): 2 items, 0 defects
    assert row["rest_rate"] == 0.0 and row["excess_defects"] == pytest.approx(1.0)


def test_bad_input():
    ev, au = make()
    with pytest.raises(ParameterError, match="rank_by"):
        hotspots(ev, au, rank_by="volume")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="unknown cost"):
        hotspots(ev, au, costs={"scrap": 1})
    with pytest.raises(ColumnError, match="'severity_x'"):
        hotspots(ev, au, by="severity_x")
    ev.loc[3, "timestamp"] = pd.NaT
    with pytest.raises(MissingValueError, match="escapes: column 'timestamp'.*row 3"):
        escapes(ev, au)


@pytest.mark.skipif("escalation_handoff" not in ss.datasets.list(),
                    reason="bundled scenario not available")
def test_escalation_handoff_ranks_first():
    ds = ss.datasets.load("escalation_handoff")
    truth = next(t for t in ds.truth if t["cause"] == "escalation hand-off")
    segment = next(iter(truth["segment"]))  # "market"
    h = hotspots(ds.events, ds.audits, by=segment)
    top = h.table.iloc[0]
    assert top["name"] in {truth["step"], f"human_review_l1 -> {truth['step']}"}
    assert top[segment] == truth["segment"][segment]
    # its rate is credibly above the other markets' escalations: Wilson lower bound
    assert top["ci_low"] > top["rest_rate"]


def test_mixed_type_ids_and_bad_confidence():
    ev, au = make()
    ev["case_id"] = [int(c) if c in "135" else c for c in ev["case_id"]]
    au["item_id"] = [int(c) if c in "135" else c for c in au["item_id"]]
    h = hotspots(ev, au)
    assert h.top == "l2" and int(h.table["items"].iloc[0]) == 2
    assert escapes(ev, au).items == 6
    with pytest.raises(ParameterError, match="'confidence' parameter"):
        escapes(ev, au, confidence=1.5)
    with pytest.raises(ParameterError, match="'confidence' parameter"):
        hotspots(ev, au, confidence=0)
