"""Monitoring: a project's frozen control limits re-run on new data (``sixsigma monitor``).

Each control-plan line with frozen limits names the evidence (a control chart) they were
frozen from. :func:`monitor_project` runs that chart's sixsigma function on the new data with
the recorded parameters (columns, rules) and ``limits=`` the frozen chart: the last stage of
the evidence's typed chart, with the centre (and sigma, when given) that the control plan
records. Laney charts keep their stage's ``sigma_z``.

Per segment (``sixsigma monitor --by KEYS``), :func:`monitor_segments` takes the baseline
from a :class:`sixsigma.spc.Screen` stored as evidence (not from a single frozen chart,
whose data hold one series): the new data are screened with ``limits=`` that screen, so
each segment keeps its own frozen centre, sigma and chart. :func:`load_state` and
:func:`save_state` keep the alerts already raised (``--state FILE``), so that a scheduled
rerun reports them as known and only a new alert fails the job.
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

__all__ = ["Alert", "Check", "MonitorReport", "SegmentAlert", "SegmentReport", "load_state",
           "monitor_project", "monitor_segments", "save_state"]

#: Parameters of the recorded call that describe the original study, not the new data.
_NOT_RERUN = ("stage", "phase1", "exclude", "revise", "limits", "center", "sigma")


@dataclass(frozen=True)
class Alert:
    """A point of the new data that a rule flagged: its label, value and the rules."""

    label: Any
    value: float
    rules: tuple[str, ...]

    def key(self, ctq: str) -> str:
        """The identity of the alert across runs (``--state``): ``"<ctq>|<label>"``."""
        return f"{ctq}|{_iso(self.label)}"


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


# -- per segment: a baseline screen stored as evidence, frozen per segment (issue 17) --------

@dataclass(frozen=True)
class SegmentAlert:
    """A point of one segment's new data that a rule flagged against the frozen limits.

    ``key`` is ``"<evidence>|<segment>|<label>"``: what ``--state`` remembers (the rules that
    fire on a point may change as later points arrive; the point stays the same alert).
    """

    evidence: str
    segment: tuple[Any, ...]
    label: Any
    value: float
    rules: tuple[str, ...]

    @property
    def key(self) -> str:
        """The identity of the alert across runs."""
        seg = "/".join(str(s) for s in self.segment)
        return f"{self.evidence}|{seg}|{_iso(self.label)}"


@dataclass(frozen=True)
class SegmentReport:
    """What :func:`monitor_segments` found: the new screen and its alerts per segment.

    Attributes
    ----------
    evidence : str
        The id of the baseline screen.
    screen : sixsigma.spc.Screen
        The new data screened against the baseline's frozen per-segment limits.
    alerts : tuple of SegmentAlert
        Every flagged point, segment by segment (most urgent segment first).
    unknown : tuple of tuple
        Segments of the new data absent from the baseline (no frozen limits: not judged).
    """

    evidence: str
    screen: Any
    alerts: tuple[SegmentAlert, ...]
    unknown: tuple[tuple[Any, ...], ...] = ()

    @property
    def in_control(self) -> bool:
        """True when no point of any segment signals."""
        return not self.alerts

    def to_dict(self, known: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        """The report as strict JSON (what ``sixsigma monitor --by --json`` prints).

        ``in_control``, ``evidence``, ``by``, ``segments`` (one per segment: keys, chart,
        points, center, signals, ``alerts`` with label, value, rules, ``known``) and
        ``unknown_segments``.
        """
        by = list(self.screen.by)
        per: dict[tuple[Any, ...], list[SegmentAlert]] = {}
        for a in self.alerts:
            per.setdefault(a.segment, []).append(a)
        segments = []
        for row in self.screen.table.itertuples(index=False):
            rec = row._asdict() if hasattr(row, "_asdict") else {}
            seg = tuple(getattr(row, b) for b in by) if all(b.isidentifier() for b in by) \
                else tuple(rec.get(b) for b in by)
            segments.append({
                "segment": {b: _iso(v) for b, v in zip(by, seg, strict=True)},
                "chart": str(row.chart), "points": int(row.points),
                "center": _iso(row.center), "signals": int(row.signals),
                "alerts": [{"label": _iso(a.label), "value": a.value, "rules": list(a.rules),
                            "known": a.key in known} for a in per.get(seg, [])]})
        return {"in_control": self.in_control, "evidence": self.evidence, "by": by,
                "segments": segments,
                "unknown_segments": [[_iso(v) for v in s] for s in self.unknown]}


def _baseline_screen(project: Project, by: list[str], evidence: str | None) -> tuple[str, Any]:
    from sixsigma.spc import Screen

    if evidence is not None:
        ev = project.evidence.get(evidence)
        if ev is None or not isinstance(ev.result, Screen):
            raise EvidenceError(f"monitor: evidence {evidence!r} is not an attached screen "
                                "(sixsigma.spc.screen) result.")
        found = [evidence]
    else:
        cited = [i.limits.evidence for i in project.control.plan if i.limits is not None]
        screens = [k for k, e in project.evidence.items() if isinstance(e.result, Screen)]
        found = [k for k in cited if k in screens] or screens
    matching = [k for k in found if list(project.evidence[k].result.by) == by]
    if not matching:
        have = {k: list(project.evidence[k].result.by) for k in found}
        raise EvidenceError(
            f"monitor: --by {','.join(by)}: the project has no baseline screen by these keys "
            f"(screens: {have or 'none'}); attach one: project.attach(id, ss.spc.screen(...), "
            "function='sixsigma.spc.screen', parameters={...}).")
    if len(matching) > 1:
        raise EvidenceError(f"monitor: several baseline screens by {','.join(by)} "
                            f"({', '.join(matching)}); choose one with --evidence.")
    return matching[0], project.evidence[matching[0]].result


def monitor_segments(project: Project, data: Any, *, by: list[str] | str,
                     columns: Mapping[str, str | None] | None = None,
                     evidence: str | None = None) -> SegmentReport:
    """Check new data per segment against a baseline screen's frozen per-segment limits.

    The baseline is a :class:`sixsigma.spc.Screen` attached to the project as evidence (the
    one a control-plan line cites, else the project's one screen by the same keys, else the
    id ``evidence``). The new data are screened with ``sixsigma.spc.screen(..., limits=
    baseline)``: each segment keeps its own frozen centre, sigma and chart kind (the
    evidence's recorded parameters, overridden by ``columns``). Segments absent from the
    baseline have no limits and are listed as ``unknown``, not judged.

    Parameters
    ----------
    project : dmaic.Project
    data : dataframe
        The new data: raw rows or counts, with the baseline's columns and keys.
    by : str or list of str
        The segment keys; they must be the baseline screen's.
    columns : mapping, optional
        Column parameters replacing the recorded ones (``defectives``, ``size``, ``label``,
        ``count``, ``value``); ``None`` drops one (``{"size": None}``: raw rows).
    evidence : str, optional
        The id of the baseline screen.

    Raises
    ------
    EvidenceError
        No (or more than one) baseline screen by these keys.
    """
    import narwhals.stable.v2 as nw

    import sixsigma as ss

    keys = [by] if isinstance(by, str) else list(by)
    eid, base = _baseline_screen(project, keys, evidence)
    ev = project.evidence[eid]
    params: dict[str, Any] = {k: v for k, v in ev.parameters.items()
                              if k not in (*_NOT_RERUN, "by")}
    params.setdefault("label", base.label)
    if base.value is not None:
        params.setdefault("value", base.value)
    for name, column in (columns or {}).items():
        if column is None:
            params.pop(name, None)
        else:
            params[name] = column
    if "defectives" not in params and "value" not in params and "count" not in params:
        raise EvidenceError(f"monitor: the baseline screen {eid!r} records no column "
                            "parameters; give --defectives (and --size) or --value.")
    frame = nw.from_native(data)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    native = frame.to_pandas()
    known_keys = base.table[keys].drop_duplicates()
    tagged = native.merge(known_keys.assign(_known=True), on=keys, how="left")
    mask = tagged["_known"].eq(True).to_numpy()
    unknown = tuple(tuple(r) for r in native.loc[~mask, keys].drop_duplicates()
                    .itertuples(index=False))
    new = ss.spc.screen(native[mask], by=keys, **params, limits=base)
    alerts: list[SegmentAlert] = []
    signalled = new.table[new.table["signals"].to_numpy() > 0]
    for row in signalled[keys].itertuples(index=False):
        seg = tuple(row)
        frame_pts = new.chart(seg).to_frame()
        hits = frame_pts[frame_pts["out_of_control"].to_numpy(dtype=bool)]
        for lab, stat, rules in zip(hits["label"], hits["statistic"].to_numpy(dtype=float),
                                    hits["rules"].astype(str), strict=True):
            alerts.append(SegmentAlert(evidence=eid, segment=seg, label=lab, value=float(stat),
                                       rules=tuple(rules.split(","))))
    return SegmentReport(evidence=eid, screen=new, alerts=tuple(alerts), unknown=unknown)


# -- alert de-duplication across runs (--state) ------------------------------------------

def load_state(path: Any) -> set[str]:
    """The alert keys a previous run saved (an empty set when the file does not exist).

    The state file is JSON: ``{"version": 1, "alerts": [key, ...]}``.
    """
    import json
    from pathlib import Path

    file = Path(path)
    if not file.exists():
        return set()
    doc = json.loads(file.read_text(encoding="utf-8") or "{}")
    if not isinstance(doc, dict) or not isinstance(doc.get("alerts", []), list):
        raise EvidenceError(f"monitor: --state '{file}' is not a monitor state file "
                            "(JSON with a list 'alerts').")
    return {str(a) for a in doc.get("alerts", [])}


def save_state(path: Any, keys: set[str]) -> None:
    """Write the alert keys (sorted; atomically) for the next run."""
    import json
    import os
    from pathlib import Path

    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_text(json.dumps({"version": 1, "alerts": sorted(keys)}, indent=1),
                   encoding="utf-8")
    os.replace(tmp, file)
