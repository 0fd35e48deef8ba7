"""Every registered result kind, produced from the bundled data, survives JSON both ways.

For each kind: ``json.dumps(r.to_dict(), allow_nan=False)`` works, ``ss.from_dict`` gives the
same type, and its ``to_dict()`` equals the first (so nothing is lost or invented). A kind
added to the registry without a factory here fails ``test_every_kind_has_a_factory``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_round_trip

import sixsigma as ss
from sixsigma._result import registry


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    pu = ss.datasets.load("policy_update")
    audits = pu.audits.copy()
    audits["is_error"] = (audits["error_type"].fillna("") != "").astype(int)
    daily = (audits.groupby("day", as_index=False)
             .agg(errors=("is_error", "sum"), audited=("is_error", "size")))
    esc = ss.datasets.load("escalation_handoff")
    cal = pu.calibration
    return {"audits": audits, "daily": daily, "changes": pu.changes, "cal": cal,
            "events": esc.events, "esc_audits": esc.audits,
            "rounds": cal[cal["trial"] == cal["trial"].min()]}


def _gage() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [(p, o, t, 10 + p + 0.3 * o + rng.normal(0, 0.5))
            for p in range(5) for o in range(3) for t in range(2)]
    return pd.DataFrame(rows, columns=["part", "op", "trial", "y"])


def _handle(d: dict[str, Any]) -> pd.DataFrame:
    return d["audits"].head(400)


FACTORIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "control_chart": lambda d: ss.spc.laney_p(d["daily"], defectives="errors",
                                              size="audited", label="day", stage=d["changes"]),
    "chart_pair": lambda d: ss.spc.imr(_handle(d), value="handle_seconds"),
    "cusum_chart": lambda d: ss.spc.cusum(_handle(d), value="handle_seconds"),
    "capability": lambda d: ss.capability.capability(_handle(d), "handle_seconds", usl=300.0),
    "percentile_capability": lambda d: ss.capability.percentile_capability(
        _handle(d), "handle_seconds", usl=300.0),
    "transformed_capability": lambda d: ss.capability.boxcox_capability(
        _handle(d).query("handle_seconds > 0"), "handle_seconds", usl=300.0),
    "normality_test": lambda d: ss.capability.normality_test(
        _handle(d)["handle_seconds"].to_numpy()),
    "sigma_metrics": lambda d: ss.capability.sigma_metrics(int(d["daily"]["errors"].sum()),
                                                           int(d["daily"]["audited"].sum())),
    "rolled_yield": lambda d: ss.capability.rolled_throughput_yield([0.99, 0.97, 0.95]),
    "binomial_capability": lambda d: ss.capability.binomial_capability(
        d["daily"], "errors", "audited", "day"),
    "poisson_capability": lambda d: ss.capability.poisson_capability(
        d["daily"], "errors", "audited", "day"),
    "pareto": lambda d: ss.pareto.pareto(d["audits"][d["audits"]["is_error"] == 1],
                                         "error_type"),
    "pareto_comparison": lambda d: ss.pareto.compare_pareto(
        d["audits"][(d["audits"]["is_error"] == 1) & (d["audits"]["day"] < "2026-02-19")],
        d["audits"][(d["audits"]["is_error"] == 1) & (d["audits"]["day"] >= "2026-02-19")],
        "error_type"),
    "cohen_kappa": lambda d: ss.msa.cohen_kappa(
        d["rounds"].pivot_table(index="item_id", columns="rater", values="rating",
                                aggfunc="first").iloc[:, :2].dropna().reset_index(),
        *list(d["rounds"]["rater"].drop_duplicates().sort_values()[:2])),
    "fleiss_kappa": lambda d: ss.msa.fleiss_kappa(d["rounds"], "item_id", "rater", "rating"),
    "fleiss_stats": lambda d: ss.msa.kappa.fleiss_from_counts(
        np.array([[3, 0, 1], [0, 4, 0], [1, 1, 2], [2, 2, 0], [0, 0, 4]])),
    "krippendorff_alpha": lambda d: ss.msa.krippendorff_alpha(d["rounds"], "item_id", "rater",
                                                              "rating"),
    "kendall_w": lambda d: ss.msa.kendall_w(d["rounds"], "item_id", "rater", "severity"),
    "attribute_agreement": lambda d: ss.msa.attribute_agreement(
        d["cal"], "item_id", "rater", "rating", standard="standard", trial="trial"),
    "gage_rr": lambda d: ss.msa.gage_rr(_gage(), "part", "op", "y"),
    "agreement_series": lambda d: ss.msa.agreement_by_round(
        d["rounds"], "round", "item_id", "rater", "rating"),
    "round_comparison": lambda d: ss.msa.compare_rounds(
        d["rounds"], "round", "item_id", "rater", "rating",
        first=sorted(d["rounds"]["round"].unique())[0],
        second=sorted(d["rounds"]["round"].unique())[-1], n_boot=50),
    "auditor_accuracy": lambda d: ss.msa.auditor_accuracy(
        d["cal"], "rater", "rating", "standard", positive=[
            v for v in d["cal"]["standard"].unique() if v != "no_violation"]),
    "dawid_skene": lambda d: ss.msa.dawid_skene(d["cal"], "item_id", "rater", "rating",
                                                duplicates="average"),
    "corrected_rate": lambda d: ss.msa.corrected_rate(40, 1000, 0.9, 0.98,
                                                      sensitivity_n=200, specificity_n=300),
    "segment_scan": lambda d: ss.rootcause.segment_scan(d["audits"], "is_error",
                                                        ["queue", "market", "policy"]),
    "explain_change": lambda d: ss.rootcause.explain_change(
        d["audits"].assign(period=np.where(d["audits"]["day"] < "2026-02-19", "before",
                                           "after")),
        "is_error", "period", ["queue", "policy"], before="before", after="after"),
    "funnel": lambda d: ss.rootcause.funnel(d["audits"], "is_error", "moderator_id"),
    "compare": lambda d: ss.hypothesis.compare(_handle(d), "handle_seconds", "queue"),
    "one_sample": lambda d: ss.hypothesis.one_sample(d["audits"], defectives="is_error",
                                                     target=0.05),
    "equivalence": lambda d: ss.hypothesis.equivalence(
        _handle(d)[_handle(d)["queue"].isin(sorted(_handle(d)["queue"].unique())[:2])],
        "handle_seconds", "queue", margin=30.0),
    "process_map": lambda d: ss.flow.discover(d["events"], "case_id", "activity", "timestamp"),
    "markov": lambda d: ss.flow.markov(ss.flow.discover(d["events"], "case_id", "activity",
                                                        "timestamp")),
    "defect_flow": lambda d: ss.flow.defect_flow(_spec()),
    "flow_yields": lambda d: ss.flow.yields(_spec()),
    "rework_loops": lambda d: ss.flow.rework_loops(_spec()),
    "bottlenecks": lambda d: ss.flow.bottlenecks(_spec()),
    "escapes": lambda d: ss.flow.escapes(d["events"], d["esc_audits"]),
    "hotspots": lambda d: ss.flow.hotspots(d["events"], d["esc_audits"]),
    "appeals": lambda d: ss.moderation.appeals(d["audits"].drop(columns="is_error")),
    "transparency": lambda d: ss.moderation.transparency(d["audits"].drop(columns="is_error"),
                                                         "month"),
    "rollout": lambda d: ss.rollout.track(
        d["audits"].assign(day=pd.to_datetime(d["audits"]["day"])), "is_error", label="day",
        unit="region", go_live={r: "2026-02-19" for r in d["audits"]["region"].unique()[:2]}),
    "screen": lambda d: ss.spc.screen(d["audits"], defectives="is_error", label="day",
                                      by=["queue", "market"], target=0.06),
    "target_proposal": lambda d: ss.targets.propose(d["audits"], "is_error", label="day",
                                                    by="market"),
    "allocation": lambda d: ss.sampling.allocate(
        pd.DataFrame({"stratum": ["a", "b", "c"], "size": [1000, 500, 200]}), 300,
        columns={"stratum": "stratum", "size": "size"}),
    "score_allocation": lambda d: ss.sampling.allocate_by_score(
        pd.DataFrame({"bucket": ["low", "mid", "high"], "size": [5000, 2000, 500],
                      "rate": [0.01, 0.05, 0.2]}), 400),
    "estimate": lambda d: ss.sampling.estimate(d["audits"], "is_error", by="queue"),
    "pchart_detectable_shift": lambda d: ss.sampling.pchart_detectable_shift(0.04, 200, 7),
    "two_proportion_power": lambda d: ss.sampling.power_two_proportions(0.04, 0.06, 1500),
}


def _spec() -> Any:
    return ss.flow.ProcessMap.from_spec({
        "start": "review", "arrival_rate": 2.0,
        "steps": {"review": {"handle_time": 2.0, "capacity": 2, "defect_rate": 0.05},
                  "qa": {"handle_time": 1.0, "capacity": 1, "catch_rate": 0.8},
                  "done": {}},
        "flows": [{"source": "review", "target": "qa", "probability": 1.0},
                  {"source": "qa", "target": "review", "probability": 0.1},
                  {"source": "qa", "target": "done", "probability": 0.9}]})


def test_every_kind_has_a_factory():
    assert sorted(set(registry()) - set(FACTORIES)) == []


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_round_trip(kind, data):
    result = FACTORIES[kind](data)
    assert result.kind == kind
    again = assert_round_trip(result)
    assert again.summary() and again.to_frame() is not None


def test_a_non_finite_figure_is_null_with_a_note():
    # a spec map without an arrival rate has an undefined (NaN) arrival rate
    plan = ss.flow.ProcessMap.from_spec({"start": "a", "steps": {"a": {}, "b": {}},
                                         "flows": [{"source": "a", "target": "b",
                                                    "probability": 1.0}]})
    payload = plan.to_dict()
    assert payload["arrival_rate"] is None
    assert any("arrival_rate" in n or "arrival rate" in n for n in payload["notes"])
    again = ss.from_dict(json.loads(json.dumps(payload, allow_nan=False)))
    assert again.to_dict()["notes"] == payload["notes"]
    assert again.arrival_rate is None or np.isnan(again.arrival_rate)
    # an infinite sigma level (no defects at all) likewise
    perfect = ss.capability.sigma_metrics(0, 1000)
    d = perfect.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert back.to_dict()["notes"] == d["notes"] and back.to_dict() == d
