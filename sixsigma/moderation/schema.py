"""The audit-record schema: standard columns, the policy vocabulary and the error taxonomy.

An audit record is one moderation decision that QA re-reviewed (see :data:`AUDIT_COLUMNS`).
``decision`` (the moderator's label) and ``qa_decision`` (QA's verdict) are both a policy
name or :data:`NO_VIOLATION`. Exports that name their columns differently are mapped with
``columns={standard_name: your_name}`` (:func:`rename_map`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sixsigma.errors import ParameterError

__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_TAXONOMY",
    "ERROR_TYPES",
    "NO_VIOLATION",
    "POLICIES",
    "ErrorTaxonomy",
    "ErrorType",
    "rename_map",
]

NO_VIOLATION = "no_violation"
POLICIES: tuple[str, ...] = ("hate_speech", "harassment", "spam", "violent_extremism", "adult")
ERROR_TYPES: tuple[str, ...] = ("over_enforcement", "under_enforcement", "wrong_policy")

AUDIT_COLUMNS: dict[str, str] = {
    "item_id": "unique id of the content item",
    "decided_at": "when the moderator decided (datetime)",
    "day": "decided_at floored to the day",
    "queue": "work queue",
    "region": "region (NA, EMEA, APAC, LATAM)",
    "market": "market, nested in region",
    "language": "content language",
    "policy": "policy area the item was reviewed under",
    "moderator_id": "the moderator (nested in queue and market)",
    "tenure_days": "moderator tenure in days at decision time",
    "decision": "the moderator's label: a policy name, or 'no_violation'",
    "qa_decision": "QA's verdict, same vocabulary; missing = not audited",
    "error_type": "'' when correct or unaudited, else an error type of the taxonomy",
    "severity": "severity of the error, 1 (low) to 4 (critical); 0 when correct",
    "handle_seconds": "moderator handle time in seconds",
    "turnaround_seconds": "time from report to decision, for SLA attainment",
    "appealed": "the user appealed the decision",
    "appeal_overturned": "the appeal reversed the decision; missing when not appealed",
}


def rename_map(columns: Mapping[str, str] | None) -> dict[str, str]:
    """``{your_name: standard_name}`` from the ``columns={standard_name: your_name}`` option.

    Examples
    --------
    >>> rename_map({"decision": "policy_label"})
    {'policy_label': 'decision'}
    """
    return {theirs: ours for ours, theirs in (columns or {}).items()}


# ---------------------------------------------------------------------------------------
# the error-type taxonomy


@dataclass(frozen=True)
class ErrorType:
    """One error type: a base type (derived from decision and QA verdict) or a sub-type.

    Attributes
    ----------
    name : str
        The label used in the ``error_type`` column.
    description : str
        What the error means, for reports.
    parent : str or None
        The base type a sub-type refines (``None`` for the three base types).
    """

    name: str
    description: str
    parent: str | None = None

    @property
    def base(self) -> str:
        """The base type this error counts as."""
        return self.parent if self.parent is not None else self.name


@dataclass(frozen=True)
class ErrorTaxonomy:
    """The error types a team records: the three base types and any sub-types.

    The base types follow from the decision and QA's verdict; sub-types refine one of them
    (``"wrong_policy/adjacent_policy"``, ``"under_enforcement/missed_context"``) and count
    towards it in every metric. Extend the default with :meth:`extend`.

    Examples
    --------
    >>> from sixsigma.moderation import DEFAULT_TAXONOMY
    >>> tax = DEFAULT_TAXONOMY.extend("missed_context", "violation missed for lack of "
    ...                               "context", parent="under_enforcement")
    >>> tax.base_of("missed_context")
    'under_enforcement'
    """

    types: tuple[ErrorType, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        """All labels, base types first."""
        return tuple(t.name for t in self.types)

    def base_of(self, name: str) -> str:
        """The base type of a label (raises ParameterError for an unknown label)."""
        for t in self.types:
            if t.name == name:
                return t.base
        raise ParameterError(f"unknown error type {name!r}; the taxonomy has "
                             f"{', '.join(self.names)}.")

    def extend(self, name: str, description: str, *, parent: str) -> ErrorTaxonomy:
        """A new taxonomy with one more sub-type of a base type."""
        if name in self.names or not name:
            raise ParameterError(f"error type {name!r} is empty or already defined.")
        if parent not in ERROR_TYPES:
            raise ParameterError(f"a sub-type refines one of {ERROR_TYPES}; got parent "
                                 f"{parent!r}.")
        return ErrorTaxonomy(self.types + (ErrorType(name, description, parent),))


DEFAULT_TAXONOMY = ErrorTaxonomy((
    ErrorType("over_enforcement", "content actioned that QA judges not violating"),
    ErrorType("under_enforcement", "violating content left up (a missed violation)"),
    ErrorType("wrong_policy", "content actioned under another policy than QA's"),
))
