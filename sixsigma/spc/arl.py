"""In-control average run length (ARL) of run-rule sets, by Monte Carlo simulation.

The model is an individuals chart with known centre 0 and sigma 1 (limits +/-3, one zone
per sigma) fed with i.i.d. standard normal data. The run length is the number of points
up to and including the first signal of any rule in the set; the ARL is its mean. Adding
rules to rule 1 makes a chart far more sensitive, and far more prone to false alarms:
Nelson's eight rules together alarm about once every 74 points of a stable process, the
four Western Electric tests once every 92, and rule 1 alone once every 370.

The Anhøj rules are not included: they judge a whole series of given length (the limits
depend on the number of useful points, and ``anhoj_crossings`` can only signal at the end
of a segment), so a run length to the first signal in an unbounded sequence is not
defined for them. :func:`in_control_arl` rejects them.

References
----------
.. [1] Champ, C. W., & Woodall, W. H. (1987). Exact results for Shewhart control charts with
   supplementary runs rules. *Technometrics*, 29(4), 393-399.
.. [2] Nelson, L. S. (1984). The Shewhart control chart - tests for special causes.
   *Journal of Quality Technology*, 16(4), 237-239.
.. [3] Western Electric Company (1956). *Statistical Quality Control Handbook*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray

from sixsigma._params import check_number
from sixsigma.errors import ParameterError
from sixsigma.spc.rules import RULE_SETS, find_violations, resolve_rules, rule_params

__all__ = ["IN_CONTROL_ARL", "IN_CONTROL_ARL_SE", "in_control_arl", "simulate_run_lengths"]

# Longest look-back of any Nelson / Western Electric rule (15 points within 1 sigma).
_HISTORY: Final[int] = 14
_POINTS_PER_BLOCK: Final[int] = 4_000_000

IN_CONTROL_ARL: Final[dict[str, float]] = {
    "nelson": 73.77,
    "western_electric": 91.73,
    "nelson_1": 371.73,
    "nelson_2": 507.92,
    "nelson_3": 424.22,
    "nelson_4": 603.13,
    "nelson_5": 511.19,
    "nelson_6": 292.5,
    "nelson_7": 964.56,
    "nelson_8": 14266.7,
    "we_1": 371.73,
    "we_2": 511.19,
    "we_3": 292.5,
    "we_4": 253.46,
    "nelson_1+nelson_2": 216.02,
    "nelson_1+nelson_5": 226.13,
    "nelson_1+nelson_6": 166.41,
    "nelson_1+nelson_5+nelson_6": 133.1,
    "nelson_1+nelson_2+nelson_3": 146.05,
    "nelson_1+nelson_2+nelson_5+nelson_6": 109.39,
}
"""Simulated in-control ARL of single rules and rule sets (individuals chart, N(0, 1) data).

Keys are a rule id, a rule-set name (``"nelson"``: all eight rules, ``"western_electric"``:
all four) or ids joined by ``+``. Each value is the mean of 100 000 simulated run lengths,
``simulate_run_lengths(rules, runs=100_000, seed=20240601)`` (about 45 s for the whole
table, most of it for ``nelson_8``). Its Monte Carlo standard error, sd / sqrt(100 000), is
in :data:`IN_CONTROL_ARL_SE`: about 0.3 % of the value, as run lengths are close to
geometric. ``we_1``, ``we_2`` and ``we_3`` are the same tests as ``nelson_1``, ``nelson_5``
and ``nelson_6`` and repeat their values. The Anhøj rules are omitted (see the module
docstring).

Cross-checks against exact values; every entry is within two standard errors:

* ``nelson_1``: 1 / P(|Z| > 3) = 370.40 (simulated 371.73 +/- 1.17, +1.1 SE).
* ``nelson_2`` (9 on one side): 2**9 - 1 = 511 (507.92 +/- 1.58, -1.9 SE); ``we_4``
  (8 on one side): 2**8 - 1 = 255 (253.46 +/- 0.78, -2.0 SE). These two share most of
  their random numbers, so their errors are correlated; three other seeds with 200 000 runs
  gave 255.26, 255.48 and 254.15 for ``we_4``.
* ``nelson_7`` (15 within 1 sigma, p = 0.6827): (p**-15 - 1) / (1 - p) = 963.3
  (964.56 +/- 3.0).
* ``nelson_8`` (8 beyond 1 sigma, q = 0.3173): (q**-8 - 1) / (1 - q) = 14 251.4
  (14 266.7 +/- 45.2, +0.3 SE).
* ``western_electric`` (tests 1-4 together): Champ & Woodall (1987) give 91.75 by a Markov
  chain; the simulation gives 91.73 +/- 0.28, in agreement within its standard error.
"""

IN_CONTROL_ARL_SE: Final[dict[str, float]] = {
    "nelson": 0.22,
    "western_electric": 0.28,
    "nelson_1": 1.17,
    "nelson_2": 1.58,
    "nelson_3": 1.32,
    "nelson_4": 1.87,
    "nelson_5": 1.62,
    "nelson_6": 0.91,
    "nelson_7": 3.0,
    "nelson_8": 45.16,
    "we_1": 1.17,
    "we_2": 1.62,
    "we_3": 0.91,
    "we_4": 0.78,
    "nelson_1+nelson_2": 0.67,
    "nelson_1+nelson_5": 0.72,
    "nelson_1+nelson_6": 0.52,
    "nelson_1+nelson_5+nelson_6": 0.41,
    "nelson_1+nelson_2+nelson_3": 0.45,
    "nelson_1+nelson_2+nelson_5+nelson_6": 0.33,
}
"""Monte Carlo standard error of each entry of :data:`IN_CONTROL_ARL`."""


def simulate_run_lengths(
    rules: str | Sequence[str] | Mapping[str, int | None],
    *,
    runs: int = 2000,
    max_length: int = 1_000_000,
    seed: int | np.random.Generator | None = 0,
    sampler: Callable[[np.random.Generator, tuple[int, int]], NDArray[np.float64]]
    | None = None,
    judged_on: tuple[float, ...] = (0.0, 1.0, -3.0, 3.0),
) -> NDArray[np.int64]:
    """Simulate in-control run lengths of a rule set on an individuals chart.

    Parameters
    ----------
    rules : str, sequence of str or mapping
        Rule-set name, rule id or a list of them (see :func:`resolve_rules`), or a mapping
        of rule ids to K values (:func:`~sixsigma.spc.rules.rule_params`). The Anhøj rules
        are not allowed.
    runs : int, default 2000
        Number of simulated charts.
    max_length : int, default 1_000_000
        A chart that has not signalled after this many points is stopped and counted as
        ``max_length`` (a censored run; with the default this only matters for rule sets
        whose ARL is in the hundreds of thousands).
    seed : int, numpy.random.Generator or None, default 0
        Seed of the random numbers.
    sampler : callable, optional
        ``sampler(rng, shape)`` draws in-control values (default: standard normal).
    judged_on : (center, se, lcl, ucl[, runs_center])
        The chart the values are judged on (default: 0, 1, -3, 3); a fifth value is the
        line same-side runs are judged about (the median of a g chart).

    Returns
    -------
    numpy.ndarray of int64, shape (runs,)
        Number of points up to and including the first signal of each chart.

    Raises
    ------
    ParameterError
        For unknown or Anhøj rules, or non-positive ``runs`` / ``max_length``.

    Notes
    -----
    All unfinished charts are simulated together as one long series, one segment per chart
    (segments never share a run), in blocks of about four million points. A chart that has
    not signalled carries its last 14 points into the next block, the longest look-back of
    any rule, so that runs continue across blocks; signals at those carried points were
    already ruled out and are ignored.

    Examples
    --------
    >>> rl = simulate_run_lengths("nelson_1", runs=200, seed=1)
    >>> rl.shape, bool(rl.min() >= 1)
    ((200,), True)
    """
    ids = resolve_rules(rules, caller="simulate_run_lengths")
    params = rule_params(rules, caller="simulate_run_lengths")
    if any(r in RULE_SETS["anhoj"] for r in ids) or not ids:
        raise ParameterError(
            "simulate_run_lengths: the ARL is defined for Nelson and Western Electric rules "
            f"only. Got {ids!r}."
        )
    runs = int(check_number(runs, "runs", caller="simulate_run_lengths", low=1.0,
                            integer=True))
    max_length = int(check_number(max_length, "max_length", caller="simulate_run_lengths",
                                  low=1.0, integer=True))
    rng = np.random.default_rng(seed)
    length = np.zeros(runs, dtype=np.int64)  # points simulated so far (final when done)
    active = np.arange(runs)
    history = np.empty((runs, 0))
    while active.size:
        k = active.size
        block = int(np.clip(_POINTS_PER_BLOCK // k, 64, max_length))
        block = min(block, int(max_length - length[active].min()))
        fresh = rng.standard_normal((k, block)) if sampler is None else \
            np.asarray(sampler(rng, (k, block)), dtype=np.float64)
        series = np.concatenate([history, fresh], axis=1)
        h = history.shape[1]
        width = h + block
        segment = np.repeat(np.arange(k), width)
        center, se, lcl, ucl = judged_on[:4]
        index, _ = find_violations(series.ravel(), center, se, lcl, ucl, ids, segment=segment,
                                   params=params,
                                   runs_center=judged_on[4] if len(judged_on) > 4 else None)
        chart, offset = np.divmod(index, width)
        keep = offset >= h  # carried points were judged in the previous block
        chart, offset = chart[keep], offset[keep]
        hit, first = np.unique(chart, return_index=True)  # index is sorted: first signal
        done = np.zeros(k, dtype=bool)
        done[hit] = True
        length[active] += block
        length[active[hit]] += offset[first] - h + 1 - block
        done |= length[active] >= max_length
        np.minimum(length, max_length, out=length)
        history = series[~done, -min(_history(params), width) :]
        active = active[~done]
    return length


def _history(params: Mapping[str, int]) -> int:
    """Points a chart carries into the next block: the longest look-back of its rules."""
    return max([_HISTORY, *(k + 1 for k in params.values())])


def in_control_arl(
    rules: str | Sequence[str] | Mapping[str, int | None],
    *,
    runs: int = 2000,
    max_length: int = 1_000_000,
    seed: int | np.random.Generator | None = 0,
) -> float:
    """In-control average run length of a rule set, by Monte Carlo simulation.

    Parameters
    ----------
    rules : str, sequence of str or mapping
        Rule-set name, rule id or a list of them; not the Anhøj rules. A mapping gives K
        values: ``in_control_arl({"nelson_1": None, "nelson_2": 7})``.
    runs : int, default 2000
        Number of simulated charts; the standard error is about ARL / sqrt(runs).
    max_length : int, default 1_000_000
        Charts still silent after this many points count as ``max_length``.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the random numbers.

    Returns
    -------
    float
        Mean number of points up to and including the first (false) signal of an
        individuals chart with known centre 0, sigma 1 and limits +/-3 on i.i.d. N(0, 1)
        data.

    Raises
    ------
    ParameterError
        For unknown or Anhøj rules, or non-positive ``runs`` / ``max_length``.

    See Also
    --------
    IN_CONTROL_ARL : precomputed values from 100 000 runs.
    simulate_run_lengths : the individual run lengths.

    Examples
    --------
    >>> arl = in_control_arl("nelson_1", runs=400, seed=3)
    >>> 300 < arl < 450
    True
    """
    return float(simulate_run_lengths(rules, runs=runs, max_length=max_length, seed=seed).mean())
