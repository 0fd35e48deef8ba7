"""Measurement-system plots.

Agreement by appraiser, kappa by category, gage R&R components, agreement over
calibration rounds and auditor accuracy over calibration rounds.

Each function reads a result of :mod:`sixsigma.msa` and returns the Axes; matplotlib is
imported inside. Artists carry a ``gid`` naming their role (``"percent"``,
``"interval"``, ``"kappa"``, ``"threshold"``, ``"estimate"``, ``"bars-<measure>"``) so
tests and callers can find them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sixsigma._params import choice
from sixsigma.errors import ParameterError
from sixsigma.msa.agreement import AttributeAgreement
from sixsigma.msa.auditors import AuditorAccuracy
from sixsigma.msa.gage import GageRR
from sixsigma.msa.kappa import FleissKappa
from sixsigma.msa.rounds import AgreementSeries

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["agreement_by_appraiser", "kappa_by_category", "gage_rr_components",
           "agreement_rounds", "auditor_rounds"]

KAPPA_GOOD = 0.75
"""AIAG MSA 4th ed.: kappa above 0.75 indicates good agreement, below 0.40 poor."""
KAPPA_POOR = 0.40


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    return ax


def _legend_below(ax: Axes) -> None:
    """A legend under the axes, clear of the data (reference lines, bars, labels)."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small",
              frameon=False)


def _overlap(boxes: list[Any]) -> bool:
    """True when two neighbouring label boxes (in draw order along x) overlap."""
    spans = sorted((b.x0, b.x1) for b in boxes if b.width > 0)
    return any(nxt[0] < cur[1] for cur, nxt in zip(spans, spans[1:], strict=False))


def _fit_xticklabels(ax: Axes) -> None:
    """Rotate the x tick labels to vertical when, drawn flat, neighbours would overlap.

    Many reviewer ids (ten or more, or long ones) do not fit side by side; vertical labels
    need only the font height each.
    """
    fig = ax.get_figure()
    if fig is None:
        return
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if callable(get_renderer):
        crowded = _overlap([t.get_window_extent(get_renderer()) for t in labels])
    else:   # a canvas without a renderer (some vector backends): judge by text length
        width_pt = ax.bbox.width * 72 / fig.dpi
        crowded = sum(len(t.get_text()) for t in labels) * 7 > width_pt
    if crowded:
        for t in labels:
            t.set_rotation(90)
            t.set_horizontalalignment("center")
            t.set_rotation_mode("default")


def agreement_by_appraiser(
    result: AttributeAgreement, *, table: str = "vs_standard", ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Percent matched per appraiser with its exact interval (Minitab's agreement graph).

    Parameters
    ----------
    result : AttributeAgreement
    table : {"vs_standard", "within"}
        Which assessment table to draw.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to the marker artist.

    Returns
    -------
    matplotlib.axes.Axes
    """
    choice(table, "table", ("vs_standard", "within"), caller="agreement_by_appraiser")
    frame = getattr(result, table)
    if frame is None:
        raise ParameterError(f"agreement_by_appraiser: the analysis has no {table!r} table "
                             "(no standard= or trial= column).")
    ax = _axes(ax)
    x = np.arange(len(frame))
    pct = frame["percent"].to_numpy(dtype=float)
    ax.vlines(x, frame["ci_low"].to_numpy(dtype=float),
              frame["ci_high"].to_numpy(dtype=float), color="#d62728", gid="interval")
    ax.plot(x, pct, ls="none", marker="o", color="#1f4e79", gid="percent", **kwargs)
    ax.set_xticks(x, [str(a) for a in frame["rater"]])
    ax.set_ylim(0, 105)
    title = "Appraiser vs standard" if table == "vs_standard" else "Within appraisers"
    ax.set(title=title, xlabel="Appraiser", ylabel="Percent matched")
    _fit_xticklabels(ax)
    return ax


def kappa_by_category(
    result: AttributeAgreement | FleissKappa, *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Horizontal bars of kappa per category, lowest (most ambiguous) at the top.

    Reference lines at 0.75 (good) and 0.40 (poor), the AIAG rule of thumb.

    Parameters
    ----------
    result : AttributeAgreement or FleissKappa
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``barh``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = result.by_category.sort_values("kappa", kind="stable", na_position="last")
    ax = _axes(ax)
    y = np.arange(len(frame))[::-1]
    kap = frame["kappa"].to_numpy(dtype=float)
    colors = np.where(kap < KAPPA_POOR, "#d62728", np.where(kap < KAPPA_GOOD, "#ff7f0e",
                                                            "#2ca02c"))
    ax.barh(y, np.nan_to_num(kap), color=colors.tolist(), gid="kappa", **kwargs)
    ax.set_yticks(y, [str(c) for c in frame["category"]])
    ax.axvline(KAPPA_POOR, color="#d62728", ls="--", lw=1, gid="threshold",
               label=f"{KAPPA_POOR:.2f}: poor agreement below (AIAG)")
    ax.axvline(KAPPA_GOOD, color="#2ca02c", ls="--", lw=1, gid="threshold",
               label=f"{KAPPA_GOOD:.2f}: good agreement above (AIAG)")
    low = float(np.nanmin(kap)) if np.isfinite(kap).any() else 0.0
    ax.set(title="Kappa by category", xlabel="Fleiss' kappa", xlim=(min(0.0, low) - 0.05, 1.05))
    _legend_below(ax)
    return ax


def gage_rr_components(
    result: GageRR, *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Grouped bars of % contribution, % study variation (and % tolerance) per source.

    Sources: gage R&R, repeatability, reproducibility, part-to-part (Minitab's
    "Components of Variation" panel).

    Parameters
    ----------
    result : GageRR
    ax : matplotlib Axes, optional
    **kwargs
        Passed to each ``bar`` call.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    sources = ["gage_rr", "repeatability", "reproducibility", "part"]
    labels = ["Gage R&R", "Repeat", "Reprod", "Part-to-part"]
    measures = [m for m in ("pct_contribution", "pct_study_var", "pct_tolerance")
                if m in result.components.columns]
    width = 0.8 / len(measures)
    x = np.arange(len(sources))
    names = {"pct_contribution": "% Contribution", "pct_study_var": "% Study Var",
             "pct_tolerance": "% Tolerance"}
    for j, m in enumerate(measures):
        vals = result.components.loc[sources, m].to_numpy(dtype=float)
        ax.bar(x + (j - (len(measures) - 1) / 2) * width, vals, width, label=names[m],
               gid=f"bars-{m}", **kwargs)
    ax.set_xticks(x, labels)
    ax.set(title="Components of variation", ylabel="Percent")
    ax.legend()
    return ax


def agreement_rounds(
    series: AgreementSeries, *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """The agreement statistic per calibration round with its interval bars.

    Parameters
    ----------
    series : AgreementSeries
    ax : matplotlib Axes, optional
    **kwargs
        Passed to the line of estimates.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    x = np.arange(series.rounds.size)
    ax.vlines(x, series.ci_low, series.ci_high, color="#7f7f7f", gid="interval")
    ax.plot(x, series.estimate, marker="o", color="#1f4e79", gid="estimate", **kwargs)
    ax.axhline(KAPPA_GOOD, color="#2ca02c", ls="--", lw=1, gid="threshold",
               label=f"{KAPPA_GOOD:.2f}: good agreement above (AIAG)")
    ax.set_xticks(x, [str(r) for r in series.rounds])
    name = "Fleiss' kappa" if series.statistic == "fleiss" else "Krippendorff's alpha"
    ax.set(title=f"{name} by calibration round", xlabel="Round", ylabel=name)
    _legend_below(ax)
    _fit_xticklabels(ax)
    return ax


def auditor_rounds(
    result: AuditorAccuracy, *, figure: str = "accuracy", ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Each auditor's accuracy (or sensitivity, specificity) over calibration rounds.

    One thin line per auditor, the team's pooled figure per round as a thick line, and
    the auditors flagged below the rest of their round (Benjamini-Hochberg) marked in red.

    Parameters
    ----------
    result : AuditorAccuracy
        Computed with ``by=`` the round column (a single column).
    figure : {"accuracy", "sensitivity", "specificity"}
    ax : matplotlib Axes, optional
    **kwargs
        Passed to each auditor's line.

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``gid`` "auditor-<id>" per auditor, "team", "flagged".
    """
    caller = "auditor_rounds"
    choice(figure, "figure", ("accuracy", "sensitivity", "specificity"), caller=caller)
    if len(result.by) != 1:
        raise ParameterError(f"{caller}: the result must be computed with by= a single round "
                             f"column; it has by={list(result.by)!r}.")
    rnd = result.by[0]
    ax = _axes(ax)
    t = result.table[result.table["figure"] == figure]
    rounds = list(dict.fromkeys(result.by_auditor[rnd].tolist()))
    try:
        rounds = sorted(rounds)
    except TypeError:
        pass
    x_of = {r: i for i, r in enumerate(rounds)}
    for who, g in t.groupby("auditor", sort=True):
        ax.plot([x_of[r] for r in g[rnd]], g["estimate"].to_numpy(dtype=float), lw=1,
                alpha=0.6, marker=".", gid=f"auditor-{who}", label="_nolegend_", **kwargs)
    team = t.groupby(rnd, sort=False)[["successes", "n"]].sum()
    team = team.loc[[r for r in rounds if r in team.index]]
    ax.plot([x_of[r] for r in team.index], (team["successes"] / team["n"]).to_numpy(),
            color="black", lw=2.5, gid="team", label=f"team {figure}")
    low = result.by_auditor[result.by_auditor["direction"] == "below"]
    if not low.empty:
        ax.plot([x_of[r] for r in low[rnd]], low[figure].to_numpy(dtype=float), ls="none",
                marker="o", ms=9, mfc="none", mec="#d62728", mew=2, gid="flagged",
                label=f"below the rest (FDR {result.fdr:g})")
        for _, row in low.iterrows():
            ax.annotate(str(row["auditor"]), (x_of[row[rnd]], float(row[figure])),
                        textcoords="offset points", xytext=(6, -4), fontsize="small",
                        color="#d62728")
    ax.set_xticks(range(len(rounds)), [str(r) for r in rounds])
    ax.set(title=f"Auditor {figure} by calibration round", xlabel=str(rnd),
           ylabel=figure.capitalize())
    _legend_below(ax)
    _fit_xticklabels(ax)
    return ax
