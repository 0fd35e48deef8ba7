"""The process map as an absorbing Markov chain: expected visits and time per step.

Every step is a transient state; leaving the process (a step's ``exit_probability``) is
absorption. With Q the matrix of routing probabilities between steps, the fundamental
matrix N = (I - Q)^-1 holds the expected visits to step j of an item now at step i
(Kemeny and Snell, *Finite Markov Chains*, 1960, §3.2; Grinstead and Snell,
*Introduction to Probability*, 1997, §11.2). From the start distribution s, the expected
visits per item are v = s N, obtained by solving (I - Q)^T v = s (numpy.linalg.solve;
the inverse is never formed unless asked for through :attr:`MarkovResult.fundamental`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._result import Result, frozen_array
from sixsigma.flow.processmap import GraphError, ProcessMap, node_array, validate_graph

__all__ = ["DefectFlowResult", "MarkovResult", "defect_flow", "markov",
           "transition_matrix"]

FloatArray = NDArray[np.float64]


def transition_matrix(pm: ProcessMap) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Q (step -> step routing probabilities), the exit vector and the start vector.

    Rows and columns follow :attr:`ProcessMap.steps`. Start shares are normalised.
    """
    steps = pm.steps
    index = {s: i for i, s in enumerate(steps)}
    n = len(steps)
    q = np.zeros((n, n))
    for u, v, p in pm.graph.edges(data="probability"):
        q[index[u], index[v]] = float(p)
    exit_p = node_array(pm, "exit_probability")
    exit_p = np.where(np.isnan(exit_p), 0.0, exit_p)
    s = np.zeros(n)
    for a, w in pm.start_activities.items():
        s[index[a]] = float(w)
    total = s.sum()
    if not total > 0:
        raise GraphError("markov: the map has no start step with a positive share.")
    return q, exit_p, s / total


@dataclass(frozen=True, eq=False, repr=False)
class MarkovResult(Result, kind="markov"):
    """Expected visits, flows and times of an item through a map (absorbing chain).

    Attributes
    ----------
    steps : tuple of str
        Step names (the order of every array).
    visits : numpy.ndarray
        Expected visits per item entering the process (v = s N).
    handle_time : numpy.ndarray
        Expected work time per item at each step: visits x handle_time.
    wait_time : numpy.ndarray
        Expected transition (waiting) time per item spent on the flows into each step:
        the sum over incoming flows of v_i p_ij x wait_mean_ij.
    exit_share : numpy.ndarray
        Share of items that leave the process at each step (v_i x exit_i; sums to 1).
    edge_flow : dict
        (source, target) -> expected traversals per item (v_i p_ij).
    lead_time : float
        Expected time in the process per item: handle plus wait times.
    time_unit : str
        Unit of the times.
    q : numpy.ndarray
        The routing matrix between steps (rows and columns in ``steps`` order).
    """

    steps: tuple[str, ...]
    visits: FloatArray
    handle_time: FloatArray
    wait_time: FloatArray
    exit_share: FloatArray
    edge_flow: dict[tuple[str, str], float]
    lead_time: float
    time_unit: str
    q: FloatArray

    @property
    def fundamental(self) -> FloatArray:
        """N = (I - Q)^-1: expected visits to step j (column) starting from step i (row)."""
        n = self.q.shape[0]
        return frozen_array(np.linalg.solve(np.eye(n) - self.q, np.eye(n)))

    @property
    def time_per_step(self) -> FloatArray:
        """Expected time per item at each step: work plus the waits on the flows into it."""
        return frozen_array(self.handle_time + self.wait_time)

    def to_frame(self) -> pd.DataFrame:
        """One row per step: visits, handle, wait and total time per item, exit share."""
        return pd.DataFrame({
            "step": list(self.steps), "visits": self.visits, "handle_time": self.handle_time,
            "wait_time": self.wait_time, "time_per_step": self.time_per_step,
            "exit_share": self.exit_share,
        })


    def summary(self) -> str:
        """Text summary."""
        order = np.argsort(-self.time_per_step)[:3]
        top = ", ".join(f"{self.steps[i]} ({self.time_per_step[i]:.4g})" for i in order)
        return (f"absorbing chain: {len(self.steps)} steps, expected lead time "
                f"{self.lead_time:.4g} {self.time_unit} per item\n  most time: {top}")


def markov(pm: ProcessMap) -> MarkovResult:
    """Expected visits and time per step from the absorbing Markov chain of a map.

    Parameters
    ----------
    pm : ProcessMap
        A spec or discovered map (routing probabilities on the flows; discovered maps
        route by directly-follows shares and exit where cases end).

    Returns
    -------
    MarkovResult

    Raises
    ------
    GraphError
        A loop with no way out (I - Q singular).

    Notes
    -----
    v = s (I - Q)^-1 solved as (I - Q)^T v = s; flows on edges are v_i p_ij; the expected
    lead time is sum_i v_i h_i + sum_ij v_i p_ij w_ij, with h the handle time per visit
    and w the mean transition time of a flow (Kemeny and Snell 1960, Theorem 3.3.5).

    Examples
    --------
    Review, then QA, which sends a quarter of the items back to review:

    >>> from sixsigma.flow import ProcessMap, markov
    >>> pm = ProcessMap.from_spec({
    ...     "start": "review",
    ...     "steps": {"review": {"handle_time": 2.0}, "qa": {"handle_time": 1.0},
    ...               "done": {}},
    ...     "flows": [{"source": "review", "target": "qa", "probability": 1.0},
    ...               {"source": "qa", "target": "review", "probability": 0.25},
    ...               {"source": "qa", "target": "done", "probability": 0.75}]})
    >>> m = markov(pm)
    >>> [round(float(v), 4) for v in m.visits]   # 1 / (1 - 0.25) = 4/3 visits each
    [1.3333, 1.3333, 1.0]
    >>> round(m.lead_time, 4)                   # 4/3 x 2 + 4/3 x 1
    4.0
    """
    validate_graph(pm.graph, pm.start_activities, caller="markov")
    q, exit_p, s = transition_matrix(pm)
    n = len(s)
    a = np.eye(n) - q
    try:
        visits: FloatArray = np.asarray(np.linalg.solve(a.T, s), dtype=np.float64)
    except np.linalg.LinAlgError as err:  # pragma: no cover - validate_graph prevents it
        raise GraphError("markov: I - Q is singular: a loop has no way out.") from err
    visits = np.where(np.abs(visits) < 1e-15, 0.0, visits).astype(np.float64)
    handle = node_array(pm, "handle_time")
    handle = np.where(np.isnan(handle), 0.0, handle)
    index = {s_: i for i, s_ in enumerate(pm.steps)}
    wait = np.zeros(n)
    flows: dict[tuple[str, str], float] = {}
    for u, v, d in pm.graph.edges(data=True):
        f = float(visits[index[u]] * d.get("probability", 0.0))
        flows[(u, v)] = f
        w = float(d.get("wait_mean", 0.0))
        if not np.isnan(w):
            wait[index[v]] += f * w
    handle_t = visits * handle
    lead = float(handle_t.sum() + wait.sum())
    return MarkovResult(steps=tuple(pm.steps), visits=visits, handle_time=handle_t,
                        wait_time=wait, exit_share=visits * exit_p, edge_flow=flows,
                        lead_time=lead, time_unit=pm.time_unit, q=q)


@dataclass(frozen=True, eq=False, repr=False)
class DefectFlowResult(Result, kind="defect_flow"):
    """Where the defects a spec map introduces are caught, or escape (absorbing chain).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (``introduced_at``, ``outcome``): ``outcome`` is ``"caught at <check
        step>"`` or ``"escaped"``; ``probability`` (of that outcome for a defect born at
        the step; they sum to 1 per step) and ``per_item`` (expected defects per item
        entering the process: v_i d_i x probability).
    escape_per_item : float
        Expected defects per item that reach the user.
    """

    table: pd.DataFrame
    escape_per_item: float

    def summary(self) -> str:
        """Text summary."""
        return f"expected escaped defects per item: {self.escape_per_item:.4g}"


def defect_flow(pm: ProcessMap) -> DefectFlowResult:
    """Follow the defects each step introduces to the check step that catches them, or out.

    A defect born at step i (probability ``defect_rate`` per visit) travels with the item;
    on arriving at a check step j it is caught with probability ``catch_rate`` c_j, else it
    travels on; leaving the process with it is an escape. With Q the routing matrix and
    C = diag(c), the defect's transient chain is Q' = Q (I - C), its absorption into
    "caught at j" is Q C and into "escaped" the exit vector e: B = (I - Q')^-1 [Q C | e]
    (Kemeny and Snell 1960, Theorem 3.3.7), solved with numpy.linalg.solve.

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap
    >>> from sixsigma.flow import defect_flow
    >>> pm = ProcessMap.from_spec({
    ...     "start": "review",
    ...     "steps": {"review": {"defect_rate": 0.1}, "qa": {"catch_rate": 0.9},
    ...               "done": {}},
    ...     "flows": [{"source": "review", "target": "qa", "probability": 1.0},
    ...               {"source": "qa", "target": "done", "probability": 1.0}]})
    >>> round(defect_flow(pm).escape_per_item, 6)    # 0.1 x (1 - 0.9)
    0.01
    """
    m = markov(pm)
    q, exit_p, _ = transition_matrix(pm)
    c = node_array(pm, "catch_rate")
    c = np.where(np.isnan(c), 0.0, c)
    d = node_array(pm, "defect_rate")
    d = np.where(np.isnan(d), 0.0, d)
    n = len(c)
    checks = np.flatnonzero(c > 0)
    rhs = np.column_stack([q[:, checks] * c[checks], exit_p])
    b = np.linalg.solve(np.eye(n) - q * (1.0 - c)[None, :], rhs)
    born = m.visits * d
    rows = []
    names = [f"caught at {pm.steps[j]}" for j in checks] + ["escaped"]
    for i in np.flatnonzero(born > 0):
        for k, outcome in enumerate(names):
            rows.append({"introduced_at": pm.steps[i], "outcome": outcome,
                         "probability": float(b[i, k]), "per_item": float(born[i] * b[i, k])})
    table = pd.DataFrame(rows, columns=["introduced_at", "outcome", "probability",
                                        "per_item"])
    escaped = float(table.loc[table["outcome"] == "escaped", "per_item"].sum())
    return DefectFlowResult(table=table, escape_per_item=escaped)
