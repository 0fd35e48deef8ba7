"""``generate_moderation``: seeded moderation data with known root causes.

The pieces live in their own modules: :mod:`~sixsigma.datasets.population` (queues,
markets, moderators), :mod:`~sixsigma.datasets.scenarios` (the named causes),
:mod:`~sixsigma.datasets.audits` (the audited decisions), :mod:`~sixsigma.datasets.events`
(their event log), :mod:`~sixsigma.datasets.calibration` (the QA calibration exercise) and
:mod:`~sixsigma.datasets.truth` (the expected size of each cause).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from sixsigma.datasets._dataset import Dataset
from sixsigma.datasets.audits import audit_frame, item_ids, sample_items, sort_items
from sixsigma.datasets.calibration import RECALIBRATION_ROUND, calibration_exercise, round_dates
from sixsigma.datasets.events import event_log
from sixsigma.datasets.population import make_roster
from sixsigma.datasets.scenarios import Scenario, get_scenario
from sixsigma.datasets.truth import moderation_truth
from sixsigma.errors import ParameterError

__all__ = ["generate_moderation"]

CALLER = "generate_moderation"


def _integer(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ParameterError(f"{CALLER}: {name} must be an integer >= {minimum}; got "
                             f"{value!r}.")
    return int(value)


def _rate(value: Any) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not 0.0 < float(value) <= 1.0:
        raise ParameterError(f"{CALLER}: audit_rate must be a number in (0, 1]; got {value!r}.")
    return float(value)


def _start(value: Any) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{CALLER}: start must be a date such as '2026-01-05'; got "
                             f"{value!r}.") from err
    if pd.isna(stamp) or stamp.tzinfo is not None:
        raise ParameterError(f"{CALLER}: start must be a naive date (UTC) such as "
                             f"'2026-01-05'; got {value!r}.")
    return pd.Timestamp(stamp.normalize())


def _changes(spec: Scenario, change_day: int, start: pd.Timestamp) -> pd.DataFrame:
    rows: list[tuple[pd.Timestamp, str]] = []
    if spec.event is not None:
        rows.append((start + pd.Timedelta(days=change_day), spec.event))
    if spec.calibration_causes:
        workshop = round_dates(start)[RECALIBRATION_ROUND - 1] - pd.Timedelta(days=1)
        rows.append((workshop, "QA recalibration workshop"))
    rows.sort(key=lambda row: row[0])
    return pd.DataFrame({
        "date": pd.Series([d for d, _ in rows], dtype="datetime64[us]"),
        "event": pd.Series([e for _, e in rows], dtype="str"),
    })


def generate_moderation(scenario: str = "policy_update", *, seed: int = 0, days: int = 90,
                        daily_volume: int = 20_000, audit_rate: float = 0.05,
                        start: Any = "2026-01-05", events: bool = True,
                        calibration: bool = True) -> Dataset:
    """Generate audited moderation decisions, their event log and a calibration exercise.

    A synthetic Trust & Safety operation (five queues, nine markets in four regions, about
    400 moderators each in one queue and one market) decides ``daily_volume`` items a day;
    QA audits a share ``audit_rate`` of them. On the change day (day 45 of 90) the
    scenario's cause starts acting on one segment; ``truth`` states it and its expected
    size. Realism: accuracy about 94 %, a weekly volume pattern, day-to-day overdispersion
    (logit-normal day x queue noise, so Laney's p' chart is the right one), new hires who
    err more and work slower, business-hours backlogs. Everything is vectorised: 10 million
    audit rows take well under a minute.

    Parameters
    ----------
    scenario : str, default "policy_update"
        ``"policy_update"``, ``"escalation_handoff"``, ``"classifier_threshold"``,
        ``"weekend_staffing"`` or ``"baseline"`` (no cause); see
        :mod:`sixsigma.datasets.scenarios` and ``datasets/README.md``.
    seed : int, default 0
        Seed of the numpy random generator (independent streams for the roster, the
        audits, the event log and the calibration). Same seed, same output, byte for byte;
        all scenarios draw the same random numbers, so ``"baseline"`` is the counterfactual.
    days : int, default 90
        Length of the period (>= 1).
    daily_volume : int, default 20000
        Decisions per day over all queues (>= 1), before the weekly pattern.
    audit_rate : float, default 0.05
        Share of decisions audited, in (0, 1]. About ``days * daily_volume * audit_rate``
        audit rows result.
    start : str or datetime-like, default "2026-01-05"
        Day 0 (a Monday by default), UTC.
    events : bool, default True
        Build the event log (about 7 events per audited item); False skips it (faster).
    calibration : bool, default True
        Build the calibration exercise (8 raters x 40 items x 2 trials x 6 rounds).

    Returns
    -------
    Dataset
        ``audits`` (one row per audited decision, sorted by ``decided_at``; columns as in
        ``sixsigma.moderation.AUDIT_COLUMNS``), ``events`` (or None), ``truth`` (tuple of
        dicts), ``changes`` (``date``, ``event``) and ``calibration`` (or None).

    Raises
    ------
    ParameterError
        Unknown scenario (the message lists the names), ``days`` or ``daily_volume`` below
        1 or not integers, ``audit_rate`` outside (0, 1], a negative seed, a ``start`` that
        is not a date.

    See Also
    --------
    load : the shipped versions of the scenarios (``days=90, daily_volume=4000``).

    Notes
    -----
    The audited items are drawn directly (the unaudited decisions are never
    materialised). About 0.5 % of audits were not completed: their ``qa_decision`` is
    missing, their ``error_type`` is ``""`` and their ``severity`` 0, and their trace has no
    ``qa_audit`` event. Auto-actioned items have ``moderator_id == "system"``,
    ``tenure_days`` 0 and ``handle_seconds`` 0.

    Examples
    --------
    >>> from sixsigma.datasets import generate_moderation
    >>> ds = generate_moderation("policy_update", days=14, daily_volume=2000)
    >>> ds.audits.shape
    (1364, 18)
    >>> audited = ds.audits[ds.audits["qa_decision"].notna()]
    >>> round(float((audited["error_type"] == "").mean()), 3)  # accuracy
    0.927
    >>> cause = ds.truth[0]
    >>> cause["metric"], cause["segment"], cause["start_day"]
    ('wrong_policy_rate', {'queue': 'hate_speech', 'tenure_days': '<30'}, '2026-01-12')
    >>> ds.events["activity"].iloc[0], ds.events["activity"].iloc[-1]
    ('ingest', 'closed')
    >>> ds.calibration.shape
    (3840, 9)
    """
    spec = get_scenario(scenario, CALLER)
    seed = _integer("seed", seed, 0)
    days = _integer("days", days, 1)
    daily_volume = _integer("daily_volume", daily_volume, 1)
    audit_rate = _rate(audit_rate)
    day0 = _start(start)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    roster = make_roster(streams[0], days)
    change_day = int(days * spec.start_fraction)
    items = sample_items(streams[1], spec, roster, days=days, weekday0=day0.day_of_week,
                         daily_volume=daily_volume, audit_rate=audit_rate,
                         change_day=change_day)
    truth = moderation_truth(items, spec, change_day, day0)
    items = sort_items(items)
    ids = item_ids(items["day"].size)
    audits = audit_frame(items, ids, roster, day0)
    log = event_log(streams[2], items, ids, roster.size, day0) if events else None
    cal = None
    if calibration:
        cal, cal_truth = calibration_exercise(streams[3], causes=spec.calibration_causes,
                                              start=day0)
        truth += cal_truth
    return Dataset(audits=audits, events=log, truth=tuple(truth),
                   changes=_changes(spec, change_day, day0), calibration=cal)
