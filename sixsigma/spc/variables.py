"""Variables charts: individuals and moving range, X-bar/R, X-bar/S, and the run chart.

Conventions (Montgomery, *Introduction to Statistical Quality Control*, 8th ed., ch. 6;
qcc 2.7; Minitab):

* Centre of X-bar: the grand mean of all observations, sum(n_i xbar_i) / sum(n_i).
* sigma for X-bar/R (``"rbar_d2"``, qcc's UWAVE-R): the mean over subgroups of R_i/d2(n_i),
  i.e. R-bar/d2 for a constant n. Option ``"pooled_sd_c4"`` (Minitab's X-bar/S default).
* sigma for X-bar/S (``"sbar_c4"``, qcc's UWAVE-SD): the mean of S_i/c4(n_i). Option
  ``"pooled_sd_c4"``: sqrt(sum((n_i-1) S_i^2) / sum(n_i-1)) / c4(sum(n_i-1)+1).
* R chart: centre d2(n_i) sigma, limits +/- 3 d3(n_i) sigma (D3 R-bar, D4 R-bar for constant
  n). S chart: centre c4(n_i) sigma, limits +/- 3 sigma sqrt(1 - c4(n_i)^2) (Montgomery and
  Minitab; qcc draws one centre for variable n). Negative lower limits are absent (NaN).
* Individuals: sigma = MR-bar/d2(2) (``"mrbar_d2"``) or the median moving range / 0.954
  (``"median_mr"``, Minitab's option); moving ranges only between consecutive points that
  both estimate the limits (Minitab). MR chart: centre MR-bar, UCL D4(2) MR-bar.
* The estimators live in :mod:`sixsigma.spc.sigma`; the d2, d3 and c4 constants are exact
  (:mod:`sixsigma.constants`), so limits agree with qcc's 3-decimal tables to 1e-3
  relative.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from sixsigma._frames import Table, as_table, first_row, show
from sixsigma._params import choice
from sixsigma.constants import c4, d2, d3
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)
from sixsigma.spc._aggregate import subgroups
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
    is_const,
)
from sixsigma.spc.chart import ChartPair, ControlChart
from sixsigma.spc.sigma import (
    D2_2,
    D3_2,
    D4_MEDIAN_2,
    median_mr,
    mrbar_d2,
    pooled_sd_c4,
    rbar_d2,
    sbar_c4,
)

__all__ = ["imr", "run_chart", "xbar_r", "xbar_s"]


def _individuals(
    data: Any, value: str | None, label: str | None, caller: str, *, keep: bool = True
) -> tuple[Table, str, FloatArray, Any]:
    """The table, the value column's name, its values and the point labels.

    ``keep``: the chart plots the values themselves, so they are copied once when they
    would otherwise be the user's own array (a result must not change when the user
    writes to the data afterwards).
    """
    table = as_table(data, caller=caller)
    if value is None:
        if len(table.columns) != 1:
            raise ParameterError(f"{caller}: value= is required when the data have several "
                                 f"columns ({', '.join(table.columns[:8])}).")
        value = table.columns[0]
    table.require(value, label)
    x = table.numeric(value, copy=keep)
    return table, value, x, table.labels(label, x.size)


def imr(
    data: Any,
    value: str | None = None,
    label: str | None = None,
    *,
    phase1: Any = None,
    limits: ChartPair | ControlChart | None = None,
    stage: Any = None,
    center: float | None = None,
    sigma: float | None = None,
    rules: Any = None,
    exclude: Any = None,
    revise: bool = False,
    sigma_method: Literal["mrbar_d2", "median_mr"] = "mrbar_d2",
    nsigmas: float = 3.0,
) -> ChartPair:
    """Individuals and moving-range (I-MR) charts.

    Parameters
    ----------
    data : dataframe, dict or array-like
        The observations, one per row (in time order).
    value : str, optional
        Column of observations; may be omitted for a 1-D array or a one-column table.
    label : str, optional
        Column of point labels (dates); must be unique and sorted.
    phase1 : int, str or bool array, optional
        Points that estimate the limits: the first ``k``, a boolean column, or a mask.
    limits : ChartPair or ControlChart, optional
        A previous I-MR result whose centre and sigma are reused (Phase II).
    stage : str, array or change log, optional
        Stage of each point; limits are estimated per stage. A table with a ``date``
        column (and ``event``) splits the series at those dates.
    center, sigma : float, optional
        Known standards instead of estimates.
    rules : str or list of str, optional
        Run rules: ``"nelson"``, ``"western_electric"``, ``"anhoj"`` or rule ids. Default
        ``"nelson_1"``. The MR chart is judged by the rules that suit a skewed statistic
        (Nelson 1-4).
    exclude : list, optional
        Labels of points to leave out of the estimation (assignable causes).
    revise : bool
        Iteratively drop Phase I points beyond the individuals limits and re-estimate,
        recording them. (A moving range beyond its limit involves two points, so the MR
        chart does not drive the revision; moving ranges next to a dropped point are left
        out of the estimate.)
    sigma_method : {"mrbar_d2", "median_mr"}
        MR-bar/d2(2) (default, qcc and Minitab), or median MR/0.954.
    nsigmas : float
        Width of the limits in sigmas (3).

    Returns
    -------
    ChartPair
        ``.location`` the individuals chart ``"I"``, ``.dispersion`` the ``"MR"`` chart.

    Raises
    ------
    ColumnError, NonNumericError, MissingValueError
        Bad columns.
    InsufficientDataError
        Fewer than two points to estimate from.
    ZeroVarianceError
        All estimating points equal.

    Examples
    --------
    >>> import sixsigma as ss
    >>> pair = ss.spc.imr([10.0, 12.0, 11.0, 13.0, 12.0])
    >>> round(float(pair.location.ucl[0]), 3), pair.location.in_control   # 11.6 + 3 * 1.5/d2
    (15.588, True)
    """
    caller = "imr"
    choice(sigma_method, "sigma_method", ("mrbar_d2", "median_mr"), caller=caller)
    table, value, x, labels = _individuals(data, value, label, caller)
    n = x.size
    # |x_i - x_(i-1)| written in place into the one array the chart keeps (np.diff's
    # subtraction, no full-size temporaries)
    mr = np.empty(n)
    mr[:1] = np.nan
    np.subtract(x[1:], x[:-1], out=mr[1:])
    np.absolute(mr[1:], out=mr[1:])
    estimator = mrbar_d2 if sigma_method == "mrbar_d2" else median_mr

    def estimate(idx: Points, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        values = x[idx]
        mean = float(values.mean()) if known_center is None else known_center
        if known_sigma is not None:
            return Params(mean, known_sigma)
        # moving ranges between consecutive points that both estimate the limits
        if isinstance(idx, slice):  # a whole stage: its moving ranges are a view of mr
            ranges = mr[idx.start + 1:idx.stop]
            s = (float("nan") if not ranges.size else float(ranges.mean() / D2_2)
                 if sigma_method == "mrbar_d2" else float(np.median(ranges) / D4_MEDIAN_2))
        else:
            s = estimator(values, idx)
        if np.isnan(s):
            raise InsufficientDataError(f"{caller}: no two consecutive points estimate the "
                                        "limits, so no moving range exists.")
        return Params(mean, s)

    def lim_i(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        return (const(p.center, m), const(p.sigma, m), const(p.center - k * p.sigma, m),
                const(p.center + k * p.sigma, m))

    def lim_mr(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        c, se = D2_2 * p.sigma, D3_2 * p.sigma
        return const(c, m), const(se, m), const(c - k * se, m), const(c + k * se, m)

    spec = Spec(
        caller=caller, column=value, n=const(1.0, n), labels=labels, estimate=estimate,
        panels=[Panel("I", x, lim_i), Panel("MR", mr, lim_mr, floor_zero=True,
                                               dispersion=True, revise=False)],
        sigma_method=sigma_method, slice_estimate=True,
    )
    opts = Options(phase1, limits, stage, center, sigma, rules, exclude, revise, nsigmas)
    location, dispersion = build(spec, opts, table, frozen_types={"I"})
    return ChartPair(location, dispersion)


def _shift(center: FloatArray, k: float, se: FloatArray) -> FloatArray:
    """Return center + k * se, kept as a constant view when both are constant."""
    if is_const(center) and is_const(se):
        return const(float(center[0]) + k * float(se[0]), center.size)
    return np.asarray(center + k * se, dtype=float)


def _subgrouped(
    data: Any, value: str, subgroup: str, caller: str
) -> tuple[Table, Any]:
    table = as_table(data, caller=caller)
    table.require(value, subgroup)
    x = table.numeric(value)
    if x.size == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows; X-bar charts need at "
                                    "least two subgroups of two or more values.")
    if x.size == 1:
        raise InsufficientDataError(f"{caller}: the data have one row (column {value!r}, "
                                    f"subgroup column {subgroup!r}, row 0); X-bar charts need "
                                    "at least two subgroups of two or more values.")
    keys = table.keys(subgroup)
    missing = pd.isna(pd.Series(keys, copy=False)).to_numpy()
    if missing.any():
        raise MissingValueError(f"{caller}: column {subgroup!r} has a missing subgroup key at "
                                f"row {first_row(missing)}.")
    groups = subgroups(x, keys)
    small = groups.n < 2
    if small.any():
        i = first_row(small)
        row = first_row(groups.row_point == i)
        raise DomainError(
            f"{caller}: subgroup {show(groups.labels[i])} (column {subgroup!r}, row {row}) has a "
            "single observation; X-bar charts need subgroups of at least 2 (use imr for "
            "individual values)."
        )
    return table, groups


def _xbar_chart(
    kind: Literal["R", "S"],
    data: Any,
    value: str,
    subgroup: str,
    sigma_method: str,
    opts: Options,
) -> ChartPair:
    caller = "xbar_r" if kind == "R" else "xbar_s"
    allowed = ("rbar_d2", "pooled_sd_c4") if kind == "R" else ("sbar_c4", "pooled_sd_c4")
    choice(sigma_method, "sigma_method", allowed, caller=caller)
    table, g = _subgrouped(data, value, subgroup, caller)
    n = g.n
    d2n, d3n, c4n = (np.asarray(f(n), dtype=float) for f in (d2, d3, c4))

    def estimate(idx: Points, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        w = n[idx]
        mean = float(np.sum(w * g.mean[idx]) / w.sum()) if known_center is None \
            else known_center
        if known_sigma is not None:
            return Params(mean, known_sigma)
        if sigma_method == "rbar_d2":
            s = rbar_d2(g.range[idx], w)
        elif sigma_method == "sbar_c4":
            s = sbar_c4(g.sd[idx], w)
        else:
            s = pooled_sd_c4(g.sd[idx], w)
        return Params(mean, s)

    # constant subgroup sizes (the usual case) give constant limits: views, not arrays
    same_n = bool(np.all(n == n[0])) if n.size else True

    def per_point(values: FloatArray, sl: slice) -> FloatArray:
        return const(float(values[sl.start]), sl.stop - sl.start) if same_n else values[sl]

    def lim_x(p: Params, sl: slice, k: float) -> Limits:
        c = const(p.center, sl.stop - sl.start)
        se = per_point(p.sigma / np.sqrt(n), sl)
        return c, se, _shift(c, -k, se), _shift(c, k, se)

    def lim_r(p: Params, sl: slice, k: float) -> Limits:
        c = per_point(d2n * p.sigma, sl)
        se = per_point(d3n * p.sigma, sl)
        return c, se, _shift(c, -k, se), _shift(c, k, se)

    def lim_s(p: Params, sl: slice, k: float) -> Limits:
        c = per_point(c4n * p.sigma, sl)
        se = per_point(p.sigma * np.sqrt(1.0 - c4n**2), sl)
        return c, se, _shift(c, -k, se), _shift(c, k, se)

    spread = g.range if kind == "R" else g.sd
    spec = Spec(
        caller=caller, column=value, n=n, labels=g.labels, estimate=estimate,
        panels=[Panel("xbar", g.mean, lim_x),
                Panel(kind, spread, lim_r if kind == "R" else lim_s, floor_zero=True,
                      dispersion=True)],
        sigma_method=sigma_method, row_point=g.row_point, slice_estimate=True,
    )
    location, dispersion = build(spec, opts, table, frozen_types={"xbar"})
    return ChartPair(location, dispersion)


def xbar_r(
    data: Any,
    value: str,
    subgroup: str,
    *,
    phase1: Any = None,
    limits: ChartPair | ControlChart | None = None,
    stage: Any = None,
    center: float | None = None,
    sigma: float | None = None,
    rules: Any = None,
    exclude: Any = None,
    revise: bool = False,
    sigma_method: Literal["rbar_d2", "pooled_sd_c4"] = "rbar_d2",
    nsigmas: float = 3.0,
) -> ChartPair:
    """X-bar and R charts of subgrouped observations.

    Parameters
    ----------
    data : dataframe or dict
        One observation per row.
    value : str
        Column of observations.
    subgroup : str
        Column whose values group rows into subgroups (a batch, an hour, a day). Numeric
        and date keys are charted in sorted order, others in order of first appearance.
    sigma_method : {"rbar_d2", "pooled_sd_c4"}
        Mean of R_i/d2(n_i) (qcc's UWAVE-R; R-bar/d2 for constant n; default), or the pooled
        standard deviation / c4 (Minitab's X-bar/S default).
    phase1, limits, stage, center, sigma, rules, exclude, revise, nsigmas
        As in :func:`imr`; ``phase1`` may also be a per-row mask or column, constant within
        each subgroup.

    Returns
    -------
    ChartPair
        ``.location`` the ``"xbar"`` chart, ``.dispersion`` the ``"R"`` chart.

    Raises
    ------
    DomainError
        A subgroup with a single observation.

    Examples
    --------
    >>> import sixsigma as ss
    >>> data = {"x": [1.0, 2, 3, 2, 3, 4, 3, 4, 5], "batch": [1, 1, 1, 2, 2, 2, 3, 3, 3]}
    >>> pair = ss.spc.xbar_r(data, value="x", subgroup="batch")
    >>> float(pair.location.center[0]), round(pair.location.sigma, 4)   # R-bar/d2(3) = 2/1.693
    (3.0, 1.1816)
    """
    opts = Options(phase1, limits, stage, center, sigma, rules, exclude, revise, nsigmas)
    return _xbar_chart("R", data, value, subgroup, sigma_method, opts)


def xbar_s(
    data: Any,
    value: str,
    subgroup: str,
    *,
    phase1: Any = None,
    limits: ChartPair | ControlChart | None = None,
    stage: Any = None,
    center: float | None = None,
    sigma: float | None = None,
    rules: Any = None,
    exclude: Any = None,
    revise: bool = False,
    sigma_method: Literal["sbar_c4", "pooled_sd_c4"] = "sbar_c4",
    nsigmas: float = 3.0,
) -> ChartPair:
    """X-bar and S charts; subgroup sizes may vary (limits then vary per point).

    Parameters
    ----------
    data : dataframe or dict
        One observation per row.
    value, subgroup : str
        As in :func:`xbar_r`.
    sigma_method : {"sbar_c4", "pooled_sd_c4"}
        Mean of S_i/c4(n_i) (qcc's UWAVE-SD; s-bar/c4 for constant n; default), or the
        pooled standard deviation divided by c4(sum(n_i - 1) + 1) (Minitab's default).
    phase1, limits, stage, center, sigma, rules, exclude, revise, nsigmas
        As in :func:`imr`.

    Returns
    -------
    ChartPair
        ``.location`` the ``"xbar"`` chart, ``.dispersion`` the ``"S"`` chart.

    Examples
    --------
    >>> import sixsigma as ss
    >>> data = {"x": [1.0, 2, 3, 2, 3, 4, 5, 3, 4, 5], "batch": [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]}
    >>> pair = ss.spc.xbar_s(data, value="x", subgroup="batch")
    >>> pair.location.n.tolist()
    [3.0, 4.0, 3.0]
    """
    opts = Options(phase1, limits, stage, center, sigma, rules, exclude, revise, nsigmas)
    return _xbar_chart("S", data, value, subgroup, sigma_method, opts)


def run_chart(
    data: Any,
    value: str | None = None,
    label: str | None = None,
    *,
    phase1: Any = None,
    stage: Any = None,
    rules: Any = "anhoj",
) -> ControlChart:
    """Run chart: the values around their median, judged by the Anhøj rules.

    The centre line is the median of the Phase I points of each stage; there are no
    control limits. The default rules are Anhøj's (Anhøj & Olesen 2014; Anhøj 2015):
    an unusually long run on one side of the median, or unusually few crossings of it.

    Parameters
    ----------
    data, value, label, phase1, stage
        As in :func:`imr`.
    rules : str or list of str
        Default ``"anhoj"``.

    Returns
    -------
    ControlChart
        A chart of type ``"run"`` with NaN limits.

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.run_chart([3.0, 4, 5, 4, 3, 4, 5, 6, 4, 3, 4, 5])
    >>> float(chart.center[0]), chart.in_control
    (4.0, True)
    """
    caller = "run_chart"
    table, value, x, labels = _individuals(data, value, label, caller)

    def estimate(idx: Points, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        return Params(float(np.median(x[idx])), float("nan"))

    def lim(p: Params, sl: slice, k: float) -> Limits:
        m = sl.stop - sl.start
        nan = const(np.nan, m)
        return const(p.center, m), nan, nan, nan

    spec = Spec(caller=caller, column=value, n=const(1.0, x.size), labels=labels,
                estimate=estimate, panels=[Panel("run", x, lim)], sigma_method="none",
                zero_sigma_ok=True, slice_estimate=True,
                notes=["sigma is undefined for a run chart (a median line, no control "
                       "limits): stored as null in JSON."])
    opts = Options(phase1=phase1, stage=stage, rules=rules)
    return build(spec, opts, table)[0]
