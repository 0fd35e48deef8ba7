"""Escape analysis and hotspot ranking: join audit records to the event log by item.

For every item, the step that *introduced* a defect is the step that made the decision:
the activity directly before the item's first ``decision`` event (``auto_action``,
``human_review_l1`` or ``escalate_l2`` in the moderation flow), and the flow into it (e.g.
``human_review_l1 -> escalate_l2``, the escalation hand-off) is the edge it is attributed
to. Where a defect was *found* comes from the audit record: an error QA recorded
(``error_type`` not empty) was caught at ``qa_audit``; a decision the user's appeal
overturned (``appeal_overturned``) escaped to the user and was found at ``appeal_review``.

The per-item attribution runs on the events of the audited items only: the narwhals
filter and projection run where the log lives, the small per-item table in pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals.stable.v2 as nw
import networkx as nx
import numpy as np
import pandas as pd

from sixsigma._frames import as_table
from sixsigma._params import check_confidence, choice
from sixsigma._result import Result
from sixsigma._stats import wilson
from sixsigma.errors import ParameterError
from sixsigma.flow.discovery import _check_nulls

__all__ = ["EscapeResult", "HotspotResult", "DEFAULT_COSTS", "attribute", "escapes",
           "hotspots"]

DEFAULT_COSTS: dict[str, float] = {"rework": 1.0, "appeal": 3.0, "escape": 10.0}
"""Relative cost of a defect caught by QA (rework), of an appeal, of an escape."""

RankBy = Literal["excess", "defects", "cost", "centrality"]


def attribute(events: Any, audits: Any, *, case: str = "case_id",
              activity: str = "activity", timestamp: str = "timestamp",
              item: str = "item_id", error_type: str = "error_type",
              appealed: str | None = "appealed",
              appeal_overturned: str | None = "appeal_overturned",
              decision_activity: str = "decision",
              by: Sequence[str] = ()) -> pd.DataFrame:
    """One row per audited item: the step and flow that made its decision, and its defect.

    Columns: ``item``, ``step`` (introducing step), ``edge`` (``"prev -> step"``),
    ``error_type`` (``""`` when none), ``caught`` (QA found an error), ``appealed``,
    ``escaped`` (the appeal overturned the decision), ``defect`` (caught or escaped),
    and the ``by`` columns of the audits. Items without a decision event are dropped.
    """
    caller = "escapes"
    ev = as_table(events, caller=caller)
    ev.require(case, activity, timestamp)
    frame = ev.frame.select(nw.col(case).alias("__c"), nw.col(activity).alias("__a"),
                            nw.col(timestamp).alias("__t"))
    _check_nulls(ev, frame, {case: "__c", activity: "__a", timestamp: "__t"}, caller)
    au = as_table(audits, caller=caller)
    cols = [item, error_type, *(c for c in (appealed, appeal_overturned) if c), *by]
    au.require(*cols)
    aud = au.eager(*dict.fromkeys(cols)).to_pandas()
    items = aud[item].dropna().unique().tolist()
    sub = frame.filter(nw.col("__c").is_in(items))
    got = sub.collect() if isinstance(sub, nw.LazyFrame) else sub
    e = got.to_pandas()
    e["__row"] = np.arange(len(e))
    e = e.sort_values(["__c", "__t", "__row"], kind="stable").reset_index(drop=True)
    same_prev = e["__c"].eq(e["__c"].shift(1))
    prev = e["__a"].shift(1).where(same_prev)
    prev2 = e["__a"].shift(2).where(same_prev & e["__c"].eq(e["__c"].shift(2)))
    is_dec = e["__a"].eq(decision_activity)
    first_dec = is_dec & ~is_dec.groupby(e["__c"]).cumsum().gt(1)
    att = pd.DataFrame({"item": e.loc[first_dec, "__c"].to_numpy(),
                        "step": prev[first_dec].to_numpy(),
                        "prev": prev2[first_dec].to_numpy()})
    att = att.dropna(subset=["step"])
    att["edge"] = np.where(att["prev"].isna(), "(start) -> " + att["step"].astype(str),
                           att["prev"].astype(str) + " -> " + att["step"].astype(str))
    aud = aud.rename(columns={item: "item"}).drop_duplicates("item")
    out = att.drop(columns="prev").merge(aud, on="item", how="inner")
    et = out.pop(error_type) if error_type != "error_type" else out["error_type"]
    out["error_type"] = et.fillna("").astype(str)
    out["caught"] = out["error_type"] != ""
    out["appealed"] = (out[appealed].fillna(False).astype(bool) if appealed
                       else False)
    out["escaped"] = (out[appeal_overturned].astype("boolean").fillna(False).astype(bool)
                      if appeal_overturned else False)
    out["defect"] = out["caught"] | out["escaped"]
    keep = ["item", "step", "edge", "error_type", "caught", "appealed", "escaped", "defect",
            *by]
    return out[list(dict.fromkeys(keep))]


@dataclass(frozen=True, eq=False, repr=False)
class EscapeResult(Result, kind="escapes"):
    """Where each defect type was introduced and where it was caught or escaped.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (``introduced_at``, ``error_type``): ``defects``, ``caught_at_qa``
        (found at qa_audit), ``escaped`` (found at appeal_review: reached the user),
        ``escape_rate`` (escaped / defects) with its Wilson interval ``ci_low``, ``ci_high``.
    items : int
        Audited items attributed to a step.
    """

    table: pd.DataFrame
    items: int = 0

    def summary(self) -> str:
        """Text summary."""
        d = int(self.table["defects"].sum()) if not self.table.empty else 0
        x = int(self.table["escaped"].sum()) if not self.table.empty else 0
        return f"{d} defects on {self.items} audited items; {x} escaped to the user"


def escapes(events: Any, audits: Any, *, case: str = "case_id", activity: str = "activity",
            timestamp: str = "timestamp", item: str = "item_id",
            error_type: str = "error_type", appeal_overturned: str | None =
            "appeal_overturned", decision_activity: str = "decision",
            confidence: float = 0.95) -> EscapeResult:
    """Escape analysis: for each defect type, where it was introduced, caught or escaped.

    Parameters
    ----------
    events, audits : dataframe
        The event log (one row per event) and the audit records (one row per item).
    case, activity, timestamp : str
        Event-log columns.
    item, error_type, appeal_overturned : str
        Audit columns (see the moderation schema); ``appeal_overturned=None`` when there
        are no appeals.
    decision_activity : str
        The activity recording the decision; the step before it made the decision.
    confidence : float
        Level of the Wilson (1927) intervals of the escape rates.

    Returns
    -------
    EscapeResult

    Examples
    --------
    >>> import pandas as pd
    >>> from sixsigma.flow import escapes
    >>> ev = pd.DataFrame({"case_id": ["1"] * 3 + ["2"] * 3,
    ...     "activity": ["review", "decision", "qa_audit"] * 2,
    ...     "timestamp": pd.to_datetime([1, 2, 3, 1, 2, 3], unit="h")})
    >>> au = pd.DataFrame({"item_id": ["1", "2"], "error_type": ["over_enforcement", ""],
    ...                    "appeal_overturned": [None, None]})
    >>> escapes(ev, au).to_frame()[["introduced_at", "error_type", "defects"]].values.tolist()
    [['review', 'over_enforcement', 1]]
    """
    check_confidence(confidence, caller="escapes")
    att = attribute(events, audits, case=case, activity=activity, timestamp=timestamp,
                    item=item, error_type=error_type, appealed=None,
                    appeal_overturned=appeal_overturned, decision_activity=decision_activity)
    d = att[att["defect"]].copy()
    d.loc[d["error_type"] == "", "error_type"] = "overturned_on_appeal"
    g = d.groupby(["step", "error_type"], sort=True).agg(
        defects=("defect", "size"), caught_at_qa=("caught", "sum"),
        escaped=("escaped", "sum")).reset_index().rename(columns={"step": "introduced_at"})
    lo, hi = wilson(g["escaped"].to_numpy(), g["defects"].to_numpy(), confidence)
    g["escape_rate"] = g["escaped"] / g["defects"]
    g["ci_low"], g["ci_high"] = lo, hi
    g = g.sort_values(["defects", "introduced_at", "error_type"],
                      ascending=[False, True, True], kind="stable").reset_index(drop=True)
    for c in ("defects", "caught_at_qa", "escaped"):
        g[c] = g[c].astype(np.int64)
    return EscapeResult(table=g, items=len(att))


@dataclass(frozen=True, eq=False, repr=False)
class HotspotResult(Result, kind="hotspots"):
    """Steps and flows ranked by the defects they introduce and what those cost.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step (``unit="step"``) and per flow into a deciding step
        (``unit="edge"``), and per ``by`` segment: ``items`` (audited items decided
        there), ``defects``, ``rate`` with ``ci_low``/``ci_high`` (Wilson),
        ``rest_rate`` (rate of all other items), ``excess_defects``
        (items x (rate - rest_rate)), ``caught``, ``appeals``, ``escapes``, ``cost``
        (caught x rework + appeals x appeal + escapes x escape weights), ``centrality``
        (betweenness of the step or flow in the volume-weighted map) and ``rank``.
    rank_by : str
        The ranking column.
    costs : dict
        The cost weights used.
    by : tuple of str
        The audit columns that split the steps into segments.
    """

    table: pd.DataFrame
    rank_by: str = "excess"
    costs: Mapping[str, float] | None = None
    by: tuple[str, ...] = ()

    @property
    def top(self) -> str:
        """The name of the first-ranked step or flow."""
        return str(self.table["name"].iloc[0])

    def summary(self) -> str:
        """Text summary."""
        if self.table.empty:
            return "no hotspots"
        r = self.table.iloc[0]
        return (f"top hotspot ({self.rank_by}): {r['unit']} {r['name']}: {int(r['defects'])}"
                f" defects in {int(r['items'])} items (rate {r['rate']:.1%}, rest "
                f"{r['rest_rate']:.1%}), excess {r['excess_defects']:.1f}")


_RANK_COLUMN = {"excess": "excess_defects", "defects": "defects", "cost": "cost",
                "centrality": "centrality"}


def hotspots(events: Any, audits: Any, *, case: str = "case_id", activity: str = "activity",
             timestamp: str = "timestamp", item: str = "item_id",
             error_type: str = "error_type", appealed: str | None = "appealed",
             appeal_overturned: str | None = "appeal_overturned",
             decision_activity: str = "decision", by: str | Sequence[str] = (),
             costs: Mapping[str, float] | None = None, rank_by: RankBy = "excess",
             confidence: float = 0.95, process_map: Any = None) -> HotspotResult:
    """Rank steps and flows by the defects they introduce, their cost and centrality.

    Parameters
    ----------
    events, audits : dataframe
        Event log and audit records (joined by ``case`` = ``item``).
    by : str or list of str
        Audit columns that split each step into reviewer segments (``"market"``,
        ``"moderator_id"``): the ranking is then over (step or flow, segment) cells.
    costs : dict, optional
        Weights ``rework`` (defect caught by QA), ``appeal`` (an appeal handled),
        ``escape`` (defect that reached the user); default :data:`DEFAULT_COSTS`.
    rank_by : {"excess", "defects", "cost", "centrality"}
        ``excess`` (default): defects above what the unit would produce at the rate of
        all other items, items x (rate - rest_rate), the measure a segment scan uses
        (it favours units that are both large and worse, not merely large);
        ``defects``: volume x rate, the defects introduced; ``cost``: their downstream
        cost; ``centrality``: volume-weighted betweenness.
    confidence : float
        Level of the Wilson (1927) score intervals of the rates.
    process_map : ProcessMap, optional
        For the centrality; discovered from ``events`` when not given.

    Returns
    -------
    HotspotResult

    Notes
    -----
    The defect rate of a unit is defects / audited items decided there, with the Wilson
    score interval (Wilson 1927; Newcombe 1998). Betweenness centrality (Brandes 2001,
    ``networkx.betweenness_centrality``) uses 1 / count as the length of a flow, so that
    paths along heavy flows are short: a step many high-volume paths pass through scores
    high.

    Examples
    --------
    >>> import pandas as pd
    >>> from sixsigma.flow import hotspots
    >>> ev = pd.DataFrame({"case_id": [str(i) for i in range(4) for _ in range(3)],
    ...     "activity": ["intake", "l1", "decision", "intake", "l1", "decision",
    ...                  "intake", "l2", "decision", "intake", "l2", "decision"],
    ...     "timestamp": pd.to_datetime(list(range(3)) * 4, unit="h")})
    >>> au = pd.DataFrame({"item_id": ["0", "1", "2", "3"],
    ...     "error_type": ["", "", "wrong_policy", "over_enforcement"],
    ...     "appealed": [False] * 4, "appeal_overturned": [None] * 4})
    >>> h = hotspots(ev, au)
    >>> h.top, int(h.table["defects"].iloc[0])
    ('l2', 2)
    """
    choice(rank_by, "rank_by", _RANK_COLUMN, caller="hotspots")
    check_confidence(confidence, caller="hotspots")
    w = dict(DEFAULT_COSTS)
    if costs is not None:
        unknown = set(costs) - set(DEFAULT_COSTS)
        if unknown:
            raise ParameterError(f"hotspots: unknown cost key(s) {sorted(unknown)}; allowed "
                                 f"{sorted(DEFAULT_COSTS)}.")
        w.update({k: float(v) for k, v in costs.items()})
    by_cols = (by,) if isinstance(by, str) else tuple(by)
    att = attribute(events, audits, case=case, activity=activity, timestamp=timestamp,
                    item=item, error_type=error_type, appealed=appealed,
                    appeal_overturned=appeal_overturned,
                    decision_activity=decision_activity, by=by_cols)
    if process_map is None:
        from sixsigma.flow.discovery import discover

        process_map = discover(events, case, activity, timestamp)
    node_c, edge_c = _centrality(process_map.graph)
    total_items, total_def = len(att), int(att["defect"].sum())
    parts = []
    for unit, key, cent in (("step", "step", node_c), ("edge", "edge", edge_c)):
        keys = [key, *by_cols]
        g = att.groupby(keys, sort=True, dropna=False).agg(
            items=("defect", "size"), defects=("defect", "sum"), caught=("caught", "sum"),
            appeals=("appealed", "sum"), escapes=("escaped", "sum")).reset_index()
        g = g.rename(columns={key: "name"})
        g.insert(0, "unit", unit)
        g["centrality"] = g["name"].map(cent).astype(float).fillna(0.0)
        parts.append(g)
    t = pd.concat(parts, ignore_index=True)
    for c in ("items", "defects", "caught", "appeals", "escapes"):
        t[c] = t[c].astype(np.int64)
    all_n: Any
    all_d: Any
    if by_cols:  # segments are compared with the other segments of the same step or flow
        tot = t.groupby(["unit", "name"])[["items", "defects"]].transform("sum")
        all_n, all_d = tot["items"], tot["defects"]
    else:  # steps and flows are compared with every other item
        all_n, all_d = total_items, total_def
    with np.errstate(divide="ignore", invalid="ignore"):
        t["rate"] = t["defects"] / t["items"]
        rest_n = all_n - t["items"]
        t["rest_rate"] = np.where(rest_n > 0, (all_d - t["defects"]) / rest_n, np.nan)
    lo, hi = wilson(t["defects"].to_numpy(), t["items"].to_numpy(), confidence)
    t["ci_low"], t["ci_high"] = lo, hi
    t["excess_defects"] = t["items"] * (t["rate"] - t["rest_rate"].fillna(t["rate"]))
    t["cost"] = (t["caught"] * w["rework"] + t["appeals"] * w["appeal"]
                 + t["escapes"] * w["escape"])
    col = _RANK_COLUMN[rank_by]
    t = t.sort_values([col, "defects", "unit", "name"], ascending=[False, False, False, True],
                      kind="stable").reset_index(drop=True)
    t["rank"] = np.arange(1, len(t) + 1)
    order = ["rank", "unit", "name", *by_cols, "items", "defects", "rate", "ci_low",
             "ci_high", "rest_rate", "excess_defects", "caught", "appeals", "escapes",
             "cost", "centrality"]
    return HotspotResult(table=t[order], rank_by=rank_by, costs=w, by=by_cols)


def _centrality(g: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Betweenness of steps and flows, with 1 / count as the length of a flow."""
    h = nx.DiGraph()
    h.add_nodes_from(g.nodes)
    for u, v, c in g.edges(data="count"):
        c = float(c) if c is not None and float(c) > 0 else 1.0
        h.add_edge(u, v, length=1.0 / c)
    node = nx.betweenness_centrality(h, weight="length", normalized=True)
    edge = nx.edge_betweenness_centrality(h, weight="length", normalized=True)
    return ({str(k): float(v) for k, v in node.items()},
            {f"{u} -> {v}": float(x) for (u, v), x in edge.items()})
