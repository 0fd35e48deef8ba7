"""The :class:`Dataset` container returned by ``load`` and ``generate_moderation``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Dataset"]


@dataclass(frozen=True)
class Dataset:
    """A bundled or generated dataset and the ground truth of what was injected into it.

    Attributes
    ----------
    audits : pandas.DataFrame
        The audit table (one row per day for aggregated data, per decision for records).
    events : pandas.DataFrame or None
        An event log (``case_id, activity, timestamp, resource``), when the dataset has one.
    truth : tuple of dict
        The injected causes. For the moderation scenarios: ``cause``, ``metric``,
        ``segment`` (column -> value), ``step`` (process step or None), ``start_day`` (ISO
        date or None), ``effect`` (``{"before": x, "after": y}``) and ``description``; for
        ``daily_audits``: ``cause``, ``metric``, ``from_day``, ``before``, ``after``.
    changes : pandas.DataFrame or None
        A change log with columns ``date`` (datetime64) and ``event``: can be passed as
        ``stage=`` to the control charts.
    calibration : pandas.DataFrame or None
        A QA calibration exercise (``round, item_id, policy, rater, trial, rating,
        severity, standard, standard_severity``), when the dataset has one.
    """

    audits: pd.DataFrame
    events: pd.DataFrame | None = None
    truth: tuple[dict[str, Any], ...] = ()
    changes: pd.DataFrame | None = None
    calibration: pd.DataFrame | None = None
