"""Appeals: the funnel, the agreement with QA and a bias-corrected over-enforcement rate.

:func:`appeals` counts, where the data live, one group-by of indicator sums (as
:func:`~sixsigma.moderation.metrics` does): the funnel decided -> actioned -> appealed ->
decided on appeal -> overturned for actions, and the same for decisions *not* to act
(notifier complaints, counted separately as the DSA does); the times from decision to the
appeal's decision and to an overturn; the agreement of appeal outcomes with QA's verdict;
and over-enforcement three ways:

* **QA-based**: QA's over-enforcement rate among audited actioned decisions (Wilson).
* **Appeal-based (naive)**: the overturn rate of decided appeals against actions (Wilson).
  Appealed decisions are not a random sample: people appeal wrong removals far more often
  than right ones, so this rate overstates over-enforcement.
* **Bias-corrected**: post-stratified by appeal status. Appealed actions contribute their
  wrong rate from the appeal outcomes (p_A), non-appealed actions QA's wrong rate among
  audited non-appealed actions (p_N), weighted by each stratum's share of actioned
  decisions (w = appealed / actioned):

      theta = w p_A + (1 - w) p_N,
      Var(theta) = w^2 p_A(1-p_A)/m_A + (1-w)^2 p_N(1-p_N)/m_N + (p_A - p_N)^2 w(1-w)/N

  (the Taylor-linearised variance of a post-stratified mean with estimated stratum
  weights; Cochran 1977, 5A.9; m_A decided appeals, m_N audited non-appealed actions, N
  actioned decisions), interval theta ± z·se clipped to [0, 1]. When appealing is
  unrelated to being wrong, p_A = p_N = the QA rate and theta equals it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from sixsigma._aggregate import collect
from sixsigma._frames import Table, as_table, first_row, show
from sixsigma._params import check_confidence, check_number
from sixsigma._result import Result
from sixsigma._stats import wilson, z_two_sided
from sixsigma.errors import DomainError, MissingValueError
from sixsigma.moderation.adapter import _standardize
from sixsigma.moderation.schema import NO_VIOLATION, AuditSchema
from sixsigma.moderation.validate import effective_schema

__all__ = ["ASSUMPTIONS", "Appeals", "appeals"]

#: What the bias-corrected over-enforcement estimate assumes (named on every result).
ASSUMPTIONS: tuple[str, ...] = (
    "QA is independent of appeal status: the audited non-appealed actions are a random "
    "sample of all non-appealed actions, and QA's verdict is correct",
    "appeal review is accurate: an overturned action was wrong, an upheld one right",
    "pending appeals (appealed, not yet decided) resemble decided ones",
)

_KINDS = ("action", "no_action")
_STAGES = {"action": ("decided", "actioned", "appealed", "appeal_decided", "overturned"),
           "no_action": ("decided", "not_actioned", "appealed", "appeal_decided",
                         "overturned")}


@dataclass(frozen=True, eq=False, repr=False)
class Appeals(Result, kind="appeals"):
    """Appeals of moderation decisions (see :func:`appeals`).

    Attributes
    ----------
    funnel : DataFrame
        by keys..., ``kind`` ("action": appeals against actions; "no_action": complaints
        against decisions not to act), ``stage``, ``count``, ``of`` (the previous stage's
        count), ``rate`` (count / of), ``ci_low``, ``ci_high`` (Wilson).
    over_enforcement : DataFrame
        by keys..., ``method`` ("qa", "appeal", "corrected"), ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``n`` (the records behind the estimate).
    times : DataFrame
        by keys..., ``kind``, ``measure`` ("appeal_decision": decision to the appeal's
        decision; "overturn": the same, overturned appeals only), ``n``,
        ``median_seconds``, ``p90_seconds``. Empty without an ``appeal_decided_at`` column.
    agreement : DataFrame
        by keys..., ``kind``, ``n`` (decided appeals that QA audited), ``both_wrong``,
        ``appeal_only`` (overturned, QA says right), ``qa_only``, ``neither``,
        ``agreement`` with ``ci_low``/``ci_high``. "Wrong" for an action: QA says no
        violation; for a decision not to act: QA says violating.
    propensity : DataFrame
        by keys..., ``qa_verdict`` ("wrong", "right"), ``audited``, ``appealed``, ``rate``
        (P(appeal | verdict) among audited actions), ``ci_low``, ``ci_high``.
    by : tuple of str
    confidence : float
    min_audits : int
        Strata with fewer audits than this gain a note.
    assumptions : tuple of str
        What the bias-corrected estimate assumes (:data:`ASSUMPTIONS`).
    """

    funnel: pd.DataFrame
    over_enforcement: pd.DataFrame
    times: pd.DataFrame
    agreement: pd.DataFrame
    propensity: pd.DataFrame
    by: tuple[str, ...]
    confidence: float
    min_audits: int
    assumptions: tuple[str, ...] = ASSUMPTIONS

    def to_frame(self) -> pd.DataFrame:
        """The funnel (one row per group, kind and stage)."""
        return self.funnel.copy()

    def summary(self) -> str:
        """The over-enforcement estimates (without ``by``) and the notes."""
        lines = [f"Appeals ({len(self.funnel)} funnel rows, by {list(self.by) or 'all'})"]
        if not self.by:
            for rec in self.over_enforcement.to_dict("records"):
                value = float(rec["estimate"])
                est = "undefined" if np.isnan(value) else f"{value:.4f}"
                lines.append(f"  over_enforcement[{rec['method']}]: {est}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _indicators(names: set[str]) -> dict[str, Any]:
    dec = nw.col("decision")
    acted = dec != NO_VIOLATION
    appealed = nw.col("appealed").fill_null(False)
    outcome = nw.col("appeal_overturned")
    decided = appealed & ~outcome.is_null()
    over = decided & outcome.fill_null(False)
    ind: dict[str, Any] = {"actioned": acted}
    audited = ~nw.col("qa_decision").is_null() if "qa_decision" in names else None
    for kind, base in (("action", acted), ("no_action", ~acted)):
        ind[f"appealed:{kind}"] = base & appealed
        ind[f"decided:{kind}"] = base & decided
        ind[f"overturned:{kind}"] = base & over
        if audited is None:
            continue
        qa = nw.col("qa_decision")
        wrong = audited & ((qa == NO_VIOLATION) if kind == "action" else (qa != NO_VIOLATION))
        both = base & decided & audited
        ind[f"agree_n:{kind}"] = both
        ind[f"both_wrong:{kind}"] = both & over & wrong
        ind[f"appeal_only:{kind}"] = both & over & ~wrong
        ind[f"qa_only:{kind}"] = both & ~over & wrong
        if kind == "action":
            ind["audited"] = base & audited
            ind["wrong"] = base & wrong
            ind["audited_na"] = base & audited & ~appealed
            ind["wrong_na"] = base & wrong & ~appealed
            ind["wrong_ap"] = base & wrong & appealed
            ind["right_ap"] = base & audited & ~wrong & appealed
    return ind


def _check_overturn(table: Table, frame: Any, schema: AuditSchema, caller: str) -> None:
    """An overturn needs an appeal: appeal_overturned True where appealed is not True."""
    bad = nw.col("appeal_overturned").fill_null(False) & ~nw.col("appealed").fill_null(False)
    n = int(collect(frame.select(bad.cast(nw.Int64).sum().alias("b")))["b"][0] or 0)
    if not n:
        return
    column = schema.export_name("appeal_overturned")
    if table.lazy:
        at = ""
    else:
        mask = np.asarray(collect(frame.select(bad.alias("b")))["b"].to_numpy(), dtype=bool)
        at = f" at row {first_row(mask)}"
    raise DomainError(f"{caller}: column {column!r} says overturned{at} where column "
                      f"{schema.export_name('appealed')!r} says not appealed ({n} row"
                      f"{'s' if n != 1 else ''} in all); an overturn needs an appeal.")


def _times(table: Table, frame: Any, schema: AuditSchema, keys: list[str], time: str,
           caller: str) -> pd.DataFrame:
    """Time from decision to the appeal's decision (and to an overturn), per group and kind."""
    decided = (nw.col("appealed").fill_null(False) & ~nw.col("appeal_overturned").is_null())
    cols = [*keys, "decision", "appeal_overturned", time, "appeal_decided_at"]
    if table.lazy:
        sub = collect(frame.filter(decided).select(*cols)).to_pandas()
        rows = np.full(len(sub), -1)
    else:
        mask = np.asarray(collect(frame.select(decided.alias("d")))["d"].to_numpy(),
                          dtype=bool)
        sub = collect(frame.select(*cols)).to_pandas()[mask].reset_index(drop=True)
        rows = np.flatnonzero(mask)
    column = schema.export_name("appeal_decided_at")
    raw = sub["appeal_decided_at"]
    present = raw.notna().to_numpy()
    if not present.all():
        i = first_row(~present)
        at = f" at row {rows[i]}" if rows[i] >= 0 else ""
        raise MissingValueError(f"{caller}: column {column!r} is missing{at}, a decided "
                                f"appeal ({int((~present).sum())} rows in all); every "
                                "decided appeal needs the time of its decision.")
    try:
        end = pd.to_datetime(raw)
    except (ValueError, TypeError) as err:
        raise DomainError(f"{caller}: column {column!r} holds values that are not "
                          f"timestamps: {err}") from err
    start = pd.to_datetime(sub[time])
    seconds = (end - start).dt.total_seconds().to_numpy(dtype=float)
    negative = seconds < 0
    if negative.any():
        i = first_row(negative)
        at = f" at row {rows[i]}" if rows[i] >= 0 else ""
        raise DomainError(f"{caller}: column {column!r} is before the decision"
                          f"{at} ({show(str(end.iloc[i]))} < {show(str(start.iloc[i]))}); "
                          "an appeal is decided after the decision it reviews.")
    sub = sub.assign(__s=seconds, kind=np.where(sub["decision"] == NO_VIOLATION,
                                                "no_action", "action"))
    out: list[pd.DataFrame] = []
    for measure, part in (("appeal_decision", sub),
                          ("overturn", sub[sub["appeal_overturned"].astype(bool)])):
        if part.empty:
            continue
        g = part.groupby([*keys, "kind"], dropna=False, sort=True)["__s"]
        agg = g.agg(n="size", median_seconds="median",
                    p90_seconds=lambda s: float(np.quantile(s, 0.9))).reset_index()
        agg.insert(len(keys) + 1, "measure", measure)
        out.append(agg)
    if not out:
        return _empty_times(keys)
    res = pd.concat(out, ignore_index=True)
    res["n"] = res["n"].astype(np.int64)
    return res.sort_values([*keys, "kind", "measure"], kind="stable").reset_index(drop=True)


def _empty_times(keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series([], dtype=object) for k in keys},
                         "kind": pd.Series([], dtype=object),
                         "measure": pd.Series([], dtype=object),
                         "n": pd.Series([], dtype=np.int64),
                         "median_seconds": pd.Series([], dtype=float),
                         "p90_seconds": pd.Series([], dtype=float)})


def _rate(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, ...]:
    low, high = wilson(k, n, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    return est, low, high


def _label(keys: list[str], row: pd.Series) -> str:
    return ", ".join(f"{k}={row[k]}" for k in keys) if keys else "all"


def appeals(
    data: Any,
    by: str | Sequence[str] | None = None,
    schema: AuditSchema | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    min_audits: int = 30,
    time: str = "decided_at",
) -> Appeals:
    """Appeals of moderation decisions: funnel, times, agreement and over-enforcement.

    The funnel, the times to an appeal's decision, the agreement of appeal outcomes with
    QA, and over-enforcement QA-based, appeal-based and bias-corrected.

    Parameters
    ----------
    data : dataframe (pandas, polars, pyarrow, DuckDB relation) or dict
        One row per decision: ``decision``, ``appealed``, ``appeal_overturned`` (missing
        when not appealed or not yet decided); ``qa_decision`` (missing = not audited)
        enables the QA figures; ``appeal_decided_at`` (a timestamp, missing unless the
        appeal was decided) with the ``time`` column enables the times.
    by : str or list of str, optional
        Grouping columns (policy, queue, market ...), canonical or export names.
    schema : AuditSchema, optional
        The export's own columns and vocabulary, read as
        :func:`~sixsigma.moderation.standardize` reads them.
    columns : mapping, optional
        ``{standard_name: your_name}`` added to the schema's.
    confidence : float
        Level of every interval.
    min_audits : int
        A stratum of the corrected estimate (decided appeals; audited non-appealed actions)
        with fewer records than this gains a note.
    time : str
        The decision's timestamp column (standard name ``decided_at``).

    Returns
    -------
    Appeals
        ``.funnel``, ``.over_enforcement``, ``.times``, ``.agreement``, ``.propensity`` and
        ``.assumptions`` (see :class:`Appeals` and the module docstring for the formulas).

    Raises
    ------
    ColumnError
        A needed column is absent.
    DomainError
        An overturn without an appeal, an appeal decided before its decision, labels or
        flags the schema does not know (column and first row named).
    MissingValueError
        A decided appeal without ``appeal_decided_at`` (when that column is given).

    Examples
    --------
    >>> import sixsigma as ss
    >>> r = ss.moderation.appeals(ss.datasets.load("policy_update").audits)
    >>> r.over_enforcement[["method", "n"]].to_dict("list")
    {'method': ['qa', 'appeal', 'corrected'], 'n': [7836, 578, 7869]}
    >>> r.over_enforcement["estimate"].round(3).tolist()   # QA, naive appeal, corrected
    [0.056, 0.218, 0.052]
    """
    caller = "appeals"
    confidence = check_confidence(confidence, caller=caller)
    min_audits = int(check_number(min_audits, "min_audits", caller=caller, low=0,
                                  integer=True))
    schema = effective_schema(schema, columns, None)
    keys = [by] if isinstance(by, str) else list(by or [])
    keys = [schema.canonical_name(k) if k in schema.columns.values() else k for k in keys]
    table = as_table(data, caller=caller)

    def present(name: str) -> bool:
        return schema.export_name(name) in table.columns

    needed = ["decision", "appealed", "appeal_overturned"]
    has_qa = present("qa_decision")
    has_times = present("appeal_decided_at")
    if has_qa:
        needed.append("qa_decision")
    if has_times:
        needed += [time, "appeal_decided_at"]
    frame = _standardize(table, schema, needed=needed, keep=keys,
                         times=(time,) if has_times else (), caller=caller)
    _check_overturn(table, frame, schema, caller)
    names = set(frame.collect_schema().names())
    ind = _indicators(names)
    flagged = frame.with_columns(*[e.cast(nw.Int64).alias(k) for k, e in ind.items()])
    aggs = [nw.len().alias("decided"), *[nw.col(k).sum() for k in ind]]
    grouped = flagged.group_by(*keys).agg(*aggs) if keys else flagged.select(*aggs)
    counts = collect(grouped).to_pandas()
    if keys:
        counts = counts.sort_values(keys, kind="stable").reset_index(drop=True)
    counts = counts.fillna({k: 0 for k in ind})
    notes: list[str] = []

    def col(name: str) -> np.ndarray:
        return np.asarray(counts[name].to_numpy(dtype=float), dtype=float)

    # -- the funnel ------------------------------------------------------------------
    parts: list[pd.DataFrame] = []
    for kind in _KINDS:
        base = col("actioned") if kind == "action" else col("decided") - col("actioned")
        chain = [col("decided"), base, col(f"appealed:{kind}"), col(f"decided:{kind}"),
                 col(f"overturned:{kind}")]
        for s, stage in enumerate(_STAGES[kind]):
            k = chain[s]
            of = chain[s - 1] if s else np.full(len(counts), np.nan)
            est, low, high = _rate(k, of, confidence) if s else (of, of, of)
            frame_s = counts[keys].copy()
            frame_s["kind"] = kind
            frame_s["stage"] = stage
            frame_s["count"] = k.astype(np.int64)
            frame_s["of"] = of
            frame_s["rate"], frame_s["ci_low"], frame_s["ci_high"] = est, low, high
            parts.append(frame_s)
    funnel = pd.concat(parts, ignore_index=True)
    order = {k: i for i, k in enumerate(_KINDS)}
    funnel = funnel.assign(__k=funnel["kind"].map(order)).sort_values(
        [*keys, "__k"], kind="stable").drop(columns="__k").reset_index(drop=True)

    # -- over-enforcement three ways --------------------------------------------------
    z = z_two_sided(confidence)
    actioned = col("actioned")
    m_a, k_a = col("decided:action"), col("overturned:action")
    p_a, lo_a, hi_a = _rate(k_a, m_a, confidence)
    rows: list[pd.DataFrame] = []

    def method_rows(method: str, est: np.ndarray, se: np.ndarray, low: np.ndarray,
                    high: np.ndarray, n: np.ndarray) -> None:
        f = counts[keys].copy()
        f["method"] = method
        f["estimate"], f["se"], f["ci_low"], f["ci_high"] = est, se, low, high
        f["n"] = n.astype(np.int64)
        rows.append(f)

    with np.errstate(invalid="ignore", divide="ignore"):
        if has_qa:
            n_q, k_q = col("audited"), col("wrong")
            p_q, lo_q, hi_q = _rate(k_q, n_q, confidence)
            method_rows("qa", p_q, np.sqrt(p_q * (1 - p_q) / n_q), lo_q, hi_q, n_q)
        method_rows("appeal", p_a, np.sqrt(p_a * (1 - p_a) / m_a), lo_a, hi_a, m_a)
        if has_qa:
            m_n, k_n = col("audited_na"), col("wrong_na")
            p_n = np.where(m_n > 0, k_n / np.where(m_n > 0, m_n, 1), np.nan)
            w = np.where(actioned > 0, col("appealed:action") / np.where(actioned > 0,
                                                                         actioned, 1), np.nan)
            term_a = np.where(w > 0, w * p_a, 0.0)
            var_a = np.where(w > 0, w**2 * p_a * (1 - p_a) / m_a, 0.0)
            term_n = np.where(w < 1, (1 - w) * p_n, 0.0)
            var_n = np.where(w < 1, (1 - w) ** 2 * p_n * (1 - p_n) / m_n, 0.0)
            var_w = np.where((w > 0) & (w < 1),
                             (p_a - p_n) ** 2 * w * (1 - w) / actioned, 0.0)
            theta = term_a + term_n
            se = np.sqrt(var_a + var_n + var_w)
            method_rows("corrected", theta, se, np.clip(theta - z * se, 0, 1),
                        np.clip(theta + z * se, 0, 1), actioned)
            for i in range(len(counts)):
                where = _label(keys, counts.iloc[i])
                if np.isnan(theta[i]):
                    notes.append(f"{where}: the corrected over-enforcement is undefined ("
                                 + ("no decided appeals against actions"
                                    if w[i] > 0 and m_a[i] == 0 else
                                    "no audited non-appealed actions" if m_n[i] == 0 else
                                    "no actions") + ").")
                    continue
                if w[i] > 0 and m_a[i] < min_audits:
                    notes.append(f"{where}: only {int(m_a[i])} decided appeals against "
                                 f"actions (< {min_audits}): the appealed stratum's wrong "
                                 "rate is imprecise.")
                if w[i] < 1 and m_n[i] < min_audits:
                    notes.append(f"{where}: only {int(m_n[i])} audited non-appealed actions "
                                 f"(< {min_audits}): the non-appealed stratum's wrong rate "
                                 "is imprecise.")
        else:
            notes.append("no qa_decision column: only the appeal-based over-enforcement "
                         "rate is given (the QA-based and corrected ones need QA verdicts).")
    over = pd.concat(rows, ignore_index=True)
    morder = {"qa": 0, "appeal": 1, "corrected": 2}
    over = over.assign(__m=over["method"].map(morder)).sort_values(
        [*keys, "__m"], kind="stable").drop(columns="__m").reset_index(drop=True)
    for rec in over.to_dict("records"):
        if rec["method"] == "appeal" and rec["n"] == 0:
            notes.append(f"{_label(keys, pd.Series(rec))}: the appeal-based rate is "
                         "undefined (no decided appeals against actions).")

    # -- agreement with QA, propensities -----------------------------------------------
    agree_parts: list[pd.DataFrame] = []
    prop_parts: list[pd.DataFrame] = []
    if has_qa:
        for kind in _KINDS:
            n = col(f"agree_n:{kind}")
            bw, ao, qo = col(f"both_wrong:{kind}"), col(f"appeal_only:{kind}"), \
                col(f"qa_only:{kind}")
            nei = n - bw - ao - qo
            est, low, high = _rate(bw + nei, n, confidence)
            f = counts[keys].copy()
            f["kind"] = kind
            f["n"] = n.astype(np.int64)
            f["both_wrong"], f["appeal_only"] = bw.astype(np.int64), ao.astype(np.int64)
            f["qa_only"], f["neither"] = qo.astype(np.int64), nei.astype(np.int64)
            f["agreement"], f["ci_low"], f["ci_high"] = est, low, high
            agree_parts.append(f)
        wrong_n, right_n = col("wrong"), col("audited") - col("wrong")
        for verdict, den, num in (("wrong", wrong_n, col("wrong_ap")),
                                  ("right", right_n, col("right_ap"))):
            est, low, high = _rate(num, den, confidence)
            f = counts[keys].copy()
            f["qa_verdict"] = verdict
            f["audited"], f["appealed"] = den.astype(np.int64), num.astype(np.int64)
            f["rate"], f["ci_low"], f["ci_high"] = est, low, high
            prop_parts.append(f)
    agreement = (pd.concat(agree_parts, ignore_index=True) if agree_parts else
                 pd.DataFrame(columns=[*keys, "kind", "n", "both_wrong", "appeal_only",
                                       "qa_only", "neither", "agreement", "ci_low",
                                       "ci_high"]))
    propensity = (pd.concat(prop_parts, ignore_index=True) if prop_parts else
                  pd.DataFrame(columns=[*keys, "qa_verdict", "audited", "appealed", "rate",
                                        "ci_low", "ci_high"]))
    if keys and not agreement.empty:
        agreement = agreement.sort_values(keys, kind="stable").reset_index(drop=True)
        propensity = propensity.sort_values(keys, kind="stable").reset_index(drop=True)

    # -- times ------------------------------------------------------------------------------
    if has_times:
        times = _times(table, frame, schema, keys, time, caller)
    else:
        times = _empty_times(keys)
        notes.append("no appeal_decided_at column: the times to an appeal's decision and to "
                     "an overturn are not computed.")
    return Appeals(funnel=funnel, over_enforcement=over, times=times, agreement=agreement,
                   propensity=propensity, by=tuple(keys), confidence=confidence,
                   min_audits=min_audits, assumptions=ASSUMPTIONS, notes=tuple(notes))
