"""Check audit records against the schema, at the boundary, naming the first bad row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._aggregate import collect
from sixsigma._frames import Table, as_table, first_row, show
from sixsigma.errors import DomainError, MissingValueError
from sixsigma.moderation.classify import classify_errors
from sixsigma.moderation.schema import (
    DEFAULT_TAXONOMY,
    NO_VIOLATION,
    POLICIES,
    ErrorTaxonomy,
    rename_map,
)

__all__ = ["validate_audits"]


def _labels(table: Table, column: str, vocabulary: set[str], *, allow_missing: bool
            ) -> NDArray[Any]:
    values = table.raw(column).astype(object)
    missing = pd.isna(values)
    if missing.any() and not allow_missing:
        i = first_row(missing)
        raise MissingValueError(f"{table.caller}: column {column!r} has a missing label at "
                                f"row {i}.")
    unknown = ~missing & ~pd.Series(values).isin(vocabulary).to_numpy()
    if unknown.any():
        i = first_row(unknown)
        raise DomainError(
            f"{table.caller}: column {column!r} has the unknown label {show(values[i])} at "
            f"row {i}; expected one of {', '.join(sorted(vocabulary))} (pass policies= for "
            "other policy names)."
        )
    return values


def validate_audits(
    data: Any,
    *,
    columns: Mapping[str, str] | None = None,
    policies: Sequence[str] = POLICIES,
    taxonomy: ErrorTaxonomy = DEFAULT_TAXONOMY,
    time: str | None = "decided_at",
    caller: str = "validate_audits",
) -> pd.DataFrame:
    """Check audit records against the schema and return them with the standard names.

    Parameters
    ----------
    data : dataframe or dict
        Audit records (see :data:`~sixsigma.moderation.AUDIT_COLUMNS`).
    columns : mapping, optional
        ``{standard_name: your_name}`` for columns named differently.
    policies : sequence of str
        The policy vocabulary of ``decision`` and ``qa_decision`` (plus ``"no_violation"``).
    taxonomy : ErrorTaxonomy
        Allowed ``error_type`` labels.
    time : str or None
        The timestamp column that must parse (``None`` to skip).

    Returns
    -------
    pandas.DataFrame
        The records, columns renamed to the standard names, ``decided_at`` as datetime64.

    Raises
    ------
    ColumnError
        ``decision`` or ``qa_decision`` (or the time column) is missing.
    DomainError
        An unknown decision label or error type, or an ``error_type`` that contradicts the
        decision and QA verdict; names the column and the first bad row.
    InputError
        A timestamp that cannot be parsed.

    Examples
    --------
    >>> from sixsigma.moderation import validate_audits
    >>> frame = validate_audits({"decision": ["spam", "no_violation"],
    ...                          "qa_decision": ["spam", None],
    ...                          "ts": ["2026-01-05 10:00", "2026-01-05 11:00"]},
    ...                         columns={"decided_at": "ts"})
    >>> list(frame.columns), str(frame["decided_at"].dtype)
    (['decision', 'qa_decision', 'decided_at'], 'datetime64[us]')
    """
    table = as_table(data, caller=caller)
    rename = rename_map(columns)
    table.require(*rename)
    frame = table.frame.rename(rename) if rename else table.frame
    out: pd.DataFrame = collect(frame).to_pandas()
    checked = as_table(out, caller=caller)
    vocab = set(policies) | {NO_VIOLATION}
    checked.require("decision", "qa_decision")
    decision = _labels(checked, "decision", vocab, allow_missing=False)
    qa = _labels(checked, "qa_decision", vocab, allow_missing=True)
    if "error_type" in out.columns:
        given = out["error_type"].fillna("").astype(str).to_numpy()
        known = set(taxonomy.names) | {""}
        unknown = ~pd.Series(given).isin(known).to_numpy()
        if unknown.any():
            i = first_row(unknown)
            raise DomainError(f"{caller}: column 'error_type' has the unknown type "
                              f"{given[i]!r} at row {i}; the taxonomy has "
                              f"{', '.join(taxonomy.names)} ('' when correct).")
        base = np.array([taxonomy.base_of(g) if g else "" for g in np.unique(given)])
        mapped = dict(zip(np.unique(given).tolist(), base.tolist(), strict=True))
        expected = classify_errors(decision, qa)
        got = pd.Series(given).map(mapped).to_numpy()
        bad = got != expected
        if bad.any():
            i = first_row(bad)
            raise DomainError(
                f"{caller}: column 'error_type' at row {i} is {given[i]!r}, but decision "
                f"{show(decision[i])} and qa_decision {show(qa[i])} make it "
                f"{str(expected[i]) or 'correct'!r}."
            )
    if time is not None:
        checked.require(time)
        parsed = pd.to_datetime(out[time], errors="coerce")
        bad = parsed.isna().to_numpy() & out[time].notna().to_numpy()
        if bad.any():
            i = first_row(bad)
            raise DomainError(f"{caller}: column {time!r} has a timestamp that cannot be "
                              f"parsed at row {i}: {show(out[time].iloc[i])}.")
        if parsed.isna().any():
            i = first_row(parsed.isna().to_numpy())
            raise MissingValueError(f"{caller}: column {time!r} is missing at row {i}.")
        out[time] = parsed
    return out
