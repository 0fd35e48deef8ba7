"""The process map: a :class:`networkx.DiGraph` of steps and flows, built or discovered.

A :class:`ProcessMap` holds a frozen ``networkx.DiGraph`` (:attr:`ProcessMap.graph`).
Nodes are steps, with the attributes

* ``count``: events (visits) of the step (discovered maps; spec maps may give it);
* ``handle_time``: mean work time per visit, in the map's time unit;
* ``capacity``: servers (moderators) working the step in parallel;
* ``defect_rate``: probability that a visit introduces a defect;
* ``catch_rate``: probability that a check step (QA, appeal review) catches a defect;
* ``value_added``: whether the step's work counts as value-added time (Lean);
* ``exit_probability``: probability that an item leaves the process after the step.

Edges are flows, with ``count`` (directly-follows frequency), ``probability`` (routing
probability), and the transition times ``wait_mean``, ``wait_median``, ``wait_p90``.
An attribute that is not known is absent (a NaN value is dropped when the map is built),
so that the map's JSON form (node-link data, see :mod:`sixsigma._result`) is strict.

Maps come from a spec (:meth:`ProcessMap.from_spec`, a dict or YAML text) or from an event
log (:func:`sixsigma.flow.discover`). A spec is validated at the boundary: every flow names
known steps, every step is reached, the routing probabilities of each step sum to 1 (within
1e-9), and every step can reach the end (no loop without a way out); each violation raises
:class:`GraphError` naming the step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sixsigma._result import Result
from sixsigma.errors import GraphError, InputError, ParameterError
from sixsigma.flow._base import nan_for_none

__all__ = ["GraphError", "ProcessMap", "PROBABILITY_TOLERANCE"]

PROBABILITY_TOLERANCE = 1e-9
"""Routing probabilities out of a step must sum to 1 within this tolerance."""

NODE_DEFAULTS: dict[str, Any] = {
    "count": float("nan"),
    "handle_time": 0.0,
    "capacity": 1.0,
    "defect_rate": 0.0,
    "catch_rate": 0.0,
    "value_added": True,
}
_NODE_KEYS = set(NODE_DEFAULTS)
_EDGE_KEYS = {"source", "target", "probability", "count", "wait_time"}


@dataclass(frozen=True, eq=False, repr=False)
class ProcessMap(Result, kind="process_map"):
    """A process map: steps (nodes) and flows (edges) with volumes, times and defects.

    Attributes
    ----------
    graph : networkx.DiGraph
        The frozen graph (see the module docstring for the attributes). A map rebuilt by
        :func:`sixsigma.from_dict` holds an equal graph, frozen again.
    start_activities, end_activities : dict
        Step -> number of cases that start / end there (discovered maps), or the share of
        items entering / leaving there (spec maps, ``start`` as weights).
    variants : pandas.DataFrame or None
        Discovered with ``variants=True``: one row per path (``variant`` as
        ``"a > b > c"``, ``length``, ``count``, ``share``), most frequent first.
    n_cases : int
        Cases in the log (spec maps: 0).
    arrival_rate : float
        Items entering per time unit (spec: ``arrival_rate``; discovered: cases / span of
        the log). NaN when unknown (null in the JSON form).
    time_unit : str
        Unit of every time attribute (discovered maps: seconds, ``"s"``).
    source : str
        ``"spec"`` or ``"discovered"``.
    notes : tuple of str
        Caveats (filtered views, tie rule used).

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap
    >>> pm = ProcessMap.from_spec({
    ...     "start": "review",
    ...     "steps": {"review": {"handle_time": 2.0}, "qa": {"handle_time": 1.0},
    ...               "done": {}},
    ...     "flows": [{"source": "review", "target": "qa", "probability": 1.0},
    ...               {"source": "qa", "target": "review", "probability": 0.25},
    ...               {"source": "qa", "target": "done", "probability": 0.75}]})
    >>> sorted(pm.graph.successors("qa"))
    ['done', 'review']
    >>> pm.end_activities
    {'done': 1.0}
    """

    graph: Any
    start_activities: Mapping[str, float]
    end_activities: Mapping[str, float]
    variants: pd.DataFrame | None = None
    n_cases: int = 0
    arrival_rate: float = float("nan")
    time_unit: str = "s"
    source: str = "spec"

    def __post_init__(self) -> None:
        super().__post_init__()
        graph = _without_nan(self.graph)
        if not nx.is_frozen(graph):
            graph = nx.freeze(graph)
        object.__setattr__(self, "graph", graph)
        nan_for_none(self, "arrival_rate")

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: Mapping[str, Any] | str) -> ProcessMap:
        """Build and validate a map from a dict (or YAML text) spec.

        Parameters
        ----------
        spec : dict or str
            Keys: ``steps`` (step -> attributes: ``handle_time``, ``capacity``,
            ``defect_rate``, ``catch_rate``, ``value_added``, ``count``), ``flows`` (list
            of ``{"source", "target", "probability"}``, optionally ``count`` and
            ``wait_time``; when every flow out of a step gives ``count`` and none gives
            ``probability``, probabilities are the count shares), ``start`` (a step, or
            step -> share of arrivals), optional ``arrival_rate`` (items per time unit) and
            ``time_unit``. A step without outgoing flows is an end. A ``str`` is parsed as
            YAML (needs PyYAML).

        Returns
        -------
        ProcessMap

        Raises
        ------
        GraphError
            Unknown step in a flow, a step no flow reaches, probabilities of a step not
            summing to 1 (tolerance 1e-9), or a loop with no way out (no absorbing end).
        ParameterError
            A malformed spec (missing key, probability outside [0, 1], negative time,
            non-positive capacity).
        InputError
            YAML text that does not parse (the message gives the line and the problem).

        Examples
        --------
        >>> from sixsigma.flow import ProcessMap
        >>> pm = ProcessMap.from_spec({"start": "a", "steps": {"a": {}, "b": {}},
        ...                            "flows": [{"source": "a", "target": "b",
        ...                                       "probability": 1.0}]})
        >>> pm.graph.edges["a", "b"]["probability"]
        1.0
        """
        if isinstance(spec, str):
            spec = _parse_yaml(spec)
        if not isinstance(spec, Mapping):
            raise ParameterError(
                f"ProcessMap.from_spec: spec must be a dict (or YAML text); got "
                f"{type(spec).__name__}."
            )
        return _build(spec)

    # -- views ----------------------------------------------------------------------------
    @property
    def steps(self) -> list[str]:
        """The steps, in the graph's node order."""
        return [str(n) for n in self.graph.nodes]

    def nodes_frame(self) -> pd.DataFrame:
        """One row per step with every node attribute."""
        rows = [{"step": n, **d} for n, d in self.graph.nodes(data=True)]
        return pd.DataFrame(rows)

    def edges_frame(self) -> pd.DataFrame:
        """One row per flow (source, target and every edge attribute), largest count first."""
        rows = [{"source": u, "target": v, **d} for u, v, d in self.graph.edges(data=True)]
        frame = pd.DataFrame(rows, columns=None if rows else ["source", "target"])
        if "count" in frame and frame["count"].notna().any():
            frame = frame.sort_values(["count", "source", "target"],
                                      ascending=[False, True, True], kind="stable")
        return frame.reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The flows as a tidy table (see :meth:`edges_frame`)."""
        return self.edges_frame()


    def summary(self) -> str:
        """A short text summary."""
        g = self.graph
        lines = [
            f"process map ({self.source}): {g.number_of_nodes()} steps, "
            f"{g.number_of_edges()} flows" + (f", {self.n_cases} cases" if self.n_cases else ""),
            f"  start: {_fmt_counts(self.start_activities)}",
            f"  end: {_fmt_counts(self.end_activities)}",
        ]
        if self.variants is not None:
            lines.append(f"  variants: {len(self.variants)}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


    def annotate(self, **attributes: Mapping[str, Any]) -> ProcessMap:
        """A copy with step attributes set: ``annotate(defect_rate={"l2": 0.08}, ...)``.

        Each keyword is a node attribute (``handle_time``, ``capacity``, ``defect_rate``,
        ``catch_rate``, ``value_added``), mapping step -> value; steps not named keep
        their value. Values are checked as in :meth:`from_spec`.

        Examples
        --------
        >>> from sixsigma.flow import ProcessMap, yields
        >>> pm = ProcessMap.from_spec({"start": "a", "steps": {"a": {}, "b": {}},
        ...     "flows": [{"source": "a", "target": "b", "probability": 1.0}]})
        >>> round(yields(pm.annotate(defect_rate={"a": 0.1, "b": 0.5})).rty, 6)
        0.45
        """
        g = nx.DiGraph(self.graph)
        for key, values in attributes.items():
            if key not in _NODE_KEYS - {"count"}:
                raise ParameterError(f"annotate: unknown step attribute {key!r}; allowed: "
                                     f"{sorted(_NODE_KEYS - {'count'})}.")
            for step, value in dict(values).items():
                if step not in g:
                    raise GraphError(f"annotate: step {step!r} is not in the map.")
                what = f"step {step!r} {key}"
                if key == "value_added":
                    g.nodes[step][key] = bool(value)
                elif key == "capacity":
                    g.nodes[step][key] = _number(value, what, low=0, strict_low=True,
                                                 caller="annotate")
                elif key == "handle_time":
                    g.nodes[step][key] = _number(value, what, low=0, caller="annotate")
                else:
                    g.nodes[step][key] = _number(value, what, low=0, high=1,
                                                 caller="annotate")
        return replace(self, graph=g)

    # -- filtered views -------------------------------------------------------------------
    def filter_edges(self, min_count: float) -> ProcessMap:
        """A view keeping only flows with ``count >= min_count`` (and the steps they touch).

        Start and end activities are kept; routing probabilities are not renormalised
        (they still describe the full log), so the view is for display, not for the
        Markov analysis.

        Examples
        --------
        >>> import pandas as pd
        >>> from sixsigma.flow import discover
        >>> log = pd.DataFrame({"case_id": ["1", "1", "2", "2", "3", "3"],
        ...                     "activity": ["a", "b", "a", "b", "a", "c"],
        ...                     "timestamp": pd.to_datetime([1, 2, 1, 2, 1, 2], unit="h")})
        >>> sorted(discover(log).filter_edges(2).graph.edges)
        [('a', 'b')]
        """
        g = nx.DiGraph(self.graph)
        drop = [(u, v) for u, v, c in g.edges(data="count") if not c >= min_count]
        g.remove_edges_from(drop)
        keep = set(self.start_activities) | set(self.end_activities)
        g.remove_nodes_from([n for n in list(g.nodes) if g.degree(n) == 0 and n not in keep])
        return replace(self, graph=g, notes=(*self.notes,
                                             f"view: flows with count >= {min_count:g}"))

    def top_variants(self, k: int) -> ProcessMap:
        """The map of the ``k`` most frequent variants only (counts recomputed from paths).

        Counts (steps, flows, start, end) are those of the cases following one of the kept
        variants. Transition times are not available per variant, so the view carries no
        ``wait_*`` attributes.

        Examples
        --------
        >>> import pandas as pd
        >>> from sixsigma.flow import discover
        >>> log = pd.DataFrame({"case_id": ["1", "1", "2", "2", "3", "3"],
        ...                     "activity": ["a", "b", "a", "b", "a", "c"],
        ...                     "timestamp": pd.to_datetime([1, 2, 1, 2, 1, 2], unit="h")})
        >>> view = discover(log, variants=True).top_variants(1)
        >>> view.graph.edges["a", "b"]["count"], view.n_cases
        (2, 2)
        """
        if self.variants is None:
            raise ParameterError("top_variants: this map has no variants; discover it with "
                                 "variants=True.")
        if not isinstance(k, int | np.integer) or k < 1:
            raise ParameterError(f"top_variants: k must be a positive integer; got {k!r}.")
        kept = self.variants.head(int(k))
        paths = [tuple(v.split(VARIANT_SEP)) for v in kept["variant"]]
        counts = [int(c) for c in kept["count"]]
        pm = from_paths(paths, counts, time_unit=self.time_unit)
        return replace(pm, notes=(*self.notes, *pm.notes, f"view: top {int(k)} variants"))


VARIANT_SEP = " > "


def from_paths(paths: Iterable[tuple[str, ...]], counts: Iterable[int], *,
               time_unit: str = "s") -> ProcessMap:
    """A discovered-style map from paths and their frequencies (no times)."""
    node: dict[str, int] = {}
    edge: dict[tuple[str, str], int] = {}
    start: dict[str, int] = {}
    end: dict[str, int] = {}
    rows = []
    n_cases = 0
    for path, c in zip(paths, counts, strict=True):
        n_cases += c
        rows.append({"variant": VARIANT_SEP.join(path), "length": len(path), "count": c})
        start[path[0]] = start.get(path[0], 0) + c
        end[path[-1]] = end.get(path[-1], 0) + c
        for a in path:
            node[a] = node.get(a, 0) + c
        for a, b in zip(path[:-1], path[1:], strict=True):
            edge[(a, b)] = edge.get((a, b), 0) + c
    g = nx.DiGraph()
    for a, c in node.items():
        g.add_node(a, count=c, exit_probability=end.get(a, 0) / c)
    for (a, b), c in edge.items():
        g.add_edge(a, b, count=c, probability=c / node[a])
    variants = pd.DataFrame(rows, columns=["variant", "length", "count"])
    variants["share"] = variants["count"] / max(n_cases, 1)
    return ProcessMap(graph=g, start_activities=start, end_activities=end, variants=variants,
                      n_cases=n_cases, time_unit=time_unit, source="discovered",
                      notes=("arrival_rate unknown: a map built from paths has no times",))


# ---------------------------------------------------------------------------------------
# spec parsing and validation


def _parse_yaml(text: str) -> Any:
    try:
        import yaml
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ParameterError(
            "ProcessMap.from_spec: a YAML spec needs PyYAML (pip install pyyaml); "
            "or pass the spec as a dict."
        ) from err
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"ProcessMap.from_spec: the spec is not valid YAML{where}: "
                         f"{problem}.") from err


def _number(value: Any, what: str, *, low: float, high: float = math.inf,
            strict_low: bool = False, caller: str = "ProcessMap.from_spec") -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{caller}: {what} must be a number; got {value!r}.") from err
    bad = (x <= low if strict_low else x < low) or x > high or math.isnan(x)
    if bad:
        rng = f"({low:g}, {high:g}]" if strict_low else f"[{low:g}, {high:g}]"
        raise ParameterError(f"{caller}: {what} must be in {rng}; got {x:g}.")
    return x


def _build(spec: Mapping[str, Any]) -> ProcessMap:
    caller = "ProcessMap.from_spec"
    for key in ("steps", "flows", "start"):
        if key not in spec:
            raise ParameterError(f"{caller}: the spec has no {key!r} key; it needs 'steps', "
                                 "'flows' and 'start'.")
    steps = spec["steps"]
    if not isinstance(steps, Mapping) or not steps:
        raise ParameterError(f"{caller}: 'steps' must be a non-empty mapping step -> "
                             "attributes.")
    g = nx.DiGraph()
    for name, attrs in steps.items():
        attrs = dict(attrs or {})
        unknown = set(attrs) - _NODE_KEYS
        if unknown:
            raise ParameterError(f"{caller}: step {name!r} has unknown attribute(s) "
                                 f"{sorted(unknown)}; allowed: {sorted(_NODE_KEYS)}.")
        node = {**NODE_DEFAULTS, **attrs}
        node["handle_time"] = _number(node["handle_time"], f"step {name!r} handle_time", low=0)
        node["capacity"] = _number(node["capacity"], f"step {name!r} capacity", low=0,
                                   strict_low=True)
        for key in ("defect_rate", "catch_rate"):
            node[key] = _number(node[key], f"step {name!r} {key}", low=0, high=1)
        node["value_added"] = bool(node["value_added"])
        g.add_node(str(name), **node)

    flows = spec["flows"]
    if not isinstance(flows, list | tuple):
        raise ParameterError(f"{caller}: 'flows' must be a list of {{source, target, "
                             "probability}} dicts.")
    for i, flow in enumerate(flows):
        if not isinstance(flow, Mapping) or "source" not in flow or "target" not in flow:
            raise ParameterError(f"{caller}: flow {i} must be a dict with 'source' and "
                                 f"'target'; got {flow!r}.")
        unknown = set(flow) - _EDGE_KEYS
        if unknown:
            raise ParameterError(f"{caller}: flow {i} has unknown key(s) {sorted(unknown)}; "
                                 f"allowed: {sorted(_EDGE_KEYS)}.")
        u, v = str(flow["source"]), str(flow["target"])
        for end in (u, v):
            if end not in g:
                raise GraphError(f"{caller}: flow {i} ({u} -> {v}) names step {end!r}, "
                                 "which is not in 'steps'.")
        if g.has_edge(u, v):
            raise GraphError(f"{caller}: flow {i} repeats the flow {u} -> {v}.")
        edge: dict[str, float] = {}
        if "probability" in flow:
            edge["probability"] = _number(flow["probability"],
                                          f"flow {i} ({u} -> {v}) probability", low=0, high=1)
        if "count" in flow:
            edge["count"] = _number(flow["count"], f"flow {i} ({u} -> {v}) count", low=0)
        edge["wait_mean"] = _number(flow.get("wait_time", 0.0),
                                    f"flow {i} ({u} -> {v}) wait_time", low=0)
        g.add_edge(u, v, **edge)

    start = spec["start"]
    start_w: dict[str, float] = (
        {str(start): 1.0} if isinstance(start, str) else
        {str(k): _number(w, f"start share of {k!r}", low=0) for k, w in dict(start).items()}
    )
    for s in start_w:
        if s not in g:
            raise GraphError(f"{caller}: start step {s!r} is not in 'steps'.")
    total = sum(start_w.values())
    if not total > 0:
        raise ParameterError(f"{caller}: the start shares must sum to a positive number.")
    start_w = {k: w / total for k, w in start_w.items()}

    _fill_probabilities(g, caller)
    validate_graph(g, start_w, caller=caller)
    ends = {n: 1.0 for n in g.nodes if g.out_degree(n) == 0}
    arrival = _number(spec.get("arrival_rate", float("inf")), "arrival_rate", low=0,
                      strict_low=True) if "arrival_rate" in spec else float("nan")
    return ProcessMap(graph=g, start_activities=start_w, end_activities=ends,
                      arrival_rate=arrival, time_unit=str(spec.get("time_unit", "s")),
                      source="spec", notes=() if "arrival_rate" in spec else
                      ("arrival_rate unknown: the spec gives none",))


def _fill_probabilities(g: nx.DiGraph, caller: str) -> None:
    """Counts -> probabilities where a step's flows give counts only; then the sum check."""
    for n in g.nodes:
        out = list(g.out_edges(n, data=True))
        if not out:
            g.nodes[n]["exit_probability"] = 1.0
            continue
        has_p = [("probability" in d) for _, _, d in out]
        if not any(has_p) and all("count" in d for _, _, d in out):
            total = sum(d["count"] for _, _, d in out)
            if not total > 0:
                raise GraphError(f"{caller}: the flows out of step {n!r} have zero total "
                                 "count, so no routing probability can be derived.")
            for _, _, d in out:
                d["probability"] = d["count"] / total
        elif not all(has_p):
            missing = [v for (_, v, d) in out if "probability" not in d]
            raise GraphError(f"{caller}: step {n!r} has flows without a probability "
                             f"(to {missing}); give every flow out of a step a probability, "
                             "or give them all counts.")
        total = math.fsum(d["probability"] for _, _, d in out)
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            shown = ", ".join(f"{v}: {d['probability']:g}" for _, v, d in out)
            raise GraphError(f"{caller}: routing probabilities out of step {n!r} sum to "
                             f"{total:.12g}, not 1 (tolerance {PROBABILITY_TOLERANCE:g}); "
                             f"flows: {shown}.")
        g.nodes[n]["exit_probability"] = 0.0


def validate_graph(g: nx.DiGraph, start: Mapping[str, float], *, caller: str) -> None:
    """Every step reached from the start, and every step able to reach an exit.

    Raises
    ------
    GraphError
        Naming the first unreachable step, or the steps of a loop with no way out.
    """
    reached: set[str] = set()
    for s in start:
        reached |= {s} | nx.descendants(g, s)
    for n in g.nodes:
        if n not in reached:
            preds = list(g.predecessors(n))
            why = ("no flow reaches it" if not preds else
                   f"it is reached only from {sorted(preds)}, which the start never reaches")
            raise GraphError(f"{caller}: step {n!r} is unreachable from the start "
                             f"({', '.join(start)}): {why}.")
    exits = {n for n in g.nodes if g.nodes[n].get("exit_probability", 0.0) > 0}
    can_exit: set[str] = set(exits)
    for e in exits:
        can_exit |= nx.ancestors(g, e)
    trapped = [n for n in g.nodes if n not in can_exit]
    if trapped:
        comp = next(c for c in nx.strongly_connected_components(g) if trapped[0] in c)
        loop = sorted(comp) if len(comp) > 1 else trapped
        raise GraphError(f"{caller}: the loop {' -> '.join(loop)} has no way out: no flow "
                         "from it reaches an end step (a step without outgoing flows), so "
                         "the chain has no absorbing end.")


def _without_nan(g: Any) -> Any:
    """``g``, or a copy without its NaN attributes (an unknown attribute is absent)."""
    def has_nan(attrs: Mapping[str, Any]) -> bool:
        return any(isinstance(v, float) and math.isnan(v) for v in attrs.values())

    attr_dicts = [d for _, d in g.nodes(data=True)] + [d for *_, d in g.edges(data=True)]
    if not any(has_nan(d) for d in attr_dicts):
        return g
    h = nx.DiGraph(g)
    for d in [d for _, d in h.nodes(data=True)] + [d for *_, d in h.edges(data=True)]:
        for key in [k for k, v in d.items() if isinstance(v, float) and math.isnan(v)]:
            del d[key]
    return h


def _fmt_counts(d: Mapping[str, float]) -> str:
    items = sorted(d.items(), key=lambda kv: -kv[1])[:6]
    return ", ".join(f"{k} ({v:g})" for k, v in items) + (" ..." if len(d) > 6 else "")


def node_array(pm: ProcessMap, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A node attribute as a float array in :attr:`ProcessMap.steps` order (default NaN)."""
    default = NODE_DEFAULTS.get(name, float("nan"))
    return np.array([float(d.get(name, default)) for _, d in pm.graph.nodes(data=True)],
                    dtype=np.float64)
