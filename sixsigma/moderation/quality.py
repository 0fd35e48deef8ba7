"""The quality metrics a moderation team reports, as one tidy table.

:func:`metrics` returns accuracy, over-enforcement, under-enforcement and wrong-policy rates,
per-policy precision, recall and F1 of moderator decisions against QA, the appeal overturn
rate and SLA attainment, for any grouping and time grain, each proportion with a Wilson
(1927) score interval (:func:`sixsigma._stats.wilson`). The counting runs where the data
live (pandas, polars, DuckDB) through narwhals: one multi-indicator aggregate per day and
group (:func:`_day_counts`), then rolled up to weeks or months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sixsigma._aggregate import collect
from sixsigma._frames import as_table
from sixsigma._params import check_confidence, choice
from sixsigma._stats import wilson
from sixsigma.errors import ParameterError
from sixsigma.moderation.adapter import _is_text, _standardize
from sixsigma.moderation.schema import DEFAULT_TAXONOMY, NO_VIOLATION, AuditSchema
from sixsigma.moderation.validate import check_error_types, effective_schema

__all__ = ["METRICS", "metrics"]

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
GRAINS: tuple[str, ...] = ("day", "week", "month", "all")


def _indicators(policies: Sequence[str], sla: float | None, frame_cols: set[str]
                ) -> dict[str, Any]:
    """Narwhals expressions of the per-record indicators that the metrics sum."""
    ind: dict[str, Any] = {}
    if "qa_decision" in frame_cols:
        qa = nw.col("qa_decision")
        audited = ~qa.is_null()
        ind["audited"] = audited
    if "decision" in frame_cols and "qa_decision" in frame_cols:
        dec = nw.col("decision")
        acted = dec != NO_VIOLATION
        violating = audited & (qa != NO_VIOLATION)
        ind.update({
            "correct": audited & (dec == qa),
            "over_enforcement": audited & acted & ~violating,
            "under_enforcement": violating & ~acted,
            "wrong_policy": violating & acted & (dec != qa),
        })
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
    low, high = wilson(k, n, z_conf)
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


def _day_counts(frame: Any, indicators: Mapping[str, Any], time: str,
                keys: list[str]) -> pd.DataFrame:
    """Records and the sum of every indicator per day and group, where the data live.

    The multi-indicator form of the group-count query (:func:`sixsigma._aggregate.
    group_counts` counts one defective column per key; the metrics need a dozen at once,
    so they are summed in the same single group-by). Returns ``__day``, the keys,
    ``records`` and one column per indicator.
    """
    day = nw.col(time).dt.truncate("1d").alias("__day")
    if frame.implementation.is_pandas():
        return _combo_counts(frame, indicators, day, keys)
    # indicators first, then plain sums: the group-by stays simple on every back end
    flagged = frame.with_columns(day, *[expr.cast(nw.Int64).alias(name)
                                        for name, expr in indicators.items()])
    agg = (flagged.group_by(["__day", *keys])
           .agg(nw.len().alias("records"), *[nw.col(name).sum() for name in indicators]))
    out: pd.DataFrame = collect(agg).to_pandas()
    return out



def _codes(values: Any) -> tuple[NDArray[np.int64], int]:
    """Integer codes of a column (-1 for missing) and the number of distinct values + 1."""
    array = getattr(values, "array", None)
    chunked = getattr(array, "_pa_array", None)
    if chunked is not None and (pa.types.is_string(chunked.type)
                                or pa.types.is_large_string(chunked.type)):
        encoded = pc.dictionary_encode(chunked).unify_dictionaries()
        out = np.empty(len(values), dtype=np.int64)
        at = 0
        for chunk in encoded.chunks:
            got = pc.fill_null(chunk.indices, -1).to_numpy()
            out[at:at + len(got)] = got
            at += len(got)
        distinct = len(encoded.chunks[0].dictionary) if encoded.num_chunks else 0
        return out, distinct + 1
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), len(uniques) + 1


def _combo_counts(frame: Any, indicators: Mapping[str, Any], day: Any,
                  keys: list[str]) -> pd.DataFrame:
    """:func:`_day_counts` on an in-memory pandas frame: count the label combinations first.

    Rows are counted per distinct combination of day, keys and the low-cardinality label
    columns (integer codes, no per-row strings); the indicators are then evaluated once
    per combination, on one representative row each, and weighted by its count. Indicators
    that read other columns (``turnaround_seconds``) are evaluated per row and join the
    combination. The sums are those of the per-row query.
    """
    native = frame.to_native()
    n = len(native)
    days = frame.select(day).to_native()["__day"]
    parts: dict[str, Any] = {"__day": days}
    for k in keys:
        parts[k] = native[k]
    candidates = [c for c in native.columns if c not in parts and c not in indicators
                  and not pd.api.types.is_float_dtype(native[c].dtype)
                  and not pd.api.types.is_datetime64_any_dtype(native[c].dtype)]
    probe = nw.from_native(native.iloc[:0][candidates], eager_only=True)
    per_row: dict[str, Any] = {}
    for name, expr in indicators.items():
        try:
            probe.select(expr.alias(name))
        except nw.exceptions.ColumnNotFoundError:
            per_row[name] = expr
    if per_row:
        got = frame.select(*[e.alias(k) for k, e in per_row.items()]).to_native()
        for k in per_row:
            parts[k] = got[k].fillna(False).to_numpy(dtype=bool)
    for c in candidates:
        parts[c] = native[c]
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for values in parts.values():
        codes, radix = _codes(values)
        if size * radix >= 2**62:  # compress the combined key to its distinct values
            key = pd.factorize(key)[0].astype(np.int64, copy=False)
            size = int(key.max()) + 1 if n else 1
        np.multiply(key, radix, out=key)
        np.add(key, codes, out=key)
        np.add(key, 1, out=key)
        size *= radix
        del codes
    combo, _ = pd.factorize(key)
    del key
    weights = np.bincount(combo)
    # factorize numbers combinations in order of first appearance: the running maximum
    # rises exactly at each combination's first row
    rising = np.empty(n, dtype=bool)
    running = np.maximum.accumulate(combo)
    rising[0:1] = True
    np.greater(running[1:], running[:-1], out=rising[1:])
    first = np.flatnonzero(rising)
    del combo, running, rising
    # one representative row per combination: the same values and dtypes as the data
    small = pd.DataFrame({name: values.iloc[first].reset_index(drop=True)
                          if isinstance(values, pd.Series) else values[first]
                          for name, values in parts.items()})
    small["__w"] = weights
    combos = nw.from_native(small, eager_only=True)
    w = nw.col("__w")
    flagged = combos.with_columns(
        *[(nw.col(k).cast(nw.Int64) * w).alias(k) for k in per_row],
        *[(e.cast(nw.Int64) * w).alias(k) for k, e in indicators.items() if k not in per_row])
    agg = (flagged.group_by(["__day", *keys])
           .agg(w.sum().alias("records"), *[nw.col(name).sum() for name in indicators]))
    out: pd.DataFrame = collect(agg).to_pandas()
    return out


def metrics(
    data: Any,
    by: str | Sequence[str] | None = None,
    grain: Grain = "day",
    *,
    schema: AuditSchema | None = None,
    columns: Mapping[str, str] | None = None,
    policies: Sequence[str] | None = None,
    sla_seconds: float | None = None,
    confidence: float = 0.95,
    which: str | Iterable[str] | None = None,
    time: str = "decided_at",
) -> pd.DataFrame:
    """Moderation quality metrics as a tidy table, per group and period.

    Parameters
    ----------
    data : dataframe (pandas, polars, pyarrow, DuckDB relation) or dict
        Audit records (see :data:`~sixsigma.moderation.AUDIT_COLUMNS`): at least
        ``decision``, ``qa_decision`` and the time column; ``appealed``/``appeal_overturned`` and
        ``turnaround_seconds`` enable the appeal and SLA metrics.
    by : str or list of str, optional
        Grouping columns (queue, market, moderator_id ...). A column the schema maps is
        returned under its canonical name (``by="site"`` with ``region: site`` gives a
        ``region`` column).
    grain : {"day", "week", "month", "all"}
        Time grain; weeks are ISO weeks labelled by their Monday; ``"all"`` pools the whole
        period (``period`` is then NaT).
    schema : AuditSchema, optional
        The export's own columns and vocabulary (see
        :func:`~sixsigma.moderation.standardize`); the export is read through it, lazily.
    columns : mapping, optional
        ``{standard_name: your_name}`` for differently named columns (added to the
        schema's).
    policies : sequence of str, optional
        The policy vocabulary (default: the schema's, :data:`~sixsigma.moderation.POLICIES`).
    sla_seconds : float, optional
        The SLA target for ``sla_attainment`` (turnaround within this many seconds).
    confidence : float
        Level of the Wilson intervals.
    which : str or iterable of str, optional
        The metric (a name) or metrics to return (default: all available; see
        :data:`METRICS`). Only the columns these metrics need are read and checked:
        ``which="accuracy"`` never touches the appeal or turnaround columns.
    time : str
        The timestamp column (standard name ``decided_at``); date text is parsed.

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
        See :func:`~sixsigma.moderation.standardize` (every problem of the columns read,
        in one message) and :func:`~sixsigma.moderation.validate_audits`.
    ParameterError
        An unknown grain or metric, ``sla_attainment`` asked without ``sla_seconds``,
        ``appeal_overturn`` asked of data without the appeal columns, a confidence outside
        (0, 1).

    Notes
    -----
    accuracy + over_enforcement + under_enforcement + wrong_policy = 1 over the audited
    records of every group. Unaudited records (no QA verdict, or one of the schema's
    ``not_audited`` values) count only in ``audited``. The flags ``appealed`` and
    ``appeal_overturned`` may be booleans, 0/1 numbers (NaN is missing) or text spelled as
    the schema says; a missing flag counts as "no".

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
    choice(grain, "grain", GRAINS, caller=caller)
    confidence = check_confidence(confidence, caller=caller)
    schema = effective_schema(schema, columns, policies)
    policies = schema.policies
    if isinstance(which, str):
        which = [which]
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
    # an export name of a mapped column means its canonical column
    keys = [schema.canonical_name(k) if k in schema.columns.values() else k for k in keys]

    table = as_table(data, caller=caller)

    def present(name: str) -> bool:
        return schema.export_name(name) in table.columns

    if "appeal_overturn" in wanted and not (present("appealed")
                                            and present("appeal_overturned")):
        if which is not None:
            raise ParameterError(f"{caller}: appeal_overturn needs the columns "
                                 f"{schema.export_name('appealed')!r} and "
                                 f"{schema.export_name('appeal_overturned')!r} (canonical "
                                 "'appealed', 'appeal_overturned').")
        wanted.remove("appeal_overturn")
    if "sla_attainment" in wanted and not present("turnaround_seconds"):
        raise ParameterError(f"{caller}: sla_attainment needs a 'turnaround_seconds' column.")
    outcomes = [w for w in wanted if w not in ("audited", "appeal_overturn",
                                               "sla_attainment")]
    needed = [time]
    if outcomes or "audited" in wanted:
        needed += ["decision", "qa_decision"] if outcomes else ["qa_decision"]
    if "appeal_overturn" in wanted:
        needed += ["appealed", "appeal_overturned"]
    if "sla_attainment" in wanted:
        needed.append("turnaround_seconds")
    check_types = bool(outcomes) and not table.lazy and present("error_type")
    if check_types:
        needed.append("error_type")
    text_time = _is_text(table.frame.collect_schema().get(schema.export_name(time)))
    frame = _standardize(table, schema, needed=needed, keep=keys, times=(time,),
                         caller=caller)
    if check_types:
        sub = collect(frame.select("decision", "qa_decision", "error_type")).to_pandas()
        check_error_types(sub, DEFAULT_TAXONOMY, name=schema.export_name("error_type"),
                          caller=caller)
    names = set(frame.collect_schema().names())
    ind = _indicators(policies, sla_seconds, names)
    counts = _day_counts(frame, ind, time, keys)
    days = pd.to_datetime(counts["__day"])
    if text_time and days.dt.tz is not None:
        # Spark reads date text in its session time zone: keep the wall-clock day
        days = days.dt.tz_localize(None)
    counts["period"] = _period(days, grain)
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
    per_policy = [w for w in ("precision", "recall", "f1") if w in wanted]
    for p in policies if per_policy else ():
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
