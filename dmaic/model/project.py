"""The project document: its phases, its evidence, its history of tollgate decisions.

The document knows nothing of the layers above it: :mod:`dmaic.store` (files) and
:mod:`dmaic.tollgates` (readiness checks) import this module, never the reverse.
:meth:`Project.save`, :meth:`Project.tollgate` and :meth:`Project.advance` call the
functions that :func:`install` registered; ``dmaic/__init__`` installs
:func:`dmaic.store.save` and :func:`dmaic.tollgates.project_tollgate` when dmaic is imported.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pydantic import AwareDatetime, Field, model_validator

from dmaic._base import DmaicModel, Problems
from dmaic.errors import (
    DmaicError,
    DocumentPathError,
    EvidenceError,
    GateReport,
    PhaseError,
    TollgateNotPassedError,
)
from dmaic.evidence import Evidence, Fingerprint
from dmaic.model.analyze import Analyze
from dmaic.model.control import Control
from dmaic.model.define import Define
from dmaic.model.improve import Improve
from dmaic.model.measure import Measure
from dmaic.types import (
    ACTIVE_PHASES,
    PHASES,
    SCHEMA_VERSION,
    Identifier,
    NonEmptyStr,
    Phase,
    ProjectId,
    SchemaVersion,
    Stage,
)

__all__ = ["SCHEMA_VERSION", "Edit", "FailedCheck", "Override", "Project", "Transition",
           "install"]



class SaveFunction(Protocol):
    """The signature of :func:`dmaic.store.save`."""

    def __call__(self, project: Project, path: str | os.PathLike[str], *,
                 force: bool = False) -> None: ...


class GateFunction(Protocol):
    """The signature of :func:`dmaic.tollgates.project_tollgate`."""

    def __call__(self, project: Project, phase: Phase,
                 thresholds: Mapping[str, Any]) -> GateReport: ...


_SERVICES: dict[str, Any] = {}


def install(*, save: SaveFunction, tollgate: GateFunction) -> None:
    """Register the functions behind :meth:`Project.save` and :meth:`Project.tollgate`.

    ``dmaic/__init__`` calls it with :func:`dmaic.store.save` and
    :func:`dmaic.tollgates.project_tollgate`, so that the model imports neither.
    """
    _SERVICES.update(save=save, tollgate=tollgate)


def _service(name: str) -> Any:
    try:
        return _SERVICES[name]
    except KeyError:  # pragma: no cover - dmaic/__init__ always installs them
        raise DmaicError(f"Project.{name}: no {name} function is installed; import dmaic "
                         "(its __init__ installs dmaic.store and dmaic.tollgates).") from None


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


class FailedCheck(DmaicModel):
    """A tollgate check that failed when a gate was overridden."""

    name: NonEmptyStr
    reason: str


class Override(DmaicModel):
    """A deliberate decision to pass a gate whose checks failed: who, why, when.

    Give ``by`` and ``reason``; :meth:`Project.advance` fills in ``at`` and ``failed``.
    """

    by: NonEmptyStr
    reason: NonEmptyStr
    at: AwareDatetime = Field(default_factory=_now)
    failed: list[FailedCheck] = Field(default_factory=list)


class Transition(DmaicModel):
    """A move from one stage to the next, with the override that allowed it, if any."""

    from_stage: Stage
    to_stage: Stage
    at: AwareDatetime
    override: Override | None = None


class Project(DmaicModel):
    """A DMAIC improvement project, from charter to control plan, with its evidence.

    Attributes
    ----------
    schema_version : 5
        Version of the document format (older files are migrated on load).
    id : str
        The project's identity, a UUID made when the project is created (files of older
        versions get one derived from their content). It never changes: :meth:`save`
        refuses to replace a file holding another project's id.
    revision : int
        Incremented by each save; :meth:`save` refuses to overwrite a file holding a newer
        revision than the one this project was loaded at.
    title : str
        Project title.
    phase : str
        Current stage: ``"define"`` ... ``"control"``, then ``"closed"``.
    define, measure, analyze, improve, control
        The phases.
    evidence : dict
        Evidence records by id; the phases refer to them by id.
    transitions : list of Transition
        Every gate passed, with the override used when checks had failed.

    Notes
    -----
    Cross-field rules checked on every validation (all problems are reported together,
    each at its field): references resolve (CTQs, evidence, root causes, solutions, fishbone
    categories); ids are unique; the goal's target is better than its baseline in the
    CTQ's direction; dates are in order (charter start, milestones in phase order, goal
    deadline, transitions); a data collection plan, once written, measures every CTQ.
    Readiness for a phase is not validation: see :meth:`tollgate`.

    Examples
    --------
    >>> import dmaic
    >>> p = dmaic.Project(title="Wrong-policy errors after the policy update")
    >>> p.phase, p.revision, p.schema_version
    ('define', 0, 5)
    >>> p.append("define.ctqs", {"id": "wp", "name": "Wrong-policy rate", "direction": "lower"})
    >>> p.set("define.ctqs.0.usl", 0.02)
    >>> p.define.ctqs[0].usl
    0.02
    """

    schema_version: SchemaVersion = SCHEMA_VERSION
    id: ProjectId = Field(default_factory=_new_id)
    revision: int = Field(default=0, ge=0)
    title: NonEmptyStr
    phase: Stage = "define"
    define: Define = Field(default_factory=Define)
    measure: Measure = Field(default_factory=Measure)
    analyze: Analyze = Field(default_factory=Analyze)
    improve: Improve = Field(default_factory=Improve)
    control: Control = Field(default_factory=Control)
    evidence: dict[Identifier, Evidence] = Field(default_factory=dict)
    transitions: list[Transition] = Field(default_factory=list)

    # -- validation -----------------------------------------------------------------------
    @model_validator(mode="after")
    def _cross_field(self) -> Project:
        problems = Problems("Project")
        for check in _CROSS_CHECKS:
            check(self, problems)
        problems.raise_if_any()
        return self

    # -- editing --------------------------------------------------------------------------
    def set(self, path: str, value: Any) -> None:
        """Set the field at a dotted ``path`` and re-validate the whole project.

        ``path`` walks attributes, list positions and dict keys:
        ``"define.charter.problem_statement"``, ``"analyze.root_causes.0.status"``. On a
        validation error nothing changes.
        """
        with self.edit() as draft:
            draft.set(path, value)

    def append(self, path: str, item: Any) -> None:
        """Append ``item`` to the list at ``path`` and re-validate (``list.append`` would not).

        On a validation error nothing changes.
        """
        with self.edit() as draft:
            draft.append(path, item)

    def edit(self) -> Edit:
        """Several edits validated together, for changes that are only valid as a whole.

        Examples
        --------
        >>> import dmaic
        >>> p = dmaic.Project(title="t")
        >>> with p.edit() as draft:
        ...     draft.append("define.ctqs", {"id": "a", "name": "A"})
        ...     draft.append("measure.data_collection", {"ctq": "a", "data_source": "audits"})
        >>> [c.id for c in p.define.ctqs]
        ['a']
        """
        return Edit(self)

    def add_evidence(self, evidence_id: str, evidence: Evidence) -> Evidence:
        """Store an evidence record under ``evidence_id`` (replacing a planned one)."""
        data = self.model_dump()
        data["evidence"][evidence_id] = evidence.model_dump()
        self._commit(data)
        stored = self.evidence[evidence_id]
        stored.reuse_result(evidence)  # the typed result attached, not a decoded copy
        return stored

    def attach(
        self,
        evidence_id: str,
        result: Any,
        *,
        data: Any = None,
        description: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        function: Callable[..., Any] | str | None = None,
        data_source: str | None = None,
    ) -> Evidence:
        """Attach a sixsigma result as evidence ``evidence_id`` (see :func:`dmaic.evidence.attach`).

        When the id names a planned record, its description, function, parameters and data
        source are kept unless given here.
        """
        planned = self.evidence.get(evidence_id)
        ev = Evidence.from_result(
            result, data=data,
            description=description if description is not None
            else (planned.description if planned else ""),
            parameters=parameters if parameters is not None
            else (planned.parameters if planned else None),
            function=function if function is not None
            else (planned.function if planned else None),
            data_source=data_source if data_source is not None
            else (planned.data_source if planned else None),
        )
        return self.add_evidence(evidence_id, ev)

    def set_target(
        self,
        ctq_id: str,
        proposal: Any,
        *,
        choice: str | float = "stretch",
        evidence_id: str | None = None,
        period_volume: float | None = None,
        description: str | None = None,
    ) -> Evidence:
        """Set a CTQ's target from a :func:`sixsigma.targets.propose` proposal, with its provenance.

        The proposal is attached as evidence ``evidence_id`` (a typed result, as
        :meth:`attach` does); the CTQ's ``target`` becomes the chosen value and its
        ``target_source`` records which candidate it was, the probability that the next
        period meets it (``proposal.probability``) and the evidence id. All in one edit:
        on an error nothing changes.

        Parameters
        ----------
        ctq_id : str
            The CTQ.
        proposal : sixsigma.targets.TargetProposal
            The proposal; its ``direction`` must be the CTQ's.
        choice : {"stretch", "entitlement", "baseline"} or float
            A candidate of the proposal, or a rate of your own (recorded as ``"custom"``).
        evidence_id : str, optional
            Id of the evidence record (default ``"<ctq_id>_target_proposal"``).
        period_volume : float, optional
            Units in the period the probability is for (a week of average volume).
        description : str, optional
            Description of the evidence.

        Returns
        -------
        Evidence
            The attached proposal.

        Raises
        ------
        DocumentPathError
            No CTQ ``ctq_id``.
        ParameterError
            Not a proposal; the proposal's direction is not the CTQ's; an unknown candidate;
            a rate outside [0, 1]; a bad ``period_volume``.

        Examples
        --------
        >>> import dmaic, sixsigma as ss
        >>> days = {"day": [f"2026-03-{d:02d}" for d in range(1, 15)],
        ...         "errors": [9, 11, 10, 12, 8, 10, 11, 9, 10, 12, 10, 9, 11, 10],
        ...         "audited": [500] * 14}
        >>> proposal = ss.targets.propose(days, "errors", size="audited", label="day")
        >>> p = dmaic.Project(title="t")
        >>> p.append("define.ctqs", {"id": "err", "name": "Error rate", "direction": "lower"})
        >>> ev = p.set_target("err", proposal, choice="baseline")
        >>> ctq = p.define.ctq("err")
        >>> ctq.target == proposal.baseline, ctq.target_source.evidence, ev.kind
        (True, 'err_target_proposal', 'target_proposal')
        """
        from dmaic.errors import ParameterError
        from sixsigma.errors import SixSigmaError
        from sixsigma.targets import TargetProposal

        where = "set_target"
        position = next((i for i, c in enumerate(self.define.ctqs) if c.id == ctq_id), None)
        if position is None:
            raise DocumentPathError(f"{where}: no CTQ {ctq_id!r} (CTQs: "
                                    f"{[c.id for c in self.define.ctqs]}).")
        ctq = self.define.ctqs[position]
        if not isinstance(proposal, TargetProposal):
            raise ParameterError(f"{where}: the 'proposal' parameter must be a "
                                 "sixsigma.targets.TargetProposal (from ss.targets.propose); "
                                 f"got {type(proposal).__name__}.")
        if ctq.direction != proposal.direction:
            raise ParameterError(
                f"{where}: the proposal is for {proposal.direction!r} is better but CTQ "
                f"{ctq_id!r} has direction {ctq.direction!r}; propose with "
                f"direction={ctq.direction!r}" if ctq.direction is not None else
                f"{where}: CTQ {ctq_id!r} has no direction; set it first (the proposal is "
                f"for {proposal.direction!r} is better).")
        candidates = ("baseline", "stretch", "entitlement")
        if isinstance(choice, str):
            if choice not in candidates:
                raise ParameterError(f"{where}: the 'choice' parameter must be one of "
                                     f"{list(candidates)} or a rate; got {choice!r}.")
            candidate, value = choice, float(getattr(proposal, choice))
        elif isinstance(choice, bool) or not isinstance(choice, int | float):
            raise ParameterError(f"{where}: the 'choice' parameter must be one of "
                                 f"{list(candidates)} or a rate; got {choice!r}.")
        else:
            candidate, value = "custom", float(choice)
        try:
            probability = proposal.probability(value, period_volume=period_volume)
        except SixSigmaError as err:
            raise ParameterError(f"{where}: {err}") from err
        volume = 7.0 * proposal.daily_volume if period_volume is None else float(period_volume)
        eid = f"{ctq_id}_target_proposal" if evidence_id is None else evidence_id
        ev = Evidence.from_result(
            proposal, description=description if description is not None
            else f"target proposal for {ctq_id}", function="sixsigma.targets.propose")
        data = self.model_dump()
        data["evidence"][eid] = ev.model_dump()
        data["define"]["ctqs"][position].update(
            target=value, target_source={"value": value, "candidate": candidate,
                                         "probability": probability,
                                         "period_volume": volume, "evidence": eid})
        self._commit(data)
        stored = self.evidence[eid]
        stored.reuse_result(ev)
        return stored

    def refresh(self, evidence_id: str, data: Any) -> Evidence:
        """Re-run evidence ``evidence_id`` on ``data`` and attach the new result."""
        ev = self.evidence.get(evidence_id)
        if ev is None:
            raise DocumentPathError(f"refresh: no evidence {evidence_id!r} (evidence: "
                                    f"{sorted(self.evidence)}).")
        return self.attach(evidence_id, ev.rerun(data), data=data)

    def stale_evidence(self, data: Any) -> list[str]:
        """Ids of the evidence computed from this table whose values have changed since.

        Evidence counts as computed from ``data`` when its fingerprint has the same column
        names; results computed on other tables are not compared.
        """
        now = Fingerprint.of(data)
        return [k for k, ev in self.evidence.items()
                if ev.fingerprint is not None and ev.fingerprint.columns == now.columns
                and ev.fingerprint != now]

    def _commit(self, data: dict[str, Any]) -> None:
        new = type(self).model_validate(data)
        for key, ev in new.evidence.items():
            old = self.evidence.get(key)
            if old is not None:
                ev.reuse_result(old)
        for name in type(self).model_fields:
            self.__dict__[name] = new.__dict__[name]
        self.__pydantic_fields_set__.update(new.model_fields_set)

    # -- tollgates ------------------------------------------------------------------------
    def tollgate(self, phase: Phase | None = None, **thresholds: Any) -> GateReport:
        """The tollgate report of ``phase`` (default: the current phase).

        Returns a :class:`dmaic.tollgates.TollgateReport`. Keyword arguments override
        :class:`dmaic.tollgates.Thresholds` (``alpha=0.01``...).

        Raises
        ------
        PhaseError
            The project is closed and no phase is named.
        """
        if phase is None:
            if self.phase == "closed":
                raise PhaseError("tollgate: the project is closed; name a phase.")
            phase = self.phase
        report: GateReport = _service("tollgate")(self, phase, thresholds)
        return report

    def advance(self, override: Override | None = None, **thresholds: Any) -> Transition:
        """Pass the current phase's tollgate and move to the next stage.

        Parameters
        ----------
        override : Override, optional
            Who allows an unmet gate, and why; recorded with the failed checks.
        **thresholds
            Passed to :meth:`tollgate`.

        Returns
        -------
        Transition
            The recorded move.

        Raises
        ------
        TollgateNotPassedError
            A check failed and no override was given; the message lists the failed checks.
        PhaseError
            The project is already closed.
        """
        if self.phase == "closed":
            raise PhaseError("advance: the project is already closed.")
        report = self.tollgate(**thresholds)
        used = None
        if not report.passed:
            if override is None:
                raise TollgateNotPassedError(report)
            used = override.model_copy(update={"failed": [
                FailedCheck(name=c.name, reason=c.reason) for c in report.failed]})
        nxt = ACTIVE_PHASES[ACTIVE_PHASES.index(self.phase) + 1]
        step = Transition(from_stage=self.phase, to_stage=nxt, at=_now(), override=used)
        data = self.model_dump()
        data["phase"] = nxt
        data["transitions"].append(step.model_dump())
        self._commit(data)
        return self.transitions[-1]

    def root_cause_tests(self, root_cause: str) -> list[tuple[str, float | None]]:
        """The test of a root cause in each attached evidence it cites: ``(id, p)`` pairs.

        ``p`` is the evidence's p-value; for a segment scan, the q-value of the cause's
        ``segment`` (or of the scan's first cause); None when the evidence reports no test
        or the scan holds no such segment. Planned evidence is left out.

        Raises
        ------
        DocumentPathError
            No root cause has that id.
        """
        causes = {rc.id: rc for rc in self.analyze.root_causes}
        if root_cause not in causes:
            raise DocumentPathError(f"root_cause_tests: no root cause {root_cause!r}; the "
                                    f"register holds {list(causes)}.")
        rc = causes[root_cause]
        out: list[tuple[str, float | None]] = []
        for eid in rc.evidence:
            ev = self.evidence.get(eid)
            if ev is None or ev.planned:
                continue
            try:
                out.append((eid, ev.p_value_for(rc.segment)))
            except EvidenceError:
                out.append((eid, None))
        return out

    @property
    def overrides(self) -> list[Override]:
        """Every override recorded, oldest first."""
        return [t.override for t in self.transitions if t.override is not None]

    # -- storage --------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str], *, force: bool = False) -> None:
        """Save atomically to ``path`` (JSON or YAML by suffix); see :func:`dmaic.store.save`."""
        _service("save")(self, path, force=force)


class Edit:
    """A draft of a project's content; validated and applied as a whole on leaving ``with``.

    Obtained from :meth:`Project.edit`. If the block raises, or the result is not a valid
    project, the project is left unchanged (the ValidationError propagates).
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.data: dict[str, Any] = project.model_dump()

    def set(self, path: str, value: Any) -> None:
        """Set the field at the dotted ``path`` in the draft."""
        parent, key = _walk(self.data, path)
        if isinstance(parent, list):
            parent[int(key)] = _plain(value)
        else:
            parent[key] = _plain(value)

    def append(self, path: str, item: Any) -> None:
        """Append ``item`` to the list at ``path`` in the draft."""
        parent, key = _walk(self.data, path)
        target = parent[int(key)] if isinstance(parent, list) else parent.get(key)
        if not isinstance(target, list):
            raise DocumentPathError(f"append: {path!r} is not a list.")
        target.append(_plain(item))

    def __enter__(self) -> Edit:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.project._commit(self.data)


# -- helpers --------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, DmaicModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _walk(data: dict[str, Any], path: str) -> tuple[Any, str]:
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError) as err:
            where = ".".join(parts[: i + 1])
            raise DocumentPathError(f"{path!r}: no {where!r} in the project") from err
        if node is None:
            where = ".".join(parts[: i + 1])
            raise DocumentPathError(f"{path!r}: {where!r} is empty; set it whole first")
    last = parts[-1]
    if isinstance(node, list):
        if not last.lstrip("-").isdigit() or not -len(node) <= int(last) < len(node):
            raise DocumentPathError(f"{path!r}: no position {last} in a list of {len(node)}")
    elif not isinstance(node, dict):
        raise DocumentPathError(f"{path!r}: {'.'.join(parts[:-1])!r} holds no fields")
    return node, last


# -- cross-field rules ----------------------------------------------------------------------
def _ctq_refs(p: Project, problems: Problems) -> None:
    ids = [c.id for c in p.define.ctqs]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            problems.add(("define", "ctqs", i, "id"), f"CTQ id {cid!r} is used twice", cid)
    known = set(ids)

    def need(loc: tuple[str | int, ...], cid: str) -> None:
        if cid not in known:
            problems.add(loc, f"unknown CTQ {cid!r} (CTQs: {sorted(known)})", cid)

    goal = p.define.charter.goal
    if goal is not None:
        need(("define", "charter", "goal", "ctq"), goal.ctq)
    for i, v in enumerate(p.define.voc):
        for j, cid in enumerate(v.ctqs):
            need(("define", "voc", i, "ctqs", j), cid)
    for i, dc in enumerate(p.measure.data_collection):
        need(("measure", "data_collection", i, "ctq"), dc.ctq)
    for i, b in enumerate(p.measure.baselines):
        need(("measure", "baselines", i, "ctq"), b.ctq)
    for i, m in enumerate(p.measure.msa):
        if m.ctq is not None:
            need(("measure", "msa", i, "ctq"), m.ctq)
    result = p.improve.pilot.result
    if result is not None:
        need(("improve", "pilot", "result", "ctq"), result.ctq)
    for i, item in enumerate(p.control.plan):
        need(("control", "plan", i, "ctq"), item.ctq)
    if p.control.rollout is not None:
        need(("control", "rollout", "ctq"), p.control.rollout.ctq)
    # every CTQ measured: a data collection plan, once written, covers all of them
    if p.measure.data_collection:
        covered = {dc.ctq for dc in p.measure.data_collection}
        for i, c in enumerate(p.define.ctqs):
            if c.id not in covered:
                problems.add(("define", "ctqs", i, "id"), f"CTQ {c.id!r} is not measured: the "
                             "data collection plan has no line for it", c.id)


def _goal(p: Project, problems: Problems) -> None:
    goal = p.define.charter.goal
    if goal is None:
        return
    ctq = p.define.ctq(goal.ctq)
    loc: tuple[str | int, ...] = ("define", "charter", "goal", "target")
    if ctq is not None and ctq.direction == "lower" and not goal.target < goal.baseline:
        problems.add(loc, f"the target ({goal.target}) must be below the baseline "
                     f"({goal.baseline}): lower is better for {ctq.id!r}", goal.target)
    if ctq is not None and ctq.direction == "higher" and not goal.target > goal.baseline:
        problems.add(loc, f"the target ({goal.target}) must be above the baseline "
                     f"({goal.baseline}): higher is better for {ctq.id!r}", goal.target)


def _dates(p: Project, problems: Problems) -> None:
    charter = p.define.charter
    start = charter.start
    if start is not None and charter.goal is not None and charter.goal.deadline < start:
        problems.add(("define", "charter", "goal", "deadline"),
                     f"the deadline ({charter.goal.deadline}) is before the start ({start})",
                     charter.goal.deadline)
    latest: tuple[str, _dt.date] | None = None
    order = sorted(enumerate(charter.milestones), key=lambda im: PHASES.index(im[1].phase))
    for i, m in order:
        loc: tuple[str | int, ...] = ("define", "charter", "milestones", i, "due")
        if start is not None and m.due < start:
            problems.add(loc, f"the {m.phase} milestone ({m.due}) is before the start "
                         f"({start})", m.due)
        if latest is not None and m.due < latest[1] and latest[0] != m.phase:
            problems.add(loc, f"the {m.phase} milestone ({m.due}) is before the {latest[0]} "
                         f"milestone ({latest[1]}); phases run in order", m.due)
        if latest is None or m.due >= latest[1]:
            latest = (m.phase, m.due)
        if m.done is not None and start is not None and m.done < start:
            problems.add(("define", "charter", "milestones", i, "done"),
                         f"done ({m.done}) before the start ({start})", m.done)
    for i, t in enumerate(p.transitions):
        if i and t.at < p.transitions[i - 1].at:
            problems.add(("transitions", i, "at"), "transitions must be in time order", t.at)


def _evidence_refs(p: Project, problems: Problems) -> None:
    known = set(p.evidence)

    def need(loc: tuple[str | int, ...], eid: str | None) -> None:
        if eid is not None and eid not in known:
            problems.add(loc, f"unknown evidence {eid!r} (evidence: {sorted(known)})", eid)

    for i, b in enumerate(p.measure.baselines):
        need(("measure", "baselines", i, "chart"), b.chart)
        need(("measure", "baselines", i, "capability"), b.capability)
    for i, m in enumerate(p.measure.msa):
        need(("measure", "msa", i, "evidence"), m.evidence)
    for i, rc in enumerate(p.analyze.root_causes):
        for j, eid in enumerate(rc.evidence):
            need(("analyze", "root_causes", i, "evidence", j), eid)
    result = p.improve.pilot.result
    if result is not None:
        need(("improve", "pilot", "result", "test"), result.test)
        need(("improve", "pilot", "result", "chart"), result.chart)
    for i, item in enumerate(p.control.plan):
        if item.limits is not None:
            need(("control", "plan", i, "limits", "evidence"), item.limits.evidence)
    rollout = p.control.rollout
    if rollout is not None:
        need(("control", "rollout", "evidence"), rollout.evidence)
        for i, u in enumerate(rollout.units):
            need(("control", "rollout", "units", i, "evidence"), u.evidence)


def _analysis_refs(p: Project, problems: Problems) -> None:
    ids = [rc.id for rc in p.analyze.root_causes]
    for i, rid in enumerate(ids):
        if rid in ids[:i]:
            problems.add(("analyze", "root_causes", i, "id"), f"root cause id {rid!r} is used "
                         "twice", rid)
    categories = {n.casefold() for n in p.analyze.fishbone.names}
    for i, rc in enumerate(p.analyze.root_causes):
        if rc.category.casefold() not in categories:
            problems.add(("analyze", "root_causes", i, "category"),
                         f"{rc.category!r} is not a fishbone category "
                         f"({p.analyze.fishbone.names})", rc.category)
    known = set(ids)
    for i, w in enumerate(p.analyze.five_whys):
        if w.root_cause is not None and w.root_cause not in known:
            problems.add(("analyze", "five_whys", i, "root_cause"),
                         f"unknown root cause {w.root_cause!r}", w.root_cause)
    sols = [s.id for s in p.improve.solutions]
    for i, sid in enumerate(sols):
        if sid in sols[:i]:
            problems.add(("improve", "solutions", i, "id"), f"solution id {sid!r} is used "
                         "twice", sid)
    for i, s in enumerate(p.improve.solutions):
        for j, rid in enumerate(s.root_causes):
            if rid not in known:
                problems.add(("improve", "solutions", i, "root_causes", j),
                             f"unknown root cause {rid!r}", rid)
    for sid in p.improve.selection.scores:
        if sid not in set(sols):
            problems.add(("improve", "selection", "scores", sid), f"unknown solution {sid!r}",
                         sid)


_CROSS_CHECKS: tuple[Callable[[Project, Problems], None], ...] = (
    _ctq_refs, _goal, _dates, _evidence_refs, _analysis_refs,
)
