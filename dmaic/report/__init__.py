"""The storyboard of a DMAIC project: one self-contained HTML page, charter to control.

:func:`report` (also ``dmaic.report``) writes it; :func:`storyboard` returns the HTML.
Each piece of evidence is drawn with the section builders of :mod:`sixsigma.report`,
which also writes the single-analysis pages (``sixsigma.report.chart_report`` ...).
"""

from dmaic.report.storyboard import report, storyboard

__all__ = ["report", "storyboard"]
