"""Tollgates: the evidence checks a reviewer applies at the end of each DMAIC phase.

Every check is a pure function of the project; :func:`check_tollgate` runs those of one
phase and returns a :class:`TollgateReport`. A project can be a valid document and still
fail its gate (no baseline yet, say): validation and readiness are kept apart.

Checks and thresholds (defaults in :class:`Thresholds`):

* **define**: ``charter_complete`` (problem statement, business case, goal, scope in and
  out, a sponsor, a lead and a process owner, a milestone for each phase);
  ``sipoc_complete``; ``voc_traced`` (every CTQ comes from a voice-of-the-customer item);
  ``ctqs_measurable`` (operational definition, unit, direction, and a spec limit or target).
* **measure**: ``data_collection`` (every CTQ has a line); ``baseline_subgroups`` (every
  CTQ's baseline chart has at least 20 points; Montgomery, *Introduction to Statistical
  Quality Control*, 8th ed., §6.4 and AIAG SPC 2nd ed. recommend 20-25 subgroups for Phase
  I limits); ``measurement_system`` (kappa >= 0.7, Krippendorff's alpha >= 0.8 as
  Krippendorff 2004 §11.4 advises, or %GRR < 30 % of study variation, the AIAG MSA 4th ed.
  limit of acceptability); ``baseline_capability``.
* **analyze**: ``fishbone_populated``; ``verified_root_cause`` (a verified cause whose
  evidence reports p < alpha; for a segment scan, the q-value of the cause's segment).
* **improve**: ``solution_selected`` (addressing a verified cause); ``fmea_actions``
  (every high action priority row has an action); ``pilot_significant`` (a test with
  p < alpha and the CTQ moved the right way, or else a staged chart whose last stage's
  centre moved the right way); ``staged_chart_shift`` (a staged chart of the pilot shows
  the centre moved the right way).
* **control**: ``control_plan_covers_ctqs``; ``limits_frozen`` (each line's limits were
  frozen from an attached chart); ``control_plan_complete`` (sampling plan, reaction plan
  and owner on each line); ``handover`` (to whom, when, accepted); with a roll-out plan,
  also ``rollout_evidence`` (every unit live today has evidence, its own or the plan's
  roll-out result).
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

import sixsigma as ss
from dmaic.errors import DocumentPathError, ParameterError
from dmaic.evidence import Evidence
from dmaic.model.project import Project
from dmaic.types import PHASES, Phase

__all__ = ["CHECKS", "Check", "Thresholds", "TollgateReport", "check_tollgate",
           "project_tollgate"]

#: The typed results each check accepts.
CHART_TYPES: tuple[type, ...] = (ss.spc.ControlChart, ss.spc.ChartPair)
KAPPA_TYPES: tuple[type, ...] = (ss.msa.CohenKappa, ss.msa.FleissKappa,
                                 ss.msa.AttributeAgreement)
MSA_TYPES: tuple[type, ...] = (*KAPPA_TYPES, ss.msa.KrippendorffAlpha, ss.msa.GageRR)
CAPABILITY_TYPES: tuple[type, ...] = (
    ss.capability.Capability, ss.capability.PercentileCapability,
    ss.capability.TransformedCapability, ss.capability.SigmaMetrics)

#: Kinds of outside records (results computed elsewhere, kept as JSON mappings) that the
#: measurement-system and capability checks read by key: ``kappa``, ``alpha``, ``pct_grr``,
#: ``sigma_level``.
MSA_RECORD_KINDS = frozenset({"cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                              "attribute_agreement", "gage_rr", "msa"})
CAPABILITY_RECORD_KINDS = frozenset({"capability", "percentile_capability",
                                     "transformed_capability", "sigma_metrics"})


class Check(NamedTuple):
    """One tollgate check: its name, whether it passed, and why."""

    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Thresholds:
    """The numbers the checks compare against.

    Attributes
    ----------
    alpha : float
        Significance level for root-cause and pilot tests (0.05).
    min_subgroups : int
        Points a baseline chart needs (20).
    kappa_min : float
        Smallest acceptable Cohen's/Fleiss' kappa (0.7).
    krippendorff_min : float
        Smallest acceptable Krippendorff's alpha (0.8).
    grr_max : float
        Largest acceptable %GRR, percent of study variation (30).
    """

    alpha: float = 0.05
    min_subgroups: int = 20
    kappa_min: float = 0.7
    krippendorff_min: float = 0.8
    grr_max: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise ParameterError(f"Thresholds: alpha must be in (0, 1); got {self.alpha!r}.")
        if self.min_subgroups < 1:
            raise ParameterError(f"Thresholds: min_subgroups must be >= 1; got "
                             f"{self.min_subgroups!r}.")


@dataclass(frozen=True)
class TollgateReport:
    """The checks of one phase's tollgate.

    Attributes
    ----------
    phase : str
        The phase reviewed.
    checks : tuple of Check
        Each check's name, pass/fail and reason.
    thresholds : Thresholds
        The numbers used.
    """

    phase: Phase
    checks: tuple[Check, ...]
    thresholds: Thresholds = Thresholds()

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        """The checks that failed."""
        return [c for c in self.checks if not c.passed]

    def __getitem__(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise DocumentPathError(f"no check {name!r} in the {self.phase} tollgate")

    def to_frame(self) -> pd.DataFrame:
        """One row per check: name, passed, reason."""
        return pd.DataFrame(self.checks, columns=["name", "passed", "reason"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict."""
        return {"kind": "tollgate", "phase": self.phase, "passed": self.passed,
                "checks": [c._asdict() for c in self.checks],
                "thresholds": asdict(self.thresholds)}

    def summary(self) -> str:
        """One line per check."""
        head = f"{self.phase} tollgate: {'passed' if self.passed else 'NOT passed'}"
        return "\n".join([head] + [f"  [{'x' if c.passed else ' '}] {c.name}: {c.reason}"
                                   for c in self.checks])

    def _repr_html_(self) -> str:
        caption = html.escape(self.summary().splitlines()[0])
        body = self.to_frame().to_html(index=False, escape=True)
        return f"<div><strong>{caption}</strong>{body}</div>"

    def __repr__(self) -> str:
        return f"<TollgateReport {self.summary().splitlines()[0]}>"


# -- helpers --------------------------------------------------------------------------------
def _ok(name: str, reason: str) -> Check:
    return Check(name, True, reason)


def _fail(name: str, reason: str) -> Check:
    return Check(name, False, reason)


def _covers_ctqs(name: str, p: Project, covered: set[str], what: str, lines: int) -> Check:
    """Pass when every CTQ has a line in ``what`` (``covered``: the CTQ ids it names)."""
    if not p.define.ctqs:
        return _fail(name, "no CTQs")
    missing = [c.id for c in p.define.ctqs if c.id not in covered]
    if missing:
        return _fail(name, f"no {what} for {missing}")
    return _ok(name, f"{lines} {what} lines")


def _attached(p: Project, eid: str | None) -> Evidence | None:
    ev = None if eid is None else p.evidence.get(eid)
    return None if ev is None or ev.planned else ev


def _better(direction: str | None, before: float, after: float) -> bool:
    return (after < before) if direction == "lower" else (after > before)


def _direction(p: Project, ctq_id: str) -> str | None:
    ctq = p.define.ctq(ctq_id)
    return None if ctq is None else ctq.direction


# -- define ---------------------------------------------------------------------------------
def charter_complete(p: Project, th: Thresholds) -> Check:
    """Problem, business case, goal, scope in/out, sponsor, lead, process owner, milestones."""
    c = p.define.charter
    missing = [name for name, present in (
        ("problem statement", c.problem_statement), ("business case", c.business_case),
        ("goal", c.goal), ("scope in", c.scope_in), ("scope out", c.scope_out),
        ("start date", c.start)) if not present]
    roles = {m.role for m in c.team}
    missing += [f"a {r.replace('_', ' ')} on the team" for r in ("sponsor", "lead",
                                                                  "process_owner")
                if r not in roles]
    planned = {m.phase for m in c.milestones}
    gaps = [ph for ph in PHASES if ph not in planned]
    if gaps:
        missing.append(f"milestones for {', '.join(gaps)}")
    if missing:
        return _fail("charter_complete", "missing: " + "; ".join(missing))
    return _ok("charter_complete", f"charter complete; team of {len(c.team)}, "
               f"{len(c.milestones)} milestones")


def sipoc_complete(p: Project, th: Thresholds) -> Check:
    """Suppliers, inputs, process steps, outputs and customers are all listed."""
    s = p.define.sipoc
    empty = [n for n in ("suppliers", "inputs", "process", "outputs", "customers")
             if not getattr(s, n)]
    if empty:
        return _fail("sipoc_complete", f"SIPOC has no {', '.join(empty)}")
    return _ok("sipoc_complete", f"SIPOC with {len(s.process)} process steps")


def voc_traced(p: Project, th: Thresholds) -> Check:
    """Every CTQ is traced back to at least one voice-of-the-customer item."""
    if not p.define.voc:
        return _fail("voc_traced", "no voice-of-the-customer items")
    traced = {cid for v in p.define.voc for cid in v.ctqs}
    orphans = [c.id for c in p.define.ctqs if c.id not in traced]
    if orphans:
        return _fail("voc_traced", f"CTQs not traced to any customer need: {orphans}")
    return _ok("voc_traced", f"{len(p.define.voc)} VOC items cover every CTQ")


def ctqs_measurable(p: Project, th: Thresholds) -> Check:
    """Every CTQ has an operational definition, a unit, a direction and a spec or target."""
    if not p.define.ctqs:
        return _fail("ctqs_measurable", "no CTQs defined")
    gaps = []
    for c in p.define.ctqs:
        miss = [n.replace("_", " ") for n in ("operational_definition", "unit", "direction")
                if getattr(c, n) is None]
        if c.lsl is None and c.usl is None and c.target is None:
            miss.append("a spec limit or target")
        if miss:
            gaps.append(f"{c.id} lacks {', '.join(miss)}")
    if gaps:
        return _fail("ctqs_measurable", "; ".join(gaps))
    return _ok("ctqs_measurable", f"{len(p.define.ctqs)} CTQs measurable")


# -- measure --------------------------------------------------------------------------------
def data_collection(p: Project, th: Thresholds) -> Check:
    """The data collection plan has a line for every CTQ."""
    lines = p.measure.data_collection
    return _covers_ctqs("data_collection", p, {d.ctq for d in lines}, "data collection plan",
                        len(lines))


def baseline_subgroups(p: Project, th: Thresholds) -> Check:
    """Every CTQ's baseline chart (attached evidence) has at least ``min_subgroups`` points."""
    if not p.define.ctqs:
        return _fail("baseline_subgroups", "no CTQs")
    problems, counts = [], []
    for c in p.define.ctqs:
        b = p.measure.baseline(c.id)
        ev = None if b is None else _attached(p, b.chart)
        if b is None:
            problems.append(f"{c.id} has no baseline")
        elif ev is None or ev.points is None:
            problems.append(f"{c.id}'s baseline has no attached control chart"
                            + (f" ({b.chart!r} is planned or not a chart)" if b.chart else ""))
        elif ev.points < th.min_subgroups:
            problems.append(f"{c.id}'s baseline chart {b.chart!r} has {ev.points} points, "
                            f"fewer than {th.min_subgroups}")
        else:
            counts.append(f"{c.id}: {ev.points} points")
    if problems:
        return _fail("baseline_subgroups", "; ".join(problems))
    return _ok("baseline_subgroups", "; ".join(counts))


def _msa_verdict(ev: Evidence, th: Thresholds) -> tuple[bool, str] | None:
    result, record = ev.result, ev.record
    if isinstance(result, KAPPA_TYPES) or record is not None:
        kappa = ev.number("kappa")
        if kappa is not None:
            return kappa >= th.kappa_min, f"kappa {kappa:.3f} (needs >= {th.kappa_min})"
    if isinstance(result, ss.msa.KrippendorffAlpha) or record is not None:
        alpha = ev.number("alpha")
        if alpha is not None:
            return (alpha >= th.krippendorff_min,
                    f"Krippendorff's alpha {alpha:.3f} (needs >= {th.krippendorff_min})")
    pct = _pct_grr(ev)
    if pct is not None:
        return pct < th.grr_max, f"%GRR {pct:.1f} % (needs < {th.grr_max:g} %)"
    return None


def _pct_grr(ev: Evidence) -> float | None:
    """%GRR (percent of study variation) of a gage R&R study, or of an outside record."""
    result = ev.result
    if isinstance(result, ss.msa.GageRR):
        value = float(np.asarray(result.components.loc["gage_rr", "pct_study_var"],
                                 dtype=float))
        return value if math.isfinite(value) else None
    return ev.number("pct_grr") if ev.record is not None else None


def _is_msa(ev: Evidence) -> bool:
    return isinstance(ev.result, MSA_TYPES) or (ev.record is not None
                                                 and ev.kind in MSA_RECORD_KINDS)


def measurement_system(p: Project, th: Thresholds) -> Check:
    """Every measurement-system study is attached and acceptable (and there is one)."""
    if not p.measure.msa:
        return _fail("measurement_system", "no measurement-system study")
    bad, good = [], []
    for m in p.measure.msa:
        ev = _attached(p, m.evidence)
        if ev is None:
            bad.append(f"{m.evidence!r} has no result attached")
            continue
        if not _is_msa(ev):
            bad.append(f"{m.evidence!r} is a {ev.kind}, not a measurement-system study")
            continue
        verdict = _msa_verdict(ev, th)
        if verdict is None:
            bad.append(f"{m.evidence!r} ({ev.kind}) reports no kappa, alpha or %GRR")
        elif not verdict[0]:
            bad.append(f"{m.evidence!r}: {verdict[1]}")
        else:
            good.append(f"{m.evidence!r}: {verdict[1]}")
    if bad:
        return _fail("measurement_system", "; ".join(bad))
    return _ok("measurement_system", "; ".join(good))


def baseline_capability(p: Project, th: Thresholds) -> Check:
    """Every baseline has capability evidence (or a recorded sigma level)."""
    if not p.measure.baselines:
        return _fail("baseline_capability", "no baselines")
    bad, good = [], []
    for b in p.measure.baselines:
        ev = _attached(p, b.capability)
        if ev is not None and (isinstance(ev.result, CAPABILITY_TYPES) or (
                ev.record is not None and ev.kind in CAPABILITY_RECORD_KINDS)):
            level = ev.number("sigma_level")
            good.append(f"{b.ctq}: {ev.kind}" + ("" if level is None
                                                 else f", sigma level {level:.2f}"))
        elif b.sigma_level is not None:
            good.append(f"{b.ctq}: sigma level {b.sigma_level:.2f} (recorded)")
        else:
            bad.append(f"{b.ctq} has no capability evidence or sigma level")
    if bad:
        return _fail("baseline_capability", "; ".join(bad))
    return _ok("baseline_capability", "; ".join(good))


# -- analyze --------------------------------------------------------------------------------
def fishbone_populated(p: Project, th: Thresholds) -> Check:
    """The fishbone names its effect and lists at least one candidate cause."""
    fb = p.analyze.fishbone
    n = sum(len(c.causes) for c in fb.categories)
    if fb.effect is None or n == 0:
        return _fail("fishbone_populated", "the fishbone needs an effect and candidate causes"
                     f" (effect: {fb.effect!r}, {n} causes)")
    return _ok("fishbone_populated", f"{n} candidate causes in {len(fb.categories)} categories")


def verified_root_cause(p: Project, th: Thresholds) -> Check:
    """At least one verified root cause whose attached evidence reports p < alpha.

    For a segment scan the test is the q-value of the cause's segment (or of the scan's
    first cause): :meth:`dmaic.Project.root_cause_tests`.
    """
    verified = [rc for rc in p.analyze.root_causes if rc.status == "verified"]
    if not verified:
        return _fail("verified_root_cause", "no verified root cause in the register")
    found, weak, unknown = [], [], []
    for rc in verified:
        tests = p.root_cause_tests(rc.id)
        sig = [(eid, pv) for eid, pv in tests if pv is not None and pv < th.alpha]
        if sig:
            eid, pv = sig[0]
            name = "q" if p.evidence[eid].kind == "segment_scan" else "p"
            found.append(f"{rc.id} ({name} = {pv:.3g} in {eid!r})")
        else:
            weak.append(rc.id)
            if rc.segment is not None and any(
                    p.evidence[eid].kind == "segment_scan" for eid, pv in tests if pv is None):
                unknown.append(f"{rc.id}: no segment {rc.segment!r} in its scan")
    if not found:
        extra = f" ({'; '.join(unknown)})" if unknown else ""
        return _fail("verified_root_cause", f"verified causes {weak} have no attached evidence "
                     f"with p < {th.alpha}{extra}")
    return _ok("verified_root_cause", "verified: " + ", ".join(found))


# -- improve --------------------------------------------------------------------------------
def solution_selected(p: Project, th: Thresholds) -> Check:
    """A solution is selected, and each selected one addresses a verified root cause."""
    chosen = [s for s in p.improve.solutions if s.selected]
    if not chosen:
        return _fail("solution_selected", "no solution selected")
    verified = {rc.id for rc in p.analyze.root_causes if rc.status == "verified"}
    loose = [s.id for s in chosen if not verified.intersection(s.root_causes)]
    if loose:
        return _fail("solution_selected", f"selected solutions {loose} address no verified "
                     "root cause")
    return _ok("solution_selected", f"selected: {[s.id for s in chosen]}")


def fmea_actions(p: Project, th: Thresholds) -> Check:
    """The FMEA exists and every row of high action priority has an action."""
    if not p.improve.fmea:
        return _fail("fmea_actions", "no FMEA of the improved process")
    open_rows = [f"{r.failure_mode!r} (S{r.severity} O{r.occurrence} D{r.detection})"
                 for r in p.improve.fmea if r.action_priority == "H" and r.action is None]
    if open_rows:
        return _fail("fmea_actions", f"high action priority without an action: {open_rows}")
    n_high = sum(r.action_priority == "H" for r in p.improve.fmea)
    return _ok("fmea_actions", f"{len(p.improve.fmea)} failure modes, {n_high} of high "
               "priority, all with actions")


def _stage_shift(p: Project, eid: str | None, direction: str | None) -> tuple[bool, str]:
    ev = _attached(p, eid)
    chart = None if ev is None else ev.chart
    if chart is None:
        return False, "no staged control chart attached to the pilot result"
    stages = chart.stages
    if len(stages) < 2:
        return False, f"chart {eid!r} has {len(stages)} stage; a before/after chart needs 2"
    first, last = stages[0], stages[-1]
    if direction is None:
        return False, "the CTQ has no direction"
    moved = _better(direction, first.center, last.center)
    word = "down" if last.center < first.center else "up"
    text = (f"chart {eid!r}: centre {first.center:.4g} ({first.name}) -> {last.center:.4g} "
            f"({last.name}), {word}")
    return moved, text + ("" if moved else f", but {direction} is better")


def pilot_significant(p: Project, th: Thresholds) -> Check:
    """The pilot's test shows p < alpha in the right direction.

    Without a test, a staged chart whose last centre moved the right way passes.
    """
    r = p.improve.pilot.result
    if r is None:
        return _fail("pilot_significant", "the pilot has no result")
    direction = _direction(p, r.ctq)
    test = _attached(p, r.test)
    if test is not None and test.p_value is not None:
        right = direction is not None and _better(direction, r.before, r.after)
        if test.p_value < th.alpha and right:
            return _ok("pilot_significant", f"{r.ctq} {r.before:.4g} -> {r.after:.4g}, "
                       f"p = {test.p_value:.3g} < {th.alpha}")
        why = (f"p = {test.p_value:.3g} is not below {th.alpha}" if test.p_value >= th.alpha
               else f"{r.ctq} moved the wrong way ({r.before:.4g} -> {r.after:.4g})")
        return _fail("pilot_significant", why)
    moved, text = _stage_shift(p, r.chart, direction)
    if moved:
        return _ok("pilot_significant", "no test attached; " + text)
    return _fail("pilot_significant", "no test with a p-value attached; " + text)


def staged_chart_shift(p: Project, th: Thresholds) -> Check:
    """A staged chart of the pilot shows the centre moved in the CTQ's better direction."""
    r = p.improve.pilot.result
    if r is None:
        return _fail("staged_chart_shift", "the pilot has no result")
    moved, text = _stage_shift(p, r.chart, _direction(p, r.ctq))
    return Check("staged_chart_shift", moved, text)


# -- control --------------------------------------------------------------------------------
def control_plan_covers_ctqs(p: Project, th: Thresholds) -> Check:
    """Every CTQ has a line in the control plan."""
    return _covers_ctqs("control_plan_covers_ctqs", p, {i.ctq for i in p.control.plan},
                        "control plan", len(p.control.plan))


def limits_frozen(p: Project, th: Thresholds) -> Check:
    """Every control plan line has limits frozen from an attached chart."""
    if not p.control.plan:
        return _fail("limits_frozen", "no control plan")
    bad = []
    for i, item in enumerate(p.control.plan):
        if item.limits is None:
            bad.append(f"line {i} ({item.metric}) has no frozen limits")
            continue
        ev = _attached(p, item.limits.evidence)
        if ev is None or ev.chart is None:
            bad.append(f"line {i} ({item.metric}): limits cite {item.limits.evidence!r}, "
                       "which is not an attached chart")
    if bad:
        return _fail("limits_frozen", "; ".join(bad))
    return _ok("limits_frozen", "limits frozen on every line")


def control_plan_complete(p: Project, th: Thresholds) -> Check:
    """Every control plan line has a sampling plan, a reaction plan and an owner."""
    if not p.control.plan:
        return _fail("control_plan_complete", "no control plan")
    gaps = []
    for i, item in enumerate(p.control.plan):
        miss = [n.replace("_", " ") for n in ("sampling_plan", "reaction_plan", "owner")
                if getattr(item, n) is None]
        if miss:
            gaps.append(f"line {i} ({item.metric}) lacks {', '.join(miss)}")
    if gaps:
        return _fail("control_plan_complete", "; ".join(gaps))
    return _ok("control_plan_complete", "sampling, reaction plan and owner on every line")


def handover(p: Project, th: Thresholds) -> Check:
    """The process owner named, the date set, and the handover accepted."""
    h = p.control.handover
    miss = [w for w, ok in (("the receiving owner", h.to), ("the date", h.on),
                            ("acceptance", h.accepted)) if not ok]
    if miss:
        return _fail("handover", f"handover lacks {', '.join(miss)}")
    return _ok("handover", f"handed over to {h.to} on {h.on}")


def rollout_evidence(p: Project, th: Thresholds) -> Check | None:
    """Every live unit of the roll-out plan has evidence (only with a roll-out plan).

    A unit is live when its go-live date is today or earlier. Its evidence is its own
    attached ``evidence``, or the plan's attached roll-out result
    (:class:`sixsigma.rollout.Rollout`) when that result has the unit live (a verdict other
    than ``not_live``). Without a roll-out plan the check is not run.
    """
    plan = p.control.rollout
    if plan is None:
        return None
    today = _dt.date.today()
    live = plan.live_units(today)
    if not live:
        return _ok("rollout_evidence", f"no unit live yet ({len(plan.units)} planned)")
    tracked: set[str] = set()
    ev = _attached(p, plan.evidence)
    result = None if ev is None else ev.result
    if isinstance(result, ss.rollout.Rollout):
        tracked = {str(u) for u, v in zip(result.table["unit"], result.table["verdict"],
                                          strict=True) if v != "not_live"}
    missing = [u.unit for u in live
               if _attached(p, u.evidence) is None and u.unit not in tracked]
    if missing:
        return _fail("rollout_evidence", f"live units without evidence: {missing} (attach a "
                     "roll-out result to the plan or evidence to each unit)")
    return _ok("rollout_evidence", f"{len(live)} of {len(plan.units)} units live, each with "
               "evidence")


CheckFunction = Callable[[Project, Thresholds], Check]
OptionalCheck = Callable[[Project, Thresholds], "Check | None"]

#: The checks of each phase, in the order they are reported.
CHECKS: dict[str, tuple[CheckFunction, ...]] = {
    "define": (charter_complete, sipoc_complete, voc_traced, ctqs_measurable),
    "measure": (data_collection, baseline_subgroups, measurement_system, baseline_capability),
    "analyze": (fishbone_populated, verified_root_cause),
    "improve": (solution_selected, fmea_actions, pilot_significant, staged_chart_shift),
    "control": (control_plan_covers_ctqs, limits_frozen, control_plan_complete, handover),
}

#: Checks of each phase that apply only to some projects (they return None otherwise),
#: reported after the phase's :data:`CHECKS`.
OPTIONAL_CHECKS: dict[str, tuple[OptionalCheck, ...]] = {
    "control": (rollout_evidence,),
}


def check_tollgate(project: Project, phase: Phase,
                   thresholds: Thresholds | None = None) -> TollgateReport:
    """Run the checks of ``phase`` on ``project``.

    Parameters
    ----------
    project : Project
        The project.
    phase : {"define", "measure", "analyze", "improve", "control"}
        The gate.
    thresholds : Thresholds, optional
        Numbers to compare against (defaults of :class:`Thresholds`).

    Returns
    -------
    TollgateReport

    Examples
    --------
    >>> import dmaic
    >>> from dmaic.tollgates import check_tollgate
    >>> gate = check_tollgate(dmaic.Project(title="t"), "define")
    >>> gate.passed, [c.name for c in gate.failed][:2]
    (False, ['charter_complete', 'sipoc_complete'])
    """
    if phase not in CHECKS:
        raise ParameterError(f"check_tollgate: phase must be one of {list(CHECKS)}; got "
                             f"{phase!r}.")
    th = thresholds or Thresholds()
    checks = [f(project, th) for f in CHECKS[phase]]
    optional = (f(project, th) for f in OPTIONAL_CHECKS.get(phase, ()))
    return TollgateReport(phase=phase, checks=(*checks, *(c for c in optional if c)),
                          thresholds=th)


def project_tollgate(project: Project, phase: Phase,
                     thresholds: Mapping[str, Any]) -> TollgateReport:
    """What :meth:`dmaic.Project.tollgate` runs: the gate with thresholds given by name.

    Raises
    ------
    ParameterError
        An unknown threshold name, or a value out of range.
    """
    unknown = sorted(set(thresholds) - set(Thresholds.__dataclass_fields__))
    if unknown:
        raise ParameterError(f"tollgate: unknown thresholds {unknown}; known: "
                             f"{sorted(Thresholds.__dataclass_fields__)}.")
    return check_tollgate(project, phase, Thresholds(**thresholds))
