"""The event log of the audited items: one row per event, in the schema's vocabulary.

Each item's trace is::

    ingest -> auto_classify -> (auto_action | human_review_l1 [-> escalate_l2]) -> decision
           [-> qa_audit [-> human_review_l1 -> decision (rework)]]
           [-> appeal -> appeal_review] -> closed

``qa_audit`` appears exactly for the items whose audit was completed (``qa_decision`` not
missing); QA sends :data:`REWORK_SHARE` of the errors it finds back to L1 (rework). The
decision of an escalated item is made by an L2 specialist (``l2-NN``); QA reviewers are
``qa-NN`` (the raters of the calibration exercise), appeal reviewers ``ap-NN``; the ingest,
classifier, auto-action, appeal and closing events are ``system``. Timestamps come from the
item's times in :func:`sixsigma.datasets.audits.sample_items` plus lognormal lags: QA about
30 h after the decision, appeals about 20 h after it and their review about 30 h later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma.datasets.audits import Items, moderator_names, strings

__all__ = ["ACTIVITIES", "QA_RATERS", "event_log"]

ACTIVITIES: tuple[str, ...] = (
    "ingest", "auto_classify", "auto_action", "human_review_l1", "escalate_l2", "decision",
    "qa_audit", "appeal", "appeal_review", "closed",
)
QA_RATERS = tuple(f"qa-{k:02d}" for k in range(1, 9))
L2_SPECIALISTS = tuple(f"l2-{k:02d}" for k in range(1, 13))
APPEAL_REVIEWERS = tuple(f"ap-{k:02d}" for k in range(1, 7))
REWORK_SHARE = 0.4


def _lag(rng: np.random.Generator, median_hours: float, sigma: float,
         n: int) -> NDArray[np.int64]:
    return np.rint(rng.lognormal(np.log(median_hours * 3600.0), sigma, n)).astype(np.int64)


def event_log(rng: np.random.Generator, it: Items, ids: pd.Series,
              n_moderators: int, start: pd.Timestamp) -> pd.DataFrame:
    """Build the event log of the items (sorted by case, then time).

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream of the events.
    it : dict of numpy.ndarray
        The items of :func:`sixsigma.datasets.audits.sample_items`.
    ids : pandas.Series of str
        Their item ids (the case ids).
    n_moderators : int
        Size of the roster (for the resource names).
    start : pandas.Timestamp
        Midnight of day 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id, activity, timestamp, resource``.
    """
    n = len(ids)
    auto, esc = it["auto"], it["escalated"]
    human = ~auto
    decided = it["decided"]
    ingest = decided - it["turnaround"]
    l1 = ingest + it["l1_start"]
    classify_lag = np.where(auto, it["turnaround"] // 2,
                            np.minimum(rng.integers(1, 10, n), it["l1_start"]))
    audited = ~it["unaudited"]
    qa_time = decided + 600 + _lag(rng, 30.0, 0.5, n)
    rework = audited & (it["error"] > 0) & (rng.random(n) < REWORK_SHARE)
    rework_l1 = qa_time + _lag(rng, 2.0, 0.7, n)
    rework_decision = rework_l1 + _lag(rng, 120.0 / 3600.0, 0.5, n)
    appealed = it["appealed"]
    appeal = decided + _lag(rng, 20.0, 0.8, n)
    review = appeal + _lag(rng, 30.0, 0.7, n)
    last = np.maximum.reduce([decided, np.where(audited, qa_time, 0),
                              np.where(rework, rework_decision, 0),
                              np.where(appealed, review, 0)])

    # resources: 0 system, then moderators, L2, QA, appeal reviewers
    mod = it["moderator"] + 1
    l2 = 1 + n_moderators + rng.integers(0, len(L2_SPECIALISTS), n)
    qa = 1 + n_moderators + len(L2_SPECIALISTS) + rng.integers(0, len(QA_RATERS), n)
    ap = (1 + n_moderators + len(L2_SPECIALISTS) + len(QA_RATERS)
          + rng.integers(0, len(APPEAL_REVIEWERS), n))
    zero = np.zeros(n, dtype=np.int64)
    everyone = np.ones(n, dtype=bool)
    # (activity, present, time, resource), in the order that breaks ties between equal times
    slots: list[tuple[str, NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64]]] = [
        ("ingest", everyone, ingest, zero),
        ("auto_classify", everyone, ingest + classify_lag, zero),
        ("auto_action", auto, decided, zero),
        ("human_review_l1", human, l1, mod),
        ("escalate_l2", esc, l1 + it["l1_handle"], mod),
        ("decision", everyone, decided, np.where(esc, l2, np.where(auto, 0, mod))),
        ("qa_audit", audited, qa_time, qa),
        ("human_review_l1", rework, rework_l1, mod),
        ("decision", rework, rework_decision, mod),
        ("appeal", appealed, appeal, zero),
        ("appeal_review", appealed, review, ap),
        ("closed", everyone, last + 60, zero),
    ]
    case = np.concatenate([np.flatnonzero(present) for _, present, _, _ in slots])
    slot = np.concatenate([np.full(int(p.sum()), k, dtype=np.int8)
                           for k, (_, p, _, _) in enumerate(slots)])
    time = np.concatenate([t[p] for _, p, t, _ in slots])
    resource = np.concatenate([r[p] for _, p, _, r in slots])
    order = np.lexsort((slot, time, case))
    case, slot, time, resource = case[order], slot[order], time[order], resource[order]

    names: list[str] = ["system", *moderator_names(n_moderators), *L2_SPECIALISTS,
                        *QA_RATERS, *APPEAL_REVIEWERS]
    origin = start.to_datetime64().astype("datetime64[s]")
    return pd.DataFrame({
        "case_id": ids.take(case).reset_index(drop=True),
        "activity": strings([a for a, _, _, _ in slots], slot),
        "timestamp": (origin + time.astype("timedelta64[s]")).astype("datetime64[us]"),
        "resource": strings(names, resource),
    }, copy=False)
