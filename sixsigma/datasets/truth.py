"""The ``truth`` of a generated dataset: each injected cause and its expected size.

Each cause is a JSON-safe dict with the keys

``cause`` (str), ``metric`` (str), ``segment`` (dict: column -> value; a list means "any
of", a string such as ``"<30"`` a comparison), ``step`` (the process step where the cause
acts, an activity of the event log, or None), ``start_day`` (ISO date, or None when the
cause is not dated), ``effect`` (``{"before": x, "after": y}``) and ``description``.

The effect is the **generating model's expected value** of the metric over the segment's
audited rows before and after the start day (the mean of each row's probability, or of its
expected handle time), not the realised rate: the realised rate differs by sampling noise
only, which is how the tests check that every cause is visible at its stated size. For an
undated cause (calibration), ``before`` is the value outside the segment and ``after`` the
value inside it. A side without rows (possible only in tiny configurations) is None.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma.datasets.audits import HANDLE_SIGMA, UNDER_SHARE, Items, expected_sla_miss
from sixsigma.datasets.population import MARKETS, POLICIES, REGIONS
from sixsigma.datasets.scenarios import Scenario

__all__ = ["expected_rates", "moderation_truth"]


def expected_rates(it: Items) -> dict[str, NDArray[np.float64]]:
    """Each item's probability of each error type and of auto-action, given its covariates.

    Integrates over the item's latent label and route: with prevalence ``v``, auto-action
    probabilities ``a_v`` and ``a_n``, escalation ``e``, L1/L2 error ``p1``/``p2`` and the
    extra wrong-policy probability ``x``::

        over  = (1 - v) (a_n + (1 - a_n) ((1 - e) p1 + e p2))
        under = v (1 - a_v) ((1 - e) 0.6 p1 + e 0.6 p2)
        wrong = v (1 - a_v) ((1 - e) (0.4 p1 + x (1 - p1)) + e 0.4 p2)

    Parameters
    ----------
    it : dict of numpy.ndarray
        The items of :func:`sixsigma.datasets.audits.sample_items`.

    Returns
    -------
    dict of str to numpy.ndarray
        ``over_enforcement``, ``under_enforcement``, ``wrong_policy``, ``error`` and
        ``auto_action``, one probability per item.
    """
    v, a_v, a_n = it["prevalence"], it["p_auto_violating"], it["p_auto_benign"]
    e, p1, p2, x = it["p_escalate"], it["p_l1"], it["p_l2"], it["p_wrong_extra"]
    over = (1 - v) * (a_n + (1 - a_n) * ((1 - e) * p1 + e * p2))
    under = v * (1 - a_v) * UNDER_SHARE * ((1 - e) * p1 + e * p2)
    wrong = v * (1 - a_v) * ((1 - e) * ((1 - UNDER_SHARE) * p1 + x * (1 - p1))
                             + e * (1 - UNDER_SHARE) * p2)
    return {"over_enforcement": over, "under_enforcement": under, "wrong_policy": wrong,
            "error": over + under + wrong, "auto_action": v * a_v + (1 - v) * a_n}


def _mean(values: NDArray[np.float64], rows: NDArray[np.bool_], digits: int) -> float | None:
    """Mean over the rows, rounded; None when there are none (a tiny configuration)."""
    return round(float(values[rows].mean()), digits) if rows.any() else None


def _effect(values: NDArray[np.float64], segment: NDArray[np.bool_],
            after: NDArray[np.bool_], digits: int = 4) -> dict[str, float | None]:
    return {"before": _mean(values, segment & ~after, digits),
            "after": _mean(values, segment & after, digits)}


def moderation_truth(it: Items, spec: Scenario, change_day: int,
                     start: pd.Timestamp) -> list[dict[str, Any]]:
    """The causes injected into the audits and the event log by ``spec``.

    Parameters
    ----------
    it : dict of numpy.ndarray
        The items of :func:`sixsigma.datasets.audits.sample_items`.
    spec : Scenario
        The scenario.
    change_day : int
        Day index from which the cause acts.
    start : pandas.Timestamp
        Midnight of day 0.

    Returns
    -------
    list of dict
        One dict per (cause, metric); empty for the baseline.
    """
    audited = ~it["unaudited"]
    after = it["day"] >= change_day
    start_day = (start + pd.Timedelta(days=change_day)).strftime("%Y-%m-%d")
    rates = expected_rates(it)
    out: list[dict[str, Any]] = []

    def add(cause: str, metric: str, segment: dict[str, Any], step: str | None,
            values: NDArray[np.float64], rows: NDArray[np.bool_], description: str,
            digits: int = 4) -> None:
        out.append({"cause": cause, "metric": metric, "segment": segment, "step": step,
                    "start_day": start_day, "effect": _effect(values, rows, after, digits),
                    "description": description})

    if spec.wrong_policy_queue is not None:
        queue = POLICIES.index(spec.wrong_policy_queue)
        rows = audited & ~it["auto"] & (it["queue"] == queue) & (
            it["tenure"] < spec.new_hire_days)
        add("policy update", "wrong_policy_rate",
            {"queue": spec.wrong_policy_queue, "tenure_days": f"<{spec.new_hire_days}"},
            "human_review_l1", rates["wrong_policy"], rows,
            f"{spec.event}: L1 moderators with under {spec.new_hire_days} days' tenure in "
            f"{spec.wrong_policy_queue} label violating items with the wrong policy (extra "
            f"probability {spec.wrong_policy_extra} per violating item).")
    if spec.handoff_market is not None:
        market = [m.name for m in MARKETS].index(spec.handoff_market)
        rows = audited & it["escalated"] & (it["market"] == market)
        add("escalation hand-off", "error_rate", {"market": spec.handoff_market},
            "escalate_l2", it["p_l2"], rows,
            f"{spec.event}: items of market {spec.handoff_market} that go through "
            f"escalate_l2 come back wrong (L2 error probability {spec.handoff_error_rate}); "
            "the rate is over those escalated items.")
    if spec.threshold_region is not None:
        rows = audited & (it["region"] == REGIONS.index(spec.threshold_region))
        segment: dict[str, Any] = {"region": spec.threshold_region}
        for metric, key in (("over_enforcement_rate", "over_enforcement"),
                            ("auto_action_share", "auto_action")):
            add("classifier threshold", metric, segment, "auto_classify", rates[key], rows,
                f"{spec.event}: more items of region {spec.threshold_region} are "
                "auto-actioned, benign ones included (over-enforcement by 'system').")
    if spec.weekend_wait_factor != 1.0 or spec.weekend_handle_factor != 1.0:
        rows = audited & it["weekend"]
        segment = {"day_of_week": ["Saturday", "Sunday"]}
        add("weekend staffing", "sla_miss_rate", segment, "human_review_l1",
            expected_sla_miss(it), rows,
            f"{spec.event}: weekend L1 waits x{spec.weekend_wait_factor}; the share of "
            "decisions with turnaround_seconds > 86400 (24 h SLA) rises.")
        handle = np.where(it["auto"], 0.0, np.exp(it["mu_handle"] + HANDLE_SIGMA ** 2 / 2))
        add("weekend staffing", "mean_handle_seconds", segment, "human_review_l1", handle,
            rows, f"{spec.event}: weekend handle times x{spec.weekend_handle_factor} "
            "(mean over all audited rows, auto-actions counting 0 s).", digits=1)
    return out
