"""Constrained types shared by the project model: identifiers, scores, phases, directions.

Every alias is an ``Annotated`` type, so a bad value gives a Pydantic error that names the
field it sits in (``define.ctqs.0.id``), not a bare ``ValueError``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

__all__ = [
    "ACTIVE_PHASES",
    "SCHEMA_VERSION",
    "PHASES",
    "Direction",
    "Identifier",
    "NonEmptyStr",
    "Percent",
    "Phase",
    "Probability",
    "ProjectId",
    "RootCauseStatus",
    "Role",
    "SchemaVersion",
    "Score1to10",
    "Stage",
]

SchemaVersion = Literal[5]
"""The version of the project document format this dmaic writes."""

SCHEMA_VERSION: SchemaVersion = 5
"""Version of the project document format (older files are migrated on load: see
:mod:`dmaic.migrations`). Version 3 stores each result as the typed sixsigma result's
``to_dict()`` payload; version 4 gives each project a stable ``id``; version 5 lets a CTQ
record where its target came from (``target_source``)."""

ProjectId = Annotated[str, StringConstraints(
    pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
"""A project's identity: a UUID in its canonical lower-case text form."""

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Text that is not empty once surrounding white space is removed."""

Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
                      max_length=80),
]
"""A short key that other parts of the document refer to: ``error-rate``, ``rc_1``."""

Percent = Annotated[float, Field(ge=0.0, le=100.0)]
"""A percentage, 0 to 100."""

Probability = Annotated[float, Field(gt=0.0, lt=1.0)]
"""A probability strictly between 0 and 1 (a significance level, for example)."""

Score1to10 = Annotated[int, Field(ge=1, le=10, strict=True)]
"""An FMEA or selection-matrix score: an integer from 1 to 10."""

Direction = Literal["higher", "lower"]
"""Which way is better for a CTQ: ``"lower"`` for an error rate, ``"higher"`` for accuracy."""

Phase = Literal["define", "measure", "analyze", "improve", "control"]
"""A DMAIC phase."""

Stage = Literal["define", "measure", "analyze", "improve", "control", "closed"]
"""Where a project stands: one of the five phases, or ``"closed"`` after Control."""

PHASES: tuple[Phase, ...] = ("define", "measure", "analyze", "improve", "control")
"""The phases in order."""

ACTIVE_PHASES: tuple[Stage, ...] = (*PHASES, "closed")
"""The stages a project passes through, in order (the phases, then closed)."""

RootCauseStatus = Literal["hypothesized", "verified", "rejected"]
"""State of a cause in the root-cause register."""

Role = Literal["sponsor", "process_owner", "lead", "member", "expert", "finance"]
"""A team role: the sponsor (champion) who owns the business case, the process owner who
receives the handover, the lead (belt) who runs the project, members, subject-matter
experts and the finance partner who signs off the savings."""
