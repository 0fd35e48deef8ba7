"""Report sections for each kind of result, built from its JSON payload (``to_dict()``).

The same builders serve the single-analysis reports (:mod:`dmaic.report.analyses`, from a
live result) and the storyboard (:mod:`dmaic.report.storyboard`, from the payloads a
project holds), so an analysis reads the same in both. Figures are drawn from a result
object: the live one when there is one, otherwise one rebuilt from the payload
(:mod:`dmaic.report.rebuild`). Kinds without a builder get a table of their scalars.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from dmaic.report import rebuild
from dmaic.report.render import Chart, Fact, Section, fmt, pct, table
from dmaic.report.svg import figure, to_svg

__all__ = ["BUILDERS", "sections"]

Payload = Mapping[str, Any]
Builder = Callable[[Payload, Any, str], list[Section]]


def _frame(rows: Any) -> pd.DataFrame:
    return pd.DataFrame(rows) if isinstance(rows, list) and rows else pd.DataFrame()


def _num(payload: Payload, key: str) -> float | None:
    v = payload.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _scalars(payload: Payload) -> list[Fact]:
    return [Fact(k.replace("_", " "), fmt(v)) for k, v in payload.items()
            if k != "kind" and (v is None or isinstance(v, str | int | float | bool))
            and not (isinstance(v, str) and len(v) > 80)][:12]


def _p_fact(p: float | None, alpha: float = 0.05) -> Fact:
    if p is None:
        return Fact("p-value", "\u2013")
    shown = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return Fact("p-value", shown, "good" if p < alpha else "")


# -- control charts ----------------------------------------------------------------------
def _chart_svg(chart: Any, title: str | None) -> Chart | None:
    from sixsigma.plot import control_chart
    from sixsigma.spc import ChartPair

    if chart is None:
        return None
    pair = isinstance(chart, ChartPair)
    with figure(9.5, 6.0 if pair else 3.8) as fig:
        if pair:
            top, bottom = fig.subplots(2, 1, sharex=True)
            control_chart(chart, axes=(top, bottom), title=title)
        else:
            control_chart(chart, ax=fig.subplots(), title=title)
        return Chart(to_svg(fig), caption="Points beyond the limits and run-rule signals are "
                     "marked in red with the rule number; dashed lines separate the stages.")


def control_chart(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of a control chart: headline figures, the chart, stages and signals."""
    chart = result if result is not None else rebuild.control_chart(payload)
    loc = payload.get("location") if payload.get("kind") == "chart_pair" else payload
    loc = loc if isinstance(loc, Mapping) else {}
    labels = loc.get("labels") or []
    stages = _frame(loc.get("stages"))
    vidx = list(loc.get("violation_index") or [])
    vrule = list(loc.get("violation_rule") or [])
    points = len(loc.get("statistic") or [])
    flagged = len(set(vidx))
    facts = [Fact("chart", str(loc.get("chart", ""))), Fact("points", fmt(points)),
             Fact("stages", fmt(len(stages))),
             Fact("signals", f"{len(vidx)} at {flagged} point(s)", "bad" if vidx else "good"),
             Fact("sigma method", str(loc.get("sigma_method", "")))]
    if len(stages):
        facts.insert(2, Fact("centre (last stage)", fmt(stages["center"].iloc[-1])))
    out = [Section(title or "Control chart", facts=facts,
                   charts=[c for c in [_chart_svg(chart, title or None)] if c is not None],
                   paragraphs=[f"Rules evaluated: {', '.join(loc.get('rules') or []) or 'none'}."],
                   notes=list(loc.get("notes") or []))]
    if len(stages):
        stages = stages.assign(
            points=stages["stop"] - stages["start"],
            first=[fmt(labels[i]) if i < len(labels) else "" for i in stages["start"]],
            last=[fmt(labels[i - 1]) if 0 < i <= len(labels) else "" for i in stages["stop"]])
        sz = [s.get("sigma_z") if isinstance(s, dict) else None for s in stages.get(
            "extra", pd.Series([None] * len(stages)))]
        stages = stages.assign(sigma_z=[np.nan if v is None else v for v in sz])
        cols = ["name", "first", "last", "points", "center", "sigma", "source"]
        if stages["sigma_z"].notna().any():
            cols.append("sigma_z")
        out.append(Section("Stages", level=3, tables=[table(stages, columns=cols)]))
    if vidx:
        sig = pd.DataFrame({"index": vidx, "rule": vrule})
        stat = loc.get("statistic") or []
        sig = sig.groupby("index", sort=True)["rule"].agg(", ".join).reset_index()
        sig["label"] = [fmt(labels[i]) if i < len(labels) else str(i) for i in sig["index"]]
        sig["value"] = [stat[i] if i < len(stat) else None for i in sig["index"]]
        out.append(Section("Signals", level=3, tables=[table(
            sig, columns=["label", "value", "rule"], caption="Points where a rule fired")]))
    return out


# -- capability ---------------------------------------------------------------------------
def capability(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of a capability study (normal, percentile or transformed) or sigma metrics."""
    kind = payload.get("kind")
    if kind == "sigma_metrics":
        keys = ["defects", "units", "dpu", "dpmo", "fpy", "sigma_level", "shift"]
        facts = [Fact(k.replace("_", " "), fmt(payload.get(k))) for k in keys if k in payload]
        lo_hi = payload.get("sigma_interval")
        if isinstance(lo_hi, list) and len(lo_hi) == 2:
            facts.append(Fact("sigma level interval", f"{fmt(lo_hi[0], '.3f')} to "
                                                      f"{fmt(lo_hi[1], '.3f')}"))
        return [Section(title or "Sigma metrics", facts=facts, paragraphs=[
            "Sigma level with the conventional 1.5 sigma shift (Harry 1988); DPMO interval "
            f"by the {payload.get('interval_method', 'Wilson')} method."])]
    specs = ", ".join(f"{k.upper()} {fmt(payload.get(k))}" for k in ("lsl", "target", "usl")
                      if payload.get(k) is not None)
    names = ["cp", "cpk", "cpm", "pp", "ppk", "ppl", "ppu"]
    facts = [Fact("n", fmt(payload.get("n"))), Fact("specification", specs or "\u2013")]
    facts += [Fact(k.capitalize(), fmt(payload.get(k), ".3f"),
                   "good" if (payload.get(k) or 0) >= 1.33 else "bad")
              for k in names if payload.get(k) is not None]
    ppm = payload.get("ppm") or {}
    rows = [{"measure": k.replace("_", " "), "ppm": v} for k, v in ppm.items()]
    charts = []
    if result is not None and getattr(result, "values", None) is not None or (
            result is not None and kind != "capability"):
        from sixsigma.plot import capability_histogram

        with figure(8.0, 3.8) as fig:
            capability_histogram(result, ax=fig.subplots())
            charts.append(Chart(to_svg(fig), caption="Histogram with the specification "
                                "limits and the fitted distribution."))
    tables = [table(pd.DataFrame(rows), caption="Parts per million outside the "
                    "specification")] if rows else []
    intervals = payload.get("intervals") or {}
    if intervals:
        iv = pd.DataFrame([{"index": k, "lower": v[0], "upper": v[1]}
                           for k, v in intervals.items() if isinstance(v, list | tuple)])
        tables.insert(0, table(iv, caption=f"{fmt(payload.get('confidence'))} confidence "
                                           "intervals"))
    dist = payload.get("distribution")
    para = [f"Percentile method (ISO 22514-2) on the best-fitting distribution: {dist}."] \
        if dist else [f"Within sigma {fmt(payload.get('sigma_within'))} "
                      f"({payload.get('sigma_method', '')}), overall sigma "
                      f"{fmt(payload.get('sigma_overall'))}."] if kind == "capability" else []
    return [Section(title or f"Capability of {payload.get('value', '')}", facts=facts,
                    charts=charts, tables=tables, paragraphs=para,
                    notes=list(payload.get("notes") or []))]


# -- Pareto -------------------------------------------------------------------------------
def pareto(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of a Pareto analysis: the chart, the table and the vital few."""
    from sixsigma.plot import pareto_chart

    obj = result if result is not None else rebuild.pareto(payload)
    charts = []
    if obj is not None:
        with figure(8.5, 4.2) as fig:
            pareto_chart(obj, ax=fig.subplots(), title=title or None)
            charts.append(Chart(to_svg(fig), caption="Bars largest first; the line is the "
                                "cumulative percent; the vital few are highlighted."))
    vital = [str(v) for v in payload.get("vital_few") or []]
    share = fmt(100 * float(payload.get("threshold") or 0.8), ".0f")
    return [Section(
        title or f"Pareto of {payload.get('category', '')}",
        paragraphs=[f"The vital few (the smallest set of categories reaching {share} % of the "
                    f"total): {', '.join(vital) or 'none'}."],
        facts=[Fact("total", fmt(payload.get("total"))), Fact("categories", fmt(len(
            payload.get("table") or [])))],
        charts=charts,
        tables=[table(_frame(payload.get("table")), formats={
            "percent": lambda v: fmt(v, ".1f"), "cum_percent": lambda v: fmt(v, ".1f")})])]


# -- agreement ----------------------------------------------------------------------------
def agreement(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of an agreement study: kappa, per-category and per-appraiser tables."""
    from types import SimpleNamespace

    from sixsigma.plot import agreement_by_appraiser, kappa_by_category

    kind = payload.get("kind")
    charts = []
    cats = rebuild.by_category(payload)
    if cats is not None:
        with figure(7.0, 0.35 * len(cats) + 1.4) as fig:
            kappa_by_category(SimpleNamespace(by_category=cats), ax=fig.subplots())  # type: ignore[arg-type]
            charts.append(Chart(to_svg(fig), caption="Kappa per category; below 0.40 poor, "
                                "0.75 and above good (AIAG rule of thumb)."))
    facts: list[Fact] = []
    tables = []
    kappa = _num(payload, "kappa")
    if kappa is not None:
        facts.append(Fact(str(kind).replace("_", " "), fmt(kappa, ".3f"),
                          "good" if kappa >= 0.7 else "bad"))
        ci = payload.get("ci")
        if isinstance(ci, list) and len(ci) == 2:
            facts.append(Fact("confidence interval", f"{fmt(ci[0], '.3f')} to "
                                                     f"{fmt(ci[1], '.3f')}"))
    alpha = _num(payload, "alpha")
    if alpha is not None:
        facts.append(Fact("Krippendorff's alpha", fmt(alpha, ".3f"),
                          "good" if alpha >= 0.8 else "bad"))
    for key in ("n_items", "n_raters", "n_trials"):
        if key in payload:
            facts.append(Fact(key.replace("_", " "), fmt(payload[key])))
    if kind == "attribute_agreement":
        for name in ("vs_standard", "within", "between"):
            frame = _frame(payload.get(name))
            if len(frame):
                what = name.replace("_", " ")
                tables.append(table(frame, caption=f"Assessment agreement: {what}",
                                    formats={"percent": lambda v: fmt(v, ".1f"),
                                             "lower": lambda v: fmt(v, ".1f"),
                                             "upper": lambda v: fmt(v, ".1f")}))
        if result is not None and getattr(result, "vs_standard", None) is not None:
            with figure(7.0, 3.2) as fig:
                agreement_by_appraiser(result, ax=fig.subplots())
                charts.insert(0, Chart(to_svg(fig), caption="Percent of items each appraiser "
                                       "rated like the standard on every trial, with exact "
                                       "95 % intervals."))
        raters = _frame(payload.get("by_rater"))
        if len(raters):
            tables.append(table(raters, caption="Per appraiser, lowest accuracy first (whom "
                                "to coach on what)", columns=[
                "appraiser", "n_ratings", "accuracy", "lower", "upper", "kappa_vs_standard",
                "weakest_category", "top_confusion"], formats={
                "accuracy": pct, "lower": pct, "upper": pct}))
    if cats is not None:
        tables.append(table(cats, caption="Kappa by category", columns=[
            c for c in ("category", "kappa", "recall", "p_value") if c in cats.columns]))
    return [Section(title or "Measurement-system agreement", facts=facts, charts=charts,
                    tables=tables, notes=list(payload.get("notes") or []))]


# -- flow ---------------------------------------------------------------------------------
def _flow_svg(pm: Any, hot: Any) -> Chart | None:
    from sixsigma.plot.flow import process_map

    if pm is None:
        return None
    with figure(10.0, 4.6) as fig:
        process_map(pm, hotspots=hot, ax=fig.subplots())
        return Chart(to_svg(fig), caption="Steps left to right; flow width grows with volume; "
                     "dashed flows are rework; steps coloured by defect rate, top hotspots "
                     "ringed with their rank.")


def process_map(payload: Payload, result: Any, title: str,
                hotspots_payload: Payload | None = None) -> list[Section]:
    """Sections of a process map: the map, the busiest flows and the variants."""
    pm = result if result is not None else rebuild.process_map(payload)
    hot = rebuild.hotspots(hotspots_payload) if hotspots_payload else None
    chart = _flow_svg(pm, hot)
    steps, flows = _frame(payload.get("steps")), _frame(payload.get("flows"))
    variants = _frame(payload.get("variants"))
    tables = [table(flows, columns=["source", "target", "count", "probability", "wait_median",
                                    "wait_p90"], caption="Flows, busiest first", max_rows=15,
                    headers={"wait_median": "median wait (s)", "wait_p90": "p90 wait (s)"})]
    if len(variants):
        tables.append(table(variants, columns=["variant", "count", "share"], max_rows=8,
                            caption="Most common paths", formats={"share": pct}))
    return [Section(title or "Process map", facts=[
        Fact("steps", fmt(len(steps))), Fact("flows", fmt(len(flows))),
        Fact("cases", fmt(payload.get("n_cases")))],
        charts=[chart] if chart else [], tables=tables, notes=list(payload.get("notes") or []))]


def hotspots(payload: Payload, result: Any, title: str,
             map_payload: Payload | None = None) -> list[Section]:
    """Sections of a hotspot ranking (with the process map when one is given)."""
    frame = _frame(payload.get("table"))
    by = [str(b) for b in payload.get("by") or []]
    charts = []
    if map_payload is not None:
        pm = rebuild.process_map(map_payload)
        hot = result if result is not None else rebuild.hotspots(payload)
        chart = _flow_svg(pm, hot)
        charts = [chart] if chart else []
    lead = []
    if len(frame):
        top = frame.iloc[0]
        seg = "".join(f", {b} {top[b]}" for b in by)
        lead.append(f"Top hotspot ({payload.get('rank_by', 'excess')}): {top['unit']} "
                    f"{top['name']}{seg}: {fmt(top['defects'])} defects in {fmt(top['items'])} "
                    f"items ({pct(top['rate'])} against {pct(top['rest_rate'])} elsewhere).")
    return [Section(title or "Hotspots", paragraphs=lead, charts=charts, tables=[table(
        frame, columns=["rank", "unit", "name", *by, "items", "defects", "rate", "rate_low",
                        "rate_high", "rest_rate", "excess_defects", "cost"], max_rows=12,
        formats={"rate": pct, "rate_low": pct, "rate_high": pct, "rest_rate": pct,
                 "excess_defects": lambda v: fmt(v, ".1f")})])]


# -- root cause ---------------------------------------------------------------------------
def segment_scan(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of a segment scan: the causes, the top segments and a bar chart."""
    from sixsigma.plot.rootcause import segment_bars

    obj = result if result is not None else rebuild.segment_scan(payload)
    charts = []
    if obj is not None and len(obj.segments):
        top = min(10, len(obj.segments))
        with figure(8.0, 0.32 * top + 1.4) as fig:
            segment_bars(obj, ax=fig.subplots(), top=top)
            charts.append(Chart(to_svg(fig), caption="Defect rate of the top segments "
                                "(causes in red) against the rest of the data (black tick)."))
    causes = _frame(payload.get("causes"))
    segs = _frame(payload.get("segments"))
    fm = {"rate": pct, "rest_rate": pct, "excess_defects": lambda v: fmt(v, ".1f"),
          "share_of_excess": pct, "q_value": lambda v: fmt(v, ".2g")}
    tables = [table(causes, columns=["rank", "segment", "n", "defects", "rate", "rest_rate",
                                     "excess_defects", "q_value"], caption="Causes found",
                    formats=fm)] if len(causes) else []
    if len(segs):
        tables.append(table(segs, columns=["segment", "n", "defects", "rate", "rest_rate",
                                           "q_value", "status"], max_rows=10, formats=fm,
                            caption="Segments, best first"))
    return [Section(title or f"Segment scan of {payload.get('defect', '')}", facts=[
        Fact("units", fmt(payload.get("total_n"), ",.0f")),
        Fact("overall rate", pct(payload.get("overall_rate"))),
        Fact("segments tested", fmt(payload.get("n_tests"))),
        Fact("causes", fmt(len(causes)), "good" if len(causes) else "")],
        paragraphs=[str(payload.get("method", ""))], charts=charts, tables=tables,
        notes=list(payload.get("notes") or []))]


def hypothesis(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of a hypothesis test (``compare`` or a mapping with ``p_value``)."""
    alpha = _num(payload, "alpha") or 0.05
    facts = [Fact("test", str(payload.get("test", "")).replace("_", " ")),
             _p_fact(_num(payload, "p_value"), alpha)]
    if _num(payload, "effect") is not None:
        facts.append(Fact(str(payload.get("effect_name", "effect")).replace("_", " "),
                          f"{fmt(payload.get('effect'), '.3g')} "
                          f"({fmt(payload.get('effect_low'), '.3g')} to "
                          f"{fmt(payload.get('effect_high'), '.3g')})"))
    for key in ("p1", "p2", "statistic"):
        if _num(payload, key) is not None and len(facts) < 6:
            facts.append(Fact(key, fmt(payload.get(key))))
    groups = _frame(payload.get("groups"))
    return [Section(title or "Hypothesis test", facts=facts,
                    paragraphs=[str(p) for p in [payload.get("sentence")] if p],
                    tables=[table(groups, formats={"rate": pct})] if len(groups) else [],
                    notes=list(payload.get("notes") or []))]


def explain_change(payload: Payload, result: Any, title: str) -> list[Section]:
    """Sections of a mix/rate decomposition of a change."""
    dims = _frame(payload.get("by_dimension"))
    segs = _frame(payload.get("segments"))
    pts = {c: (lambda v: fmt(None if v is None else 100 * v, "+.3f"))
           for c in ("mix_effect", "rate_effect", "total", "total_effect")}
    tables = [table(dims, caption="By dimension (percentage points)", formats=pts)]
    if len(segs):
        segs = segs.reindex(segs["total_effect"].abs().sort_values(ascending=False).index)
        tables.append(table(segs, columns=["segment", "rate_before", "rate_after",
                                           "mix_effect", "rate_effect", "total_effect"],
                            max_rows=8, caption="Largest contributions (percentage points)",
                            formats={**pts, "rate_before": pct, "rate_after": pct}))
    return [Section(title or "Mix or rate?", facts=[
        Fact("rate before", pct(payload.get("rate_before"))),
        Fact("rate after", pct(payload.get("rate_after"))),
        Fact("change", fmt(100 * (_num(payload, "total_change") or 0.0), "+.3f") + " points")],
        paragraphs=[str(payload.get("method", ""))], tables=tables)]


def generic(payload: Payload, result: Any, title: str) -> list[Section]:
    """Any other result: its scalar fields."""
    return [Section(title or str(payload.get("kind", "Result")).replace("_", " "),
                    facts=_scalars(payload), notes=list(payload.get("notes") or []))]


BUILDERS: dict[str, Builder] = {
    "control_chart": control_chart, "chart_pair": control_chart,
    "capability": capability, "percentile_capability": capability,
    "transformed_capability": capability, "sigma_metrics": capability,
    "pareto": pareto,
    "attribute_agreement": agreement, "fleiss_kappa": agreement, "cohen_kappa": agreement,
    "krippendorff_alpha": agreement,
    "process_map": process_map, "hotspots": hotspots,
    "segment_scan": segment_scan, "compare": hypothesis, "hypothesis_test": hypothesis,
    "explain_change": explain_change,
}


def sections(payload: Payload, result: Any = None, title: str = "") -> list[Section]:
    """The report sections of one result payload (``result``: the live object, optional)."""
    builder = BUILDERS.get(str(payload.get("kind")), generic)
    return builder(payload, result, title)
