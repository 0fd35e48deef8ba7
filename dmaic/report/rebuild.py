"""Result objects rebuilt from the JSON a project holds, so that reports can draw them.

A project keeps each result as its ``to_dict()`` payload (:class:`dmaic.evidence.Evidence`).
The storyboard draws figures from those payloads alone, so that ``sixsigma report
case.yaml`` needs nothing but the file: these functions turn a payload back into the
sixsigma result the plot functions of :mod:`sixsigma.plot` read. Only what the plots read
has to be faithful; each function returns None when the payload lacks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["by_category", "control_chart", "hotspots", "pareto", "process_map", "segment_scan"]


def _floats(values: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([np.nan if v is None else float(v) for v in values or []], dtype=float)


def _labels(values: Any) -> np.ndarray[Any, Any]:
    raw = list(values or [])
    if raw and all(isinstance(v, str) for v in raw):
        try:
            parsed = pd.to_datetime(pd.Series(raw), format="ISO8601")
        except (ValueError, TypeError):
            return np.array(raw, dtype=object)
        return parsed.to_numpy()
    return np.array(raw, dtype=object if raw and isinstance(raw[0], str) else None)


def control_chart(payload: Mapping[str, Any]) -> Any:
    """A :class:`sixsigma.spc.ControlChart` (or ChartPair) from its ``to_dict()``.

    Examples
    --------
    >>> from dmaic.report import rebuild
    >>> chart = ss.spc.p_chart({"d": [4, 6, 5, 9], "n": [100] * 4}, defectives="d", size="n")
    >>> again = rebuild.control_chart(chart.to_dict())
    >>> bool(np.allclose(again.ucl, chart.ucl)), again.stages[0].center
    (True, 0.06)
    """
    from sixsigma.spc import ChartPair, ControlChart, CusumChart, Stage

    if payload.get("kind") == "chart_pair":
        loc, disp = payload.get("location"), payload.get("dispersion")
        if not isinstance(loc, Mapping) or not isinstance(disp, Mapping):
            return None
        a, b = control_chart(loc), control_chart(disp)
        return None if a is None or b is None else ChartPair(location=a, dispersion=b)
    if not isinstance(payload.get("statistic"), list):
        return None
    stages = tuple(
        Stage(name=str(s.get("name", "")), start=int(s.get("start", 0)),
              stop=int(s.get("stop", 0)), center=float(s.get("center") or 0.0),
              sigma=float(s.get("sigma") or 0.0), n_estimation=int(s.get("n_estimation", 0)),
              source=str(s.get("source", "estimated")),
              extra={str(k): float(v) for k, v in (s.get("extra") or {}).items()
                     if isinstance(v, int | float)})
        for s in payload.get("stages") or [] if isinstance(s, Mapping))
    common: dict[str, Any] = {
        "chart": str(payload.get("chart", "")),
        "statistic": _floats(payload["statistic"]),
        "center": _floats(payload.get("center")), "lcl": _floats(payload.get("lcl")),
        "ucl": _floats(payload.get("ucl")), "se": _floats(payload.get("se")),
        "n": _floats(payload.get("n")), "labels": _labels(payload.get("labels")),
        "sigma": float(payload.get("sigma") or 0.0),
        "sigma_method": str(payload.get("sigma_method", "")),
        "phase1": np.array(payload.get("phase1") or [], dtype=bool),
        "stages": stages,
        "excluded": np.array(payload.get("excluded") or [], dtype=np.int64),
        "exclusion_reasons": tuple(payload.get("exclusion_reasons") or ()),
        "rules": tuple(payload.get("rules") or ()),
        "violation_index": np.array(payload.get("violation_index") or [], dtype=np.int64),
        "violation_rule": np.array(payload.get("violation_rule") or [], dtype=str),
        "nsigmas": float(payload.get("nsigmas") or 3.0),
        "parameters": {str(k): float(v) for k, v in (payload.get("parameters") or {}).items()
                       if isinstance(v, int | float)},
        "notes": tuple(payload.get("notes") or ()),
    }
    if "upper" in payload and "lower" in payload:
        return CusumChart(**common, upper=_floats(payload["upper"]),
                          lower=_floats(payload["lower"]), h=float(payload.get("h", 5.0)),
                          k=float(payload.get("k", 0.5)))
    return ControlChart(**common)


def frozen_template(chart: str, stage: Mapping[str, Any]) -> Any:
    """A zero-point chart of type ``chart`` holding one stage's parameters.

    Passed as ``limits=`` to a chart function, it reuses that stage's centre, sigma and
    extra parameters (Laney's sigma_z) exactly as the original chart would.
    """
    from sixsigma.spc import ControlChart, Stage

    empty = np.empty(0)
    st = Stage(name=str(stage.get("name", "frozen")), start=0, stop=0,
               center=float(stage["center"]), sigma=float(stage.get("sigma") or 0.0),
               n_estimation=int(stage.get("n_estimation", 0)), source="frozen",
               extra={str(k): float(v) for k, v in (stage.get("extra") or {}).items()
                      if isinstance(v, int | float)})
    return ControlChart(chart=chart, statistic=empty, center=empty, lcl=empty, ucl=empty,
                        se=empty, n=empty, labels=np.empty(0, dtype=object),
                        sigma=st.sigma, sigma_method="frozen",
                        phase1=np.empty(0, dtype=bool), stages=(st,),
                        excluded=np.empty(0, dtype=np.int64), exclusion_reasons=(), rules=(),
                        violation_index=np.empty(0, dtype=np.int64),
                        violation_rule=np.empty(0, dtype=str))


def pareto(payload: Mapping[str, Any]) -> Any:
    """A :class:`sixsigma.pareto.Pareto` from its ``to_dict()`` (unstratified only)."""
    from sixsigma.pareto import Pareto

    rows = payload.get("table")
    if not isinstance(rows, list) or not rows or payload.get("by") is not None:
        return None
    frame = pd.DataFrame(rows)
    return Pareto(table=frame, vital_few=list(payload.get("vital_few") or []), overall=frame,
                  threshold=float(payload.get("threshold") or 0.8),
                  category=str(payload.get("category", "category")),
                  total=float(payload.get("total") or frame["count"].sum()),
                  weight=payload.get("weight"))


def segment_scan(payload: Mapping[str, Any]) -> Any:
    """A :class:`sixsigma.rootcause.SegmentScan` from its ``to_dict()`` (no cell table)."""
    from sixsigma.rootcause import SegmentScan

    segs = payload.get("segments")
    if not isinstance(segs, list) or not segs:
        return None
    return SegmentScan(
        segments=pd.DataFrame(segs), causes=pd.DataFrame(payload.get("causes") or []),
        cells=pd.DataFrame(), defect=str(payload.get("defect", "defect")),
        dimensions=tuple(payload.get("dimensions") or ()), size=payload.get("size"),
        max_depth=int(payload.get("max_depth") or 2), alpha=float(payload.get("alpha") or 0.05),
        descend_share=float(payload.get("descend_share") or 0.8),
        min_expected=float(payload.get("min_expected") or 5.0),
        total_n=float(payload.get("total_n") or 0.0),
        total_defects=float(payload.get("total_defects") or 0.0),
        overall_rate=float(payload.get("overall_rate") or 0.0),
        n_tests=int(payload.get("n_tests") or 0), rescans=int(payload.get("rescans") or 0),
        notes=tuple(payload.get("notes") or ()))


def process_map(payload: Mapping[str, Any]) -> Any:
    """A :class:`sixsigma.flow.ProcessMap` from its ``to_dict()`` (steps and flows)."""
    from sixsigma.flow import ProcessMap

    steps, flows = payload.get("steps"), payload.get("flows")
    if not isinstance(steps, list) or not isinstance(flows, list) or not steps:
        return None
    g = nx.DiGraph()
    for row in steps:
        attrs = {k: v for k, v in row.items() if k != "step" and v is not None}
        g.add_node(str(row["step"]), **attrs)
    for row in flows:
        attrs = {k: v for k, v in row.items() if k not in ("source", "target") and v is not None}
        g.add_edge(str(row["source"]), str(row["target"]), **attrs)
    return ProcessMap(graph=g, start_activities=dict(payload.get("start_activities") or {}),
                      end_activities=dict(payload.get("end_activities") or {}),
                      n_cases=int(payload.get("n_cases") or 0),
                      source=str(payload.get("source", "discovered")))


def hotspots(payload: Mapping[str, Any]) -> Any:
    """A :class:`sixsigma.flow.HotspotResult` from its ``to_dict()``."""
    from sixsigma.flow import HotspotResult

    rows = payload.get("table")
    if not isinstance(rows, list) or not rows:
        return None
    return HotspotResult(table=pd.DataFrame(rows), rank_by=str(payload.get("rank_by", "excess")),
                         costs=payload.get("costs"), by=tuple(payload.get("by") or ()))


def by_category(payload: Mapping[str, Any]) -> pd.DataFrame | None:
    """The kappa-by-category table of an agreement result, or None."""
    rows = payload.get("by_category")
    if not isinstance(rows, list) or not rows:
        return None
    frame = pd.DataFrame(rows)
    return frame if {"category", "kappa"} <= set(frame.columns) else None
