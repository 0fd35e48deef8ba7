"""The roll-out page: a change going live unit by unit (:func:`rollout_report`).

For a :class:`sixsigma.rollout.Rollout`: the verdict per unit and the pooled and staggered
estimates as key figures, **small multiples** (each unit's staged chart as a sparkline:
the rate, the centre and limits of each stage, the go-live as a dashed line), a **forest
plot** of the per-unit changes (after - before, with their intervals) and the pooled
Mantel-Haenszel risk difference as a diamond, and the tables (per unit, cohorts,
adherence). Inline SVG only, no script; the sections also serve the DMAIC storyboard
(:func:`rollout_sections`).

Examples
--------
>>> import pandas as pd, sixsigma as ss
>>> from sixsigma.report import rollout_report
>>> days = pd.date_range("2026-01-01", periods=60)
>>> data = pd.DataFrame([{"region": u, "day": d, "audited": 400, "errors": 40 - (
...     12 * (u == "A" and d >= days[30]))} for u in "AB" for d in days])
>>> r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
...                      go_live={"A": "2026-01-31"})
>>> html = rollout_report(r)
>>> html.count('class="spark"'), "Forest plot" in html, "<script" in html
(2, True, False)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import escape

from sixsigma.report.render import Chart, Fact, Page, Section, render, table, write
from sixsigma.report.screening import sparkline

__all__ = ["forest_svg", "rollout_report", "rollout_sections"]

Path = str | os.PathLike[str]

_VERDICT_STATE = {"improved": "good", "worse": "bad", "no_change": "", "not_live": "warn",
                  "no_baseline": "warn"}


def _unit_svg(chart: Any, go_live: Any) -> str:
    frame = chart.to_frame()
    labels = frame["label"].to_numpy()
    index = np.arange(len(frame))
    change = None
    if go_live is not None and pd.notna(go_live):
        after = np.flatnonzero(pd.to_datetime(labels) >= pd.Timestamp(go_live))
        change = int(after[0]) if after.size else None
    signal = np.flatnonzero(frame["out_of_control"].to_numpy(dtype=bool))
    return sparkline(index, frame["statistic"].to_numpy(dtype=float),
                     frame["lcl"].to_numpy(dtype=float), frame["ucl"].to_numpy(dtype=float),
                     frame["center"].to_numpy(dtype=float), span=len(frame),
                     signal=int(signal[-1]) if signal.size else None, change=change,
                     width=240, height=64)


def forest_svg(result: Any, *, width: int = 560) -> str:
    """A forest plot: each live unit's change with its interval, the pooled effect below."""
    t = result.table
    rows = t[pd.notna(t["change"])].reset_index(drop=True)
    pooled = result.pooled
    names = [str(u) for u in rows["unit"]]
    est = rows["change"].to_numpy(dtype=float)
    lo = rows["ci_low"].to_numpy(dtype=float)
    hi = rows["ci_high"].to_numpy(dtype=float)
    p_lo, p_hi = pooled.ci
    values = np.concatenate([est, lo, hi, [0.0]] + (
        [[pooled.estimate, p_lo, p_hi]] if pooled.estimate is not None
        and p_lo is not None and p_hi is not None else []))
    values = values[np.isfinite(values)]
    span_lo, span_hi = float(values.min()), float(values.max())
    pad_v = (span_hi - span_lo) * 0.08 or 0.01
    span_lo, span_hi = span_lo - pad_v, span_hi + pad_v
    left, right, step, top = 130.0, 20.0, 22.0, 14.0
    height = int(top + step * (len(rows) + 2) + 34)
    pw = width - left - right

    def x(v: float) -> float:
        return left + (v - span_lo) / (span_hi - span_lo) * pw

    out = [f'<svg class="forest" width="{width}" height="{height}" viewBox="0 0 {width} '
           f'{height}" role="img"><title>Forest plot of the change per unit</title>',
           f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 6}" y2="{height - 30}" '
           'stroke="#9aa5b1" stroke-dasharray="3 3"/>']
    colour = {"improved": "#1b7f3b", "worse": "#b42318"}
    for i, name in enumerate(names):
        y = top + step * i + step / 2
        c = colour.get(str(rows.at[i, "verdict"]), "#1d2430")
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
                   f"{escape(name)}</text>")
        if np.isfinite(lo[i]) and np.isfinite(hi[i]):
            out.append(f'<line x1="{x(lo[i]):.1f}" x2="{x(hi[i]):.1f}" y1="{y:.1f}" '
                       f'y2="{y:.1f}" stroke="{c}" stroke-width="1.5"/>')
        out.append(f'<rect x="{x(est[i]) - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
                   f'fill="{c}"><title>{escape(name)}: {est[i]:+.4f} '
                   f"[{lo[i]:.4f}, {hi[i]:.4f}]</title></rect>")
    if pooled.estimate is not None:
        y = top + step * (len(rows) + 0.5) + step / 2
        a = x(p_lo) if p_lo is not None else x(pooled.estimate) - 5
        b = x(p_hi) if p_hi is not None else x(pooled.estimate) + 5
        m = x(pooled.estimate)
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" font-weight="700" '
                   'text-anchor="end">pooled (MH)</text>')
        out.append(f'<polygon points="{a:.1f},{y:.1f} {m:.1f},{y - 7:.1f} {b:.1f},{y:.1f} '
                   f'{m:.1f},{y + 7:.1f}" fill="#1f4e79"><title>pooled {pooled.estimate:+.4f}'
                   "</title></polygon>")
    for tick in np.linspace(span_lo, span_hi, 5):
        out.append(f'<text x="{x(tick):.1f}" y="{height - 16}" font-size="10" '
                   f'text-anchor="middle">{tick:+.3f}</text>')
    better = "lower" if result.direction == "lower" else "higher"
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 2}" font-size="11" '
               f'text-anchor="middle">change in rate, after \u2212 before ({better} is better)'
               "</text></svg>")
    return "".join(out)


def _effect(eff: Any) -> str:
    if eff.estimate is None:
        return "undefined"
    lo, hi = eff.ci
    ci = "" if lo is None or hi is None else f" [{lo:+.4f}, {hi:+.4f}]"
    return f"{eff.estimate:+.4f}{ci}"


def rollout_sections(result: Any, title: str = "Roll-out") -> list[Section]:
    """The sections of a roll-out: figures, small multiples, forest plot, tables."""
    t = result.table
    counts = t["verdict"].value_counts()
    facts = [Fact(str(v).replace("_", " "), str(int(n)), _VERDICT_STATE.get(str(v), ""))
             for v, n in counts.items()]
    facts += [Fact("pooled change (MH)", _effect(result.pooled)),
              Fact("staggered DiD", _effect(result.staggered))]
    lead = Section(title, facts=facts, notes=list(result.notes), paragraphs=[
        f"Per {result.unit}: the rate before and after its go-live, the change with its "
        f"{result.confidence:.0%} interval and a verdict tested in the direction "
        f"'{result.direction}' is better, with FDR {result.fdr:g} across units. Pooled: "
        f"{result.pooled.method}. Staggered: {result.staggered.estimator}."])
    go = dict(zip(t["unit"].astype(str), t["go_live"], strict=False))
    verdict = dict(zip(t["unit"].astype(str), t["verdict"], strict=False))
    cards = []
    for unit, chart in result.charts.items():
        svg = _unit_svg(chart, go.get(unit))
        cards.append(f'<div class="unit"><div><strong>{escape(unit)}</strong> '
                     f'<span class="muted">{escape(str(verdict.get(unit, "")))}'
                     f"</span></div>{svg}</div>")
    grid = ('<div class="units" style="display:grid;grid-template-columns:repeat(auto-fill,'
            'minmax(250px,1fr));gap:.5rem">' + "".join(cards) + "</div>")
    small = Section("Each unit, before and after its go-live", level=3, charts=[Chart(
        grid, f"The {result.label} rate per {result.unit}: centre (green) and limits (grey) of "
              "each stage, the go-live (dashed), the last signal (red ring).")])
    forest = Section("Forest plot", level=3, charts=[Chart(
        forest_svg(result), "Per-unit change after - before with its interval (green: "
                            "improved, red: worse); the diamond: the pooled Mantel-Haenszel "
                            "risk difference with its interval.")])
    tables = [table(t, caption="Per unit")]
    if len(result.cohorts):
        tables.append(table(result.cohorts, caption="Go-live cohorts (staggered design)"))
    if result.adherence is not None:
        tables.append(table(result.adherence, caption="Adherence to the new process"))
    detail = Section("Tables", level=3, tables=tables,
                     notes=[f"Staggered estimate assumes: {a}" for a in
                            result.staggered.assumptions])
    return [lead, small, forest, detail]


def rollout_report(result: Any, path: Path | None = None, *, title: str | None = None,
                   subtitle: str = "") -> str:
    """Write the roll-out page of a :class:`sixsigma.rollout.Rollout`; return the HTML.

    Parameters
    ----------
    result : sixsigma.rollout.Rollout
    path : str or path, optional
        Where to write the HTML file.
    title, subtitle : str, optional
        Page title (default "Roll-out") and a line under it.
    """
    heading = title or "Roll-out"
    parts = rollout_sections(result, heading)
    html = render(Page(title=heading, subtitle=subtitle, sections=parts, kind="rollout"))
    if path is not None:
        write(html, path)
    return html


