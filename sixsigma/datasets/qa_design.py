"""A stratified, risk-weighted QA audit with imperfect auditors: :func:`generate_qa_design`.

The generator behind the QA-measurement examples (docs/qa-measurement.md). Everything is
generated on demand from a seed (nothing is shipped), vectorised, in well under a second at
the default size. What it makes, and the truth it records, is documented in
``datasets/README.md`` ("QA design"):

* a population of moderation decisions per day, queue and classifier-score bucket, each
  with its views, whether the item violates, and whether the moderator's decision was wrong;
* a **stratified, risk-weighted audit sample** of it (strata: queue x score bucket, drawn
  anew each day) with each unit's inclusion probability and design weight; the design
  changes on ``design_change_day``: the budget moves to the uncertain middle scores, where
  moderators err most, so the **raw audit error rate jumps while the true rate is flat**;
* **auditors with known sensitivity and specificity** judging each audited decision; one of
  them (``au-06``) passes too few correct decisions and audits most of the ``adult`` queue,
  so **that queue's "errors" are mostly hers**;
* a **gold set seeded into the audit stream** (items with a known answer, per auditor and
  day) to measure the auditors;
* a **multi-label calibration set** (every auditor labels the same items) for Dawid-Skene.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._params import check_number

__all__ = ["AUDITORS", "BUCKETS", "QUEUES", "QADesign", "generate_qa_design"]

QUEUES = ("hate_speech", "spam", "adult")
QUEUE_SHARE = np.array([0.30, 0.45, 0.25])
QUEUE_ERROR = np.array([1.3, 0.9, 0.5])          # multiplies the bucket's error rate
BUCKETS = ("0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0")   # classifier score
BUCKET_SHARE = np.array([0.55, 0.15, 0.10, 0.08, 0.12])
BUCKET_VIOLATING = np.array([0.02, 0.15, 0.50, 0.85, 0.98])
BUCKET_ERROR = np.array([0.010, 0.050, 0.120, 0.050, 0.010])
BUCKET_VIEWS = np.array([1.0, 0.8, 0.6, 0.4, 0.3])  # violating-looking items are demoted
#: audit allocation factors per score bucket (times the stratum size), before and after
RISK_BEFORE = np.array([0.5, 2.0, 4.0, 2.0, 0.5])
RISK_AFTER = np.array([0.2, 3.0, 12.0, 3.0, 0.2])
#: auditor -> (sensitivity, specificity) at judging a decision wrong
AUDITORS: dict[str, tuple[float, float]] = {
    "au-01": (0.95, 0.99), "au-02": (0.93, 0.99), "au-03": (0.92, 0.985),
    "au-04": (0.95, 0.995), "au-05": (0.90, 0.98), "au-06": (0.88, 0.82),
    "au-07": (0.94, 0.99), "au-08": (0.91, 0.985),
}
BIASED = "au-06"
BIASED_QUEUE = "adult"
BIASED_SHARE = 0.65         # share of the biased queue's audits the biased auditor takes
CLASSES = ("no_violation", *QUEUES)


@dataclass(frozen=True)
class QADesign:
    """The tables of :func:`generate_qa_design` and the truth behind them.

    Attributes
    ----------
    audits : pandas.DataFrame
        The audit sample, one row per audited decision: ``decided_at``, ``day``,
        ``item_id``, ``queue``, ``score_bucket``, ``stratum`` (queue|bucket), ``views``,
        ``decision``, ``qa_decision``, ``auditor``, ``error`` (1: the auditor judged the
        decision wrong), ``pi`` (inclusion probability), ``weight`` (1/pi), ``population``
        (the stratum's decisions that day), and the hidden truth ``violating`` and
        ``truly_wrong`` (for checking; an analysis would not have them).
    population : pandas.DataFrame
        Per day, queue and score bucket: ``decisions``, ``views``, ``violating``,
        ``violating_views``, ``wrong`` (true moderator errors), ``audited``, ``pi``.
    gold : pandas.DataFrame
        Gold items seeded into the audit stream: ``day``, ``auditor``, ``item_id``,
        ``queue``, ``truly_wrong`` (the gold answer), ``said_wrong`` (the auditor's verdict).
    calibration : pandas.DataFrame
        Multi-label calibration: every auditor labels the same items; ``item_id``,
        ``rater``, ``rating`` (one of :data:`CLASSES`), ``true_label``.
    auditors : pandas.DataFrame
        The auditors' true ``sensitivity`` and ``specificity``.
    changes : pandas.DataFrame
        The change log (``date``, ``event``): the audit-design change.
    truth : dict
        Realised true figures (see ``datasets/README.md``).
    """

    audits: pd.DataFrame
    population: pd.DataFrame
    gold: pd.DataFrame
    calibration: pd.DataFrame
    auditors: pd.DataFrame
    changes: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)


def _allocate(sizes: np.ndarray, factor: np.ndarray, total: int) -> np.ndarray:
    """Audits per stratum ∝ size x factor, at least 2, at most the size (largest remainder)."""
    want = sizes * factor
    raw = want / want.sum() * total
    n = np.floor(raw).astype(np.int64)
    rest = total - int(n.sum())
    if rest > 0:
        n[np.argsort(-(raw - n), kind="stable")[:rest]] += 1
    out: np.ndarray = np.clip(np.maximum(n, 2), 0, sizes)
    return out


def generate_qa_design(
    *,
    seed: int = 20260105,
    days: int = 28,
    daily_volume: int = 20_000,
    audits_per_day: int = 600,
    design_change_day: int = 14,
    gold_per_day: int = 4,
    calibration_items: int = 300,
    start: str = "2026-03-02",
) -> QADesign:
    """A seeded QA design: stratified risk-weighted audits, imperfect auditors, gold, labels.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same arguments give the same tables.
    days : int
        Days of decisions (default 4 weeks).
    daily_volume : int
        Moderation decisions per day (the population).
    audits_per_day : int
        The daily audit budget, allocated to queue x score-bucket strata.
    design_change_day : int
        The day (0-based) from which the audit budget moves to the uncertain middle
        scores (:data:`RISK_AFTER` instead of :data:`RISK_BEFORE`).
    gold_per_day : int
        Gold items seeded per auditor and day.
    calibration_items : int
        Items in the multi-label calibration set (each labelled by every auditor).
    start : str
        The first day.

    Returns
    -------
    QADesign

    Examples
    --------
    >>> import sixsigma as ss
    >>> qa = ss.datasets.generate_qa_design(days=7, daily_volume=5_000, audits_per_day=200,
    ...                                     design_change_day=4)
    >>> sorted(qa.audits.columns)[:4], len(qa.auditors)
    (['auditor', 'day', 'decided_at', 'decision'], 8)
    """
    caller = "generate_qa_design"
    check_number(seed, "seed", caller=caller, low=0, integer=True)
    seed = int(seed)
    days = int(check_number(days, "days", caller=caller, low=1, integer=True))
    daily_volume = int(check_number(daily_volume, "daily_volume", caller=caller, low=100,
                                    integer=True))
    audits_per_day = int(check_number(audits_per_day, "audits_per_day", caller=caller,
                                      low=30, high=daily_volume, integer=True))
    design_change_day = int(check_number(design_change_day, "design_change_day",
                                         caller=caller, low=0, integer=True))
    gold_per_day = int(check_number(gold_per_day, "gold_per_day", caller=caller, low=0,
                                    integer=True))
    calibration_items = int(check_number(calibration_items, "calibration_items",
                                         caller=caller, low=1, integer=True))
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start).normalize()
    day_dates = first + pd.to_timedelta(np.arange(days), unit="D")
    n_q, n_b = len(QUEUES), len(BUCKETS)

    # -- the population of decisions ------------------------------------------------------
    total = days * daily_volume
    day = np.repeat(np.arange(days), daily_volume)
    queue = rng.choice(n_q, size=total, p=QUEUE_SHARE)
    bucket = rng.choice(n_b, size=total, p=BUCKET_SHARE)
    violating = rng.random(total) < BUCKET_VIOLATING[bucket]
    wrong = rng.random(total) < BUCKET_ERROR[bucket] * QUEUE_ERROR[queue]
    views = np.round(rng.lognormal(4.0, 1.5, total) * BUCKET_VIEWS[bucket]).astype(np.int64)
    actioned = violating ^ wrong
    stratum = queue * n_b + bucket
    cell = day * (n_q * n_b) + stratum
    n_cells = days * n_q * n_b
    sizes = np.bincount(cell, minlength=n_cells).reshape(days, n_q * n_b)

    # -- the stratified, risk-weighted audit sample (drawn anew each day) ----------------
    n_audit = np.empty_like(sizes)
    for t in range(days):
        factor = np.tile(RISK_AFTER if t >= design_change_day else RISK_BEFORE, n_q)
        n_audit[t] = _allocate(sizes[t], factor, audits_per_day)
    # a random rank within each cell: the units ranked below n_h are audited
    order = np.lexsort((rng.random(total), cell))
    starts = np.concatenate(([0], np.cumsum(np.bincount(cell, minlength=n_cells))[:-1]))
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total) - np.repeat(starts, np.bincount(cell, minlength=n_cells))
    sampled = rank < n_audit.reshape(-1)[cell]
    pi_cell = n_audit.reshape(-1) / np.maximum(sizes.reshape(-1), 1)
    idx = np.flatnonzero(sampled)
    idx = idx[np.lexsort((rng.random(idx.size), day[idx]))]   # the audit stream, by day

    # -- auditors ----------------------------------------------------------------------------
    names = list(AUDITORS)
    se = np.array([AUDITORS[a][0] for a in names])
    sp = np.array([AUDITORS[a][1] for a in names])
    b = names.index(BIASED)
    m = idx.size
    in_biased_queue = queue[idx] == QUEUES.index(BIASED_QUEUE)
    p_other = np.full(len(names), (1 - 0.03) / (len(names) - 1))
    p_other[b] = 0.03
    p_biased = np.full(len(names), (1 - BIASED_SHARE) / (len(names) - 1))
    p_biased[b] = BIASED_SHARE
    auditor = np.where(in_biased_queue, rng.choice(len(names), size=m, p=p_biased),
                       rng.choice(len(names), size=m, p=p_other))
    u = rng.random(m)
    said_wrong = np.where(wrong[idx], u < se[auditor], u > sp[auditor])
    policy = np.array(QUEUES, dtype=object)[queue[idx]]
    decision = np.where(actioned[idx], policy, "no_violation")
    flipped = np.where(actioned[idx], "no_violation", policy)
    qa_decision = np.where(said_wrong, flipped, decision)
    seconds = rng.integers(8 * 3600, 20 * 3600, size=m)
    audits = pd.DataFrame({
        "decided_at": day_dates[day[idx]] + pd.to_timedelta(seconds, unit="s"),
        "day": day_dates[day[idx]],
        "item_id": idx.astype(np.int64),
        "queue": policy.astype(str),
        "score_bucket": np.array(BUCKETS)[bucket[idx]],
        "stratum": [f"{QUEUES[q]}|{BUCKETS[k]}" for q, k in zip(queue[idx], bucket[idx],
                                                                   strict=True)],
        "views": views[idx],
        "decision": decision.astype(str),
        "qa_decision": qa_decision.astype(str),
        "auditor": np.array(names)[auditor],
        "error": said_wrong.astype(np.int64),
        "pi": pi_cell[cell[idx]],
        "weight": 1.0 / pi_cell[cell[idx]],
        "population": sizes.reshape(-1)[cell[idx]].astype(np.int64),
        "violating": violating[idx].astype(np.int64),
        "truly_wrong": wrong[idx].astype(np.int64),
    })

    # -- the population table -----------------------------------------------------------------
    def per_cell(values: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=values, minlength=n_cells)

    grid = pd.MultiIndex.from_product([day_dates, QUEUES, BUCKETS],
                                      names=["day", "queue", "score_bucket"])
    population = grid.to_frame(index=False)
    population["decisions"] = sizes.reshape(-1)
    population["views"] = per_cell(views.astype(float)).astype(np.int64)
    population["violating"] = per_cell(violating.astype(float)).astype(np.int64)
    population["violating_views"] = per_cell(views * violating).astype(np.int64)
    population["wrong"] = per_cell(wrong.astype(float)).astype(np.int64)
    population["audited"] = n_audit.reshape(-1)
    population["pi"] = pi_cell

    # -- gold items seeded into the stream ----------------------------------------------------
    g = days * len(names) * gold_per_day
    g_aud = np.tile(np.repeat(np.arange(len(names)), gold_per_day), days)
    g_wrong = rng.random(g) < 0.3
    g_u = rng.random(g)
    gold = pd.DataFrame({
        "day": np.repeat(day_dates, len(names) * gold_per_day),
        "auditor": np.array(names)[g_aud],
        "item_id": -(np.arange(g, dtype=np.int64) + 1),     # gold ids are negative
        "queue": np.array(QUEUES)[rng.integers(0, n_q, g)],
        "truly_wrong": g_wrong.astype(np.int64),
        "said_wrong": np.where(g_wrong, g_u < se[g_aud], g_u > sp[g_aud]).astype(np.int64),
    })

    # -- multi-label calibration set -------------------------------------------------------
    k = calibration_items
    true_class = rng.choice(len(CLASSES), size=k, p=[0.5, 0.2, 0.15, 0.15])
    tc = np.repeat(true_class, len(names))
    rater = np.tile(np.arange(len(names)), k)
    v = rng.random(tc.size)
    random_policy = rng.integers(1, len(CLASSES), tc.size)
    other_policy = 1 + (tc - 1 + rng.integers(1, n_q, tc.size)) % n_q
    rating = np.where(
        tc == 0,
        np.where(v < sp[rater], 0, random_policy),
        np.where(v < se[rater] * 0.97, tc, np.where(v < se[rater], other_policy, 0)))
    calibration = pd.DataFrame({
        "item_id": np.repeat(np.arange(k, dtype=np.int64), len(names)),
        "rater": np.array(names)[rater],
        "rating": np.array(CLASSES)[rating],
        "true_label": np.array(CLASSES)[tc],
    })

    auditors = pd.DataFrame({"auditor": names, "sensitivity": se, "specificity": sp})
    change_date = first + pd.Timedelta(days=design_change_day)
    changes = pd.DataFrame({"date": [change_date],
                            "event": ["Audit budget moved to uncertain scores"]})

    # -- the truth (realised) ---------------------------------------------------------------
    after = day >= design_change_day
    a_after = audits["day"] >= change_date
    biased_q = audits[audits["queue"] == BIASED_QUEUE]
    truth: dict[str, Any] = {
        "design_change": str(change_date.date()),
        "true_error_rate": float(wrong.mean()),
        "true_error_rate_before": float(wrong[~after].mean()) if (~after).any() else None,
        "true_error_rate_after": float(wrong[after].mean()) if after.any() else None,
        "true_error_rate_by_queue": {q: float(wrong[queue == i].mean())
                                     for i, q in enumerate(QUEUES)},
        "raw_audit_error_rate_before": float(audits.loc[~a_after, "error"].mean())
        if (~a_after).any() else None,
        "raw_audit_error_rate_after": float(audits.loc[a_after, "error"].mean())
        if a_after.any() else None,
        "true_prevalence_views": float((views * violating).sum() / views.sum()),
        "true_prevalence_items": float(violating.mean()),
        "auditors": {a: {"sensitivity": float(s), "specificity": float(p)}
                     for a, s, p in zip(names, se, sp, strict=True)},
        "biased_auditor": BIASED,
        "biased_queue": BIASED_QUEUE,
        "biased_share_of_queue_audits": float((biased_q["auditor"] == BIASED).mean()),
        "biased_share_of_queue_errors": float(
            (biased_q.loc[biased_q["error"] == 1, "auditor"] == BIASED).mean()),
        "queue_false_error_share": float(
            ((biased_q["error"] == 1) & (biased_q["truly_wrong"] == 0)).sum()
            / max(int(biased_q["error"].sum()), 1)),
    }
    return QADesign(audits=audits, population=population, gold=gold,
                    calibration=calibration, auditors=auditors, changes=changes,
                    truth=truth)
