"""Figures the guide shows whose page does not make them under the name it shows.

``docs/flow.md`` draws the process map (``process_map(pm, hotspots=steps, top=3)``) and
saves it as ``moderation_flow.png``, but shows ``flow_map.png``. This generator repeats
that block's three calls on the same data, so the figure on the site is made by the build
from the current code rather than kept as a committed picture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def flow_map(target: Path) -> None:
    """Draw the escalation_handoff process map with its top three hotspots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import sixsigma as ss
    from sixsigma.plot.flow import process_map

    ds = ss.datasets.load("escalation_handoff")
    pm = ss.flow.discover(ds.events, "case_id", "activity", "timestamp", variants=True)
    steps = ss.flow.hotspots(ds.events, ds.audits)
    ax = process_map(pm, hotspots=steps, top=3)
    ax.figure.savefig(target, dpi=100, bbox_inches="tight")
    plt.close(ax.figure)


GENERATORS: dict[str, Callable[[Path], None]] = {"flow_map.png": flow_map}
