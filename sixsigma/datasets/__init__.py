"""Built-in example datasets: small, synthetic, seeded, with their injected causes recorded.

Each dataset is a :class:`Dataset`: the audit table, optionally an event log and a change
log, and ``truth``, the root causes that were injected (which metric, from which day, how
large), so that analyses can be checked against known answers. The data files ship inside
the package and are read with :mod:`importlib.resources`, so they work from a wheel.

Examples
--------
>>> import sixsigma.datasets as datasets
>>> datasets.list()
['daily_audits']
>>> ds = datasets.load("daily_audits")
>>> ds.audits.shape, ds.audits["day"].dtype.kind  # "M": datetime64
((120, 7), 'M')
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd

from sixsigma.errors import ParameterError

__all__ = ["Dataset", "list", "load"]


@dataclass(frozen=True)
class Dataset:
    """A bundled dataset and the ground truth of what was injected into it.

    Attributes
    ----------
    audits : pandas.DataFrame
        The audit table (one row per day for aggregated data, per decision for records).
    events : pandas.DataFrame or None
        An event log (case, activity, timestamp), when the dataset has one.
    truth : tuple of dict
        The injected causes: ``cause``, ``metric``, ``from_day`` (ISO date), ``before`` and
        ``after`` (the true values).
    changes : pandas.DataFrame or None
        A change log with columns ``date`` (datetime64) and ``event``: can be passed as
        ``stage=`` to the control charts.
    """

    audits: pd.DataFrame
    events: pd.DataFrame | None = None
    truth: tuple[dict[str, Any], ...] = ()
    changes: pd.DataFrame | None = None


def _read_csv(name: str, dates: builtins.list[str]) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, parse_dates=dates)


def _daily_audits() -> Dataset:
    truth = (
        {"cause": "policy update", "metric": "error rate", "from_day": "2026-03-26",
         "before": 0.05, "after": 0.07},
        {"cause": "policy update", "metric": "over-enforcement rate",
         "from_day": "2026-03-26", "before": 0.0225, "after": 0.04},
        {"cause": "policy update", "metric": "median handle seconds",
         "from_day": "2026-03-26", "before": 95.0, "after": 104.0},
    )
    return Dataset(audits=_read_csv("daily_audits.csv", ["day"]), truth=truth,
                   changes=_read_csv("changes.csv", ["date"]))


_LOADERS: dict[str, Callable[[], Dataset]] = {"daily_audits": _daily_audits}


def list() -> builtins.list[str]:  # noqa: A001 - the public name is part of the contract
    """Names of the bundled datasets, sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`load`.

    Examples
    --------
    >>> import sixsigma.datasets as datasets
    >>> "daily_audits" in datasets.list()
    True
    """
    return sorted(_LOADERS)


def load(name: str) -> Dataset:
    """Load a bundled dataset by name.

    Parameters
    ----------
    name : str
        One of :func:`list`: ``"daily_audits"`` is 120 days of QA audits of a moderation
        queue (audited, errors by type, median handle time) with a change log and one
        injected shift (see ``sixsigma/datasets/README.md``).

    Returns
    -------
    Dataset
        A fresh copy of the data (changing it does not affect later loads).

    Raises
    ------
    ParameterError
        ``name`` is not a bundled dataset; the message lists the available names.

    Examples
    --------
    >>> import sixsigma as ss
    >>> from sixsigma import datasets
    >>> ds = datasets.load("daily_audits")
    >>> ds.changes["event"].tolist()
    ['Policy update: hate speech v3']
    >>> chart = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
    ...                        stage=ds.changes)
    >>> [s.name for s in chart.stages]
    ['baseline', 'Policy update: hate speech v3']
    >>> ds.truth[0]["from_day"], ds.truth[0]["after"]
    ('2026-03-26', 0.07)
    """
    loader = _LOADERS.get(name) if isinstance(name, str) else None
    if loader is None:
        available = ", ".join(repr(k) for k in sorted(_LOADERS))
        raise ParameterError(f"load: unknown dataset {name!r}; available: {available}.")
    return loader()
