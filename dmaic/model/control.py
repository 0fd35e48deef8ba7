"""Control: the control plan (with frozen limits) and the handover to the process owner."""

from __future__ import annotations

import datetime as _dt
import math
import statistics

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from dmaic._base import DmaicModel, Problems
from dmaic.errors import EvidenceError
from dmaic.evidence import Evidence
from dmaic.types import Identifier, NonEmptyStr

__all__ = ["Control", "ControlPlanItem", "FrozenLimits", "Handover"]


class FrozenLimits(DmaicModel):
    """Control limits frozen from a chart of the improved process, reused for monitoring.

    Attributes
    ----------
    center : float
        Centre line.
    lcl, ucl : float or None
        Limits for the typical subgroup size (None: no limit on that side). Charts with
        varying subgroup sizes recompute per-point limits from ``center`` and ``sigma``.
    sigma : float or None
        The sigma estimate behind the limits, as the chart reports it (per unit for
        attribute charts; a Laney chart's sigma_z is in its stage's ``extra``).
    evidence : str
        Evidence id of the chart the limits were frozen from.
    frozen_on : date
        When they were frozen.
    """

    center: float
    lcl: float | None = None
    ucl: float | None = None
    sigma: float | None = Field(default=None, ge=0.0)
    evidence: Identifier
    frozen_on: _dt.date

    @model_validator(mode="after")
    def _ordered(self) -> FrozenLimits:
        problems = Problems("FrozenLimits")
        if self.lcl is not None and self.lcl > self.center:
            problems.add(("lcl",), f"lcl ({self.lcl}) is above the centre ({self.center})",
                         self.lcl)
        if self.ucl is not None and self.ucl < self.center:
            problems.add(("ucl",), f"ucl ({self.ucl}) is below the centre ({self.center})",
                         self.ucl)
        problems.raise_if_any()
        return self

    @classmethod
    def from_chart(cls, evidence_id: str, evidence: Evidence,
                   frozen_on: _dt.date | None = None) -> FrozenLimits:
        """Freeze the limits of the last stage of a control chart held as evidence.

        The centre and sigma are the last stage's; ``lcl``/``ucl`` are the medians of the
        per-point limits over that stage (the limits at the typical subgroup size).

        Raises
        ------
        EvidenceError
            The evidence is not an attached control chart.
        """
        chart = evidence.chart
        if chart is None or not chart.stages:
            raise EvidenceError(f"FrozenLimits.from_chart: evidence {evidence_id!r} is not an "
                                "attached control chart.")
        last = chart.stages[-1]

        def median(values: NDArray[np.float64]) -> float | None:
            part = np.asarray(values, dtype=float)[last.start:last.stop]
            finite = part[np.isfinite(part)].tolist()
            return float(statistics.median(finite)) if finite else None

        sigma = float(last.sigma)
        return cls(center=float(last.center), lcl=median(chart.lcl), ucl=median(chart.ucl),
                   sigma=sigma if math.isfinite(sigma) else None,
                   evidence=evidence_id, frozen_on=frozen_on or _dt.date.today())


class ControlPlanItem(DmaicModel):
    """One line of the control plan: what is watched, how, and what happens on a signal."""

    ctq: Identifier
    metric: NonEmptyStr
    chart: NonEmptyStr
    limits: FrozenLimits | None = None
    sampling_plan: NonEmptyStr | None = None
    reaction_plan: NonEmptyStr | None = None
    owner: NonEmptyStr | None = None


class Handover(DmaicModel):
    """Handover of the controlled process to its owner."""

    to: NonEmptyStr | None = None
    on: _dt.date | None = None
    documents: list[NonEmptyStr] = Field(default_factory=list)
    accepted: bool = False


class Control(DmaicModel):
    """The Control phase."""

    plan: list[ControlPlanItem] = Field(default_factory=list)
    handover: Handover = Field(default_factory=Handover)
