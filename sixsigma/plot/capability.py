"""Capability plots: a histogram with specs, fitted curves and indices, and the sixpack.

Both only read the result (values, specs, sigmas, fitted distribution, chart); matplotlib
is imported inside the functions. Artists carry a ``gid`` naming their role
(``"histogram"``, ``"lsl"``, ``"usl"``, ``"target"``, ``"fit-within"``, ``"fit-overall"``,
``"fit"``, ``"indices"``, ``"probability-points"``, ``"probability-line"``,
``"last-subgroups"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from sixsigma.capability.attributes import BinomialCapability, PoissonCapability
from sixsigma.capability.distributions import PercentileCapability
from sixsigma.capability.indices import Capability
from sixsigma.capability.transforms import TransformedCapability
from sixsigma.errors import ParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["attribute_capability_report", "capability_histogram", "capability_sixpack",
           "histogram_bins"]

SPEC_COLOR = "#d62728"
TARGET_COLOR = "#2ca02c"
WITHIN_COLOR = "#1f4e79"
OVERALL_COLOR = "#ff7f0e"
LAST_SUBGROUPS = 25
MAX_BINS = 50
"""Most histogram bars drawn by default (the Freedman-Diaconis count is capped here)."""
S_CHART_ABOVE = 8
"""Subgroup size above which the sixpack draws an S chart instead of an R chart (Minitab)."""


def histogram_bins(x: Any, *, max_bins: int = MAX_BINS) -> int:
    """Number of histogram bars for ``x``: Freedman-Diaconis, between 5 and ``max_bins``.

    Width 2 IQR n^(-1/3) (Freedman & Diaconis 1981), so that large samples do not give
    hairline bars; Sturges' log2(n) + 1 when the IQR is 0.

    Examples
    --------
    >>> histogram_bins(np.arange(1000.0))        # range 999, width 2 * 499.5 / 10 = 99.9
    10
    >>> histogram_bins(np.random.default_rng(0).normal(size=1_000_000))
    50
    """
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2 or not np.ptp(v) > 0:
        return 1
    q75, q25 = np.percentile(v, [75.0, 25.0])
    iqr = float(q75 - q25)
    if iqr > 0:
        k = int(np.ceil(float(np.ptp(v)) / (2.0 * iqr * v.size ** (-1.0 / 3.0))))
    else:
        k = int(np.ceil(np.log2(v.size))) + 1
    return max(5, min(max_bins, k))

AnyCapability = Capability | PercentileCapability | TransformedCapability


def _indices_text(res: Capability | PercentileCapability) -> str:
    lines = []
    names = ("cp", "cpk", "cpm", "pp", "ppk") if isinstance(res, Capability) else \
        ("pp", "ppk", "ppl", "ppu")
    for name in names:
        v = getattr(res, name)
        if v is not None:
            label = name[0].upper() + name[1:]
            lines.append(f"{label} = {v:.2f}")
    ppm = res.ppm.get("expected_overall_total", res.ppm.get("expected_total"))
    if ppm is not None:
        lines.append(f"PPM (exp.) = {ppm:.0f}")
    lines.append(f"PPM (obs.) = {res.ppm['observed_total']:.0f}")
    return "\n".join(lines)


def capability_histogram(
    result: AnyCapability, *, ax: Axes | None = None, bins: Any = None,
    show_indices: bool = True,
) -> Axes:
    """Histogram of the data with the specs, the fitted curve(s) and the indices.

    Parameters
    ----------
    result : Capability, PercentileCapability or TransformedCapability
        A capability result. A normal study shows the normal curves of the within (solid)
        and overall (dashed) sigma; a percentile study the fitted distribution; a
        transformed study its transformed data and specs.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure when omitted.
    bins : int, sequence or str, optional
        Passed to :meth:`matplotlib.axes.Axes.hist`. Default: :func:`histogram_bins`
        (Freedman-Diaconis, at most 50 bars, so that large samples keep visible bars).
    show_indices : bool
        Write the indices in a box at the upper right.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ParameterError
        ``result`` is not a capability result.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sixsigma.capability import capability
    >>> from sixsigma.plot.capability import capability_histogram
    >>> x = np.random.default_rng(2).normal(10, 0.2, size=100)
    >>> ax = capability_histogram(capability(x, lsl=9.0, usl=11.0))
    >>> sorted(line.get_gid() for line in ax.lines)
    ['fit-overall', 'fit-within', 'lsl', 'usl']
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    if isinstance(result, TransformedCapability):
        result = result.transformed
    if not isinstance(result, Capability | PercentileCapability):
        raise ParameterError("capability_histogram: result must be a capability result; got "
                             f"{type(result).__name__}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 5.0), layout="constrained")
    x = np.asarray(result.values, dtype=float)
    ax.hist(x, bins=histogram_bins(x) if bins is None else bins, density=True,
            color="#c6dbef", edgecolor="white", gid="histogram")
    specs = [v for v in (result.lsl, result.usl) if v is not None]
    lo = min([float(x.min()), *specs])
    hi = max([float(x.max()), *specs])
    pad = 0.05 * (hi - lo)
    grid = np.linspace(lo - pad, hi + pad, 400)
    if isinstance(result, Capability):
        ax.plot(grid, stats.norm.pdf(grid, result.mean, result.sigma_within),
                color=WITHIN_COLOR, lw=1.8, gid="fit-within", label="within")
        ax.plot(grid, stats.norm.pdf(grid, result.mean, result.sigma_overall),
                color=OVERALL_COLOR, lw=1.5, ls="--", gid="fit-overall", label="overall")
        target = result.target
    else:
        ax.plot(grid, result.frozen().pdf(grid), color=WITHIN_COLOR, lw=1.8, gid="fit",
                label=f"{result.distribution} fit")
        target = None
    for name, v, color in (("lsl", result.lsl, SPEC_COLOR), ("usl", result.usl, SPEC_COLOR),
                           ("target", target, TARGET_COLOR)):
        if v is not None:
            ax.axvline(v, color=color, ls="--" if name != "target" else ":", lw=1.5,
                       gid=name, label=name.upper())
    if show_indices:
        ax.text(0.98, 0.97, _indices_text(result), transform=ax.transAxes, ha="right",
                va="top", fontsize=9, family="monospace", gid="indices",
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85})
    ax.set_xlabel(result.value)
    ax.set_ylabel("Density")
    ax.set_title("Capability histogram")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _probability_plot(res: Capability, ax: Axes) -> None:
    x = np.sort(np.asarray(res.values, dtype=float))
    n = x.size
    ranks = (np.arange(1, n + 1) - 0.3) / (n + 0.4)   # Benard's median ranks (Minitab)
    if n > 2000:
        keep = np.unique(np.linspace(0, n - 1, 2000).round().astype(int))
        x, ranks = x[keep], ranks[keep]
    z = stats.norm.ppf(ranks)
    ax.plot(x, z, ls="none", marker="o", ms=3, color=WITHIN_COLOR,
            gid="probability-points")
    line = np.array([x.min(), x.max()])
    ax.plot(line, (line - res.mean) / res.sigma_overall, color=SPEC_COLOR, lw=1.2,
            gid="probability-line")
    p = res.normality.ad_p_value
    ax.set_title("Normal probability plot" + (f" (AD p = {p:.3g})" if p is not None else ""))
    ax.set_xlabel(res.value)
    ax.set_ylabel("Normal score")


def _last_subgroups(res: Capability, ax: Axes) -> None:
    x = np.asarray(res.values, dtype=float)
    if res.groups is None:
        m = min(LAST_SUBGROUPS, x.size)
        pos = np.arange(x.size - m, x.size) + 1
        ax.plot(pos, x[-m:], marker="o", ms=3, color=WITHIN_COLOR, gid="last-subgroups")
        ax.set_xlabel("Observation")
        ax.set_title(f"Last {m} observations")
    else:
        g = np.asarray(res.groups)
        k = int(g.max()) + 1
        first = max(0, k - LAST_SUBGROUPS)
        sel = g >= first
        ax.plot(g[sel] + 1, x[sel], ls="none", marker="+", color=WITHIN_COLOR,
                gid="last-subgroups")
        ax.set_xlabel("Subgroup")
        ax.set_title(f"Last {k - first} subgroups")
    ax.set_ylabel(res.value)


def capability_sixpack(result: Capability, *, fig: Figure | None = None
                       ) -> tuple[Axes, ...]:
    """One-figure capability summary in the spirit of Minitab's sixpack.

    Six panels: the location chart (X-bar or I) the within sigma came from and its
    dispersion chart: MR for individuals, S when the sigma comes from standard deviations
    (``pooled_sd_c4``, ``sbar_c4``) or a subgroup has more than 8 values (as Minitab; the
    location chart keeps the R-bar/d2 sigma then), R otherwise; the last 25 subgroups (or
    observations), the capability histogram, a normal probability plot (Benard median
    ranks, line of the fitted normal), and the indices with their intervals.

    Parameters
    ----------
    result : Capability
        A normal-theory capability study (:func:`sixsigma.capability.capability`); for a
        transformed study pass ``result.transformed``.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (it is cleared); a new one when omitted.

    Returns
    -------
    tuple of six Axes
        (location chart, dispersion chart, last subgroups, histogram, probability plot,
        indices panel).

    Raises
    ------
    ParameterError
        ``result`` is not a :class:`~sixsigma.capability.Capability`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sixsigma.capability import capability
    >>> from sixsigma.plot.capability import capability_sixpack
    >>> x = np.random.default_rng(2).normal(10, 0.2, size=100)
    >>> axes = capability_sixpack(capability(x, lsl=9.0, usl=11.0))
    >>> len(axes), axes[0].get_title()
    (6, 'Individuals (I) chart')
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    from sixsigma.plot.charts import control_chart

    if isinstance(result, TransformedCapability):
        result = result.transformed
    if not isinstance(result, Capability):
        raise ParameterError("capability_sixpack: result must be a Capability; got "
                             f"{type(result).__name__}.")
    if fig is None:
        fig = plt.figure(figsize=(14.0, 10.0), layout="constrained")
    else:
        fig.clear()
    grid = fig.subplots(3, 2)
    loc, disp, last = grid[0, 0], grid[1, 0], grid[2, 0]
    hist, prob, text = grid[0, 1], grid[1, 1], grid[2, 1]
    chart = result.chart
    sizes = np.bincount(np.asarray(result.groups)) if result.groups is not None else None
    if chart.dispersion.chart == "R" and sizes is not None and sizes.max() > S_CHART_ABOVE:
        from sixsigma.spc.variables import xbar_s

        s_chart = xbar_s({"x": np.asarray(result.values, dtype=float),
                          "g": np.asarray(result.groups)}, "x", "g").dispersion
        control_chart(chart.location, ax=loc, annotate=False, zones=False)
        control_chart(s_chart, ax=disp, annotate=False, zones=False,
                      title=f"S chart (subgroups above {S_CHART_ABOVE})")
    else:
        control_chart(chart, axes=(loc, disp), annotate=False, zones=False)
    _last_subgroups(result, last)
    capability_histogram(result, ax=hist)
    _probability_plot(result, prob)
    text.axis("off")
    pct = f"{result.confidence:.0%}"
    rows = [f"{'index':<6}{'estimate':>9}{pct + ' CI':>20}"]
    for name, est in result.indices.items():
        if est is not None:
            lo, hi = result.intervals[name]
            rows.append(f"{name:<6}{est:>9.3f}   [{lo:.3f}, {hi:.3f}]")
    rows += ["", f"sigma within  {result.sigma_within:.4g} ({result.sigma_method})",
             f"sigma overall {result.sigma_overall:.4g}",
             f"PPM exp. within {result.ppm['expected_within_total']:.1f}, "
             f"overall {result.ppm['expected_overall_total']:.1f}",
             f"PPM observed {result.ppm['observed_total']:.1f}"]
    if result.normality.doubtful:
        rows.append("normality doubtful: see notes")
    text.text(0.0, 1.0, "\n".join(rows), va="top", ha="left", family="monospace",
              fontsize=9, transform=text.transAxes, gid="indices")
    text.set_title("Capability indices")
    fig.suptitle(f"Process capability sixpack: {result.value}")
    return loc, disp, last, hist, prob, text


def attribute_capability_report(result: BinomialCapability | PoissonCapability, *,
                                fig: Figure | None = None) -> tuple[Axes, ...]:
    """Minitab's binomial (Poisson) capability report on one figure.

    Four panels: the p (u) chart of the samples; the cumulative % defective (DPU) over the
    samples with the interval of the overall rate (it should level off inside it); the
    rate against the sample size (no trend under the model), with the overall rate; and
    the summary statistics with their intervals.

    Parameters
    ----------
    result : BinomialCapability or PoissonCapability
        From :func:`sixsigma.capability.binomial_capability` or
        :func:`~sixsigma.capability.poisson_capability`.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (it is cleared); a new one when omitted.

    Returns
    -------
    tuple of four Axes
        (chart, cumulative rate, rate against size, summary). Artists carry the gids
        ``"cumulative"``, ``"cumulative-ci"``, ``"rate-vs-size"``, ``"overall-rate"`` and
        ``"summary"``.

    Raises
    ------
    ParameterError
        ``result`` is not an attribute capability result.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sixsigma.capability import binomial_capability
    >>> from sixsigma.plot.capability import attribute_capability_report
    >>> res = binomial_capability({"d": [3, 5, 2, 4, 6], "n": [100, 120, 90, 100, 110]},
    ...                           "d", "n")
    >>> axes = attribute_capability_report(res)
    >>> len(axes), axes[1].get_ylabel()
    (4, '% defective (cumulative)')
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    from sixsigma.plot.charts import control_chart

    if not isinstance(result, BinomialCapability | PoissonCapability):
        raise ParameterError("attribute_capability_report: result must be a "
                             "BinomialCapability or PoissonCapability; got "
                             f"{type(result).__name__}.")
    binomial = isinstance(result, BinomialCapability)
    rate = "percent_defective" if binomial else "dpu"
    label = "% defective" if binomial else "DPU"
    overall = float(getattr(result, rate))
    ci = result.intervals[rate]
    if fig is None:
        fig = plt.figure(figsize=(12.0, 8.0), layout="constrained")
    else:
        fig.clear()
    grid = fig.subplots(2, 2)
    chart_ax, cum_ax, size_ax, text = grid[0, 0], grid[0, 1], grid[1, 0], grid[1, 1]
    control_chart(result.chart, ax=chart_ax, annotate=False, zones=False)
    frame = result.to_frame()
    pos = np.arange(1, len(frame) + 1)
    cum_ax.plot(pos, frame[f"cumulative_{rate}"], marker="o", ms=3, color=WITHIN_COLOR,
                gid="cumulative")
    cum_ax.axhspan(ci[0], ci[1], color=OVERALL_COLOR, alpha=0.2, gid="cumulative-ci")
    cum_ax.axhline(overall, color=OVERALL_COLOR, lw=1.2, gid="overall-rate")
    cum_ax.set_xlabel("Sample")
    cum_ax.set_ylabel(f"{label} (cumulative)")
    cum_ax.set_title(f"Cumulative {label}")
    size_ax.plot(frame["size"], frame[rate], ls="none", marker="o", ms=4, color=WITHIN_COLOR,
                 gid="rate-vs-size")
    size_ax.axhline(overall, color=OVERALL_COLOR, lw=1.2, gid="overall-rate")
    size_ax.set_xlabel("Sample size")
    size_ax.set_ylabel(label)
    size_ax.set_title(f"{label} against sample size")
    text.axis("off")
    pct = f"{result.confidence:.0%}"
    if isinstance(result, BinomialCapability):
        rows = [f"{'':<14}{'estimate':>10}{pct + ' CI':>24}"]
        for name, key, fmt in (("% defective", "percent_defective", ".3f"),
                               ("PPM defective", "ppm", ".0f")):
            lo, hi = result.intervals[key]
            rows.append(f"{name:<14}{getattr(result, key):>10{fmt}}   "
                        f"[{lo:{fmt}}, {hi:{fmt}}]")
        if result.z_bench is not None:
            zci = result.intervals.get("z_bench")
            rows.append(f"{'process Z':<14}{result.z_bench:>10.3f}" + (
                f"   [{zci[0]:.3f}, {zci[1]:.3f}]" if zci else ""))
        if result.target is not None:
            rows.append(f"{'target %':<14}{100 * result.target:>10.3f}")
        rows.append(f"{result.total_defectives:g} defectives in {result.total_units:g} units")
    else:
        rows = [f"{'':<14}{'estimate':>10}{pct + ' CI':>24}"]
        for name, key in (("mean defects", "mean_defects"), ("mean DPU", "dpu")):
            lo, hi = result.intervals[key]
            rows.append(f"{name:<14}{getattr(result, key):>10.4g}   [{lo:.4g}, {hi:.4g}]")
        rows.append(f"{'min DPU':<14}{result.min_dpu:>10.4g}")
        rows.append(f"{'max DPU':<14}{result.max_dpu:>10.4g}")
        if result.target is not None:
            rows.append(f"{'target DPU':<14}{result.target:>10.4g}")
        rows.append(f"{result.total_defects:g} defects in {result.total_units:g} units")
    text.text(0.0, 1.0, "\n".join(rows), va="top", ha="left", family="monospace",
              fontsize=9, transform=text.transAxes, gid="summary")
    text.set_title("Summary statistics")
    kind = "Binomial" if binomial else "Poisson"
    column = result.defectives if isinstance(result, BinomialCapability) else result.count
    fig.suptitle(f"{kind} capability: {column}")
    return chart_ax, cum_ax, size_ax, text
