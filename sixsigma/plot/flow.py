"""Process-map drawing: :func:`process_map` renders a :class:`~sixsigma.flow.ProcessMap`.

Layered left to right: the rework flows (back edges of a depth-first search from the
start) are set aside, the remaining acyclic graph's topological generations give the
columns, and steps are spread vertically within a column. Edge width grows with volume
(``count``, else ``probability``), node colour with the defect rate (from a hotspot
result, else the steps' ``defect_rate``), and the top hotspots get a red ring and their
rank. Artists carry a ``gid`` (``"step"``, ``"flow"``, ``"rework-flow"``, ``"hotspot"``,
``"label"``). matplotlib is imported inside the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from sixsigma.errors import ParameterError
from sixsigma.flow.analysis import back_edges
from sixsigma.flow.defects import HotspotResult
from sixsigma.flow.processmap import ProcessMap

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["layout", "process_map"]

HOTSPOT_COLOR = "#d62728"


def layout(pm: ProcessMap) -> dict[str, tuple[float, float]]:
    """Positions: column = topological generation without the rework flows."""
    g = nx.DiGraph(pm.graph)
    g.remove_edges_from(back_edges(pm))
    pos: dict[str, tuple[float, float]] = {}
    for x, layer in enumerate(nx.topological_generations(g)):
        names = sorted(layer, key=lambda n: -float(pm.graph.nodes[n].get("count", 0) or 0))
        k = len(names)
        for j, n in enumerate(names):
            pos[str(n)] = (float(x), (k - 1) / 2.0 - j)
    return pos


def process_map(pm: ProcessMap, *, hotspots: HotspotResult | None = None, top: int = 3,
                ax: Axes | None = None, cmap: str = "YlOrRd") -> Axes:
    """Draw a process map, layered left to right.

    Parameters
    ----------
    pm : ProcessMap
    hotspots : HotspotResult, optional
        Colours steps by their defect rate and rings the ``top`` ranked steps (a ranked
        flow rings its target step and thickens the flow's outline).
    top : int
        Hotspots marked.
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    cmap : str
        Colour map of the defect rate.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    if not isinstance(pm, ProcessMap):
        raise ParameterError(f"process_map: pm must be a ProcessMap; got {type(pm).__name__}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 5))
    pos = layout(pm)
    g = pm.graph
    rate: dict[str, float] = {n: float(d.get("defect_rate", 0.0) or 0.0)
                              for n, d in g.nodes(data=True)}
    marked: dict[str, int] = {}
    marked_edges: dict[tuple[str, str], int] = {}
    if hotspots is not None:
        t = hotspots.table
        steps = t[t["unit"] == "step"]
        if not hotspots.by:
            rate.update(dict(zip(steps["name"], steps["rate"], strict=True)))
        head = t.head(top)
        for unit, name, rank in zip(head["unit"].tolist(), head["name"].tolist(),
                                    head["rank"].tolist(), strict=True):
            if unit == "step":
                marked.setdefault(str(name), int(rank))
            else:
                u, v = str(name).split(" -> ", 1)
                marked_edges.setdefault((u, v), int(rank))
                marked.setdefault(v, int(rank))
    back = back_edges(pm)
    vol = {(u, v): float(d.get("count", d.get("probability", 1.0)) or 0.0)
           for u, v, d in g.edges(data=True)}
    vmax = max(vol.values(), default=1.0) or 1.0
    for (u, v), w in vol.items():
        width = 0.5 + 7.5 * w / vmax
        rework = (u, v) in back
        arrow = FancyArrowPatch(
            pos[u], pos[v], arrowstyle="-|>", mutation_scale=12, lw=width,
            color=HOTSPOT_COLOR if (u, v) in marked_edges else "#1f4e79",
            alpha=0.55, connectionstyle="arc3,rad=-0.35" if rework else "arc3,rad=0.05",
            linestyle="--" if rework else "-", shrinkA=18, shrinkB=18, zorder=1)
        arrow.set_gid("rework-flow" if rework else "flow")
        ax.add_patch(arrow)
    names = list(pos)
    xy = np.array([pos[n] for n in names]) if names else np.empty((0, 2))
    colours = np.array([rate.get(n, 0.0) for n in names])
    hi = float(np.nanmax(colours)) if colours.size and np.nanmax(colours) > 0 else 1.0
    sc = ax.scatter(xy[:, 0], xy[:, 1], s=1400, c=colours, cmap=cmap, vmin=0.0, vmax=hi,
                    edgecolors="#333333", linewidths=1.0, zorder=2)
    sc.set_gid("step")
    for n, (x, y) in zip(names, xy, strict=True):
        c = g.nodes[n].get("count")
        text = n.replace("_", "\n", 1) if len(n) > 10 else n
        if isinstance(c, int | float) and c == c:
            text += f"\n{c:,.0f}"
        dark = rate.get(n, 0.0) > 0.6 * hi
        t_ = ax.text(x, y, text, ha="center", va="center", fontsize=7, zorder=3,
                     color="white" if dark else "black")
        t_.set_gid("label")
        if n in marked:
            ring = ax.scatter([x], [y], s=2200, facecolors="none", edgecolors=HOTSPOT_COLOR,
                              linewidths=2.5, zorder=2)
            ring.set_gid("hotspot")
            tag = ax.text(x, y + 0.42, f"#{marked[n]}", ha="center", color=HOTSPOT_COLOR,
                          fontsize=9, fontweight="bold", zorder=3)
            tag.set_gid("hotspot")
    cb = ax.figure.colorbar(sc, ax=ax, fraction=0.03, pad=0.01)
    cb.set_label("defect rate")
    if names:
        ax.set_xlim(xy[:, 0].min() - 0.6, xy[:, 0].max() + 0.6)
        ax.set_ylim(xy[:, 1].min() - 0.8, xy[:, 1].max() + 0.8)
    ax.set_axis_off()
    ax.set_title(f"Process map ({pm.source}): {g.number_of_nodes()} steps, "
                 f"{g.number_of_edges()} flows")
    return ax
