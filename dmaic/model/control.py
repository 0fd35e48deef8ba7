"""Control: the control plan (with frozen limits), the roll-out plan and the handover.

The roll-out plan (:class:`RolloutPlan`) lists the units (regions, sites, markets) the
change goes live in and their go-live dates; :func:`dmaic.rollouts.rollout_status` tracks
the project's CTQ across them with :func:`sixsigma.rollout.track`.
"""

from __future__ import annotations

import datetime as _dt
import math
import statistics

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import Field, model_validator

from dmaic._base import DmaicModel, Problems
from dmaic.errors import EvidenceError
from dmaic.evidence import Evidence
from dmaic.types import Identifier, NonEmptyStr

__all__ = ["Control", "ControlPlanItem", "FrozenLimits", "Handover", "RolloutPlan",
           "RolloutUnit"]


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


class RolloutUnit(DmaicModel):
    """One unit of the roll-out (a region, site or market) and its go-live date.

    Attributes
    ----------
    unit : str
        The unit as the data's unit column spells it (``"EMEA"``).
    go_live : date or None
        The day the change went (or goes) live there; None while it has no date.
    owner : str or None
        Who answers for the roll-out in this unit.
    notes : str or None
        Free text (a delay, a local adaptation).
    evidence : str or None
        Evidence id showing how the unit went after its go-live (its staged chart, a
        before/after test); the Control tollgate asks for it, or for the plan's roll-out
        result, for every live unit.
    """

    unit: NonEmptyStr
    go_live: _dt.date | None = None
    owner: NonEmptyStr | None = None
    notes: NonEmptyStr | None = None
    evidence: Identifier | None = None

    def live(self, on: _dt.date) -> bool:
        """True when the unit has a go-live date on or before ``on``."""
        return self.go_live is not None and self.go_live <= on


class RolloutPlan(DmaicModel):
    """The roll-out of the change, unit by unit: which CTQ is tracked, where and from when.

    Attributes
    ----------
    ctq : str
        The CTQ tracked across units (its ``direction`` says which way is better).
    unit_column : str
        The data column holding the unit (``"region"``).
    units : list of RolloutUnit
        The units and their go-live dates; at least one, each named once.
    defectives, size, label : str or None
        The data columns of the CTQ (defective count or 0/1 flag, units behind each row,
        time label). When None, :func:`dmaic.rollouts.rollout_status` takes them from
        the recorded call of the chart the CTQ's control-plan limits were frozen from.
    evidence : str or None
        Evidence id of an attached roll-out result (:class:`sixsigma.rollout.Rollout`).

    Examples
    --------
    >>> import datetime as dt
    >>> plan = RolloutPlan(ctq="error_rate", unit_column="region", units=[
    ...     {"unit": "NA", "go_live": "2026-02-02", "owner": "Ana"},
    ...     {"unit": "LATAM"}])
    >>> [u.unit for u in plan.live_units(dt.date(2026, 3, 1))]
    ['NA']
    >>> plan.go_live_dates()
    {'NA': datetime.date(2026, 2, 2), 'LATAM': None}
    >>> frame = plan.to_frame()
    >>> frame["unit"].tolist(), frame["go_live"].isna().tolist(), frame["owner"][0]
    (['NA', 'LATAM'], [False, True], 'Ana')
    """

    ctq: Identifier
    unit_column: NonEmptyStr = "region"
    units: list[RolloutUnit] = Field(min_length=1)
    defectives: NonEmptyStr | None = None
    size: NonEmptyStr | None = None
    label: NonEmptyStr | None = None
    evidence: Identifier | None = None

    @model_validator(mode="after")
    def _units_once(self) -> RolloutPlan:
        problems = Problems("RolloutPlan")
        seen: set[str] = set()
        for i, u in enumerate(self.units):
            if u.unit in seen:
                problems.add(("units", i, "unit"), f"unit {u.unit!r} is listed twice", u.unit)
            seen.add(u.unit)
        problems.raise_if_any()
        return self

    def unit(self, name: str) -> RolloutUnit | None:
        """The unit of this name, or None."""
        return next((u for u in self.units if u.unit == name), None)

    def live_units(self, on: _dt.date) -> list[RolloutUnit]:
        """The units live on ``on`` (go-live date on or before it), in plan order."""
        return [u for u in self.units if u.live(on)]

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: ``unit``, ``go_live``, ``owner``, ``notes``, ``evidence``.

        ``go_live`` is datetime64 (NaT without a date). For the storyboard's roll-out
        section, next to the roll-out result's ``table``, which has the same ``unit`` key.
        """
        rows = [u.model_dump() for u in self.units]
        frame = pd.DataFrame(rows, columns=["unit", "go_live", "owner", "notes", "evidence"])
        frame["go_live"] = pd.to_datetime(frame["go_live"])
        return frame

    def go_live_dates(self) -> dict[str, _dt.date | None]:
        """``{unit: go-live date or None}`` in plan order (the ``go_live=`` of a track)."""
        return {u.unit: u.go_live for u in self.units}


class Control(DmaicModel):
    """The Control phase: the control plan, the roll-out plan (optional), the handover."""

    plan: list[ControlPlanItem] = Field(default_factory=list)
    rollout: RolloutPlan | None = None
    handover: Handover = Field(default_factory=Handover)
