"""The quality metrics a moderation team reports, as one tidy table.

:func:`metrics` returns accuracy, over-enforcement, under-enforcement and wrong-policy rates,
per-policy precision, recall and F1 of moderator decisions against QA, the appeal overturn
rate and SLA attainment, for any grouping and time grain, each proportion with a Wilson
(1927) score interval (:func:`sixsigma._stats.wilson`). The counting runs where the data
live (pandas, polars, DuckDB) through narwhals: one multi-indicator aggregate per day and
group (:func:`_day_counts`), then rolled up to weeks or months.

With ``weight=`` (1/inclusion probability of the audit) and/or ``strata=`` the audit-based
rates (accuracy, over-, under-enforcement, wrong policy, precision, recall, F1) are
design-based: the Hájek ratio of each (period, group) domain with the Taylor-linearised
stratified variance and Korn-Graubard interval of :func:`sixsigma.sampling.estimate`
(precision and recall are domain ratios: Σ w tp / Σ w predicted, Σ w tp / Σ w actual).
The same single group-by also sums Σ w·I and Σ w²·I of every indicator per stratum.
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
from sixsigma._frames import as_table, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._stats import wilson
from sixsigma._stats.survey import design_interval, effective_size, stratified_ratio
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError
from sixsigma.moderation._counts import pandas_day_counts
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


def _check_weights(frame: Any, counts: pd.DataFrame, weight: str, caller: str) -> None:
    """Raise for an audited record whose weight is missing, infinite or <= 0."""
    if "__bad_weight" not in counts or not counts["__bad_weight"].sum():
        return
    col = nw.col(weight)
    bad = ~nw.col("qa_decision").is_null() & ~(col > 0).fill_null(False)
    dtype = frame.collect_schema()[weight]
    if dtype.is_float():
        bad = bad | (~nw.col("qa_decision").is_null() & (col.is_nan() | ~col.is_finite())
                     ).fill_null(False)
    found = collect(frame.filter(bad).select(weight).head(1))
    value = show(found[weight].to_list()[0]) if len(found) else "an invalid value"
    raise DomainError(f"{caller}: column {weight!r} must be a finite number > 0 (1/inclusion "
                      f"probability) on every audited record; one holds {value}.")


def _design_counts(frame: Any, ind: Mapping[str, Any], time: str, keys: list[str],
                   weight: str | None, policies: Sequence[str], caller: str) -> pd.DataFrame:
    """:func:`_day_counts` for a design: also Σ w·I and Σ w²·I of the audit indicators.

    Every audit indicator is a function of (decision, qa_decision), so the one group-by
    adds these two columns to its keys and sums only the units, Σ w and Σ w² (plus the
    other indicators); the indicators and their weighted sums are then formed on that small
    table. Returns the columns of :func:`_day_counts` and ``w:<ind>``, ``w2:<ind>``.
    """
    audit = [k for k in ind if k in _AUDIT_INDICATORS or k.split(":")[0] in
             ("tp", "pred", "actual")]
    other = {k: v for k, v in ind.items() if k not in audit}
    audited = ~nw.col("qa_decision").is_null()
    if weight is None:
        w: Any = nw.lit(1.0)
    else:
        dtype = frame.collect_schema()[weight]
        if dtype == nw.Boolean or not dtype.is_numeric():
            raise DomainError(f"{caller}: column {weight!r} must be numeric (1/inclusion "
                              f"probability); it is {dtype}.")
        w = nw.col(weight).cast(nw.Float64)
        bad = w.is_null() | ~(w > 0)
        if dtype.is_float():
            bad = bad | w.is_nan() | ~w.is_finite()
        other["__bad_weight"] = audited & bad.fill_null(True)
    day = nw.col(time).dt.truncate("1d").alias("__day")
    wa = nw.when(audited).then(w).otherwise(0.0)
    flagged = frame.with_columns(
        day, wa.alias("__w"), (wa * wa).alias("__w2"),
        *[expr.cast(nw.Int64).alias(name) for name, expr in other.items()])
    fine_keys = ["__day", *keys, "decision", "qa_decision"]
    agg = flagged.group_by(fine_keys).agg(
        nw.len().alias("records"), nw.col("__w").sum(), nw.col("__w2").sum(),
        *[nw.col(name).sum() for name in other])
    fine: pd.DataFrame = collect(agg).to_pandas()
    dec = fine["decision"].astype(object)
    qa = fine["qa_decision"].astype(object)
    is_aud = qa.notna().to_numpy()
    dec_v, qa_v = dec.to_numpy(), qa.to_numpy()
    acted = dec_v != NO_VIOLATION
    violating = is_aud & (qa_v != NO_VIOLATION)
    flags = {"audited": is_aud, "correct": is_aud & (dec_v == qa_v),
             "over_enforcement": is_aud & acted & ~violating,
             "under_enforcement": violating & ~acted,
             "wrong_policy": violating & acted & (dec_v != qa_v)}
    for p in policies:
        flags[f"tp:{p}"] = is_aud & (dec_v == p) & (qa_v == p)
        flags[f"pred:{p}"] = is_aud & (dec_v == p)
        flags[f"actual:{p}"] = is_aud & (qa_v == p)
    units = fine["records"].to_numpy(np.float64)
    sw, sw2 = fine["__w"].to_numpy(np.float64), fine["__w2"].to_numpy(np.float64)
    cols: dict[str, Any] = {}
    for name in audit:
        f = flags[name]
        cols[name] = np.where(f, units, 0.0).astype(np.int64)
        cols[f"w:{name}"] = np.where(f, sw, 0.0)
        cols[f"w2:{name}"] = np.where(f, sw2, 0.0)
    fine = pd.concat([fine.drop(columns=["decision", "qa_decision", "__w", "__w2"]),
                      pd.DataFrame(cols, index=fine.index)], axis=1)
    out: pd.DataFrame = fine.groupby(["__day", *keys], dropna=False, sort=False
                                     ).sum().reset_index()
    return out


_AUDIT_INDICATORS = ("audited", "correct", "over_enforcement", "under_enforcement",
                     "wrong_policy")


def _design_codes(cells: pd.DataFrame, counts: pd.DataFrame, group: list[str]
                  ) -> tuple[Any, Any, int, Any]:
    """Stratum code, domain code (row of ``counts``) of each cell; strata; units per stratum."""
    strata = cells["__s"].to_numpy(dtype=np.int64)
    n_strata = int(strata.max()) + 1
    if group:
        target = pd.MultiIndex.from_frame(counts[group])
        dom = np.asarray(target.get_indexer(pd.MultiIndex.from_frame(cells[group])),
                         dtype=np.int64)
    else:
        dom = np.zeros(len(cells), dtype=np.int64)
    n_h = np.bincount(strata, weights=cells["audited"].to_numpy(dtype=np.float64),
                      minlength=n_strata)
    return strata, dom, n_strata, n_h


def _design_rows(cells: pd.DataFrame, codes: tuple[Any, Any, int, Any],
                 counts: pd.DataFrame, group: list[str], metric: str, num: str, den: str,
                 policy: str | None, confidence: float, note: str) -> pd.DataFrame:
    """Design-based rows of one metric: the ratio Σ w num / Σ w den per (period, group).

    ``cells`` holds one row per (period, group, stratum) with the per-indicator sums
    ``<ind>``, ``w:<ind>``, ``w2:<ind>`` (``codes`` from :func:`_design_codes`); the domain
    of a row of ``counts`` is its (period, group) restricted to the units of ``den``
    (domain indicator approach: every stratum keeps all its sampled units, as
    :func:`sixsigma.sampling.estimate` with ``by=``).
    """
    strata, dom, n_strata, n_h = codes
    n_dom = len(counts)
    n = cells[den].to_numpy(dtype=np.float64)
    sw = cells[f"w:{den}"].to_numpy(dtype=np.float64)
    sw2 = cells[f"w2:{den}"].to_numpy(dtype=np.float64)
    swy = cells[f"w:{num}"].to_numpy(dtype=np.float64)
    sw2y = cells[f"w2:{num}"].to_numpy(dtype=np.float64)
    # units of each stratum outside the domain: one more (dummy) domain, moments 0
    outside = n_h - np.bincount(strata, weights=n, minlength=n_strata)
    zeros = np.zeros(n_strata)
    est = stratified_ratio(
        np.concatenate([strata, np.arange(n_strata)]),
        np.concatenate([dom, np.full(n_strata, n_dom)]),
        np.concatenate([n, outside]), np.concatenate([sw, zeros]),
        np.concatenate([swy, zeros]), np.concatenate([sw2, zeros]),
        np.concatenate([sw2y, zeros]), np.concatenate([sw2y, zeros]),
        fpc=np.ones(n_strata), n_domains=n_dom + 1, lonely="fail")
    p, var = est.estimate[:n_dom], est.variance[:n_dom]
    n_d, df = est.n[:n_dom], est.df[:n_dom]
    lo, hi = design_interval(p, var, n_d, df, confidence=confidence, method="beta")
    out = counts[group].copy()
    out["metric"] = metric
    out["policy"] = policy
    out["numerator"] = counts[num].to_numpy(float)
    out["denominator"] = counts[den].to_numpy(float)
    out["estimate"] = p
    out["ci_low"] = lo
    out["ci_high"] = hi
    out["note"] = np.where(n_d > 0, "", note)
    out["se"] = np.sqrt(var)
    out["n_eff"] = np.where(n_d > 0, effective_size(p, var, n_d), np.nan)
    return out


def _apply_correction(out: pd.DataFrame, correct: Mapping[str, Any], confidence: float
                      ) -> pd.DataFrame:
    """``corrected``, ``corrected_ci_low``, ``corrected_ci_high`` for the accuracy rows.

    The auditors' sensitivity/specificity describe how they detect errors, so the
    correction applies to the error rate 1 - accuracy (Rogan-Gladen on the counts, or on
    the effective counts of a design-based row) and is reported as a corrected accuracy.
    """
    from sixsigma.spc.weighted import correct_rates

    acc = (out["metric"] == "accuracy").to_numpy()
    n = out["n_eff"].to_numpy(float) if "n_eff" in out else out["denominator"].to_numpy(float)
    est = out["estimate"].to_numpy(float)
    errors = np.where(acc, (1.0 - est) * n, 0.0)
    size = np.where(acc & np.isfinite(n), n, 0.0)
    size = np.where(np.isfinite(errors), size, 0.0)
    rate, lo, hi = correct_rates(np.nan_to_num(errors), size, correct,
                                 confidence=confidence, caller="metrics")
    out["corrected"] = np.where(acc, 1.0 - rate, np.nan)
    out["corrected_ci_low"] = np.where(acc, 1.0 - hi, np.nan)
    out["corrected_ci_high"] = np.where(acc, 1.0 - lo, np.nan)
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
    weight: str | None = None,
    strata: str | None = None,
    correct: Mapping[str, Any] | None = None,
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
    weight : str, optional
        The audit's design weight of each audited record, 1/(inclusion probability), > 0
        (unaudited records may hold anything). The audit-based rates (accuracy, over-,
        under-enforcement, wrong policy, precision, recall, F1) become design-based: the
        Hájek ratio per (period, group) with its linearised stratified variance and the
        Korn-Graubard interval, as :func:`sixsigma.sampling.estimate` with ``by=``; the
        table gains ``se`` and ``n_eff`` (effective sample size). ``numerator`` and
        ``denominator`` stay the audited counts.
    strata : str, optional
        The stratum each audited record was sampled from (with or without ``weight``);
        every stratum needs at least two audited records.
    correct : mapping, optional
        ``{"sensitivity": Se, "specificity": Sp}`` of the auditors at detecting errors
        (optionally ``sensitivity_n``/``specificity_n``: the gold-set sizes they were
        estimated from, e.g. ``ss.msa.auditor_accuracy``). The accuracy rows gain
        ``corrected``, ``corrected_ci_low``, ``corrected_ci_high``: 1 - the Rogan-Gladen
        true error rate (:func:`sixsigma.msa.corrected_rate` on each row's counts, or
        effective counts when design-based); NaN on the other rows.

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
    for name, value in (("weight", weight), ("strata", strata)):
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"{caller}: the {name!r} parameter must be a column name; "
                                 f"got {show(value)}.")
    if correct is not None:
        from sixsigma.spc.weighted import _check_correct

        _check_correct(correct, caller)
    design = weight is not None or strata is not None
    schema = effective_schema(schema, columns, policies)
    policies = schema.policies
    if isinstance(which, str):
        which = [which]
    wanted = list(METRICS) if which is None else list(which)
    unknown = [w for w in wanted if w not in METRICS]
    if unknown:
        raise ParameterError(f"{caller}: unknown metric {unknown[0]!r}; expected one of "
                             f"{', '.join(METRICS)}.")
    if sla_seconds is not None:
        sla_seconds = check_number(sla_seconds, "sla_seconds", caller=caller, low=0.0,
                                   low_open=True)
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
    design = design and bool(outcomes)
    extra = [c for c in (weight, strata) if c is not None and c not in keys] if design else []

    def check(frame: Any) -> None:
        if check_types:
            sub = collect(frame.select("decision", "qa_decision", "error_type")).to_pandas()
            check_error_types(sub, DEFAULT_TAXONOMY, name=schema.export_name("error_type"),
                              caller=caller)

    cell_keys = keys
    counts: pd.DataFrame | None = None
    if not design and not table.lazy and table.frame.implementation.is_pandas():
        # in memory: count the raw label combinations first (None: the general path)
        counts = pandas_day_counts(
            table, schema, needed=needed, keep=keys, time=time, sla=sla_seconds,
            indicators=lambda names: _indicators(policies, sla_seconds, names), check=check,
            caller=caller)
    if counts is None:
        frame = _standardize(table, schema, needed=needed, keep=[*keys, *extra],
                             times=(time,), caller=caller)
        check(frame)
        ind = _indicators(policies, sla_seconds, set(frame.collect_schema().names()))
        if design:
            if strata is not None and strata not in keys:
                cell_keys = [*keys, strata]
            counts = _design_counts(frame, ind, time, cell_keys, weight, policies, caller)
        else:
            counts = _day_counts(frame, ind, time, cell_keys)
        if design and weight is not None:
            _check_weights(frame, counts, weight, caller)
            counts = counts.drop(columns="__bad_weight")
    days = pd.to_datetime(counts["__day"])
    if text_time and days.dt.tz is not None:
        # Spark reads date text in its session time zone: keep the wall-clock day
        days = days.dt.tz_localize(None)
    counts["period"] = _period(days, grain)
    counts = counts.drop(columns="__day").groupby(["period", *cell_keys], dropna=False,
                                                  sort=True).sum().reset_index()
    cells = counts
    if design:
        if strata is not None:
            s_codes, labels = pd.factorize(cells[strata], sort=False)
            cells["__s"] = np.asarray(s_codes, dtype=np.int64)
            unaudited = cells["audited"].to_numpy() == 0
            if ((s_codes < 0) & unaudited).any():   # records never audited need no stratum
                s_codes = np.where((s_codes < 0) & unaudited, len(labels), s_codes)
                cells["__s"] = s_codes
                labels = labels.append(pd.Index(["(none)"]))
            if (s_codes < 0).any():
                raise InsufficientDataError(f"{caller}: column {strata!r} has a missing "
                                            "stratum; every audited record needs one.")
        else:
            cells["__s"] = 0
            labels = pd.Index(["all"])
        n_h = np.bincount(cells["__s"], weights=cells["audited"].to_numpy(float),
                          minlength=len(labels))
        single = (n_h < 2) & (n_h > 0) if strata is not None else n_h < 2
        if single.any():
            first = labels[int(np.flatnonzero(single)[0])]
            where = (f"stratum {show(first)} of column {strata!r}" if strata is not None
                     else "the sample")
            raise InsufficientDataError(f"{caller}: {where} has a single audited record, so "
                                        "its variance cannot be estimated; merge it with a "
                                        "similar stratum.")
        counts = cells.drop(columns=[c for c in ("__s", strata) if c and c not in keys]
                            ).groupby(["period", *keys], dropna=False, sort=True
                                      ).sum().reset_index()
    group = ["period", *keys]
    codes = _design_codes(cells, counts, group) if design else None

    def rows(metric: str, num: str, den: str, policy: str | None, note: str
             ) -> pd.DataFrame:
        if codes is not None and f"w:{num}" in cells and f"w:{den}" in cells:
            return _design_rows(cells, codes, counts, group, metric, num, den, policy,
                                confidence, note)
        return _rows(counts, group, metric, num, den, policy, confidence, note)
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
            parts.append(rows(metric, num, den, None, note))
    per_policy = [w for w in ("precision", "recall", "f1") if w in wanted]
    for p in policies if per_policy else ():
        prec = rows("precision", f"tp:{p}", f"pred:{p}", p,
                    "undefined: no decisions for this policy")
        rec = rows("recall", f"tp:{p}", f"actual:{p}", p,
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
            if "se" in f1:
                f1["se"] = f1["n_eff"] = np.nan
            f1["note"] = np.where(np.isnan(f1["estimate"]), "undefined: precision or recall "
                                  "undefined", "")
            parts.append(f1)
    out = pd.concat(parts, ignore_index=True)
    if correct is not None:
        out = _apply_correction(out, correct, confidence)
    order = {m: k for k, m in enumerate(METRICS)}
    out["__m"] = out["metric"].map(order)
    out = out.sort_values(["period", *keys, "__m", "policy"], kind="stable",
                          na_position="first").drop(columns="__m")
    return out.reset_index(drop=True)
