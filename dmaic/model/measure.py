"""Measure: the data collection plan, the baseline, the measurement system."""

from __future__ import annotations

from pydantic import Field

from dmaic._base import DmaicModel
from dmaic.types import Identifier, NonEmptyStr

__all__ = ["Baseline", "DataCollection", "Measure", "MeasurementSystem"]


class DataCollection(DmaicModel):
    """One line of the data collection plan: how a CTQ is measured, where, how often."""

    ctq: Identifier
    data_source: NonEmptyStr
    sampling: NonEmptyStr | None = None
    frequency: NonEmptyStr | None = None
    stratify_by: list[NonEmptyStr] = Field(default_factory=list)
    responsible: NonEmptyStr | None = None


class Baseline(DmaicModel):
    """The baseline of a CTQ: its current level, the chart it comes from, its capability.

    Attributes
    ----------
    ctq : str
        The CTQ.
    value : float
        Baseline level (the centre line of the baseline chart, for instance).
    chart : str or None
        Evidence id of the baseline control chart (the Measure tollgate counts its points).
    capability : str or None
        Evidence id of a capability or sigma-metrics result.
    sigma_level : float or None
        Baseline sigma level (with the conventional 1.5 shift unless stated).
    dpmo : float or None
        Baseline defects per million opportunities.
    """

    ctq: Identifier
    value: float
    chart: Identifier | None = None
    capability: Identifier | None = None
    sigma_level: float | None = None
    dpmo: float | None = Field(default=None, ge=0.0, le=1e6)


class MeasurementSystem(DmaicModel):
    """A measurement-system study (attribute agreement or gage R&R) and its evidence."""

    description: NonEmptyStr
    evidence: Identifier
    ctq: Identifier | None = None


class Measure(DmaicModel):
    """The Measure phase."""

    data_collection: list[DataCollection] = Field(default_factory=list)
    baselines: list[Baseline] = Field(default_factory=list)
    msa: list[MeasurementSystem] = Field(default_factory=list)

    def baseline(self, ctq_id: str) -> Baseline | None:
        """The baseline of this CTQ, or None."""
        return next((b for b in self.baselines if b.ctq == ctq_id), None)
