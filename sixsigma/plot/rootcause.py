"""Root-cause drawings: the funnel plot and the segment bar chart.

Both only read a result (:class:`~sixsigma.rootcause.Funnel`,
:class:`~sixsigma.rootcause.SegmentScan`); matplotlib is imported inside the functions.
Artists carry a ``gid`` naming their role (``"units"``, ``"target"``, ``"limit2"``,
``"limit3"``, ``"flagged"``, ``"segments"``, ``"rest-rate"``), so tests and callers can find
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sixsigma.errors import ParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sixsigma.rootcause import Funnel, SegmentScan

__all__ = ["funnel_plot", "segment_bars"]

FLAG_COLOR = "#d62728"
POINT_COLOR = "#1f4e79"
LIMIT_COLOR = "#7f7f7f"


def funnel_plot(result: Funnel, *, ax: Axes | None = None, label_flagged: bool = True,
                max_labels: int = 15) -> Axes:
    """Draw a funnel plot: each unit's rate against its volume, with 2- and 3-sigma limits.

    Parameters
    ----------
    result : Funnel
        The result of :func:`sixsigma.rootcause.funnel`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    label_flagged : bool
        Write the names of the units outside their 3-sigma limits, placed so that no two
        labels overlap (a label that finds no free place is left out).
    max_labels : int
        Label at most this many flagged units, the most extreme first (by ``|z|``); the
        legend says how many were left unlabelled.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from sixsigma.plot.rootcause import funnel_plot
    >>> f = ss.rootcause.funnel(pd.DataFrame({"u": list("abcd"), "d": [1, 2, 9, 3],
    ...                                       "n": [50, 80, 90, 60]}), "d", "u", size="n")
    >>> ax = funnel_plot(f)
    >>> [line.get_gid() for line in ax.lines][:2]
    ['target', 'limit2']
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    units, curve = result.units, result.curve
    ax.axhline(result.p0, color="k", lw=1, gid="target", label=f"target {result.p0:.2%}")
    for k, style in ((2, "--"), (3, "-")):
        ax.plot(curve["n"], curve[f"upper{k}"], ls=style, color=LIMIT_COLOR, lw=1,
                gid=f"limit{k}", label=f"{k} sigma")
        ax.plot(curve["n"], curve[f"lower{k}"], ls=style, color=LIMIT_COLOR, lw=1,
                gid=f"limit{k}")
    out = units["flag"].str.contains("3 sigma").to_numpy()
    ax.scatter(units["n"][~out], units["rate"][~out], s=18, color=POINT_COLOR, gid="units",
               zorder=3)
    ax.scatter(units["n"][out], units["rate"][out], s=28, color=FLAG_COLOR, gid="flagged",
               zorder=4, label="outside 3 sigma")
    adj = "" if result.overdispersion == "none" else f", {result.overdispersion} adjustment"
    ax.set(xlabel="units (volume)", ylabel=f"{result.defectives} rate",
           title=f"Funnel plot by {result.unit} ({result.method} limits{adj})")
    legend = ax.legend(loc="best", fontsize=8, frameon=False)
    if label_flagged and out.any():
        _label_without_overlap(ax, units[out], max_labels, legend)
    return ax


_FONT = 8.0
#: Offsets (points) tried in turn for a label: right, above, below, left, further out.
_OFFSETS = [(4, 4), (4, -12), (-4, 4), (-4, -12), (4, 14), (4, -22), (-4, 14), (-4, -22),
            (4, 24), (4, -32), (-4, 24), (-4, -32)]


def _label_without_overlap(ax: Axes, flagged: Any, max_labels: int, legend: Any) -> None:
    """Annotate the flagged units, most extreme first, skipping places already taken.

    The legend's box and a corner kept for the "not labelled" count are taken first.
    """
    if not isinstance(max_labels, int) or isinstance(max_labels, bool) or max_labels < 0:
        raise ParameterError(f"funnel_plot: the 'max_labels' parameter must be a whole number "
                             f">= 0; got {max_labels!r}.")
    order = np.argsort(-np.abs(flagged["z"].to_numpy(dtype=float)), kind="stable")
    rows = flagged.iloc[order]
    fig = ax.figure
    fig.canvas.draw()  # fixes the transforms (limits, layout) before measuring
    to_px = ax.transData
    pt = fig.dpi / 72.0
    axes_box = ax.get_window_extent()
    lb = legend.get_window_extent()
    note_w, note_h = 0.62 * 7 * 34 * pt, 1.3 * 7 * pt
    note_box = (axes_box.x1 - note_w - 4 * pt, axes_box.y0, axes_box.x1, axes_box.y0 + note_h)
    taken: list[tuple[float, float, float, float]] = [(lb.x0, lb.y0, lb.x1, lb.y1), note_box]
    placed = 0
    for row in rows.itertuples():
        if placed >= max_labels:
            break
        text = str(row.unit)
        x, y = to_px.transform((row.n, row.rate))
        w, h = 0.62 * _FONT * len(text) * pt, 1.2 * _FONT * pt
        for dx, dy in _OFFSETS:
            left = x + dx * pt if dx >= 0 else x + dx * pt - w
            bottom = y + dy * pt
            box = (left, bottom, left + w, bottom + h)
            inside = (box[0] >= axes_box.x0 and box[2] <= axes_box.x1
                      and box[1] >= axes_box.y0 and box[3] <= axes_box.y1)
            clash = any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                        for b in taken)
            if inside and not clash:
                taken.append(box)
                ax.annotate(text, (row.n, row.rate), textcoords="offset points",
                            xytext=(dx, dy), fontsize=_FONT, color=FLAG_COLOR,
                            ha="left" if dx >= 0 else "right", va="bottom", gid="label")
                placed += 1
                break
    left_out = len(rows) - placed
    if left_out:
        ax.text(0.99, 0.01, f"{left_out} flagged unit(s) not labelled", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7, color=FLAG_COLOR, gid="unlabelled")


def segment_bars(result: SegmentScan, *, ax: Axes | None = None, top: int = 10,
                 value: str = "rate") -> Axes:
    """Horizontal bars of the top segments of a scan, the causes highlighted.

    Parameters
    ----------
    result : SegmentScan
        The result of :func:`sixsigma.rootcause.segment_scan`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    top : int
        How many segments (best first) to draw.
    value : {"rate", "excess_defects"}
        What the bars show; with ``"rate"`` each segment's rest rate is marked.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from sixsigma.plot.rootcause import segment_bars
    >>> rows = pd.DataFrame({"q": ["a", "b", "c"] * 2, "m": ["x"] * 3 + ["y"] * 3,
    ...                      "d": [30, 5, 6, 4, 5, 6], "n": [100] * 6})
    >>> ax = segment_bars(ss.rootcause.segment_scan(rows, "d", ["q", "m"], size="n"), top=3)
    >>> len(ax.patches)
    3
    """
    import matplotlib.pyplot as plt

    if value not in ("rate", "excess_defects"):
        raise ParameterError(f"segment_bars: value must be 'rate' or 'excess_defects'; got "
                             f"{value!r}.")
    if top < 1:
        raise ParameterError(f"segment_bars: top must be >= 1; got {top!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.4 * min(top, len(result.segments)) + 1.2))
    seg = result.segments.head(top).iloc[::-1]
    y = np.arange(len(seg))
    colors: list[Any] = [FLAG_COLOR if s == "cause" else POINT_COLOR for s in seg["status"]]
    bars = ax.barh(y, seg[value], color=colors, gid="segments")
    for bar in bars:
        bar.set_gid("segments")
    if value == "rate":
        ax.scatter(seg["rest_rate"], y, marker="|", s=200, color="k", gid="rest-rate",
                   zorder=3, label="rest of the data")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_yticks(y, list(seg["segment"]), fontsize=8)
    ax.set(xlabel="defect rate" if value == "rate" else "excess defects",
           title=f"Segments of {result.defectives} (causes in red)")
    return ax
