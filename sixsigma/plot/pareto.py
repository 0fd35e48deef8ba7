"""Pareto chart: bars largest first, the cumulative percentage line and the cut-off.

Only reads a :class:`sixsigma.pareto.Pareto` result; matplotlib is imported inside the
function. Artists carry a ``gid``: ``"bars"``, ``"cumulative"``, ``"cutoff"`` (the
threshold line) and ``"vital-few"`` (the vertical line after the last vital category).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sixsigma.errors import ParameterError
from sixsigma.pareto import Pareto

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["pareto_chart"]

BAR_COLOR = "#1f4e79"
VITAL_COLOR = "#d62728"


def pareto_chart(result: Pareto, *, ax: Axes | None = None, stratum: Any = None,
                 title: str | None = None) -> Axes:
    """Draw a Pareto chart: bars, cumulative percent (right axis) and the vital-few cut-off.

    Parameters
    ----------
    result : Pareto
        From :func:`sixsigma.pareto.pareto`.
    ax : matplotlib.axes.Axes, optional
        Axes for the bars; a new figure when omitted. The cumulative line is drawn on a
        twin Axes (``ax.right_ax``-like: the second y axis, in percent).
    stratum : optional
        With a stratified result, the stratum to draw (default: the pooled table).
    title : str, optional
        Axes title (default "Pareto chart of <category>").

    Returns
    -------
    matplotlib.axes.Axes
        The bar Axes.

    Raises
    ------
    ParameterError
        Not a Pareto result, or an unknown stratum.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sixsigma.pareto import pareto
    >>> from sixsigma.plot.pareto import pareto_chart
    >>> res = pareto({"type": list("aaaabbbcd")}, "type")
    >>> ax = pareto_chart(res)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b', 'c', 'd']
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, Pareto):
        raise ParameterError(f"pareto_chart: result must be a Pareto; got "
                             f"{type(result).__name__}.")
    if stratum is None:
        table, vital = result.overall, result.vital_few
    else:
        tables = result.tables
        if stratum not in tables or result.vital_few_by is None:
            raise ParameterError(f"pareto_chart: unknown stratum {stratum!r}.")
        table, vital = tables[stratum], result.vital_few_by[stratum]
    if ax is None:
        _, ax = plt.subplots(figsize=(9.0, 5.0), layout="constrained")
    labels = [str(c) for c in table["category"]]
    pos = np.arange(len(labels))
    is_vital = np.isin(np.asarray(table["category"], dtype=object),
                       np.asarray(vital, dtype=object))
    colors = [VITAL_COLOR if v else BAR_COLOR for v in is_vital]
    ax.bar(pos, table["count"].to_numpy(), color=colors, gid="bars")
    ax.set_xticks(pos, labels, rotation=30 if len(labels) > 6 else 0,
                  ha="right" if len(labels) > 6 else "center")
    ax.set_ylabel("Count" if result.weight is None else f"Total {result.weight}")
    right = ax.twinx()
    right.plot(pos, table["cum_percent"].to_numpy(), color="black", marker="o", ms=4,
               gid="cumulative")
    right.set_ylim(0, 105)
    right.set_ylabel("Cumulative percent")
    right.axhline(100.0 * result.threshold, color="grey", ls="--", lw=1, gid="cutoff")
    if len(vital):
        right.axvline(len(vital) - 0.5, color=VITAL_COLOR, ls=":", lw=1.2, gid="vital-few")
    ax.set_title(title if title is not None else f"Pareto chart of {result.category}"
                 + ("" if stratum is None else f" ({result.by} = {stratum})"))
    return ax
