"""Analyses on a process map: yields, rework loops, bottlenecks, process cycle efficiency.

All of them run on the absorbing Markov chain of the map (:func:`sixsigma.flow.markov`),
so branches and loops are handled exactly rather than by multiplying along one path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sixsigma._params import check_number
from sixsigma._result import Result
from sixsigma.errors import ParameterError
from sixsigma.flow._base import nan_for_none
from sixsigma.flow.markov_chain import markov, transition_matrix
from sixsigma.flow.processmap import ProcessMap, node_array

__all__ = [
    "BottleneckResult",
    "ReworkResult",
    "YieldResult",
    "back_edges",
    "bottlenecks",
    "cycle_efficiency",
    "rework_loops",
    "yields",
]


def back_edges(pm: ProcessMap) -> set[tuple[str, str]]:
    """Flows that close a loop: edges to an ancestor in a depth-first search from the start.

    Removing them leaves a directed acyclic graph (the "first pass" flow). Successors are
    explored heaviest flow first (``count``, else ``probability``), so the main path is
    the forward one and the returns to it are the rework.
    """
    g = pm.graph

    def succ(n: str) -> Any:
        def weight(v: str) -> float:
            d = g.edges[n, v]
            w = d.get("count", d.get("probability", 0.0))
            return -float(w) if w == w else 0.0
        return iter(sorted(g.successors(n), key=lambda v: (weight(v), v)))

    starts = sorted(pm.start_activities, key=lambda a: -pm.start_activities[a])
    roots = starts + [n for n in g.nodes if n not in starts]
    out: set[tuple[str, str]] = set()
    colour: dict[str, int] = {}
    for root in roots:
        if root in colour:
            continue
        colour[root] = 1
        stack = [(root, succ(root))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = 2
                stack.pop()
            elif colour.get(child) == 1:
                out.add((node, child))
            elif child not in colour:
                colour[child] = 1
                stack.append((child, succ(child)))
    return out


# ---------------------------------------------------------------------------------------
# yields


@dataclass(frozen=True, eq=False, repr=False)
class YieldResult(Result, kind="flow_yields"):
    """First-pass and rolled throughput yields of a map.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step: ``visits`` (expected per item), ``defect_rate``, ``fpy``
        (first-pass yield of the step, 1 - defect rate).
    rty : float
        Rolled throughput yield: the probability that an item passes every step it visits
        (re-visits included) without a defect being introduced. On a serial line it is
        the product of the steps' FPY.
    first_pass : float
        Probability that an item leaves the process without taking any rework flow (a
        back edge, see :func:`back_edges`): the flow's first-pass yield.
    rework_flows : tuple of str
        The back edges, as ``"source -> target"``.
    """

    table: pd.DataFrame
    rty: float = float("nan")
    first_pass: float = float("nan")
    rework_flows: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        nan_for_none(self, "rty", "first_pass")

    def summary(self) -> str:
        """Text summary."""
        return (f"RTY {self.rty:.4f}, first-pass (no rework) {self.first_pass:.4f}; "
                f"rework flows: {', '.join(self.rework_flows) or 'none'}")


def yields(pm: ProcessMap) -> YieldResult:
    """First-pass yield per step, rolled throughput yield, and the no-rework share.

    Parameters
    ----------
    pm : ProcessMap
        A map whose steps carry ``defect_rate`` (default 0).

    Returns
    -------
    YieldResult

    Notes
    -----
    Step first-pass yield FPY_i = 1 - p_i, with p_i the probability that a visit introduces
    a defect (defectives per unit; Breyfogle, *Implementing Six Sigma*, 2nd ed., 2003,
    §10.12 uses e^-DPU, equal to first order). Rolled throughput yield is the probability
    of a defect-free passage: RTY = s (I - DQ)^-1 D e, with D = diag(1 - p), Q the routing
    matrix and e the exit vector; on a serial line it reduces to prod_i FPY_i (Breyfogle
    §10.12; George, *Lean Six Sigma*, 2002, ch. 4). The first-pass (no rework) share is
    s (I - Q')^-1 e with the rework flows removed from Q.

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap, yields
    >>> pm = ProcessMap.from_spec({
    ...     "start": "a",
    ...     "steps": {"a": {"defect_rate": 0.1}, "b": {"defect_rate": 0.2}, "c": {}},
    ...     "flows": [{"source": "a", "target": "b", "probability": 1.0},
    ...               {"source": "b", "target": "c", "probability": 1.0}]})
    >>> round(yields(pm).rty, 6)    # 0.9 x 0.8 x 1.0
    0.72
    """
    m = markov(pm)
    q, exit_p, s = transition_matrix(pm)
    d = node_array(pm, "defect_rate")
    d = np.where(np.isnan(d), 0.0, d)
    keep = 1.0 - d
    n = len(s)
    x = np.linalg.solve((np.eye(n) - keep[:, None] * q).T, s)
    rty = float(x @ (keep * exit_p))
    back = back_edges(pm)
    index = {a: i for i, a in enumerate(pm.steps)}
    q1 = q.copy()
    for u, v in back:
        q1[index[u], index[v]] = 0.0
    y = np.linalg.solve((np.eye(n) - q1).T, s)
    first = float(y @ exit_p)
    table = pd.DataFrame({"step": list(pm.steps), "visits": m.visits, "defect_rate": d,
                          "fpy": keep})
    return YieldResult(table=table, rty=rty, first_pass=first,
                       rework_flows=tuple(sorted(f"{u} -> {v}" for u, v in back)))


# ---------------------------------------------------------------------------------------
# rework loops


@dataclass(frozen=True, eq=False, repr=False)
class ReworkResult(Result, kind="rework_loops"):
    """The rework loops of a map and what they cost.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per elementary cycle: ``cycle`` (``"a -> b -> a"``), ``back_edge``,
        ``loop_probability`` (product of the routing probabilities round the loop),
        ``rework_per_item`` (expected traversals of the back edge per item),
        ``lap_time`` (handle times of the loop's steps plus its flows' waits),
        ``time_per_item`` (rework_per_item x lap_time), ``share_of_lead_time`` and
        ``cost_per_item`` (time_per_item x ``cost_per_time``), largest cost first.
    components : tuple of tuple of str
        Strongly connected components with more than one step (the loop regions).
    lead_time : float
        Expected lead time per item (for the shares).
    """

    table: pd.DataFrame
    components: tuple[tuple[str, ...], ...] = ()
    lead_time: float = float("nan")

    def __post_init__(self) -> None:
        super().__post_init__()
        nan_for_none(self, "lead_time")

    def summary(self) -> str:
        """Text summary."""
        if self.table.empty:
            return "no rework loops"
        top = self.table.iloc[0]
        return (f"{len(self.table)} rework loop(s); costliest: {top['cycle']} "
                f"({top['rework_per_item']:.3g} laps per item, "
                f"{top['share_of_lead_time']:.1%} of lead time)")


def rework_loops(pm: ProcessMap, *, cost_per_time: float = 1.0,
                 max_length: int | None = None) -> ReworkResult:
    """Find the rework loops (cycles) of a map and what they cost per item.

    Parameters
    ----------
    pm : ProcessMap
    cost_per_time : float
        Cost of one time unit of work (e.g. loaded labour cost per second), for
        ``cost_per_item``.
    max_length : int, optional
        Longest cycle enumerated (``networkx.simple_cycles(length_bound=...)``); None
        enumerates all (Johnson 1975), fine for process maps of tens of steps.

    Returns
    -------
    ReworkResult

    Notes
    -----
    Each elementary cycle is closed by one back edge (an edge to a step that a depth-first
    search from the start entered earlier); its expected traversals per item are
    v_u p_uv from the absorbing chain. A lap costs the handle times of the loop's steps
    plus the mean waits on its flows. Nested loops share back edges, so their costs
    overlap: read the table per loop, not as a sum.

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap, rework_loops
    >>> pm = ProcessMap.from_spec({
    ...     "start": "review",
    ...     "steps": {"review": {"handle_time": 2.0}, "qa": {"handle_time": 1.0},
    ...               "done": {}},
    ...     "flows": [{"source": "review", "target": "qa", "probability": 1.0},
    ...               {"source": "qa", "target": "review", "probability": 0.25},
    ...               {"source": "qa", "target": "done", "probability": 0.75}]})
    >>> r = rework_loops(pm).to_frame().iloc[0]
    >>> r["cycle"], round(float(r["rework_per_item"]), 4), float(r["lap_time"])
    ('review -> qa -> review', 0.3333, 3.0)
    """
    cost_per_time = check_number(cost_per_time, "cost_per_time", caller="rework_loops",
                                 low=0.0)
    m = markov(pm)
    g = pm.graph
    back = back_edges(pm)
    handle = dict(zip(pm.steps, node_array(pm, "handle_time"), strict=True))
    rows: list[dict[str, Any]] = []
    for cycle in nx.simple_cycles(g, length_bound=max_length):
        edges = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        closing = [e for e in edges if e in back]
        if closing:
            u, v = closing[0]
            k = edges.index((u, v))
            edges = edges[k + 1:] + edges[:k + 1]  # start the loop at the back edge's target
        else:  # pragma: no cover - every cycle contains a back edge
            u, v = edges[-1]
        path = [a for a, _ in edges] + [edges[-1][1]]
        prob = float(np.prod([g.edges[e].get("probability", np.nan) for e in edges]))
        lap = float(sum(0.0 if np.isnan(handle[a]) else handle[a] for a, _ in edges)
                    + sum(_nz(g.edges[e].get("wait_mean", 0.0)) for e in edges))
        flow = m.edge_flow[(u, v)]
        rows.append({"cycle": " -> ".join(path), "back_edge": f"{u} -> {v}",
                     "length": len(edges), "loop_probability": prob,
                     "rework_per_item": flow, "lap_time": lap, "time_per_item": flow * lap})
    cols = ["cycle", "back_edge", "length", "loop_probability", "rework_per_item", "lap_time",
            "time_per_item"]
    table = pd.DataFrame(rows, columns=cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share_of_lead_time"] = (table["time_per_item"] / m.lead_time
                                       if m.lead_time > 0 else np.nan)
    table["cost_per_item"] = table["time_per_item"] * cost_per_time
    table = table.sort_values(["time_per_item", "cycle"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    comps = tuple(sorted(tuple(sorted(c)) for c in nx.strongly_connected_components(g)
                         if len(c) > 1))
    return ReworkResult(table=table, components=comps, lead_time=m.lead_time)


def _nz(x: Any) -> float:
    v = float(x)
    return 0.0 if np.isnan(v) else v


# ---------------------------------------------------------------------------------------
# bottlenecks, Little's law, PCE


@dataclass(frozen=True, eq=False, repr=False)
class BottleneckResult(Result, kind="bottlenecks"):
    """Utilisation per step, the bottleneck, Little's law and the share of time waiting.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step: ``arrival_rate`` (visits per time unit, lambda v_i),
        ``handle_time`` (per visit), ``capacity``, ``utilisation`` (lambda_i h_i / c_i),
        ``time_per_item`` (handle plus wait per item), ``wip`` (Little: lambda x
        time_per_item), ``capacity_rate`` (items per time unit the step can take:
        c_i / (v_i h_i), NaN for a step without work); sorted by utilisation, highest
        first.
    bottleneck : str or None
        The step with the highest utilisation (None without handle times).
    arrival_rate : float
        Items entering per time unit (lambda).
    lead_time : float
        W, expected time in the process per item.
    wip : float
        L = lambda W (Little's law): items in the process on average.
    wait_share : float
        Share of the lead time spent on flows (waiting) rather than in work.
    throughput_capacity : float
        The most items per time unit the process can take (the bottleneck's capacity_rate).
    pce : float
        Process cycle efficiency, value-added time / lead time.
    """

    table: pd.DataFrame
    bottleneck: str | None = None
    arrival_rate: float = float("nan")
    lead_time: float = float("nan")
    wip: float = float("nan")
    wait_share: float = float("nan")
    throughput_capacity: float = float("nan")
    pce: float = float("nan")
    time_unit: str = "s"

    def __post_init__(self) -> None:
        super().__post_init__()
        nan_for_none(self, "arrival_rate", "lead_time", "wip", "wait_share",
                     "throughput_capacity", "pce")

    def summary(self) -> str:
        """Text summary."""
        if self.bottleneck is None:
            return f"no handle times; lead time {self.lead_time:.4g} {self.time_unit}"
        u = float(self.table["utilisation"].iloc[0])
        return (f"bottleneck {self.bottleneck} (utilisation {u:.1%}); lead time "
                f"{self.lead_time:.4g} {self.time_unit}, WIP {self.wip:.4g}, waiting "
                f"{self.wait_share:.1%}, PCE {self.pce:.1%}")


def bottlenecks(pm: ProcessMap, *, arrival_rate: float | None = None) -> BottleneckResult:
    """Utilisation of every step, the bottleneck, Little's law and waiting share.

    Parameters
    ----------
    pm : ProcessMap
        Steps carry ``handle_time`` (per visit) and ``capacity`` (parallel servers); flows
        may carry ``wait_mean``.
    arrival_rate : float, optional
        Items entering per time unit; default the map's own (spec ``arrival_rate``, or
        cases per second over the discovered log's span).

    Returns
    -------
    BottleneckResult

    Notes
    -----
    Utilisation rho_i = lambda_i h_i / c_i with lambda_i = lambda v_i (Hopp and Spearman,
    *Factory Physics*, 3rd ed., 2008, §8.2); a step with rho >= 1 cannot keep up. The
    bottleneck is the step of highest utilisation (Goldratt's constraint). Little's law
    L = lambda W (Little 1961) gives the work in process, per step and in total. The
    process cycle efficiency is value-added time / lead time (George, *Lean Six Sigma*,
    2002, ch. 3), with the handle time of steps marked ``value_added`` as value-added.

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap, bottlenecks
    >>> pm = ProcessMap.from_spec({
    ...     "start": "a", "arrival_rate": 0.5,
    ...     "steps": {"a": {"handle_time": 1.0}, "b": {"handle_time": 3.0,
    ...                                               "capacity": 2}},
    ...     "flows": [{"source": "a", "target": "b", "probability": 1.0,
    ...                "wait_time": 4.0}]})
    >>> r = bottlenecks(pm)
    >>> r.bottleneck, float(r.table["utilisation"].iloc[0])   # 0.5 x 3 / 2
    ('b', 0.75)
    >>> float(r.wip)                                          # L = 0.5 x (1 + 4 + 3)
    4.0
    """
    m = markov(pm)
    lam = pm.arrival_rate if arrival_rate is None else float(arrival_rate)
    if not (np.isnan(lam) or (np.isfinite(lam) and lam > 0)):
        raise ParameterError(f"bottlenecks: arrival_rate must be a positive number; got "
                             f"{arrival_rate!r}.")
    h = node_array(pm, "handle_time")
    cap = node_array(pm, "capacity")
    cap = np.where(np.isnan(cap), 1.0, cap)
    work = m.visits * np.where(np.isnan(h), 0.0, h)  # work per item at each step
    with np.errstate(divide="ignore", invalid="ignore"):
        util = lam * work / cap
        cap_rate = np.where(work > 0, cap / work, np.nan)  # NaN: no work, no limit
    tpi = m.time_per_step
    table = pd.DataFrame({
        "step": list(pm.steps), "visits": m.visits, "arrival_rate": lam * m.visits,
        "handle_time": h, "capacity": cap, "utilisation": util, "time_per_item": tpi,
        "wip": lam * tpi, "capacity_rate": cap_rate,
    })
    has_work = bool((work > 0).any())
    if has_work:  # utilisation is proportional to work / capacity, so this order holds
        table["_load"] = work / cap  # even when no arrival rate is known
        table = table.sort_values(["_load", "step"], ascending=[False, True],
                                  kind="stable").drop(columns="_load")
    table = table.reset_index(drop=True)
    bott = str(table["step"].iloc[0]) if has_work else None
    lead = m.lead_time
    with np.errstate(divide="ignore", invalid="ignore"):
        wait_share = float(m.wait_time.sum() / lead) if lead > 0 else float("nan")
    notes = []
    if np.isnan(lam):
        notes.append("no arrival rate (the map has none and none was given): arrival_rate, "
                     "wip and the utilisation and wip per step are undefined.")
    if not has_work:
        notes.append("no step has a handle time: no bottleneck, throughput_capacity "
                     "undefined.")
    if not lead > 0:
        notes.append("the lead time is 0: wait_share and pce are undefined.")
    return BottleneckResult(
        table=table, bottleneck=bott, arrival_rate=lam, lead_time=lead, wip=lam * lead,
        wait_share=wait_share, throughput_capacity=float(np.nanmin(cap_rate)) if has_work
        else float("nan"), pce=cycle_efficiency(pm), time_unit=pm.time_unit,
        notes=tuple(notes))


def cycle_efficiency(pm: ProcessMap) -> float:
    """Process cycle efficiency: value-added time / lead time, per item.

    Value-added time is the expected handle time at steps marked ``value_added``; the
    lead time adds the other steps' work and every wait (George, *Lean Six Sigma*, 2002,
    ch. 3: a PCE under 10 % is typical of service processes). NaN when the lead time is 0.

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap, cycle_efficiency
    >>> pm = ProcessMap.from_spec({
    ...     "start": "a",
    ...     "steps": {"a": {"handle_time": 1.0}, "b": {"handle_time": 1.0,
    ...                                               "value_added": False}},
    ...     "flows": [{"source": "a", "target": "b", "probability": 1.0,
    ...                "wait_time": 8.0}]})
    >>> cycle_efficiency(pm)    # 1 / (1 + 1 + 8)
    0.1
    """
    m = markov(pm)
    va = np.array([bool(d.get("value_added", True)) for _, d in pm.graph.nodes(data=True)])
    if not m.lead_time > 0:
        return float("nan")
    return float(m.handle_time[va].sum() / m.lead_time)
