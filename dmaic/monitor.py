"""Monitoring: a project's frozen control limits re-run on new data (``sixsigma monitor``).

Each control-plan line with frozen limits names the evidence (a control chart) they were
frozen from. :func:`monitor_project` runs that chart's sixsigma function on the new data with
the recorded parameters (columns, rules) and ``limits=`` the frozen chart: the last stage of
the evidence's typed chart, with the centre (and sigma, when given) that the control plan
records. Laney charts keep their stage's ``sigma_z``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dmaic.errors import EvidenceError

if TYPE_CHECKING:
    from dmaic.model import Project

__all__ = ["Alert", "Check", "MonitorReport", "monitor_project"]

#: Parameters of the recorded call that describe the original study, not the new data.
_NOT_RERUN = ("stage", "phase1", "exclude", "revise", "limits", "center", "sigma")


@dataclass(frozen=True)
class Alert:
    """A point of the new data that a rule flagged: its label, value and the rules."""

    label: Any
    value: float
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """One control-plan line judged on the new data.

    Attributes
    ----------
    ctq, evidence : str
        The CTQ and the evidence its limits were frozen from.
    chart : sixsigma.spc.ControlChart
        The new data charted against the frozen limits (the location chart of a pair).
    """

    ctq: str
    evidence: str
    chart: Any

    @property
    def in_control(self) -> bool:
        """True when no point of the new data signals."""
        return bool(self.chart.in_control)

    @property
    def alerts(self) -> list[Alert]:
        """The flagged points, in order."""
        frame = self.chart.to_frame()
        flagged = frame[frame["out_of_control"]]
        return [Alert(label=r.label, value=float(r.statistic),
                      rules=tuple(str(r.rules).split(","))) for r in flagged.itertuples()]


@dataclass(frozen=True)
class MonitorReport:
    """What :func:`monitor_project` found: one :class:`Check` per control-plan line."""

    checks: tuple[Check, ...]

    @property
    def in_control(self) -> bool:
        """True when every line is in control."""
        return all(c.in_control for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The report as strict JSON (what ``sixsigma monitor --json`` prints).

        ``in_control`` and, per check, ``ctq``, ``chart``, ``evidence``, ``points``,
        ``center``, ``in_control`` and ``alerts`` (label, value, rules).
        """
        checks = []
        for c in self.checks:
            chart = c.chart
            checks.append({
                "ctq": c.ctq, "chart": chart.chart, "evidence": c.evidence,
                "points": len(chart), "center": float(chart.center[0]) if len(chart) else None,
                "in_control": c.in_control,
                "alerts": [{"label": _iso(a.label), "value": a.value, "rules": list(a.rules)}
                           for a in c.alerts]})
        return {"in_control": self.in_control, "checks": checks}


def _iso(value: Any) -> Any:
    """A point label as JSON: text and integers as they are, times as ISO text."""
    import numpy as np
    import pandas as pd

    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return pd.Timestamp(value).isoformat()
    return str(value)


def _frozen(chart: Any, center: float, sigma: float | None) -> Any:
    """``chart`` with the centre (and sigma) of its last stage set to the control plan's."""
    last = chart.stages[-1]
    if last.center == center and (sigma is None or last.sigma == sigma):
        return chart
    stage = dataclasses.replace(last, center=center,
                                sigma=last.sigma if sigma is None else sigma)
    return dataclasses.replace(chart, stages=(*chart.stages[:-1], stage))


def _check(project: Project, item: Any, data: Any,
           columns: Mapping[str, str | None] | None = None) -> Check:
    from sixsigma.spc import ChartPair, ControlChart

    eid = item.limits.evidence
    ev = project.evidence.get(eid)
    result = None if ev is None else ev.result
    chart = result.location if isinstance(result, ChartPair) else result
    if (ev is None or not isinstance(chart, ControlChart) or not ev.function
            or not ev.function.startswith("sixsigma.")):
        raise EvidenceError(f"monitor: the limits of {item.ctq!r} come from evidence {eid!r}, "
                            "which is not an attached sixsigma control chart with its "
                            "function recorded.")
    module, _, name = ev.function.rpartition(".")
    try:
        func = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise EvidenceError(f"monitor: cannot find {ev.function!r} ({err}).") from err
    params = {k: v for k, v in ev.parameters.items() if k not in _NOT_RERUN}
    accepted = inspect.signature(func).parameters
    for name, column in (columns or {}).items():
        if name not in accepted:
            if column is None:
                continue
            raise EvidenceError(f"monitor: the limits of {item.ctq!r} come from a "
                                f"{chart.chart} chart, which has no {name!r} column option.")
        if column is None:
            params.pop(name, None)
        else:
            params[name] = column
    new = func(data, **params, limits=_frozen(chart, item.limits.center, item.limits.sigma))
    return Check(ctq=item.ctq, evidence=eid,
                 chart=new.location if isinstance(new, ChartPair) else new)


def monitor_project(project: Project, data: Any, *, ctq: str | None = None,
                    columns: Mapping[str, str | None] | None = None) -> MonitorReport:
    """Check new data against every frozen limit of a project's control plan.

    Parameters
    ----------
    project : dmaic.Project
    data : dataframe
        The new data, with the columns the frozen charts were computed from.
    ctq : str, optional
        Check only this CTQ's lines.
    columns : mapping, optional
        Column parameters that replace the recorded ones (``{"defectives": "is_error"}``);
        ``None`` drops a recorded parameter: ``{"size": None}`` charts raw rows (one row per
        audited item, grouped by the label column), as the library's raw-record mode does.

    Returns
    -------
    MonitorReport
        ``in_control`` and one :class:`Check` per line (its new chart and alerts).

    Raises
    ------
    EvidenceError
        No line with frozen limits (for ``ctq``), or limits whose evidence is not an
        attached sixsigma chart with its function recorded.
    """
    items = [i for i in project.control.plan if i.limits is not None
             and (ctq is None or i.ctq == ctq)]
    if not items:
        raise EvidenceError("monitor: the project has no control-plan line with frozen limits"
                            + (f" for CTQ {ctq!r}." if ctq else "."))
    return MonitorReport(checks=tuple(_check(project, item, data, columns)
                                      for item in items))
