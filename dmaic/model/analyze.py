"""Analyze: the fishbone, 5-whys chains and the root-cause register."""

from __future__ import annotations

from pydantic import Field, model_validator

from dmaic._base import DmaicModel, Problems
from dmaic.types import Identifier, NonEmptyStr, RootCauseStatus

__all__ = ["DEFAULT_CATEGORIES", "Analyze", "Fishbone", "FishboneCategory", "FiveWhys",
           "RootCause"]

#: Fishbone categories fitted to content moderation (instead of the manufacturing 6 Ms).
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "People", "Policy", "Process", "Tooling", "Content", "Environment",
)


class FishboneCategory(DmaicModel):
    """One bone: a category and the candidate causes under it."""

    name: NonEmptyStr
    causes: list[NonEmptyStr] = Field(default_factory=list)


def _default_categories() -> list[FishboneCategory]:
    return [FishboneCategory(name=n) for n in DEFAULT_CATEGORIES]


class Fishbone(DmaicModel):
    """A cause-and-effect (Ishikawa) diagram; categories are editable, names unique."""

    effect: NonEmptyStr | None = None
    categories: list[FishboneCategory] = Field(default_factory=_default_categories)

    @model_validator(mode="after")
    def _unique_names(self) -> Fishbone:
        problems = Problems("Fishbone")
        seen: set[str] = set()
        for i, cat in enumerate(self.categories):
            if cat.name.casefold() in seen:
                problems.add(("categories", i, "name"),
                             f"category {cat.name!r} appears twice", cat.name)
            seen.add(cat.name.casefold())
        problems.raise_if_any()
        return self

    @property
    def names(self) -> list[str]:
        """The category names."""
        return [c.name for c in self.categories]


class FiveWhys(DmaicModel):
    """A 5-whys chain from a problem to a cause (1 to 7 whys)."""

    problem: NonEmptyStr
    whys: list[NonEmptyStr] = Field(min_length=1, max_length=7)
    root_cause: Identifier | None = None


class RootCause(DmaicModel):
    """An entry of the root-cause register.

    A cause is ``hypothesized`` until evidence verifies or rejects it; a verified or
    rejected cause must name its evidence (the Analyze tollgate further asks for a
    p-value below alpha in that evidence). When the evidence is a segment scan, the test of
    the cause is the q-value of the scan's segment named by ``segment`` (as the scan
    writes it: ``"queue=hate_speech & tenure=<30d"``), or of its first cause when
    ``segment`` is not given.
    """

    id: Identifier
    statement: NonEmptyStr
    category: NonEmptyStr
    status: RootCauseStatus = "hypothesized"
    evidence: list[Identifier] = Field(default_factory=list)
    segment: NonEmptyStr | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _decided_with_evidence(self) -> RootCause:
        problems = Problems("RootCause")
        if self.status != "hypothesized" and not self.evidence:
            problems.add(("evidence",), f"a {self.status} root cause must cite its evidence",
                         self.evidence)
        problems.raise_if_any()
        return self


class Analyze(DmaicModel):
    """The Analyze phase."""

    fishbone: Fishbone = Field(default_factory=Fishbone)
    five_whys: list[FiveWhys] = Field(default_factory=list)
    root_causes: list[RootCause] = Field(default_factory=list)
