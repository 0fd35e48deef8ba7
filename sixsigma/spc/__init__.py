"""Statistical process control: control charts, run rules, phases and stages.

Every chart returns an immutable :class:`ControlChart` (or a :class:`ChartPair` of a
location and a dispersion chart); :func:`sixsigma.plot.control_chart` draws it.
:data:`CHARTS` maps the chart kinds of the command line (``sixsigma chart KIND``) to the
chart functions, so that a front end dispatches and reads their signatures from one place.
"""

from collections.abc import Callable
from typing import Any

from sixsigma.spc.arl import IN_CONTROL_ARL, in_control_arl
from sixsigma.spc.attributes import c_chart, laney_p, laney_u, np_chart, p_chart, u_chart
from sixsigma.spc.chart import ChartPair, ControlChart, CusumChart, Stage, Violation
from sixsigma.spc.rare import g_chart, t_chart
from sixsigma.spc.rules import ALL_RULES, RULE_SETS
from sixsigma.spc.screening import Screen, screen
from sixsigma.spc.timeweighted import cusum, ewma
from sixsigma.spc.variables import imr, run_chart, xbar_r, xbar_s
from sixsigma.spc.weighted import weighted_p

CHARTS: dict[str, Callable[..., Any]] = {
    "imr": imr,
    "xbar_r": xbar_r,
    "xbar_s": xbar_s,
    "p": p_chart,
    "np": np_chart,
    "c": c_chart,
    "u": u_chart,
    "laney_p": laney_p,
    "laney_u": laney_u,
    "g": g_chart,
    "t": t_chart,
    "ewma": ewma,
    "cusum": cusum,
    "run": run_chart,
}
"""Every chart function by its command-line kind (``sixsigma chart p ...``).

Each takes ``data`` and its columns (positional or keyword) and the options keyword-only;
``inspect.signature(CHARTS[kind])`` tells which columns a kind needs (parameters without a
default) and which options it takes.
"""

__all__ = [
    "ALL_RULES",
    "CHARTS",
    "IN_CONTROL_ARL",
    "RULE_SETS",
    "Screen",
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
    "screen",
    "t_chart",
    "u_chart",
    "weighted_p",
    "xbar_r",
    "xbar_s",
]
