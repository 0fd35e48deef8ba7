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
        return Params(mean, float(np.sqrt(mean * (mean + 1.0))))

    def lim(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        return (const(p.center, m), const(p.sigma, m), const(p.center - k * p.sigma, m),
                const(p.center + k * p.sigma, m))

    spec = Spec(caller=caller, column=value, n=const(1.0, g.size), labels=labels,
                estimate=estimate, panels=[Panel("g", g, lim, floor_zero=True)],
                sigma_method="geometric", estimate_from_center=True)
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    return build(spec, opts, table)[0]


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
        return Params(float(values.mean()), mrbar_d2(values, idx))

    def lim(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        low = p.center - k * p.sigma
        return (const(p.center**NELSON_POWER, m), const(p.sigma, m),
                const(low**NELSON_POWER if low > 0 else np.nan, m),
                const((p.center + k * p.sigma) ** NELSON_POWER, m))

    def forward(a: FloatArray) -> FloatArray:
        return np.asarray(a ** (1.0 / NELSON_POWER), dtype=float)

    spec = Spec(caller=caller, column=value, n=const(1.0, t.size), labels=labels,
                estimate=estimate, panels=[Panel("t", t, lim, transform=forward)],
                sigma_method="mrbar_d2_transformed", parameters={"power": 1 / NELSON_POWER})
    opts = Options(phase1, limits, stage, None, None, rules, exclude, revise, nsigmas)
    return build(spec, opts, table)[0]
