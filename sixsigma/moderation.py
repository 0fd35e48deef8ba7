"""The moderation audit-record schema and the quality metrics teams report.

An audit record is one moderation decision that QA re-reviewed (see ``AUDIT_COLUMNS``).
From ``decision`` (the moderator's label) and ``qa_decision`` (QA's verdict), both a policy
name or ``"no_violation"``, every audited record is exactly one of: correct,
over-enforcement (actioned, QA says no violation), under-enforcement (missed violation) or
wrong policy (actioned under another policy than QA's). A record whose ``qa_decision`` is
missing was not audited: it is counted as unaudited, never as correct.

:func:`metrics` returns those rates and the others a quality team reports (per-policy
precision, recall and F1 of moderator decisions against QA, appeal overturn rate, SLA
attainment) as a tidy table, for any grouping and time grain, each proportion with a Wilson
(1927) score interval. The counting runs where the data live (pandas, polars, DuckDB)
through narwhals: one aggregate per day and group, then rolled up to weeks or months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import Table, as_table, show
from sixsigma.errors import DomainError, MissingValueError, ParameterError

__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_TAXONOMY",
    "ERROR_TYPES",
    "METRICS",
    "NO_VIOLATION",
    "POLICIES",
    "ErrorTaxonomy",
    "ErrorType",
    "classify_errors",
    "metrics",
    "validate_audits",
    "wilson_interval",
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

METRICS: dict[str, str] = {
    "audited": "share of records with a QA verdict (denominator: all records)",
    "accuracy": "decision equals QA's verdict (denominator: audited records)",
    "over_enforcement": "actioned, QA says no violation (denominator: audited records)",
    "under_enforcement": "not actioned, QA says violating (denominator: audited records)",
    "wrong_policy": "actioned under another policy than QA's (denominator: audited records)",
    "precision": "per policy: QA agrees among the moderator's decisions for that policy",
    "recall": "per policy: the moderator chose it among QA's verdicts for that policy",
    "f1": "per policy: harmonic mean of precision and recall (no interval)",
    "appeal_overturn": "appeals that reversed the decision (denominator: appealed records)",
    "sla_attainment": "turnaround within sla_seconds (denominator: records with a turnaround)",
}

Grain = Literal["day", "week", "month", "all"]


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


# ---------------------------------------------------------------------------------------
# validation


def classify_errors(decision: NDArray[Any], qa_decision: NDArray[Any]) -> NDArray[np.str_]:
    """The base error type of each record ('' when correct or unaudited).

    Parameters
    ----------
    decision, qa_decision : numpy.ndarray of str
        Labels; a missing ``qa_decision`` (None/NaN) means unaudited.

    Returns
    -------
    numpy.ndarray of str
        ``""``, ``"over_enforcement"``, ``"under_enforcement"`` or ``"wrong_policy"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sixsigma.moderation import classify_errors
    >>> classify_errors(np.array(["spam", "no_violation", "spam", "spam"]),
    ...                 np.array(["no_violation", "spam", "adult", None])).tolist()
    ['over_enforcement', 'under_enforcement', 'wrong_policy', '']
    """
    audited = ~pd.isna(qa_decision)
    acted = decision != NO_VIOLATION
    violating = audited & (qa_decision != NO_VIOLATION)
    out = np.full(decision.shape, "", dtype=object)
    out[audited & acted & ~violating] = "over_enforcement"
    out[violating & ~acted] = "under_enforcement"
    out[violating & acted & (decision != qa_decision)] = "wrong_policy"
    return out.astype(str)


def _labels(table: Table, column: str, vocabulary: set[str], *, allow_missing: bool
            ) -> NDArray[Any]:
    values = table.raw(column).astype(object)
    missing = pd.isna(values)
    if missing.any() and not allow_missing:
        i = int(np.flatnonzero(missing)[0])
        raise MissingValueError(f"{table.caller}: column {column!r} has a missing label at "
                                f"row {i}.")
    unknown = ~missing & ~pd.Series(values).isin(vocabulary).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise DomainError(
            f"{table.caller}: column {column!r} has the unknown label {show(values[i])} at "
            f"row {i}; expected one of {', '.join(sorted(vocabulary))} (pass policies= for "
            "other policy names)."
        )
    return values


def validate_audits(
    audits: Any,
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
    audits : dataframe or dict
        Audit records (see :data:`AUDIT_COLUMNS`).
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
    table = as_table(audits, caller=caller)
    rename = {theirs: ours for ours, theirs in (columns or {}).items()}
    table.require(*rename)
    frame = table.frame.rename(rename) if rename else table.frame
    frame = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    out = frame.to_pandas()
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
            i = int(np.flatnonzero(unknown)[0])
            raise DomainError(f"{caller}: column 'error_type' has the unknown type "
                              f"{given[i]!r} at row {i}; the taxonomy has "
                              f"{', '.join(taxonomy.names)} ('' when correct).")
        base = np.array([taxonomy.base_of(g) if g else "" for g in np.unique(given)])
        mapped = dict(zip(np.unique(given).tolist(), base.tolist(), strict=True))
        expected = classify_errors(decision, qa)
        got = pd.Series(given).map(mapped).to_numpy()
        bad = got != expected
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
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
            i = int(np.flatnonzero(bad)[0])
            raise DomainError(f"{caller}: column {time!r} has a timestamp that cannot be "
                              f"parsed at row {i}: {show(out[time].iloc[i])}.")
        if parsed.isna().any():
            i = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise MissingValueError(f"{caller}: column {time!r} is missing at row {i}.")
        out[time] = parsed
    return out


# ---------------------------------------------------------------------------------------
# intervals


def wilson_interval(
    successes: Any, n: Any, confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson (1927) score interval of a binomial proportion, vectorised.

    Parameters
    ----------
    successes, n : array-like
        Counts; where ``n`` is 0 the interval is undefined (NaN).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    (lower, upper) : tuple of numpy.ndarray

    References
    ----------
    Wilson, E.B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22, 209-212. Newcombe, R.G. (1998). Two-sided confidence intervals
    for the single proportion. *Statistics in Medicine* 17, 857-872.

    Examples
    --------
    >>> from sixsigma.moderation import wilson_interval
    >>> low, high = wilson_interval(81, 263)   # Newcombe (1998), Table II, example (a)
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be in (0, 1); got {confidence}.")
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
    empty = m <= 0
    low = np.where(empty, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(centre + half, 0.0, 1.0))
    return low, high


# ---------------------------------------------------------------------------------------
# metrics


def _indicators(policies: Sequence[str], sla: float | None, frame_cols: set[str]
                ) -> dict[str, Any]:
    """Narwhals expressions of the per-record indicators that the metrics sum."""
    dec, qa = nw.col("decision"), nw.col("qa_decision")
    audited = ~qa.is_null()
    acted = dec != NO_VIOLATION
    violating = audited & (qa != NO_VIOLATION)
    ind: dict[str, Any] = {
        "audited": audited,
        "correct": audited & (dec == qa),
        "over_enforcement": audited & acted & ~violating,
        "under_enforcement": violating & ~acted,
        "wrong_policy": violating & acted & (dec != qa),
    }
    for p in policies:
        ind[f"tp:{p}"] = audited & (dec == p) & (qa == p)
        ind[f"pred:{p}"] = audited & (dec == p)
        ind[f"actual:{p}"] = audited & (qa == p)
    if "appealed" in frame_cols:
        ind["appealed"] = nw.col("appealed").fill_null(False)
        if "appeal_overturned" in frame_cols:
            ind["overturned"] = (nw.col("appealed").fill_null(False)
                                 & nw.col("appeal_overturned").fill_null(False))
    if sla is not None and "turnaround_seconds" in frame_cols:
        ind["timed"] = ~nw.col("turnaround_seconds").is_null()
        ind["within_sla"] = nw.col("turnaround_seconds") <= sla
    return ind


def _period(days: pd.Series, grain: str) -> pd.Series:
    if grain == "day":
        return days
    if grain == "week":  # ISO week, labelled by its Monday
        return pd.Series(days - pd.to_timedelta(days.dt.day_of_week, unit="D"))
    if grain == "month":
        return pd.Series(days.dt.to_period("M").dt.to_timestamp())
    return pd.Series(pd.NaT, index=days.index)


def _rows(counts: pd.DataFrame, keys: list[str], metric: str, num: str, den: str,
          policy: str | None, z_conf: float, note: str) -> pd.DataFrame:
    k, n = counts[num].to_numpy(float), counts[den].to_numpy(float)
    low, high = wilson_interval(k, n, z_conf)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out = counts[keys].copy()
    out["metric"] = metric
    out["policy"] = policy
    out["numerator"] = k
    out["denominator"] = n
    out["estimate"] = est
    out["ci_low"] = low
    out["ci_high"] = high
    out["note"] = np.where(n > 0, "", note)
    return out


def metrics(
    audits: Any,
    by: str | Sequence[str] | None = None,
    grain: Grain = "day",
    *,
    columns: Mapping[str, str] | None = None,
    policies: Sequence[str] = POLICIES,
    sla_seconds: float | None = None,
    confidence: float = 0.95,
    which: Iterable[str] | None = None,
    time: str = "decided_at",
) -> pd.DataFrame:
    """Moderation quality metrics as a tidy table, per group and period.

    Parameters
    ----------
    audits : dataframe (pandas, polars, pyarrow, DuckDB relation) or dict
        Audit records (see :data:`AUDIT_COLUMNS`): at least ``decision``, ``qa_decision``
        and the time column; ``appealed``/``appeal_overturned`` and
        ``turnaround_seconds`` enable the appeal and SLA metrics.
    by : str or list of str, optional
        Grouping columns (queue, market, moderator_id ...).
    grain : {"day", "week", "month", "all"}
        Time grain; weeks are ISO weeks labelled by their Monday; ``"all"`` pools the whole
        period (``period`` is then NaT).
    columns : mapping, optional
        ``{standard_name: your_name}`` for differently named columns.
    policies : sequence of str
        The policy vocabulary (default :data:`POLICIES`).
    sla_seconds : float, optional
        The SLA target for ``sla_attainment`` (turnaround within this many seconds).
    confidence : float
        Level of the Wilson intervals.
    which : iterable of str, optional
        Metrics to return (default: all available; see :data:`METRICS`).
    time : str
        The timestamp column (standard name ``decided_at``).

    Returns
    -------
    pandas.DataFrame
        One row per (period, group, metric, policy): ``period``, the ``by`` columns,
        ``metric``, ``policy`` (None for operation-wide metrics), ``numerator``,
        ``denominator``, ``estimate``, ``ci_low``, ``ci_high`` and ``note``. An estimate
        with an empty denominator (precision of a policy never chosen) is NaN with a note
        saying why: undefined, not 0. ``f1`` has no interval.

    Raises
    ------
    ColumnError, DomainError, MissingValueError
        See :func:`validate_audits`.
    ParameterError
        An unknown grain or metric, ``sla_attainment`` asked without ``sla_seconds``.

    Notes
    -----
    accuracy + over_enforcement + under_enforcement + wrong_policy = 1 over the audited
    records of every group. Unaudited records (no QA verdict) count only in ``audited``.

    Examples
    --------
    >>> import sixsigma as ss
    >>> audits = {"decided_at": ["2026-01-05 09:00"] * 4 + ["2026-01-06 09:00"] * 2,
    ...           "decision": ["spam", "spam", "no_violation", "adult", "spam", "adult"],
    ...           "qa_decision": ["spam", "no_violation", "spam", "adult", None, "adult"]}
    >>> m = ss.moderation.metrics(audits, grain="all", which=["accuracy", "audited"])
    >>> m[["metric", "numerator", "denominator"]].to_dict("records")
    [{'metric': 'audited', 'numerator': 5.0, 'denominator': 6.0}, \
{'metric': 'accuracy', 'numerator': 3.0, 'denominator': 5.0}]
    """
    caller = "metrics"
    if grain not in ("day", "week", "month", "all"):
        raise ParameterError(f"{caller}: grain must be 'day', 'week', 'month' or 'all'; got "
                             f"{grain!r}.")
    wanted = list(METRICS) if which is None else list(which)
    unknown = [w for w in wanted if w not in METRICS]
    if unknown:
        raise ParameterError(f"{caller}: unknown metric {unknown[0]!r}; expected one of "
                             f"{', '.join(METRICS)}.")
    if "sla_attainment" in wanted and sla_seconds is None:
        if which is not None:
            raise ParameterError(f"{caller}: sla_attainment needs sla_seconds=.")
        wanted.remove("sla_attainment")
    keys = [by] if isinstance(by, str) else list(by or [])

    table = as_table(audits, caller=caller)
    mapping = dict(columns or {})
    if table.lazy:
        frame = table.frame.rename({v: k for k, v in mapping.items()})
        table.require(*mapping.values())
    else:
        checked = validate_audits(table.frame.to_native(), columns=mapping,
                                  policies=policies, time=time, caller=caller)
        frame = nw.from_native(checked)
    names = set(frame.collect_schema().names())
    for col in keys:
        if col not in names:
            as_table(frame.to_native(), caller=caller).require(col)
    ind = _indicators(policies, sla_seconds, names)
    if "appeal_overturn" in wanted and "overturned" not in ind:
        wanted.remove("appeal_overturn")
    if "sla_attainment" in wanted and "within_sla" not in ind:
        raise ParameterError(f"{caller}: sla_attainment needs a 'turnaround_seconds' column.")
    day = nw.col(time).dt.truncate("1d").alias("__day")
    # indicators first, then plain sums: the group-by stays simple on every back end
    flagged = frame.with_columns(day, *[expr.cast(nw.Int64).alias(name)
                                        for name, expr in ind.items()])
    agg = (flagged.group_by(["__day", *keys])
           .agg(nw.len().alias("records"), *[nw.col(name).sum() for name in ind]))
    counts = (agg.collect() if isinstance(agg, nw.LazyFrame) else agg).to_pandas()
    counts["period"] = _period(pd.to_datetime(counts["__day"]), grain)
    counts = counts.drop(columns="__day").groupby(["period", *keys], dropna=False,
                                                  sort=True).sum().reset_index()
    group = ["period", *keys]
    parts: list[pd.DataFrame] = []
    simple = {"audited": ("audited", "records", "no records"),
              "accuracy": ("correct", "audited", "no audited records"),
              "over_enforcement": ("over_enforcement", "audited", "no audited records"),
              "under_enforcement": ("under_enforcement", "audited", "no audited records"),
              "wrong_policy": ("wrong_policy", "audited", "no audited records"),
              "appeal_overturn": ("overturned", "appealed", "no appeals"),
              "sla_attainment": ("within_sla", "timed", "no turnaround times")}
    for metric in wanted:
        if metric in simple:
            num, den, note = simple[metric]
            parts.append(_rows(counts, group, metric, num, den, None, confidence, note))
    for p in policies:
        prec = _rows(counts, group, "precision", f"tp:{p}", f"pred:{p}", p, confidence,
                     "undefined: no decisions for this policy")
        rec = _rows(counts, group, "recall", f"tp:{p}", f"actual:{p}", p, confidence,
                    "undefined: QA found no violations of this policy")
        if "precision" in wanted:
            parts.append(prec)
        if "recall" in wanted:
            parts.append(rec)
        if "f1" in wanted:
            f1 = prec.copy()
            pr, rc = prec["estimate"].to_numpy(), rec["estimate"].to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                f1["estimate"] = np.where(pr + rc > 0, 2 * pr * rc / (pr + rc),
                                          np.where(np.isnan(pr + rc), np.nan, 0.0))
            f1["metric"] = "f1"
            f1["numerator"] = 2 * counts[f"tp:{p}"].to_numpy(float)
            f1["denominator"] = (counts[f"pred:{p}"] + counts[f"actual:{p}"]).to_numpy(float)
            f1["ci_low"] = f1["ci_high"] = np.nan
            f1["note"] = np.where(np.isnan(f1["estimate"]), "undefined: precision or recall "
                                  "undefined", "")
            parts.append(f1)
    out = pd.concat(parts, ignore_index=True)
    order = {m: k for k, m in enumerate(METRICS)}
    out["__m"] = out["metric"].map(order)
    out = out.sort_values(["period", *keys, "__m", "policy"], kind="stable",
                          na_position="first").drop(columns="__m")
    return out.reset_index(drop=True)
