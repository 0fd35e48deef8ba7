"""The DMAIC storyboard: one HTML page telling a project's case from charter to control.

Charter -> baseline -> root causes with their evidence -> improvement with the
before/after staged chart -> control plan, then the record of the tollgates. Every figure
is drawn from the typed results the project's evidence holds (``Evidence.result``, restored
from the project file), with the section builders of :mod:`sixsigma.report.sections`, so
the project file alone is enough: ``sixsigma report case.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sixsigma.report.render import Fact, Page, Section, Table, fmt, fmt_p, render, write
from sixsigma.report.sections import hotspots as _hotspots_sections
from sixsigma.report.sections import process_map as _map_sections
from sixsigma.report.sections import sections

if TYPE_CHECKING:
    from dmaic.evidence import Evidence
    from dmaic.model import Project

__all__ = ["report", "storyboard"]

_PHASES = ("define", "measure", "analyze", "improve", "control")


def _rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> Table:
    return Table(columns=list(columns), rows=[[fmt(v) for v in r] for r in rows],
                 caption=caption)


class _Evidence:
    """Renders evidence sections, each once, and remembers what was shown."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.shown: set[str] = set()
        kinds = {k: e.kind for k, e in project.evidence.items() if e.result is not None}
        self.map_id = next((k for k, v in kinds.items() if v == "process_map"), None)
        self.hot_id = next((k for k, v in kinds.items() if v == "hotspots"), None)

    def __call__(self, eid: str | None, title: str = "") -> list[Section]:
        if eid is None or eid in self.shown or eid not in self.project.evidence:
            return []
        self.shown.add(eid)
        ev: Evidence = self.project.evidence[eid]
        heading = title or _short(ev.description) or eid
        about = [ev.description] if ev.description and ev.description != heading else []
        if ev.result is None:
            return [Section(heading, level=3, paragraphs=about,
                            notes=[f"Evidence {eid!r} is planned; no result attached yet."])]
        result = ev.result
        if ev.kind == "process_map":
            hot = self.project.evidence[self.hot_id].result if self.hot_id else None
            parts = _map_sections(result, heading, hot)
        elif ev.kind == "hotspots":
            parts = _hotspots_sections(result, heading)
        elif ev.kind == "rollout":
            from sixsigma.report.rollouts import rollout_sections

            parts = rollout_sections(result, heading)
        else:
            parts = sections(result, heading)
        first, rest = parts[0], parts[1:]
        provenance = [f"Evidence {eid!r}"]
        if ev.function:
            provenance.append(f"computed by {ev.function}")
        if ev.created_at is not None:
            provenance.append(f"attached {ev.created_at:%Y-%m-%d %H:%M} UTC")
        if ev.fingerprint is not None:
            provenance.append(f"data: {ev.fingerprint.rows:,} rows, fingerprint "
                              f"{ev.fingerprint.digest[:12]}")
        if ev.data_source:
            provenance.append(f"source: {ev.data_source}")
        first = replace(first, level=3, title=heading,
                        paragraphs=[*about, *first.paragraphs, "; ".join(provenance) + "."])
        return [first, *(replace(s, level=4) for s in rest)]


def _short(text: str, limit: int = 90) -> str:
    first = text.split(". ")[0].split(": ")[0].strip()
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + " \u2026"


def _badge(project: Project, phase: str) -> Fact:
    passed = project.tollgate(phase).passed  # type: ignore[arg-type]
    return Fact("tollgate", "tollgate passed" if passed else "tollgate open",
                "good" if passed else "warn")


def _define(p: Project) -> list[Section]:
    ch = p.define.charter
    facts = []
    # the problem statement leads the page (Page.lead): it is not repeated here
    paras = [f"Business case: {ch.business_case}"] if ch.business_case else []
    if ch.goal is not None:
        g = ch.goal
        paras.append(f"Goal: {g.statement}")
        facts = [Fact("CTQ", g.ctq), Fact("baseline", fmt(g.baseline)),
                 Fact("target", fmt(g.target)), Fact("deadline", fmt(g.deadline))]
    out = [Section("Define: the charter", anchor="define", paragraphs=paras, facts=facts,
                   badge=_badge(p, "define"))]
    scope = [("in scope", "; ".join(ch.scope_in)), ("out of scope", "; ".join(ch.scope_out))]
    team = [(m.name, m.role) for m in ch.team]
    out.append(Section("Scope and team", level=3, tables=[
        _rows(["", "scope"], scope), _rows(["name", "role"], team, "Team"),
        _rows(["phase", "due", "done"], [(m.phase, m.due, m.done) for m in ch.milestones],
              "Milestones")]))
    s = p.define.sipoc
    sipoc = [("Suppliers", "; ".join(s.suppliers)), ("Inputs", "; ".join(s.inputs)),
             ("Process", " \u2192 ".join(s.process)), ("Outputs", "; ".join(s.outputs)),
             ("Customers", "; ".join(s.customers))]
    out.append(Section("SIPOC", level=3, tables=[_rows(["", ""], sipoc)]))
    out.append(Section("Voice of the customer and CTQs", level=3, tables=[
        _rows(["customer", "verbatim", "need", "CTQs"],
              [(v.customer, v.verbatim, v.need, ", ".join(v.ctqs)) for v in p.define.voc]),
        _rows(["CTQ", "name", "direction", "unit", "LSL", "target", "USL", "definition"],
              [(c.id, c.name, c.direction, c.unit, c.lsl, c.target, c.usl,
                c.operational_definition) for c in p.define.ctqs])]))
    return out


def _sigma_level(p: Project, baseline: Any) -> float | None:
    """The baseline's sigma level: as recorded, else the one its capability evidence reports."""
    if baseline.sigma_level is not None:
        return float(baseline.sigma_level)
    ev = p.evidence.get(baseline.capability) if baseline.capability else None
    return None if ev is None else ev.number("sigma_level")


def _measure(p: Project, show: _Evidence) -> list[Section]:
    m = p.measure
    out = [Section("Measure: the baseline", anchor="measure", badge=_badge(p, "measure"),
                   tables=[_rows(["CTQ", "baseline", "chart", "capability", "sigma level"],
                                 [(b.ctq, b.value, b.chart, b.capability, _sigma_level(p, b))
                                  for b in m.baselines], "Baselines"),
                           _rows(["CTQ", "data source", "sampling", "frequency", "stratify by"],
                                 [(d.ctq, d.data_source, d.sampling, d.frequency,
                                   ", ".join(d.stratify_by)) for d in m.data_collection],
                                 "Data collection plan")])]
    for b in m.baselines:
        out += show(b.chart, f"Baseline chart: {b.ctq}")
        out += show(b.capability, f"Baseline capability: {b.ctq}")
    for study in m.msa:
        out += show(study.evidence, f"Measurement system: {study.description[:80]}")
    return out


def _analyze(p: Project, show: _Evidence) -> list[Section]:
    a = p.analyze
    fish = [(c.name, "; ".join(c.causes)) for c in a.fishbone.categories if c.causes]
    register = []
    for rc in a.root_causes:
        ps = [p.evidence[e].p_value for e in rc.evidence if e in p.evidence]
        shown = ", ".join(fmt_p(v) for v in ps) or "\u2013"
        register.append((rc.id, rc.statement, rc.category, rc.status, ", ".join(rc.evidence),
                         shown))
    out = [Section("Analyze: root causes", anchor="analyze", badge=_badge(p, "analyze"),
                   paragraphs=[f"Effect: {a.fishbone.effect}"] if a.fishbone.effect else [],
                   tables=[_rows(["id", "root cause", "category", "status", "evidence",
                                  "p-value"], register, "Root-cause register"),
                           _rows(["category", "candidate causes"], fish, "Fishbone")])]
    for w in a.five_whys:
        out.append(Section(f"Five whys: {w.problem}", level=3, tables=[_rows(
            ["why", "answer"], [(i + 1, x) for i, x in enumerate(w.whys)])],
            paragraphs=[f"Root cause: {w.root_cause}"] if w.root_cause else []))
    for rc in a.root_causes:
        for eid in rc.evidence:
            out += show(eid, f"{rc.id} ({rc.status}): {_short(p.evidence[eid].description, 70)}"
                        if eid in p.evidence else eid)
    return out


def _improve(p: Project, show: _Evidence) -> list[Section]:
    imp = p.improve
    totals = imp.selection.totals()
    sols = [(s.id, s.description, ", ".join(s.root_causes), s.owner,
             fmt(totals.get(s.id)), "selected" if s.selected else "") for s in imp.solutions]
    fmea = [(r.process_step, r.failure_mode, r.severity, r.occurrence, r.detection, r.rpn,
             r.action_priority, r.action) for r in imp.fmea]
    pilot = imp.pilot
    facts = [Fact("pilot", f"{fmt(pilot.start)} to {fmt(pilot.end)}")] if pilot.start else []
    res = pilot.result
    if res is not None:
        direction = next((c.direction for c in p.define.ctqs if c.id == res.ctq), None)
        better = (res.after < res.before) if direction == "lower" else (res.after > res.before)
        facts += [Fact(f"{res.ctq} before", fmt(res.before)),
                  Fact(f"{res.ctq} during the pilot", fmt(res.after),
                       "good" if better else "bad")]
    paras = [f"Conclusion: {res.conclusion}"] if res is not None and res.conclusion else []
    plan = [(label, text) for label, text in (("pilot scope", pilot.scope),
                                               ("success criteria", pilot.success_criteria))
            if text]
    out = [Section("Improve: the solution and its pilot", anchor="improve", facts=facts,
                   badge=_badge(p, "improve"), paragraphs=paras,
                   tables=[*([_rows(["", "pilot"], plan)] if plan else []),
                           _rows(["id", "solution", "root causes", "owner", "score", ""], sols,
                                 "Solutions (weighted selection score)"),
                           _rows(["step", "failure mode", "S", "O", "D", "RPN", "AP", "action"],
                                 fmea, "FMEA of the improved process (AIAG-VDA action "
                                 "priority)")])]
    if res is not None:
        out += show(res.chart, "Before and after: the staged control chart")
        out += show(res.test, "Is the improvement significant?")
    return out


def _control(p: Project, show: _Evidence) -> list[Section]:
    rows = []
    for item in p.control.plan:
        lim = item.limits
        rows.append((item.ctq, item.metric, item.chart,
                     None if lim is None else lim.lcl, None if lim is None else lim.center,
                     None if lim is None else lim.ucl, None if lim is None else lim.frozen_on,
                     item.sampling_plan, item.reaction_plan, item.owner))
    h = p.control.handover
    facts = [Fact("handover to", h.to or "\u2013"), Fact("on", fmt(h.on)),
             Fact("accepted", "yes" if h.accepted else "no", "good" if h.accepted else "warn")]
    out = [Section("Control: the control plan", anchor="control", facts=facts,
                   badge=_badge(p, "control"),
                   paragraphs=["Frozen limits are those of the improved process; new data are "
                               "checked against them (sixsigma monitor)."],
                   tables=[_rows(["CTQ", "metric", "chart", "LCL", "centre", "UCL", "frozen on",
                                  "sampling", "reaction plan", "owner"], rows, "Control plan"),
                           _rows(["documents"], [(d,) for d in h.documents])])]
    for item in p.control.plan:
        if item.limits is not None:
            out += show(item.limits.evidence, f"Limits frozen from: {item.limits.evidence}")
    rollouts = [k for k, e in p.evidence.items() if e.kind == "rollout" and e.result is not None]
    if rollouts:
        out.append(Section("Control: the roll-out", anchor="rollout", paragraphs=[
            "The change going live unit by unit: did it work in each unit, did any get "
            "worse, the pooled effect (sixsigma.rollout.track)."]))
        for eid in rollouts:
            out += show(eid, f"Roll-out: {eid}")
    return out


def _history(p: Project) -> Section:
    rows = [(t.from_stage, t.to_stage, t.at.strftime("%Y-%m-%d %H:%M"),
             "" if t.override is None else f"override by {t.override.by}: {t.override.reason}")
            for t in p.transitions]
    return Section("Tollgate record", anchor="tollgates", tables=[
        _rows(["from", "to", "at (UTC)", "override"], rows)],
        paragraphs=[f"The project stands at: {p.phase}."])


def storyboard(project: Project) -> str:
    """Render the storyboard of a project as a self-contained HTML document.

    Parameters
    ----------
    project : dmaic.Project

    Returns
    -------
    str
        The HTML text. Evidence that no phase cites (exploratory analyses: a Pareto, a
        segment scan, the process map) is shown under "Supporting analyses".

    Examples
    --------
    >>> import dmaic
    >>> from dmaic.report import storyboard
    >>> html = storyboard(dmaic.Project(title="Fewer <wrong-policy> labels"))
    >>> "Fewer &lt;wrong-policy&gt; labels" in html, "Control: the control plan" in html
    (True, True)
    """
    show = _Evidence(project)
    parts = [*_define(project), *_measure(project, show), *_analyze(project, show)]
    improve, control = _improve(project, show), _control(project, show)
    rest = [eid for eid in project.evidence if eid not in show.shown]
    if project.evidence[show.hot_id].result is not None if show.hot_id else False:
        rest = [e for e in rest if e != show.map_id] + (
            [show.map_id] if show.map_id in rest else [])
    support: list[Section] = []
    for eid in rest:
        support += show(eid)
    if support:
        parts.append(Section("Supporting analyses", level=3,
                             paragraphs=["Analyses the team ran while looking for the causes."]))
        parts += support
    parts += [*improve, *control, _history(project)]
    goal = project.define.charter.goal
    lead = [project.define.charter.problem_statement] if project.define.charter.problem_statement \
        else []
    subtitle = f"DMAIC storyboard \u00b7 phase: {project.phase} \u00b7 revision {project.revision}"
    if goal is not None:
        subtitle += f" \u00b7 goal: {goal.ctq} from {fmt(goal.baseline)} to {fmt(goal.target)} " \
                    f"by {fmt(goal.deadline)}"
    page = Page(title=project.title, subtitle=subtitle, lead=lead, sections=parts, toc=True,
                kind="storyboard")
    return render(page)


def report(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write the storyboard of ``project`` to ``path`` (HTML); returns the path.

    This is ``dmaic.report(project, "out.html")``.
    """
    return write(storyboard(project), path)

