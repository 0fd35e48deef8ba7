"""``generate_many_series``: daily QA counts of many queue x policy x market series.

The scenario of a Monday review (``sixsigma.spc.screen``): by default 4 queues x 6 policies x
10 markets = 240 series of 90 days of daily audits (``audited``, ``errors``), generated
from a seed, with a few injected sustained shifts whose truth is returned.

How the data are made
---------------------
* Each series has a base error rate drawn log-normally around 4% (between about 1.5% and
  10%) and a daily audit volume drawn between 60 and 400 (Poisson around it each day).
* A third of the series are overdispersed: their daily rate is multiplied by
  exp(N(0, 0.3^2)) (day-to-day variation beyond the binomial, as Laney's p' expects).
* About 3% of series-days have no audits at all (no row, not a row of zeros), and the
  series of markets ``m08`` and ``m09`` are not audited on Sundays.
* ``shifts`` series (4 by default, among the series audited at least 150 times a day) get
  a sustained multiplicative shift of their error rate from a start day to the end: they
  begin 60, 40, 21 (three weeks before the end) and 10 days before the last day, with
  factors 1.8, 1.7, 2.0 and 2.2. ``truth`` lists each: ``series`` (a dict of keys),
  ``start_day``, ``days_before_end``, ``before``, ``after`` and ``factor``.

No data file ships: the scenario is cheap to generate (``seed=`` makes it reproducible).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from sixsigma.datasets._dataset import Dataset
from sixsigma.errors import ParameterError

__all__ = ["generate_many_series"]

_STARTS = (60, 40, 21, 10)
_FACTORS = (1.8, 1.7, 2.0, 2.2)


def _whole(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ParameterError(f"generate_many_series: the {name!r} parameter must be a whole "
                             f"number >= {minimum}; got {value!r}.")
    return int(value)


def generate_many_series(
    seed: int = 0,
    *,
    days: int = 90,
    queues: int = 4,
    policies: int = 6,
    markets: int = 10,
    shifts: int = 4,
    start: str = "2026-01-05",
) -> Dataset:
    """Daily audit counts of queue x policy x market series, with injected shifts.

    Parameters
    ----------
    seed : int
        Seed of the generator.
    days : int
        Days per series (the shifts need ``days`` > 60 to all fit; later ones are kept).
    queues, policies, markets : int
        Number of each key; the series are every combination.
    shifts : int
        Number of series with an injected shift (at most 4; 0 for a null scenario).
    start : str
        The first day (ISO date).

    Returns
    -------
    Dataset
        ``audits``: columns ``day, queue, policy, market, audited, errors`` (one row per
        audited series-day); ``truth``: the injected shifts.

    Examples
    --------
    >>> from sixsigma.datasets import generate_many_series
    >>> ds = generate_many_series(seed=0)
    >>> ds.audits.groupby(["queue", "policy", "market"]).ngroups
    240
    >>> [t["start_day"] for t in ds.truth]
    ['2026-02-04', '2026-02-24', '2026-03-15', '2026-03-26']
    """
    seed = _whole("seed", seed, 0)
    days = _whole("days", days, 2)
    nq, npol, nm = (_whole(k, v, 1) for k, v in
                    (("queues", queues), ("policies", policies), ("markets", markets)))
    shifts = _whole("shifts", shifts, 0)
    if shifts > len(_STARTS):
        raise ParameterError(f"generate_many_series: at most {len(_STARTS)} shifts; got "
                             f"{shifts}.")
    rng = np.random.default_rng(seed)
    q = np.repeat(np.arange(nq), npol * nm)
    pol = np.tile(np.repeat(np.arange(npol), nm), nq)
    mk = np.tile(np.arange(nm), nq * npol)
    k = q.size
    base = np.clip(0.04 * np.exp(rng.normal(0.0, 0.35, k)), 0.012, 0.12)
    volume = rng.uniform(60, 400, k)
    overdispersed = rng.random(k) < 1 / 3
    factor = np.ones((k, days))
    truth = []
    # shifts are injected into series audited enough to show them (>= 150 a day)
    pool = np.flatnonzero(volume >= 150) if (volume >= 150).sum() >= shifts else np.arange(k)
    chosen = rng.choice(pool, size=min(shifts, pool.size), replace=False)
    day0 = pd.Timestamp(start)
    for j, s in enumerate(chosen.tolist()):
        begin = days - _STARTS[j]
        if begin < 1:
            continue
        factor[s, begin:] = _FACTORS[j]
        truth.append({
            "cause": "sustained shift", "metric": "error rate",
            "series": {"queue": f"q{q[s] + 1}", "policy": f"p{pol[s] + 1:02d}",
                       "market": f"m{mk[s] + 1:02d}"},
            "start_day": (day0 + pd.Timedelta(days=begin)).date().isoformat(),
            "days_before_end": _STARTS[j], "before": round(float(base[s]), 4),
            "after": round(float(base[s] * _FACTORS[j]), 4), "factor": _FACTORS[j],
        })
    noise = np.where(overdispersed[:, None], rng.normal(0.0, 0.3, (k, days)), 0.0)
    rate = np.clip(base[:, None] * factor * np.exp(noise), 0.0, 1.0)
    audited = rng.poisson(np.repeat(volume[:, None], days, axis=1))
    errors = rng.binomial(audited, rate)
    dates = pd.date_range(day0, periods=days, freq="D")
    present = (rng.random((k, days)) > 0.03) & (audited > 0)
    sunday = (dates.day_of_week == 6)[None, :] & (mk >= 7)[:, None]
    present &= ~sunday
    si, di = np.nonzero(present)
    audits = pd.DataFrame({
        "day": dates[di],
        "queue": np.char.add("q", (q[si] + 1).astype(str)),
        "policy": np.char.add("p", np.char.zfill((pol[si] + 1).astype(str), 2)),
        "market": np.char.add("m", np.char.zfill((mk[si] + 1).astype(str), 2)),
        "audited": audited[si, di].astype(np.int64),
        "errors": errors[si, di].astype(np.int64),
    })
    for col in ("queue", "policy", "market"):
        audits[col] = audits[col].astype(object)
    audits = audits.sort_values(["day", "queue", "policy", "market"], kind="mergesort")
    return Dataset(audits=audits.reset_index(drop=True), truth=tuple(truth))
