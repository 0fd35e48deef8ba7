"""Read a team's own export as canonical audit records, where the data live.

:func:`standardize` applies an :class:`~sixsigma.moderation.AuditSchema` to an export:
columns renamed to the canonical names, policy labels recoded, "not audited" verdicts made
missing, flag columns parsed to booleans and text timestamps parsed, all as narwhals
expressions, so a DuckDB relation or a polars LazyFrame stays lazy and only a few counts
come back. Every problem of the export is collected first and reported in one error,
named by the export's own column names: every unknown label with its count and first row,
every bad flag value, every unparseable timestamp.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._aggregate import collect
from sixsigma._frames import Table, as_table, show
from sixsigma.errors import DomainError, InputError, MissingValueError
from sixsigma.moderation.schema import FLAG_COLUMNS, TIME_COLUMNS, AuditSchema

__all__ = ["standardize"]

#: ISO dates and datetimes accepted without a ``date_format`` (UTC "Z" allowed, no offset).
_ISO = (r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
        r"(?:[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?Z?$")
_ISO_FORMAT = "%Y-%m-%d %H:%M:%S"
_SHOWN = 20  # distinct bad values listed per column

_FORMAT_PARTS = {"Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{1,2}", "d": r"\d{1,2}",
                 "H": r"\d{1,2}", "I": r"\d{1,2}", "M": r"\d{1,2}", "S": r"\d{1,2}",
                 "f": r"\d{1,9}", "b": r"[A-Za-z]{3}", "B": r"[A-Za-z]+", "p": r"[AaPp][Mm]",
                 "j": r"\d{1,3}", "%": "%", "z": r"[+-]\d{2}:?\d{2}|Z", "a": r"[A-Za-z]{3}",
                 "A": r"[A-Za-z]+"}


def _format_regex(fmt: str) -> str:
    """A regular expression that text in strptime format ``fmt`` matches (a sieve)."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            out.append(f"(?:{_FORMAT_PARTS.get(fmt[i + 1], '.+?')})")
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "^" + "".join(out) + "$"


@dataclass
class _Check:
    """One kind of problem in one export column."""

    column: str        # the export's column name
    kind: str          # label | missing_label | flag | date | missing_date
    bad: Any           # narwhals expression, True on offending rows (or a numpy mask)
    hint: str


def _is_text(dtype: Any) -> bool:
    return bool(dtype == nw.String or dtype == nw.Categorical or dtype == nw.Enum)


class _Plan:
    """The conversions and checks of one export, built from its schema."""

    def __init__(self, table: Table, schema: AuditSchema, caller: str) -> None:
        self.table = table
        self.schema = schema
        self.caller = caller
        self.dtypes = dict(table.frame.collect_schema().items())
        self.exprs: dict[str, Any] = {}
        self.checks: list[_Check] = []
        self.flags: list[str] = []
        self.replaced: dict[str, pd.Series] = {}

    def text(self, name: str) -> Any:
        col = nw.col(name)
        return col if self.dtypes[name] == nw.String else col.cast(nw.String)

    def label(self, name: str, *, qa: bool) -> None:
        schema = self.schema
        col = self.text(name)
        skipped = [v for v in schema.not_audited if v is not None]
        known = [*schema.known_labels, *(skipped if qa else [])]
        hint = (f"the schema knows the labels {', '.join(map(repr, schema.known_labels))}"
                + (f" and the 'not audited' verdicts {', '.join(map(repr, skipped))}"
                   if skipped else "")
                + "; map other labels with its labels=, no_violation= or not_audited=")
        self.checks.append(_Check(name, "label", ~col.is_null() & ~col.is_in(known), hint))
        if not qa:
            self.checks.append(_Check(name, "missing_label", col.is_null(),
                                      "every record needs the moderator's decision"))
        recode: dict[str, str | None] = dict(schema.recoding)
        if qa:
            recode.update(dict.fromkeys(skipped))
        self.exprs[name] = (col.replace_strict(recode, default=col, return_dtype=nw.String)
                            if recode else col)

    def flag(self, name: str) -> None:
        schema, dtype, col = self.schema, self.dtypes[name], nw.col(name)
        hint = (f"a flag is a boolean, 0/1 or one of {', '.join(map(repr, schema.true_values))}"
                f" / {', '.join(map(repr, schema.false_values))} (the schema's true_values /"
                " false_values, any case); an empty text is missing")
        self.flags.append(name)
        if dtype == nw.Boolean:
            return
        if dtype.is_numeric():
            missing = col.is_null() | col.is_nan() if dtype.is_float() else col.is_null()
            valid = (col == 0) | (col == 1)
            self.checks.append(_Check(name, "flag", ~valid & ~missing, hint))
            self.exprs[name] = nw.when(valid).then(col == 1)
            return
        if dtype == nw.Object and not self.table.lazy:
            self._object_flag(name, hint)
            return
        if not _is_text(dtype):
            raise DomainError(f"{self.caller}: column {name!r} holds {dtype} values, which are "
                              f"not flags; {hint}.")
        text = self.text(name).str.strip_chars().str.to_lowercase()
        yes = text.is_in([v.strip().lower() for v in schema.true_values])
        no = text.is_in([v.strip().lower() for v in schema.false_values])
        bad = ~self.text(name).is_null() & ~yes & ~no & (text != "")
        self.checks.append(_Check(name, "flag", bad, hint))
        self.exprs[name] = nw.when(yes | no).then(yes)

    def _object_flag(self, name: str, hint: str) -> None:
        """A mixed column in memory (pandas object: True, 0, "yes", None ...), value by value."""
        schema = self.schema
        yes = {v.strip().lower() for v in schema.true_values}
        no = {v.strip().lower() for v in schema.false_values}
        values = self.table.raw(name)
        out: list[bool | None] = []
        bad = np.zeros(values.size, dtype=bool)
        for k, v in enumerate(values.tolist()):
            if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
                out.append(None)
            elif isinstance(v, bool | np.bool_):
                out.append(bool(v))
            elif isinstance(v, int | float) and v in (0, 1):
                out.append(bool(v == 1))
            elif isinstance(v, str) and v.strip().lower() in yes | no | {""}:
                text = v.strip().lower()
                out.append(None if not text else text in yes)
            else:
                out.append(None)
                bad[k] = True
        self.checks.append(_Check(name, "flag", bad, hint))
        index = self.table.frame.to_native().index
        self.replaced[name] = pd.Series(out, index=index, dtype="boolean", name=name)

    def timestamp(self, name: str) -> None:
        dtype, col = self.dtypes[name], nw.col(name)
        fmt = self.schema.date_format
        self.checks.append(_Check(name, "missing_date", col.is_null(),
                                  "every record needs its time"))
        if dtype == nw.Datetime or dtype == nw.Date:
            return
        if not _is_text(dtype):
            raise DomainError(f"{self.caller}: column {name!r} holds {dtype} values, not "
                              "timestamps; pass datetimes or date text.")
        hint = (f"expected text in the schema's date_format {fmt!r}" if fmt else
                "expected ISO dates or datetimes (2026-01-05, 2026-01-05 09:30:00, "
                "2026-01-05T09:30:00Z; no UTC offsets) or a date_format= in the schema")
        text = self.text(name).str.strip_chars()
        pattern = _format_regex(fmt) if fmt else _ISO
        bad: Any = ~col.is_null() & ~text.str.contains(pattern)
        if not self.table.lazy:
            bad = self._exact_dates(name, fmt)
        self.checks.append(_Check(name, "date", bad, hint))
        if fmt:
            self.exprs[name] = text.str.to_datetime(format=fmt)
            return
        iso = text.str.replace_all("T", " ").str.replace_all("Z", "")
        n = iso.str.len_chars()
        full = (nw.when(n == 10).then(nw.concat_str([iso, nw.lit(" 00:00:00")]))
                .otherwise(nw.when(n == 16).then(nw.concat_str([iso, nw.lit(":00")]))
                           .otherwise(iso.str.slice(0, 19))))
        self.exprs[name] = full.str.to_datetime(format=_ISO_FORMAT)

    def _exact_dates(self, name: str, fmt: str | None) -> NDArray[np.bool_]:
        """Eager frames: the exact parse (catches 2026-02-30 that a pattern lets through)."""
        values = pd.Series(self.table.raw(name), dtype=object)
        present = values.notna().to_numpy()
        text = values.where(values.notna(), "").astype(str).str.strip()
        if fmt:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
            ok = parsed.notna().to_numpy()
        else:
            shape = text.str.match(_ISO).to_numpy(dtype=bool)
            naive = text.str.replace("T", " ", n=1).str.rstrip("Z")
            parsed = pd.to_datetime(naive.where(shape, ""), format="ISO8601", errors="coerce")
            ok = shape & parsed.notna().to_numpy()
        return np.asarray(present & ~ok, dtype=bool)


def _count(table: Table, checks: list[_Check]) -> list[int]:
    """Rows failing each check, in one pass over the data (masks counted directly)."""
    exprs = {f"__p{k}": c.bad for k, c in enumerate(checks) if not isinstance(c.bad, np.ndarray)}
    sums: dict[str, int] = {}
    if exprs and not table.lazy and table.frame.implementation.is_pandas():
        # in memory: the masks summed as numpy booleans (a cast to Int64 copies every row)
        got = table.frame.select(*[e.alias(k) for k, e in exprs.items()]).to_native()
        sums = {k: int(np.count_nonzero(got[k].fillna(False).to_numpy(dtype=bool)))
                for k in exprs}
    elif exprs:
        frame = table.frame.select(*[e.cast(nw.Int64).sum().alias(k) for k, e in exprs.items()])
        row = collect(frame).to_pandas().iloc[0]
        sums = {k: 0 if pd.isna(row[k]) else int(row[k]) for k in exprs}
    return [int(c.bad.sum()) if isinstance(c.bad, np.ndarray) else sums[f"__p{k}"]
            for k, c in enumerate(checks)]


def _details(table: Table, check: _Check) -> list[tuple[Any, int, int | None]]:
    """(value, rows, first row) of the offending values, most frequent first."""
    if not table.lazy:
        if isinstance(check.bad, np.ndarray):
            mask = check.bad
        else:
            got = table.frame.select(check.bad.alias("__bad"))["__bad"]
            mask = np.asarray(got.fill_null(False).to_numpy(), dtype=bool)
        positions = np.flatnonzero(mask)
        values = pd.Series(table.raw(check.column)[positions], index=positions, dtype=object)
        if check.kind.startswith("missing"):
            return [(None, len(positions), int(positions[0]))]
        seen: dict[Any, list[Any]] = {}   # key -> [value, rows, first row]
        for pos, v in zip(positions.tolist(), values.tolist(), strict=True):
            key = ("missing",) if v is None or v != v else ("value", v)
            if key in seen:
                seen[key][1] += 1
            else:
                seen[key] = [v, 1, pos]
        out = [(v, n, first) for v, n, first in seen.values()]
        out.sort(key=lambda t: (-t[1], t[2]))
        return out
    if check.kind.startswith("missing"):
        n = _count(table, [check])[0]
        return [(None, n, None)]
    grouped = (table.frame.filter(check.bad).group_by(check.column)
               .agg(nw.len().alias("__n")).sort("__n", descending=True).head(_SHOWN))
    rows = collect(grouped).to_pandas()
    return [(v, int(n), None) for v, n in zip(rows[check.column], rows["__n"], strict=True)]


def _describe(check: _Check, value: Any, rows: int, first: int | None) -> str:
    at = f" at row {first}" if first is not None else ""
    many = f"{rows} row{'s' if rows != 1 else ''} in all"
    col = repr(check.column)
    if check.kind == "label":
        return f"column {col} has the unknown label {show(value)}{at} ({many})"
    if check.kind == "missing_label":
        return f"column {col} has a missing label{at} ({many})"
    if check.kind == "flag":
        return f"column {col} has the value {show(value)}{at} ({many}), which is not a flag"
    if check.kind == "date":
        where = f"{at}:" if first is not None else ":"
        return f"column {col} has a timestamp that cannot be parsed{where} {show(value)} ({many})"
    return f"column {col} is missing{at} ({many})"


def _raise(table: Table, checks: list[_Check], caller: str) -> None:
    counts = _count(table, checks)
    failing = [c for c, n in zip(checks, counts, strict=True) if n]
    if not failing:
        return
    lines: list[str] = []
    hints: list[str] = []
    for check in failing:
        details = _details(table, check)
        lines += [_describe(check, *d) for d in details[:_SHOWN]]
        if len(details) > _SHOWN:
            lines.append(f"... and {len(details) - _SHOWN} more values in column "
                         f"{check.column!r}")
        if check.hint not in hints:
            hints.append(check.hint)
    if table.lazy:
        hints.append("row positions are not known in a lazy frame: filter the export on "
                     "these values to find them")
    only_missing = all(c.kind.startswith("missing") for c in failing)
    kind = MissingValueError if only_missing else DomainError
    if len(lines) == 1:
        raise kind(f"{caller}: {lines[0]}; {'; '.join(hints)}.")
    body = "\n".join(f"  - {line}" for line in lines)
    raise kind(f"{caller}: the export has {len(lines)} problems:\n{body}\n"
               + "\n".join(f"{h[0].upper()}{h[1:]}." for h in hints))


def _wanted(table: Table, schema: AuditSchema, needed: Sequence[str], keep: Sequence[str]
            ) -> list[str]:
    """The export's columns that ``needed`` (canonical) and ``keep`` (keys) read, in order.

    Raises :class:`~sixsigma.errors.ColumnError` for the first one the table lacks.
    """
    wanted = [schema.export_name(c) for c in needed]
    for k in keep:
        theirs = schema.export_name(k)
        if theirs not in table.columns and k in table.columns and k not in wanted:
            theirs = k
        wanted.append(theirs)
    table.require(*wanted)
    return list(dict.fromkeys(wanted))


def _standardize(
    data: Any,
    schema: AuditSchema | None = None,
    *,
    needed: Sequence[str] | None = None,
    keep: Sequence[str] = (),
    times: Sequence[str] = TIME_COLUMNS,
    caller: str = "standardize",
) -> Any:
    """The canonical narwhals frame (eager or lazy, as given); see :func:`standardize`.

    ``needed``: the canonical columns to read (``None``: every column of the export);
    ``keep``: further columns by their standardized names (``by=`` keys).
    """
    schema = AuditSchema() if schema is None else schema
    table = data if isinstance(data, Table) else as_table(data, caller=caller)
    if needed is None:
        missing = [theirs for theirs in schema.columns.values() if theirs not in table.columns]
        if missing:
            table.require(*missing)
        canonical = [schema.canonical_name(c) for c in table.columns]
        dup = [c for c in canonical if canonical.count(c) > 1]
        if dup:
            clash = [c for c in table.columns if schema.canonical_name(c) == dup[0]]
            raise InputError(f"{caller}: columns {clash[0]!r} and {clash[1]!r} would both be "
                             f"named {dup[0]!r}; drop one or change the schema's columns.")
        columns = list(table.columns)
    else:
        columns = _wanted(table, schema, needed, keep)
        sub = table.frame.select(*columns)
        # the same rows, fewer columns: a new view that reads only what is needed
        table = Table(sub.to_native(), caller=caller)
    plan = _Plan(table, schema, caller)
    for name in columns:
        ours = schema.canonical_name(name)
        if ours == "decision":
            plan.label(name, qa=False)
        elif ours == "qa_decision":
            plan.label(name, qa=True)
        elif ours in FLAG_COLUMNS:
            plan.flag(name)
        elif ours in times:
            plan.timestamp(name)
    _raise(table, plan.checks, caller)
    frame = table.frame
    if plan.replaced:
        native = frame.to_native().assign(**plan.replaced)
        frame = nw.from_native(native, eager_only=True)
    if plan.exprs:
        frame = frame.with_columns(*[e.alias(n) for n, e in plan.exprs.items()])
    rename = {c: schema.canonical_name(c) for c in columns if schema.canonical_name(c) != c}
    if rename:
        frame = frame.rename(rename)
    if not table.lazy and frame.implementation.is_pandas_like():
        native = frame.to_native()
        flags = [schema.canonical_name(n) for n in plan.exprs if n in plan.flags]
        if flags:
            native = native.astype(dict.fromkeys(flags, "boolean"))
            frame = nw.from_native(native, eager_only=True)
    return frame


def standardize(data: Any, schema: AuditSchema | None = None) -> Any:
    """The export as canonical audit records: same kind of frame, lazy stays lazy.

    Parameters
    ----------
    data : dataframe (pandas, polars, pyarrow, DuckDB relation, ...) or dict
        A team's QA export.
    schema : AuditSchema, optional
        How the export maps onto the canonical record (default: it already is canonical).

    Returns
    -------
    dataframe
        The same kind of frame as ``data``: mapped columns renamed to their canonical names
        (:data:`~sixsigma.moderation.AUDIT_COLUMNS`; other columns unchanged),
        ``decision``/``qa_decision`` in the canonical vocabulary (``no_violation`` and the
        policies), "not audited" verdicts missing, the flag columns (``appealed``,
        ``appeal_overturned``) boolean with missing values kept, ``decided_at``/``day``
        parsed to datetimes. A lazy input (DuckDB, polars LazyFrame) stays lazy: the checks
        run as a few aggregate queries where the data live.

    Raises
    ------
    ColumnError
        A column the schema maps is not in the export, or the export has no decision
        column (``decision`` or the column the schema maps to it).
    DomainError
        Every problem of the export at once, named by the export's column names: each
        unknown label (count and first row), each value of a flag column that is not a
        flag, each timestamp that cannot be parsed; row positions are given for in-memory
        frames.
    MissingValueError
        When the only problems are missing decisions or timestamps.

    Examples
    --------
    >>> import pandas as pd
    >>> from sixsigma.moderation import AuditSchema, standardize
    >>> export = pd.DataFrame({"review_date": ["2026-01-05", "2026-01-06T10:30"],
    ...                        "policy_label": ["HATE", "NONE"], "qa_label": ["HATE", ""],
    ...                        "appealed": ["Y", "N"]})
    >>> schema = AuditSchema(columns={"decided_at": "review_date", "decision": "policy_label",
    ...                               "qa_decision": "qa_label"}, no_violation=["NONE"],
    ...                      not_audited=["", None], labels={"HATE": "hate_speech"})
    >>> audits = standardize(export, schema)
    >>> audits.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'decided_at': [Timestamp('2026-01-05 00:00:00'), Timestamp('2026-01-06 10:30:00')],
     'decision': ['hate_speech', 'no_violation'], 'qa_decision': ['hate_speech', nan],
     'appealed': [True, False]}
    >>> standardize(export.assign(policy_label=["HAT", "NONE"]), schema)
    Traceback (most recent call last):
    ...
    sixsigma.errors.DomainError: standardize: column 'policy_label' has the unknown label \
'HAT' at row 0 (1 row in all); the schema knows the labels 'HATE', 'NONE', \
'hate_speech', 'harassment', 'spam', 'violent_extremism', 'adult', 'no_violation' and \
the 'not audited' verdicts ''; map other labels with its labels=, no_violation= or \
not_audited=.
    """
    table = as_table(data, caller="standardize")
    table.require((AuditSchema() if schema is None else schema).export_name("decision"))
    return _standardize(table, schema).to_native()
