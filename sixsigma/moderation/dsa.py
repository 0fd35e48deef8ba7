"""Transparency figures in the shape of the EU Digital Services Act reports.

:func:`transparency` turns the decision and audit records into a tidy table of the figures
the DSA transparency templates ask for (Art. 15 and 24, Implementing Regulation (EU)
2024/2835): per period, by policy and by automated or human means, the actions taken, the
notices received, the complaints (appeals) and reversals with the reversal rate, the
median time to action, and the precision and recall of the decisions against QA's audit,
each proportion with an interval. Every row carries the fingerprint of the data it came
from (:func:`sixsigma.provenance.fingerprint`). :meth:`Transparency.to_csv` writes the
table as RFC 4180 CSV; :data:`TRANSPARENCY_COLUMNS` defines every column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from sixsigma._aggregate import collect
from sixsigma._frames import as_table, first_row
from sixsigma._params import check_confidence, choice
from sixsigma._result import Result
from sixsigma._stats import wilson
from sixsigma.errors import DomainError
from sixsigma.moderation.adapter import _standardize
from sixsigma.moderation.schema import NO_VIOLATION, AuditSchema
from sixsigma.moderation.validate import effective_schema
from sixsigma.provenance import DataFingerprint, fingerprint

__all__ = ["PERIODS", "TRANSPARENCY_COLUMNS", "Transparency", "transparency"]

PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "half", "year", "all")

#: The columns of :attr:`Transparency.table` (and of its CSV), with their definitions.
TRANSPARENCY_COLUMNS: dict[str, str] = {
    "period": "start of the reporting period (ISO date; empty for the whole data)",
    "policy": "the policy of the decision ('no_violation' for decisions not to act; 'all' "
              "for every policy)",
    "means": "'automated' or 'human' (who decided); 'all' for both",
    "decisions": "decisions taken",
    "actions": "decisions that actioned the content (decision is a policy)",
    "notices": "decisions on items reported by a notice (empty without a notice column)",
    "complaints": "decisions appealed (complaints through the internal complaint system)",
    "complaints_decided": "complaints decided",
    "reversals": "complaints that reversed the decision",
    "reversal_rate": "reversals / complaints_decided",
    "reversal_ci_low": "lower bound of reversal_rate (Wilson)",
    "reversal_ci_high": "upper bound of reversal_rate (Wilson)",
    "median_seconds_to_action": "median turnaround_seconds of the actions (empty without "
                                "a turnaround column)",
    "audited": "actions that QA audited",
    "precision": "share of audited actions QA agrees with (same policy); design-based with "
                 "weight=",
    "precision_ci_low": "lower bound of precision (Wilson; design-based with weight=)",
    "precision_ci_high": "upper bound of precision",
    "recall": "share of the audited items QA found violating the policy that these means "
              "actioned under it (denominator: all means); design-based with weight=",
    "recall_ci_low": "lower bound of recall",
    "recall_ci_high": "upper bound of recall",
    "fingerprint": "sha256 digest of the data the figures came from",
}

_COUNTS = ("decisions", "actions", "notices", "complaints", "complaints_decided",
           "reversals", "audited")


@dataclass(frozen=True, eq=False, repr=False)
class Transparency(Result, kind="transparency"):
    """DSA-style transparency figures (see :func:`transparency`).

    Attributes
    ----------
    table : DataFrame
        One row per period, policy and means, with the columns of
        :data:`TRANSPARENCY_COLUMNS`; rows with ``policy="all"`` and/or ``means="all"``
        hold the totals.
    period : str
        The period grain.
    fingerprint : DataFingerprint
        The fingerprint of the input data (its text is the ``fingerprint`` column).
    weight, strata : str or None
        The audit sample's design columns (precision and recall are then design-based).
    confidence : float
    """

    table: pd.DataFrame
    period: str
    fingerprint: DataFingerprint
    weight: str | None
    strata: str | None
    confidence: float

    def summary(self) -> str:
        """The size of the table, the data's fingerprint and the notes."""
        lines = [f"Transparency ({len(self.table)} rows per {self.period}, data "
                 f"{str(self.fingerprint)[:19]}...)"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_csv(self, path: str | Path) -> Path:
        """Write :attr:`table` as RFC 4180 CSV (comma, CRLF, minimal quoting, UTF-8).

        Numbers are written in full precision (``repr``), missing figures as empty fields,
        periods as ISO dates; the columns are defined in :data:`TRANSPARENCY_COLUMNS`.
        ``pandas.read_csv(path)`` reads the same table back.
        """
        out = Path(path)
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(list(self.table.columns))
            for row in self.table.itertuples(index=False):
                writer.writerow([_cell(v) for v in row])
        return out


def _cell(value: Any) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float | np.floating):
        v = float(value)
        return "" if math.isnan(v) else repr(v)
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _period(values: pd.Series, grain: str) -> pd.Series:
    """The start of each value's reporting period (NaT for ``"all"``)."""
    days = pd.Series(pd.to_datetime(values), index=values.index)
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    out: Any
    if grain == "day":
        out = days.dt.normalize()
    elif grain == "week":
        d = days.dt.normalize()
        out = d - pd.to_timedelta(d.dt.day_of_week, unit="D")
    elif grain in ("month", "quarter", "year"):
        out = days.dt.to_period({"month": "M", "quarter": "Q", "year": "Y"}[grain]) \
            .dt.to_timestamp()
    elif grain == "half":
        out = pd.to_datetime(pd.DataFrame({"year": days.dt.year,
                                           "month": np.where(days.dt.month <= 6, 1, 7),
                                           "day": 1}))
    else:
        return pd.Series(pd.NaT, index=days.index, dtype="datetime64[ns]")
    return pd.Series(out, index=days.index)


def transparency(
    data: Any,
    period: str,
    schema: AuditSchema | None = None,
    weight: str | None = None,
    strata: str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    automated: str | None = None,
    notice: str | None = None,
    confidence: float = 0.95,
    time: str = "decided_at",
) -> Transparency:
    """DSA-style transparency figures per period, policy and automated vs human means.

    Parameters
    ----------
    data : dataframe (pandas, polars, pyarrow, DuckDB relation) or dict
        One row per decision: ``decision`` and the ``time`` column; optional
        ``qa_decision`` (precision, recall), ``appealed``/``appeal_overturned``
        (complaints, reversals), ``turnaround_seconds`` (time to action),
        ``moderator_id`` (``"system"`` marks an automated decision, unless ``automated=``).
    period : {"day", "week", "month", "quarter", "half", "year", "all"}
        Reporting period (the DSA asks for half-years and years); weeks start on Monday.
    schema : AuditSchema, optional
        The export's own columns and vocabulary.
    weight : str, optional
        Design weight of each audited record (1 / inclusion probability): precision and
        recall are then design-based (:func:`sixsigma.sampling.estimate`, Hájek ratio,
        Taylor-linearised variance, Korn-Graubard interval), each a domain of the sample.
    strata : str, optional
        The audit sample's strata (with ``weight=``).
    columns : mapping, optional
        ``{standard_name: your_name}`` added to the schema's.
    automated : str, optional
        A boolean (or 0/1) column: True for a decision taken by automated means.
    notice : str, optional
        A boolean (or 0/1) column: True for an item reported by a notice (Art. 16).
    confidence : float
        Level of the intervals.
    time : str
        The decision's timestamp column.

    Returns
    -------
    Transparency
        ``.table`` (columns :data:`TRANSPARENCY_COLUMNS`), ``.to_csv(path)``.

    Raises
    ------
    ColumnError, DomainError, MissingValueError
        Absent columns, unknown labels, a flag that is not a flag, a negative turnaround
        (column and first row named).
    ParameterError
        An unknown period, ``strata=`` without ``weight=``, a bad confidence.

    Examples
    --------
    >>> import sixsigma as ss
    >>> audits = ss.datasets.load("policy_update").audits
    >>> t = ss.moderation.transparency(audits, "month")
    >>> total = t.table[(t.table.policy == "all") & (t.table.means == "all")]
    >>> total[["period", "actions", "complaints", "reversals"]].head(2).to_dict("records")
    [{'period': Timestamp('2026-01-01 00:00:00'), 'actions': 2358, 'complaints': 187, \
'reversals': 42}, {'period': Timestamp('2026-02-01 00:00:00'), 'actions': 2412, \
'complaints': 172, 'reversals': 41}]
    """
    caller = "transparency"
    choice(period, "period", PERIODS, caller=caller)
    confidence = check_confidence(confidence, caller=caller)
    if strata is not None and weight is None:
        from sixsigma.errors import ParameterError
        raise ParameterError(f"{caller}: the 'strata' parameter needs weight= (the design "
                             "weights of the audit sample).")
    schema = effective_schema(schema, columns, None)
    table = as_table(data, caller=caller)
    fp = fingerprint(data)

    def present(name: str) -> bool:
        return schema.export_name(name) in table.columns

    notes: list[str] = []
    needed = [time, "decision"]
    optional = ["qa_decision", "appealed", "appeal_overturned", "turnaround_seconds"]
    needed += [c for c in optional if present(c)]
    keep: list[str] = []
    for extra in (automated, notice, weight, strata):
        if extra is not None:
            table.require(extra)
            keep.append(extra)
    if automated is None and present("moderator_id"):
        needed.append("moderator_id")
    frame = _standardize(table, schema, needed=list(dict.fromkeys(needed)),
                         keep=list(dict.fromkeys(keep)), times=(time,), caller=caller)
    names = set(frame.collect_schema().names())
    for flag in (automated, notice):
        if flag is not None:
            _check_flag(table, frame, flag, caller)
    if "turnaround_seconds" in names:
        bad = nw.col("turnaround_seconds") < 0
        nbad = int(collect(frame.select(bad.cast(nw.Int64).sum().alias("b")))["b"][0] or 0)
        if nbad:
            at = "" if table.lazy else f" at row {first_row(_mask(frame, bad))}"
            raise DomainError(f"{caller}: column "
                              f"{schema.export_name('turnaround_seconds')!r} is negative"
                              f"{at} ({nbad} rows in all); a time to action is >= 0.")
    if automated is not None:
        means = nw.when(nw.col(automated).cast(nw.Boolean)).then(nw.lit("automated")) \
            .otherwise(nw.lit("human"))
    elif "moderator_id" in names:
        means = nw.when(nw.col("moderator_id") == "system").then(nw.lit("automated")) \
            .otherwise(nw.lit("human"))
        notes.append("automated means: decisions whose moderator_id is 'system' (pass "
                     "automated= to name a column).")
    else:
        means = nw.lit("all")
        notes.append("no moderator_id or automated column: automated and human decisions "
                     "are not told apart.")
    dec = nw.col("decision")
    acted = dec != NO_VIOLATION
    ind: dict[str, Any] = {"actions": acted}
    if notice is not None:
        ind["notices"] = nw.col(notice).cast(nw.Boolean).fill_null(False)
    else:
        notes.append("no notice column: notices are not counted (pass notice=).")
    if "appealed" in names:
        ap = nw.col("appealed").fill_null(False)
        ind["complaints"] = ap
        if "appeal_overturned" in names:
            ind["complaints_decided"] = ap & ~nw.col("appeal_overturned").is_null()
            ind["reversals"] = ap & nw.col("appeal_overturned").fill_null(False)
    if "qa_decision" in names:
        qa = nw.col("qa_decision")
        ind["audited"] = acted & ~qa.is_null()
        ind["tp"] = acted & ~qa.is_null() & (qa == dec)
    work = frame.with_columns(
        means.alias("__means"), dec.alias("__policy"),
        nw.col(time).dt.truncate("1d").alias("__day"),
        *[e.cast(nw.Int64).alias(f"__{k}") for k, e in ind.items()],
        nw.when(acted).then(nw.col("turnaround_seconds")).alias("__tta")
        if "turnaround_seconds" in names else nw.lit(None).alias("__tta"))
    if "turnaround_seconds" not in names:
        notes.append("no turnaround_seconds column: the median time to action is not given.")
    # one query per day, policy and means; medians need the period, so a second query
    daily = collect(work.group_by("__day", "__policy", "__means").agg(
        nw.len().alias("decisions"), *[nw.col(f"__{k}").sum().alias(k) for k in ind]
    )).to_pandas()
    daily["period"] = _period(daily["__day"], period)
    levels = [("__policy", "__means"), ("__means",), ("__policy",), ()]
    fine_keys = ["period", "__policy", "__means"]
    sums: list[pd.DataFrame] = []
    for level in levels:
        g = daily.groupby(["period", *level], dropna=False, sort=True)[
            ["decisions", *ind]].sum().reset_index()
        for k in ("__policy", "__means"):
            if k not in level:
                g[k] = "all"
        sums.append(g[[*fine_keys, "decisions", *ind]])
    out = pd.concat(sums, ignore_index=True)
    out = out.rename(columns={"__policy": "policy", "__means": "means"})
    # medians of time to action at each level, where the data live
    out["median_seconds_to_action"] = np.nan
    if "turnaround_seconds" in names:
        med = _medians(work, period, levels)
        out = out.drop(columns="median_seconds_to_action").merge(
            med, on=["period", "policy", "means"], how="left")
    for k in _COUNTS:
        if k not in out.columns:
            out[k] = pd.array([pd.NA] * len(out), dtype="Int64")
        else:
            out[k] = out[k].astype(np.int64)
    if "complaints_decided" in ind:
        r, lo, hi = _rates(out["reversals"], out["complaints_decided"], confidence)
    else:
        r = lo = hi = np.full(len(out), np.nan)
        notes.append("no appeal columns: complaints and reversals are not counted.")
    out["reversal_rate"], out["reversal_ci_low"], out["reversal_ci_high"] = r, lo, hi
    for k in ("precision", "recall"):
        for s in ("", "_ci_low", "_ci_high"):
            out[k + s] = np.nan
    if "qa_decision" in names:
        if weight is None:
            _srs_accuracy(out, work, period, levels, confidence)
        else:
            _design_accuracy(out, work, period, levels, weight, strata, confidence)
    else:
        notes.append("no qa_decision column: precision and recall are not given.")
    out["fingerprint"] = str(fp)
    out = out[list(TRANSPARENCY_COLUMNS)]
    out = out.sort_values(["period", "policy", "means"], kind="stable").reset_index(drop=True)
    return Transparency(table=out, period=period, fingerprint=fp, weight=weight,
                        strata=strata, confidence=confidence, notes=tuple(notes))


def _mask(frame: Any, expr: Any) -> np.ndarray:
    got = collect(frame.select(expr.alias("__b")))["__b"]
    return np.asarray(got.fill_null(False).to_numpy(), dtype=bool)


def _check_flag(table: Any, frame: Any, name: str, caller: str) -> None:
    dtype = frame.collect_schema()[name]
    if dtype == nw.Boolean:
        return
    col = nw.col(name)
    if not dtype.is_numeric():
        raise DomainError(f"{caller}: column {name!r} holds {dtype} values; a flag column is "
                          "boolean or 0/1.")
    bad = ~col.is_null() & (col != 0) & (col != 1)
    n = int(collect(frame.select(bad.cast(nw.Int64).sum().alias("b")))["b"][0] or 0)
    if n:
        at = "" if table.lazy else f" at row {first_row(_mask(frame, bad))}"
        raise DomainError(f"{caller}: column {name!r} is not 0/1{at} ({n} rows in all); a "
                          "flag column is boolean or 0/1.")


def _rates(k: Any, n: Any, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kk = np.asarray(k, dtype=float)
    nn = np.asarray(n, dtype=float)
    low, high = wilson(kk, nn, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(nn > 0, kk / np.where(nn > 0, nn, 1), np.nan)
    return est, low, high


def _with_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    frame["period"] = _period(frame["__day"], period)
    return frame


def _medians(work: Any, period: str, levels: list[tuple[str, ...]]) -> pd.DataFrame:
    """Median time to action per period and level; periods bucketed where the data live."""
    acts = work.filter(~nw.col("__tta").is_null())
    days = collect(acts.select("__day").unique()).to_pandas()
    days["period"] = _period(days["__day"], period)
    days["__pkey"] = days["period"].astype("int64") if period != "all" else 0
    if isinstance(acts, nw.LazyFrame):
        key_lazy: Any = nw.from_native(days[["__day", "__pkey"]]).lazy(
            backend=acts.implementation)
        acts = acts.join(key_lazy, on="__day", how="left")
    else:
        if acts.implementation.is_pyarrow():
            # pyarrow's grouped median is an approximation (t-digest): use the exact one
            acts = nw.from_native(acts.to_pandas(), eager_only=True)
        same = nw.from_dict({"__day": days["__day"], "__pkey": days["__pkey"]},
                            backend=acts.implementation)
        acts = acts.join(same, on="__day", how="left")
    parts: list[pd.DataFrame] = []
    pmap = dict(zip(days["__pkey"], days["period"], strict=False))
    for level in levels:
        g = collect(acts.group_by("__pkey", *level).agg(
            nw.col("__tta").median().alias("median_seconds_to_action"))).to_pandas()
        for k in ("__policy", "__means"):
            if k not in level:
                g[k] = "all"
        g["period"] = g["__pkey"].map(pmap)
        parts.append(g.drop(columns="__pkey"))
    out = pd.concat(parts, ignore_index=True).rename(
        columns={"__policy": "policy", "__means": "means"})
    out["median_seconds_to_action"] = out["median_seconds_to_action"].astype(float)
    return out[["period", "policy", "means", "median_seconds_to_action"]]


def _srs_accuracy(out: pd.DataFrame, work: Any, period: str,
                  levels: list[tuple[str, ...]], confidence: float) -> None:
    """Precision and recall with Wilson intervals (every audited record counts the same)."""
    qa = nw.col("qa_decision")
    found = work.filter(~qa.is_null() & (qa != NO_VIOLATION)).with_columns(
        qa.alias("__qpolicy"),
        (nw.col("__tp") == 1).cast(nw.Int64).alias("__hit"))
    daily = collect(found.group_by("__day", "__qpolicy", "__means").agg(
        nw.col("__hit").sum().alias("hit"), nw.len().alias("found"))).to_pandas()
    daily["period"] = _period(daily["__day"], period)
    # recall denominators: every means together; numerators per means
    den: dict[tuple[Any, Any], float] = {}
    num: dict[tuple[Any, Any, Any], float] = {}
    for (p, pol), n in daily.groupby(["period", "__qpolicy"], dropna=False)["found"].sum()\
            .items():
        den[(p, pol)] = float(n)
    for p, n in daily.groupby(["period"], dropna=False)["found"].sum().items():
        den[(p[0] if isinstance(p, tuple) else p, "all")] = float(n)
    for level in levels:
        qlevel = ["__qpolicy" if k == "__policy" else k for k in level]
        g = daily.groupby(["period", *qlevel], dropna=False)["hit"].sum()
        for key, v in g.items():
            key = key if isinstance(key, tuple) else (key,)
            d = dict(zip(["period", *qlevel], key, strict=True))
            num[(d["period"], d.get("__qpolicy", "all"), d.get("__means", "all"))] = float(v)
    prec_est, prec_lo, prec_hi = _rates(out["tp"] if "tp" in out else 0, out["audited"],
                                        confidence)
    out["precision"], out["precision_ci_low"], out["precision_ci_high"] = \
        prec_est, prec_lo, prec_hi
    k = np.array([num.get((p, pol, m), 0.0) for p, pol, m in
                  zip(out["period"], out["policy"], out["means"], strict=True)])
    n = np.array([den.get((p, pol), 0.0) if pol != NO_VIOLATION else 0.0
                  for p, pol in zip(out["period"], out["policy"], strict=True)])
    out["recall"], out["recall_ci_low"], out["recall_ci_high"] = _rates(k, n, confidence)


def _design_accuracy(out: pd.DataFrame, work: Any, period: str,
                     levels: list[tuple[str, ...]], weight: str, strata: str | None,
                     confidence: float) -> None:
    """Precision and recall as domains of the weighted audit sample (sampling.estimate)."""
    from sixsigma.sampling import estimate

    cols = ["__day", "__policy", "__means", "__tp", "qa_decision", "decision", weight]
    if strata is not None:
        cols.append(strata)
    sample = collect(work.filter(~nw.col("qa_decision").is_null())
                     .select(*dict.fromkeys(cols))).to_pandas()
    sample["period"] = _period(sample["__day"], period)
    sample["period"] = sample["period"].astype("int64") if period != "all" else 0
    pmap = dict(zip(sample["period"], _period(sample["__day"], period), strict=False))
    acted = sample["decision"] != NO_VIOLATION
    found = sample["qa_decision"] != NO_VIOLATION
    results: dict[tuple[str, Any, Any, Any], tuple[float, float, float]] = {}
    for level in levels:
        for what, member, pol_col in (("precision", acted, "__policy"),
                                      ("recall", found, "qa_decision")):
            s = sample.copy()
            s["pol_"] = s[pol_col] if "__policy" in level else "all"
            s["means_"] = s["__means"] if "__means" in level else "all"
            s["dom_"] = np.where(member, "in", "out")
            if what == "recall" and "__means" in level:
                # numerator: caught by these means; denominator: every means
                frames = []
                for m in sorted(s["__means"].unique()):
                    t = s.copy()
                    t["y_"] = ((t["__tp"] == 1) & (t["__means"] == m)).astype(int)
                    t["means_"] = m
                    frames.append(t)
            else:
                t = s.copy()
                t["y_"] = (t["__tp"] == 1).astype(int)
                frames = [t]
            for t in frames:
                est = estimate(t, "y_", weight=weight, strata=strata,
                               by=["period", "pol_", "means_", "dom_"],
                               confidence=confidence, lonely_psu="certainty")
                tab = est.table[est.table["dom_"] == "in"]
                for row in tab.to_dict("records"):
                    when = pmap.get(row["period"], pd.NaT) if period != "all" else pd.NaT
                    results[(what, when, row["pol_"], row["means_"])] = (
                        row["estimate"], row["ci_low"], row["ci_high"])
    for what in ("precision", "recall"):
        vals = [results.get((what, p, pol, m), (np.nan, np.nan, np.nan))
                for p, pol, m in zip(out["period"], out["policy"], out["means"], strict=True)]
        arr = np.array(vals, dtype=float).reshape(-1, 3)
        out[what], out[f"{what}_ci_low"], out[f"{what}_ci_high"] = arr[:, 0], arr[:, 1], \
            arr[:, 2]
    out.loc[out["policy"] == NO_VIOLATION, ["recall", "recall_ci_low", "recall_ci_high"]] = \
        np.nan
