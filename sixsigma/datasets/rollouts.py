"""A staggered region-by-region roll-out, with appeals, notices and times: ``generate_rollout``.

One record per moderation decision over five regions. A guideline change (``guideline v3``)
goes live region by region: NA first, EMEA and MENA two weeks later, APAC two weeks after
that; LATAM never goes live. Every region's error rate drifts down over the period (a shared
trend: tenure, seasonality), so a naive before/after overstates every effect; the
not-yet-live regions are the natural controls. The change lowers the human error rate in
NA, EMEA and MENA, and *raises* it in APAC, where the roll-out went wrong.

Each decision also carries what the appeal and transparency figures need: whether the item
came from a user notice or proactive detection, automated or human means, the time to
action, whether the decision was appealed (users appeal wrong decisions far more often than
right ones, with the propensities written in ``truth``), appeals by notifiers against
decisions not to act, the appeal outcome and when it was decided. QA audits a random share of
decisions; its verdict is the true label.

Everything the generator injects is written in ``Dataset.truth`` (see ``datasets/README.md``
at the repository root, section "The roll-out scenario").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._params import check_number
from sixsigma.datasets._dataset import Dataset
from sixsigma.errors import ParameterError

__all__ = ["APPEAL_PROPENSITY", "GO_LIVE_DAY", "HUMAN_EFFECT", "REGIONS", "generate_rollout"]

POLICIES = ("hate_speech", "harassment", "spam", "violent_extremism", "adult")
NO_VIOLATION = "no_violation"

#: The regions, in order.
REGIONS = ("NA", "EMEA", "MENA", "APAC", "LATAM")

#: Day (0-based, from ``start``) each region goes live; None: never inside the data.
GO_LIVE_DAY: dict[str, int | None] = {"NA": 28, "EMEA": 42, "MENA": 42, "APAC": 56,
                                      "LATAM": None}

#: Change of the human error rate at go-live (percentage points / 100), per region.
HUMAN_EFFECT: dict[str, float] = {"NA": -0.04, "EMEA": -0.04, "MENA": -0.03, "APAC": 0.03,
                                  "LATAM": 0.0}

#: P(appeal | right) and P(appeal | wrong) for actions ("wrong": the item violates no
#: policy, i.e. over-enforcement; an action under the wrong policy counts as right here, as
#: ``ss.moderation.appeals`` counts it) and for notifiers' complaints against decisions not to
#: act (only on items reported by a notice; "wrong": the item violates a policy);
#: P(overturn | right / wrong) for both.
APPEAL_PROPENSITY = {
    "action": {"right": 0.04, "wrong": 0.35},
    "no_action": {"right": 0.02, "wrong": 0.20},
    "overturn": {"right": 0.02, "wrong": 0.95},
}

BASE_HUMAN_ERROR = 0.10      # human error rate on day 0 in every region
TREND = -0.02                # shared drift over the whole period (linear)
AUTOMATED_SHARE = 0.40       # decisions taken by the classifier
AUTOMATED_ERROR = 0.08       # the classifier's error rate (the guideline does not touch it)
VIOLATING = 0.35             # share of items that violate a policy
POLICY_MIX = (0.25, 0.25, 0.30, 0.05, 0.15)
APPEAL_DECIDED = 0.92        # share of appeals decided (the others still pending)
APPEAL_HOURS = (30.0, 0.8)   # median and log-sd of the appeal decision time after decision
REGION_CODE = {"NA": "na", "EMEA": "em", "MENA": "me", "APAC": "ap", "LATAM": "la"}


def _human_error(day: np.ndarray, region: np.ndarray, days: int,
                 effects: Mapping[str, float]) -> np.ndarray:
    p = BASE_HUMAN_ERROR + TREND * day / max(days - 1, 1)
    for k, name in enumerate(REGIONS):
        g = GO_LIVE_DAY[name]
        if g is not None and g < days:
            p = p + np.where((region == k) & (day >= g), effects.get(name, 0.0), 0.0)
    return np.clip(p, 0.001, 0.999)


def generate_rollout(seed: int = 20260105, *, days: int = 84, daily_volume: int = 500,
                     audit_rate: float = 0.5, start: Any = "2026-01-05",
                     effects: Mapping[str, float] | None = None) -> Dataset:
    """Generate the staggered roll-out scenario (see the module docstring).

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same arguments give the same data.
    days : int
        Days of data (at least 57, so that APAC goes live inside them).
    daily_volume : int
        Decisions per region and day.
    audit_rate : float
        Share of decisions QA audits (a simple random sample).
    start : date-like
        The first day.
    effects : mapping, optional
        Region -> change of the human error rate at go-live, replacing
        :data:`HUMAN_EFFECT` for the regions it names (``{r: 0.0 for r in REGIONS}``: a
        roll-out that does nothing, with the shared trend still there).

    Returns
    -------
    Dataset
        ``audits``: one row per decision, columns ``item_id``, ``decided_at``, ``day``,
        ``region``, ``policy`` (the true policy, ``no_violation`` for none), ``decision``,
        ``qa_decision`` (missing when not audited), ``audited``, ``error`` (1 when QA
        disagrees, missing when not audited), ``moderator_id`` (``system`` when
        automated), ``automated``, ``notice``, ``turnaround_seconds``, ``appealed``,
        ``appeal_overturned`` (missing unless the appeal was decided),
        ``appeal_decided_at``; ``changes``: ``date``, ``event``, ``region`` (one row per
        region that goes live); ``truth``: the injected effects and propensities.

    Examples
    --------
    >>> import sixsigma as ss
    >>> ds = ss.datasets.generate_rollout(seed=1, days=70, daily_volume=100)
    >>> ds.audits.shape
    (35000, 16)
    >>> ds.changes[["region", "date"]].astype(str).values.tolist()
    [['NA', '2026-02-02'], ['EMEA', '2026-02-16'], ['MENA', '2026-02-16'], ['APAC', '2026-03-02']]
    >>> [t["segment"]["region"] for t in ds.truth if t["metric"] == "error rate"
    ...  and t["effect"]["change"] > 0]
    ['APAC']
    """
    caller = "generate_rollout"
    check_number(seed, "seed", caller=caller, low=0, integer=True)
    seed = int(seed)
    days = int(check_number(days, "days", caller=caller, low=57, integer=True))
    daily_volume = int(check_number(daily_volume, "daily_volume", caller=caller, low=1,
                                    integer=True))
    audit_rate = check_number(audit_rate, "audit_rate", caller=caller, low=0.0, high=1.0,
                              low_open=True)
    effects = dict(HUMAN_EFFECT) if effects is None else {**HUMAN_EFFECT, **effects}
    unknown = sorted(set(effects) - set(REGIONS))
    if unknown:
        raise ParameterError(f"{caller}: the 'effects' parameter must name regions of "
                             f"{list(REGIONS)}; got {unknown}.")
    try:
        day0 = pd.Timestamp(start).normalize()
    except (ValueError, TypeError) as err:
        raise ParameterError(f"{caller}: the 'start' parameter must be a date; got "
                             f"{start!r}.") from err
    rng = np.random.default_rng(seed)
    n_reg = len(REGIONS)
    n = days * n_reg * daily_volume
    day = np.repeat(np.arange(days), n_reg * daily_volume)
    region = np.tile(np.repeat(np.arange(n_reg), daily_volume), days)
    seconds = rng.integers(0, 86_400, n)

    violating = rng.random(n) < VIOLATING
    true_policy = rng.choice(len(POLICIES), size=n, p=POLICY_MIX)
    automated = rng.random(n) < AUTOMATED_SHARE
    p_err = np.where(automated, AUTOMATED_ERROR, _human_error(day, region, days, effects))
    wrong = rng.random(n) < p_err
    # a wrong decision on a violating item: missed (2/3) or the wrong policy (1/3);
    # on a clean item: an action under a random policy (over-enforcement)
    missed = wrong & violating & (rng.random(n) < 2 / 3)
    other = (true_policy + rng.integers(1, len(POLICIES), n)) % len(POLICIES)
    names = np.array([*POLICIES, NO_VIOLATION], dtype=object)
    truth_code = np.where(violating, true_policy, len(POLICIES))
    decided_code = np.where(~wrong, truth_code,
                            np.where(violating, np.where(missed, len(POLICIES), other),
                                     rng.choice(len(POLICIES), size=n, p=POLICY_MIX)))
    actioned = decided_code != len(POLICIES)
    # notices: users report clean items more often than the classifier flags them
    notice = rng.random(n) < np.where(violating, 0.45, 0.65)
    audited = rng.random(n) < audit_rate

    prop = APPEAL_PROPENSITY
    over = actioned & ~violating              # QA says no violation: over-enforcement
    missed_ = ~actioned & violating           # a violation left up: under-enforcement
    p_appeal = np.where(actioned,
                        np.where(over, prop["action"]["wrong"], prop["action"]["right"]),
                        np.where(notice, np.where(missed_, prop["no_action"]["wrong"],
                                                  prop["no_action"]["right"]), 0.0))
    appealed = rng.random(n) < p_appeal
    decided = appealed & (rng.random(n) < APPEAL_DECIDED)
    p_over = np.where(over | missed_, prop["overturn"]["wrong"], prop["overturn"]["right"])
    overturned = decided & (rng.random(n) < p_over)
    appeal_hours = np.exp(np.log(APPEAL_HOURS[0]) + APPEAL_HOURS[1] * rng.standard_normal(n))
    turnaround = np.where(automated, rng.lognormal(np.log(60.0), 0.6, n),
                          rng.lognormal(np.log(4 * 3600.0), 0.7, n)).round().astype(np.int64)

    decided_at = (day0 + pd.to_timedelta(day, unit="D")
                  + pd.to_timedelta(seconds, unit="s"))
    order = np.argsort(decided_at.to_numpy(), kind="stable")
    reg_names = np.array(REGIONS, dtype=object)[region]
    mods = np.char.add(np.char.add(np.array([REGION_CODE[r] for r in REGIONS])[region], "-"),
                       np.char.zfill(rng.integers(1, 41, n).astype(str), 2))
    moderator = np.where(automated, "system", mods).astype(object)
    qa = pd.Series(names[truth_code], dtype=object).where(audited, None)
    error = pd.array(np.where(audited, (decided_code != truth_code).astype(int), 0),
                     dtype="Int8")
    error[~audited] = pd.NA
    outcome = pd.array(overturned, dtype="boolean")
    outcome[~decided] = pd.NA
    appeal_at = pd.Series(decided_at + pd.to_timedelta(appeal_hours * 3600, unit="s"))
    appeal_at = appeal_at.where(decided, pd.NaT).dt.floor("s").astype(decided_at.dtype)
    audits = pd.DataFrame({
        "decided_at": decided_at, "day": day0 + pd.to_timedelta(day, unit="D"),
        "region": reg_names, "policy": names[truth_code], "decision": names[decided_code],
        "qa_decision": qa, "audited": audited, "error": error, "moderator_id": moderator,
        "automated": automated, "notice": notice, "turnaround_seconds": turnaround,
        "appealed": appealed, "appeal_overturned": outcome, "appeal_decided_at": appeal_at,
    })
    audits = audits.iloc[order].reset_index(drop=True)
    audits.insert(0, "item_id", [f"it{k:07d}" for k in range(n)])

    live = [(r, g) for r in REGIONS if (g := GO_LIVE_DAY[r]) is not None]
    changes = pd.DataFrame({
        "date": [day0 + pd.Timedelta(days=g) for _, g in live],
        "event": ["Guideline v3 goes live"] * len(live),
        "region": [r for r, _ in live]})
    return Dataset(audits=audits, truth=_truth(day0, days, effects), changes=changes)


def _truth(day0: pd.Timestamp, days: int, effects: Mapping[str, float]) -> tuple[
        dict[str, Any], ...]:
    out: list[dict[str, Any]] = []
    human = 1.0 - AUTOMATED_SHARE
    for r in REGIONS:
        g = GO_LIVE_DAY[r]
        at = 0 if g is None else g
        before = (AUTOMATED_SHARE * AUTOMATED_ERROR
                  + human * (BASE_HUMAN_ERROR + TREND * at / max(days - 1, 1)))
        change = human * effects.get(r, 0.0) if g is not None else 0.0
        out.append({
            "cause": "guideline v3 roll-out", "metric": "error rate",
            "segment": {"region": r}, "step": None,
            "start_day": None if g is None else str((day0 + pd.Timedelta(days=g)).date()),
            "effect": {"before": round(before, 6), "after": round(before + change, 6),
                       "change": round(change, 6)},
            "description": ("never goes live inside the data" if g is None else
                            f"human error rate {effects.get(r, 0.0):+.3f} from go-live "
                            f"(all decisions: {change:+.3f}); every region also drifts "
                            f"by {TREND:+.3f} over the period"),
        })
    prop = APPEAL_PROPENSITY
    out.append({"cause": "appeal behaviour", "metric": "appeal propensity",
                "segment": {}, "step": None, "start_day": None,
                "effect": {"action_right": prop["action"]["right"],
                           "action_wrong": prop["action"]["wrong"],
                           "no_action_right": prop["no_action"]["right"],
                           "no_action_wrong": prop["no_action"]["wrong"],
                           "overturn_right": prop["overturn"]["right"],
                           "overturn_wrong": prop["overturn"]["wrong"],
                           "decided": APPEAL_DECIDED},
                "description": "users appeal over-enforcement (an action on an item that "
                               "violates no policy) far more often than other actions; "
                               "notifiers complain against decisions not to act on items "
                               "they reported; appeal decisions median 30 h after the "
                               "decision (log-normal, log-sd 0.8)"})
    return tuple(out)
