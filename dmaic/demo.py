"""The end-to-end demo: a whole DMAIC case on the bundled ``policy_update`` scenario.

``sixsigma demo`` (and ``make demo``) runs :func:`main`: it loads the scenario (90 days of
QA audits, the event log and a QA calibration exercise, with a policy update injected on
2026-02-19 that makes new hate-speech reviewers pick the wrong policy), works the case
through the five phases with the sixsigma analyses, passes each tollgate, and writes the
storyboard and one report per analysis into the output directory.

The improvement cannot be in data recorded before it: the pilot period is generated with
the scenario generator's ``baseline`` scenario (the same operation without the injected
cause), which is what the selected solution (training new reviewers on the v3 policy)
aims at; the storyboard says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sixsigma as ss
import sixsigma.flow
import sixsigma.hypothesis
import sixsigma.rootcause
from dmaic.model import FrozenLimits, Project
from dmaic.report import report as write_storyboard
from sixsigma.report import (
    agreement_report,
    analysis_report,
    capability_report,
    chart_report,
    flow_report,
    hotspots_report,
    pareto_report,
)

__all__ = ["STEPS", "DemoCase", "build_case", "daily", "main", "prepare", "write_outputs"]

SCENARIO = "policy_update"
QUEUE = "hate_speech"
DIMENSIONS = ["queue", "market", "region", "policy", "tenure_band", "language"]
CHART: dict[str, Any] = {"defectives": "wrong_policy", "size": "audited", "label": "day",
                         "rules": "nelson"}
STEPS = ("load the scenario", "measure: baseline charts", "measure: agreement check",
         "analyze: Pareto, flow and hotspots", "analyze: root causes", "improve: pilot",
         "control: freeze the limits", "write the reports")

Progress = Callable[[str], None]


@dataclass
class DemoCase:
    """The project and the live results of the demo (for the single-analysis reports)."""

    project: Project
    results: dict[str, Any] = field(default_factory=dict)
    monitor_data: pd.DataFrame | None = None


def prepare(audits: pd.DataFrame) -> pd.DataFrame:
    """Completed audits with 0/1 ``is_error``, ``wrong_policy`` and a ``tenure_band``."""
    a = audits[audits["qa_decision"].notna()].copy()
    a["is_error"] = (a["error_type"] != "").astype(int)
    a["wrong_policy"] = (a["error_type"] == "wrong_policy").astype(int)
    band = pd.cut(a["tenure_days"], [-1, 29, 180, np.inf], labels=["<30", "30-180", ">180"])
    a["tenure_band"] = band.astype(str).where(a["moderator_id"] != "system", "auto")
    return a


def daily(audits: pd.DataFrame, queue: str = QUEUE) -> pd.DataFrame:
    """Daily audited decisions, errors and wrong-policy errors of one queue."""
    q = audits[audits["queue"] == queue]
    return (q.groupby("day", as_index=False, sort=True)
            .agg(audited=("is_error", "size"), errors=("is_error", "sum"),
                 wrong_policy=("wrong_policy", "sum")))


def _rate(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum() / frame["audited"].sum())


def _charter(update: pd.Timestamp, before: float, after: float, err: float) -> dict[str, Any]:
    day = update.date().isoformat()
    return {
        "title": "Wrong-policy labels of new hate-speech reviewers after the v3 update",
        "define": {
            "charter": {
                "problem_statement": (
                    f"Since the hate speech v3 policy update of {day}, the share of audited "
                    f"hate_speech decisions labelled under the wrong policy rose from "
                    f"{before:.2%} to {after:.2%}, and the audit error rate of the queue to "
                    f"{err:.2%}."),
                "business_case": (
                    "A wrong-policy label sends the user the wrong notice and routes appeals "
                    "to the wrong team: about 9 minutes of appeal handling each, and lost "
                    "trust in enforcement."),
                "goal": {"statement": f"Bring the wrong-policy rate from {after:.2%} to 2.0 % "
                                      "or less by 2026-05-31 without raising the error rate.",
                         "ctq": "wrong_policy_rate", "baseline": round(after, 4),
                         "target": 0.02, "deadline": "2026-05-31"},
                "scope_in": ["hate_speech queue, all markets", "human review level 1"],
                "scope_out": ["automated actions", "policy wording (Policy team)"],
                "team": [{"name": "Dana Okafor", "role": "sponsor"},
                         {"name": "Luis Ferreira", "role": "lead"},
                         {"name": "Mei Tanaka", "role": "process_owner"},
                         {"name": "Priya Raman", "role": "expert"}],
                "milestones": [{"phase": "define", "due": "2026-03-06"},
                               {"phase": "measure", "due": "2026-03-13"},
                               {"phase": "analyze", "due": "2026-03-27"},
                               {"phase": "improve", "due": "2026-05-08"},
                               {"phase": "control", "due": "2026-05-22"}],
                "start": "2026-03-02",
            },
            "sipoc": {
                "suppliers": ["reporting users", "classifier", "Policy team", "Training team"],
                "inputs": ["reported item", "policy v3 guidelines", "reviewer training"],
                "process": ["route to queue", "review item", "choose policy and action",
                            "QA audit", "feedback"],
                "outputs": ["decision with its policy label", "user notice", "audit verdict"],
                "customers": ["users", "appeals team", "Policy team"],
            },
            "voc": [{"customer": "reported users",
                     "verbatim": "The notice named a policy my post did not break.",
                     "need": "The notice names the policy actually applied.",
                     "ctqs": ["wrong_policy_rate"]},
                    {"customer": "Policy team",
                     "verbatim": "After v3 we cannot tell guideline problems from training.",
                     "ctqs": ["wrong_policy_rate", "error_rate"]}],
            "ctqs": [
                {"id": "wrong_policy_rate", "name": "Wrong-policy rate", "direction": "lower",
                 "unit": "proportion of audited decisions", "usl": 0.05, "target": 0.02,
                 "operational_definition": "Per day: audited hate_speech decisions with "
                                           "error_type wrong_policy / decisions audited."},
                {"id": "error_rate", "name": "Audit error rate (guardrail)",
                 "direction": "lower", "unit": "proportion of audited decisions",
                 "usl": 0.15, "target": 0.09,
                 "operational_definition": "Per day: audited hate_speech decisions QA "
                                           "judged wrong / decisions audited."}],
        },
        "measure": {
            "data_collection": [
                {"ctq": c, "data_source": "QA audit records, hate_speech queue",
                 "sampling": "QA's random audit sample", "frequency": "daily",
                 "stratify_by": ["tenure band", "market", "policy"]}
                for c in ("wrong_policy_rate", "error_rate")],
        },
    }


def _plan(project: Project, after: float, err: float) -> None:
    with project.edit() as d:
        d.set("measure.baselines", [
            {"ctq": "wrong_policy_rate", "value": round(after, 4),
             "chart": "baseline_wrong_policy", "capability": "capability_wrong_policy"},
            {"ctq": "error_rate", "value": round(err, 4), "chart": "baseline_errors",
             "capability": "capability_errors"}])
        d.set("measure.msa", [{"description": "Fleiss' kappa of the QA reviewers on the "
                               "golden set (calibration round 6), qa-06 excluded",
                               "evidence": "qa_calibration", "ctq": "wrong_policy_rate"}])


def _analyze_doc(project: Project) -> None:
    with project.edit() as d:
        d.set("analyze.fishbone", {
            "effect": "More wrong-policy labels from new reviewers after the v3 update",
            "categories": [
                {"name": "People", "causes": ["new reviewers trained on v2 material"]},
                {"name": "Policy", "causes": ["v3 moves quoted slurs to hate speech"]},
                {"name": "Process", "causes": ["QA recalibration changed the standard"]},
                {"name": "Tooling", "causes": ["policy picker order"]},
                {"name": "Content", "causes": ["coded language after a news event"]},
                {"name": "Environment", "causes": ["translations of v3 late in some regions"]},
            ]})
        d.set("analyze.five_whys", [{
            "problem": "New reviewers label quoted slurs under the wrong policy.",
            "whys": ["They apply the v2 rule.", "Their onboarding course still teaches v2.",
                     "The course is updated quarterly, not on policy change."],
            "root_cause": "rc_training"}])
        d.set("analyze.root_causes", [
            {"id": "rc_training", "statement": "Onboarding still teaches the v2 rule.",
             "category": "People", "status": "verified",
             "evidence": ["tenure_test", "segment_scan", "change_decomposition"]},
            {"id": "rc_region", "statement": "Translations of v3 reached some regions late.",
             "category": "Environment", "status": "rejected", "evidence": ["region_test"]},
            {"id": "rc_picker", "statement": "The policy picker order invites the wrong "
             "label.", "category": "Tooling", "status": "hypothesized"}])


def _improve_doc(project: Project) -> None:
    with project.edit() as d:
        d.set("improve.solutions", [
            {"id": "sol_v3_module", "description": "A v3 module with worked examples, "
             "required before a reviewer's first day.", "root_causes": ["rc_training"],
             "owner": "Priya Raman", "selected": True},
            {"id": "sol_buddy", "description": "Buddy review in a reviewer's first week.",
             "root_causes": ["rc_training"], "owner": "Mei Tanaka"}])
        d.set("improve.selection", {
            "criteria": [{"name": "effect", "weight": 0.5}, {"name": "cost", "weight": 0.2},
                         {"name": "speed", "weight": 0.3}],
            "scores": {"sol_v3_module": {"effect": 8, "cost": 8, "speed": 9},
                       "sol_buddy": {"effect": 7, "cost": 3, "speed": 6}}})
        d.set("improve.fmea", [
            {"process_step": "onboarding", "failure_mode": "reviewer starts before the module",
             "effect": "wrong-policy labels in the first week", "cause": "not enforced",
             "severity": 6, "occurrence": 6, "detection": 7,
             "action": "block queue access until the module is passed", "owner": "Mei Tanaka"},
            {"process_step": "policy release", "failure_mode": "next update ships without "
             "training", "effect": "the gap reopens", "cause": "no owner",
             "severity": 7, "occurrence": 4, "detection": 8,
             "action": "training sign-off in the release checklist", "owner": "Dana Okafor"}])
        d.set("improve.pilot", {
            "scope": "All new hate_speech reviewers, 4 weeks (simulated with the generator's "
                     "baseline scenario: the operation without the injected cause).",
            "start": "2026-04-06", "end": "2026-05-03",
            "success_criteria": "Wrong-policy rate below 2 % and significantly lower than "
                                "the baseline (two-proportion z test, alpha 0.05)."})


def _step(progress: Progress | None, name: str) -> None:
    if progress is not None:
        progress(name)


def build_case(progress: Progress | None = None, *, seed: int = 20260406) -> DemoCase:
    """Run the whole DMAIC case on the ``policy_update`` scenario.

    Parameters
    ----------
    progress : callable, optional
        Called with the name of each step (see :data:`STEPS`) as it starts.
    seed : int
        Seed of the simulated pilot and monitoring periods.

    Returns
    -------
    DemoCase
        The project (closed: every tollgate passed) and the live results.
    """
    _step(progress, STEPS[0])
    ds = ss.datasets.load(SCENARIO)
    assert ds.events is not None and ds.calibration is not None and ds.changes is not None
    audits = prepare(ds.audits)
    events = ds.events
    update = pd.Timestamp(ds.changes.loc[ds.changes["event"].str.startswith("Policy update"),
                                         "date"].iloc[0])
    days = daily(audits)
    pre, post = days[days["day"] < update], days[days["day"] >= update]
    before, after, err = _rate(pre, "wrong_policy"), _rate(post, "wrong_policy"), _rate(
        post, "errors")
    project = Project.model_validate(_charter(update, before, after, err))
    results: dict[str, Any] = {}
    project.advance()

    _step(progress, STEPS[1])
    for eid, col in (("baseline_wrong_policy", "wrong_policy"), ("baseline_errors", "errors")):
        params: dict[str, Any] = {**CHART, "defectives": col}
        chart = ss.spc.laney_p(days, **params, stage=ds.changes)
        results[eid] = chart
        project.attach(eid, chart, data=days, parameters=params, function=ss.spc.laney_p,
                       description=f"Laney p' chart of the daily {col.replace('_', '-')} rate "
                                   "of the hate_speech queue, one stage per change-log event.",
                       data_source="policy_update audits, hate_speech queue")
        metrics = ss.capability.sigma_metrics(count=int(post[col].sum()),
                                              units=int(post["audited"].sum()))
        project.attach(f"capability_{'wrong_policy' if col == 'wrong_policy' else 'errors'}",
                       metrics, data=post, description=f"DPMO and sigma level of {col} since "
                                                        "the update.")
    _step(progress, STEPS[2])
    cal = ds.calibration[ds.calibration["round"] == ds.calibration["round"].max()]
    agreement = ss.msa.attribute_agreement(cal, item="item_id", rater="rater",
                                           rating="rating", standard="standard", trial="trial")
    results["qa_agreement"] = agreement
    reviews = audits[(audits["moderator_id"] != "system") & (audits["queue"] == QUEUE)]
    results["handle_capability"] = ss.capability.percentile_capability(
        reviews, "handle_seconds", usl=300.0)
    project.attach("qa_agreement", agreement, data=cal, description=(
        "Attribute agreement of the 8 QA reviewers with the golden labels (last calibration "
        "round, 2 trials): qa-06 agrees far less than the others and is recalibrated; the "
        "study of record excludes qa-06."))
    sound = cal[(cal["trial"] == 1) & (cal["rater"] != "qa-06")]
    kappa = ss.msa.fleiss_kappa(sound, item="item_id", rater="rater", rating="rating")
    project.attach("qa_calibration", kappa, data=sound, function=ss.msa.fleiss_kappa,
                   parameters={"item": "item_id", "rater": "rater", "rating": "rating"},
                   description="Fleiss' kappa of the QA reviewers, qa-06 excluded.")
    _plan(project, after, err)
    project.advance()

    _step(progress, STEPS[3])
    since = audits[audits["day"] >= update]
    errors = since[since["error_type"] != ""]
    par = ss.pareto.pareto(errors, "error_type", categories=list(ss.moderation.ERROR_TYPES))
    results["error_pareto"] = par
    project.attach("error_pareto", par, data=errors[["error_type"]],
                   description="Pareto of the error types since the update (all queues).")
    pm = ss.flow.discover(events, "case_id", "activity", "timestamp")
    hot = ss.flow.hotspots(events, audits, by="tenure_band", process_map=pm)
    results["process_map"], results["hotspots"] = pm, hot
    project.attach("process_map", pm, description="The moderation flow discovered from the "
                   "event log (directly-follows graph).")
    project.attach("hotspots", hot, description="Steps and flows ranked by excess defects, "
                   "each step split by the reviewers' tenure band.")

    _step(progress, STEPS[4])
    scan = ss.rootcause.segment_scan(since, "wrong_policy", DIMENSIONS)
    results["segment_scan"] = scan
    project.attach("segment_scan", scan, data=since[[*DIMENSIONS, "wrong_policy"]],
                   description="Segment scan of wrong-policy errors since the update.")
    phased = audits.assign(phase=np.where(audits["day"] >= update, "after", "before"))
    change = ss.rootcause.explain_change(phased, "wrong_policy", "phase",
                                         ["queue", "tenure_band"], before="before",
                                         after="after")
    project.attach("change_decomposition", change,
                   description="Mix or rate: the rise in wrong-policy errors split by segment.")
    new_hs = phased[(phased["queue"] == QUEUE) & (phased["tenure_band"] == "<30")]
    tenure = ss.hypothesis.compare(new_hs, "wrong_policy", "phase")
    project.attach("tenure_test", tenure, data=new_hs[["wrong_policy", "phase"]],
                   description="New hate-speech reviewers: wrong-policy rate before and after "
                               "the update.")
    regions = since[since["queue"] == QUEUE]
    project.attach("region_test", ss.hypothesis.compare(regions, "wrong_policy", "region"),
                   data=regions[["wrong_policy", "region"]],
                   description="Hate speech since the update: wrong-policy rate by region.")
    _analyze_doc(project)
    project.advance()

    _step(progress, STEPS[5])
    _improve_doc(project)
    pilot_ds = ss.datasets.generate_moderation("baseline", seed=seed, days=28,
                                               daily_volume=3000, start="2026-04-06",
                                               events=False, calibration=False)
    pilot_audits = prepare(pilot_ds.audits)
    pilot_days = daily(pilot_audits)
    staged = pd.concat([post.assign(period="baseline"), pilot_days.assign(period="pilot")],
                       ignore_index=True)
    for eid, col in (("pilot_chart", "wrong_policy"), ("pilot_errors_chart", "errors")):
        params = {**CHART, "defectives": col, "stage": "period"}
        chart = ss.spc.laney_p(staged, **params)
        results[eid] = chart
        project.attach(eid, chart, data=staged, parameters=params, function=ss.spc.laney_p,
                       description=f"Laney p' chart of the daily {col.replace('_', '-')} "
                                   "rate, staged baseline / pilot.")
    both = pd.concat([since[since["queue"] == QUEUE].assign(period="baseline"),
                      pilot_audits[pilot_audits["queue"] == QUEUE].assign(period="pilot")],
                     ignore_index=True)
    test = ss.hypothesis.compare(both, "wrong_policy", "period")
    project.attach("pilot_test", test, data=both[["wrong_policy", "period"]],
                   description="Wrong-policy rate, baseline against pilot.")
    pilot_rate = _rate(pilot_days, "wrong_policy")
    project.set("improve.pilot.result", {
        "ctq": "wrong_policy_rate", "before": round(after, 5), "after": round(pilot_rate, 5),
        "test": "pilot_test", "chart": "pilot_chart",
        "conclusion": f"With the v3 module the wrong-policy rate fell from {after:.2%} to "
                      f"{pilot_rate:.2%} ({test.sentence})"})
    project.advance()

    _step(progress, STEPS[6])
    frozen = dt.date(2026, 5, 8)
    project.set("control.plan", [
        {"ctq": "wrong_policy_rate", "metric": "Daily wrong-policy rate, hate_speech",
         "chart": "laney_p", "owner": "Mei Tanaka",
         "limits": FrozenLimits.from_chart("pilot_chart", project.evidence["pilot_chart"],
                                           frozen_on=frozen).model_dump(),
         "sampling_plan": "QA's daily random audit sample",
         "reaction_plan": "A point above the UCL or a run above the centre: the team lead "
                          "reviews that day's cases within 24 hours."},
        {"ctq": "error_rate", "metric": "Daily audit error rate, hate_speech",
         "chart": "laney_p", "owner": "Mei Tanaka",
         "limits": FrozenLimits.from_chart("pilot_errors_chart",
                                           project.evidence["pilot_errors_chart"],
                                           frozen_on=frozen).model_dump(),
         "sampling_plan": "QA's daily random audit sample",
         "reaction_plan": "A point above the UCL opens a review by error type."}])
    project.set("control.handover", {"to": "Mei Tanaka", "on": "2026-05-22", "accepted": True,
                                     "documents": ["control plan", "v3 onboarding module"]})
    project.advance()
    later = ss.datasets.generate_moderation(SCENARIO, seed=seed + 1, days=28, daily_volume=3000,
                                            start="2026-05-04", events=False,
                                            calibration=False)
    return DemoCase(project=project, results=results,
                    monitor_data=daily(prepare(later.audits)))


def write_outputs(case: DemoCase, out: Path) -> list[Path]:
    """Write the storyboard, the single-analysis reports, the project and monitoring data."""
    out.mkdir(parents=True, exist_ok=True)
    r = case.results
    sub = "Demo: the policy_update scenario (synthetic data)"
    written = [write_storyboard(case.project, out / "storyboard.html")]
    chart_report(r["baseline_wrong_policy"], out / "control_chart.html",
                 title="Daily wrong-policy rate, hate_speech queue", subtitle=sub)
    capability_report(r["handle_capability"], out / "capability.html",
                      title="Handle time of hate-speech reviews against the 300 s standard",
                      subtitle=sub)
    pareto_report(r["error_pareto"], out / "pareto.html", title="Error types since the update",
                  subtitle=sub)
    agreement_report(r["qa_agreement"], out / "agreement.html",
                     title="QA calibration: agreement with the golden labels", subtitle=sub)
    flow_report(r["process_map"], out / "flow.html", hotspots=r["hotspots"], subtitle=sub)
    hotspots_report(r["hotspots"], out / "hotspots.html", process_map=r["process_map"],
                    subtitle=sub)
    analysis_report(r["segment_scan"], out / "rootcause.html",
                    title="Where the wrong-policy errors are", subtitle=sub)
    names = ["control_chart", "capability", "pareto", "agreement", "flow", "hotspots",
             "rootcause"]
    written += [out / f"{n}.html" for n in names if (out / f"{n}.html").exists()]
    case.project.save(out / "project.yaml", force=True)
    written.append(out / "project.yaml")
    if case.monitor_data is not None:
        case.monitor_data.to_csv(out / "monitor_new_days.csv", index=False,
                                 date_format="%Y-%m-%d")
        written.append(out / "monitor_new_days.csv")
    return written


def main(out: str | Path = "demo-output", progress: Progress | None = None) -> list[Path]:
    """Run the demo case and write everything into ``out``; returns the files written."""
    case = build_case(progress)
    _step(progress, STEPS[7])
    return write_outputs(case, Path(out))
