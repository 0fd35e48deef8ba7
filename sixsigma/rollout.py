"""Tracking a change as it goes live unit by unit (region, site, market).

:func:`track` answers the questions of a staggered roll-out: did the change work in each
unit, did any unit get worse, what is the pooled effect, what does the staggered design say
once a shared trend is taken out, and does each unit follow the new process?

* **Per unit**: the rate before and after the unit's go-live, the change (after - before)
  with Newcombe's (1998, method 10) hybrid score interval, a two-sided pooled
  two-proportion z test (Fisher's exact test when an expected cell is below 5), and a
  verdict after Benjamini-Hochberg control of the false discovery rate across live units:
  ``improved`` / ``worse`` (significant, in or against ``direction``), ``no_change``,
  ``not_live`` (no go-live inside the data) or ``no_baseline`` (live from the unit's first
  point). Each unit has a p chart staged before/after its go-live (:meth:`Rollout.chart`).
* **Pooled**: the Mantel-Haenszel risk difference over live units (units as strata,
  after vs before), with Sato's (1989) variance, as SAS PROC FREQ ``COMMONRISKDIFF`` and
  R epiR compute it.
* **Staggered difference-in-differences**: for each go-live cohort g (the units going live
  on one date), a 2x2 difference in differences against the units not yet live (and the
  never-live ones): the change of the cohort's rate from every point before g to its live
  points while some control is not yet live, minus the same change of the controls over the
  same windows. The cohort effects are averaged with weights proportional to the cohort's
  units audited in its post window (a Callaway & Sant'Anna 2021 style aggregation with
  not-yet-treated controls and a long pre window). The estimate is a fixed linear
  combination of the per-point defectives, so its variance is exact under independent
  binomial counts (each point's variance from its unit's rate in that phase).
* **Adherence**: given an event log and a :class:`~sixsigma.flow.ProcessMap` of the
  intended flow, the share of each unit's cases starting after go-live whose path only
  takes edges of the map (Wilson interval).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from scipy import stats

from sixsigma._aggregate import DEFECTIVES, N, group_counts
from sixsigma._aggregate import missing as is_missing
from sixsigma._frames import as_table, first_row, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result, part
from sixsigma._stats import bh, newcombe, wilson, z_two_sided
from sixsigma._stats.proportions import segment_tests
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    MissingValueError,
    ParameterError,
    ZeroVarianceError,
)

__all__ = ["DID_ASSUMPTIONS", "PooledEffect", "Rollout", "StaggeredEffect",
           "mantel_haenszel_rd", "track"]

VERDICTS = ("improved", "no_change", "worse", "not_live", "no_baseline")

#: What the staggered difference-in-differences estimate assumes.
DID_ASSUMPTIONS: tuple[str, ...] = (
    "parallel trends: without the change, each cohort's rate would have moved like the "
    "not-yet-live units' rate (additively, on the proportion scale)",
    "no anticipation: a unit's rate does not move before its own go-live",
    "no spill-over: a unit going live does not change the rate of units not yet live",
    "the effect is measured over each cohort's window before its controls go live",
)

DID_ESTIMATOR = ("stacked 2x2 difference-in-differences per go-live cohort with "
                 "not-yet-live (and never-live) units as controls, averaged over cohorts "
                 "weighted by their audited units after go-live (Callaway & Sant'Anna 2021 "
                 "style)")


@part
@dataclass(frozen=True)
class PooledEffect:
    """The Mantel-Haenszel risk difference (after - before) over live units."""

    estimate: float | None
    se: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None
    units: int
    method: str = "Mantel-Haenszel risk difference, Sato (1989) variance"


@part
@dataclass(frozen=True)
class StaggeredEffect:
    """The staggered difference-in-differences estimate (see the module docstring)."""

    estimate: float | None
    se: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None
    cohorts: int
    estimator: str = DID_ESTIMATOR
    assumptions: tuple[str, ...] = DID_ASSUMPTIONS


@dataclass(frozen=True, eq=False, repr=False)
class Rollout(Result, kind="rollout"):
    """A change tracked as it goes live unit by unit (see :func:`track`).

    Attributes
    ----------
    table : DataFrame
        One row per unit: ``unit``, ``go_live``, ``n_before``, ``defectives_before``,
        ``rate_before``, ``n_after``, ``defectives_after``, ``rate_after``, ``change``
        (after - before), ``ci_low``, ``ci_high`` (Newcombe), ``p_value``, ``q_value``
        (BH across live units), ``verdict``.
    pooled : PooledEffect
        Mantel-Haenszel risk difference with Sato's variance.
    staggered : StaggeredEffect
        The staggered difference-in-differences estimate.
    cohorts : DataFrame
        One row per go-live cohort: ``go_live``, ``units``, ``controls``, ``window_end``,
        ``n_post``, ``effect`` (its 2x2 difference in differences), ``weight``.
    adherence : DataFrame or None
        With ``log=`` and ``process=``: ``unit``, ``cases``, ``following``, ``rate``,
        ``ci_low``, ``ci_high``.
    charts : dict
        Unit (as text) -> its staged p chart.
    unit, label : str
        The columns.
    direction : str
        ``"lower"`` or ``"higher"``: which way is better.
    confidence, fdr : float
    """

    table: pd.DataFrame
    pooled: PooledEffect
    staggered: StaggeredEffect
    cohorts: pd.DataFrame
    adherence: pd.DataFrame | None
    charts: dict[str, Any]
    unit: str
    label: str
    direction: str
    confidence: float
    fdr: float

    def chart(self, unit: Any) -> Any:
        """The unit's p chart, staged before/after its go-live."""
        key = str(unit)
        if key not in self.charts:
            raise ParameterError(f"Rollout.chart: no chart for unit {unit!r}; units with "
                                 f"charts: {', '.join(map(repr, self.charts))}.")
        return self.charts[key]

    def summary(self) -> str:
        """Verdict counts, the pooled and staggered estimates, the notes."""
        counts = self.table["verdict"].value_counts()
        lines = [f"Rollout of {len(self.table)} units ("
                 + ", ".join(f"{v}: {int(counts.get(v, 0))}" for v in VERDICTS
                             if counts.get(v, 0)) + ")"]
        for name, eff in (("pooled (MH)", self.pooled), ("staggered DiD", self.staggered)):
            est = "undefined" if eff.estimate is None else f"{eff.estimate:+.4f}"
            lines.append(f"  {name}: {est}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def mantel_haenszel_rd(x1: Any, n1: Any, x0: Any, n0: Any,
                       confidence: float = 0.95) -> PooledEffect:
    """Mantel-Haenszel common risk difference p1 - p0 over strata, Sato (1989) variance.

    RD = sum((x1 n0 - x0 n1) / N) / sum(n1 n0 / N) and
    Var = (RD sum(P) + sum(Q)) / sum(n1 n0 / N)^2 with
    P = (n1^2 x0 - n0^2 x1 + n1 n0 (n0 - n1) / 2) / N^2 and
    Q = (x1 (n0 - x0) + x0 (n1 - x1)) / (2 N) (SAS PROC FREQ, "Common Risk Difference";
    R epiR ``zMHRD.Sato``); Wald interval. Strata with an empty arm are skipped.

    Examples
    --------
    Agresti (2013, *Categorical Data Analysis*, 3rd ed., p. 226: 8 centres,
    drug vs control; p. 231: RD 0.130, SE 0.050):

    >>> x1 = [11, 16, 14, 2, 6, 1, 1, 4]; n1 = [36, 20, 19, 16, 17, 11, 5, 6]
    >>> x0 = [10, 22, 7, 1, 0, 0, 1, 6]; n0 = [37, 32, 19, 17, 12, 10, 9, 7]
    >>> r = mantel_haenszel_rd(x1, n1, x0, n0)
    >>> round(r.estimate, 3), round(r.se, 3)
    (0.13, 0.05)
    """
    confidence = check_confidence(confidence, caller="mantel_haenszel_rd")
    a, m1, c, m0 = (np.asarray(v, dtype=float) for v in (x1, n1, x0, n0))
    keep = (m1 > 0) & (m0 > 0)
    a, m1, c, m0 = a[keep], m1[keep], c[keep], m0[keep]
    if not keep.any():
        return PooledEffect(None, None, (None, None), None, 0)
    tot = m1 + m0
    w = float(np.sum(m1 * m0 / tot))
    rd = float(np.sum((a * m0 - c * m1) / tot)) / w
    p = float(np.sum((m1**2 * c - m0**2 * a + m1 * m0 * (m0 - m1) / 2) / tot**2))
    q = float(np.sum((a * (m0 - c) + c * (m1 - a)) / (2 * tot)))
    var = (rd * p + q) / w**2
    se = float(np.sqrt(var)) if var > 0 else float("nan")
    z = z_two_sided(confidence)
    pv = float(2 * stats.norm.sf(abs(rd) / se)) if np.isfinite(se) and se > 0 else np.nan
    return PooledEffect(_opt(rd), _opt(se), (_opt(rd - z * se), _opt(rd + z * se)),
                        _opt(pv), int(keep.sum()))


def _go_live_table(go_live: Any, unit: str, caller: str) -> pd.DataFrame:
    """(unit, go_live) rows from a mapping or a table; position kept for messages."""
    if isinstance(go_live, Mapping):
        frame = pd.DataFrame({"unit": list(go_live.keys()),
                              "go_live": list(go_live.values())})
        return frame
    try:
        gt = as_table(go_live, caller=caller)
        native = gt.eager(*gt.columns).to_pandas()
    except InputError:
        raise
    if unit not in native.columns:
        raise ColumnError(f"{caller}: the go_live table has no column {unit!r} (the unit "
                          f"column); it has {', '.join(map(repr, native.columns))}.")
    others = [c for c in native.columns if c != unit]
    date = "go_live" if "go_live" in others else (others[0] if len(others) == 1 else None)
    if date is None:
        raise ColumnError(f"{caller}: the go_live table needs a 'go_live' column next to "
                          f"{unit!r}; it has {', '.join(map(repr, native.columns))}.")
    return pd.DataFrame({"unit": native[unit].to_numpy(),
                         "go_live": native[date].to_numpy()})


def track(
    data: Any,
    defectives: str,
    *,
    size: str | None = None,
    label: str,
    unit: str,
    go_live: Any,
    direction: str = "lower",
    confidence: float = 0.95,
    fdr: float = 0.05,
    log: Any = None,
    process: Any = None,
    case: str = "case_id",
    activity: str = "activity",
    timestamp: str = "timestamp",
) -> Rollout:
    """Track a change that goes live unit by unit (see the module docstring).

    Parameters
    ----------
    data : dataframe or dict
        Raw records (``defectives`` 0/1 per row) or counts per row with ``size=``.
    defectives : str
        The defective column.
    size : str, optional
        Units behind each row (pre-aggregated counts).
    label : str
        The time column (a day, a week); points of each unit's chart.
    unit : str
        The roll-out unit column (region, site, market).
    go_live : mapping or table
        ``{unit: date}`` or a table with the ``unit`` column and a ``go_live`` column;
        a missing date (None, NaT) means not live. Units absent from it are not live.
        A point is "after" when its label is on or after the unit's date.
    direction : {"lower", "higher"}
        Which way of the rate is better (error rates: "lower").
    confidence : float
        Level of every interval.
    fdr : float
        False discovery rate of the verdicts across live units (Benjamini-Hochberg).
    log : dataframe, optional
        Event log with ``case``, ``activity``, ``timestamp`` and the ``unit`` column, for
        adherence (with ``process=``).
    process : ProcessMap, optional
        The intended flow: a case adheres when every step of its path is an edge of it.
    case, activity, timestamp : str
        Event log columns.

    Returns
    -------
    Rollout

    Raises
    ------
    ColumnError
        A column is absent (data, go-live table or log).
    DomainError
        A go-live date outside the data's labels, a unit of the go-live table absent from
        the data, a unit listed twice (first offending row of the go-live table named).
    MissingValueError
        A missing unit or label in the data (first row named).
    ParameterError
        A bad direction, confidence or fdr; ``log`` without ``process`` or the reverse.

    Examples
    --------
    >>> import pandas as pd, sixsigma as ss
    >>> days = pd.date_range("2026-01-01", periods=20)
    >>> rows = [{"day": d, "region": r, "audited": 200,
    ...          "errors": 20 if (r == "A" and d >= days[10]) else 30}
    ...         for d in days for r in "AB"]
    >>> r = ss.rollout.track(pd.DataFrame(rows), "errors", size="audited", label="day",
    ...                      unit="region", go_live={"A": "2026-01-11"})
    >>> r.table[["unit", "verdict"]].to_dict("records")
    [{'unit': 'A', 'verdict': 'improved'}, {'unit': 'B', 'verdict': 'not_live'}]
    >>> round(float(r.table["change"][0]), 4), round(r.pooled.estimate, 4)
    (-0.05, -0.05)
    """
    caller = "track"
    choice(direction, "direction", ("lower", "higher"), caller=caller)
    confidence = check_confidence(confidence, caller=caller)
    fdr = check_number(fdr, "fdr", caller=caller, low=0.0, high=1.0, low_open=True,
                       high_open=True)
    if (log is None) != (process is None):
        raise ParameterError(f"{caller}: adherence needs both log= (the event log) and "
                             "process= (a ProcessMap of the intended flow).")
    table = as_table(data, caller=caller)
    table.require(defectives, label, unit, size)
    if not table.lazy:
        keys = table.eager(unit, label)
        for col in (unit, label):
            # typed columns: the back end's null/NaN mask (no copy to Python objects);
            # object columns also go through raw()'s check of mixed time zones
            missing = (np.asarray(pd.isna(table.raw(col))) if keys[col].dtype == nw.Object
                       else keys.select(is_missing(keys, col))[col].to_numpy())
            if missing.any():
                raise MissingValueError(f"{caller}: column {col!r} is missing at row "
                                        f"{first_row(missing)}; every row needs its "
                                        f"{'unit' if col == unit else 'label'}.")
    counts = group_counts(table, defectives, [unit, label], size=size)
    if counts[[unit, label]].isna().any().any():
        col = unit if counts[unit].isna().any() else label
        raise MissingValueError(f"{caller}: column {col!r} has missing values.")
    lab = counts[label]
    if lab.dtype == object and len(lab) and all(isinstance(v, datetime.date) for v in lab):
        # datetime.date labels (what DuckDB returns for a CSV date column): as datetime64
        counts[label] = pd.to_datetime(lab)
    counts = counts.sort_values([unit, label], kind="stable").reset_index(drop=True)
    is_time = pd.api.types.is_datetime64_any_dtype(counts[label])
    labels_all = np.sort(counts[label].unique())
    first_label, last_label = labels_all[0], labels_all[-1]

    gl = _go_live_table(go_live, unit, caller)
    units_data = list(pd.unique(counts[unit]))
    known = set(units_data)
    for i, u in enumerate(gl["unit"].tolist()):
        if u not in known:
            raise DomainError(f"{caller}: the go_live table names the unit {show(u)} (row "
                              f"{i}), which is not in column {unit!r} of the data; units: "
                              f"{', '.join(map(show, units_data[:20]))}.")
    dup = gl["unit"].duplicated().to_numpy()
    if dup.any():
        i = first_row(dup)
        raise DomainError(f"{caller}: the go_live table lists the unit "
                          f"{show(gl['unit'].iloc[i])} twice (row {i}).")
    dates: dict[Any, Any] = {}
    for i, (u, d) in enumerate(zip(gl["unit"], gl["go_live"], strict=True)):
        if d is None or (not isinstance(d, str) and pd.isna(d)):
            continue
        if is_time:
            try:
                d = pd.Timestamp(d)
            except (ValueError, TypeError) as err:
                raise DomainError(f"{caller}: the go_live date of unit {show(u)} (row {i}) "
                                  f"is not a date: {show(d)}.") from err
            if d.tzinfo is not None and getattr(counts[label].dt, "tz", None) is None:
                d = d.tz_localize(None)
        if d < first_label or d > last_label:
            shown_range = (f"{pd.Timestamp(first_label).date()} to "
                           f"{pd.Timestamp(last_label).date()}" if is_time
                           else f"{first_label} to {last_label}")
            raise DomainError(f"{caller}: the go_live date of unit {show(u)} (row {i}) is "
                              f"{show(str(d.date()) if is_time else d)}, outside the data "
                              f"({shown_range}); leave the date empty for a unit that is "
                              "not live.")
        dates[u] = d

    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    charts: dict[str, Any] = {}
    from sixsigma.spc import p_chart

    for u in units_data:
        sub = counts[counts[unit] == u]
        g = dates.get(u)
        after = (sub[label] >= g).to_numpy() if g is not None else np.zeros(len(sub), bool)
        nb, xb = float(sub[N][~after].sum()), float(sub[DEFECTIVES][~after].sum())
        na, xa = float(sub[N][after].sum()), float(sub[DEFECTIVES][after].sum())
        if g is None or na == 0:
            verdict = "not_live"
            if g is not None:
                notes.append(f"unit {u}: no data on or after its go-live; counted as not live.")
        elif nb == 0:
            verdict = "no_baseline"
        else:
            verdict = "live"
        row: dict[str, Any] = {"unit": u, "go_live": g, "n_before": nb,
                               "defectives_before": xb,
                               "rate_before": xb / nb if nb else np.nan,
                               "n_after": na, "defectives_after": xa,
                               "rate_after": xa / na if na else np.nan,
                               "change": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                               "p_value": np.nan, "verdict": verdict}
        if verdict == "live":
            row["change"] = xa / na - xb / nb
            row["ci_low"], row["ci_high"] = newcombe(xa, na, xb, nb, confidence)
            _, p, _ = segment_tests(np.array([na]), np.array([xa]), na + nb, xa + xb)
            row["p_value"] = float(p[0])
        rows.append(row)
        stage = np.where(after, "after", "before") if verdict == "live" else None
        try:
            charts[str(u)] = p_chart(sub.reset_index(drop=True), DEFECTIVES, size=N,
                                     label=label, stage=stage)
        except (ZeroVarianceError, InputError) as err:
            notes.append(f"unit {u}: no chart ({err}).")
    out = pd.DataFrame(rows)
    live = (out["verdict"] == "live").to_numpy()
    q = np.full(len(out), np.nan)
    if live.any():
        q[live] = bh(out.loc[live, "p_value"].to_numpy(dtype=float))
    out["q_value"] = q
    good = out["change"] < 0 if direction == "lower" else out["change"] > 0
    sig = live & (q <= fdr)
    out.loc[live, "verdict"] = "no_change"
    out.loc[sig & good.to_numpy(), "verdict"] = "improved"
    out.loc[sig & ~good.to_numpy(), "verdict"] = "worse"
    out = out[["unit", "go_live", "n_before", "defectives_before", "rate_before", "n_after",
               "defectives_after", "rate_after", "change", "ci_low", "ci_high", "p_value",
               "q_value", "verdict"]]
    if is_time:
        out["go_live"] = pd.to_datetime(out["go_live"])

    lv = out[live]
    pooled = mantel_haenszel_rd(lv["defectives_after"], lv["n_after"],
                                lv["defectives_before"], lv["n_before"], confidence)
    if pooled.estimate is None:
        notes.append("pooled effect undefined: no live unit with data before and after.")
    staggered, cohorts = _staggered(counts, unit, label, dates, confidence, notes)

    adherence = None
    if log is not None:
        adherence = _adherence(log, process, unit=unit, case=case, activity=activity,
                               timestamp=timestamp, dates=dates, is_time=is_time,
                               confidence=confidence, caller=caller)
    return Rollout(table=out, pooled=pooled, staggered=staggered, cohorts=cohorts,
                   adherence=adherence, charts=charts, unit=unit, label=label,
                   direction=direction, confidence=confidence, fdr=fdr, notes=tuple(notes))


def _staggered(counts: pd.DataFrame, unit: str, label: str, dates: Mapping[Any, Any],
               confidence: float, notes: list[str]) -> tuple[StaggeredEffect, pd.DataFrame]:
    """Stacked 2x2 DiD per cohort against not-yet-live units (see the module docstring)."""
    lab = counts[label].to_numpy()
    units = counts[unit].to_numpy()
    n = counts[N].to_numpy(dtype=float)
    d = counts[DEFECTIVES].to_numpy(dtype=float)
    first = lab.min()
    last = lab.max()
    g_of = np.array([dates.get(u) for u in units], dtype=object)
    never = np.array([g is None for g in g_of])
    # each point's variance from its unit's rate in that phase (before/after its go-live)
    phase_after = np.array([g is not None and lv >= g for g, lv in zip(g_of, lab,
                                                                       strict=True)])
    key = pd.DataFrame({"u": units, "a": phase_after, "n": n, "d": d})
    rate = key.groupby(["u", "a"])[["n", "d"]].transform("sum")
    p_cell = (rate["d"] / rate["n"]).to_numpy()
    cohort_dates = sorted({g for g in dates.values() if g is not None and g > first})
    coef = np.zeros(len(counts))
    rows: list[dict[str, Any]] = []
    effects: list[float] = []
    weights: list[float] = []
    parts: list[np.ndarray] = []
    for g in cohort_dates:
        in_cohort = np.array([gg is not None and gg == g for gg in g_of])
        later = [gg for gg in dates.values() if gg is not None and gg > g]
        end = min(later) if later else None
        control = never | np.array([gg is not None and gg > g for gg in g_of])
        if not control.any():
            notes.append(f"cohort {g}: no not-yet-live units to compare with; left out of "
                         "the staggered estimate.")
            continue
        pre = lab < g
        post = (lab >= g) & ((lab < end) if end is not None else np.ones(len(lab), bool))
        cells = {"cp": in_cohort & post, "cb": in_cohort & pre, "kp": control & post,
                 "kb": control & pre}
        tot = {k: n[m].sum() for k, m in cells.items()}
        if min(tot.values()) == 0:
            notes.append(f"cohort {g}: an empty window; left out of the staggered estimate.")
            continue
        c = np.zeros(len(counts))
        c[cells["cp"]] += 1 / tot["cp"]
        c[cells["cb"]] -= 1 / tot["cb"]
        c[cells["kp"]] -= 1 / tot["kp"]
        c[cells["kb"]] += 1 / tot["kb"]
        eff = float(c @ d)
        effects.append(eff)
        weights.append(tot["cp"])
        parts.append(c)
        rows.append({"go_live": g, "units": int(len(set(units[in_cohort]))),
                     "controls": int(len(set(units[control]))),
                     "window_end": end if end is not None else last, "n_post": tot["cp"],
                     "effect": eff})
    cohorts = pd.DataFrame(rows, columns=["go_live", "units", "controls", "window_end",
                                          "n_post", "effect"])
    if not effects:
        cohorts["weight"] = pd.Series([], dtype=float)
        notes.append("staggered estimate undefined: no cohort with not-yet-live controls.")
        return StaggeredEffect(None, None, (None, None), None, 0), cohorts
    w = np.asarray(weights) / np.sum(weights)
    cohorts["weight"] = w
    for wi, c in zip(w, parts, strict=True):
        coef += wi * c
    est = float(coef @ d)
    var = float(np.sum(coef**2 * n * p_cell * (1 - p_cell)))
    se = float(np.sqrt(var))
    z = z_two_sided(confidence)
    pv = float(2 * stats.norm.sf(abs(est) / se)) if se > 0 else None
    return (StaggeredEffect(est, se, (est - z * se, est + z * se), pv, len(effects)),
            cohorts)


def _adherence(log: Any, process: Any, *, unit: str, case: str, activity: str,
               timestamp: str, dates: Mapping[Any, Any], is_time: bool, confidence: float,
               caller: str) -> pd.DataFrame:
    """Share of each live unit's cases (starting on/after go-live) that follow the map."""
    from sixsigma.flow import ProcessMap

    if not isinstance(process, ProcessMap):
        raise ParameterError(f"{caller}: the 'process' parameter must be a ProcessMap; got "
                             f"{type(process).__name__}.")
    lt = as_table(log, caller=caller)
    lt.require(case, activity, timestamp, unit)
    ev = lt.eager(case, activity, timestamp, unit).to_pandas()
    for col in (case, activity, timestamp, unit):
        bad = ev[col].isna().to_numpy()
        if bad.any():
            raise MissingValueError(f"{caller}: column {col!r} of the event log is missing "
                                    f"at row {first_row(bad)}.")
    ev = ev.sort_values([case, timestamp], kind="stable")
    edges = set(process.graph.edges())
    nodes = set(process.graph.nodes())
    nxt = ev.groupby(case, sort=False)[activity].shift(-1)
    step_ok = nxt.isna() | pd.Series([(a, b) in edges for a, b in
                                      zip(ev[activity], nxt, strict=True)], index=ev.index)
    step_ok &= ev[activity].isin(nodes)
    per_case = pd.DataFrame({"u": ev[unit], "t": ev[timestamp], "ok": step_ok}) \
        .groupby(ev[case], sort=False).agg(u=("u", "first"), t=("t", "min"), ok=("ok", "all"))
    rows = []
    for u, g in dates.items():
        if g is None:
            continue
        start = pd.to_datetime(per_case["t"]) if is_time else per_case["t"]
        cases = per_case[(per_case["u"] == u) & (start >= g)]
        k, m = float(cases["ok"].sum()), float(len(cases))
        low, high = wilson(k, m, confidence)
        rows.append({"unit": u, "cases": int(m), "following": int(k),
                     "rate": k / m if m else np.nan, "ci_low": float(low),
                     "ci_high": float(high)})
    return pd.DataFrame(rows, columns=["unit", "cases", "following", "rate", "ci_low",
                                       "ci_high"])
