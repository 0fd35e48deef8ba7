"""The QA calibration exercise: raters label golden items blind, twice per weekly round.

Each round has its own golden set of :data:`ITEMS` items (8 per policy; 70 % violating
under the item's policy, the rest ``no_violation``), rated twice (``trial`` 1 and 2) by the
:data:`RATERS` QA reviewers of the event log. A rater gives the golden label with
probability ``expit(2.6 + rater + policy + round)`` (about 93 % for an average rater);
otherwise a benign item gets its policy's label, a violating one ``no_violation`` (60 %)
or another policy. The severity is the golden severity plus a rounded normal error (SD 0.5,
1.0 for a poorly calibrated rater), clipped to 1-4. Injected (unless the scenario is
``baseline``):

* policy ``harassment`` is ambiguous: logit -1.8 (agreement well below the others);
* rater ``qa-06`` is poorly calibrated: logit -1.6;
* agreement drifts down in rounds 3-4 (logit -0.9) and recovers after the recalibration
  workshop held before round 5.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit

from sixsigma.datasets.events import QA_RATERS
from sixsigma.datasets.population import NO_VIOLATION, POLICIES

__all__ = ["ROUNDS", "calibration_exercise", "round_dates"]

ROUNDS = 6
ITEMS = 40
TRIALS = 2
RATERS = QA_RATERS
BASE_LOGIT = 2.6
RATER_SD = 0.2
AMBIGUOUS_POLICY, AMBIGUOUS_LOGIT = "harassment", -1.8
POOR_RATER, POOR_LOGIT = "qa-06", -1.6
DRIFT_ROUNDS, DRIFT_LOGIT = (3, 4), -0.9
RECALIBRATION_ROUND = 5


def round_dates(start: pd.Timestamp) -> list[pd.Timestamp]:
    """Dates of the rounds: weekly, on the fourth day of each week of the period."""
    return [start + pd.Timedelta(days=7 * r + 3) for r in range(ROUNDS)]


def _design() -> dict[str, NDArray[np.int64]]:
    """Index arrays of the full design: round x item x rater x trial."""
    grid = np.meshgrid(np.arange(ROUNDS), np.arange(ITEMS), np.arange(len(RATERS)),
                       np.arange(TRIALS), indexing="ij")
    return dict(zip(("round", "item", "rater", "trial"), (g.ravel() for g in grid),
                    strict=True))


def calibration_exercise(rng: np.random.Generator, *, causes: bool, start: pd.Timestamp
                         ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Draw the ratings and state the injected problems.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream of the calibration.
    causes : bool
        Inject the ambiguous policy, the poor rater and the drift.
    start : pandas.Timestamp
        Day 0 of the period (the rounds are weekly from it).

    Returns
    -------
    (pandas.DataFrame, list of dict)
        The ratings (schema: ``round, item_id, policy, rater, trial, rating, severity,
        standard, standard_severity``) and the truth entries, whose effects are the
        model's expected share of ratings equal to the standard.
    """
    k = len(POLICIES)
    item_policy = np.tile(np.repeat(np.arange(k), ITEMS // k), (ROUNDS, 1))  # (round, item)
    violating = rng.random((ROUNDS, ITEMS)) < 0.7
    standard = np.where(violating, item_policy, k)
    standard_sev = np.where(violating, rng.integers(1, 5, (ROUNDS, ITEMS)), 1)
    rater_effect = rng.normal(0.0, RATER_SD, len(RATERS))
    policy_effect = np.zeros(k)
    round_effect = np.zeros(ROUNDS)
    poor = RATERS.index(POOR_RATER)
    if causes:
        policy_effect[POLICIES.index(AMBIGUOUS_POLICY)] = AMBIGUOUS_LOGIT
        rater_effect[poor] += POOR_LOGIT
        round_effect[np.asarray(DRIFT_ROUNDS) - 1] = DRIFT_LOGIT

    d = _design()
    r, i, a = d["round"], d["item"], d["rater"]
    pol = item_policy[r, i]
    p_right = expit(BASE_LOGIT + rater_effect[a] + policy_effect[pol] + round_effect[r])
    n = p_right.size
    right = rng.random(n) < p_right
    std = standard[r, i]
    miss = rng.random(n) < 0.6
    other = (pol + rng.integers(1, k, n)) % k
    wrong = np.where(std == k, pol, np.where(miss, k, other))
    rating = np.where(right, std, wrong)
    sd = np.where(causes & (a == poor), 1.0, 0.5)
    severity = np.clip(standard_sev[r, i] + np.rint(rng.normal(0.0, 1.0, n) * sd), 1, 4)

    labels = np.array([*POLICIES, NO_VIOLATION], dtype=object)
    item_names = np.array([f"g{rr + 1}-{ii + 1:03d}" for rr in range(ROUNDS)
                           for ii in range(ITEMS)], dtype=object)
    frame = pd.DataFrame({
        "round": (r + 1).astype(np.int64),
        "item_id": pd.Series(item_names[r * ITEMS + i], dtype="str"),
        "policy": pd.Series(labels[pol], dtype="str"),
        "rater": pd.Series(np.array(RATERS, dtype=object)[a], dtype="str"),
        "trial": (d["trial"] + 1).astype(np.int64),
        "rating": pd.Series(labels[rating], dtype="str"),
        "severity": severity.astype(np.int64),
        "standard": pd.Series(labels[std], dtype="str"),
        "standard_severity": standard_sev[r, i].astype(np.int64),
    })
    truth = _truth(p_right, pol, a, r, poor, start) if causes else []
    return frame, truth


def _truth(p_right: NDArray[np.float64], pol: NDArray[np.int64], rater: NDArray[np.int64],
           rnd: NDArray[np.int64], poor: int, start: pd.Timestamp) -> list[dict[str, Any]]:
    def share(mask: NDArray[np.bool_]) -> float:
        return round(float(p_right[mask].mean()), 4)

    policy, drift, recal = AMBIGUOUS_POLICY, DRIFT_ROUNDS, RECALIBRATION_ROUND
    dates = round_dates(start)
    in_policy = pol == POLICIES.index(policy)
    in_rater = rater == poor
    first, low, late = rnd < 2, np.isin(rnd + 1, np.asarray(drift)), rnd + 1 >= recal

    def entry(cause: str, segment: dict[str, Any], start_day: str | None, before: float,
              after: float, description: str) -> dict[str, Any]:
        return {"cause": cause, "metric": "calibration_accuracy", "segment": segment,
                "step": "qa_audit", "start_day": start_day,
                "effect": {"before": before, "after": after}, "description": description}

    return [
        entry("ambiguous policy", {"policy": policy}, None, share(~in_policy),
              share(in_policy), f"Policy {policy} is ambiguous: raters agree with the "
              "standard (and with each other) less often; before = other policies."),
        entry("poorly calibrated rater", {"rater": QA_RATERS[poor]}, None, share(~in_rater),
              share(in_rater), f"Rater {QA_RATERS[poor]} disagrees with the standard more "
              "often and is less consistent on severity; before = other raters."),
        entry("calibration drift", {"round": list(drift)},
              dates[min(drift) - 1].strftime("%Y-%m-%d"), share(first), share(low),
              "Agreement drifts down in rounds 3-4; before = rounds 1-2."),
        entry("recalibration", {"round": list(range(recal, ROUNDS + 1))},
              dates[recal - 1].strftime("%Y-%m-%d"), share(low), share(late),
              "A recalibration workshop before round 5 restores agreement; before = "
              "rounds 3-4."),
    ]
