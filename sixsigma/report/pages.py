"""One self-contained HTML page per analysis: chart, capability, Pareto, agreement, flow.

Each function takes a sixsigma result, renders it (:func:`sixsigma.report.render.render`)
and, when ``path`` is given, writes it there; it returns the HTML text. The content is the
result's sections (:mod:`sixsigma.report.sections`), the same a DMAIC storyboard shows.

Examples
--------
>>> import sixsigma as ss
>>> from sixsigma.report import chart_report
>>> ds = ss.datasets.load("daily_audits")
>>> chart = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
...                        stage=ds.changes)
>>> html = chart_report(chart, title="Daily error rate")
>>> html.startswith("<!DOCTYPE html>"), html.count("<svg"), "<script" in html
(True, 1, False)
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from sixsigma.report.render import Page, Section, render, write
from sixsigma.report.sections import hotspots as _hotspots_sections
from sixsigma.report.sections import process_map as _map_sections
from sixsigma.report.sections import sections

__all__ = ["agreement_report", "analysis_report", "capability_report", "chart_report",
           "flow_report", "hotspots_report", "pareto_report"]

Path = str | os.PathLike[str]

_TITLES = {
    "control_chart": "Control chart", "chart_pair": "Control chart",
    "cusum_chart": "Control chart",
    "capability": "Process capability", "percentile_capability": "Process capability",
    "transformed_capability": "Process capability", "sigma_metrics": "Sigma metrics",
    "pareto": "Pareto analysis", "attribute_agreement": "Attribute agreement",
    "fleiss_kappa": "Rater agreement", "cohen_kappa": "Rater agreement",
    "krippendorff_alpha": "Rater agreement", "process_map": "Process map",
    "hotspots": "Defect hotspots", "segment_scan": "Segment scan",
}


def _finish(title: str, subtitle: str, parts: list[Section], kind: str,
            path: Path | None) -> str:
    html = render(Page(title=title, subtitle=subtitle, sections=parts, kind=kind))
    if path is not None:
        write(html, path)
    return html


def analysis_report(result: Any, path: Path | None = None, *, title: str | None = None,
                    subtitle: str = "") -> str:
    """Report of any sixsigma result (dispatch on its ``kind``).

    Parameters
    ----------
    result : sixsigma result
        A control chart, capability study, Pareto, agreement study, process map, hotspot
        ranking, segment scan, comparison...; other kinds get their scalar figures. A
        screen gets :func:`screen_report`, a roll-out :func:`rollout_report`.
    path : str or path, optional
        Where to write the HTML file.
    title, subtitle : str, optional
        Page title (default from the kind) and a line under it.

    Returns
    -------
    str
        The HTML document.
    """
    kind = str(getattr(result, "kind", "result"))
    if kind == "screen":
        from sixsigma.report.screening import screen_report

        return screen_report(result, path, title=title, subtitle=subtitle)
    if kind == "rollout":
        from sixsigma.report.rollouts import rollout_report

        return rollout_report(result, path, title=title, subtitle=subtitle)
    heading = title or _TITLES.get(kind, kind.replace("_", " ").capitalize())
    parts = sections(result, "")
    if title:
        parts = [dataclasses.replace(parts[0], title=heading), *parts[1:]]
    return _finish(heading, subtitle, parts, kind, path)


def chart_report(chart: Any, path: Path | None = None, *, title: str | None = None,
                 subtitle: str = "", ylabel: str | None = None) -> str:
    """Report of a control chart (ControlChart or ChartPair): chart, stages, signals.

    ``title`` names the page and the chart (default: the kind of chart); ``ylabel`` names
    what is charted on the y axis (the column, the rate, the unit).
    """
    from sixsigma.report.sections import control_chart

    heading = title or _TITLES.get(str(getattr(chart, "kind", "")), "Control chart")
    # the page heading names the chart; the section under it is "<kind> chart" (never the
    # same heading twice), the figure carries the title too
    parts = control_chart(chart, "", ylabel=ylabel, plot_title=title)
    return _finish(heading, subtitle, parts, str(getattr(chart, "kind", "control_chart")),
                   path)


def capability_report(result: Any, path: Path | None = None, *, title: str | None = None,
                      subtitle: str = "") -> str:
    """Report of a capability study (normal, percentile, transformed) or sigma metrics."""
    return analysis_report(result, path, title=title, subtitle=subtitle)


def pareto_report(result: Any, path: Path | None = None, *, title: str | None = None,
                  subtitle: str = "") -> str:
    """Report of a Pareto analysis: chart, table, vital few."""
    return analysis_report(result, path, title=title, subtitle=subtitle)


def agreement_report(result: Any, path: Path | None = None, *, title: str | None = None,
                     subtitle: str = "") -> str:
    """Report of an agreement study (attribute agreement, Fleiss', Cohen's kappa...)."""
    return analysis_report(result, path, title=title, subtitle=subtitle)


def flow_report(process_map: Any, path: Path | None = None, *, hotspots: Any = None,
                title: str | None = None, subtitle: str = "") -> str:
    """Report of a process map (coloured and ringed by ``hotspots`` when given)."""
    heading = title or "Process map"
    parts = _map_sections(process_map, heading, hotspots)
    if hotspots is not None:
        parts += _hotspots_sections(hotspots, "Hotspots")
    return _finish(heading, subtitle, parts, "process_map", path)


def hotspots_report(result: Any, path: Path | None = None, *, process_map: Any = None,
                    title: str | None = None, subtitle: str = "") -> str:
    """Report of a hotspot ranking, drawn on the process map when one is given."""
    heading = title or "Defect hotspots"
    return _finish(heading, subtitle, _hotspots_sections(result, heading, process_map),
                   "hotspots", path)
