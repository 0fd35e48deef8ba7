"""Report sections for each kind of result, read from the typed result's attributes.

The same builders serve the single-analysis pages (:mod:`sixsigma.report.pages`) and the
storyboard of a DMAIC project (``dmaic.report``), so an analysis reads the same in both.
Each builder takes a sixsigma result and a title and returns :class:`Section` s: key
figures, the chart (inline SVG, :mod:`sixsigma.report.svg`) and tables. Kinds without a
builder get their scalar fields as key figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from sixsigma.report.render import Chart, Fact, Section, fmt, fmt_p, is_p_value, pct, table
from sixsigma.report.svg import figure, to_svg

__all__ = ["BUILDERS", "hotspots", "process_map", "sections"]

Builder = Callable[[Any, str], list[Section]]


def _frame(value: Any) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame()


def _number(value: Any) -> float | None:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return None
    v = float(value)
    return None if np.isnan(v) else v


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | np.number)


def _notes(result: Any) -> list[str]:
    return [str(n) for n in getattr(result, "notes", ()) or ()]


def _interval(pair: Any, spec: str = ".3f") -> str | None:
    if isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2:
        return f"{fmt(pair[0], spec)} to {fmt(pair[1], spec)}"
    return None


def _scalars(result: Any) -> list[Fact]:
    if isinstance(result, Mapping):
        items = list(result.items())
    elif dataclasses.is_dataclass(result):
        items = [(f.name, getattr(result, f.name)) for f in dataclasses.fields(result)]
    else:
        items = []
    return [Fact(k.replace("_", " "), fmt_p(v) if is_p_value(k) else fmt(v)) for k, v in items
            if k not in ("kind", "notes") and _scalar(v)
            and not (isinstance(v, str) and len(v) > 80)][:12]


def _p_fact(p: float | None, alpha: float = 0.05) -> Fact:
    if p is None:
        return Fact("p-value", "\u2013")
    return Fact("p-value", fmt_p(p), "good" if p < alpha else "")


# -- control charts ----------------------------------------------------------------------
_CHART_NAMES = {"p": "p", "np": "np", "c": "c", "u": "u", "laney_p": "Laney p\u2032",
                "laney_u": "Laney u\u2032", "imr": "Individuals", "i": "Individuals",
                "mr": "Moving-range", "xbar": "X\u0304", "r": "R", "s": "S", "ewma": "EWMA",
                "cusum": "CUSUM", "run": "Run", "g": "g", "t": "t"}


def _chart_svg(chart: Any, title: str | None, ylabel: str | None = None) -> Chart:
    from sixsigma.plot import control_chart as draw
    from sixsigma.spc import ChartPair

    pair = isinstance(chart, ChartPair)
    with figure(9.5, 6.0 if pair else 3.8) as fig:
        if pair:
            top, bottom = fig.subplots(2, 1, sharex=True)
            draw(chart, axes=(top, bottom), title=title)
        else:
            top = fig.subplots()
            draw(chart, ax=top, title=title)
        if ylabel:
            top.set_ylabel(ylabel)
        return Chart(to_svg(fig), caption="Points beyond the limits and run-rule signals are "
                     "marked in red with the rule number; dashed lines separate the stages.")


def control_chart(result: Any, title: str, *, ylabel: str | None = None,
                  plot_title: str | None = None) -> list[Section]:
    """Sections of a control chart (or chart pair): headline figures, the chart, stages, signals.

    ``ylabel`` names what the y axis plots (default: the plot's name for the statistic);
    ``plot_title`` titles the figure (default ``title``, else the plot's own title).
    """
    from sixsigma.spc import ChartPair

    loc = result.location if isinstance(result, ChartPair) else result
    labels = list(loc.labels)
    stages = loc.stages
    vidx = [int(i) for i in loc.violation_index]
    vrule = [str(r) for r in loc.violation_rule]
    facts = [Fact("chart", str(loc.chart)), Fact("points", fmt(len(loc.statistic))),
             Fact("stages", fmt(len(stages))),
             Fact("signals", f"{len(vidx)} at {len(set(vidx))} point(s)",
                  "bad" if vidx else "good"),
             Fact("sigma method", str(loc.sigma_method))]
    paragraphs = [f"Rules evaluated: {', '.join(loc.rules) or 'none'}."]
    if len(stages) > 1:
        facts.insert(2, Fact("centre by stage",
                             " \u2192 ".join(fmt(s.center) for s in stages)))
        paragraphs.insert(0, "Centre of each stage: " + " \u2192 ".join(
            f"{s.name} {fmt(s.center)}" for s in stages) + ".")
    elif stages:
        facts.insert(2, Fact("centre", fmt(stages[-1].center)))
    name = _CHART_NAMES.get(str(loc.chart), str(loc.chart))
    out = [Section(title or f"{name} chart", facts=facts,
                   charts=[_chart_svg(result, plot_title or title or None, ylabel)],
                   paragraphs=paragraphs, notes=_notes(loc))]
    if stages:
        frame = pd.DataFrame({
            "name": [s.name for s in stages],
            "first": [fmt(labels[s.start]) if s.start < len(labels) else "" for s in stages],
            "last": [fmt(labels[s.stop - 1]) if 0 < s.stop <= len(labels) else ""
                     for s in stages],
            "points": [s.stop - s.start for s in stages],
            "center": [s.center for s in stages], "sigma": [s.sigma for s in stages],
            "source": [s.source for s in stages],
            "sigma_z": [s.extra.get("sigma_z", np.nan) for s in stages]})
        cols = ["name", "first", "last", "points", "center", "sigma", "source"]
        if frame["sigma_z"].notna().any():
            cols.append("sigma_z")
        # attribute charts: sigma is the per-unit sigma (a subgroup's is sigma/sqrt(n))
        per_unit = str(loc.chart) in ("p", "np", "u", "c", "laney_p", "laney_u")
        out.append(Section("Stages", level=3, tables=[table(
            frame, columns=cols,
            headers={"sigma": "sigma (per unit)"} if per_unit else None)]))
    if vidx:
        sig = pd.DataFrame({"index": vidx, "rule": vrule})
        sig = sig.groupby("index", sort=True)["rule"].agg(", ".join).reset_index()
        stat = loc.statistic
        sig["label"] = [fmt(labels[i]) if i < len(labels) else str(i) for i in sig["index"]]
        sig["value"] = [float(stat[i]) if i < len(stat) else None for i in sig["index"]]
        out.append(Section("Signals", level=3, tables=[table(
            sig, columns=["label", "value", "rule"], caption="Points where a rule fired")]))
    return out


# -- capability ---------------------------------------------------------------------------
def sigma_metrics(result: Any, title: str) -> list[Section]:
    """Sections of sigma metrics: defects, units, DPU, DPMO, yield, sigma level."""
    keys = {"defects": "count", "units": "units", "dpu": "dpu", "dpmo": "dpmo", "fpy": "fpy",
            "sigma level": "sigma_level", "shift": "shift"}
    facts = [Fact(label, fmt(getattr(result, name))) for label, name in keys.items()]
    shown = _interval(result.intervals.get("sigma_level"))
    if shown is not None:
        facts.append(Fact("sigma level interval", shown))
    return [Section(title or "Sigma metrics", facts=facts, paragraphs=[
        "Sigma level with the conventional 1.5 sigma shift (Harry 1988); DPMO interval "
        f"by the {getattr(result, 'interval_method', 'Wilson')} method."])]


def capability(result: Any, title: str) -> list[Section]:
    """Sections of a capability study (normal, percentile or transformed)."""
    from sixsigma.plot import capability_histogram

    kind = result.kind
    specs = ", ".join(f"{k.upper()} {fmt(getattr(result, k, None))}"
                      for k in ("lsl", "target", "usl") if getattr(result, k, None) is not None)
    facts = [Fact("n", fmt(getattr(result, "n", None))), Fact("specification", specs or "\u2013")]
    for k in ("cp", "cpk", "cpm", "pp", "ppk", "ppl", "ppu"):
        v = getattr(result, k, None)
        if v is not None:
            facts.append(Fact(k.capitalize(), fmt(v, ".3f"), "good" if v >= 1.33 else "bad"))
    with figure(8.0, 3.8) as fig:
        capability_histogram(result, ax=fig.subplots())
        charts = [Chart(to_svg(fig), caption="Histogram with the specification limits and the "
                        "fitted distribution.")]
    ppm: Mapping[str, Any] = getattr(result, "ppm", None) or {}
    tables = [table(pd.DataFrame([{"measure": k.replace("_", " "), "ppm": v}
                                  for k, v in ppm.items()]),
                    caption="Parts per million outside the specification")] if ppm else []
    intervals: Mapping[str, Any] = getattr(result, "intervals", None) or {}
    if intervals:
        iv = pd.DataFrame([{"index": k, "lower": v[0], "upper": v[1]}
                           for k, v in intervals.items() if isinstance(v, Sequence)])
        tables.insert(0, table(iv, caption=f"{fmt(getattr(result, 'confidence', None))} "
                                           "confidence intervals"))
    dist = getattr(result, "distribution", None)
    para = [f"Percentile method (ISO 22514-2) on the best-fitting distribution: {dist}."] \
        if dist else [f"Within sigma {fmt(result.sigma_within)} ({result.sigma_method}), "
                      f"overall sigma {fmt(result.sigma_overall)}."] \
        if kind == "capability" else []
    return [Section(title or f"Capability of {getattr(result, 'value', '')}", facts=facts,
                    charts=charts, tables=tables, paragraphs=para, notes=_notes(result))]


# -- Pareto -------------------------------------------------------------------------------
def pareto(result: Any, title: str) -> list[Section]:
    """Sections of a Pareto analysis: the chart, the table and the vital few."""
    from sixsigma.plot import pareto_chart

    with figure(8.5, 4.2) as fig:
        pareto_chart(result, ax=fig.subplots(), title=title or None)
        charts = [Chart(to_svg(fig), caption="Bars largest first; the line is the cumulative "
                        "percent; the vital few are highlighted.")]
    vital = [str(v) for v in result.vital_few]
    share = fmt(100 * float(result.threshold), ".0f")
    return [Section(
        title or f"Pareto of {result.category}",
        paragraphs=[f"The vital few (the smallest set of categories reaching {share} % of the "
                    f"total): {', '.join(vital) or 'none'}."],
        facts=[Fact("total", fmt(result.total)), Fact("categories", fmt(len(result.table)))],
        charts=charts,
        tables=[table(result.table, formats={
            "percent": lambda v: fmt(v, ".1f"), "cum_percent": lambda v: fmt(v, ".1f")})])]


# -- agreement ----------------------------------------------------------------------------
def _by_category(result: Any) -> pd.DataFrame | None:
    frame = getattr(result, "by_category", None)
    if not isinstance(frame, pd.DataFrame) or not len(frame):
        return None
    frame = frame.reset_index() if frame.index.name is not None else frame
    return frame if {"category", "kappa"} <= set(frame.columns) else None


#: Interval bounds are ``ci_low``/``ci_high`` in results (DESIGN.md principle 5); the
#: agreement tables keep the headers of Minitab's layout.
_BOUNDS = {"ci_low": "lower", "ci_high": "upper", "rater": "appraiser"}


def agreement(result: Any, title: str) -> list[Section]:
    """Sections of an agreement study: kappa, per-category and per-appraiser tables."""
    from sixsigma.plot import agreement_by_appraiser, kappa_by_category

    def one(v: Any) -> str:
        return fmt(v, ".1f")

    kind = result.kind
    charts = []
    cats = _by_category(result)
    if cats is not None:
        with figure(7.0, 0.35 * len(cats) + 1.4) as fig:
            kappa_by_category(result, ax=fig.subplots())
            charts.append(Chart(to_svg(fig), caption="Kappa per category; below 0.40 poor, "
                                "0.75 and above good (AIAG rule of thumb)."))
    facts: list[Fact] = []
    tables = []
    kappa = _number(getattr(result, "kappa", None))
    if kappa is not None:
        facts.append(Fact(str(kind).replace("_", " "), fmt(kappa, ".3f"),
                          "good" if kappa >= 0.7 else "bad"))
        shown = _interval(getattr(result, "ci", None))
        if shown is not None:
            facts.append(Fact("confidence interval", shown))
    alpha = _number(getattr(result, "alpha", None)) if kind == "krippendorff_alpha" else None
    if alpha is not None:
        facts.append(Fact("Krippendorff's alpha", fmt(alpha, ".3f"),
                          "good" if alpha >= 0.8 else "bad"))
    for key in ("n_items", "n_raters", "n_trials"):
        if hasattr(result, key):
            facts.append(Fact(key.replace("_", " "), fmt(getattr(result, key))))
    if kind == "attribute_agreement":
        for name in ("vs_standard", "within", "between"):
            frame = _frame(getattr(result, name))
            if len(frame):
                tables.append(table(frame, caption=f"Assessment agreement: "
                                                   f"{name.replace('_', ' ')}",
                                    formats={"percent": one, "ci_low": one, "ci_high": one},
                                    headers=_BOUNDS))
        if result.vs_standard is not None:
            with figure(7.0, 3.2) as fig:
                agreement_by_appraiser(result, ax=fig.subplots())
                charts.insert(0, Chart(to_svg(fig), caption="Percent of items each appraiser "
                                       "rated like the standard on every trial, with exact "
                                       "95 % intervals."))
        raters = _frame(result.by_rater)
        if len(raters):
            tables.append(table(raters, caption="Per appraiser, lowest accuracy first (whom "
                                "to coach on what)", columns=[
                "rater", "n_ratings", "accuracy", "ci_low", "ci_high", "kappa_vs_standard",
                "weakest_category", "top_confusion"], formats={
                "accuracy": pct, "ci_low": pct, "ci_high": pct}, headers=_BOUNDS))
    if cats is not None:
        tables.append(table(cats, caption="Kappa by category", columns=[
            c for c in ("category", "kappa", "recall", "p_value") if c in cats.columns]))
    return [Section(title or "Measurement-system agreement", facts=facts, charts=charts,
                    tables=tables, notes=_notes(result))]


# -- flow ---------------------------------------------------------------------------------
def _flow_svg(pm: Any, hot: Any) -> Chart:
    from sixsigma.plot.flow import process_map as draw

    with figure(10.0, 4.6) as fig:
        draw(pm, hotspots=hot, ax=fig.subplots())
        return Chart(to_svg(fig), caption="Steps left to right; flow width grows with volume; "
                     "dashed flows are rework; steps coloured by defect rate, top hotspots "
                     "ringed with their rank.")


def process_map(result: Any, title: str, hotspots: Any = None) -> list[Section]:
    """Sections of a process map (coloured by ``hotspots`` when given): map, flows, variants."""
    flows = result.edges_frame()
    variants = _frame(result.variants)
    tables = [table(flows, columns=["source", "target", "count", "probability", "wait_median",
                                    "wait_p90"], caption="Flows, busiest first", max_rows=15,
                    headers={"wait_median": "median wait (s)", "wait_p90": "p90 wait (s)"})]
    if len(variants):
        tables.append(table(variants, columns=["variant", "count", "share"], max_rows=8,
                            caption="Most common paths", formats={"share": pct}))
    return [Section(title or "Process map", facts=[
        Fact("steps", fmt(result.graph.number_of_nodes())), Fact("flows", fmt(len(flows))),
        Fact("cases", fmt(result.n_cases))],
        charts=[_flow_svg(result, hotspots)], tables=tables, notes=_notes(result))]


def hotspots(result: Any, title: str, process_map: Any = None) -> list[Section]:
    """Sections of a hotspot ranking (drawn on ``process_map`` when one is given)."""
    frame = result.table
    by = [str(b) for b in result.by]
    charts = [_flow_svg(process_map, result)] if process_map is not None else []
    lead = []
    if len(frame):
        top = frame.iloc[0]
        seg = "".join(f", {b} {top[b]}" for b in by)
        lead.append(f"Top hotspot ({result.rank_by}): {top['unit']} {top['name']}{seg}: "
                    f"{fmt(top['defects'])} defects in {fmt(top['items'])} items "
                    f"({pct(top['rate'])} against {pct(top['rest_rate'])} elsewhere).")
    return [Section(title or "Hotspots", paragraphs=lead, charts=charts, tables=[table(
        frame, columns=["rank", "unit", "name", *by, "items", "defects", "rate", "ci_low",
                        "ci_high", "rest_rate", "excess_defects", "cost"], max_rows=12,
        headers={"ci_low": "rate low", "ci_high": "rate high"},
        formats={"rate": pct, "ci_low": pct, "ci_high": pct, "rest_rate": pct,
                 "excess_defects": lambda v: fmt(v, ".1f")})])]


# -- root cause and tests -----------------------------------------------------------------
def segment_scan(result: Any, title: str) -> list[Section]:
    """Sections of a segment scan: the causes, the top segments and a bar chart."""
    from sixsigma.plot.rootcause import segment_bars

    charts = []
    segs, causes = result.segments, result.causes
    if len(segs):
        top = min(10, len(segs))
        with figure(8.0, 0.32 * top + 1.4) as fig:
            segment_bars(result, ax=fig.subplots(), top=top)
            charts.append(Chart(to_svg(fig), caption="Defect rate of the top segments "
                                "(causes in red) against the rest of the data (black tick)."))
    one = lambda v: fmt(v, ".1f")  # noqa: E731
    fm = {"rate": pct, "rest_rate": pct, "excess_defects": one, "excess_at_pick": one,
          "share_of_excess": pct, "q_value": fmt_p, "q_at_pick": fmt_p}
    # issue 15 item 11: the causes table holds the figures at pick (what a cause explains
    # once the causes picked before it are accounted for); the segments table the first pass
    tables = [table(causes, columns=["rank", "segment", "n", "defects", "rate", "rest_rate",
                                     "excess_at_pick", "excess_defects", "q_at_pick",
                                     "q_value"],
                    headers={"excess_defects": "excess defects at pick",
                             "excess_at_pick": "excess defects at pick",
                             "q_value": "q value at pick", "q_at_pick": "q value at pick"},
                    caption="Causes found, in the order picked. The excess defects at pick "
                            "answer \u201chow much does this cause explain\u201d: the "
                            "defects above the rest's rate once the causes picked before it "
                            "are accounted for. Quote these.",
                    formats=fm)] if len(causes) else []
    if len(segs):
        tables.append(table(segs, columns=["segment", "n", "defects", "rate", "rest_rate",
                                           "q_value", "status"], max_rows=10, formats=fm,
                            headers={"q_value": "q value (first pass)"},
                            caption="Segments, best first: the first pass over every "
                                    "segment, before any cause is picked"))
    return [Section(title or f"Segment scan of {result.defectives}", facts=[
        Fact("units", fmt(result.total_n, ",.0f")),
        Fact("overall rate", pct(result.overall_rate)),
        Fact("segments tested", fmt(result.n_tests)),
        Fact("causes", fmt(len(causes)), "good" if len(causes) else "")],
        paragraphs=[str(result.method)], charts=charts, tables=tables, notes=_notes(result))]


def hypothesis(result: Any, title: str) -> list[Section]:
    """Sections of a hypothesis test (``compare``): test, p-value, effect, groups."""
    alpha = _number(getattr(result, "alpha", None)) or 0.05
    facts = [Fact("test", str(getattr(result, "test", "")).replace("_", " ")),
             _p_fact(_number(getattr(result, "p_value", None)), alpha)]
    if _number(getattr(result, "effect", None)) is not None:
        ci = getattr(result, "ci", None)
        low, high = ci if isinstance(ci, Sequence) and len(ci) == 2 else (None, None)
        facts.append(Fact(str(getattr(result, "effect_name", "effect")).replace("_", " "),
                          f"{fmt(result.effect, '.3g')} ({fmt(low, '.3g')} to "
                          f"{fmt(high, '.3g')})"))
    for key in ("p1", "p2", "statistic"):
        value = _number(getattr(result, key, None))
        if value is not None and len(facts) < 6:
            facts.append(Fact(key, fmt(value)))
    groups = _frame(getattr(result, "groups", None))
    sentence = getattr(result, "sentence", None)
    return [Section(title or "Hypothesis test", facts=facts,
                    paragraphs=[str(sentence)] if sentence else [],
                    tables=[table(groups, formats={"rate": pct})] if len(groups) else [],
                    notes=_notes(result))]


def explain_change(result: Any, title: str) -> list[Section]:
    """Sections of a mix/rate decomposition of a change."""
    def points(v: Any) -> str:
        return fmt(None if v is None else 100 * v, "+.3f")

    pts = {c: points for c in ("mix_effect", "rate_effect", "total", "total_effect")}
    tables = [table(result.by_dimension, caption="By dimension (percentage points)",
                    formats=pts)]
    segs = result.segments
    if len(segs):
        segs = segs.reindex(segs["total_effect"].abs().sort_values(ascending=False).index)
        tables.append(table(segs, columns=["segment", "rate_before", "rate_after",
                                           "mix_effect", "rate_effect", "total_effect"],
                            max_rows=8, caption="Largest contributions (percentage points)",
                            formats={**pts, "rate_before": pct, "rate_after": pct}))
    return [Section(title or "Mix or rate?", facts=[
        Fact("rate before", pct(result.rate_before)),
        Fact("rate after", pct(result.rate_after)),
        Fact("change", fmt(100 * (_number(result.total_change) or 0.0), "+.3f") + " points")],
        paragraphs=[str(result.method)], tables=tables)]


def generic(result: Any, title: str) -> list[Section]:
    """Any other result: its scalar fields as key figures."""
    kind = result.get("kind") if isinstance(result, Mapping) else getattr(result, "kind", None)
    notes = result.get("notes") if isinstance(result, Mapping) else _notes(result)
    return [Section(title or str(kind or "Result").replace("_", " "), facts=_scalars(result),
                    notes=[str(n) for n in notes or ()])]


BUILDERS: dict[str, Builder] = {
    "control_chart": control_chart, "chart_pair": control_chart, "cusum_chart": control_chart,
    "capability": capability, "percentile_capability": capability,
    "transformed_capability": capability, "sigma_metrics": sigma_metrics,
    "pareto": pareto,
    "attribute_agreement": agreement, "fleiss_kappa": agreement, "cohen_kappa": agreement,
    "krippendorff_alpha": agreement,
    "process_map": process_map, "hotspots": hotspots,
    "segment_scan": segment_scan, "compare": hypothesis, "hypothesis_test": hypothesis,
    "explain_change": explain_change,
}


def sections(result: Any, title: str = "") -> list[Section]:
    """The report sections of one result (dispatched on its ``kind``).

    A plain mapping (a test computed elsewhere, attached to a project as
    ``{"kind": "hypothesis_test", "p_value": ...}``) is read like a result: as a test when it
    has a ``p_value``, else by its scalar entries.
    """
    if isinstance(result, Mapping):
        if "p_value" in result:
            return hypothesis(SimpleNamespace(**{str(k): v for k, v in result.items()}), title)
        return generic(result, title)
    return BUILDERS.get(str(getattr(result, "kind", "")), generic)(result, title)
