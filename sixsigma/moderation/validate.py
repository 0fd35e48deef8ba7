"""Check audit records against the schema, at the boundary, naming the first bad row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._aggregate import collect
from sixsigma._frames import as_table, first_row, show
from sixsigma.errors import DomainError
from sixsigma.moderation.adapter import _standardize
from sixsigma.moderation.classify import _outcomes
from sixsigma.moderation.schema import (
    DEFAULT_TAXONOMY,
    TIME_COLUMNS,
    AuditSchema,
    ErrorTaxonomy,
)

__all__ = ["validate_audits"]


def effective_schema(schema: AuditSchema | None, columns: Mapping[str, str] | None,
                     policies: Sequence[str] | None) -> AuditSchema:
    """The schema with the older ``columns=``/``policies=`` options folded in."""
    out = AuditSchema() if schema is None else schema
    changes: dict[str, Any] = {}
    if columns:
        changes["columns"] = {**out.columns, **columns}
    if policies is not None:
        changes["policies"] = tuple(policies)
    return out.replace(**changes) if changes else out


def _first_of_each(columns: Sequence[pd.Series]) -> NDArray[np.intp]:
    """Positions of the first row of each distinct combination of ``columns``, in row order.

    Missing values (None, NaN, NA) form one value. The columns are read as integer codes:
    no per-row Python objects.
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        radix = len(uniques) + 1
        if size * radix >= 2**62:  # keep the combined key in range: renumber it
            key = pd.factorize(key)[0].astype(np.int64, copy=False)
            size = int(key.max()) + 1 if n else 1
        np.multiply(key, radix, out=key)
        np.add(key, codes, out=key)
        np.add(key, 1, out=key)
        size *= radix
    combo = pd.factorize(key)[0]
    # factorize numbers combinations by first appearance: the running maximum rises there
    running = np.maximum.accumulate(combo)
    rising = np.empty(n, dtype=bool)
    rising[:1] = True
    np.greater(running[1:], running[:-1], out=rising[1:])
    return np.flatnonzero(rising)


def check_error_types(frame: pd.DataFrame, taxonomy: ErrorTaxonomy, *, name: str,
                      caller: str) -> None:
    """``error_type`` (export column ``name``) agrees with the taxonomy and the verdicts.

    Judged once per distinct (error type, decision, QA verdict) combination, on its first
    row: the first offending combination's first row is the first offending row.
    """
    columns = [frame["error_type"], frame["decision"], frame["qa_decision"]]
    first = _first_of_each(columns) if len(frame) > 1 else np.arange(len(frame))
    if first.size < len(frame):
        frame = frame.iloc[first].reset_index(drop=True)
    _check_error_types(frame, taxonomy, name=name, caller=caller, rows=first)


def _check_error_types(frame: pd.DataFrame, taxonomy: ErrorTaxonomy, *, name: str,
                       caller: str, rows: NDArray[np.intp]) -> None:
    """:func:`check_error_types` on the rows of ``frame``, row ``k`` named ``rows[k]``."""
    column = frame["error_type"].astype(object)
    given = column.where(column.notna(), "").astype(str).to_numpy()
    known = set(taxonomy.names) | {""}
    unknown = ~pd.Series(given).isin(known).to_numpy()
    if unknown.any():
        i = first_row(unknown)
        raise DomainError(f"{caller}: column {name!r} has the unknown type {given[i]!r} at "
                          f"row {rows[i]}; the taxonomy has {', '.join(taxonomy.names)} ('' "
                          "when correct).")
    mapped = {g: taxonomy.base_of(g) if g else "" for g in np.unique(given).tolist()}
    decision = frame["decision"].to_numpy(dtype=object)
    qa = frame["qa_decision"].to_numpy(dtype=object)
    expected = _outcomes(decision, qa)
    got = pd.Series(given).map(mapped).to_numpy(dtype=object)
    # an unaudited record has no error type
    bad = np.where(pd.isna(expected), got != "", got != expected)
    if bad.any():
        i = first_row(bad)
        verdict = "unaudited" if expected[i] is None else str(expected[i]) or "correct"
        raise DomainError(
            f"{caller}: column {name!r} at row {rows[i]} is {given[i]!r}, but decision "
            f"{show(decision[i])} and qa_decision {show(qa[i])} make it {verdict!r}."
        )


def validate_audits(
    data: Any,
    *,
    schema: AuditSchema | None = None,
    columns: Mapping[str, str] | None = None,
    policies: Sequence[str] | None = None,
    taxonomy: ErrorTaxonomy = DEFAULT_TAXONOMY,
    time: str | None = "decided_at",
    caller: str = "validate_audits",
) -> pd.DataFrame:
    """Check audit records against the schema and return them with the standard names.

    Parameters
    ----------
    data : dataframe or dict
        Audit records (see :data:`~sixsigma.moderation.AUDIT_COLUMNS`).
    schema : AuditSchema, optional
        The export's own columns and vocabulary (see
        :func:`~sixsigma.moderation.standardize`).
    columns : mapping, optional
        ``{standard_name: your_name}`` for columns named differently (added to the
        schema's).
    policies : sequence of str, optional
        The policy vocabulary (default: the schema's, :data:`~sixsigma.moderation.POLICIES`).
    taxonomy : ErrorTaxonomy
        Allowed ``error_type`` labels.
    time : str or None
        The timestamp column (standard name) that must be present and parse (``None`` to
        skip).

    Returns
    -------
    pandas.DataFrame
        The records, standardized (:func:`~sixsigma.moderation.standardize`): standard
        names, canonical labels, unaudited verdicts missing, flags boolean, the time
        column as datetime64.

    Raises
    ------
    ColumnError
        ``decision`` or ``qa_decision`` (or the time column) is missing.
    DomainError
        Unknown labels, flags or timestamps (all in one message), an unknown error type,
        or an ``error_type`` that contradicts the decision and QA verdict; naming the
        column and the first bad row.
    MissingValueError
        Missing decisions or timestamps.

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
    schema = effective_schema(schema, columns, policies)
    required = ["decision", "qa_decision"] + ([time] if time is not None else [])
    table = as_table(data, caller=caller)
    table.require(*[schema.export_name(c) for c in required])
    times = tuple(dict.fromkeys([*TIME_COLUMNS, *([time] if time else [])]))
    frame = _standardize(table, schema, times=times, caller=caller)
    out: pd.DataFrame = collect(frame).to_pandas()
    if "error_type" in out.columns:
        check_error_types(out, taxonomy, name=schema.export_name("error_type"), caller=caller)
    return out
