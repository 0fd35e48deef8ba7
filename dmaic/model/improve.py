"""Improve: candidate solutions, the selection matrix, the FMEA and the pilot.

Action priority
---------------
:func:`action_priority` implements the Action Priority (AP) table of the AIAG & VDA FMEA
Handbook, 1st edition (2019), §3.5 / §4.5 (the table is the same for design and process
FMEA). Severity is banded 9-10, 7-8, 4-6, 2-3, 1; occurrence 8-10, 6-7, 4-5, 2-3, 1;
detection 7-10, 5-6, 2-4, 1. High (H) means the team must act or justify in writing;
Medium (M) should act; Low (L) could. The RPN (S x O x D) of the older AIAG 4th edition is
reported alongside, as many teams still sort by it, but it does not decide the priority.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import Field, model_validator

from dmaic._base import DmaicModel, Problems
from dmaic.errors import ParameterError
from dmaic.types import Identifier, NonEmptyStr, Score1to10

__all__ = [
    "AP_TABLE",
    "FMEARow",
    "Improve",
    "Pilot",
    "PilotResult",
    "SelectionCriterion",
    "SelectionMatrix",
    "Solution",
    "action_priority",
]

Priority = Literal["H", "M", "L"]

_S_BANDS = ((9, 10), (7, 8), (4, 6), (2, 3), (1, 1))
_O_BANDS = ((8, 10), (6, 7), (4, 5), (2, 3), (1, 1))
_D_BANDS = ((7, 10), (5, 6), (2, 4), (1, 1))

#: AP by (severity band, occurrence band) -> string over detection bands 7-10, 5-6, 2-4, 1.
AP_TABLE: dict[tuple[tuple[int, int], tuple[int, int]], str] = {
    ((9, 10), (8, 10)): "HHHH", ((9, 10), (6, 7)): "HHHH", ((9, 10), (4, 5)): "HHHM",
    ((9, 10), (2, 3)): "HMLL", ((9, 10), (1, 1)): "LLLL",
    ((7, 8), (8, 10)): "HHHH", ((7, 8), (6, 7)): "HHHM", ((7, 8), (4, 5)): "HMMM",
    ((7, 8), (2, 3)): "MMLL", ((7, 8), (1, 1)): "LLLL",
    ((4, 6), (8, 10)): "HHMM", ((4, 6), (6, 7)): "MMML", ((4, 6), (4, 5)): "MLLL",
    ((4, 6), (2, 3)): "LLLL", ((4, 6), (1, 1)): "LLLL",
    ((2, 3), (8, 10)): "MMLL", ((2, 3), (6, 7)): "LLLL", ((2, 3), (4, 5)): "LLLL",
    ((2, 3), (2, 3)): "LLLL", ((2, 3), (1, 1)): "LLLL",
    ((1, 1), (8, 10)): "LLLL", ((1, 1), (6, 7)): "LLLL", ((1, 1), (4, 5)): "LLLL",
    ((1, 1), (2, 3)): "LLLL", ((1, 1), (1, 1)): "LLLL",
}


def _band(value: int, bands: tuple[tuple[int, int], ...], name: str) -> tuple[int, int]:
    for lo, hi in bands:
        if lo <= value <= hi:
            return (lo, hi)
    raise ParameterError(f"action_priority: {name} must be an integer from 1 to 10; got {value!r}.")


def action_priority(severity: int, occurrence: int, detection: int) -> Priority:
    """AIAG-VDA (2019) action priority of a failure mode: ``"H"``, ``"M"`` or ``"L"``.

    Parameters
    ----------
    severity, occurrence, detection : int
        Ratings from 1 to 10 (10 worst: most severe, most frequent, least detectable).

    Returns
    -------
    {"H", "M", "L"}

    Raises
    ------
    ValueError
        A rating outside 1..10.

    References
    ----------
    AIAG & VDA, *FMEA Handbook*, 1st ed., 2019, Action Priority table (DFMEA/PFMEA).

    Examples
    --------
    >>> from dmaic.model.improve import action_priority
    >>> action_priority(9, 2, 8), action_priority(9, 2, 3), action_priority(5, 5, 5)
    ('H', 'L', 'L')
    >>> action_priority(7, 5, 2), action_priority(1, 10, 10)
    ('M', 'L')
    """
    s = _band(severity, _S_BANDS, "severity")
    o = _band(occurrence, _O_BANDS, "occurrence")
    d = _D_BANDS.index(_band(detection, _D_BANDS, "detection"))
    ap = AP_TABLE[(s, o)][d]
    return "H" if ap == "H" else "M" if ap == "M" else "L"


class Solution(DmaicModel):
    """A candidate solution and the root causes it addresses."""

    id: Identifier
    description: NonEmptyStr
    root_causes: list[Identifier] = Field(default_factory=list)
    owner: NonEmptyStr | None = None
    selected: bool = False


class SelectionCriterion(DmaicModel):
    """A criterion of the selection matrix and its weight (> 0)."""

    name: NonEmptyStr
    weight: float = Field(gt=0.0)


class SelectionMatrix(DmaicModel):
    """Weighted scoring of the solutions (Pugh-style): ``scores[solution][criterion]``.

    Every scored solution must be scored on every criterion, 1 to 10.
    """

    criteria: list[SelectionCriterion] = Field(default_factory=list)
    scores: dict[Identifier, dict[NonEmptyStr, Score1to10]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> SelectionMatrix:
        problems = Problems("SelectionMatrix")
        names = [c.name for c in self.criteria]
        for i, name in enumerate(names):
            if name in names[:i]:
                problems.add(("criteria", i, "name"), f"criterion {name!r} appears twice", name)
        for sol, row in self.scores.items():
            for crit in row:
                if crit not in names:
                    problems.add(("scores", sol, crit), f"{crit!r} is not a criterion "
                                 f"(criteria: {names})", row[crit])
            missing = [n for n in names if n not in row]
            if missing:
                problems.add(("scores", sol), f"solution {sol!r} is not scored on {missing}",
                             row)
        problems.raise_if_any()
        return self

    def totals(self) -> dict[str, float]:
        """Weighted total per solution, highest first."""
        weights = {c.name: c.weight for c in self.criteria}
        totals = {sol: sum(weights[c] * s for c, s in row.items() if c in weights)
                  for sol, row in self.scores.items()}
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


class FMEARow(DmaicModel):
    """A failure mode of the improved process with its severity, occurrence, detection.

    ``rpn`` (S x O x D) and ``action_priority`` (AIAG-VDA) are derived, not stored.
    """

    process_step: NonEmptyStr
    failure_mode: NonEmptyStr
    effect: NonEmptyStr
    cause: NonEmptyStr
    current_controls: str | None = None
    severity: Score1to10
    occurrence: Score1to10
    detection: Score1to10
    action: NonEmptyStr | None = None
    owner: NonEmptyStr | None = None

    @property
    def rpn(self) -> int:
        """Risk priority number S x O x D (1 to 1000)."""
        return self.severity * self.occurrence * self.detection

    @property
    def action_priority(self) -> Priority:
        """AIAG-VDA action priority (see :func:`action_priority`)."""
        return action_priority(self.severity, self.occurrence, self.detection)


class PilotResult(DmaicModel):
    """What the pilot showed for a CTQ: before and after levels and the evidence.

    Attributes
    ----------
    ctq : str
        The CTQ compared.
    before, after : float
        Its level before and during the pilot.
    test : str or None
        Evidence id of a significance test (its ``p_value`` is read by the tollgate).
    chart : str or None
        Evidence id of a staged control chart (before / pilot stages).
    conclusion : str or None
        The team's reading.
    """

    ctq: Identifier
    before: float
    after: float
    test: Identifier | None = None
    chart: Identifier | None = None
    conclusion: NonEmptyStr | None = None


class Pilot(DmaicModel):
    """The pilot plan and, once run, its result."""

    scope: NonEmptyStr | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    success_criteria: NonEmptyStr | None = None
    result: PilotResult | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Pilot:
        problems = Problems("Pilot")
        if self.start is not None and self.end is not None and self.end < self.start:
            problems.add(("end",), f"the pilot ends ({self.end}) before it starts "
                         f"({self.start})", self.end)
        problems.raise_if_any()
        return self


class Improve(DmaicModel):
    """The Improve phase."""

    solutions: list[Solution] = Field(default_factory=list)
    selection: SelectionMatrix = Field(default_factory=SelectionMatrix)
    fmea: list[FMEARow] = Field(default_factory=list)
    pilot: Pilot = Field(default_factory=Pilot)
