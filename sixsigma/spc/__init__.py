"""Statistical process control: control charts, run rules, phases and stages.

Every chart returns an immutable :class:`ControlChart` (or a :class:`ChartPair` of a
location and a dispersion chart); :func:`sixsigma.plot.control_chart` draws it.
"""

from sixsigma.spc.arl import IN_CONTROL_ARL, in_control_arl
from sixsigma.spc.attributes import c_chart, laney_p, laney_u, np_chart, p_chart, u_chart
from sixsigma.spc.chart import ChartPair, ControlChart, CusumChart, Stage, Violation
from sixsigma.spc.rare import g_chart, t_chart
from sixsigma.spc.rules import ALL_RULES, RULE_SETS
from sixsigma.spc.timeweighted import cusum, ewma
from sixsigma.spc.variables import imr, run_chart, xbar_r, xbar_s

__all__ = [
    "ALL_RULES",
    "IN_CONTROL_ARL",
    "RULE_SETS",
    "ChartPair",
    "ControlChart",
    "CusumChart",
    "Stage",
    "Violation",
    "c_chart",
    "cusum",
    "ewma",
    "g_chart",
    "imr",
    "in_control_arl",
    "laney_p",
    "laney_u",
    "np_chart",
    "p_chart",
    "run_chart",
    "t_chart",
    "u_chart",
    "xbar_r",
    "xbar_s",
]
