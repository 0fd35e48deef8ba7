"""Rare-event charts: g (opportunities between events) and t (time between events).

When defects are rare (severe under-enforcement, a policy escalation that goes wrong once a
week), daily proportions are mostly zero and a p chart cannot signal an improvement. These
charts plot what happens between events instead.

* g chart (Benneyan, J.C. 2001, "Number-between g-type statistical quality control charts
  for monitoring adverse events", Health Care Management Science 4, 305-318): each value is
  the number of units (items reviewed, cases) between consecutive events, geometric under
  a constant rate. Centre g-bar, sigma sqrt(g-bar (g-bar + 1)), limits g-bar +/- 3 sigma, a
  negative lower limit absent. (Minitab's G chart uses geometric probability limits; the
  3-sigma form is Benneyan's and qicharts2's.)
* t chart (Nelson, L.S. 1994, "A control chart for parts-per-million nonconforming items",
  J. Quality Technology 26(3), 239-240; Provost & Murray 2011): times between events are
  transformed by y = t^(1/3.6), which makes exponential times nearly normal; an
  individuals chart of y (MR-bar/d2) gives limits that are transformed back. The run
  rules are judged on the transformed scale, where the zones are symmetric.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from sixsigma._frames import first_row, show
from sixsigma._params import check_number
from sixsigma.errors import DomainError
from sixsigma.spc._engine import (
    FloatArray,
    IntArray,
    Limits,
    Options,
    Panel,
    Params,
    Spec,
    build,
    const,
)
from sixsigma.spc.chart import ControlChart
from sixsigma.spc.sigma import mrbar_d2
from sixsigma.spc.variables import _individuals

__all__ = ["g_chart", "t_chart"]

NELSON_POWER = 3.6


def g_chart(
    data: Any,
    value: str | None = None,
    label: str | None = None,
    *,
    phase1: Any = None,
    limits: ControlChart | None = None,
    stage: Any = None,
    center: float | None = None,
    rules: Any = None,
    exclude: Any = None,
    revise: bool = False,
    nsigmas: float = 3.0,
) -> ControlChart:
    """G chart of the number of opportunities (items, cases) between events.

    Parameters
    ----------
    data : dataframe, dict or array-like
        One row per event.
    value : str, optional
        Column of counts between consecutive events (whole numbers >= 0).
    label, phase1, limits, stage, rules, exclude, revise, nsigmas
        As in :func:`sixsigma.spc.imr`.
    center : float, optional
        A known mean number between events.

    Returns
    -------
    ControlChart
        Chart ``"g"``. A point above the upper limit means events became rarer (an
        improvement); the lower limit is usually absent.

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.g_chart([120, 80, 200, 150, 90, 60, 310])
    >>> round(float(chart.center[0]), 2), round(float(chart.ucl[0]), 1)
    (144.29, 578.6)
    """
    caller = "g_chart"
    table, value, g, labels = _individuals(data, value, label, caller)
    table.check_numeric(g, value, count=True)
    if center is not None:
        check_number(center, "center", caller=caller, low=0.0, low_open=True)
    with np.errstate(over="ignore"):
        big = ~np.isfinite(g * (g + 1.0))  # the variance mean (mean + 1) would overflow
    if big.any():
        i = first_row(big)
        raise DomainError(f"{caller}: column {value!r} holds a value too large to chart at "
                          f"row {i} ({show(g[i])}): its variance overflows.")

    def estimate(idx: IntArray, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        mean = float(g[idx].mean()) if known_center is None else known_center
        return Params(mean, float(np.sqrt(mean * (mean + 1.0))),
                      {"median": float(np.median(g[idx]))})

    def lim(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        return (const(p.center, m), const(p.sigma, m), const(p.center - k * p.sigma, m),
                const(p.center + k * p.sigma, m))

    spec = Spec(caller=caller, column=value, n=const(1.0, g.size), labels=labels,
                estimate=estimate,
                panels=[Panel("g", g, lim, floor_zero=True, runs_about_median=True)],
                sigma_method="geometric", estimate_from_center=True,
                conventions={"runs_about": "median"})
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    chart = build(spec, opts, table)[0]
    return _with_g_arl(chart, rules)


def _with_g_arl(chart: ControlChart, rules: Any) -> ControlChart:
    """State the in-control ARL of the g chart's rules for geometric counts.

    Rule 1 alone: exact, 1 / P(beyond a limit) for a geometric count with the chart's
    mean. Other rules (same-side runs judged about the median): simulated once, seeded.
    The normal-theory ARLs (370 for rule 1) do not hold for a skewed count.
    """
    last = chart.stages[-1]
    mean, med = last.center, last.extra.get("median", np.nan)
    lcl, ucl = float(chart.lcl[-1]), float(chart.ucl[-1])
    keep = 1.0 - 1.0 / (mean + 1.0)  # P(g >= j + 1 | g >= j)
    notes = [n for n in chart.notes if not n.startswith("K values")]
    params = {k: v for k, v in chart.parameters.items() if k != "in_control_arl"}
    arl: float | None
    how: str
    if any(r.startswith("anhoj") for r in chart.rules):
        arl, how = None, ""
    elif chart.rules == ("nelson_1",):
        p_out = keep ** (np.floor(ucl) + 1.0)
        if np.isfinite(lcl):
            p_out += 1.0 - keep ** np.ceil(lcl)
        arl, how = round(float(1.0 / p_out), 1), "exact for geometric counts"
    else:
        from sixsigma.spc.arl import simulate_run_lengths

        p_event = 1.0 / (mean + 1.0)

        def sampler(rng: np.random.Generator, shape: tuple[int, int]) -> FloatArray:
            return np.asarray(rng.geometric(p_event, shape) - 1.0, dtype=float)

        ids = {r: int(chart.parameters[f"K.{r}"]) if f"K.{r}" in chart.parameters else None
               for r in chart.rules}
        lengths = simulate_run_lengths(ids, runs=1000, seed=20240601, sampler=sampler,
                                       judged_on=(mean, last.sigma, lcl, ucl, med),
                                       max_length=200_000)
        arl = round(float(lengths.mean()), 1)
        how = "simulated, 1000 runs of geometric counts, seed 20240601"
    notes.append(f"run rules judged about the median ({med:.6g}), as qicharts2: a g chart's "
                 "counts are skewed, and about the mean most points fall below it"
                 + (f"; in-control ARL of these rules about {arl:.0f} points ({how})"
                    if arl is not None else ""))
    if arl is not None:
        params["in_control_arl"] = arl
    return replace(chart, parameters=params, notes=tuple(notes))


def t_chart(
    data: Any,
    value: str | None = None,
    label: str | None = None,
    *,
    phase1: Any = None,
    limits: ControlChart | None = None,
    stage: Any = None,
    rules: Any = None,
    exclude: Any = None,
    revise: bool = False,
    nsigmas: float = 3.0,
) -> ControlChart:
    """T chart of the time between events (Nelson's 1/3.6 power transformation).

    Parameters
    ----------
    data : dataframe, dict or array-like
        One row per event.
    value : str, optional
        Column of times between consecutive events (> 0, in any unit: hours, days).
    label, phase1, limits, stage, rules, exclude, revise, nsigmas
        As in :func:`sixsigma.spc.imr`.

    Returns
    -------
    ControlChart
        Chart ``"t"``: statistic, centre and limits in the original unit; ``sigma`` and
        ``se`` on the transformed scale.

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.t_chart([5.0, 12.0, 3.5, 8.0, 20.0, 6.0, 9.5])
    >>> round(float(chart.center[0]), 2), bool(np.isnan(chart.lcl[0]))   # mean(t^(1/3.6))^3.6
    (8.22, False)
    """
    caller = "t_chart"
    table, value, t, labels = _individuals(data, value, label, caller)
    table.check_numeric(t, value, minimum=0.0, strict_minimum=True)
    y = t ** (1.0 / NELSON_POWER)

    def estimate(idx: IntArray, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        values = y[idx]
        # NaN without a moving range: no limits (the chart raises ZeroVarianceError)
        return Params(float(values.mean()), mrbar_d2(values, idx),
                      {"median": float(np.median(t[idx]))})

    def lim(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        low = p.center - k * p.sigma
        return (const(p.center**NELSON_POWER, m), const(p.sigma, m),
                const(low**NELSON_POWER if low > 0 else np.nan, m),
                const((p.center + k * p.sigma) ** NELSON_POWER, m))

    def forward(a: FloatArray) -> FloatArray:
        return np.asarray(a ** (1.0 / NELSON_POWER), dtype=float)

    spec = Spec(caller=caller, column=value, n=const(1.0, t.size), labels=labels,
                estimate=estimate,
                panels=[Panel("t", t, lim, transform=forward, runs_about_median=True)],
                sigma_method="mrbar_d2_transformed", parameters={"power": 1 / NELSON_POWER},
                conventions={"runs_about": "median"})
    opts = Options(phase1, limits, stage, None, None, rules, exclude, revise, nsigmas)
    chart = build(spec, opts, table)[0]
    med = chart.stages[-1].extra.get("median", np.nan)
    note = (f"run rules judged about the median ({med:.6g}), as qicharts2; on the "
            "transformed scale t^(1/3.6), where times are modelled as normal, the median is "
            "the mean, so the in-control ARL is the normal chart's")
    arl = chart.in_control_arl
    if arl is not None:
        note += f" (about {arl:.0f} points for these rules)"
    return replace(chart, notes=(*chart.notes, note))
