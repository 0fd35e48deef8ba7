"""The funnel plot and the segment bars only read the results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sixsigma.rootcause as rc  # noqa: E402
from sixsigma.errors import ParameterError  # noqa: E402
from sixsigma.plot.rootcause import funnel_plot, segment_bars  # noqa: E402

from .conftest import simulate  # noqa: E402


def test_funnel_plot_marks_flagged():
    data = pd.DataFrame({"u": list("abcdef"), "d": [5, 6, 30, 4, 5, 6],
                         "n": [100, 120, 110, 90, 100, 130]})
    f = rc.funnel(data, "d", "u", size="n")
    ax = funnel_plot(f)
    gids = [c.get_gid() for c in ax.collections]
    assert "flagged" in gids and "units" in gids
    flagged = ax.collections[gids.index("flagged")]
    assert flagged.get_offsets().shape[0] == len(f.flagged) == 1
    assert sum(line.get_gid() == "limit3" for line in ax.lines) == 2


def test_segment_bars_highlight_causes():
    scan = rc.segment_scan(simulate(20_000, 40, {(("queue", "spam"),): 0.06}), "is_error",
                           ["queue", "market"])
    fig, ax = plt.subplots()
    out = segment_bars(scan, ax=ax, top=6)
    assert out is ax and len(ax.patches) == 6
    assert ax.get_yticklabels()[-1].get_text() == scan.segments["segment"].iloc[0]
    with pytest.raises(ParameterError):
        segment_bars(scan, value="z")


def test_funnel_labels_do_not_overlap():
    import numpy as np

    rng = np.random.default_rng(8)
    n = rng.integers(200, 260, 40)
    p = np.where(np.arange(40) < 12, 0.25, 0.05)        # 12 flagged units of similar size
    data = pd.DataFrame({"u": [f"moderator-{i:03d}" for i in range(40)],
                         "d": rng.binomial(n, p), "n": n})
    f = rc.funnel(data, "d", "u", size="n")
    assert len(f.flagged) >= 8
    ax = funnel_plot(f)
    ax.figure.canvas.draw()
    labels = [t for t in ax.texts if t.get_gid() == "label"]
    assert labels
    boxes = [t.get_window_extent() for t in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    few = funnel_plot(f, max_labels=3, ax=plt.subplots()[1])
    assert sum(t.get_gid() == "label" for t in few.texts) == 3
    assert any("not labelled" in t.get_text() for t in few.texts)
    legend = ax.get_legend().get_window_extent()
    assert not any(b.overlaps(legend) for b in boxes)
    with pytest.raises(ParameterError, match="'max_labels'"):
        funnel_plot(f, max_labels=-1)
