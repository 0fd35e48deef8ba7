"""Sensitivity of a p chart with a fixed daily sample: ARL and the smallest detectable shift.

Exact binomial run lengths for the Shewhart p chart with known in-control rate p0 and
3-sigma limits p0 ± k sqrt(p0 (1 - p0)/n) (Montgomery 2019, §7.2.1, the operating
characteristic and ARL of the p chart). Only rule 1 (a point beyond a limit) is covered:
for it the daily signals are independent, so the run length is geometric and
ARL = 1 / P(signal).

References
----------
.. [1] Montgomery, D. C. (2019). *Introduction to Statistical Quality Control* (8th ed.).
   Wiley. §7.2.1 (the OC function and average run length of the p chart).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sixsigma._frames import first_row
from sixsigma._result import Result
from sixsigma.errors import ParameterError
from sixsigma.sampling._checks import as_count, as_probability, as_real
from sixsigma.spc.rules import resolve_rules

__all__ = ["DetectableShift", "pchart_arl", "pchart_detectable_shift"]

FloatArray = NDArray[np.float64]
_GRID = 4001
_SUPPORTED_RULES = {"nelson_1", "we_1"}


@dataclass(frozen=True)
class _Limits:
    ucl: float
    lcl: float  # NaN when absent
    upper: int  # signal when X > upper (X >= upper + 1); upper >= n: no upper signal
    lower: int  # signal when X <= lower; -1: no lower signal


def _limits(p0: float, n: int, nsigmas: float) -> _Limits:
    half = nsigmas * math.sqrt(p0 * (1.0 - p0) / n)
    ucl, lcl = p0 + half, p0 - half
    # Counts: X/n > ucl <=> X > n*ucl; a count exactly on a limit does not signal.
    c_up, c_low = n * ucl, n * lcl
    upper = math.floor(c_up + 1e-9 * max(1.0, c_up))
    lower = math.ceil(c_low - 1e-9 * max(1.0, abs(c_low))) - 1 if c_low > 0 else -1
    return _Limits(ucl=ucl, lcl=lcl if lcl > 0 else math.nan, upper=upper, lower=lower)


def _signal(lim: _Limits, n: int, p1: FloatArray) -> FloatArray:
    up = stats.binom.sf(lim.upper, n, p1) if lim.upper < n else np.zeros_like(p1)
    low = stats.binom.cdf(lim.lower, n, p1) if lim.lower >= 0 else np.zeros_like(p1)
    out: FloatArray = np.asarray(up + low, dtype=np.float64)
    return out


def _check(p0: Any, n: Any, nsigmas: Any, caller: str) -> tuple[float, int, float]:
    p0 = as_probability(p0, "p0", caller=caller)
    size = as_count(n, "n", caller=caller)
    k = as_real(nsigmas, "nsigmas", caller=caller, low=0.0, low_open=True)
    return p0, size, k


@overload
def pchart_arl(p0: float, p1: float, n: int, *, nsigmas: float = 3.0) -> float: ...
@overload
def pchart_arl(p0: float, p1: ArrayLike, n: int, *, nsigmas: float = 3.0) -> Any: ...
def pchart_arl(p0: float, p1: ArrayLike, n: int, *, nsigmas: float = 3.0) -> Any:
    """Average run length of a p chart (rule 1) when the true rate is p1.

    Parameters
    ----------
    p0 : float
        In-control rate the limits are built on (strictly between 0 and 1).
    p1 : float or array_like
        True rate(s), in [0, 1].
    n : int
        Sample size per point (audits per day), at least 1.
    nsigmas : float, default 3.0
        Width of the limits.

    Returns
    -------
    float or numpy.ndarray
        Expected number of points up to and including the first signal, 1 / P(signal);
        ``inf`` where no signal is possible. An array for an array ``p1``.

    Raises
    ------
    ParameterError
        p0 outside (0, 1), p1 outside [0, 1], n not a whole number >= 1, nsigmas <= 0.

    Notes
    -----
    Limits from p0: UCL = p0 + k sqrt(p0 q0 / n); LCL = p0 - k sqrt(p0 q0 / n), absent
    when not above 0 (this project's convention). With X ~ Binomial(n, p1),
    P(signal) = P(X > n UCL) + P(X < n LCL), exact binomial probabilities (not the normal
    approximation): the chart's limits fall between counts, so its in-control ARL is not
    370 but depends on n and p0 (Montgomery 2019, §7.2.1). A count exactly on a limit
    does not signal.

    Examples
    --------
    >>> import sixsigma.sampling as sampling
    >>> round(sampling.pchart_arl(0.05, 0.05, 500), 1)
    316.4
    >>> round(sampling.pchart_arl(0.05, 0.08, 500), 2)
    1.91
    """
    caller = "pchart_arl"
    p0, size, k = _check(p0, n, nsigmas, caller)
    try:
        rates = np.asarray(p1, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{caller}: p1 must be a number or an array of numbers.") from err
    bad = ~((rates >= 0.0) & (rates <= 1.0))
    if bad.any():
        i = first_row(bad.ravel())
        raise ParameterError(
            f"{caller}: the 'p1' parameter must lie in [0, 1]; value {i} is "
            f"{float(rates.ravel()[i])!r}."
        )
    prob = _signal(_limits(p0, size, k), size, rates)
    with np.errstate(divide="ignore"):
        arl = np.where(prob > 0, 1.0 / np.where(prob > 0, prob, 1.0), np.inf)
    return float(arl) if arl.ndim == 0 else arl


def _nan(value: float | None) -> float:
    """A figure read back from JSON as None (undefined) as NaN, for arithmetic."""
    return math.nan if value is None else value


@dataclass(frozen=True, eq=False, repr=False)
class DetectableShift(Result, kind="pchart_detectable_shift"):
    """The smallest change in rate a p chart detects within ``days`` points on average.

    Attributes
    ----------
    p0 : float
        In-control rate.
    n : int
        Sample size per point.
    days : float
        The ARL target: a shift counts as detected when its ARL is at most ``days``.
    nsigmas : float
        Width of the limits.
    rules : tuple of str
        The rules evaluated (rule 1 only).
    ucl, lcl : float
        The limits on the proportion scale (lcl NaN when absent).
    upper_count : int or None
        Smallest daily count that signals high (None: none can).
    lower_count : int or None
        Largest daily count that signals low (None: no lower limit).
    in_control_arl : float
        ARL at p0: the average number of days between false alarms.
    increase : float
        Smallest p1 > p0 whose ARL is at most ``days`` (NaN when no such rate).
    arl_increase : float
        ARL at ``increase``.
    decrease : float
        Largest p1 < p0 whose ARL is at most ``days`` (NaN without a lower limit).
    arl_decrease : float
        ARL at ``decrease``.
    method : str
        How the figures were computed.
    notes : tuple of str
        Caveats.

    An undefined figure (NaN) or an infinite ARL is written as null by :meth:`to_dict`
    with a note, and reads back from :func:`sixsigma.from_dict` as None.
    """

    p0: float
    n: int
    days: float
    nsigmas: float
    rules: tuple[str, ...]
    ucl: float
    lcl: float | None
    upper_count: int | None
    lower_count: int | None
    in_control_arl: float | None
    increase: float | None
    arl_increase: float | None
    decrease: float | None
    arl_decrease: float | None
    method: str = "exact binomial ARL, rule 1, bisection on p1"

    def to_frame(self) -> pd.DataFrame:
        """One row per direction: direction, p1, shift (p1 - p0), relative shift, arl."""
        p1 = np.array([_nan(self.increase), _nan(self.decrease)])
        return pd.DataFrame(
            {
                "direction": ["increase", "decrease"],
                "p1": p1,
                "shift": p1 - self.p0,
                "relative_shift": p1 / self.p0 - 1.0,
                "arl": [_nan(self.arl_increase), _nan(self.arl_decrease)],
            }
        )

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        lcl = "none" if math.isnan(_nan(self.lcl)) else f"{self.lcl:.4f}"
        lines = [
            f"p chart, p0 = {self.p0:g}, n = {self.n}: UCL {self.ucl:.4f}, LCL {lcl}, "
            f"in-control ARL {_nan(self.in_control_arl):.1f}",
        ]
        for word, shift in (("increase", self.increase), ("decrease", self.decrease)):
            p1 = _nan(shift)
            if math.isnan(p1):
                lines.append(f"  no {word} is detected within {self.days:g} points on average")
            else:
                lines.append(
                    f"  {word} to p1 = {p1:.4f} ({p1 - self.p0:+.4f}) detected within "
                    f"{self.days:g} points on average"
                )
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _crossing(lim: _Limits, n: int, target: float, start: float, stop: float) -> float:
    """First p1 going from ``start`` towards ``stop`` with P(signal) >= target.

    A grid of p1 values (vectorised) finds the first grid cell where the signal probability
    reaches the target; bisection then narrows that cell to 1e-12. NaN when never reached.
    """
    grid = np.linspace(start, stop, _GRID)
    hit = _signal(lim, n, grid) >= target
    hit[0] = False
    if not hit.any():
        return math.nan
    j = int(np.argmax(hit))
    outside, inside = float(grid[j - 1]), float(grid[j])
    for _ in range(200):
        if abs(inside - outside) <= 1e-12:
            break
        mid = 0.5 * (outside + inside)
        if _signal(lim, n, np.array([mid]))[0] >= target:
            inside = mid
        else:
            outside = mid
    return inside


def pchart_detectable_shift(
    p0: float,
    n: int,
    days: float,
    *,
    nsigmas: float = 3.0,
    rules: str | tuple[str, ...] = "nelson_1",
) -> DetectableShift:
    """The smallest shift in rate a p chart detects within ``days`` points on average.

    Parameters
    ----------
    p0 : float
        In-control rate (strictly between 0 and 1), e.g. the current error rate.
    n : int
        Audits per day (per point), at least 1.
    days : float
        Detection target: the out-of-control ARL must be at most this many points. It must
        be greater than 1 and below the chart's in-control ARL.
    nsigmas : float, default 3.0
        Width of the limits.
    rules : str or tuple of str, default "nelson_1"
        Only rule 1 (``"nelson_1"``, or its alias ``"we_1"``) is supported: its run length
        is geometric, so the ARL is exact. Other rules raise :class:`ParameterError`.

    Returns
    -------
    DetectableShift
        ``increase`` (smallest p1 > p0 with ARL <= days), ``decrease`` (largest p1 < p0
        with ARL <= days; NaN when the chart has no lower limit), the limits and ARLs.

    Raises
    ------
    ParameterError
        Bad p0, n or nsigmas; days <= 1 or not below the in-control ARL; rules other than
        rule 1.

    Notes
    -----
    ARL(p1) = 1 / P(signal | p1) with exact binomial probabilities (see
    :func:`pchart_arl`). The smallest p1 with ARL(p1) <= days is found on a grid of 4001
    rates between p0 and 1 (vectorised), then by bisection to 1e-12 within the first grid
    cell that reaches the target. The binomial's discreteness shows in the limits, which
    fall between whole counts (``upper_count`` is the smallest daily count that signals),
    and in the in-control ARL (316 for p0 = 0.05 and n = 500, not the normal-theory 370);
    P(signal) itself is a smooth function of p1.

    Examples
    --------
    A daily p chart on 500 audits at a 5 % error rate: which rate does it catch within
    5 days on average?

    >>> import sixsigma.sampling as sampling
    >>> res = sampling.pchart_detectable_shift(0.05, 500, 5)
    >>> round(res.increase, 4), res.upper_count
    (0.0695, 40)
    """
    caller = "pchart_detectable_shift"
    p0, size, k = _check(p0, n, nsigmas, caller)
    target_days = as_real(days, "days", caller=caller)
    ids = resolve_rules(rules, caller=caller)
    if not set(ids) <= _SUPPORTED_RULES:
        raise ParameterError(
            f"{caller}: only rule 1 ('nelson_1') is supported, whose run length is "
            f"geometric and its ARL exact; got {', '.join(ids)}. For other rules, simulate "
            "the chart and use sixsigma.spc.rules.find_violations."
        )
    if target_days <= 1.0:
        raise ParameterError(
            f"{caller}: the 'days' parameter must exceed 1 (an ARL is at least 1 point); "
            f"got {target_days:g}."
        )
    lim = _limits(p0, size, k)
    arl0 = float(pchart_arl(p0, p0, size, nsigmas=k))
    if target_days >= arl0:
        raise ParameterError(
            f"{caller}: days={target_days:g} is not below the in-control ARL of this chart "
            f"({arl0:.4g} points): it signals that often with no shift at all."
        )
    target = 1.0 / target_days
    notes: list[str] = []
    up = _crossing(lim, size, target, p0, 1.0)
    if lim.lower >= 0:
        down = _crossing(lim, size, target, p0, 0.0)
    else:
        down = math.nan
        notes.append(
            f"no lower limit: with p0 = {p0:g} a decrease can signal only when "
            f"n > {k * k * (1 - p0) / p0:.4g}"
        )
    if math.isnan(up):
        notes.append("no increase reaches the target ARL (the upper limit is at or above 1).")
    arl_up = math.nan if math.isnan(up) else float(pchart_arl(p0, up, size, nsigmas=k))
    arl_down = math.nan if math.isnan(down) else float(pchart_arl(p0, down, size, nsigmas=k))
    return DetectableShift(
        p0=p0, n=size, days=target_days, nsigmas=k, rules=ids, ucl=lim.ucl, lcl=lim.lcl,
        upper_count=lim.upper + 1 if lim.upper < size else None,
        lower_count=lim.lower if lim.lower >= 0 else None,
        in_control_arl=arl0, increase=up, arl_increase=arl_up, decrease=down,
        arl_decrease=arl_down, notes=tuple(notes),
    )
