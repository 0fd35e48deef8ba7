"""Capability plots: the Axes artists are inspected, never the pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from refdata import load  # noqa: E402

from sixsigma.capability import capability, percentile_capability  # noqa: E402
from sixsigma.errors import ParameterError  # noqa: E402
from sixsigma.plot.capability import capability_histogram, capability_sixpack  # noqa: E402


def gids(ax):
    return sorted(str(a.get_gid()) for a in [*ax.lines, *ax.texts] if a.get_gid())


def test_histogram_normal_with_target():
    rings = load("pistonrings")
    res = capability(rings[rings.phase == "trial"], "diameter_mm", lsl=73.95, usl=74.05,
                     target=74.0, subgroup="subgroup")
    ax = capability_histogram(res)
    assert gids(ax) == ["fit-overall", "fit-within", "indices", "lsl", "target", "usl"]
    lsl = [line for line in ax.lines if line.get_gid() == "lsl"][0]
    assert list(lsl.get_xdata()) == [73.95, 73.95]
    text = [t for t in ax.texts if t.get_gid() == "indices"][0].get_text()
    assert f"Cpk = {res.cpk:.2f}" in text


def test_histogram_percentile_fit():
    x = np.random.default_rng(3).lognormal(4.3, 0.5, size=200)
    ax = capability_histogram(percentile_capability(x, usl=300.0))
    assert gids(ax) == ["fit", "indices", "usl"]
    with pytest.raises(ParameterError):
        capability_histogram("not a result")  # type: ignore[arg-type]


def test_sixpack_panels():
    rings = load("pistonrings")
    res = capability(rings[rings.phase == "trial"], "diameter_mm", lsl=73.95, usl=74.05,
                     subgroup="subgroup")
    axes = capability_sixpack(res)
    assert len(axes) == 6
    loc, disp, last, hist, prob, text = axes
    assert loc.get_title() == "X-bar chart" and disp.get_ylabel() == "Subgroup range"
    pts = [line for line in last.lines if line.get_gid() == "last-subgroups"][0]
    assert len(pts.get_xdata()) == 125                 # 25 subgroups of 5
    assert [line.get_gid() for line in prob.lines] == ["probability-points",
                                                        "probability-line"]
    assert "cpk" in [t for t in text.texts if t.get_gid() == "indices"][0].get_text()
    individuals = capability(np.random.default_rng(1).normal(size=60), lsl=-4, usl=4)
    axes = capability_sixpack(individuals)
    assert axes[2].get_title() == "Last 25 observations"


def test_sixpack_follows_the_sigma_method():
    # issue 15 item 13: pooled SD asked, large subgroups -> an S chart, not an R chart
    rng = np.random.default_rng(4)
    x = rng.normal(100.0, 10.0, size=30 * 40)
    g = np.repeat(np.arange(30), 40)
    data = {"x": x, "g": g}
    pooled = capability(data, "x", lsl=50.0, usl=150.0, subgroup="g",
                        sigma_method="pooled_sd_c4")
    assert pooled.chart.dispersion.chart == "S"
    loc, disp, *_ = capability_sixpack(pooled)
    assert disp.get_ylabel() == "Subgroup standard deviation"
    # R-bar/d2 but subgroups above 8: the sixpack draws S (Minitab), sigma unchanged
    rbar = capability(data, "x", lsl=50.0, usl=150.0, subgroup="g")
    assert rbar.chart.dispersion.chart == "R"
    loc, disp, *_ = capability_sixpack(rbar)
    assert disp.get_ylabel() == "Subgroup standard deviation"
    assert "S chart" in disp.get_title()
    # small subgroups keep the R chart
    rings = load("pistonrings")
    small = capability(rings[rings.phase == "trial"], "diameter_mm", lsl=73.95, usl=74.05,
                       subgroup="subgroup")
    assert capability_sixpack(small)[1].get_ylabel() == "Subgroup range"


def test_histogram_bars_are_not_hairlines():
    x = np.random.default_rng(5).normal(100.0, 10.0, size=200_000)
    res = capability(x[:20_000], lsl=40.0, usl=160.0)
    big = capability(x, lsl=40.0, usl=160.0)
    for r in (res, big):
        ax = capability_histogram(r)
        widths = np.array([p.get_width() for p in ax.patches])
        assert widths.size <= 50
        span = float(np.ptp(r.values))
        assert widths.min() >= span / 50 - 1e-9
    # Freedman-Diaconis at a moderate n
    x = np.random.default_rng(6).normal(size=500)
    q75, q25 = np.percentile(x, [75, 25])
    k = int(np.ceil(np.ptp(x) / (2 * (q75 - q25) * 500 ** (-1 / 3))))
    ax = capability_histogram(capability(x, lsl=-5.0, usl=5.0))
    assert len(ax.patches) == k
    assert ax.patches[0].get_width() == pytest.approx(np.ptp(x) / k)


def test_attribute_capability_report():
    import sixsigma as ss
    from sixsigma.plot.capability import attribute_capability_report

    daily = ss.datasets.load("daily_audits").audits
    res = ss.capability.binomial_capability(daily, "errors", "audited", "day", target=0.06)
    chart, cum, size, text = attribute_capability_report(res)
    line = [ln for ln in cum.lines if ln.get_gid() == "cumulative"][0]
    assert np.allclose(line.get_ydata(), res.cumulative_percent_defective)
    pts = [ln for ln in size.lines if ln.get_gid() == "rate-vs-size"][0]
    assert np.allclose(pts.get_xdata(), daily["audited"])
    summary = [t for t in text.texts if t.get_gid() == "summary"][0].get_text()
    assert f"{res.percent_defective:.3f}" in summary and "process Z" in summary
    pois = ss.capability.poisson_capability(daily, "errors", "audited", "day")
    axes = attribute_capability_report(pois)
    assert axes[2].get_ylabel() == "DPU"
    with pytest.raises(ParameterError):
        attribute_capability_report("nope")  # type: ignore[arg-type]
