"""Matplotlib renderers: each takes a result and returns an Axes.

matplotlib is imported only when a plot is drawn.
"""

from sixsigma.plot.capability import capability_histogram, capability_sixpack
from sixsigma.plot.charts import control_chart
from sixsigma.plot.flow import process_map
from sixsigma.plot.msa import (
    agreement_by_appraiser,
    agreement_rounds,
    gage_rr_components,
    kappa_by_category,
)
from sixsigma.plot.pareto import pareto_chart
from sixsigma.plot.rootcause import funnel_plot, segment_bars

__all__ = [
    "agreement_by_appraiser",
    "agreement_rounds",
    "capability_histogram",
    "capability_sixpack",
    "control_chart",
    "funnel_plot",
    "gage_rr_components",
    "kappa_by_category",
    "pareto_chart",
    "process_map",
    "segment_bars",
]
