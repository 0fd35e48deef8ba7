"""Gage R&R by the ANOVA method: crossed and nested designs (AIAG MSA, 4th ed.).

Variance components come from the expected mean squares of the random-effects model;
negative estimates are set to 0. In the crossed design the operator x part interaction is
pooled into repeatability by a named convention (``interaction_rule``): "aiag" pools when
its p-value exceeds 0.25 (p > alpha), "minitab" when it is 0.05 or higher (p >= alpha);
when it is kept, part and operator are tested against MS(interaction). Study variation
is m * sigma with the study multiplier m = 6 (older texts 5.15); the number of distinct
categories is ndc = floor(1.41 * sigma_part / sigma_GRR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from sixsigma._frames import first_row, show
from sixsigma._params import check_number, choice
from sixsigma._result import Result
from sixsigma.errors import InputError, InsufficientDataError, ParameterError, ZeroVarianceError
from sixsigma.msa._common import key_column, load, measurement

__all__ = ["GageRR", "gage_rr"]

SOURCES = ("repeatability", "reproducibility", "operator", "operator:part", "gage_rr", "part",
           "total")


@dataclass(frozen=True, eq=False, repr=False)
class GageRR(Result, kind="gage_rr"):
    """A gage R&R study (ANOVA method).

    Attributes
    ----------
    components : pandas.DataFrame
        Indexed by source ("repeatability", "reproducibility", "operator", "operator:part",
        "gage_rr", "part", "total") with columns var_comp, pct_contribution, std_dev,
        study_var, pct_study_var, and pct_tolerance when a tolerance was given. In the
        nested design "operator:part" is 0 and "part" is part-within-operator.
    ndc : int or None
        floor(1.41 * sigma_part / sigma_GRR); None (with a note) when sigma_GRR is 0.
    anova : pandas.DataFrame
        The ANOVA table of the model used (source, df, ss, ms, f, p_value).
    anova_full : pandas.DataFrame
        The full crossed model with the interaction (equal to ``anova`` when it was kept).
    interaction_pooled : bool
        True when the interaction was pooled into repeatability.
    interaction_p_value : float or None
        p-value of the operator x part interaction (None in the nested design, with a note).
    alpha_interaction, study_multiplier : float
        The pooling threshold and study-variation multiplier used.
    interaction_rule : str
        The pooling convention: "aiag" (pool when p > alpha, default alpha 0.25) or
        "minitab" (pool when p >= alpha, default alpha 0.05).
    tolerance : float or None
        USL - LSL.
    design : str
        "crossed" or "nested".
    n_parts, n_operators, n_replicates : int
    """

    components: pd.DataFrame
    ndc: int | None
    anova: pd.DataFrame
    anova_full: pd.DataFrame
    interaction_pooled: bool = False
    interaction_p_value: float | None = None
    alpha_interaction: float = 0.25
    interaction_rule: str = "aiag"
    study_multiplier: float = 6.0
    tolerance: float | None = None
    design: str = "crossed"
    n_parts: int = 0
    n_operators: int = 0
    n_replicates: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The components table with the source as a column."""
        return self.components.reset_index()

    def summary(self) -> str:
        """A short text summary."""
        row = self.components.loc["gage_rr"].to_numpy(dtype=float)
        grr = dict(zip([str(col) for col in self.components.columns], row.tolist(),
                       strict=True))
        pooled = " (interaction pooled)" if self.interaction_pooled else ""
        lines = [
            f"Gage R&R ({self.design}, ANOVA){pooled}: {self.n_parts} parts x "
            f"{self.n_operators} operators x {self.n_replicates} replicates",
            f"  %contribution GRR {grr['pct_contribution']:.2f}, "
            f"%study var GRR {grr['pct_study_var']:.2f}"
            + (f", %tolerance GRR {grr['pct_tolerance']:.2f}" if "pct_tolerance" in grr
               else ""),
            f"  ndc = {self.ndc}",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _anova_row(source: str, df: float, ss: float, den_ms: float | None, den_df: float | None,
               ) -> dict[str, float | str]:
    ms = ss / df if df > 0 else float("nan")
    if den_ms is None or den_df is None or not den_ms > 0:
        f = p = float("nan")
    else:
        f = ms / den_ms
        p = float(stats.f.sf(f, df, den_df))
    return {"source": source, "df": df, "ss": ss, "ms": ms, "f": f, "p_value": p}


def _balanced(
    cells: pd.DataFrame, caller: str, what: str
) -> int:
    """Number of replicates per cell; raise InputError when cells differ."""
    sizes = cells["n"].to_numpy()
    r = int(np.bincount(sizes).argmax())
    bad = sizes != r
    if bad.any():
        j = first_row(bad)
        raise InputError(
            f"{caller}: the study must be balanced; {what} {show(cells.iloc[j, 0])}/"
            f"{show(cells.iloc[j, 1])} has {int(sizes[j])} measurement(s), most cells have {r} "
            f"(first row of that cell: {int(cells['first'].iloc[j])})."
        )
    if r < 2:
        raise InsufficientDataError(f"{caller}: each part needs at least two measurements per "
                                    "operator to estimate repeatability.")
    return r


def gage_rr(
    data: Any,
    part: str,
    operator: str,
    value: str,
    *,
    tolerance: float | tuple[float, float] | None = None,
    design: Literal["crossed", "nested"] = "crossed",
    interaction_rule: Literal["aiag", "minitab"] = "aiag",
    alpha_interaction: float | None = None,
    study_multiplier: float = 6.0,
) -> GageRR:
    """Gage repeatability and reproducibility by the ANOVA method.

    Parameters
    ----------
    data : dataframe or dict
        One row per measurement.
    part, operator, value : str
        Columns: the part (item) measured, who measured it, the measurement.
    tolerance : float or (lsl, usl), optional
        The tolerance width USL - LSL (or the two limits); adds ``pct_tolerance`` =
        100 * study_multiplier * sigma / tolerance.
    design : {"crossed", "nested"}
        Crossed: every operator measures every part. Nested: each operator measures
        their own parts (destructive tests); part labels are taken within operator.
    interaction_rule : {"aiag", "minitab"}
        When the operator x part interaction is pooled into repeatability (crossed design):

        * "aiag" (default): when its p-value exceeds ``alpha_interaction`` (p > alpha),
          with alpha 0.25 (AIAG MSA 4th ed.; Minitab up to release 16, whose help read "if
          an interaction term has a p-value greater than 0.25, the ANOVA will be re-run
          without it"; R qualityTools ``gageRR(alpha = 0.25)``).
        * "minitab": when its p-value is alpha or higher (p >= alpha), with alpha 0.05:
          current Minitab ("If the p-value for the operator and part interaction is 0.05 or
          higher, Minitab removes the interaction", support.minitab.com, Crossed Gage R&R
          Study, key results; "Alpha to remove interaction term", default 0.05). R's
          SixSigma ``ss.rr`` also uses 0.05 (``alphaLim``).

        The rule and the threshold used are named on the result.
    alpha_interaction : float, optional
        The threshold in [0, 1]; default the rule's (0.25 for "aiag", 0.05 for "minitab").
        1 always keeps the interaction under "aiag".
    study_multiplier : float
        Study variation = study_multiplier * sigma (6; 5.15 in older AIAG editions).

    Returns
    -------
    GageRR

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        One operator, one part, or a single measurement per cell.
    sixsigma.errors.InputError
        An unbalanced study (cells with different numbers of measurements).
    sixsigma.errors.ZeroVarianceError
        All measurements equal.

    Notes
    -----
    Crossed (p parts, o operators, r replicates): sigma2_repeat = MS_E;
    sigma2_PO = (MS_PO - MS_E)/r; sigma2_O = (MS_O - MS_PO)/(p r);
    sigma2_P = (MS_P - MS_PO)/(o r). With the interaction pooled, MS_E is the pooled
    residual and the operator and part components use it in place of MS_PO
    (Montgomery, *Introduction to Statistical Quality Control*, 6th ed., section 8.7;
    AIAG, *Measurement Systems Analysis*, 4th ed., appendix A). Nested: sigma2_repeat = MS_E,
    sigma2_P(O) = (MS_P(O) - MS_E)/r, sigma2_O = (MS_O - MS_P(O))/(p r).
    %contribution = 100 var/var_total; %study var = 100 sd/sd_total.

    Examples
    --------
    >>> d = {"part": [1, 1, 1, 1, 2, 2, 2, 2], "op": ["a", "a", "b", "b"] * 2,
    ...      "y": [1.0, 1.2, 1.1, 1.3, 2.0, 2.2, 2.1, 2.1]}
    >>> g = ss.msa.gage_rr(d, "part", "op", "y")
    >>> g.interaction_pooled, round(float(g.components.loc["repeatability", "var_comp"]), 4)
    (True, 0.013)

    The interaction (SS 0.005 on 1 df) is pooled with the residual (SS 0.06 on 4 df):
    repeatability = 0.065 / 5.
    """
    caller = "gage_rr"
    choice(design, "design", ("crossed", "nested"), caller=caller)
    study_multiplier = check_number(study_multiplier, "study_multiplier", caller=caller, low=0.0,
                                    low_open=True)
    choice(interaction_rule, "interaction_rule", ("aiag", "minitab"), caller=caller)
    if alpha_interaction is None:
        alpha_interaction = 0.25 if interaction_rule == "aiag" else 0.05
    alpha_interaction = check_number(alpha_interaction, "alpha_interaction", caller=caller,
                                     low=0.0, high=1.0)
    tol = _tolerance(tolerance, caller)
    table = load(data, caller, part, operator, value, min_rows=2)
    y = measurement(table, value)
    parts = key_column(table, part)
    ops = key_column(table, operator)
    o_code, o_keys = pd.factorize(pd.Series(ops, copy=False), sort=True)
    if design == "nested":
        p_code, p_keys = pd.factorize(pd.Series(list(zip(ops.tolist(), parts.tolist(),
                                                         strict=True))), sort=True)
    else:
        p_code, p_keys = pd.factorize(pd.Series(parts, copy=False), sort=True)
    n_o, n_p = len(o_keys), len(p_keys)
    if n_o < 2:
        raise InsufficientDataError(f"{caller}: column {operator!r} names a single operator; "
                                    "reproducibility needs at least two.")
    frame = pd.DataFrame({"o": o_code, "p": p_code, "y": y, "row": np.arange(y.size)})
    cells = frame.groupby(["o", "p"], sort=True).agg(
        n=("y", "size"), mean=("y", "mean"), first=("row", "min")).reset_index()
    shown = cells.assign(o=np.asarray(o_keys)[cells["o"]],
                         p=np.asarray(p_keys, dtype=object)[cells["p"]])
    if float(np.ptp(y)) == 0.0:
        raise ZeroVarianceError(f"{caller}: every value in {value!r} is the same; there is no "
                                "variation to decompose.")
    grand = float(y.mean())
    cell_mean = cells.set_index(["o", "p"])["mean"]
    resid = y - cell_mean.reindex(pd.MultiIndex.from_arrays([o_code, p_code])).to_numpy()
    ss_e = float((resid**2).sum())
    notes: list[str] = []
    if design == "crossed":
        if len(cells) != n_o * n_p:
            missing = _first_missing_cell(cells, n_o, n_p)
            raise InputError(f"{caller}: crossed design needs every operator to measure every "
                             f"part; operator {show(o_keys[missing[0]])} has no measurement of "
                             f"part {show(p_keys[missing[1]])}. Use design='nested' when each "
                             "operator measures their own parts.")
        if n_p < 2:
            raise InsufficientDataError(f"{caller}: column {part!r} names a single part.")
        r = _balanced(shown, caller, "operator/part")
        m = cell_mean.to_numpy().reshape(n_o, n_p)
        ss_o = n_p * r * float(((m.mean(axis=1) - grand) ** 2).sum())
        ss_p = n_o * r * float(((m.mean(axis=0) - grand) ** 2).sum())
        ss_po = r * float(((m - m.mean(axis=1, keepdims=True) - m.mean(axis=0, keepdims=True)
                            + grand) ** 2).sum())
        df_o, df_p, df_po, df_e = n_o - 1, n_p - 1, (n_o - 1) * (n_p - 1), n_o * n_p * (r - 1)
        ms_po, ms_e = ss_po / df_po, ss_e / df_e
        full = pd.DataFrame([
            _anova_row("part", df_p, ss_p, ms_po, df_po),
            _anova_row("operator", df_o, ss_o, ms_po, df_po),
            _anova_row("operator:part", df_po, ss_po, ms_e, df_e),
            _anova_row("repeatability", df_e, ss_e, None, None),
        ])
        p_int = float(full["p_value"].iloc[2])
        if not np.isfinite(p_int):
            pooled = bool(ms_po <= 0)
        elif interaction_rule == "aiag":
            pooled = bool(p_int > alpha_interaction)
        else:
            pooled = bool(p_int >= alpha_interaction)
        if pooled:
            ss_res, df_res = ss_po + ss_e, df_po + df_e
            ms_res = ss_res / df_res
            used = pd.DataFrame([
                _anova_row("part", df_p, ss_p, ms_res, df_res),
                _anova_row("operator", df_o, ss_o, ms_res, df_res),
                _anova_row("repeatability", df_res, ss_res, None, None),
            ])
            v_rep = ms_res
            v_po = 0.0
            v_o = (ss_o / df_o - ms_res) / (n_p * r)
            v_p = (ss_p / df_p - ms_res) / (n_o * r)
            sign = ">" if interaction_rule == "aiag" else ">="
            notes.append(f"operator x part interaction pooled into repeatability "
                         f"(p = {p_int:.4g} {sign} {alpha_interaction:g}, "
                         f"{interaction_rule} rule)")
        else:
            used = full
            v_rep = ms_e
            v_po = (ms_po - ms_e) / r
            v_o = (ss_o / df_o - ms_po) / (n_p * r)
            v_p = (ss_p / df_p - ms_po) / (n_o * r)
        n_parts = n_p
    else:
        per_op = cells.groupby("o")["p"].size().to_numpy()
        if (per_op != per_op[0]).any():
            j = first_row(per_op != per_op[0])
            raise InputError(f"{caller}: nested design must be balanced; operator "
                             f"{show(o_keys[j])} measured {int(per_op[j])} parts, operator "
                             f"{show(o_keys[0])} {int(per_op[0])}.")
        n_parts = int(per_op[0])
        if n_parts < 2:
            raise InsufficientDataError(f"{caller}: each operator needs at least two parts.")
        r = _balanced(shown, caller, "operator/part")
        op_mean = frame.groupby("o")["y"].mean().to_numpy()
        ss_o = n_parts * r * float(((op_mean - grand) ** 2).sum())
        cm = cells["mean"].to_numpy()
        ss_pin = r * float(((cm - op_mean[cells["o"].to_numpy()]) ** 2).sum())
        df_o, df_pin, df_e = n_o - 1, n_o * (n_parts - 1), n_o * n_parts * (r - 1)
        ms_pin, ms_e = ss_pin / df_pin, ss_e / df_e
        full = used = pd.DataFrame([
            _anova_row("operator", df_o, ss_o, ms_pin, df_pin),
            _anova_row("part(operator)", df_pin, ss_pin, ms_e, df_e),
            _anova_row("repeatability", df_e, ss_e, None, None),
        ])
        p_int = float("nan")
        pooled = False
        v_rep = ms_e
        v_po = 0.0
        v_o = (ss_o / df_o - ms_pin) / (n_parts * r)
        v_p = (ms_pin - ms_e) / r
    raw = {"operator": v_o, "operator:part": v_po, "part": v_p}
    for name, v in raw.items():
        if v < 0:
            notes.append(f"negative variance component for {name} ({v:.4g}) set to 0")
    v_o, v_po, v_p = (max(v, 0.0) for v in (v_o, v_po, v_p))
    v_repro = v_o + v_po
    v_grr = v_rep + v_repro
    var = np.array([v_rep, v_repro, v_o, v_po, v_grr, v_p, v_grr + v_p])
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        comp = pd.DataFrame({
            "var_comp": var,
            "pct_contribution": 100.0 * var / var[-1],
            "std_dev": sd,
            "study_var": study_multiplier * sd,
            "pct_study_var": 100.0 * sd / sd[-1],
        }, index=pd.Index(SOURCES, name="source"))
    if tol is not None:
        comp["pct_tolerance"] = 100.0 * study_multiplier * sd / tol
    ndc = int(math.floor(1.41 * sd[5] / sd[4])) if sd[4] > 0 else None
    if ndc is None:
        notes.append("ndc is undefined: the gage R&R variance is 0")
    if design == "nested":
        notes.append("interaction_p_value is undefined: the nested design has no operator x "
                     "part interaction")
    elif not np.isfinite(p_int):
        notes.append("interaction_p_value is undefined: the repeatability mean square is 0, "
                     "so the interaction has no F test")
    return GageRR(
        components=comp, ndc=ndc, anova=used, anova_full=full, interaction_pooled=pooled,
        interaction_p_value=p_int if np.isfinite(p_int) else None,
        alpha_interaction=float(alpha_interaction), interaction_rule=interaction_rule,
        study_multiplier=float(study_multiplier),
        tolerance=tol, design=design, n_parts=n_parts, n_operators=n_o, n_replicates=r,
        notes=tuple(notes),
    )


def _tolerance(tolerance: Any, caller: str) -> float | None:
    if tolerance is None:
        return None
    if isinstance(tolerance, tuple | list):
        if len(tolerance) != 2:
            raise ParameterError(f"{caller}: the 'tolerance' parameter must be a width or "
                                 f"(lsl, usl); got {tolerance!r}.")
        lsl = check_number(tolerance[0], "tolerance", caller=caller)
        usl = check_number(tolerance[1], "tolerance", caller=caller)
        width = usl - lsl
    else:
        width = check_number(tolerance, "tolerance", caller=caller)
    if not (width > 0 and np.isfinite(width)):
        raise ParameterError(f"{caller}: the 'tolerance' parameter must give a positive, "
                             f"finite width; got {width:g}.")
    return float(width)


def _first_missing_cell(cells: pd.DataFrame, n_o: int, n_p: int) -> tuple[int, int]:
    have = np.zeros((n_o, n_p), dtype=bool)
    have[cells["o"].to_numpy(), cells["p"].to_numpy()] = True
    o, p = divmod(first_row(~have.ravel()), n_p)
    return o, p
