"""Attribute capability and sigma metrics: DPU, DPO, DPMO, yields and the sigma level.

Conventions (Breyfogle, *Implementing Six Sigma*, 2nd ed., 2003, ch. 9 and 11; Harry &
Schroeder 2000; Montgomery, *Introduction to Statistical Quality Control*, 8th ed., §1.4):

* DPU = defects / units; DPO = defects / (units x opportunities); DPMO = 1e6 DPO.
* First-pass yield: 1 - defectives/units when the number of defective units is known
  (``fpy_method="observed"``), else the Poisson yield exp(-DPU) (``"poisson"``).
* Rolled throughput yield: the product of the steps' first-pass yields; normalized yield
  RTY^(1/k).
* Sigma level: Z.bench = Phi^-1(1 - DPMO/1e6) (long-term, no shift), plus the
  conventional 1.5 sigma shift of the standard conversion table (``shift=1.5`` by default;
  ``shift=0`` gives Z.bench). 3.4 DPMO is 6.0 sigma with the shift and 4.5 without.
* Interval on the defect rate per opportunity: Wilson (1927) score interval by default,
  or the exact Clopper-Pearson (1934) interval (both from :mod:`sixsigma._stats`);
  carried to the sigma level through the monotone map above (a lower defect rate is a
  higher sigma level).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sixsigma._frames import first_row
from sixsigma._params import check_confidence, check_number, shown
from sixsigma._result import Result
from sixsigma._stats import clopper_pearson, wilson
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError

__all__ = [
    "RolledYield",
    "SigmaMetrics",
    "dpmo_from_sigma",
    "rolled_throughput_yield",
    "sigma_level",
    "sigma_metrics",
]


def sigma_level(dpmo: ArrayLike, *, shift: float = 1.5) -> float | NDArray[np.float64]:
    """Process sigma level from DPMO: Phi^-1(1 - DPMO/1e6) + shift.

    Parameters
    ----------
    dpmo : float or array-like
        Defects per million opportunities, 0 <= DPMO <= 1e6 (0 gives inf).
    shift : float
        The long-term to short-term shift added (1.5 by the standard table; 0 for Z.bench).

    Returns
    -------
    float or numpy.ndarray
        The sigma level(s).

    Raises
    ------
    DomainError
        A DPMO outside [0, 1e6] or not a number.

    Examples
    --------
    >>> from sixsigma.capability import sigma_level
    >>> round(sigma_level(3.4), 2), round(sigma_level(3.4, shift=0), 2)
    (6.0, 4.5)
    >>> round(sigma_level(66_807), 2)
    3.0
    """
    shift = check_number(shift, "shift", caller="sigma_level")
    arr = np.asarray(dpmo, dtype=float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1e6)
    if bad.any():
        i = first_row(bad.ravel())
        raise DomainError(f"sigma_level: DPMO must lie in [0, 1e6]; value {i} is "
                          f"{shown(arr.ravel()[i])}.")
    with np.errstate(divide="ignore"):
        out = stats.norm.isf(arr / 1e6) + float(shift)
    return float(out) if out.ndim == 0 else np.asarray(out, dtype=float)


def dpmo_from_sigma(level: ArrayLike, *, shift: float = 1.5) -> float | NDArray[np.float64]:
    """DPMO of a sigma level: 1e6 (1 - Phi(level - shift)), the inverse of :func:`sigma_level`.

    Parameters
    ----------
    level : float or array-like
        Sigma level(s).
    shift : float
        The shift the level includes (1.5 by the standard table).

    Returns
    -------
    float or numpy.ndarray
        DPMO.

    Examples
    --------
    >>> from sixsigma.capability import dpmo_from_sigma
    >>> round(dpmo_from_sigma(6.0), 1), round(dpmo_from_sigma(4.0))
    (3.4, 6210)
    """
    shift = check_number(shift, "shift", caller="dpmo_from_sigma")
    arr = np.asarray(level, dtype=float)
    bad = np.isnan(arr)
    if bad.any():
        raise DomainError(f"dpmo_from_sigma: a sigma level must be a number; value "
                          f"{first_row(bad.ravel())} is NaN.")
    out = stats.norm.sf(arr - shift) * 1e6
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)


def _count(value: Any, name: str, *, minimum: float = 0.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise DomainError(f"sigma_metrics: {name} must be a number; got {shown(value)}.") from err
    if not math.isfinite(v) or v < minimum or v != math.floor(v):
        raise DomainError(f"sigma_metrics: {name} must be a whole number >= {minimum:g}; got "
                          f"{shown(value)}.")
    return v


@dataclass(frozen=True, eq=False, repr=False)
class SigmaMetrics(Result, kind="sigma_metrics"):
    """Defect metrics, yield and sigma level of an attribute (pass/fail) process.

    Attributes
    ----------
    count, units, opportunities : float
        The counts given: defects (which can exceed one per unit), units inspected and
        opportunities per unit.
    defectives : float or None
        Defective units, when given.
    dpu, dpo, dpmo : float
        Defects per unit, per opportunity, per million opportunities.
    fpy : float
        First-pass yield; ``fpy_method`` ``"observed"`` (1 - defectives/units) or
        ``"poisson"`` (exp(-DPU)).
    z_bench : float
        Phi^-1(1 - DPO): the long-term sigma level, without shift.
    sigma_level : float
        z_bench + shift (inf when there are no defects).
    shift : float
        The shift applied (1.5 by the standard table).
    confidence : float
        Level of the intervals.
    interval_method : str
        ``"wilson"`` or ``"exact"`` (Clopper-Pearson).
    intervals : dict
        ``"dpo"``: the interval on the defect rate per opportunity; ``"dpmo"``: the same per
        million; ``"sigma_level"``: the same interval carried to the sigma level (from the
        upper DPO, from the lower DPO), whose upper end is inf when the lower DPO bound is 0.
    notes : tuple of str
        Why a figure is infinite (no defects, or nothing but defects).
    """

    count: float
    units: float
    opportunities: float
    defectives: float | None
    dpu: float
    dpo: float
    dpmo: float
    fpy: float
    fpy_method: str
    z_bench: float
    sigma_level: float
    shift: float
    confidence: float
    interval_method: str
    intervals: dict[str, tuple[float, float]]

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: metric, estimate, ci_low, ci_high."""
        nan = (float("nan"), float("nan"))
        rows = [(name, getattr(self, name), *self.intervals.get(name, nan))
                for name in ("dpu", "dpo", "dpmo", "fpy", "z_bench", "sigma_level")]
        return pd.DataFrame(rows, columns=["metric", "estimate", "ci_low", "ci_high"])

    def summary(self) -> str:
        """A short text summary."""
        lo, hi = (_shown(v) for v in self.intervals["sigma_level"])
        level, z = _shown(self.sigma_level), _shown(self.z_bench)
        lines = [
            f"Sigma metrics: {self.count:g} defects in {self.units:g} units x "
            f"{self.opportunities:g} opportunities",
            f"  DPU {self.dpu:.4g}, DPMO {self.dpmo:.1f}, FPY {self.fpy:.4f} "
            f"({self.fpy_method})",
            f"  sigma level {level:.2f} (shift {self.shift:g}; Z.bench "
            f"{z:.2f}), {self.confidence:.0%} {self.interval_method} interval "
            f"[{lo:.2f}, {hi:.2f}]",
        ]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _shown(value: float | None) -> float:
    """A figure for display: None (an infinite figure after a JSON round trip) as inf."""
    return math.inf if value is None else value


def sigma_metrics(
    count: int,
    units: int,
    opportunities: float = 1,
    *,
    defectives: int | None = None,
    confidence: float = 0.95,
    interval: Literal["wilson", "exact"] = "wilson",
    shift: float = 1.5,
) -> SigmaMetrics:
    """DPU, DPO, DPMO, first-pass yield and sigma level, with an interval on the defect rate.

    Parameters
    ----------
    count : int
        Defects found (errors of any type; a unit may have several).
    units : int
        Units inspected (audited items), at least 1.
    opportunities : float
        Opportunities for a defect per unit (1 when a decision is right or wrong).
    defectives : int, optional
        Units with at least one defect; gives the observed first-pass yield. Without it
        the Poisson yield exp(-DPU) is used.
    confidence : float
        Level of the interval (0.95).
    interval : {"wilson", "exact"}
        Wilson score interval (default) or exact Clopper-Pearson, on defects out of
        units x opportunities.
    shift : float
        Shift added to Z.bench for the sigma level (1.5; 0 for none).

    Returns
    -------
    SigmaMetrics

    Raises
    ------
    DomainError
        Negative or fractional counts, no units, more defects than opportunities,
        more defectives than units or than defects.
    ParameterError
        A bad ``interval`` or ``confidence``.

    Examples
    --------
    >>> from sixsigma.capability import sigma_metrics
    >>> m = sigma_metrics(count=34, units=10_000, opportunities=1000)
    >>> round(m.dpmo, 1), round(m.sigma_level, 2)
    (3.4, 6.0)
    """
    if interval not in ("wilson", "exact"):
        raise ParameterError(f"sigma_metrics: interval must be 'wilson' or 'exact'; got "
                             f"{shown(interval)}.")
    conf = check_confidence(confidence, caller="sigma_metrics")
    d = _count(count, "count (defects)")
    u = _count(units, "units", minimum=1.0)
    try:
        opp = float(opportunities)
    except (TypeError, ValueError) as err:
        raise DomainError(f"sigma_metrics: opportunities must be a number; got "
                          f"{shown(opportunities)}.") from err
    if not math.isfinite(opp) or opp <= 0:
        raise DomainError(f"sigma_metrics: opportunities per unit must be positive; got "
                          f"{shown(opportunities)}.")
    shift = check_number(shift, "shift", caller="sigma_metrics")
    total = u * opp
    if total > 2.0**53:
        raise DomainError(f"sigma_metrics: {total:g} opportunities (units x opportunities) "
                          "are beyond the 2^53 a count can exactly be; the rates would "
                          "overflow.")
    if d > total:
        raise DomainError(f"sigma_metrics: {d:g} defects exceed the {total:g} opportunities "
                          "(units x opportunities).")
    if defectives is not None:
        dd = _count(defectives, "defectives")
        if dd > u or dd > d:
            raise DomainError(f"sigma_metrics: defectives ({dd:g}) cannot exceed units "
                              f"({u:g}) or defects ({d:g}).")
        fpy, fpy_method = 1.0 - dd / u, "observed"
    else:
        dd = None
        fpy, fpy_method = math.exp(-d / u), "poisson"
    dpo = d / total
    kernel = clopper_pearson if interval == "exact" else wilson
    lo, hi = (float(v) for v in kernel(d, total, conf))
    z = float(sigma_level(dpo * 1e6, shift=0.0))
    sigma_ci = (float(sigma_level(hi * 1e6, shift=shift)),
                float(sigma_level(lo * 1e6, shift=shift)))
    notes: list[str] = []
    infinite = [f"{name} ({'+' if v > 0 else '-'}inf)" for name, v in (
        ("z_bench", z), ("sigma_level", z + shift), ("the lower end of the sigma_level "
                                                       "interval", sigma_ci[0]),
        ("the upper end of the sigma_level interval", sigma_ci[1])) if not math.isfinite(v)]
    if infinite:
        why = "no defects" if d == 0 else "every opportunity is a defect"
        notes.append(f"{why}: {', '.join(infinite)} cannot be finite; stored as null")
    return SigmaMetrics(
        count=d, units=u, opportunities=opp, defectives=dd, dpu=d / u, dpo=dpo,
        dpmo=dpo * 1e6, fpy=fpy, fpy_method=fpy_method, z_bench=z, sigma_level=z + shift,
        shift=float(shift), confidence=conf, interval_method=interval,
        intervals={"dpo": (lo, hi), "dpmo": (lo * 1e6, hi * 1e6), "sigma_level": sigma_ci},
        notes=tuple(notes),
    )


@dataclass(frozen=True, eq=False, repr=False)
class RolledYield(Result, kind="rolled_yield"):
    """Rolled throughput yield across process steps.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step: step, fpy, cumulative (the yield through that step).
    rty : float
        Product of the first-pass yields.
    normalized_yield : float
        RTY^(1/k), the average yield per step.
    """

    table: pd.DataFrame
    rty: float
    normalized_yield: float

    def summary(self) -> str:
        """A one-line summary."""
        return (f"Rolled throughput yield over {len(self.table)} steps: {self.rty:.4f} "
                f"(normalized yield {self.normalized_yield:.4f})")


def rolled_throughput_yield(
    yields: Mapping[str, float | SigmaMetrics] | Sequence[float | SigmaMetrics],
) -> RolledYield:
    """Rolled throughput yield: the product of the first-pass yields of the steps.

    Parameters
    ----------
    yields : mapping or sequence
        Step name -> first-pass yield in [0, 1] (or a :class:`SigmaMetrics`, whose
        ``fpy`` is used); a sequence is numbered 1..k.

    Returns
    -------
    RolledYield

    Raises
    ------
    InsufficientDataError
        No steps.
    DomainError
        A yield outside [0, 1].

    Examples
    --------
    >>> from sixsigma.capability import rolled_throughput_yield
    >>> r = rolled_throughput_yield({"review": 0.95, "qa": 0.98, "appeal": 0.99})
    >>> round(r.rty, 6)          # 0.95 * 0.98 * 0.99
    0.92169
    """
    if isinstance(yields, str | bytes) or not isinstance(yields, Mapping | Sequence | np.ndarray):
        raise ParameterError("rolled_throughput_yield: the 'yields' parameter must be a list "
                             "of step yields or a mapping {step: yield}; got "
                             f"{type(yields).__name__}.")
    items = list(yields.items()) if isinstance(yields, Mapping) else \
        [(str(i + 1), y) for i, y in enumerate(yields)]
    if not items:
        raise InsufficientDataError("rolled_throughput_yield: no steps given.")
    steps, values = [], []
    for name, y in items:
        v = y.fpy if isinstance(y, SigmaMetrics) else float(y)
        if not (math.isfinite(v) and 0.0 <= v <= 1.0):
            raise DomainError(f"rolled_throughput_yield: the yield of step {name!r} must lie "
                              f"in [0, 1]; got {shown(y)}.")
        steps.append(str(name))
        values.append(v)
    fpy = np.asarray(values, dtype=float)
    cum = np.cumprod(fpy)
    table = pd.DataFrame({"step": steps, "fpy": fpy, "cumulative": cum})
    rty = float(cum[-1])
    return RolledYield(table=table, rty=rty, normalized_yield=rty ** (1.0 / fpy.size))
