"""Matplotlib renderers: each takes a result and returns an Axes.

matplotlib is imported only when a plot is drawn.
"""

from sixsigma.plot.control_chart import control_chart

__all__ = ["control_chart"]
