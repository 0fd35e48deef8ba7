"""Define: the charter, SIPOC, the voice of the customer and the CTQs it translates to."""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import Field, model_validator

from dmaic._base import DmaicModel, Problems
from dmaic.types import Direction, Identifier, NonEmptyStr, Phase, Role

__all__ = ["CTQ", "SIPOC", "Charter", "Define", "Goal", "Milestone", "TargetRecord",
           "TeamMember", "VoiceOfCustomer"]


class TeamMember(DmaicModel):
    """A person on the project and their role (see :data:`dmaic.types.Role`)."""

    name: NonEmptyStr
    role: Role
    contact: str | None = None


class Milestone(DmaicModel):
    """The planned (``due``) and actual (``done``) end of a phase's tollgate review."""

    phase: Phase
    due: _dt.date
    done: _dt.date | None = None


class Goal(DmaicModel):
    """The goal statement: move ``ctq`` from ``baseline`` to ``target`` by ``deadline``.

    The project checks that the target is better than the baseline in the CTQ's
    direction and that the deadline is not before the charter's start.
    """

    statement: NonEmptyStr
    ctq: Identifier
    baseline: float
    target: float
    deadline: _dt.date


class Charter(DmaicModel):
    """The project charter.

    Fields may stay empty while it is drafted; the Define tollgate
    (``charter_complete``) lists what is still missing.
    """

    problem_statement: NonEmptyStr | None = None
    business_case: NonEmptyStr | None = None
    goal: Goal | None = None
    scope_in: list[NonEmptyStr] = Field(default_factory=list)
    scope_out: list[NonEmptyStr] = Field(default_factory=list)
    team: list[TeamMember] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    start: _dt.date | None = None


class SIPOC(DmaicModel):
    """Suppliers, inputs, process (high-level steps), outputs, customers."""

    suppliers: list[NonEmptyStr] = Field(default_factory=list)
    inputs: list[NonEmptyStr] = Field(default_factory=list)
    process: list[NonEmptyStr] = Field(default_factory=list)
    outputs: list[NonEmptyStr] = Field(default_factory=list)
    customers: list[NonEmptyStr] = Field(default_factory=list)


class VoiceOfCustomer(DmaicModel):
    """What a customer said (``verbatim``), the need behind it, and the CTQs it became."""

    customer: NonEmptyStr
    verbatim: NonEmptyStr
    need: NonEmptyStr | None = None
    ctqs: list[Identifier] = Field(default_factory=list)


class TargetRecord(DmaicModel):
    """Where a CTQ's target came from: a :func:`sixsigma.targets.propose` proposal.

    Attributes
    ----------
    value : float
        The chosen target (also the CTQ's ``target``).
    candidate : {"baseline", "stretch", "entitlement", "custom"}
        Which of the proposal's candidates it is (``"custom"``: a number chosen by hand).
    probability : float
        Probability that the next period's rate meets it (``proposal.probability(value)``).
    period_volume : float
        Units in that period (a week of average volume unless given).
    evidence : str
        Id of the evidence holding the proposal (the provenance of the number).
    """

    value: float
    candidate: Literal["baseline", "stretch", "entitlement", "custom"]
    probability: float = Field(ge=0.0, le=1.0)
    period_volume: float = Field(gt=0.0)
    evidence: Identifier


class CTQ(DmaicModel):
    """A critical-to-quality characteristic: what is measured, how, and which way is better.

    Attributes
    ----------
    id : str
        Key the rest of the document refers to.
    name : str
        Short name ("Wrong-policy error rate").
    operational_definition : str or None
        How one measurement is taken, precisely enough for two people to get the same value.
    unit : str or None
        Unit of the measurement ("proportion of audited decisions").
    direction : {"lower", "higher"} or None
        Which way is better.
    lsl, usl, target : float or None
        Specification limits and target; ``lsl < usl`` and the target within them.
    target_source : TargetRecord or None
        The proposal the target was chosen from (:meth:`dmaic.Project.set_target`), or
        None for a target set by hand.
    """

    id: Identifier
    name: NonEmptyStr
    operational_definition: NonEmptyStr | None = None
    unit: NonEmptyStr | None = None
    direction: Direction | None = None
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None
    target_source: TargetRecord | None = None

    @model_validator(mode="after")
    def _specs_in_order(self) -> CTQ:
        problems = Problems("CTQ")
        if self.lsl is not None and self.usl is not None and not self.lsl < self.usl:
            problems.add(("usl",), f"usl ({self.usl}) must be greater than lsl ({self.lsl})",
                         self.usl)
        if self.target is not None:
            if self.lsl is not None and self.target < self.lsl:
                problems.add(("target",), f"target ({self.target}) is below lsl ({self.lsl})",
                             self.target)
            if self.usl is not None and self.target > self.usl:
                problems.add(("target",), f"target ({self.target}) is above usl ({self.usl})",
                             self.target)
        source = self.target_source
        if source is not None and source.value != self.target:
            problems.add(("target_source", "value"), f"the recorded target ({source.value}) "
                         f"is not the CTQ's target ({self.target})", source.value)
        problems.raise_if_any()
        return self


class Define(DmaicModel):
    """The Define phase: charter, SIPOC, voice of the customer, CTQs."""

    charter: Charter = Field(default_factory=Charter)
    sipoc: SIPOC = Field(default_factory=SIPOC)
    voc: list[VoiceOfCustomer] = Field(default_factory=list)
    ctqs: list[CTQ] = Field(default_factory=list)

    def ctq(self, ctq_id: str) -> CTQ | None:
        """The CTQ with this id, or None."""
        return next((c for c in self.ctqs if c.id == ctq_id), None)
