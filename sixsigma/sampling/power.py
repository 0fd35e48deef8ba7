"""Power and sample size to detect a change in an error rate between two periods.

Two methods for the two-sample test of proportions, both normal approximations:

* ``"arcsine"`` (default): Cohen's effect size h = 2 asin sqrt(p2) - 2 asin sqrt(p1) with
  the normal approximation, the method of statsmodels' ``NormalIndPower`` (Cohen 1988,
  ch. 6). The arcsine transform stabilises the variance, so the formula does not depend on
  which variance (pooled or not) one assumes.
* ``"fleiss"``: the classic critical-ratio formula with the pooled variance under the null
  hypothesis and the unpooled variance under the alternative (Fleiss, Levin & Paik 2003,
  §4.2, eq. 4.14, and §4.4 for unequal groups), optionally with the continuity correction
  of Fleiss, Tytun & Ury (1980), which reproduces the book's sample-size tables.

References
----------
.. [1] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
   Lawrence Erlbaum. Ch. 6.
.. [2] Fleiss, J. L., Levin, B., & Paik, M. C. (2003). *Statistical Methods for Rates and
   Proportions* (3rd ed.). Wiley. §4.2-4.4.
.. [3] Fleiss, J. L., Tytun, A., & Ury, H. K. (1980). A simple approximation for calculating
   sample sizes for comparing independent proportions. *Biometrics*, 36, 343-346.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import optimize, stats

from sixsigma._params import choice
from sixsigma._result import Result
from sixsigma.errors import ParameterError
from sixsigma.sampling._checks import as_count, as_probability, as_real

__all__ = ["TwoProportionPower", "power_two_proportions", "sample_size_two_proportions"]

METHODS = ("arcsine", "fleiss")
ALTERNATIVES = ("two-sided", "larger", "smaller")
_DESCRIPTION = {
    "arcsine": "Cohen's h with the normal approximation (as statsmodels NormalIndPower)",
    "fleiss": "pooled/unpooled normal approximation (Fleiss, Levin & Paik 2003, eq. 4.14)",
}


@dataclass(frozen=True, eq=False, repr=False)
class TwoProportionPower(Result, kind="two_proportion_power"):
    """A two-period comparison of proportions: sizes, effect and power.

    Attributes
    ----------
    p1, p2 : float
        Proportion (error rate) in period 1 (baseline) and period 2.
    n1, n2 : int
        Audits in each period.
    alpha : float
        Significance level of the test.
    alternative : str
        ``"two-sided"``, ``"larger"`` (p2 > p1) or ``"smaller"`` (p2 < p1).
    method : str
        ``"arcsine"`` or ``"fleiss"`` (see :attr:`method_description`).
    continuity : bool
        Whether the continuity correction was applied (``"fleiss"`` only).
    h : float
        Cohen's effect size 2 asin sqrt(p2) - 2 asin sqrt(p1).
    difference : float
        p2 - p1.
    power : float
        Probability that the test rejects at these sizes.
    target_power : float or None
        The power asked for (sample-size results), else None.
    """

    p1: float
    p2: float
    n1: int
    n2: int
    alpha: float
    alternative: str
    method: str
    continuity: bool
    h: float
    difference: float
    power: float
    target_power: float | None = None

    @property
    def method_description(self) -> str:
        """The method in words, with its source."""
        return _DESCRIPTION[self.method]

    @property
    def total(self) -> int:
        """n1 + n2."""
        return self.n1 + self.n2

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        cc = ", continuity-corrected" if self.continuity else ""
        lines = [
            f"{self.alternative} test of p1 = {self.p1:g} vs p2 = {self.p2:g} at "
            f"alpha = {self.alpha:g}: n1 = {self.n1}, n2 = {self.n2}, power = {self.power:.3f}",
            f"  method: {self.method_description}{cc}; h = {self.h:.4f}",
        ]
        if self.target_power is not None:
            lines.append(f"  smallest sizes reaching power {self.target_power:g}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)



def _cohen_h(p1: float, p2: float) -> float:
    return 2.0 * math.asin(math.sqrt(p2)) - 2.0 * math.asin(math.sqrt(p1))


def _z(alpha: float, alternative: str) -> float:
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    return float(stats.norm.isf(tail))


def _power(p1: float, p2: float, n1: float, n2: float, alpha: float, alternative: str,
           method: str, continuity: bool) -> float:
    """Power at real-valued sizes (the sample-size solver needs them)."""
    z = _z(alpha, alternative)
    if method == "arcsine":
        shift = _cohen_h(p1, p2) * math.sqrt(n1 * n2 / (n1 + n2))
        up = float(stats.norm.sf(z - shift))
        down = float(stats.norm.cdf(-z - shift))
    else:
        pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
        s0 = math.sqrt(pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2))
        s1 = math.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
        cc = 0.5 * (1.0 / n1 + 1.0 / n2) if continuity else 0.0
        d = p2 - p1
        up = float(stats.norm.cdf((d - cc - z * s0) / s1))
        down = float(stats.norm.cdf((-d - cc - z * s0) / s1))
    if alternative == "larger":
        return up
    if alternative == "smaller":
        return down
    return up + down


def _common(p1: Any, p2: Any, alpha: Any, alternative: Any, method: Any, continuity: Any,
            caller: str) -> tuple[float, float, float, str, str, bool]:
    p1 = as_probability(p1, "p1", caller=caller)
    p2 = as_probability(p2, "p2", caller=caller)
    if p1 == p2:
        raise ParameterError(
            f"{caller}: p1 and p2 are both {p1:g}; there is no change to detect."
        )
    alpha = as_probability(alpha, "alpha", caller=caller)
    alternative = choice(alternative, "alternative", ALTERNATIVES, caller=caller)
    method = choice(method, "method", METHODS, caller=caller)
    if not isinstance(continuity, bool):
        raise ParameterError(f"{caller}: continuity must be True or False; got {continuity!r}.")
    if continuity and method != "fleiss":
        raise ParameterError(
            f"{caller}: the continuity correction belongs to method='fleiss'; the arcsine "
            "method has none."
        )
    if (alternative == "larger" and p2 < p1) or (alternative == "smaller" and p2 > p1):
        raise ParameterError(
            f"{caller}: alternative={alternative!r} tests for p2 "
            f"{'>' if alternative == 'larger' else '<'} p1, but p2 = {p2:g} and p1 = {p1:g}."
        )
    return p1, p2, alpha, alternative, method, continuity


def power_two_proportions(
    p1: float,
    p2: float,
    n1: int,
    n2: int | None = None,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "arcsine",
    continuity: bool = False,
) -> TwoProportionPower:
    """Power of the two-sample test of proportions to detect a change from p1 to p2.

    Parameters
    ----------
    p1, p2 : float
        The error rate in the baseline period and the (hypothetical) rate after a change,
        each strictly between 0 and 1, and different.
    n1 : int
        Audits in period 1 (at least 1).
    n2 : int, optional
        Audits in period 2; defaults to ``n1``.
    alpha : float, default 0.05
        Significance level.
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"
        ``"larger"``: the test looks for an increase, p2 > p1; ``"smaller"`` a decrease.
    method : {"arcsine", "fleiss"}, default "arcsine"
        See the module description and Notes.
    continuity : bool, default False
        Apply the continuity correction (``method="fleiss"`` only).

    Returns
    -------
    TwoProportionPower
        With ``.power`` and the inputs.

    Raises
    ------
    ParameterError
        p1 or p2 outside (0, 1), p1 == p2, alpha outside (0, 1), n1 or n2 not a whole
        number >= 1, an unknown method or alternative, a one-sided alternative that points
        away from p2, or ``continuity=True`` with the arcsine method.

    Notes
    -----
    Arcsine (Cohen 1988, ch. 6; statsmodels ``NormalIndPower().power``): with
    h = 2 asin sqrt(p2) - 2 asin sqrt(p1) and m = n1 n2 / (n1 + n2), two-sided power is
    Φ(h sqrt(m) - z) + Φ(-h sqrt(m) - z), z = z(1 - alpha/2); one-sided, the matching term
    with z = z(1 - alpha).

    Fleiss (Fleiss, Levin & Paik 2003, eq. 4.14 solved for the power): with the pooled
    p̄ = (n1 p1 + n2 p2)/(n1 + n2), s0² = p̄ q̄ (1/n1 + 1/n2) and
    s1² = p1 q1 / n1 + p2 q2 / n2, the power is Φ((|p2 - p1| - c - z s0) / s1) plus the
    far tail Φ((-|p2 - p1| - c - z s0) / s1) for a two-sided test (the same as
    statsmodels ``power_proportions_2indep``); c = (1/n1 + 1/n2)/2 with the continuity
    correction, else 0.

    Examples
    --------
    A week of 1000 audits a period, error rate 5 % -> 7 %:

    >>> import sixsigma.sampling as sampling
    >>> round(sampling.power_two_proportions(0.05, 0.07, 1000).power, 3)
    0.472
    >>> round(sampling.power_two_proportions(0.05, 0.07, 1000, method="fleiss").power, 3)
    0.469
    """
    caller = "power_two_proportions"
    p1, p2, alpha, alternative, method, continuity = _common(
        p1, p2, alpha, alternative, method, continuity, caller
    )
    size1 = as_count(n1, "n1", caller=caller)
    size2 = size1 if n2 is None else as_count(n2, "n2", caller=caller)
    power = _power(p1, p2, size1, size2, alpha, alternative, method, continuity)
    return TwoProportionPower(
        p1=p1, p2=p2, n1=size1, n2=size2, alpha=alpha, alternative=alternative,
        method=method, continuity=continuity, h=_cohen_h(p1, p2), difference=p2 - p1,
        power=power,
    )


def sample_size_two_proportions(
    p1: float,
    p2: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    ratio: float = 1.0,
    alternative: str = "two-sided",
    method: str = "arcsine",
    continuity: bool = False,
) -> TwoProportionPower:
    """Audits needed in each period to detect a change in a rate from p1 to p2.

    Parameters
    ----------
    p1, p2 : float
        Baseline rate and the rate to detect (strictly between 0 and 1, different).
    power : float, default 0.8
        Power wanted, strictly between alpha and 1.
    alpha : float, default 0.05
        Significance level.
    ratio : float, default 1.0
        n2 / n1, the relative size of the second period's sample (> 0).
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"
        As in :func:`power_two_proportions`.
    method : {"arcsine", "fleiss"}, default "arcsine"
        As in :func:`power_two_proportions`.
    continuity : bool, default False
        Continuity correction (``method="fleiss"`` only); Fleiss' tables include it.

    Returns
    -------
    TwoProportionPower
        ``n1`` (rounded up), ``n2`` = ceil(ratio x the real-valued n1), the power those
        sizes achieve (at least ``power``) and ``target_power``.

    Raises
    ------
    ParameterError
        As :func:`power_two_proportions`, and for power outside (alpha, 1) or a ratio
        that is not positive.

    Notes
    -----
    Arcsine: the n1 at which the power of :func:`power_two_proportions` equals ``power``,
    solved numerically (as statsmodels ``NormalIndPower().solve_power``); one-sided this
    is n1 = (1 + 1/ratio) ((z(1-alpha) + z(power)) / h)².

    Fleiss (Fleiss, Levin & Paik 2003, eq. 4.14; r = ratio, p̄ = (p1 + r p2)/(1 + r)):
    n1' = [z sqrt((r + 1) p̄ q̄) + z(power) sqrt(r p1 q1 + p2 q2)]² / (r (p2 - p1)²),
    z = z(1 - alpha/2) two-sided; the far tail is ignored, as in the book. With the
    continuity correction (Fleiss, Tytun & Ury 1980),
    n1 = n1'/4 [1 + sqrt(1 + 2 (r + 1) / (r n1' |p2 - p1|))]².

    Examples
    --------
    >>> import sixsigma.sampling as sampling
    >>> res = sampling.sample_size_two_proportions(0.05, 0.07)
    >>> res.n1, res.n2
    (2199, 2199)
    >>> sampling.sample_size_two_proportions(0.10, 0.20, method="fleiss",
    ...                                      continuity=True).n1
    219
    """
    caller = "sample_size_two_proportions"
    p1, p2, alpha, alternative, method, continuity = _common(
        p1, p2, alpha, alternative, method, continuity, caller
    )
    target = as_probability(power, "power", caller=caller)
    if target <= alpha:
        raise ParameterError(
            f"{caller}: power ({target:g}) must exceed alpha ({alpha:g}); a test has that "
            "much power with no data at all."
        )
    r = as_real(ratio, "ratio", caller=caller, low=0.0, low_open=True)
    zb = float(stats.norm.ppf(target))
    z = _z(alpha, alternative)
    if method == "arcsine":
        h = abs(_cohen_h(p1, p2))
        approx = (1.0 + 1.0 / r) * ((z + zb) / h) ** 2
        if alternative == "two-sided":
            def gap(n: float) -> float:
                return _power(p1, p2, n, r * n, alpha, alternative, method, False) - target

            n1_real = float(optimize.brentq(gap, 1e-9, approx * (1.0 + 1e-9) + 1e-9,
                                            xtol=1e-10, rtol=1e-14))
        else:
            n1_real = approx
    else:
        pbar = (p1 + r * p2) / (1.0 + r)
        d = abs(p2 - p1)
        root = z * math.sqrt((r + 1.0) * pbar * (1.0 - pbar)) + zb * math.sqrt(
            r * p1 * (1.0 - p1) + p2 * (1.0 - p2)
        )
        n1_real = root * root / (r * d * d)
        if continuity:
            grow = 1.0 + math.sqrt(1.0 + 2.0 * (r + 1.0) / (r * n1_real * d))
            n1_real = n1_real / 4.0 * grow * grow
    size1 = max(1, math.ceil(n1_real - 1e-9))
    size2 = max(1, math.ceil(r * n1_real - 1e-9))
    achieved = _power(p1, p2, size1, size2, alpha, alternative, method, continuity)
    return TwoProportionPower(
        p1=p1, p2=p2, n1=size1, n2=size2, alpha=alpha, alternative=alternative,
        method=method, continuity=continuity, h=_cohen_h(p1, p2), difference=p2 - p1,
        power=achieved, target_power=target,
    )
