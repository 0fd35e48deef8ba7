"""One self-contained HTML page per result: chart, capability, Pareto, agreement, flow...

* :func:`chart_report`, :func:`capability_report`, :func:`pareto_report`,
  :func:`agreement_report`, :func:`flow_report`, :func:`hotspots_report` (and
  :func:`analysis_report` for any result) write one analysis each.
* :func:`screen_report` (many series at once: small multiples, a sortable table, filters,
  the goal plot; the one page with a small inline script) and :func:`rollout_report` (a
  change going live unit by unit: small multiples, a forest plot).
* :mod:`sixsigma.report.sections` builds the sections of each kind of result from its
  attributes; :mod:`sixsigma.report.render` holds the page model and the one template
  set; :mod:`sixsigma.report.svg` draws matplotlib figures as inline SVG. The DMAIC
  storyboard (``dmaic.report``) is built from the same pieces.

Every page is one HTML file: the stylesheet inline, the charts inline SVG, no script and
nothing fetched from elsewhere, with a print stylesheet for saving as PDF. Text from the
data is escaped (Jinja2 autoescaping; matplotlib escapes the text inside the SVG).
Importing this package does not import matplotlib; drawing a page does.
"""

from sixsigma.report.pages import (
    agreement_report,
    analysis_report,
    capability_report,
    chart_report,
    flow_report,
    hotspots_report,
    pareto_report,
)
from sixsigma.report.rollouts import rollout_report
from sixsigma.report.screening import screen_report

__all__ = ["agreement_report", "analysis_report", "capability_report", "chart_report",
           "flow_report", "hotspots_report", "pareto_report", "rollout_report",
           "screen_report"]
