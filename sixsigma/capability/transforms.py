"""Capability of non-normal data after a transformation: Box-Cox and Johnson.

* Box-Cox (Box & Cox 1964): lambda by maximum likelihood
  (:func:`scipy.stats.boxcox_normmax`, ``method="mle"``, equal to MASS::boxcox's optimum),
  y = (x^lambda - 1)/lambda (log x at 0), specs transformed with the data, then
  :func:`sixsigma.capability.capability` on the transformed scale.
* Johnson: a simpler fit than Minitab's Chou et al. (1998) search: the SU, SB
  (:data:`scipy.stats.johnsonsu`, :data:`scipy.stats.johnsonsb`) and SL (three-parameter
  lognormal) families are fitted by maximum likelihood, each is used to transform the data
  to z = gamma + delta f((x - xi)/lambda), and the family whose z has the largest
  Anderson-Darling p-value is kept (Chou et al. pick by the same criterion). Families whose
  support does not contain every value and spec are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special, stats

from sixsigma._frames import Table
from sixsigma._params import check_confidence
from sixsigma._result import Result
from sixsigma.capability._common import check_specs, fit_values
from sixsigma.capability.indices import Capability, capability
from sixsigma.capability.normality import ad_normal_p_value, ad_statistic
from sixsigma.errors import DomainError, ParameterError

__all__ = ["TransformedCapability", "boxcox_capability", "johnson_capability"]


@dataclass(frozen=True, eq=False, repr=False)
class TransformedCapability(Result, kind="transformed_capability"):
    """Normal-theory capability computed on transformed data (Box-Cox or Johnson).

    Attributes
    ----------
    transform : str
        ``"boxcox"`` or ``"johnson_su"``, ``"johnson_sb"``, ``"johnson_sl"``.
    parameters : dict
        The transformation's parameters (``lambda`` for Box-Cox; ``gamma``, ``delta``,
        ``xi``, ``lambda`` for Johnson).
    lsl, usl, target : float or None
        The specs on the original scale.
    transformed : Capability
        The capability study of the transformed data against the transformed specs; the
        indices below are its indices.
    candidates : pandas.DataFrame or None
        For Johnson: the families tried with their AD p-values.
    notes : tuple of str
        The transformed study's notes.
    """

    transform: str
    parameters: dict[str, float]
    lsl: float | None
    usl: float | None
    target: float | None
    transformed: Capability
    candidates: pd.DataFrame | None = None

    def __getattr__(self, name: str) -> Any:
        if name in ("cp", "cpk", "cpl", "cpu", "cpm", "pp", "ppk", "ppl", "ppu", "intervals",
                    "ppm", "normality", "n", "confidence", "sigma_method",
                    "cpm_method"):
            return getattr(self.transformed, name)
        raise AttributeError(name)

    def to_frame(self) -> pd.DataFrame:
        """The transformed study's index table."""
        return self.transformed.to_frame()

    def summary(self) -> str:
        """The transformation, then the transformed study's summary."""
        par = ", ".join(f"{k} = {v:.4g}" for k, v in self.parameters.items())
        return f"{self.transform} transformation ({par})\n" + self.transformed.summary()

def _study(table: Table, value: str, y: NDArray[np.float64], fn: Callable[[float], Any],
           specs: tuple[float | None, float | None, float | None], subgroup: str | None,
           confidence: float, caller: str, sigma_method: Any, cpm_method: Any) -> Capability:
    """The normal-theory study of the transformed values ``y``, specs mapped by ``fn``."""

    def tr(v: float | None) -> float | None:
        return None if v is None else float(fn(v))

    frame: dict[str, Any] = {value: y}
    if subgroup is not None:
        table.require(subgroup)
        frame[subgroup] = table.raw(subgroup)
    lo, hi, t = specs
    return capability(frame, value, tr(lo), tr(hi), tr(t), subgroup,
                      check_confidence(confidence, caller=caller), sigma_method=sigma_method,
                      cpm_method=cpm_method)


def boxcox_capability(
    data: Any,
    value: str | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    subgroup: str | None = None,
    confidence: float = 0.95,
    *,
    lam: float | None = None,
    sigma_method: Any = None,
    cpm_method: Any = "qcc",
) -> TransformedCapability:
    """Capability after a Box-Cox transformation of data and specs (Box & Cox 1964).

    Parameters
    ----------
    data, value, lsl, usl, target, subgroup, confidence, sigma_method, cpm_method
        As in :func:`sixsigma.capability.capability`.
    lam : float, optional
        A fixed lambda (0 for the log). Default: the maximum-likelihood lambda
        (:func:`scipy.stats.boxcox_normmax` with ``method="mle"``).

    Returns
    -------
    TransformedCapability
        ``parameters["lambda"]`` and the study of y = (x^lambda - 1)/lambda.

    Raises
    ------
    DomainError
        A value <= 0 (named by column and row).
    ParameterError
        A spec or target <= 0 (it cannot be transformed; a lower spec at or below 0 is
        never crossed by positive data, so omit it), or the errors of ``capability``.
    InsufficientDataError
        Fewer than 8 observations.

    Examples
    --------
    >>> from sixsigma.capability import boxcox_capability
    >>> x = np.random.default_rng(0).lognormal(4.4, 0.5, size=300)
    >>> res = boxcox_capability(x, usl=400.0)
    >>> abs(res.parameters["lambda"]) < 0.2, res.lsl is None
    (True, True)
    """
    caller = "boxcox_capability"
    lo, hi, t = check_specs(lsl, usl, target, caller=caller)
    for name, v in (("lsl", lo), ("usl", hi), ("target", t)):
        if v is not None and v <= 0:
            raise ParameterError(f"{caller}: {name}={v:g} cannot be Box-Cox transformed (it must "
                                 "be positive); positive data never fall below a limit <= 0, "
                                 "so leave that spec out.")
    value, x, table = fit_values(data, value, caller, positive=True)
    if lam is None:
        lmbda = float(stats.boxcox_normmax(x, method="mle"))
    else:
        lmbda = float(lam)
        if not math.isfinite(lmbda):
            raise ParameterError(f"{caller}: lam must be a finite number; got {lam!r}.")
    y = stats.boxcox(x, lmbda=lmbda)
    inner = _study(table, value, y, lambda v: special.boxcox(v, lmbda), (lo, hi, t),
                   subgroup, confidence, caller, sigma_method, cpm_method)
    return TransformedCapability("boxcox", {"lambda": lmbda}, lo, hi, t, inner,
                                 notes=inner.notes)


def _johnson_candidates(x: NDArray[np.float64], specs: list[float]
                        ) -> list[tuple[str, dict[str, float], NDArray[np.float64], Any]]:
    out: list[tuple[str, dict[str, float], NDArray[np.float64], Any]] = []
    pts = np.concatenate([x, np.asarray(specs, dtype=float)])
    with np.errstate(all="ignore"):
        a, b, loc, scale = (float(v) for v in stats.johnsonsu.fit(x))

        def su(v: Any, a: float = a, b: float = b, loc: float = loc, scale: float = scale
               ) -> Any:
            return a + b * np.arcsinh((np.asarray(v, dtype=float) - loc) / scale)

        out.append(("johnson_su", {"gamma": a, "delta": b, "xi": loc, "lambda": scale},
                    su(x), su))
        a, b, loc, scale = (float(v) for v in stats.johnsonsb.fit(x))
        if np.all((pts > loc) & (pts < loc + scale)):
            def sb(v: Any, a: float = a, b: float = b, loc: float = loc, scale: float = scale
                   ) -> Any:
                u = (np.asarray(v, dtype=float) - loc) / scale
                return a + b * np.log(u / (1.0 - u))

            out.append(("johnson_sb", {"gamma": a, "delta": b, "xi": loc, "lambda": scale},
                        sb(x), sb))
        s, loc, scale = (float(v) for v in stats.lognorm.fit(x))
        if np.all(pts > loc):
            def sl(v: Any, s: float = s, loc: float = loc, scale: float = scale) -> Any:
                return np.log((np.asarray(v, dtype=float) - loc) / scale) / s

            out.append(("johnson_sl", {"gamma": -math.log(scale) / s, "delta": 1.0 / s,
                                       "xi": loc, "lambda": 1.0}, sl(x), sl))
    return [c for c in out if np.all(np.isfinite(c[2]))]


def johnson_capability(
    data: Any,
    value: str | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    subgroup: str | None = None,
    confidence: float = 0.95,
    *,
    sigma_method: Any = None,
    cpm_method: Any = "qcc",
) -> TransformedCapability:
    """Capability after a Johnson transformation (SU, SB or SL fitted by maximum likelihood).

    This is a documented simplification of Minitab's Johnson transformation (Chou, Polansky
    & Mason 1998): instead of searching the quantile-matching fits over a grid of z values,
    each family is fitted by maximum likelihood (scipy.stats), and the family whose
    transformed data have the largest Anderson-Darling p-value is kept.

    Parameters
    ----------
    data, value, lsl, usl, target, subgroup, confidence, sigma_method, cpm_method
        As in :func:`sixsigma.capability.capability`.

    Returns
    -------
    TransformedCapability
        ``transform`` names the family, ``parameters`` holds gamma, delta, xi, lambda,
        ``candidates`` the families tried.

    Raises
    ------
    InsufficientDataError
        Fewer than 8 observations.
    DomainError
        No family fits with every value and spec inside its support.

    Examples
    --------
    >>> from sixsigma.capability import johnson_capability
    >>> x = np.random.default_rng(0).lognormal(4.4, 0.5, size=300)
    >>> res = johnson_capability(x, usl=400.0)
    >>> res.transform.startswith("johnson_"), res.normality.doubtful
    (True, False)
    """
    caller = "johnson_capability"
    lo, hi, t = check_specs(lsl, usl, target, caller=caller)
    value, x, table = fit_values(data, value, caller)
    specs = [v for v in (lo, hi, t) if v is not None]
    cands = _johnson_candidates(x, specs)
    if not cands:
        raise DomainError(f"{caller}: no Johnson family fits column {value!r} with every value "
                          "and spec inside its support; try percentile_capability.")
    rows = []
    for name, _, z, _ in cands:
        zs = np.sort(z)
        sd = float(zs.std(ddof=1))
        zz = (zs - zs.mean()) / sd
        p = ad_normal_p_value(ad_statistic(stats.norm.logcdf(zz), stats.norm.logsf(zz)),
                              zs.size)[1]
        rows.append({"family": name, "ad_p_value": p})
    table_c = pd.DataFrame(rows)
    best = int(np.argmax(table_c["ad_p_value"].to_numpy()))
    name, params, z, fn = cands[best]
    inner = _study(table, value, z, fn, (lo, hi, t), subgroup, confidence, caller,
                   sigma_method, cpm_method)
    return TransformedCapability(name, params, lo, hi, t, inner, candidates=table_c,
                                 notes=inner.notes)
