"""Draw the audited decisions (one row per item) and turn them into the audit table.

:func:`sample_items` returns a dict of per-item numpy arrays: the covariates (day, queue,
market, moderator, tenure), the route (auto-action, escalation), the labels, the times, and
the model's probabilities (kept so that :mod:`sixsigma.datasets.truth` can state the
expected size of each cause). Everything is vectorised over items; the only loop is over
the columns. :func:`audit_frame` builds the audit table of the schema from it.

The model (parameters in :mod:`sixsigma.datasets.population` and below):

* audited items per (day, queue): ``Binomial(decisions, audit_rate)`` with the decisions
  following a weekly pattern (:data:`DOW_VOLUME`) and 5 % lognormal day noise;
* L1 error probability: ``expit(logit(queue rate) + day-queue noise + moderator propensity
  + 0.8 exp(-tenure / 45))``; the day-queue noise is ``Normal(0, 0.3)`` on the logit scale:
  the overdispersion that makes a plain p chart over-alarm;
* the L2 error probability is ``expit(logit(0.06) + the same day-queue noise)``;
* given an error, a benign item was over-enforced; a violating one was missed
  (``UNDER_SHARE`` = 60 %) or labelled with another policy (40 %).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit, logit, ndtr

from sixsigma.datasets.population import (
    MARKETS,
    NO_VIOLATION,
    POLICIES,
    QUEUES,
    REGIONS,
    Roster,
)
from sixsigma.datasets.scenarios import Scenario

__all__ = ["AUDIT_COLUMNS", "LABELS", "SLA_SECONDS", "audit_frame", "item_ids", "sample_items",
           "sort_items", "strings"]

Items = dict[str, NDArray[Any]]

LABELS: tuple[str, ...] = (*POLICIES, NO_VIOLATION)
ERROR_TYPES: tuple[str, ...] = ("", "over_enforcement", "under_enforcement", "wrong_policy")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AUDIT_COLUMNS: tuple[str, ...] = (
    "item_id", "decided_at", "day", "queue", "region", "market", "language", "policy",
    "moderator_id", "tenure_days", "decision", "qa_decision", "error_type", "severity",
    "handle_seconds", "turnaround_seconds", "appealed", "appeal_overturned",
)

#: Decision volume by day of week, Monday first (normalised to mean 1).
DOW_VOLUME = np.array([0.96, 0.94, 0.95, 0.97, 1.02, 1.09, 1.07])
DAY_QUEUE_SD = 0.4
NEW_HIRE_LOGIT = 0.8  # extra error logit of a moderator on day 0, decaying over 45 days
NEW_HIRE_SLOWER = 0.6  # extra handle time share on day 0, decaying over 45 days
TENURE_SCALE = 45.0
L2_ERROR = 0.06
UNDER_SHARE = 0.6
OTHER_POLICY = 0.08  # items reviewed under another queue's policy
UNAUDITED = 0.005  # audits not completed: qa_decision missing
SLA_SECONDS = 86_400
WAIT_MEDIAN = 2.5 * 3600.0
WAIT_SIGMA = 1.0
WEEKEND_WAIT = 1.25
HANDLE_SIGMA = 0.55
BACKLOG_UNTIL = 11.0  # local hour before which overnight backlog adds to the wait
#: Local hour of human decisions: two shifts, 07:00-23:00.
SHIFT_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 4, 7, 8, 8, 8, 7, 6, 7, 8, 8, 7, 6, 5, 4, 3,
                        2, 1], dtype=np.float64)


def _arr(values: list[float]) -> NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def _counts(rng: np.random.Generator, days: int, weekday0: int, daily_volume: int,
            audit_rate: float) -> NDArray[np.int64]:
    """Audited items per (day, queue), shape (days, queues)."""
    dow = (weekday0 + np.arange(days)) % 7
    level = DOW_VOLUME[dow] / DOW_VOLUME.mean() * rng.lognormal(0.0, 0.05, days)
    share = _arr([q.share for q in QUEUES])
    decisions = np.rint(daily_volume * np.outer(level, share)).astype(np.int64)
    return np.asarray(rng.binomial(decisions, audit_rate), dtype=np.int64)


def _after(day: NDArray[np.int64], change_day: int) -> NDArray[np.bool_]:
    return day >= change_day


def _route(rng: np.random.Generator, it: Items, spec: Scenario, change_day: int) -> None:
    """Auto-action and escalation: probabilities and draws."""
    queue, n = it["queue"], it["queue"].size
    a_v = _arr([q.auto_violating for q in QUEUES])[queue]
    a_n = _arr([q.auto_benign for q in QUEUES])[queue]
    if spec.threshold_region is not None:
        hit = ((it["region"] == REGIONS.index(spec.threshold_region))
               & _after(it["day"], change_day) & (a_n > 0))
        a_v = np.where(hit, a_v + spec.auto_violating_lift * (1.0 - a_v), a_v)
        a_n = np.where(hit, a_n + spec.auto_benign_lift, a_n)
    it["p_auto_violating"], it["p_auto_benign"] = a_v, a_n
    it["auto"] = rng.random(n) < np.where(it["violating"], a_v, a_n)
    it["p_escalate"] = _arr([q.escalation for q in QUEUES])[queue]
    it["escalated"] = ~it["auto"] & (rng.random(n) < it["p_escalate"])


def _error_probabilities(it: Items, spec: Scenario, roster: Roster,
                         noise: NDArray[np.float64], change_day: int) -> None:
    """L1 and L2 error probabilities and the extra wrong-policy probability."""
    day, queue, tenure = it["day"], it["queue"], it["tenure"]
    base = logit(_arr([q.error_rate for q in QUEUES]))[queue] + noise[day, queue]
    newness = np.exp(-tenure / TENURE_SCALE)
    it["p_l1"] = expit(base + roster.propensity[it["moderator"]] + NEW_HIRE_LOGIT * newness)
    p_l2 = expit(logit(L2_ERROR) + noise[day, queue])
    if spec.handoff_market is not None:
        hit = (it["market"] == _market_index(spec.handoff_market)) & _after(day, change_day)
        p_l2 = np.where(hit, spec.handoff_error_rate, p_l2)
    it["p_l2"] = p_l2
    extra = np.zeros(day.size)
    if spec.wrong_policy_queue is not None:
        hit = ((queue == POLICIES.index(spec.wrong_policy_queue))
               & (tenure < spec.new_hire_days) & _after(day, change_day))
        extra = np.where(hit, spec.wrong_policy_extra, 0.0)
    it["p_wrong_extra"] = extra


def _market_index(name: str) -> int:
    return [m.name for m in MARKETS].index(name)


def _labels(rng: np.random.Generator, it: Items) -> None:
    """Errors by type, then QA's and the moderator's labels (codes into LABELS)."""
    n, k = it["queue"].size, len(POLICIES)
    human = ~it["auto"]
    p = np.where(it["escalated"], it["p_l2"], it["p_l1"])
    extra = np.where(it["escalated"], 0.0, it["p_wrong_extra"])
    u = rng.random(n)
    violating = it["violating"]
    under = violating & human & (u < UNDER_SHARE * p)
    wrong = violating & human & ~under & (u < p + extra * (1.0 - p))
    over = ~violating & (it["auto"] | (u < p))
    error = np.zeros(n, dtype=np.int8)
    error[over], error[under], error[wrong] = 1, 2, 3
    it["error"] = error
    policy = it["policy"]
    qa = np.where(violating, policy, k)
    decision = qa.copy()
    decision[over] = policy[over]
    decision[under] = k
    other = (policy + rng.integers(1, k, n)) % k
    decision[wrong] = other[wrong]
    it["qa"], it["decision"] = qa, decision
    it["unaudited"] = rng.random(n) < UNAUDITED


def _severity(rng: np.random.Generator, it: Items) -> None:
    """Severity 1-4 by error type and queue; 0 when correct or unaudited."""
    # rows: error type 1..3; columns: queues in QUEUES order
    base = np.array([[0, 0, 0, 0, 0],
                     [2, 2, 1, 1, 1],   # over-enforcement: silencing speech weighs more
                     [2, 2, 1, 3, 2],   # under-enforcement: missed extremism is worst
                     [1, 1, 1, 1, 1]])  # wrong policy
    sev = base[it["error"], it["queue"]] + rng.integers(0, 2, it["queue"].size)
    it["severity"] = np.where((it["error"] > 0) & ~it["unaudited"], np.clip(sev, 1, 4), 0)


def _appeals(rng: np.random.Generator, it: Items) -> None:
    """Users appeal actioned decisions, more often wrong ones; wrong ones get overturned."""
    n = it["queue"].size
    over, wrong = it["error"] == 1, it["error"] == 3
    actioned = it["decision"] != len(POLICIES)
    p_appeal = 0.05 + 0.30 * over + 0.10 * wrong
    it["appealed"] = actioned & (rng.random(n) < p_appeal)
    p_overturn = 0.03 + 0.67 * over + 0.27 * wrong
    it["overturned"] = it["appealed"] & (rng.random(n) < p_overturn)


def _times(rng: np.random.Generator, it: Items, spec: Scenario, roster: Roster,
           weekday0: int, change_day: int) -> None:
    """Decision time of day, waits, handle times and the turnaround (integer seconds)."""
    n, day = it["queue"].size, it["day"]
    offset = _arr([m.utc_offset_hours for m in MARKETS])[it["market"]]
    hour = rng.choice(24, size=n, p=SHIFT_HOURS / SHIFT_HOURS.sum())
    local = hour * 3600 + rng.integers(0, 3600, n)
    human_tod = np.mod(local - np.rint(offset * 3600).astype(np.int64), 86_400)
    auto_tod = rng.integers(0, 86_400, n)
    auto, esc = it["auto"], it["escalated"]
    it["decided"] = day * 86_400 + np.where(auto, auto_tod, human_tod)

    weekend = (weekday0 + day) % 7 >= 5
    late = weekend & _after(day, change_day)
    newness = np.exp(-it["tenure"] / TENURE_SCALE)
    handle_median = (_arr([q.handle_median for q in QUEUES])[it["queue"]]
                     * roster.speed[it["moderator"]] * (1.0 + NEW_HIRE_SLOWER * newness)
                     * np.where(late, spec.weekend_handle_factor, 1.0))
    it["mu_handle"] = np.log(handle_median)
    handle = np.round(np.exp(it["mu_handle"] + HANDLE_SIGMA * rng.standard_normal(n)), 1)
    it["handle"] = np.where(auto, 0.0, handle)
    backlog = np.maximum(0.0, BACKLOG_UNTIL - local / 3600.0) * 3600.0 * rng.random(n)
    wait_median = WAIT_MEDIAN * np.where(weekend, WEEKEND_WAIT, 1.0) \
        * np.where(late, spec.weekend_wait_factor, 1.0)
    it["mu_wait"] = np.log(wait_median)
    wait = np.exp(it["mu_wait"] + WAIT_SIGMA * rng.standard_normal(n))
    l2_wait = rng.lognormal(np.log(4 * 3600.0), 0.8, n)
    l2_handle = rng.lognormal(np.log(300.0), 0.5, n)
    auto_latency = rng.integers(2, 30, n)

    it["l1_start"] = np.rint(backlog + wait).astype(np.int64)  # from ingest
    it["l1_handle"] = np.rint(it["handle"]).astype(np.int64)
    l2 = np.where(esc, np.rint(l2_wait) + np.rint(l2_handle), 0).astype(np.int64)
    human_turnaround = it["l1_start"] + it["l1_handle"] + l2
    it["turnaround"] = np.where(auto, auto_latency, human_turnaround)
    # what the wait adds to: for the expected SLA misses (truth)
    it["rest"] = np.rint(backlog) + it["l1_handle"] + l2
    it["weekend"] = weekend


def sample_items(rng: np.random.Generator, spec: Scenario, roster: Roster, *, days: int,
                 weekday0: int, daily_volume: int, audit_rate: float,
                 change_day: int) -> Items:
    """Draw every audited item of the period.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream of the audits.
    spec : Scenario
        The scenario whose cause is applied from ``change_day``.
    roster : Roster
        The moderators.
    days, weekday0 : int
        Number of days and the weekday of day 0 (Monday = 0).
    daily_volume, audit_rate
        Decisions per day (all queues) and the share of them audited.
    change_day : int
        Day index from which the scenario's cause acts.

    Returns
    -------
    dict of str to numpy.ndarray
        One array per item attribute (codes for the categorical ones), in the order of
        generation (by day and queue); :func:`sort_items` puts them in time order.
    """
    counts = _counts(rng, days, weekday0, daily_volume, audit_rate)
    day = np.repeat(np.repeat(np.arange(days), len(QUEUES)), counts.ravel())
    queue = np.repeat(np.tile(np.arange(len(QUEUES)), days), counts.ravel())
    n = day.size
    noise = rng.normal(0.0, DAY_QUEUE_SD, (days, len(QUEUES)))
    m_share = _arr([m.share for m in MARKETS])
    market = np.minimum(np.searchsorted(np.cumsum(m_share), rng.random(n), side="right"),
                        len(MARKETS) - 1)
    region = np.array([REGIONS.index(m.region) for m in MARKETS])[market]
    cell = queue * len(MARKETS) + market
    moderator = roster.cell_start[cell] + (rng.random(n) * roster.active[cell, day]).astype(
        np.int64)
    it: Items = {"day": day, "queue": queue, "market": market, "region": region,
                 "moderator": moderator, "tenure": day - roster.hire_day[moderator]}
    other = rng.random(n) < OTHER_POLICY
    it["policy"] = np.where(other, (queue + rng.integers(1, len(POLICIES), n)) % len(POLICIES),
                            queue)
    it["prevalence"] = _arr([q.prevalence for q in QUEUES])[queue]
    it["violating"] = rng.random(n) < it["prevalence"]
    _route(rng, it, spec, change_day)
    _error_probabilities(it, spec, roster, noise, change_day)
    _labels(rng, it)
    _severity(rng, it)
    _appeals(rng, it)
    _times(rng, it, spec, roster, weekday0, change_day)
    return it


#: The item attributes the audit table and the event log need, with compact dtypes.
KEPT: dict[str, Any] = {
    "decided": np.int64, "day": np.int32, "queue": np.int8, "region": np.int8,
    "market": np.int8, "policy": np.int8, "moderator": np.int32, "tenure": np.int32,
    "auto": np.bool_, "escalated": np.bool_, "decision": np.int8, "qa": np.int8,
    "unaudited": np.bool_, "error": np.int8, "severity": np.int8, "handle": np.float64,
    "turnaround": np.int64, "l1_start": np.int64, "l1_handle": np.int64,
    "appealed": np.bool_, "overturned": np.bool_,
}


def sort_items(it: Items) -> Items:
    """Keep the attributes in :data:`KEPT` (the truth needs no others), in time order."""
    order = np.argsort(it["decided"], kind="stable")
    return {key: it[key].astype(dtype, copy=False)[order] for key, dtype in KEPT.items()}


def expected_sla_miss(it: Items) -> NDArray[np.float64]:
    """P(turnaround > SLA) of each item given its route, handle and backlog times."""
    room = SLA_SECONDS - it["rest"].astype(np.float64)
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(room, 0.0)) - it["mu_wait"]) / WAIT_SIGMA
    return np.where(it["auto"], 0.0, ndtr(-z))


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:  # the base install has no pyarrow: Python strings then
        return None
    return pyarrow


def item_ids(n: int) -> pd.Series:
    """``it-0000001`` ... as a string column, built from digit bytes (no loop over rows)."""
    width = max(7, len(str(n))) + 3
    digits = np.empty((n, width), dtype=np.uint8)
    digits[:, :3] = np.frombuffer(b"it-", dtype=np.uint8)
    value = np.arange(1, n + 1, dtype=np.int64)
    for j in range(width - 1, 2, -1):
        digits[:, j] = 48 + value % 10
        value //= 10
    pa = _pyarrow()
    if pa is not None:
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        array = pa.Array.from_buffers(pa.large_string(), n,
                                      [None, pa.py_buffer(offsets), pa.py_buffer(digits)])
        return pd.Series(array, dtype="str")
    text = digits.view(f"S{width}").ravel().astype(f"U{width}").astype(object)
    return pd.Series(text, dtype="str", copy=False)


def strings(names: tuple[str, ...] | list[str], codes: NDArray[Any],
            missing: NDArray[np.bool_] | None = None) -> pd.Series:
    """A string column from integer codes into ``names`` (NaN where ``missing``)."""
    pa = _pyarrow()
    if pa is not None:  # ~3x faster than going through Python objects
        indices = pa.array(codes.astype(np.int32, copy=False), mask=missing)
        array = pa.DictionaryArray.from_arrays(indices, pa.array(list(names),
                                                                 pa.large_string()))
        return pd.Series(array.cast(pa.large_string()), dtype="str")
    values = np.asarray(names, dtype=object)[codes]
    if missing is not None:
        values[missing] = np.nan
    return pd.Series(values, dtype="str", copy=False)


def moderator_names(size: int) -> list[str]:
    """``mod-0001`` ... ``mod-{size}``."""
    return [f"mod-{k:04d}" for k in range(1, size + 1)]


def audit_frame(it: Items, ids: pd.Series, roster: Roster,
                start: pd.Timestamp) -> pd.DataFrame:
    """The audit table of the schema (columns :data:`AUDIT_COLUMNS`).

    Parameters
    ----------
    it : dict of numpy.ndarray
        The items of :func:`sample_items`.
    ids : pandas.Series of str
        Their item ids (:func:`item_ids`).
    roster : Roster
        The moderators (for their ids).
    start : pandas.Timestamp
        Midnight of day 0.

    Returns
    -------
    pandas.DataFrame
        One row per audited item, sorted by ``decided_at``.
    """
    origin = start.to_datetime64().astype("datetime64[s]")
    decided = (origin + it["decided"].astype("timedelta64[s]")).astype("datetime64[us]")
    day = (origin + (it["day"].astype(np.int64) * 86_400).astype("timedelta64[s]")).astype(
        "datetime64[us]")
    auto = it["auto"]
    moderators = ["system", *moderator_names(roster.size)]
    error = np.where(it["unaudited"], 0, it["error"])
    overturned = pd.array(it["overturned"], dtype="boolean")
    overturned[~it["appealed"]] = pd.NA
    frame = pd.DataFrame({
        "item_id": ids,
        "decided_at": decided,
        "day": day,
        "queue": strings(POLICIES, it["queue"]),
        "region": strings(REGIONS, it["region"]),
        "market": strings([m.name for m in MARKETS], it["market"]),
        "language": strings([m.language for m in MARKETS], it["market"]),
        "policy": strings(POLICIES, it["policy"]),
        "moderator_id": strings(moderators, np.where(auto, 0, it["moderator"] + 1)),
        "tenure_days": np.where(auto, 0, it["tenure"]).astype(np.int64),
        "decision": strings(LABELS, it["decision"]),
        "qa_decision": strings(LABELS, it["qa"], missing=it["unaudited"]),
        "error_type": strings(ERROR_TYPES, error),
        "severity": it["severity"].astype(np.int64),
        "handle_seconds": it["handle"].astype(np.float64),
        "turnaround_seconds": it["turnaround"].astype(np.float64),
        "appealed": it["appealed"],
        "appeal_overturned": overturned,
    }, copy=False)
    return frame
