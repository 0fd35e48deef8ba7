"""Built-in example datasets: small, synthetic, seeded, with their injected causes recorded.

Each dataset is a :class:`Dataset`: the audit table, optionally an event log, a change log
and a QA calibration exercise, and ``truth``, the root causes that were injected (which
segment, which process step, from which day, how large), so that analyses can be checked
against known answers. The data files ship inside the package and are read with
:mod:`importlib.resources`, so they work from a wheel.

* ``daily_audits``: 120 days of daily QA aggregates of one queue (one injected shift);
* the moderation scenarios ``policy_update``, ``escalation_handoff``,
  ``classifier_threshold``, ``weekend_staffing`` and ``baseline``: audit records, event log
  and calibration exercise from :func:`generate_moderation` (see ``datasets/README.md``).

Examples
--------
>>> import sixsigma.datasets as datasets
>>> datasets.list()[:3]
['baseline', 'classifier_threshold', 'daily_audits']
>>> ds = datasets.load("daily_audits")
>>> ds.audits.shape, ds.audits["day"].dtype.kind  # "M": datetime64
((120, 7), 'M')
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from functools import partial
from importlib import resources

import pandas as pd

from sixsigma.datasets._dataset import Dataset
from sixsigma.datasets.generator import generate_moderation
from sixsigma.datasets.many_series import generate_many_series
from sixsigma.datasets.qa_design import QADesign, generate_qa_design
from sixsigma.datasets.rollouts import generate_rollout
from sixsigma.datasets.scenarios import SCENARIOS
from sixsigma.datasets.shipped import read_scenario
from sixsigma.errors import ParameterError

__all__ = ["Dataset", "QADesign", "generate_many_series", "generate_moderation",
           "generate_qa_design", "generate_rollout", "list", "load"]


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


_LOADERS: dict[str, Callable[[], Dataset]] = {
    "daily_audits": _daily_audits,
    **{name: partial(read_scenario, name) for name in SCENARIOS},
}


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
        One of :func:`list`. ``"daily_audits"`` is 120 days of QA audits of a moderation
        queue (audited, errors by type, median handle time) with a change log and one
        injected shift (see ``sixsigma/datasets/README.md``). ``"policy_update"``,
        ``"escalation_handoff"``, ``"classifier_threshold"``, ``"weekend_staffing"`` and
        ``"baseline"`` are the shipped moderation scenarios: audit records, event log,
        calibration exercise, change log and truth, equal to
        ``generate_moderation(name, seed=20260105, days=90, daily_volume=3000)``
        (see ``datasets/README.md``).

    Returns
    -------
    Dataset
        A fresh copy of the data (changing it does not affect later loads).

    Raises
    ------
    ParameterError
        ``name`` is not a bundled dataset; the message lists the available names.

    See Also
    --------
    generate_moderation : the same scenarios at any size and seed.

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

    A moderation scenario, with its injected cause:

    >>> ds = datasets.load("escalation_handoff")
    >>> ds.audits.shape, ds.events.shape, ds.calibration.shape
    ((13405, 18), (82859, 4), (3840, 9))
    >>> cause = ds.truth[0]
    >>> cause["segment"], cause["step"], cause["start_day"], cause["effect"]["after"]
    ({'market': 'BR'}, 'escalate_l2', '2026-02-19', 0.3)
    """
    loader = _LOADERS.get(name) if isinstance(name, str) else None
    if loader is None:
        available = ", ".join(repr(k) for k in sorted(_LOADERS))
        raise ParameterError(f"load: the 'name' parameter must name a dataset; unknown dataset "
                             f"{name!r}; available: {available}.")
    return loader()
