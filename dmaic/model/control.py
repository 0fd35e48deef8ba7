"""Control: the control plan (with frozen limits) and the handover to the process owner."""

from __future__ import annotations

import datetime as _dt
import statistics
from typing import Any

from pydantic import Field, model_validator

from dmaic._base import DmaicModel, Problems
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
        ValueError
            The evidence is not an attached control chart.
        """
        chart = evidence.result if evidence.kind == "control_chart" else (
            (evidence.result or {}).get("location") if evidence.kind == "chart_pair" else None)
        if not isinstance(chart, dict) or not evidence.stages:
            raise ValueError(f"FrozenLimits.from_chart: evidence {evidence_id!r} is not an "
                             "attached control chart.")
        stages: Any = chart.get("stages") or [{}]
        raw_stage: Any = stages[-1]
        start, stop = int(raw_stage.get("start", 0)), int(raw_stage.get("stop", 0))

        def median(key: str) -> float | None:
            values = chart.get(key)
            vals = [v for v in (values[start:stop] if isinstance(values, list) else [])
                    if isinstance(v, int | float)]
            return float(statistics.median(vals)) if vals else None

        sigma = raw_stage.get("sigma")
        return cls(center=evidence.stages[-1].center, lcl=median("lcl"), ucl=median("ucl"),
                   sigma=float(sigma) if isinstance(sigma, int | float) else None,
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
