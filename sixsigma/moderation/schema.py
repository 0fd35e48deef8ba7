"""The audit-record schema: standard columns, the policy vocabulary and the error taxonomy.

An audit record is one moderation decision that QA re-reviewed (see :data:`AUDIT_COLUMNS`).
``decision`` (the moderator's label) and ``qa_decision`` (QA's verdict) are both a policy
name or :data:`NO_VIOLATION`. Exports that name their columns differently are mapped with
``columns={standard_name: your_name}`` (:func:`rename_map`); exports that also speak
another vocabulary (``HATE``, ``NONE``, ``""`` for "not audited", ``Y``/``N`` flags, text
dates) are described once by an :class:`AuditSchema`, in Python or a YAML file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from sixsigma.errors import InputError, ParameterError

__all__ = [
    "AUDIT_COLUMNS",
    "FLAG_COLUMNS",
    "AuditSchema",
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


#: Canonical columns that hold yes/no flags (parsed by :func:`~sixsigma.moderation.standardize`).
FLAG_COLUMNS: tuple[str, ...] = ("appealed", "appeal_overturned")
#: Canonical columns that hold timestamps (text parsed once by ``standardize``).
TIME_COLUMNS: tuple[str, ...] = ("decided_at", "day")

_TRUE = ("1", "true", "yes", "y", "t")
_FALSE = ("0", "false", "no", "n", "f")


def _texts(value: Any, name: str, *, allow_none: bool = False) -> tuple[Any, ...]:
    """A tuple of str (and None where allowed) from a str or an iterable of them."""
    items = [value] if isinstance(value, str) or value is None else value
    if not isinstance(items, Iterable) or isinstance(items, Mapping):
        raise ParameterError(f"AuditSchema: the {name!r} parameter must be a list of text "
                             f"values; got {type(value).__name__}.")
    out: list[Any] = []
    for item in items:
        if item is None and allow_none:
            out.append(None)
        elif isinstance(item, str):
            out.append(item)
        else:
            raise ParameterError(f"AuditSchema: the {name!r} parameter must hold text values"
                                 f"{' or None' if allow_none else ''}; got {item!r} (in "
                                 "YAML, quote values such as '1', 'yes', 'no', 'on').")
    return tuple(dict.fromkeys(out))


def _mapping(value: Any, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParameterError(f"AuditSchema: the {name!r} parameter must be a mapping; got "
                             f"{type(value).__name__}.")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str) or not k or not v:
            raise ParameterError(f"AuditSchema: the {name!r} parameter must map non-empty "
                                 f"text to non-empty text; got {k!r}: {v!r}.")
    return dict(value)


@dataclass(frozen=True)
class AuditSchema:
    """How a team's QA export maps onto the canonical audit record.

    A team describes its export once (in Python, or a YAML file read with
    :meth:`from_yaml`); :func:`~sixsigma.moderation.standardize` and every moderation
    function (``schema=``) then read the export as it is.

    Parameters
    ----------
    columns : mapping
        ``{canonical_name: export_name}`` for the columns named differently (canonical
        names: :data:`AUDIT_COLUMNS`). Columns not listed keep their own names.
    no_violation : str or list of str
        Decision labels (of ``decision`` and ``qa_decision``) meaning "no violation, no
        action". Default ``["no_violation"]``.
    not_audited : list of str or None
        ``qa_decision`` values meaning "not audited" (a missing value always does).
        Default ``[None]``: an empty text is *not* taken as "not audited" unless listed.
    labels : mapping, optional
        ``{export_label: canonical_policy}`` recoding of policy labels (``HATE:
        hate_speech``). Labels already canonical need no entry.
    policies : list of str
        The canonical policy vocabulary (default :data:`POLICIES`).
    true_values, false_values : list of str
        Spellings of yes and no in text flag columns (:data:`FLAG_COLUMNS`), compared
        without case and surrounding blanks; an empty text is missing. Booleans and the
        numbers 0/1 are always accepted.
    date_format : str, optional
        A ``strptime`` format of the text timestamps (``"%d/%m/%Y %H:%M"``). Default: ISO
        dates and datetimes (``2026-01-05``, ``2026-01-05 09:30``, ``2026-01-05T09:30:00Z``).

    Examples
    --------
    >>> from sixsigma.moderation import AuditSchema
    >>> schema = AuditSchema(columns={"decision": "policy_label", "qa_decision": "qa_label"},
    ...                      no_violation="NONE", not_audited=["", None],
    ...                      labels={"HATE": "hate_speech"})
    >>> schema.no_violation, schema.not_audited
    (('NONE',), ('', None))
    >>> schema.export_name("decision"), schema.export_name("queue")
    ('policy_label', 'queue')
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    no_violation: tuple[str, ...] = (NO_VIOLATION,)
    not_audited: tuple[str | None, ...] = (None,)
    labels: Mapping[str, str] = field(default_factory=dict)
    policies: tuple[str, ...] = POLICIES
    true_values: tuple[str, ...] = _TRUE
    false_values: tuple[str, ...] = _FALSE
    date_format: str | None = None

    def __post_init__(self) -> None:
        columns = _mapping(self.columns, "columns")
        unknown = [c for c in columns if c not in AUDIT_COLUMNS]
        if unknown:
            raise ParameterError(
                f"AuditSchema: the 'columns' parameter maps canonical names to the export's "
                f"names; {unknown[0]!r} is not a canonical column (they are "
                f"{', '.join(AUDIT_COLUMNS)})."
            )
        theirs = list(columns.values())
        dup = [c for c in theirs if theirs.count(c) > 1]
        if dup:
            raise ParameterError(f"AuditSchema: export column {dup[0]!r} is mapped twice in "
                                 "'columns'.")
        policies = _texts(self.policies, "policies")
        if not policies or NO_VIOLATION in policies or "" in policies:
            raise ParameterError(f"AuditSchema: the 'policies' parameter must list policy "
                                 f"names (not {NO_VIOLATION!r} or ''); got {list(policies)}.")
        no_violation = _texts(self.no_violation, "no_violation")
        if not no_violation:
            raise ParameterError("AuditSchema: the 'no_violation' parameter must name at "
                                 "least one label.")
        not_audited = _texts(self.not_audited, "not_audited", allow_none=True)
        if None not in not_audited:
            not_audited = (*not_audited, None)
        labels = _mapping(self.labels, "labels")
        canonical = set(policies) | {NO_VIOLATION}
        bad = {k: v for k, v in labels.items() if v not in canonical}
        if bad:
            k, v = next(iter(bad.items()))
            raise ParameterError(f"AuditSchema: 'labels' recodes {k!r} to {v!r}, which is not "
                                 f"a policy ({', '.join(policies)}) or {NO_VIOLATION!r}.")
        clash = ([v for v in no_violation if v in labels and labels[v] != NO_VIOLATION]
                 + [v for v in no_violation if v in policies]
                 + [v for v in not_audited if v is not None and
                    (v in labels or v in no_violation or v in canonical)])
        if clash:
            raise ParameterError(f"AuditSchema: label {clash[0]!r} has two meanings (in "
                                 "'no_violation', 'not_audited', 'labels' or 'policies').")
        trues = _texts(self.true_values, "true_values")
        falses = _texts(self.false_values, "false_values")
        both = {t.strip().lower() for t in trues} & {f.strip().lower() for f in falses}
        if both or "" in {t.strip() for t in (*trues, *falses)}:
            raise ParameterError(f"AuditSchema: a flag spelling is empty or both true and "
                                 f"false: {sorted(both) or ['']}.")
        if self.date_format is not None and (not isinstance(self.date_format, str)
                                             or "%" not in self.date_format):
            raise ParameterError(f"AuditSchema: the 'date_format' parameter must be a strptime "
                                 f"format such as '%d/%m/%Y'; got {self.date_format!r}.")
        for name, value in (("columns", columns), ("policies", policies),
                            ("no_violation", no_violation), ("not_audited", not_audited),
                            ("labels", labels), ("true_values", trues),
                            ("false_values", falses)):
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:
        return hash(repr(sorted(self.to_dict().items(), key=lambda kv: kv[0])))

    # -- look-ups -------------------------------------------------------------------------
    def export_name(self, canonical: str) -> str:
        """The export's name of a canonical column (its own name when not mapped)."""
        return self.columns.get(canonical, canonical)

    def canonical_name(self, export: str) -> str:
        """The canonical name of an export column (its own name when not mapped)."""
        for ours, theirs in self.columns.items():
            if theirs == export:
                return ours
        return export

    @property
    def recoding(self) -> dict[str, str]:
        """``{export_label: canonical_label}`` for every label that changes."""
        out = {nv: NO_VIOLATION for nv in self.no_violation if nv != NO_VIOLATION}
        out.update({k: v for k, v in self.labels.items() if k != v})
        return out

    @property
    def known_labels(self) -> tuple[str, ...]:
        """Every decision label the export may hold (its own and the canonical ones)."""
        return tuple(dict.fromkeys((*self.labels, *self.no_violation, *self.policies,
                                    NO_VIOLATION)))

    def replace(self, **changes: Any) -> AuditSchema:
        """A copy with some fields changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return AuditSchema(**values)

    # -- files ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain lists and dicts (the YAML/JSON form)."""
        return {
            "columns": dict(self.columns),
            "no_violation": list(self.no_violation),
            "not_audited": list(self.not_audited),
            "labels": dict(self.labels),
            "policies": list(self.policies),
            "true_values": list(self.true_values),
            "false_values": list(self.false_values),
            "date_format": self.date_format,
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> AuditSchema:
        """The schema from :meth:`to_dict`'s form (unknown keys raise ParameterError)."""
        if not isinstance(payload, Mapping):
            raise ParameterError(f"AuditSchema: a schema is a mapping of fields; got "
                                 f"{type(payload).__name__}.")
        names = {f.name for f in fields(cls)}
        extra = [k for k in payload if k not in names]
        if extra:
            raise ParameterError(f"AuditSchema: unknown field {extra[0]!r}; the fields are "
                                 f"{', '.join(sorted(names))}.")
        values = dict(payload)
        for name in ("true_values", "false_values"):
            # YAML 1.1 reads unquoted yes/no/on/off as booleans and 1/0 as numbers
            items = values.get(name)
            if isinstance(items, list):
                values[name] = [str(v).lower() if isinstance(v, bool | int) else v
                                for v in items]
        return cls(**{k: v for k, v in values.items() if v is not None or k == "date_format"})

    def to_yaml(self, path: str | Path) -> Path:
        """Write the schema as a YAML file; returns the path."""
        out = Path(path)
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        out.write_text(text, encoding="utf-8")
        return out

    @classmethod
    def from_yaml(cls, path: str | Path) -> AuditSchema:
        """Read a schema written by :meth:`to_yaml` (or by hand).

        Raises
        ------
        InputError
            The file cannot be read, is not valid YAML, uses anchors/aliases or repeats a
            key (named with the file and line).
        ParameterError
            A field holds a value the schema refuses (see the parameters).
        """
        where = Path(path)
        try:
            text = where.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"AuditSchema.from_yaml: cannot read {str(where)!r}: "
                             f"{err}.") from err
        try:
            payload = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
        except RecursionError as err:
            raise InputError(f"AuditSchema.from_yaml: {str(where)!r} is nested too deeply to "
                             "be a schema file.") from err
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(err, "problem", None) or str(err)
            raise InputError(f"AuditSchema.from_yaml: {str(where)!r} is not a valid schema "
                             f"file{line}: {problem}.") from err
        if payload is None:
            raise InputError(f"AuditSchema.from_yaml: {str(where)!r} is empty.")
        try:
            return cls.from_dict(payload)
        except ParameterError as err:
            raise ParameterError(f"AuditSchema.from_yaml: {str(where)!r}: "
                                 f"{str(err).removeprefix('AuditSchema: ')}") from err


class _StrictLoader(yaml.SafeLoader):
    """safe_load without anchors/aliases and without duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in a schema file",
                event.start_mark)
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None) is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors (&name) are not allowed in a schema file",
                event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


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
