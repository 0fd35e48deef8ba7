"""Matplotlib renderers: each takes a result and returns an Axes.

matplotlib is imported only when a plot is drawn.
"""

from sixsigma.plot.capability import capability_histogram, capability_sixpack
from sixsigma.plot.control_chart import control_chart
from sixsigma.plot.pareto import pareto_chart

__all__ = ["capability_histogram", "capability_sixpack", "control_chart", "pareto_chart"]
