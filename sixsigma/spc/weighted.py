"""The weighted p chart: daily design-based error rates of a weighted, stratified audit sample.

A QA audit sample is drawn with unequal probabilities (more audits of low-confidence scores,
new moderators, severe policies), so a day's raw share of errors is biased and its binomial
limits are wrong. :func:`weighted_p` plots each day's Hájek ratio p̂_t = Σ w y / Σ w (w the
design weight, 1/inclusion probability) and sets its limits from that day's design-based
variance **evaluated at the centre**: with y replaced by its expectation under the centre
(p̄, or p̄_h per stratum with ``strata=``), the linearised stratified variance of the day's
ratio has the expectation

    σ_t² = (1/W_t²) Σ_h [ p̄_h(1 - p̄_h) S2_th + n_th/(n_th - 1) (p̄_h - p̄)² (S2_th - S1_th²/n_th) ]

(W_t = Σ w over the day, S1_th = Σ w and S2_th = Σ w² over the day's units of stratum h,
n_th its units; the second term vanishes when weights are constant within a stratum and
without strata). Without strata this is p̄(1 - p̄) Σw²/(Σw)² = p̄(1 - p̄)/n_eff, Kish's
effective sample size; with equal weights it is p̄(1 - p̄)/n, the ordinary p chart. A day
without errors keeps limits of full width (the day's own rate would give zero-width limits).

The centre p̄ = Σ w y / Σ w over the Phase I days of each stage (the pooled Hájek ratio, as
p̄ = Σd/Σn for the p chart). Aggregation runs where the data live (one group-by per day and
stratum); the run rules, stages, Phase I/II and frozen limits are the engine's
(:mod:`sixsigma.spc._engine`).

The misclassification correction of the centre (``correct=``) reports the "true" error rate
beside the observed one: Rogan-Gladen on the centre's effective counts (see
:func:`correct_rates`, shared with :func:`sixsigma.moderation.metrics`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._aggregate import check_defectives, collect, locate
from sixsigma._frames import as_table, check_keys, orderable, show
from sixsigma._params import check_confidence, check_number
from sixsigma._stats.binomial import lang_reiczigel, rogan_gladen, wilson_mapped
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)
from sixsigma.sampling.estimation import _check_no_nulls, _check_positive
from sixsigma.spc._engine import FloatArray, IntArray, Limits, Options, Panel, Params, Spec, build
from sixsigma.spc.chart import ControlChart

__all__ = ["correct_rates", "weighted_p"]

_STRATUM = "stratum:"  # key prefix of the per-stratum centres in Params.extra


def _check_correct(correct: Any, caller: str) -> dict[str, float]:
    """Validate ``correct=``: a mapping with sensitivity, specificity (and their gold n)."""
    if not isinstance(correct, Mapping):
        raise ParameterError(f"{caller}: the 'correct' parameter must be a mapping with "
                             "'sensitivity' and 'specificity' (optionally 'sensitivity_n', "
                             f"'specificity_n'); got {show(correct)}.")
    allowed = {"sensitivity", "specificity", "sensitivity_n", "specificity_n"}
    extra = set(correct) - allowed
    missing = {"sensitivity", "specificity"} - set(correct)
    if extra or missing:
        what = f"unknown key {sorted(extra)[0]!r}" if extra else \
            f"no {sorted(missing)[0]!r}"
        raise ParameterError(f"{caller}: the 'correct' parameter has {what}; it takes "
                             "sensitivity, specificity, sensitivity_n, specificity_n.")
    se = check_number(correct["sensitivity"], "correct['sensitivity']", caller=caller,
                      low=0.0, high=1.0)
    sp = check_number(correct["specificity"], "correct['specificity']", caller=caller,
                      low=0.0, high=1.0)
    if se + sp <= 1.0:
        raise ParameterError(f"{caller}: sensitivity + specificity must exceed 1; got {se:g} "
                             f"+ {sp:g}. An audit no better than chance cannot be corrected.")
    out = {"sensitivity": se, "specificity": sp}
    for key in ("sensitivity_n", "specificity_n"):
        value = correct.get(key)
        known = value is None or (isinstance(value, float) and value == np.inf)
        out[key] = np.inf if known else check_number(
            value, f"correct[{key!r}]", caller=caller, low=1.0, integer=True)
    return out


def correct_rates(
    defectives: Any, size: Any, correct: Mapping[str, Any], *, confidence: float = 0.95,
    caller: str = "correct_rates",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rogan-Gladen corrected rates and intervals for arrays of (effective) counts.

    The vectorised form of :func:`sixsigma.msa.corrected_rate`, for tables and charts:
    ``defectives``/``size`` may be effective counts (p̂ n*, n* = p̂(1 - p̂)/V) of a
    design-based estimate. ``correct`` maps ``sensitivity``, ``specificity`` and
    optionally ``sensitivity_n``/``specificity_n`` (the gold-sample sizes they were
    estimated from: then the Lang-Reiczigel interval; else the Wilson interval mapped).
    Returns the corrected rate (clipped to [0, 1]), ci_low, ci_high; NaN where size is 0.

    >>> r, lo, hi = correct_rates([80], [1000], {"sensitivity": 0.9, "specificity": 0.95})
    >>> round(float(r[0]), 4)   # as ss.msa.corrected_rate(80, 1000, 0.9, 0.95).rate
    0.0353
    """
    confidence = check_confidence(confidence, caller=caller)
    c = _check_correct(correct, caller)
    k = np.asarray(defectives, dtype=np.float64)
    n = np.asarray(size, dtype=np.float64)
    ok = n > 0
    safe_n = np.where(ok, n, 1.0)
    rate = np.clip(rogan_gladen(k / safe_n, c["sensitivity"], c["specificity"]), 0.0, 1.0)
    if np.isinf(c["sensitivity_n"]) and np.isinf(c["specificity_n"]):
        lo, hi = wilson_mapped(k, safe_n, c["sensitivity"], c["specificity"], confidence)
    else:
        lo, hi = lang_reiczigel(k, safe_n, c["sensitivity"], c["specificity"],
                                c["sensitivity_n"], c["specificity_n"], confidence)
    nan = np.nan
    return (np.where(ok, rate, nan).astype(np.float64), np.where(ok, lo, nan).astype(np.float64),
            np.where(ok, hi, nan).astype(np.float64))


_HUGE_WEIGHT = 1e150  # its square still fits in a float64


def _cells(table: Any, defectives: str, weight: str, label: str, strata: str | None
           ) -> pd.DataFrame:
    """Per (label, stratum) moments n, Σw, Σwy, Σw², where the data live (validated)."""
    y = check_defectives(table, defectives).cast(nw.Float64)
    _check_positive(table, weight, allow_zero=False)
    huge = nw.col(weight) >= _HUGE_WEIGHT
    hits = collect(table.frame.select(huge.cast(nw.Int64).sum().alias("h")))["h"].to_list()
    if hits and int(hits[0] or 0):
        raise DomainError(f"{table.caller}: column {weight!r} holds a weight of 1e150 or more "
                          f"at {locate(table, weight, huge)}; its square overflows (a design "
                          "weight is 1 / inclusion probability).")
    if strata is not None:
        _check_no_nulls(table, strata)
    w = nw.col(weight).cast(nw.Float64)
    frame = table.frame.with_columns((w * y).alias("__swy"), (w * w).alias("__sw2"),
                                     w.alias("__sw"))
    keys = [label] + ([strata] if strata is not None else [])
    agg = frame.group_by(*keys).agg(nw.len().alias("__n"), nw.col("__sw").sum(),
                                    nw.col("__swy").sum(), nw.col("__sw2").sum())
    cells: pd.DataFrame = collect(agg).to_pandas()
    if cells.empty:
        raise InsufficientDataError(f"{table.caller}: the data have no rows.")
    keys_col = cells[label]
    if table.lazy and isinstance(keys_col.dtype, pd.DatetimeTZDtype) and \
            str(keys_col.dt.tz) in ("UTC", "Etc/UTC"):
        cells[label] = keys_col.dt.tz_localize(None)
    if cells[label].isna().any():
        raise MissingValueError(f"{table.caller}: column {label!r} has missing labels; every "
                                "audited unit needs one.")
    return cells


def weighted_p(
    data: Any,
    defectives: str,
    weight: str,
    *,
    label: str,
    strata: str | None = None,
    rules: Any = None,
    stage: Any = None,
    phase1: Any = None,
    limits: ControlChart | None = None,
    exclude: Any = None,
    nsigmas: float = 3.0,
    correct: Mapping[str, Any] | None = None,
    confidence: float = 0.95,
) -> ControlChart:
    """Weighted p chart: daily design-based error rates with limits at the centre.

    Parameters
    ----------
    data : dataframe (pandas, polars, pyarrow, DuckDB relation ...)
        One row per audited unit.
    defectives : str
        0/1 or boolean column: 1 = the audit found an error.
    weight : str
        Design weight of each unit, 1/(inclusion probability), > 0.
    label : str
        The point (day) of each unit; one point per distinct label, in order.
    strata : str, optional
        The stratum each unit was sampled from (queue, score bucket ...). The limits then
        use each stratum's own centre rate p̄_h: the variance a stratified sample has.
    rules : str or list of str, optional
        ``"nelson"``, ``"western_electric"``, ``"anhoj"`` or rule ids (default rule 1).
    stage : str, array or change log, optional
        Stage of each point (its own centre per stage), or a table of dated events.
    phase1 : int, str or bool array, optional
        Points that estimate the centre: the first ``k``, a boolean column, or a mask.
    limits : ControlChart, optional
        A previous weighted p chart whose centre (and stratum centres) are reused (Phase II).
    exclude : list, optional
        Labels of points left out of the estimate.
    nsigmas : float
        Width of the limits (3).
    correct : mapping, optional
        ``{"sensitivity": Se, "specificity": Sp}`` of the auditors (optionally
        ``sensitivity_n``/``specificity_n``, the gold-sample sizes): each stage's
        ``extra`` then holds ``true_center``, ``true_ci_low``, ``true_ci_high``, the
        Rogan-Gladen "true" error rate beside the observed centre (Wilson mapped, or
        Lang-Reiczigel with the gold sizes, on the centre's effective counts), and the
        chart's ``parameters`` those of the last stage.
    confidence : float
        Level of the interval of the true centre.

    Returns
    -------
    ControlChart
        Chart ``"weighted_p"``: statistic p̂_t, ``n`` the audited units per point, ``se``
        the per-point standard error at the centre; a lower limit below 0 is NaN. ``sigma``
        is sqrt(p̄(1 - p̄)) as for the p chart, so the effective size of point i is
        (sigma/se_i)². With ``strata=`` each stage's ``extra`` holds the stratum centres
        (``"stratum:<name>"``).

    Raises
    ------
    ColumnError, NonNumericError, MissingValueError, DomainError
        A column is absent, a weight <= 0 or missing, a defective not 0/1.
    ZeroVarianceError
        The centre is 0 or 1: the limits have no width.

    Examples
    --------
    >>> import pandas as pd, sixsigma as ss
    >>> audits = pd.DataFrame({"day": [1] * 4 + [2] * 4 + [3] * 4,
    ...                        "error": [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0],
    ...                        "w": [2.0, 1.0, 1.0, 4.0] * 3})
    >>> chart = ss.spc.weighted_p(audits, "error", "w", label="day")
    >>> round(float(chart.center[0]), 4), chart.statistic.round(3).tolist()
    (0.1667, [0.25, 0.0, 0.25])
    >>> bool(chart.se[1] > 0)          # an error-free day keeps its limits
    True
    """
    caller = "weighted_p"
    confidence = check_confidence(confidence, caller=caller)
    corr = _check_correct(correct, caller) if correct is not None else None
    for name, value in (("defectives", defectives), ("weight", weight), ("label", label),
                        ("strata", strata)):
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"{caller}: the {name!r} parameter must be a column name; "
                                 f"got {show(value)}.")
    roles = [c for c in (defectives, weight, label, strata) if c is not None]
    if len(set(roles)) != len(roles):
        raise ParameterError(f"{caller}: a column cannot play two roles (defectives, weight, "
                             "label, strata).")
    table = as_table(data, caller=caller)
    table.require(defectives, weight, label, strata)
    cells = _cells(table, defectives, weight, label, strata)

    # points (days) in order, strata codes
    p_codes, p_uniques = pd.factorize(cells[label], sort=False)
    p_labels: NDArray[Any] = np.asarray(p_uniques)
    order = np.argsort(p_labels, kind="stable") if orderable(p_labels) else \
        np.argsort(p_labels.astype(str), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    point = rank[np.asarray(p_codes, dtype=np.int64)]
    labels = p_labels[order]
    check_keys(labels, label, caller=caller)
    m = labels.size
    if strata is not None:
        s_codes, s_labels = pd.factorize(cells[strata], sort=False)
        s_names = [str(s) for s in s_labels]
    else:
        s_codes, s_names = np.zeros(len(cells), dtype=np.int64), ["all"]
    s_codes = np.asarray(s_codes, dtype=np.int64)
    n_s = len(s_names)
    nc = cells["__n"].to_numpy(dtype=np.float64)
    s1 = cells["__sw"].to_numpy(dtype=np.float64)
    s1y = cells["__swy"].to_numpy(dtype=np.float64)
    s2 = cells["__sw2"].to_numpy(dtype=np.float64)
    n_t: FloatArray = np.bincount(point, weights=nc, minlength=m).astype(np.float64)
    w_t = np.bincount(point, weights=s1, minlength=m)
    wy_t = np.bincount(point, weights=s1y, minlength=m)
    stat = wy_t / w_t
    # per (point, stratum) matrices for the limits
    cell_index = point * n_s + s_codes
    grid_n = np.bincount(cell_index, weights=nc, minlength=m * n_s).reshape(m, n_s)
    grid_s1 = np.bincount(cell_index, weights=s1, minlength=m * n_s).reshape(m, n_s)
    grid_s1y = np.bincount(cell_index, weights=s1y, minlength=m * n_s).reshape(m, n_s)
    grid_s2 = np.bincount(cell_index, weights=s2, minlength=m * n_s).reshape(m, n_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(grid_n > 1, grid_n / np.where(grid_n > 1, grid_n - 1.0, 1.0)
                          * np.maximum(grid_s2 - grid_s1 ** 2 / np.where(grid_n > 0, grid_n,
                                                                          1.0), 0.0), 0.0)

    def estimate(idx: IntArray, known_center: float | None, known_sigma: float | None
                 ) -> Params:
        total_w = grid_s1[idx].sum(axis=0)
        total_wy = grid_s1y[idx].sum(axis=0)
        center = float(total_wy.sum() / total_w.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            ph = np.where(total_w > 0, total_wy / np.where(total_w > 0, total_w, 1.0), center)
        extra = ({f"{_STRATUM}{s}": float(v) for s, v in zip(s_names, ph, strict=True)}
                 if strata is not None else {})
        if corr is not None:
            extra.update(_true_center(center, idx, ph))
        return Params(center, float(np.sqrt(center * (1.0 - center))), extra)

    def _true_center(center: float, idx: IntArray, ph: FloatArray) -> dict[str, float]:
        # the centre's variance under the same model as the limits (stratum rates p̄_h,
        # each (day, stratum) cell drawn independently), giving its effective size n*
        if corr is None:
            return {}
        w_all = float(grid_s1[idx].sum())
        var = float((ph * (1.0 - ph) * grid_s2[idx]).sum()
                    + ((ph - center) ** 2 * spread[idx]).sum()) / (w_all * w_all)
        n_units = float(grid_n[idx].sum())
        n_eff = center * (1.0 - center) / var if var > 0 else n_units
        r, lo, hi = correct_rates([center * n_eff], [n_eff], corr, confidence=confidence,
                                  caller=caller)
        return {"true_center": float(r[0]), "true_ci_low": float(lo[0]),
                "true_ci_high": float(hi[0]), "n_eff": float(n_eff)}

    def _point_var(center: float, ph: FloatArray, rows: Any) -> FloatArray:
        out: FloatArray = ((ph * (1.0 - ph) * grid_s2[rows]).sum(axis=1)
                           + ((ph - center) ** 2 * spread[rows]).sum(axis=1)) / w_t[rows] ** 2
        return out

    def lim(p: Params, sl: slice, k: float) -> Limits:
        if strata is not None:
            ph = np.array([p.extra.get(f"{_STRATUM}{s}", p.center) for s in s_names])
        else:
            ph = np.array([p.center])
        rows = np.arange(sl.start, sl.stop)
        se = np.sqrt(_point_var(p.center, ph, rows))
        center = np.full(rows.size, p.center)
        return center, se, center - k * se, center + k * se

    # the point of each row (eager data), so that stage=/phase1= may be per-row columns
    row_point = None
    if not table.lazy:
        row_point = np.asarray(pd.Index(labels).get_indexer(table.raw(label)), dtype=np.int64)
        if (row_point < 0).any():
            row_point = None
    spec = Spec(caller=caller, column=defectives, n=n_t, labels=labels, estimate=estimate,
                panels=[Panel("weighted_p", stat, lim, floor_zero=True,
                              ceiling=np.ones(m))],
                sigma_method="design", row_point=row_point, notes=[])
    opts = Options(phase1, limits, stage, None, None, rules, exclude, False, nsigmas)
    chart = build(spec, opts, table, frozen_types={"weighted_p"})[0]
    if corr is not None:
        last = chart.stages[-1].extra
        params = {k: last[k] for k in ("true_center", "true_ci_low", "true_ci_high")
                  if k in last}
        if params:
            chart = _replace(chart, parameters={**chart.parameters, **params})
    return chart


def _replace(chart: ControlChart, **changes: Any) -> ControlChart:
    import dataclasses

    return dataclasses.replace(chart, **changes)
