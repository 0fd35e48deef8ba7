"""Self-contained HTML reports: one per analysis, and the storyboard of a DMAIC project.

* :func:`report` (also ``dmaic.report``) writes the storyboard of a project: charter,
  baseline, root causes with their evidence, improvement, control plan.
* :func:`chart_report`, :func:`capability_report`, :func:`pareto_report`,
  :func:`agreement_report`, :func:`flow_report`, :func:`hotspots_report` (and
  :func:`analysis_report` for any result) write one analysis each.

Every report is one HTML file: the stylesheet inline, the charts inline SVG, no script
and nothing fetched from elsewhere, with a print stylesheet for saving as PDF. Text from
the data is escaped (Jinja2 autoescaping; matplotlib escapes the text inside the SVG).
"""

from dmaic.report.analyses import (
    agreement_report,
    analysis_report,
    capability_report,
    chart_report,
    flow_report,
    hotspots_report,
    pareto_report,
)
from dmaic.report.storyboard import report, storyboard

__all__ = ["agreement_report", "analysis_report", "capability_report", "chart_report",
           "flow_report", "hotspots_report", "pareto_report", "report", "storyboard"]
