"""Time-weighted charts: EWMA and the tabular CUSUM, for small sustained shifts.

A Shewhart chart needs about 44 points on average to signal a one-sigma shift of an
individual value; EWMA and CUSUM signal in about ten, which is why they suit slowly
drifting moderation metrics (accuracy eroding after a policy change).

* EWMA (Roberts 1959; Montgomery, 8th ed., section 9.2): z_0 = centre,
  z_t = lambda xbar_t + (1 - lambda) z_(t-1); exact time-varying limits
  centre +/- L (sigma / sqrt(n_t)) sqrt(lambda / (2 - lambda) (1 - (1 - lambda)^(2t))),
  with ``steady_state=True`` dropping the last factor. Defaults lambda = 0.2, L = 3 (in
  control ARL about 560, Lucas & Saccucci 1990).
* Tabular CUSUM (Page 1954; Montgomery, 8th ed., section 9.1), in standardised units as qcc:
  z_t = (xbar_t - target) / (sigma / sqrt(n_t)); C+_t = max(0, C+_(t-1) + z_t - k),
  C-_t = max(0, C-_(t-1) - z_t - k); a signal when either exceeds h. Defaults k = 0.5, h = 5
  (two-sided in-control ARL about 465). ``fir=True`` starts both sums at h/2 (Lucas &
  Crosier 1982, fast initial response). The sums are not reset after a signal.
* sigma: for subgroups, the mean of R_i/d2(n_i) (qcc's default for these charts); for
  individual values, MR-bar/d2(2). The centre (target) defaults to the mean of the Phase I
  points.

The recursions run in compiled code: EWMA as a first-order linear filter
(``scipy.signal.lfilter``), CUSUM through Lindley's closed form
C_t = S_t - min(-C_0, min_(j<=t) S_j), S the cumulative sum of z - k.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import lfilter

from sixsigma._params import check_number, choice
from sixsigma.errors import ParameterError
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
from sixsigma.spc.chart import ControlChart, CusumChart
from sixsigma.spc.sigma import mrbar_d2, rbar_d2
from sixsigma.spc.variables import _individuals, _subgrouped

__all__ = ["cusum", "ewma"]


def _points(
    data: Any, value: str | None, subgroup: str | None, label: str | None, caller: str
) -> tuple[Any, str, FloatArray, FloatArray, NDArray[Any], Any, NDArray[np.int64] | None]:
    """Plotted means, sizes, labels and the sigma estimator of the data."""
    if subgroup is None:
        # cusum plots the values themselves; ewma plots its own statistic
        table, value, x, labels = _individuals(data, value, label, caller,
                                               keep=caller == "cusum")

        def sigma_of(idx: IntArray) -> float:
            return mrbar_d2(x[idx], idx)  # NaN without a moving range: no limits

        return table, value, x, const(1.0, x.size), labels, sigma_of, None
    if value is None:
        raise ParameterError(f"{caller}: value= is required with subgroup=.")
    table, g = _subgrouped(data, value, subgroup, caller)

    def sigma_of_groups(idx: IntArray) -> float:
        return rbar_d2(g.range[idx], g.n[idx])

    return table, value, g.mean, g.n, g.labels, sigma_of_groups, g.row_point


def _estimator(x: FloatArray, n: FloatArray, sigma_of: Any) -> Any:
    def estimate(idx: IntArray, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        w = n[idx]
        center = float(np.sum(w * x[idx]) / w.sum()) if known_center is None else known_center
        sigma = sigma_of(idx) if known_sigma is None else known_sigma
        return Params(center, float(sigma))
    return estimate


def _check_sigma(sigma: float | None, caller: str) -> None:
    if sigma is not None:
        check_number(sigma, "sigma", caller=caller, low=0.0, low_open=True)


def ewma(
    data: Any,
    value: str | None = None,
    subgroup: str | None = None,
    *,
    lam: float = 0.2,
    L: float = 3.0,  # noqa: N803 - the conventional name of the limit width
    target: float | None = None,
    sigma: float | None = None,
    label: str | None = None,
    phase1: Any = None,
    limits: ControlChart | None = None,
    stage: Any = None,
    steady_state: bool = False,
    varying_n: str = "exact",
) -> ControlChart:
    """Exponentially weighted moving average chart with exact time-varying limits.

    Parameters
    ----------
    data : dataframe, dict or array-like
        Individual values, or one observation per row with ``subgroup``.
    value : str, optional
        Column of observations.
    subgroup : str, optional
        Column grouping rows into subgroups (the EWMA of the subgroup means).
    lam : float
        Weight of the newest point, 0 < lam <= 1 (lam = 1 is the Shewhart chart).
    L : float
        Width of the limits in standard errors of the EWMA.
    target, sigma : float, optional
        Known centre and process sigma; estimated from the Phase I points otherwise.
    label : str, optional
        Column of point labels (individual values only; subgroup keys label subgroups).
    phase1, limits, stage
        As in :func:`sixsigma.spc.imr`. The EWMA restarts from the centre in each stage.
    steady_state : bool
        Use the asymptotic limits from the first point (narrower at the start).
    varying_n : {"exact", "qcc"}
        Limits when subgroup sizes vary. ``"exact"`` (default): the variance of the EWMA
        statistic, sigma^2 lam^2 sum_j (1 - lam)^(2(t-j)) / n_j; ``"qcc"``: qcc 2.7's
        approximation (sigma^2 / n_t) lam / (2 - lam) (1 - (1 - lam)^(2t)), exact only for
        constant sizes (15-18 % off on alternating sizes). Named on the result as
        ``conventions["ewma_limits"]``. Both agree when the sizes are constant.

    Returns
    -------
    ControlChart
        Chart ``"ewma"``: ``statistic`` holds the EWMA values; violations use rule id
        ``"nelson_1"`` (beyond the limits).

    Raises
    ------
    ParameterError
        ``lam`` outside (0, 1], ``L`` <= 0, ``sigma`` <= 0.

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.ewma([10.0, 11, 9, 10, 12, 11, 10, 9, 11, 10], lam=0.2)
    >>> round(float(chart.statistic[0]), 2), round(float(chart.ucl[0] - chart.center[0]), 3)
    (10.24, 0.709)
    """
    caller = "ewma"
    lam = check_number(lam, "lam", caller=caller, low=0.0, high=1.0, low_open=True)
    L = check_number(L, "L", caller=caller, low=0.0, low_open=True)
    choice(varying_n, "varying_n", ("exact", "qcc"), caller=caller)
    _check_sigma(sigma, caller)
    table, column, x, n, labels, sigma_of, row_point = _points(data, value, subgroup, label,
                                                               caller)
    stat = np.empty(x.size)

    def dynamic(p: Params, sl: slice) -> FloatArray:
        out, _ = lfilter([lam], [1.0, -(1.0 - lam)], x[sl], zi=[(1.0 - lam) * p.center])
        return np.asarray(out, dtype=float)

    sizes_vary = bool(np.any(n != n[0])) if n.size else False
    exact = varying_n == "exact" and sizes_vary and not steady_state

    def lim(p: Params, sl: slice, k: float) -> Limits:
        t = np.arange(1, sl.stop - sl.start + 1)
        if exact:
            # Var(z_t) / sigma^2 = v_t = (1 - lam)^2 v_(t-1) + lam^2 / n_t, v_0 = 0
            v = lfilter([lam * lam], [1.0, -(1.0 - lam) ** 2], 1.0 / n[sl])
            se = p.sigma * np.sqrt(np.asarray(v, dtype=float))
        else:
            factor: FloatArray | float = lam / (2.0 - lam)
            if not steady_state:
                factor = factor * (1.0 - (1.0 - lam) ** (2 * t))
            se = p.sigma / np.sqrt(n[sl]) * np.sqrt(factor)
        c = np.full(t.size, p.center)
        return c, se, c - k * se, c + k * se

    spec = Spec(caller=caller, column=column, n=n, labels=labels,
                estimate=_estimator(x, n, sigma_of),
                panels=[Panel("ewma", stat, lim, dynamic=dynamic)],
                sigma_method="rbar_d2" if subgroup else "mrbar_d2", row_point=row_point,
                parameters={"lam": lam, "L": L, "steady_state": float(steady_state)},
                conventions={"ewma_limits": "steady_state" if steady_state else (
                    "exact" if varying_n == "exact" else "qcc")})
    if sizes_vary and not steady_state:
        spec.notes.append(
            "subgroup sizes vary: limits from the exact variance of the EWMA statistic"
            if exact else
            "subgroup sizes vary: limits from qcc's approximation "
            "(sigma^2/n_t) lam/(2-lam) (1-(1-lam)^(2t)), not the exact variance")
    if target is not None:
        check_number(target, "target", caller=caller)
    opts = Options(phase1=phase1, limits=limits, stage=stage, center=target, sigma=sigma,
                   rules="nelson_1", nsigmas=L)
    return build(spec, opts, table, frozen_types={"ewma"})[0]


def _lindley(y: FloatArray, start: float) -> FloatArray:
    """C_t = max(0, C_(t-1) + y_t) with C_0 = start, without a Python loop."""
    s = np.cumsum(y)
    return np.asarray(s - np.minimum(-start, np.minimum.accumulate(s)), dtype=float)


def cusum(
    data: Any,
    value: str | None = None,
    subgroup: str | None = None,
    *,
    k: float = 0.5,
    h: float = 5.0,
    target: float | None = None,
    sigma: float | None = None,
    fir: bool = False,
    label: str | None = None,
    phase1: Any = None,
    limits: ControlChart | None = None,
    stage: Any = None,
) -> CusumChart:
    """Two-sided tabular CUSUM in standardised units.

    Parameters
    ----------
    data, value, subgroup, target, sigma, label, phase1, limits, stage
        As in :func:`ewma`; ``target`` is the in-control mean.
    k : float
        Reference value in standard errors (half the shift to detect quickly; 0.5).
    h : float
        Decision interval in standard errors (5).
    fir : bool
        Fast initial response: start both sums at h/2.

    Returns
    -------
    CusumChart
        ``upper`` (C+) and ``lower`` (C-) sums, ``h``, ``k``; ``statistic`` holds the
        plotted means, ``center`` the target. Violations ``"cusum_upper"`` and
        ``"cusum_lower"`` at every point whose sum exceeds h.

    Raises
    ------
    ParameterError
        ``h`` <= 0, ``k`` < 0, ``sigma`` <= 0.

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.cusum([0.0, 0.5, -0.2, 1.8, 2.1, 1.9, 2.2, 2.0], target=0, sigma=1)
    >>> [round(float(v), 1) for v in chart.upper[-3:]], chart.violations[0]
    ([4.3, 6.0, 7.5], Violation(rule='cusum_upper', index=6))
    """
    caller = "cusum"
    h = check_number(h, "h", caller=caller, low=0.0, low_open=True)
    k = check_number(k, "k", caller=caller, low=0.0)
    _check_sigma(sigma, caller)
    table, column, x, n, labels, sigma_of, row_point = _points(data, value, subgroup, label,
                                                               caller)
    start = h / 2.0 if fir else 0.0
    upper = np.empty(x.size)
    lower = np.empty(x.size)

    def z_of(p: Params, sl: slice) -> FloatArray:
        return np.asarray((x[sl] - p.center) / (p.sigma / np.sqrt(n[sl])), dtype=float)

    def dyn_upper(p: Params, sl: slice) -> FloatArray:
        return _lindley(z_of(p, sl) - k, start)

    def dyn_lower(p: Params, sl: slice) -> FloatArray:
        return _lindley(-z_of(p, sl) - k, start)

    def lim(p: Params, sl: slice, _: float) -> Limits:
        m = sl.stop - sl.start
        return const(0.0, m), const(1.0, m), const(np.nan, m), const(h, m)

    spec = Spec(caller=caller, column=column, n=n, labels=labels,
                estimate=_estimator(x, n, sigma_of),
                panels=[Panel("cusum", upper, lim, dynamic=dyn_upper),
                        Panel("cusum_lower", lower, lim, dynamic=dyn_lower)],
                sigma_method="rbar_d2" if subgroup else "mrbar_d2", row_point=row_point,
                parameters={"k": k, "h": h, "headstart": start})
    if target is not None:
        check_number(target, "target", caller=caller)
    opts = Options(phase1=phase1, limits=limits, stage=stage, center=target, sigma=sigma,
                   rules="nelson_1")
    up, low = build(spec, opts, table, frozen_types={"cusum"})
    index = np.concatenate([up.violation_index, low.violation_index])
    rule = np.concatenate([np.full(up.violation_index.size, "cusum_upper"),
                           np.full(low.violation_index.size, "cusum_lower")])
    order = np.lexsort((rule, index))
    center = np.empty(x.size)
    se = np.empty(x.size)
    for st in up.stages:
        center[st.start:st.stop] = st.center
        se[st.start:st.stop] = st.sigma / np.sqrt(n[st.start:st.stop])
    nan = np.full(x.size, np.nan)
    return CusumChart(
        chart="cusum", statistic=x, center=center, lcl=nan, ucl=nan, se=se, n=n,
        labels=labels, sigma=up.sigma, sigma_method=up.sigma_method, phase1=up.phase1,
        stages=up.stages, excluded=up.excluded,
        exclusion_reasons=up.exclusion_reasons, rules=("cusum_upper", "cusum_lower"),
        violation_index=index[order], violation_rule=rule[order], nsigmas=h,
        parameters=dict(up.parameters), notes=up.notes,
        upper=upper, lower=lower, h=h, k=k,
    )


