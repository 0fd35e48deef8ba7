"""The named scenarios of :func:`sixsigma.datasets.generate_moderation`.

A scenario is a small set of parameters layered on the common operation of
:mod:`sixsigma.datasets.population`: from its change day (``start_fraction`` of the period,
day 45 of 90 by default) one cause changes one probability or multiplier in one segment.
All scenarios consume the same random numbers, so two scenarios generated with the same
seed differ only where the cause acts: ``"baseline"`` is the counterfactual of the others.

========================  ==================================================================
scenario                  injected cause (from the change day)
========================  ==================================================================
``policy_update``         L1 reviewers with under 30 days' tenure in ``hate_speech`` pick
                          the wrong policy: +0.25 probability on violating items they review
``escalation_handoff``    L2 loses context on items escalated from market ``BR``: their L2
                          error probability becomes 0.30 (0.06 elsewhere)
``classifier_threshold``  the classifier threshold is lowered in region ``APAC``: auto-action
                          probability +0.12 on benign items, +35 % of the remaining gap on
                          violating items (queues with a classifier: spam, adult,
                          violent_extremism)
``weekend_staffing``      weekend staffing is cut: L1 queue waits x3 and handle times x1.3 on
                          Saturdays and Sundays
``baseline``              nothing (and no calibration problems)
========================  ==================================================================

Every scenario but ``baseline`` also has the calibration problems of
:mod:`sixsigma.datasets.calibration` (an ambiguous policy, a poorly calibrated rater, a
drift in rounds 3-4 and a recalibration before round 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from sixsigma.errors import ParameterError

__all__ = ["SCENARIOS", "Scenario", "get_scenario"]


@dataclass(frozen=True)
class Scenario:
    """Parameters of one scenario; the defaults inject nothing.

    Attributes
    ----------
    name, summary : str
        The name used by ``generate_moderation`` and ``load``; one line on the cause.
    event : str or None
        The change-log entry dated on the change day (None: no dated event).
    start_fraction : float
        The change day is ``int(days * start_fraction)`` (day 45 of 90).
    wrong_policy_queue, wrong_policy_extra, new_hire_days
        policy_update: in this queue, L1 moderators with ``tenure_days < new_hire_days``
        choose a wrong policy on a violating item with an extra probability
        ``wrong_policy_extra * (1 - p_error)``.
    handoff_market, handoff_error_rate
        escalation_handoff: the L2 error probability of items escalated in this market.
    threshold_region, auto_benign_lift, auto_violating_lift
        classifier_threshold: in this region, P(auto-action | benign) rises by
        ``auto_benign_lift`` and P(auto-action | violating) by ``auto_violating_lift``
        times its distance to 1 (only in queues that have a classifier).
    weekend_wait_factor, weekend_handle_factor
        weekend_staffing: multipliers of the L1 queue wait and of the handle time on
        Saturdays and Sundays.
    calibration_causes : bool
        Whether the calibration exercise has its injected problems.
    """

    name: str
    summary: str
    event: str | None = None
    start_fraction: float = 0.5
    wrong_policy_queue: str | None = None
    wrong_policy_extra: float = 0.0
    new_hire_days: int = 30
    handoff_market: str | None = None
    handoff_error_rate: float = 0.0
    threshold_region: str | None = None
    auto_benign_lift: float = 0.0
    auto_violating_lift: float = 0.0
    weekend_wait_factor: float = 1.0
    weekend_handle_factor: float = 1.0
    calibration_causes: bool = True


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "policy_update",
            "A policy update raises wrong-policy errors among new hate-speech reviewers.",
            event="Policy update: hate speech v3",
            wrong_policy_queue="hate_speech",
            wrong_policy_extra=0.25,
        ),
        Scenario(
            "escalation_handoff",
            "A new L2 hand-off loses context in BR: escalated items come back wrong.",
            event="Escalation hand-off moved to the new L2 tool (BR)",
            handoff_market="BR",
            handoff_error_rate=0.30,
        ),
        Scenario(
            "classifier_threshold",
            "A lower classifier threshold in APAC auto-actions benign items.",
            event="Classifier release: APAC auto-action threshold 0.90 -> 0.80",
            threshold_region="APAC",
            auto_benign_lift=0.12,
            auto_violating_lift=0.35,
        ),
        Scenario(
            "weekend_staffing",
            "Weekend staffing is cut: longer waits and handle times, SLA misses.",
            event="Weekend rota reduced",
            weekend_wait_factor=3.0,
            weekend_handle_factor=1.3,
        ),
        Scenario(
            "baseline",
            "No injected cause: common-cause variation only.",
            calibration_causes=False,
        ),
    )
}


def get_scenario(name: str, caller: str = "generate_moderation") -> Scenario:
    """Return the scenario called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`SCENARIOS`.
    caller : str
        The public function named in the error message.

    Returns
    -------
    Scenario
        Its parameters.

    Raises
    ------
    ParameterError
        ``name`` is not a scenario; the message lists the names.

    Examples
    --------
    >>> get_scenario("policy_update").wrong_policy_extra
    0.25
    """
    scenario = SCENARIOS.get(name) if isinstance(name, str) else None
    if scenario is None:
        names = ", ".join(repr(k) for k in SCENARIOS)
        raise ParameterError(f"{caller}: the 'scenario' parameter must name a scenario; unknown "
                             f"scenario {name!r}; available: {names}.")
    return scenario
