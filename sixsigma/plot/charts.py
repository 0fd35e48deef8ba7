"""Control-chart drawing: :func:`control_chart` renders a chart result onto matplotlib Axes.

The renderer only reads the fields of the result (statistic, centre, limits, standard
errors, stages, phases, signals); it never recomputes a statistic. matplotlib is imported
inside the function, so ``import sixsigma`` does not load it.

Every artist it draws carries a ``gid`` naming its role (``"statistic"``, ``"center"``,
``"lcl"``, ``"ucl"``, ``"zone"``, ``"signals"``, ``"signal-label"``, ``"stage-boundary"``,
``"stage-name"``, ``"phase2-boundary"``, ``"phase2-label"``, ``"cusum-upper"``,
``"cusum-lower"``, ``"decision-interval"``, ``"median"``: the line g and t charts judge
same-side runs about), so that tests and callers can find them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from sixsigma.errors import ParameterError
from sixsigma.spc.chart import ChartPair, ControlChart, CusumChart

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["control_chart"]

MAX_MARKER_POINTS = 20_000
"""Above this many points the statistic is drawn as a plain line, without markers."""

MAX_ANNOTATIONS = 200
"""At most this many flagged points get a text label (all of them are marked)."""

SIGNAL_COLOR = "#d62728"
LINE_COLOR = "#1f4e79"
LIMIT_COLOR = "#7f7f7f"

_TITLES: dict[str, str] = {
    "I": "Individuals (I) chart",
    "MR": "Moving range (MR) chart",
    "xbar": "X-bar chart",
    "R": "R chart",
    "S": "S chart",
    "p": "p chart",
    "np": "np chart",
    "c": "c chart",
    "u": "u chart",
    "laney_p": "Laney p' chart",
    "laney_u": "Laney u' chart",
    "g": "g chart",
    "t": "t chart",
    "ewma": "EWMA chart",
    "cusum": "CUSUM chart",
    "run": "Run chart",
}

_YLABELS: dict[str, str] = {
    "I": "Individual value",
    "MR": "Moving range",
    "xbar": "Subgroup mean",
    "R": "Subgroup range",
    "S": "Subgroup standard deviation",
    "p": "Proportion",
    "laney_p": "Proportion",
    "np": "Number defective",
    "c": "Count",
    "u": "Count per unit",
    "laney_u": "Count per unit",
    "g": "Units between events",
    "t": "Time between events",
    "ewma": "EWMA",
    "cusum": "Cumulative sum (standard errors)",
    "run": "Value",
}

# Statistics that cannot be negative: zone lines below zero are not drawn for them.
_NONNEGATIVE = frozenset({"MR", "R", "S", "p", "laney_p", "np", "c", "u", "laney_u", "g", "t"})
_NO_ZONES = frozenset({"run", "cusum"})
_SPECIAL_RULES: dict[str, str] = {
    "anhoj_run": "A run",
    "anhoj_crossings": "A cross",
    "cusum_upper": "C+",
    "cusum_lower": "C-",
}


def control_chart(
    chart: ControlChart | ChartPair,
    *,
    ax: Axes | None = None,
    axes: tuple[Axes, Axes] | None = None,
    zones: bool = True,
    annotate: bool = True,
    title: str | None = None,
) -> Axes | tuple[Axes, Axes]:
    """Draw a control chart (or a location/dispersion pair) from its result object.

    The statistic is drawn as a line with markers, the centre line and the control limits
    as steps centred on the points (so per-point limits of variable subgroup sizes and
    per-stage limits look right); a NaN limit leaves a gap. Points where a run rule
    signals are marked in red and labelled with the rules that fired (``"1"``,
    ``"2,5"``; ``"W 1"`` for Western Electric, ``"A run"``/``"A cross"`` for Anhøj,
    ``"C+"``/``"C-"`` for CUSUM). Stage boundaries are dashed vertical lines with the
    stage name written at the top; the first monitored point after Phase I is marked
    "Phase II".

    Parameters
    ----------
    chart : ControlChart, CusumChart or ChartPair
        The result of a chart function of :mod:`sixsigma.spc`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw a single chart into. When omitted a new figure is created with
        :func:`matplotlib.pyplot.subplots` (never the current Axes).
    axes : tuple of two Axes, optional
        For a :class:`~sixsigma.spc.ChartPair`: the Axes of the location and the
        dispersion chart. When omitted a new figure with two stacked Axes sharing the
        x axis is created.
    zones : bool
        Draw thin dotted zone lines at the centre +/- 1 and 2 standard errors (the zones
        of the run rules). Not drawn for run and CUSUM charts, nor where the standard
        error is not finite.
    annotate : bool
        Write the ids of the rules that fired next to each flagged point (at most the
        first 200 flagged points are labelled; all are marked).
    title : str, optional
        Axes title (of the upper Axes for a pair). Default: the chart type, e.g.
        ``"p chart"``, with ``sigma_z`` for Laney charts. ``""`` leaves the title empty.

    Returns
    -------
    matplotlib.axes.Axes or tuple of two Axes
        The Axes drawn into; a tuple ``(location_ax, dispersion_ax)`` for a pair.

    Raises
    ------
    ParameterError
        ``ax=`` given for a pair, ``axes=`` given for a single chart, or an object that is
        not a chart result.

    Notes
    -----
    The x axis follows :attr:`ControlChart.labels`: dates are drawn on a date axis with
    matplotlib's concise date formatter, numbers are used as they are, and any other label
    (subgroup keys, text) is drawn at positions 0..N-1 with at most about twelve labelled
    ticks. Charts of more than 20,000 points are drawn without markers so that millions of
    points render quickly (limits that are constant within a stage are drawn with a few
    vertices; zone lines that vary at every point are then left out).

    The legend sits outside the Axes, on the right. New figures use the constrained layout,
    which makes room for it; when drawing into Axes of your own, create the figure with
    ``layout="constrained"`` or save it with ``bbox_inches="tight"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import sixsigma as ss
    >>> audits = {"day": list(range(1, 11)),
    ...           "errors": [12, 15, 8, 10, 30, 11, 9, 14, 13, 10],
    ...           "audited": [200] * 10}
    >>> chart = ss.spc.p_chart(audits, defectives="errors", size="audited", label="day")
    >>> ax = ss.plot.control_chart(chart)
    >>> ax.get_title()
    'p chart'
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "signal-label"]
    ['1']
    >>> pair = ss.spc.imr([10.0, 11, 9, 10, 12, 11, 10, 9, 11, 10])
    >>> top, bottom = ss.plot.control_chart(pair)
    >>> bottom.get_ylabel()
    'Moving range'
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    if isinstance(chart, ChartPair):
        if ax is not None:
            raise ParameterError("control_chart: a ChartPair is drawn on two Axes; pass "
                                 "axes=(ax1, ax2) instead of ax=.")
        if axes is None:
            _, grid = plt.subplots(2, 1, sharex=True, figsize=(10.0, 6.8), layout="constrained")
            top, bottom = grid[0], grid[1]
        else:
            if len(axes) != 2:
                raise ParameterError("control_chart: axes= must be a pair of Axes "
                                     f"(location, dispersion); got {len(axes)}.")
            top, bottom = axes
        _draw(chart.location, top, zones=zones, annotate=annotate, title=title, legend=True,
              xlabel=False)
        _draw(chart.dispersion, bottom, zones=zones, annotate=annotate, title=None,
              legend=False, xlabel=True)
        return top, bottom
    if not isinstance(chart, ControlChart):
        raise ParameterError("control_chart: chart must be a ControlChart, CusumChart or "
                             f"ChartPair; got {type(chart).__name__}.")
    if axes is not None:
        raise ParameterError("control_chart: axes= is for a ChartPair; pass ax= for a "
                             "single chart.")
    if ax is None:
        _, ax = plt.subplots(figsize=(10.0, 4.2), layout="constrained")
    _draw(chart, ax, zones=zones, annotate=annotate, title=title, legend=True, xlabel=True)
    return ax


# -- helpers ----------------------------------------------------------------------------------
def _rule_label(rule: str) -> str:
    """Short text of a rule id: ``nelson_2`` -> ``2``, ``we_1`` -> ``W 1``."""
    if rule.startswith("nelson_"):
        return rule[len("nelson_"):]
    if rule.startswith("we_"):
        return "W " + rule[len("we_"):]
    return _SPECIAL_RULES.get(rule, rule)


def _default_title(chart: ControlChart) -> str:
    text = _TITLES.get(chart.chart, f"{chart.chart} chart")
    if isinstance(chart, CusumChart):
        text += f" (k = {chart.k:g}, h = {chart.h:g})"
    elif chart.stages and "sigma_z" in chart.stages[-1].extra:
        text += f" (sigma_z = {chart.stages[-1].extra['sigma_z']:.2f})"
    return text


def _x_values(chart: ControlChart) -> tuple[NDArray[Any], str]:
    """Return the x coordinates of the points and the axis kind ("date", "number", "label")."""
    labels = chart.labels
    if labels.dtype.kind == "M":
        return labels, "date"
    if labels.dtype.kind in "iuf":
        return labels.astype(float), "number"
    if labels.dtype.kind == "O" and labels.size:
        import pandas as pd

        if pd.api.types.infer_dtype(labels, skipna=True) in ("datetime", "datetime64", "date"):
            return pd.to_datetime(labels).to_numpy(), "date"
    return np.arange(labels.size, dtype=float), "label"


def _boundary(x: NDArray[Any], i: int) -> Any:
    """Return the x coordinate halfway between points i - 1 and i."""
    return x[i - 1] + (x[i] - x[i - 1]) / 2


def _format_x_axis(ax: Axes, chart: ControlChart, x: NDArray[Any], kind: str,
                   xlabel: bool) -> None:
    import matplotlib.dates as mdates

    if kind == "date":
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(formatter)
    elif kind == "label":
        n = x.size
        if n == 0:
            return
        step = max(1, math.ceil(n / 12))
        ticks = np.arange(0, n, step)
        texts = [str(v) for v in chart.labels[ticks].tolist()]
        long = max(len(t) for t in texts) > 6
        ax.set_xticks(ticks.astype(float), labels=texts, rotation=30 if long else 0,
                      ha="right" if long else "center")
    else:
        if chart.labels.dtype.kind in "iu":
            from matplotlib.ticker import MaxNLocator, StrMethodFormatter

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        if xlabel:
            ax.set_xlabel("Observation")


def _signal_labels(index: NDArray[np.int64], rule: NDArray[Any], limit: int
                   ) -> tuple[NDArray[np.int64], list[str]]:
    """Return the first ``limit`` flagged points and the short text of their rules."""
    flagged = np.unique(index)[:limit]
    if flagged.size == 0:
        return flagged, []
    keep = index <= flagged[-1]
    texts: dict[int, list[str]] = {int(i): [] for i in flagged.tolist()}
    for i, r in zip(index[keep].tolist(), rule[keep].tolist(), strict=True):
        label = _rule_label(str(r))
        if label not in texts[i]:
            texts[i].append(label)
    return flagged, [",".join(texts[int(i)]) for i in flagged.tolist()]


def _annotate(ax: Axes, points: NDArray[np.int64], xs: NDArray[Any], ys: NDArray[Any],
              above: NDArray[np.bool_], texts: list[str]) -> None:
    """Label flagged points; labels of close points on one side are staggered in height."""
    level = {True: 0, False: 0}
    previous = {True: -10, False: -10}
    for i, xv, yv, up, text in zip(points.tolist(), xs.tolist(), ys.tolist(), above.tolist(),
                                   texts, strict=True):
        level[up] = (level[up] + 1) % 3 if i - previous[up] <= 2 else 0
        previous[up] = i
        # Level 0 centred above (below) the point; levels 1 and 2 higher and to the right
        # and left, so that labels of neighbouring points do not cover one another.
        dy = 5 + 9 * level[up]
        dx, ha = ((0, "center"), (4, "left"), (-4, "right"))[level[up]]
        ax.annotate(text, (xv, yv), xytext=(dx, dy if up else -dy),
                    textcoords="offset points", ha=ha, va="bottom" if up else "top",
                    fontsize=7, color=SIGNAL_COLOR, gid="signal-label", clip_on=True,
                    zorder=5, bbox={"boxstyle": "square,pad=0.05", "facecolor": "white",
                                    "edgecolor": "none", "alpha": 0.85})


def _steps(x: NDArray[Any], y: NDArray[Any], big: bool) -> tuple[NDArray[Any], NDArray[Any]]:
    """Return the points of a stepped line; for big charts only the ends of constant runs.

    Drawn with ``steps-mid``, keeping the first and last point of each run of equal values
    gives the same picture as every point, so a limit that is constant within a stage costs
    a handful of vertices instead of millions.
    """
    if not big or y.size < 3:
        return x, y
    with np.errstate(invalid="ignore"):
        same = (y[1:] == y[:-1]) | (np.isnan(y[1:]) & np.isnan(y[:-1]))
    keep = np.ones(y.size, dtype=bool)
    keep[1:-1] = ~(same[:-1] & same[1:])
    return x[keep], y[keep]


def _step_line(ax: Axes, x: NDArray[Any], y: NDArray[Any], big: bool, *,
               optional: bool = False, **style: Any) -> None:
    """Draw a per-point limit, centre or zone line as steps centred on the points.

    On big charts a line that still has more than :data:`MAX_MARKER_POINTS` vertices after
    compression (limits that vary at every point) is drawn as a plain solid line, which
    renders millions of points quickly; an ``optional`` line (a zone) is then left out.
    """
    xs, ys = _steps(x, y, big)
    if big and xs.size > MAX_MARKER_POINTS:
        if optional:
            return
        style = {**style, "linestyle": "-", "linewidth": 0.6}
    else:
        style = {**style, "drawstyle": "steps-mid"}
    ax.plot(xs, ys, **style)


def _draw(chart: ControlChart, ax: Axes, *, zones: bool, annotate: bool, title: str | None,
          legend: bool, xlabel: bool) -> None:
    n = len(chart)
    x, kind = _x_values(chart)
    big = n > MAX_MARKER_POINTS
    if isinstance(chart, CusumChart):
        _draw_cusum(chart, ax, x, annotate=annotate, big=big)
    else:
        _draw_shewhart(chart, ax, x, zones=zones, annotate=annotate, big=big)

    # Room for the rule labels of flagged points and, at the top, for the stage names.
    bottom, top = ax.get_ylim()
    span = top - bottom
    pad = 0.06 * span if any(t.get_gid() == "signal-label" for t in ax.texts) else 0.0
    if chart.stages and (len(chart.stages) > 1 or chart.stages[0].name != "all"):
        ax.set_ylim(bottom - pad, top + max(pad, 0.12 * span))
    elif pad:
        ax.set_ylim(bottom - pad, top + pad)
    _draw_stages(chart, ax, x)
    _draw_phase(chart, ax, x)
    _format_x_axis(ax, chart, x, kind, xlabel)

    ax.set_ylabel(_YLABELS.get(chart.chart, chart.chart))
    ax.set_title(_default_title(chart) if title is None else title)
    ax.grid(True, axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
                  borderaxespad=0.0)


def _signal_style(count: int) -> dict[str, Any]:
    """Red markers: outlined dots, or plain small dots when there are very many."""
    few = count <= 500
    return {"linestyle": "none", "marker": "o", "markersize": 6 if few else 2,
            "markerfacecolor": SIGNAL_COLOR, "markeredgecolor": "white" if few else SIGNAL_COLOR,
            "markeredgewidth": 0.6 if few else 0.0, "color": SIGNAL_COLOR, "label": "Signal",
            "zorder": 4}


def _draw_shewhart(chart: ControlChart, ax: Axes, x: NDArray[Any], *, zones: bool,
                   annotate: bool, big: bool) -> None:
    stat = chart.statistic
    style: dict[str, Any] = {"marker": None} if big else {
        "marker": "o", "markersize": 4 if stat.size <= 150 else 2.5}
    ax.plot(x, stat, color=LINE_COLOR, linewidth=0.8 if big else 1.1,
            label=_TITLES.get(chart.chart, chart.chart).replace(" chart", ""),
            gid="statistic", zorder=3, **style)
    _step_line(ax, x, chart.center, big, color="black", linewidth=1.0, label="Centre",
               gid="center", zorder=2)
    if chart.conventions.get("runs_about") == "median" and chart.stages:
        # g and t charts judge same-side runs about the median: draw the line they use
        median = np.repeat([s.extra.get("median", np.nan) for s in chart.stages],
                           [s.stop - s.start for s in chart.stages]).astype(float)
        if median.size == x.size and np.isfinite(median).any():
            _step_line(ax, x, median, big, color="#6b6b6b", linewidth=0.9, linestyle="-.",
                       label="Median (runs)", gid="median", zorder=2)
    if np.isfinite(chart.ucl).any() or np.isfinite(chart.lcl).any():
        limit: dict[str, Any] = {"color": LIMIT_COLOR, "linewidth": 1.1,
                                 "linestyle": "--", "zorder": 4.5 if big else 2}
        _step_line(ax, x, chart.ucl, big, gid="ucl",
                   label=f"Control limits ({chart.nsigmas:g}\u03c3)", **limit)
        _step_line(ax, x, chart.lcl, big, gid="lcl", **limit)
    if zones and chart.chart not in _NO_ZONES and np.isfinite(chart.se).any():
        _draw_zones(chart, ax, x, big)

    index = chart.violation_index
    if index.size:
        flagged = np.unique(index)
        ax.plot(x[flagged], stat[flagged], gid="signals", **_signal_style(flagged.size))
        if annotate:
            pts, texts = _signal_labels(index, chart.violation_rule, MAX_ANNOTATIONS)
            above = ~(stat[pts] < chart.center[pts])
            _annotate(ax, pts, x[pts], stat[pts], above, texts)


def _draw_zones(chart: ControlChart, ax: Axes, x: NDArray[Any], big: bool) -> None:
    """Dotted lines at centre +/- 1 and 2 standard errors."""
    first = True
    power = chart.parameters.get("power") if chart.chart == "t" else None
    for k in (-2.0, -1.0, 1.0, 2.0):
        with np.errstate(invalid="ignore"):
            if power:
                # t chart: zones are symmetric on the transformed scale; draw them back.
                inner = chart.center ** power + k * chart.se
                y = np.where(inner > 0, np.abs(inner) ** (1.0 / power), np.nan)
            else:
                y = chart.center + k * chart.se
            if chart.chart in _NONNEGATIVE:
                y = np.where(y < 0, np.nan, y)
        _step_line(ax, x, y, big, optional=True, color=LIMIT_COLOR, linewidth=0.6,
                   linestyle=":", gid="zone", zorder=1,
                   label="Zones (1\u03c3, 2\u03c3)" if first else "_nolegend_")
        first = False


def _draw_cusum(chart: CusumChart, ax: Axes, x: NDArray[Any], *, annotate: bool,
                big: bool) -> None:
    style: dict[str, Any] = {"marker": None} if big else {
        "marker": "o", "markersize": 4 if chart.upper.size <= 150 else 2.5}
    lower = -chart.lower
    ax.plot(x, chart.upper, color=LINE_COLOR, linewidth=1.1, label="C+ (upper sum)",
            gid="cusum-upper", zorder=3, **style)
    ax.plot(x, lower, color="#e08214", linewidth=1.1, label="\u2212C\u2212 (lower sum)",
            gid="cusum-lower", zorder=3, **style)
    ax.axhline(0.0, color="black", linewidth=0.9, gid="center")
    ax.axhline(chart.h, color=LIMIT_COLOR, linestyle="--", linewidth=1.1,
               label=f"\u00b1h = {chart.h:g}", gid="decision-interval")
    ax.axhline(-chart.h, color=LIMIT_COLOR, linestyle="--", linewidth=1.1,
               gid="decision-interval")

    index, rule = chart.violation_index, chart.violation_rule
    if index.size:
        is_upper = rule == "cusum_upper"
        ys = np.where(is_upper, chart.upper[index], lower[index])
        ax.plot(x[index], ys, gid="signals", **_signal_style(index.size))
        if annotate:
            m = min(index.size, MAX_ANNOTATIONS)
            texts = [_rule_label(str(r)) for r in rule[:m].tolist()]
            _annotate(ax, index[:m], x[index[:m]], ys[:m], is_upper[:m], texts)


def _draw_stages(chart: ControlChart, ax: Axes, x: NDArray[Any]) -> None:
    stages = chart.stages
    if not stages or (len(stages) == 1 and stages[0].name == "all"):
        return
    trans = ax.get_xaxis_transform()
    for k, stage in enumerate(stages):
        if stage.start >= x.size or stage.stop <= stage.start:
            continue
        if k > 0 and stage.start > 0:
            left = _boundary(x, stage.start)
            ax.axvline(left, color="#404040", linestyle="--", linewidth=1.0,
                       gid="stage-boundary", zorder=1)
        else:
            left = x[stage.start]
        name = stage.name
        sigma_z = stage.extra.get("sigma_z")
        if sigma_z is not None and len(stages) > 1:
            name += f"  (sigma_z {sigma_z:.2f})"
        ax.text(left, 0.98, " " + name, transform=trans, ha="left", va="top", fontsize=8,
                color="#303030", gid="stage-name", clip_on=True,
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white",
                      "edgecolor": "none", "alpha": 0.8})


def _draw_phase(chart: ControlChart, ax: Axes, x: NDArray[Any]) -> None:
    phase1 = chart.phase1
    if phase1.size < 2:
        return
    flips = np.flatnonzero(phase1[:-1] & ~phase1[1:]) + 1
    trans = ax.get_xaxis_transform()
    for i in flips.tolist():
        at = _boundary(x, i)
        ax.axvline(at, color="#6a3d9a", linestyle="-.", linewidth=1.1,
                   gid="phase2-boundary", zorder=1)
        ax.text(at, 0.02, " Phase II", transform=trans, ha="left", va="bottom", fontsize=8,
                color="#6a3d9a", gid="phase2-label")
