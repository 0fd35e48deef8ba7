"""Attribute charts: p, np, c, u, and Laney's p' and u'.

Conventions (Montgomery, *Introduction to Statistical Quality Control*, 8th ed., ch. 7;
qcc 2.7; Laney 2002):

* p: p-bar = sum(d) / sum(n) (not the mean of the rates); limits
  p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n_i), per point when n varies.
* np: centre n_i p-bar, limits +/- 3 sqrt(n_i p-bar (1 - p-bar)).
* c: c-bar +/- 3 sqrt(c-bar). u: u-bar = sum(c) / sum(n), u-bar +/- 3 sqrt(u-bar / n_i).
* Laney p' (Laney, D.B. 2002, "Improved control charts for attributes", Quality
  Engineering 14(4), 531-537): z_i = (p_i - p-bar) / sigma_p_i, sigma_z = mean |z_i -
  z_(i-1)| / 1.128 (Laney's constant, as qicharts2), limits p-bar +/- 3 sigma_p_i sigma_z.
  Laney u' is the same with u. Unlike qicharts2, moving ranges are not screened.
* A lower limit below 0 (or a p upper limit above 1, an np upper limit above n) is absent:
  NaN in the arrays, null in JSON, where qcc would print 0 (or 1).
* ``sigma`` on the result is the per-unit sigma, sqrt(p-bar (1 - p-bar)) for p and np,
  sqrt(c-bar) for c and sqrt(u-bar) for u, as qcc reports it.

Without ``size=``, p, np, u, p' and u' charts take raw records: each row is one inspected
unit (``defectives`` 0/1 or boolean, ``count`` >= 0) and rows are grouped by ``label=``
where the data live (pandas, polars, DuckDB ...): only the per-label counts are pulled
back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import Table, as_table, show
from sixsigma._params import check_number, choice
from sixsigma.errors import InsufficientDataError, ParameterError, ZeroVarianceError
from sixsigma.spc._aggregate import Counts, counts
from sixsigma.spc._engine import (
    FloatArray,
    Limits,
    Options,
    Panel,
    Params,
    Points,
    Spec,
    build,
    const,
)
from sixsigma.spc.chart import ControlChart
from sixsigma.spc.sigma import mrbar_d2

__all__ = ["c_chart", "laney_p", "laney_u", "np_chart", "p_chart", "u_chart"]

LANEY_D2 = 1.128  # Laney (2002): sigma_z = MR-bar(z) / 1.128


def _known_rate(center: float | None, caller: str, proportion: bool) -> None:
    if center is not None:
        # a rate of 0 (or a proportion of 1) has no variation: no limits
        check_number(center, "center", caller=caller, low=0.0, low_open=True,
                     high=1.0 if proportion else None, high_open=True)


def _rate_estimator(
    d: FloatArray | NDArray[np.integer[Any]], n: FloatArray, proportion: bool
) -> Any:
    def estimate(idx: Points, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        rate = float(d[idx].sum() / n[idx].sum()) if known_center is None else known_center
        sigma = np.sqrt(rate * (1.0 - rate)) if proportion else np.sqrt(rate)
        return Params(rate, float(sigma))
    return estimate


def _sigma_not_allowed(sigma: float | None, caller: str) -> None:
    if sigma is not None:
        raise ParameterError(f"{caller}: attribute charts take center= only; their sigma "
                             "follows from the centre.")


CALLERS = {"p": "p_chart", "np": "np_chart", "u": "u_chart", "c": "c_chart",
           "laney_p": "laney_p", "laney_u": "laney_u"}


def _attribute(
    chart: str, data: Any, count: str, size: str | None, label: str | None,
    opts: Options, *, binary: bool, laney: bool, **how: Any,
) -> ControlChart:
    caller = CALLERS[chart]
    _sigma_not_allowed(opts.sigma, caller)
    _known_rate(opts.center, caller, binary)
    _check_how(caller, **how)
    table = as_table(data, caller=caller)
    k = counts(table, count, size, label, binary=binary, keep_count=chart == "np")
    return _attribute_counts(chart, table, k, count, opts, binary=binary, laney=laney, **how)


def _check_how(caller: str, *, limits_method: str = "normal",
               sigma_z_floor: bool = False) -> None:
    choice(limits_method, "limits_method", ("normal", "probability"), caller=caller)
    if not isinstance(sigma_z_floor, bool | np.bool_):
        raise ParameterError(f"{caller}: the 'sigma_z_floor' parameter must be True or "
                             f"False; got {show(sigma_z_floor)}.")


def _attribute_counts(
    chart: str, table: Table, k: Counts, count: str, opts: Options, *, binary: bool,
    laney: bool, limits_method: str = "normal", sigma_z_floor: bool = False,
) -> ControlChart:
    caller = CALLERS[chart]
    d, n = k.count, k.size
    rate_of = _rate_estimator(d, n, proportion=binary)
    # np plots the counts (float64, the chart's own: counts(keep_count=True)); the others
    # divide, which converts integer counts element by element
    stat: FloatArray = np.asarray(d, dtype=np.float64) if chart == "np" else d / n
    notes: list[str] = []
    conventions: dict[str, str] = {}
    probability = limits_method == "probability"
    if laney:
        conventions["sigma_z_floor"] = "1" if sigma_z_floor else "none"
    if chart in ("p", "np", "c", "u"):
        conventions["limits_method"] = limits_method

    if laney:
        def estimate(idx: Points, known_center: float | None, known_sigma: float | None
                     ) -> Params:
            base = rate_of(idx, known_center, None)
            if not base.sigma > 0:  # no defectives (or all): checked before dividing by 0
                raise ZeroVarianceError(f"{caller}: column {count!r} shows no variation in "
                                        f"the points that estimate the limits (rate "
                                        f"{base.center:g}), so no limits can be set.")
            z = (stat[idx] - base.center) / (base.sigma / np.sqrt(n[idx]))
            sigma_z = mrbar_d2(z, None if isinstance(idx, slice) else idx,
                               divisor=LANEY_D2)
            if np.isnan(sigma_z):
                raise InsufficientDataError(f"{caller}: sigma_z needs two consecutive points "
                                            "that estimate the limits.")
            if sigma_z == 0:
                raise ZeroVarianceError(f"{caller}: column {count!r} gives identical "
                                        "standardised rates (sigma_z = 0), so the limits "
                                        "would have no width.")
            extra = {"sigma_z": sigma_z}
            if sigma_z < 1.0:
                kind = "p" if binary else "u"
                if sigma_z_floor:
                    extra = {"sigma_z": 1.0, "sigma_z_estimate": sigma_z}
                    note = (f"sigma_z = {sigma_z:.3g} < 1 floored at 1 (sigma_z_floor=True): "
                            f"the limits are the {kind} chart's.")
                else:
                    note = (f"sigma_z = {sigma_z:.3g} < 1: no overdispersion, so these "
                            f"limits are narrower than the {kind} chart's and the {kind} "
                            "chart is the right chart here (Minitab's P chart diagnostic); "
                            "sigma_z_floor=True floors sigma_z at 1.")
                if note not in notes:
                    notes.append(note)
            return Params(base.center, base.sigma, extra)
    else:
        estimate = rate_of

    # every size equal (no NaN): two reductions, not a full-size mask
    same_n = bool(n.min() == n.max()) if n.size else True

    def lim(p: Params, sl: slice, m: float) -> Limits:
        if probability:
            return _probability_limits(chart, p.center, n[sl], m, same_n)
        inflate = p.extra.get("sigma_z", 1.0)
        if same_n:  # constant limits: views, not arrays
            size_ = float(n[0])
            c = size_ * p.center if chart == "np" else p.center
            se = np.sqrt(size_) * p.sigma if chart == "np" else p.sigma / np.sqrt(size_) * inflate
            k = sl.stop - sl.start
            return const(c, k), const(se, k), const(c - m * se, k), const(c + m * se, k)
        sizes = n[sl]
        sd = np.sqrt(sizes)
        if chart == "np":
            sd *= p.sigma
            center: FloatArray = sizes * p.center
            return center, sd, center - m * sd, center + m * sd
        np.divide(p.sigma * inflate, sd, out=sd)
        half = m * sd
        return const(p.center, sizes.size), sd, p.center - half, np.add(half, p.center, out=half)

    ceiling = None
    if chart in ("p", "laney_p"):
        ceiling = const(1.0, n.size)
    elif chart == "np":
        ceiling = n
    spec = Spec(
        caller=caller, column=count, n=n, labels=k.labels, estimate=estimate,
        panels=[Panel(chart, stat, lim, floor_zero=True, ceiling=ceiling)],
        sigma_method=("laney" if laney else ("binomial" if binary else "poisson")),
        row_point=k.row_point, notes=notes, estimate_from_center=True,
        conventions=conventions, slice_estimate=True,
    )
    result = build(spec, opts, table, frozen_types={chart})[0]
    if laney and "sigma_z" in result.stages[-1].extra:
        params = dict(result.parameters)
        params["sigma_z"] = result.stages[-1].extra["sigma_z"]
        result = replace(result, parameters=params)
    return result


def _probability_limits(chart: str, center: float, sizes: FloatArray, m: float,
                        same_n: bool) -> Limits:
    """Exact binomial / Poisson limits: the alpha/2 and 1 - alpha/2 quantiles of the count.

    alpha/2 is the normal tail beyond ``m`` sigmas (0.00135 for 3), so that the false-alarm
    rate per side is at most that of a 3-sigma chart of a normal statistic.
    """
    tail = float(stats.norm.sf(m))
    size = sizes[:1] if same_n else sizes
    if chart in ("p", "np"):
        lo = stats.binom.ppf(tail, size, center)
        hi = stats.binom.ppf(1.0 - tail, size, center)
        se = np.sqrt(size * center * (1.0 - center))
    else:  # c, u: Poisson counts of size * rate
        lo = stats.poisson.ppf(tail, size * center)
        hi = stats.poisson.ppf(1.0 - tail, size * center)
        se = np.sqrt(size * center)
    mid = size * center
    if chart in ("p", "u"):
        lo, hi, se, mid = lo / size, hi / size, se / size, np.full(size.size, center)
    arrays = [np.asarray(a, dtype=float) for a in (mid, se, lo, hi)]
    if same_n:
        k = sizes.size
        return const(arrays[0][0], k), const(arrays[1][0], k), const(arrays[2][0], k), \
            const(arrays[3][0], k)
    return arrays[0], arrays[1], arrays[2], arrays[3]


def p_chart(
    data: Any,
    defectives: str,
    size: str | None = None,
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
    limits_method: str = "normal",
) -> ControlChart:
    """P chart: the proportion defective per subgroup.

    Parameters
    ----------
    data : dataframe, dict, or a lazy frame (DuckDB, polars)
        Aggregated rows (one per point, with ``size``) or raw records (one per unit).
    defectives : str
        Column of defectives (with ``size``), or of 0/1 flags (raw records).
    size : str, optional
        Column of units inspected per point. Omit it for raw records.
    label : str, optional
        Column of point labels (dates). With raw records, the column to group by.
    phase1 : int, str or bool array, optional
        Points that estimate p-bar: the first ``k``, a boolean column, or a mask.
    limits : ControlChart, optional
        A previous p chart whose p-bar is reused on these data (Phase II).
    stage : str, array or change log, optional
        Stage of each point (p-bar per stage), or a table of dated events.
    center : float, optional
        A known standard p instead of p-bar.
    rules : str or list of str, optional
        ``"nelson"``, ``"western_electric"``, ``"anhoj"`` or rule ids (default rule 1).
    exclude : list, optional
        Labels of points left out of the estimate (assignable causes).
    revise : bool
        Iteratively drop Phase I points beyond the limits and re-estimate.
    nsigmas : float
        Width of the limits (3).
    limits_method : {"normal", "probability"}
        ``"normal"`` (default): centre +/- nsigmas standard errors. ``"probability"``:
        exact binomial limits, the alpha/2 and 1 - alpha/2 quantiles of the count with
        alpha/2 = P(Z > nsigmas) = 0.00135 for 3 (as qcc users compute them); a point
        signals beyond them with probability at most alpha/2 per side. Named on the result
        as ``conventions["limits_method"]``.

    Returns
    -------
    ControlChart
        Chart ``"p"``; a lower limit below 0 is NaN (absent).

    Raises
    ------
    DomainError
        Negative or fractional counts, a size of 0, defectives greater than the size.
    ZeroVarianceError
        p-bar is 0 or 1 (no defectives, or all defective): the limits have no width.

    Examples
    --------
    >>> import sixsigma as ss
    >>> audits = {"errors": [12, 15, 8, 10], "audited": [200, 200, 200, 200]}
    >>> chart = ss.spc.p_chart(audits, defectives="errors", size="audited")
    >>> float(chart.center[0]), round(float(chart.ucl[0]), 4)   # p-bar = 45/800
    (0.05625, 0.1051)
    """
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    return _attribute("p", data, defectives, size, label, opts, binary=True, laney=False,
                      limits_method=limits_method)


def np_chart(
    data: Any,
    defectives: str,
    size: str | None = None,
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
    limits_method: str = "normal",
) -> ControlChart:
    """Np chart: the number defective per subgroup (limits per point when n varies).

    Parameters are those of :func:`p_chart`; ``center`` is the known proportion p.

    Other Parameters
    ----------------
    limits_method : {"normal", "probability"}
        ``"normal"`` (default): centre +/- nsigmas standard errors. ``"probability"``:
        exact binomial limits, the alpha/2 and 1 - alpha/2 quantiles of the count with
        alpha/2 = P(Z > nsigmas) = 0.00135 for 3 (as qcc users compute them); a point
        signals beyond them with probability at most alpha/2 per side. Named on the result
        as ``conventions["limits_method"]``.

    Returns
    -------
    ControlChart
        Chart ``"np"``: statistic d_i, centre n_i p-bar.

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.np_chart({"d": [3, 5, 4, 6], "n": [100] * 4}, defectives="d", size="n")
    >>> float(chart.center[0])   # n p-bar = 100 * 18/400
    4.5
    """
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    return _attribute("np", data, defectives, size, label, opts, binary=True, laney=False,
                      limits_method=limits_method)


def c_chart(
    data: Any,
    count: str,
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
    limits_method: str = "normal",
) -> ControlChart:
    """C chart: the number of defects per inspection unit of constant size.

    Parameters
    ----------
    data : dataframe or dict
        One row per point.
    count : str
        Column of defect counts.
    label, phase1, limits, stage, center, rules, exclude, revise, nsigmas
        As in :func:`p_chart`.
    limits_method : {"normal", "probability"}
        ``"normal"`` (default): centre +/- nsigmas standard errors. ``"probability"``:
        exact Poisson limits, the alpha/2 and 1 - alpha/2 quantiles of the count with
        alpha/2 = P(Z > nsigmas) = 0.00135 for 3 (as qcc users compute them); a point
        signals beyond them with probability at most alpha/2 per side. Named on the result
        as ``conventions["limits_method"]``.

    Returns
    -------
    ControlChart
        Chart ``"c"``: c-bar +/- 3 sqrt(c-bar).

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.c_chart({"defects": [4, 6, 5, 9, 6]}, count="defects")
    >>> float(chart.center[0]), round(float(chart.ucl[0]), 3)   # 6 + 3 sqrt(6)
    (6.0, 13.348)
    """
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    _sigma_not_allowed(opts.sigma, "c_chart")
    _known_rate(center, "c_chart", proportion=False)
    _check_how("c_chart", limits_method=limits_method)
    table = as_table(data, caller="c_chart")
    table.require(count, label)
    values = table.count_values(count)  # the chart plots values / 1.0, a new float64 array
    k = Counts(labels=table.labels(label, values.size), count=values,
               size=const(1.0, values.size), row_point=None)
    return _attribute_counts("c", table, k, count, opts, binary=False, laney=False,
                             limits_method=limits_method)


def u_chart(
    data: Any,
    count: str,
    size: str | None = None,
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
    limits_method: str = "normal",
) -> ControlChart:
    """U chart: defects per unit, with per-point limits when the sizes vary.

    Parameters
    ----------
    data : dataframe, dict or lazy frame
        Aggregated rows (with ``size``) or raw records (one row per unit, grouped by label).
    count : str
        Column of defect counts.
    size : str, optional
        Column of inspection units per point; omit for raw records.
    label, phase1, limits, stage, center, rules, exclude, revise, nsigmas
        As in :func:`p_chart`.
    limits_method : {"normal", "probability"}
        ``"normal"`` (default): centre +/- nsigmas standard errors. ``"probability"``:
        exact Poisson limits, the alpha/2 and 1 - alpha/2 quantiles of the count with
        alpha/2 = P(Z > nsigmas) = 0.00135 for 3 (as qcc users compute them); a point
        signals beyond them with probability at most alpha/2 per side. Named on the result
        as ``conventions["limits_method"]``.

    Returns
    -------
    ControlChart
        Chart ``"u"``: u-bar = sum(c)/sum(n), limits u-bar +/- 3 sqrt(u-bar/n_i).

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.u_chart({"c": [14, 12, 20], "n": [10, 8, 13]}, count="c", size="n")
    >>> round(float(chart.center[0]), 4)   # u-bar = 46/31
    1.4839
    """
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    return _attribute("u", data, count, size, label, opts, binary=False, laney=False,
                      limits_method=limits_method)


def laney_p(
    data: Any,
    defectives: str,
    size: str | None = None,
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
    sigma_z_floor: bool = False,
) -> ControlChart:
    """Laney p' chart: a p chart whose limits are widened (or narrowed) by sigma_z.

    With the large daily samples of a moderation audit, day-to-day variation in the true
    error rate exceeds binomial noise, and a plain p chart signals on most days. Laney's
    p' chart measures that extra variation (sigma_z, from the moving ranges of the
    standardised proportions) and scales the limits by it; with no overdispersion
    sigma_z is about 1 and the chart is the p chart.

    Parameters are those of :func:`p_chart`.

    Other Parameters
    ----------------
    sigma_z_floor : bool
        Floor sigma_z at 1 (Minitab's option): with no overdispersion (sigma_z < 1) the
        chart becomes the p chart instead of narrowing its limits. Named on the result
        as ``conventions["sigma_z_floor"]``; the estimate is kept in
        ``stages[i].extra["sigma_z_estimate"]``. A sigma_z below 1 adds a note either way.

    Returns
    -------
    ControlChart
        Chart ``"laney_p"``; ``stages[-1].extra["sigma_z"]`` and ``parameters`` hold
        sigma_z.

    References
    ----------
    Laney, D.B. (2002). Improved control charts for attributes. *Quality Engineering*
    14(4), 531-537.

    Examples
    --------
    >>> import sixsigma as ss
    >>> d = {"d": [50, 80, 45, 90, 60, 75], "n": [1000] * 6}
    >>> chart = ss.spc.laney_p(d, defectives="d", size="n")
    >>> round(chart.stages[-1].extra["sigma_z"], 3)   # mean |dz| = 3.930, / 1.128
    3.484
    """
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    return _attribute("laney_p", data, defectives, size, label, opts, binary=True, laney=True,
                      sigma_z_floor=sigma_z_floor)


def laney_u(
    data: Any,
    count: str,
    size: str | None = None,
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
    sigma_z_floor: bool = False,
) -> ControlChart:
    """Laney u' chart: the u chart with limits scaled by sigma_z (Laney 2002).

    Parameters are those of :func:`u_chart`.

    Other Parameters
    ----------------
    sigma_z_floor : bool
        Floor sigma_z at 1 (Minitab's option): with no overdispersion (sigma_z < 1) the
        chart becomes the u chart instead of narrowing its limits. Named on the result
        as ``conventions["sigma_z_floor"]``; the estimate is kept in
        ``stages[i].extra["sigma_z_estimate"]``. A sigma_z below 1 adds a note either way.

    Returns
    -------
    ControlChart
        Chart ``"laney_u"``.

    Examples
    --------
    >>> import sixsigma as ss
    >>> d = {"c": [50, 80, 45, 90, 60, 75], "n": [100] * 6}
    >>> chart = ss.spc.laney_u(d, count="c", size="n")
    >>> chart.stages[-1].extra["sigma_z"] > 1
    True
    """
    opts = Options(phase1, limits, stage, center, None, rules, exclude, revise, nsigmas)
    return _attribute("laney_u", data, count, size, label, opts, binary=False, laney=True,
                      sigma_z_floor=sigma_z_floor)
