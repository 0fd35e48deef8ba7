"""Normal-theory process capability: Cp, Cpk, Cpm (within) and Pp, Ppk (overall), with intervals.

Conventions (Montgomery, *Introduction to Statistical Quality Control*, 8th ed., ch. 8;
AIAG *SPC* manual, 2nd ed.; qcc 2.7 ``process.capability``; Minitab):

* Within sigma: the estimate of the matching control chart, computed by that chart
  (:func:`sixsigma.spc.xbar_r` for subgrouped data, R-bar/d2 by default as qcc, or the
  pooled SD/c4 of Minitab; :func:`sixsigma.spc.imr`, MR-bar/d2(2), for individual values).
  Overall sigma: the sample standard deviation of all values (n - 1 divisor).
* Cp = (USL - LSL)/6 sigma, Cpu = (USL - mean)/3 sigma, Cpl = (mean - LSL)/3 sigma,
  Cpk = min(Cpl, Cpu); with one spec Cpk is that side's index (qcc returns NA there).
  Pp, Ppu, Ppl, Ppk likewise with the overall sigma.
* Cpm (Chan, Cheng & Spiring 1988), only when a target is given, in one of two named
  conventions (``cpm_method``, named on the result):
  ``"qcc"`` (default; qcc 2.7): (USL - LSL) / (6 sqrt(sigma_within^2 + (mean - T)^2))
  = Cp / sqrt(1 + ((mean - T)/sigma_within)^2); needs both specs (None with one).
  ``"minitab"`` (reported with the overall capability):
  min(T - LSL, USL - T) / (3 sqrt(sum (x - T)^2 / (n - 1))), the one half-width present
  with one spec; equal to (USL - LSL) / (6 ...) for a centred target.
* Intervals, n = all observations: chi-square for Cp and Pp (Montgomery eq. 8.19);
  Bissell (1990) for Cpk, Cpl, Cpu, Ppk, Ppl, Ppu: C -/+ z sqrt(1/(9n) + C^2/(2(n-1))),
  z = z_(1 - alpha/2) for all of them (qcc uses a one-sided 1.645 for Cpl/Cpu);
  Boyles (1991) for Cpm: Cpm sqrt(chi2_(alpha/2, nu)/nu), ... with the Satterthwaite
  degrees of freedom nu = n (1 + d^2)^2 / (1 + 2 d^2), d = (mean - T)/sigma (the within
  sigma for qcc's Cpm, the overall SD for Minitab's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import as_table, first_row, orderable
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result
from sixsigma._stats import z_two_sided
from sixsigma.capability._common import (
    as_caller,
    check_specs,
    measurements,
    value_column,
)
from sixsigma.capability.normality import NormalityTest, normality_test
from sixsigma.errors import (
    InsufficientDataError,
    MissingValueError,
    ParameterError,
    SixSigmaError,
    ZeroVarianceError,
)
from sixsigma.spc.chart import ChartPair

__all__ = ["Capability", "capability", "capability_intervals", "capability_indices"]

SigmaMethod = Literal["rbar_d2", "pooled_sd_c4", "sbar_c4", "mrbar_d2", "median_mr"]
CpmMethod = Literal["qcc", "minitab"]
CPM_METHODS = ("qcc", "minitab")
_SUBGROUP_METHODS = ("rbar_d2", "pooled_sd_c4", "sbar_c4")
_INDIVIDUAL_METHODS = ("mrbar_d2", "median_mr")

WITHIN = ("cp", "cpk", "cpl", "cpu", "cpm")
OVERALL = ("pp", "ppk", "ppl", "ppu")


def capability_indices(
    mean: float, sigma: float, lsl: float | None, usl: float | None,
    target: float | None = None,
) -> dict[str, float | None]:
    """The capability indices of a normal process with this mean and sigma.

    Parameters
    ----------
    mean, sigma : float
        Process mean and standard deviation (sigma > 0).
    lsl, usl : float or None
        Specification limits (None: no spec on that side).
    target : float, optional
        Target T; Cpm is None without it.

    Returns
    -------
    dict
        ``cp``, ``cpl``, ``cpu``, ``cpk``, ``cpm`` (None where undefined). Pass the overall
        sigma to obtain Pp, Ppl, Ppu, Ppk. Cpm is qcc's form,
        (USL - LSL) / (6 sqrt(sigma^2 + (mean - T)^2)): None without a target or with one
        spec (Minitab's form needs the data: see :func:`capability`).

    Examples
    --------
    >>> from sixsigma.capability import capability_indices
    >>> idx = capability_indices(16.0, 2.0, lsl=8.0, usl=20.0)    # NIST 6.1.6 example
    >>> idx["cp"], round(idx["cpk"], 4), round(idx["cpl"], 4)
    (1.0, 0.6667, 1.3333)
    """
    caller = "capability_indices"
    mean = check_number(mean, "mean", caller=caller)
    sigma = check_number(sigma, "sigma", caller=caller, low=0.0, low_open=True)
    lsl, usl, target = check_specs(lsl, usl, target, caller=caller)
    cpl = (mean - lsl) / (3.0 * sigma) if lsl is not None else None
    cpu = (usl - mean) / (3.0 * sigma) if usl is not None else None
    cp = (usl - lsl) / (6.0 * sigma) if lsl is not None and usl is not None else None
    sides = [c for c in (cpl, cpu) if c is not None]
    cpk = min(sides) if sides else None
    cpm = None
    if target is not None and lsl is not None and usl is not None:
        cpm = (usl - lsl) / (6.0 * math.sqrt(sigma**2 + (mean - target) ** 2))
    return {"cp": cp, "cpl": cpl, "cpu": cpu, "cpk": cpk, "cpm": cpm}


def capability_intervals(
    indices: dict[str, float | None], n: int, *, confidence: float = 0.95,
    delta: float | None = None,
) -> dict[str, tuple[float, float]]:
    """Confidence intervals of capability indices (normal theory, n observations).

    Parameters
    ----------
    indices : dict
        Index name -> estimate (None is skipped). Names ``cp``/``pp`` get the chi-square
        interval, ``cpm`` Boyles', every other name (``cpk``, ``cpl``, ``cpu``, ``ppk``,
        ...) Bissell's.
    n : int
        Number of observations (at least 2).
    confidence : float
        Two-sided confidence level.
    delta : float, optional
        (mean - T)/sigma, needed for the Cpm interval.

    Returns
    -------
    dict
        name -> (lower, upper).

    Examples
    --------
    >>> from sixsigma.capability import capability_intervals
    >>> # Montgomery's example: USL 62, LSL 38, n = 20, s = 1.75, Cp = 24/10.5 ~ 2.29
    >>> lo, hi = capability_intervals({"pp": 2.29}, n=20)["pp"]
    >>> round(lo, 2), round(hi, 2)
    (1.57, 3.01)
    """
    caller = "capability_intervals"
    confidence = check_confidence(confidence, caller=caller)
    n = int(check_number(n, "n", caller=caller, low=2.0, integer=True))
    if delta is not None:
        delta = check_number(delta, "delta", caller=caller)
    alpha = 1.0 - confidence
    z = z_two_sided(confidence)
    dof = n - 1.0
    chi_lo = float(stats.chi2.ppf(alpha / 2.0, dof))
    chi_hi = float(stats.chi2.ppf(1.0 - alpha / 2.0, dof))
    out: dict[str, tuple[float, float]] = {}
    for name, c in indices.items():
        if c is None:
            continue
        if name in ("cp", "pp"):
            out[name] = (c * math.sqrt(chi_lo / dof), c * math.sqrt(chi_hi / dof))
        elif name == "cpm":
            d2 = 0.0 if delta is None else delta**2
            nu = n * (1.0 + d2) ** 2 / (1.0 + 2.0 * d2)
            out[name] = (c * math.sqrt(float(stats.chi2.ppf(alpha / 2.0, nu)) / nu),
                         c * math.sqrt(float(stats.chi2.ppf(1.0 - alpha / 2.0, nu)) / nu))
        else:
            half = z * math.sqrt(1.0 / (9.0 * n) + c**2 / (2.0 * dof))
            out[name] = (c - half, c + half)
    return out


@dataclass(frozen=True, eq=False, repr=False)
class Capability(Result, kind="capability"):
    """A normal-theory capability study: indices, intervals, PPM and a normality check.

    Attributes
    ----------
    value : str
        The measured column.
    n : int
        Number of observations.
    mean : float
        Mean of all observations.
    sigma_within, sigma_overall : float
        Within sigma (from the control chart in :attr:`chart`) and the overall sample SD.
    sigma_method : str
        How the within sigma was estimated: ``"rbar_d2"``, ``"pooled_sd_c4"``,
        ``"sbar_c4"``, ``"mrbar_d2"`` or ``"median_mr"``.
    lsl, usl, target : float or None
        The specification and the target.
    cp, cpk, cpl, cpu, cpm, pp, ppk, ppl, ppu : float or None
        The indices; None where a spec (or, for Cpm, the target) is missing. With one
        spec, cpk (ppk) is that side's index. Cpm follows :attr:`cpm_method`.
    intervals : dict
        Index name -> (lower, upper) at :attr:`confidence`.
    confidence : float
        Two-sided confidence level of the intervals.
    ppm : dict
        Expected PPM outside the specs under the normal model, within and overall
        (``expected_within_below``, ``..._above``, ``..._total``, ``expected_overall_*``),
        and observed (``observed_below``, ``observed_above``, ``observed_total``).
    normality : NormalityTest
        Anderson-Darling and Shapiro-Wilk; ``normality.doubtful`` flags p < 0.05.
    values : numpy.ndarray
        The observations (read-only), for plots.
    subgroup : str or None
        The subgroup column (None for individual values).
    subgroups : numpy.ndarray or None
        The subgroup key of each observation (read-only).
    chart : ChartPair
        The control chart whose sigma is the within sigma, rebuilt from the values and
        subgroups when first read: X-bar/R for ``rbar_d2``, X-bar/S for ``sbar_c4`` and
        ``pooled_sd_c4`` (a sigma from standard deviations), I-MR for individuals.
    groups : numpy.ndarray or None
        Subgroup position (0-based, in chart order) of each observation.
    cpm_method : str
        The Cpm convention: ``"qcc"`` (within sigma, (USL - LSL)/6 over
        sqrt(sigma_within^2 + (mean - T)^2)) or ``"minitab"`` (overall, min(T - LSL,
        USL - T)/3 over sqrt(sum (x - T)^2 / (n - 1))).
    notes : tuple of str
        Caveats: doubtful normality, an unstable chart.
    """

    value: str
    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    sigma_method: str
    lsl: float | None
    usl: float | None
    target: float | None
    cp: float | None
    cpk: float | None
    cpl: float | None
    cpu: float | None
    cpm: float | None
    pp: float | None
    ppk: float | None
    ppl: float | None
    ppu: float | None
    intervals: dict[str, tuple[float, float]]
    confidence: float
    ppm: dict[str, float]
    normality: NormalityTest
    values: NDArray[np.float64]
    subgroup: str | None = None
    subgroups: NDArray[Any] | None = None
    cpm_method: str = "qcc"

    @cached_property
    def chart(self) -> ChartPair:
        """The control chart whose sigma is the within sigma (computed once, then kept)."""
        return _within_chart(np.asarray(self.values, dtype=float), self.subgroups,
                             self.value, self.subgroup, self.sigma_method, "capability")

    @property
    def groups(self) -> NDArray[np.int64] | None:
        """Subgroup position (0-based, in chart order) of each observation, or None."""
        if self.subgroups is None:
            return None
        return _group_codes(self.subgroups)

    @property
    def indices(self) -> dict[str, float | None]:
        """All indices by name (within first, then overall)."""
        return {k: getattr(self, k) for k in WITHIN + OVERALL}

    def to_frame(self) -> pd.DataFrame:
        """One row per defined index: index, basis (within/overall), estimate, ci_low, ci_high."""
        rows = []
        for name, est in self.indices.items():
            if est is None:
                continue
            lo, hi = self.intervals.get(name, (float("nan"), float("nan")))
            within = name in WITHIN and not (name == "cpm" and self.cpm_method == "minitab")
            rows.append({"index": name, "basis": "within" if within else "overall",
                         "estimate": est, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows, columns=["index", "basis", "estimate", "ci_low", "ci_high"])

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        def fmt(v: float | None) -> str:
            return "-" if v is None else f"{v:.3f}"

        spec = ", ".join(f"{k.upper()} {v:g}" for k, v in
                         (("lsl", self.lsl), ("target", self.target), ("usl", self.usl))
                         if v is not None)
        pct = f"{self.confidence:.0%}"
        lines = [
            f"Capability of {self.value!r}: n = {self.n}, mean {self.mean:.6g} ({spec})",
            f"  sigma within {self.sigma_within:.6g} ({self.sigma_method}), "
            f"overall {self.sigma_overall:.6g}",
        ]
        for name, est in self.indices.items():
            if est is not None:
                lo, hi = self.intervals[name]
                tag = f" ({self.cpm_method})" if name == "cpm" else ""
                lines.append(f"  {name:<4} {fmt(est)}   {pct} CI [{fmt(lo)}, {fmt(hi)}]{tag}")
        lines.append(f"  PPM expected (overall) {self.ppm['expected_overall_total']:.1f}, "
                     f"observed {self.ppm['observed_total']:.1f}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _group_codes(keys: NDArray[Any]) -> NDArray[np.int64]:
    """Position of each observation's subgroup in chart order (as the charts sort them)."""
    codes, _ = pd.factorize(pd.Series(keys, copy=False), sort=orderable(keys))
    return codes.astype(np.int64)


def _ppm(x: NDArray[np.float64], mean: float, sw: float, so: float,
         lsl: float | None, usl: float | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for tag, s in (("within", sw), ("overall", so)):
        below = float(stats.norm.cdf((lsl - mean) / s)) * 1e6 if lsl is not None else 0.0
        above = float(stats.norm.sf((usl - mean) / s)) * 1e6 if usl is not None else 0.0
        out[f"expected_{tag}_below"] = below
        out[f"expected_{tag}_above"] = above
        out[f"expected_{tag}_total"] = below + above
    below = float(np.mean(x < lsl)) * 1e6 if lsl is not None else 0.0
    above = float(np.mean(x > usl)) * 1e6 if usl is not None else 0.0
    out.update(observed_below=below, observed_above=above, observed_total=below + above)
    return out


def _within_chart(x: NDArray[np.float64], keys: NDArray[Any] | None, value: str,
                  subgroup: str | None, sigma_method: str, caller: str) -> ChartPair:
    from sixsigma.spc.variables import imr, xbar_r, xbar_s

    try:
        if keys is None:
            return imr(x, sigma_method=sigma_method)  # type: ignore[arg-type]
        assert subgroup is not None
        frame = {value: x, subgroup: keys} if value != subgroup else {value: x, "_g": keys}
        col = subgroup if value != subgroup else "_g"
        if sigma_method in ("sbar_c4", "pooled_sd_c4"):
            # a sigma from standard deviations is an X-bar/S chart's (as Minitab)
            return xbar_s(frame, value, col, sigma_method=sigma_method)  # type: ignore[arg-type]
        return xbar_r(frame, value, col, sigma_method=sigma_method)  # type: ignore[arg-type]
    except SixSigmaError as err:
        raise as_caller(err, caller) from err


def capability(
    data: Any,
    value: str | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    subgroup: str | None = None,
    confidence: float = 0.95,
    *,
    sigma_method: SigmaMethod | None = None,
    cpm_method: CpmMethod = "qcc",
) -> Capability:
    """Normal-theory capability study (Cp, Cpk, Cpm, Pp, Ppk) with confidence intervals.

    Parameters
    ----------
    data : dataframe, dict or array-like
        The measurements, one per row, in time order.
    value : str, optional
        Column of measurements; may be omitted for a 1-D array or a one-column table.
    lsl, usl : float, optional
        Specification limits; at least one is required.
    target : float, optional
        Target value; Cpm is computed only with a target (Minitab's convention).
    subgroup : str, optional
        Column grouping rows into rational subgroups: within sigma from the X-bar chart.
        Without it the values are individuals: within sigma from the I-MR chart.
    confidence : float
        Two-sided level of the intervals (0.95).
    sigma_method : str, optional
        Within-sigma estimator, as in the charts: ``"rbar_d2"`` (default with subgroups;
        qcc), ``"pooled_sd_c4"`` (Minitab's default), ``"sbar_c4"``; ``"mrbar_d2"``
        (default for individuals) or ``"median_mr"``.
    cpm_method : {"qcc", "minitab"}
        Convention for Cpm (computed only with a target): ``"qcc"`` (default, consistent
        with the R-bar/d2 default) = (USL - LSL) / (6 sqrt(sigma_within^2 + (mean - T)^2)),
        None with one spec; ``"minitab"`` = min(T - LSL, USL - T) / (3 sqrt(sum (x - T)^2 /
        (n - 1))), part of the overall capability. Named on the result.

    Returns
    -------
    Capability
        Indices, intervals, PPM, the normality tests and the chart used (see its
        attributes). The normal-theory numbers are flagged (``normality.doubtful`` and a
        note) when Anderson-Darling or Shapiro-Wilk rejects at 5 %; use
        :func:`sixsigma.capability.percentile_capability` or a transformation then.

    Raises
    ------
    ParameterError
        No spec, LSL >= USL, a target outside the specs, a bad confidence or sigma_method.
    ColumnError, NonNumericError, MissingValueError, DomainError, InputError
        Bad columns, each naming the column and the first bad row: a missing column or a
        duplicate column name; text, categorical or true/false values; a null or NaN; an
        infinite value or one so large that the sums would overflow; a ragged dict.
    InsufficientDataError
        Fewer than 2 observations (or no two consecutive ones).
    ZeroVarianceError
        All observations equal.

    Notes
    -----
    See the module docstring for the formulas and their sources. The interval for Cpm
    uses Boyles' degrees of freedom n(1 + d^2)^2/(1 + 2 d^2).

    References
    ----------
    Montgomery, D.C. (2019). *Introduction to Statistical Quality Control*, 8th ed., ch. 8.
    Bissell, A.F. (1990). How reliable is your capability index? *Applied Statistics* 39,
    331-340. Boyles, R.A. (1991). The Taguchi capability index. *JQT* 23, 17-26.

    Examples
    --------
    >>> from sixsigma.capability import capability
    >>> x = [9.8, 10.1, 10.0, 9.9, 10.2, 10.0, 9.9, 10.1, 10.0, 10.0]
    >>> res = capability(x, lsl=9.0, usl=11.0)
    >>> res.sigma_method, round(res.pp, 4)      # 2 / (6 * sd), sd = 0.1155
    ('mrbar_d2', 2.8868)
    """
    caller = "capability"
    lo, hi, t = check_specs(lsl, usl, target, caller=caller)
    conf = check_confidence(confidence, caller=caller)
    cpm_kind = choice(cpm_method, "cpm_method", CPM_METHODS, caller=caller)
    allowed = _SUBGROUP_METHODS if subgroup is not None else _INDIVIDUAL_METHODS
    method = sigma_method if sigma_method is not None else allowed[0]
    if method not in allowed:
        kind = "subgrouped data" if subgroup is not None else "individual values"
        raise ParameterError(f"{caller}: sigma_method for {kind} must be one of {allowed}; "
                             f"got {sigma_method!r}.")
    table = as_table(data, caller=caller)
    value = value_column(table, value, caller)
    table.require(value, subgroup)
    x = measurements(table, value)
    n = int(x.size)
    if n < 2:
        raise InsufficientDataError(f"{caller}: at least 2 observations are needed in "
                                    f"column {value!r}; got {n}.")
    keys: NDArray[Any] | None = None
    if subgroup is not None:
        keys = table.raw(subgroup)
        miss = pd.isna(pd.Series(keys, copy=False)).to_numpy()   # NaN and null alike
        if miss.any():
            raise MissingValueError(f"{caller}: column {subgroup!r} has a missing subgroup key "
                                    f"at row {first_row(miss)}.")
    sd = float(np.std(x, ddof=1))
    if not sd > 0:
        raise ZeroVarianceError(f"{caller}: all {n} values of column {value!r} are equal "
                                f"({x[0]:g}); no sigma can be estimated.")
    chart = _within_chart(x, keys, value, subgroup, method, caller)
    sw = float(chart.location.sigma)
    if not sw > 0:
        raise ZeroVarianceError(f"{caller}: the within-subgroup sigma of column {value!r} is "
                                "zero (no variation within subgroups or between neighbours).")
    mean = float(np.mean(x))
    within = capability_indices(mean, sw, lo, hi, t)
    overall = capability_indices(mean, sd, lo, hi)
    over = {"pp": overall["cp"], "ppk": overall["cpk"], "ppl": overall["cpl"],
            "ppu": overall["cpu"]}
    notes: list[str] = []
    if t is None:
        delta = None
    elif cpm_kind == "qcc":
        delta = (mean - t) / sw
        if within["cpm"] is None:
            notes.append("Cpm (qcc) needs both specification limits: not computed; "
                         "cpm_method='minitab' gives the one-sided form")
    else:
        delta = (mean - t) / sd
        half = min(d for d in (t - lo if lo is not None else None,
                               hi - t if hi is not None else None) if d is not None)
        within["cpm"] = half / (3.0 * math.sqrt(float(np.sum((x - t) ** 2)) / (n - 1)))
    intervals = capability_intervals({**within, **over}, n, confidence=conf, delta=delta)
    normal = normality_test(x)
    if normal.doubtful:
        ps = ", ".join(f"{name} p = {p:.2g}" for name, p in
                       (("Anderson-Darling", normal.ad_p_value),
                        ("Shapiro-Wilk", normal.sw_p_value)) if p is not None)
        notes.append(f"the data do not look normal ({ps}): normal-theory indices and PPM "
                     "are doubtful; see percentile_capability or boxcox_capability")
    if not chart.location.in_control or not chart.dispersion.in_control:
        notes.append(f"the {chart.location.chart}/{chart.dispersion.chart} chart signals: "
                     "capability assumes a stable process")
    result = Capability(
        value=value, n=n, mean=mean, sigma_within=sw, sigma_overall=sd, sigma_method=method,
        lsl=lo, usl=hi, target=t,
        cp=within["cp"], cpk=within["cpk"], cpl=within["cpl"], cpu=within["cpu"],
        cpm=within["cpm"], pp=over["pp"], ppk=over["ppk"], ppl=over["ppl"], ppu=over["ppu"],
        intervals=intervals, confidence=conf, ppm=_ppm(x, mean, sw, sd, lo, hi),
        normality=normal, values=x, subgroup=subgroup, subgroups=keys, cpm_method=cpm_kind,
        notes=tuple(notes),
    )
    result.__dict__["chart"] = chart   # the chart computed above: no need to rebuild it
    return result

