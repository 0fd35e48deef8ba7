"""Capability of non-normal data: percentile method, Box-Cox and Johnson transformations.

* Percentile method (ISO 22514-2:2017; Clements 1989): with X_p the p-quantile of a
  fitted distribution, Pp = (USL - LSL)/(X_0.99865 - X_0.00135),
  Ppu = (USL - X_0.5)/(X_0.99865 - X_0.5), Ppl = (X_0.5 - LSL)/(X_0.5 - X_0.00135),
  Ppk = min. Candidates are fitted by maximum likelihood (scipy.stats): normal,
  lognormal, Weibull, gamma (all but the normal with location 0) and exponential
  (scale only); the one with the smallest Anderson-Darling statistic A^2 (computed from the
  fitted CDF) is used, and the comparison is reported. P-values exist for the normal and
  the lognormal only (nortest's formula for the normal test of x or of log x); Minitab's
  distribution identification likewise ranks by A^2.
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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special, stats

from sixsigma._frames import as_table, first_row
from sixsigma._params import check_confidence
from sixsigma._result import Result, part
from sixsigma.capability._common import check_specs
from sixsigma.capability.indices import Capability, capability
from sixsigma.capability.normality import ad_normal_p_value, ad_statistic
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    ParameterError,
    ZeroVarianceError,
)

__all__ = [
    "DISTRIBUTIONS",
    "DistributionFit",
    "PercentileCapability",
    "TransformedCapability",
    "boxcox_capability",
    "fit_distributions",
    "johnson_capability",
    "percentile_capability",
]

DISTRIBUTIONS = ("normal", "lognormal", "weibull", "gamma", "exponential")
MIN_FIT_N = 8
"""Fewest observations a distribution fit accepts (the Anderson-Darling test's minimum)."""

P_LOW, P_HIGH = 0.00135, 0.99865


@part
@dataclass(frozen=True)
class DistributionFit:
    """One maximum-likelihood fit: the family, its parameters and goodness of fit.

    Attributes
    ----------
    distribution : str
        ``"normal"``, ``"lognormal"``, ``"weibull"``, ``"gamma"`` or ``"exponential"``.
    params : dict
        Parameters in scipy's names (``loc``, ``scale``, ``s``, ``c``, ``a``).
    ad_statistic : float
        Anderson-Darling A^2 of the data against the fitted CDF.
    p_value : float or None
        Goodness-of-fit p-value where one is available (normal, lognormal).
    log_likelihood : float
        Maximised log-likelihood.
    """

    distribution: str
    params: dict[str, float]
    ad_statistic: float
    p_value: float | None
    log_likelihood: float

    def frozen(self) -> Any:
        """The fitted scipy.stats distribution."""
        return _frozen(self.distribution, self.params)


def _frozen(name: str, params: dict[str, float]) -> Any:
    if name == "normal":
        return stats.norm(**params)
    if name == "lognormal":
        return stats.lognorm(**params)
    if name == "weibull":
        return stats.weibull_min(**params)
    if name == "gamma":
        return stats.gamma(**params)
    return stats.expon(**params)


def _fit_one(name: str, x: NDArray[np.float64]) -> DistributionFit:
    x = np.sort(x)
    n = x.size
    p: float | None = None
    if name == "normal":
        params = {"loc": float(x.mean()), "scale": float(x.std())}
        sd1 = float(x.std(ddof=1))
        z = (x - x.mean()) / sd1
        p = ad_normal_p_value(ad_statistic(stats.norm.logcdf(z), stats.norm.logsf(z)), n)[1]
    elif name == "lognormal":
        lx = np.log(x)
        params = {"s": float(lx.std()), "loc": 0.0, "scale": float(np.exp(lx.mean()))}
        z = (lx - lx.mean()) / float(lx.std(ddof=1))
        p = ad_normal_p_value(ad_statistic(stats.norm.logcdf(z), stats.norm.logsf(z)), n)[1]
    elif name == "weibull":
        c, _, scale = stats.weibull_min.fit(x, floc=0.0)
        params = {"c": float(c), "loc": 0.0, "scale": float(scale)}
    elif name == "gamma":
        a, _, scale = stats.gamma.fit(x, floc=0.0)
        params = {"a": float(a), "loc": 0.0, "scale": float(scale)}
    else:
        params = {"loc": 0.0, "scale": float(x.mean())}
    dist = _frozen(name, params)
    with np.errstate(divide="ignore"):
        a2 = ad_statistic(dist.logcdf(x), dist.logsf(x))
        ll = float(np.sum(dist.logpdf(x)))
    return DistributionFit(name, params, float(a2), p, ll)


def _values(data: Any, value: str | None, caller: str, *, positive: bool = False
            ) -> tuple[str, NDArray[np.float64], Any]:
    table = as_table(data, caller=caller)
    if value is None:
        if len(table.columns) != 1:
            raise ParameterError(f"{caller}: value= is required when the data have several "
                                 f"columns ({', '.join(table.columns[:8])}).")
        value = table.columns[0]
    table.require(value)
    x = table.numeric(value, minimum=0.0 if positive else None, strict_minimum=positive)
    if x.size < MIN_FIT_N:
        raise InsufficientDataError(f"{caller}: at least {MIN_FIT_N} observations are needed "
                                    f"to fit a distribution to column {value!r}; got {x.size}.")
    if not np.ptp(x) > 0:
        raise ZeroVarianceError(f"{caller}: all values of column {value!r} are equal "
                                f"({x[0]:g}); no distribution can be fitted.")
    return value, x, table


def fit_distributions(
    data: Any, value: str | None = None, candidates: tuple[str, ...] = DISTRIBUTIONS,
) -> pd.DataFrame:
    """Fit candidate distributions by maximum likelihood and compare them by Anderson-Darling.

    Parameters
    ----------
    data : dataframe, dict or array-like
        The observations.
    value : str, optional
        Column; may be omitted for a 1-D array.
    candidates : tuple of str
        Families among ``"normal"``, ``"lognormal"``, ``"weibull"``, ``"gamma"``,
        ``"exponential"``. The positive-only families are skipped for data with a value
        <= 0.

    Returns
    -------
    pandas.DataFrame
        One row per fitted family, best (smallest A^2) first: distribution, ad_statistic,
        p_value (NaN where none is available), log_likelihood, parameters (dict).

    Examples
    --------
    >>> from sixsigma.capability import fit_distributions
    >>> x = np.random.default_rng(0).lognormal(4.4, 0.5, size=300)
    >>> fit_distributions(x)["distribution"].iloc[0]
    'lognormal'
    """
    _, x, _ = _values(data, value, "fit_distributions")
    fits = _fit_all(x, candidates, "fit_distributions")
    return _fits_frame(fits)


def _fit_all(x: NDArray[np.float64], candidates: tuple[str, ...], caller: str
             ) -> tuple[DistributionFit, ...]:
    unknown = [c for c in candidates if c not in DISTRIBUTIONS]
    if unknown or not candidates:
        raise ParameterError(f"{caller}: candidates must be among {DISTRIBUTIONS}; got "
                             f"{candidates!r}.")
    positive = bool(np.min(x) > 0)
    usable = [c for c in candidates if c == "normal" or positive]
    if not usable:
        raise DomainError(f"{caller}: the data have values <= 0, so only the normal can be "
                          "fitted; include 'normal' in candidates.")
    fits = [_fit_one(c, x) for c in usable]
    order = sorted(range(len(fits)), key=lambda i: (fits[i].ad_statistic, i))
    return tuple(fits[i] for i in order)


def _fits_frame(fits: tuple[DistributionFit, ...]) -> pd.DataFrame:
    return pd.DataFrame({
        "distribution": [f.distribution for f in fits],
        "ad_statistic": [f.ad_statistic for f in fits],
        "p_value": [np.nan if f.p_value is None else f.p_value for f in fits],
        "log_likelihood": [f.log_likelihood for f in fits],
        "parameters": [dict(f.params) for f in fits],
    })


@dataclass(frozen=True, eq=False, repr=False)
class PercentileCapability(Result, kind="percentile_capability"):
    """Capability by the percentile method (ISO 22514-2) on a fitted distribution.

    Attributes
    ----------
    value : str
        Column analysed.
    n : int
        Number of observations.
    distribution : str
        The family used (best Anderson-Darling fit unless one was imposed).
    params : dict
        Its maximum-likelihood parameters (scipy names).
    lsl, usl : float or None
        Specification limits.
    pp, ppk, ppl, ppu : float or None
        Percentile indices (None where a spec is missing; with one spec ppk is that side).
    quantiles : dict
        ``"p0.00135"``, ``"median"``, ``"p0.99865"`` of the fitted distribution.
    ppm : dict
        ``expected_below``, ``expected_above``, ``expected_total`` (fitted distribution)
        and ``observed_below``, ``observed_above``, ``observed_total``.
    fits : tuple of DistributionFit
        Every candidate fitted, best first (see :attr:`fits_table`).
    values : numpy.ndarray
        The observations (read-only).
    notes : tuple of str
        Caveats.
    """

    value: str
    n: int
    distribution: str
    params: dict[str, float]
    lsl: float | None
    usl: float | None
    pp: float | None
    ppk: float | None
    ppl: float | None
    ppu: float | None
    quantiles: dict[str, float]
    ppm: dict[str, float]
    fits: tuple[DistributionFit, ...]
    values: NDArray[np.float64]

    @property
    def fits_table(self) -> pd.DataFrame:
        """The distribution comparison: distribution, ad_statistic, p_value, ... parameters."""
        return _fits_frame(self.fits)

    def frozen(self) -> Any:
        """The fitted scipy.stats distribution used."""
        return _frozen(self.distribution, self.params)

    def to_frame(self) -> pd.DataFrame:
        """One row per defined index: index, estimate."""
        rows = [{"index": k, "estimate": getattr(self, k)} for k in ("pp", "ppk", "ppl", "ppu")
                if getattr(self, k) is not None]
        return pd.DataFrame(rows, columns=["index", "estimate"])

    def summary(self) -> str:
        """A short text summary."""
        idx = ", ".join(f"{k} {getattr(self, k):.3f}" for k in ("pp", "ppk", "ppl", "ppu")
                        if getattr(self, k) is not None)
        lines = [f"Percentile capability of {self.value!r} (n = {self.n}): {self.distribution} "
                 f"fit, {idx}",
                 f"  PPM expected {self.ppm['expected_total']:.1f}, observed "
                 f"{self.ppm['observed_total']:.1f}"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def percentile_capability(
    data: Any,
    value: str | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    distribution: str = "auto",
    *,
    candidates: tuple[str, ...] = DISTRIBUTIONS,
) -> PercentileCapability:
    """Capability of non-normal data by the percentile method (ISO 22514-2, Clements 1989).

    Parameters
    ----------
    data : dataframe, dict or array-like
        The observations.
    value : str, optional
        Column; may be omitted for a 1-D array.
    lsl, usl : float, optional
        Specification limits; at least one.
    distribution : str
        ``"auto"`` (best Anderson-Darling fit among ``candidates``) or one family name.
    candidates : tuple of str
        Families compared with ``"auto"``.

    Returns
    -------
    PercentileCapability

    Raises
    ------
    ParameterError
        No spec, LSL >= USL, an unknown distribution.
    InsufficientDataError
        Fewer than 8 observations.
    DomainError
        A positive-only distribution imposed on data with values <= 0.

    Examples
    --------
    >>> from sixsigma.capability import percentile_capability
    >>> x = np.random.default_rng(0).lognormal(4.4, 0.5, size=300)
    >>> res = percentile_capability(x, usl=400.0)
    >>> res.distribution, res.ppk == res.ppu
    ('lognormal', True)
    """
    caller = "percentile_capability"
    lo, hi, _ = check_specs(lsl, usl, None, caller=caller)
    value, x, _ = _values(data, value, caller)
    if distribution == "auto":
        fits = _fit_all(x, tuple(candidates), caller)
    elif distribution in DISTRIBUTIONS:
        if distribution != "normal" and np.min(x) <= 0:
            i = first_row(x <= 0)
            raise DomainError(f"{caller}: the {distribution} distribution needs positive "
                              f"data; column {value!r} row {i} is {x[i]:g}.")
        others = tuple(c for c in candidates if c != distribution and
                       (c == "normal" or np.min(x) > 0))
        ranked = _fit_all(x, (distribution, *others), caller)
        chosen = next(f for f in ranked if f.distribution == distribution)
        fits = (chosen, *[f for f in ranked if f is not chosen])
    else:
        raise ParameterError(f"{caller}: distribution must be 'auto' or one of "
                             f"{DISTRIBUTIONS}; got {distribution!r}.")
    best = fits[0]
    dist = best.frozen()
    xl, xm, xu = (float(v) for v in dist.ppf([P_LOW, 0.5, P_HIGH]))
    ppl = (xm - lo) / (xm - xl) if lo is not None else None
    ppu = (hi - xm) / (xu - xm) if hi is not None else None
    pp = (hi - lo) / (xu - xl) if lo is not None and hi is not None else None
    sides = [v for v in (ppl, ppu) if v is not None]
    below = float(dist.cdf(lo)) * 1e6 if lo is not None else 0.0
    above = float(dist.sf(hi)) * 1e6 if hi is not None else 0.0
    obs_b = float(np.mean(x < lo)) * 1e6 if lo is not None else 0.0
    obs_a = float(np.mean(x > hi)) * 1e6 if hi is not None else 0.0
    notes: list[str] = []
    if best.p_value is not None and best.p_value < 0.05:
        notes.append(f"the {best.distribution} fit is rejected by Anderson-Darling "
                     f"(p = {best.p_value:.2g}); treat the indices with care")
    return PercentileCapability(
        value=value, n=int(x.size), distribution=best.distribution, params=dict(best.params),
        lsl=lo, usl=hi, pp=pp, ppk=min(sides), ppl=ppl, ppu=ppu,
        quantiles={"p0.00135": xl, "median": xm, "p0.99865": xu},
        ppm={"expected_below": below, "expected_above": above,
             "expected_total": below + above, "observed_below": obs_b,
             "observed_above": obs_a, "observed_total": obs_b + obs_a},
        fits=fits, values=x, notes=tuple(notes),
    )


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
                    "ppm", "normality", "n", "confidence", "sigma_method"):
            return getattr(self.transformed, name)
        raise AttributeError(name)

    def to_frame(self) -> pd.DataFrame:
        """The transformed study's index table."""
        return self.transformed.to_frame()

    def summary(self) -> str:
        """The transformation, then the transformed study's summary."""
        par = ", ".join(f"{k} = {v:.4g}" for k, v in self.parameters.items())
        return f"{self.transform} transformation ({par})\n" + self.transformed.summary()


def _spec_frame(data: Any, value: str, subgroup: str | None, caller: str
                ) -> tuple[NDArray[np.float64], Any]:
    table = as_table(data, caller=caller)
    table.require(value, subgroup)
    x = table.numeric(value)
    keys = table.raw(subgroup) if subgroup is not None else None
    return x, keys


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
) -> TransformedCapability:
    """Capability after a Box-Cox transformation of data and specs (Box & Cox 1964).

    Parameters
    ----------
    data, value, lsl, usl, target, subgroup, confidence, sigma_method
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
    value, x, table = _values(data, value, caller, positive=True)
    if lam is None:
        lmbda = float(stats.boxcox_normmax(x, method="mle"))
    else:
        lmbda = float(lam)
        if not math.isfinite(lmbda):
            raise ParameterError(f"{caller}: lam must be a finite number; got {lam!r}.")
    y = stats.boxcox(x, lmbda=lmbda)

    def tr(v: float | None) -> float | None:
        return None if v is None else float(special.boxcox(v, lmbda))

    frame: dict[str, Any] = {value: y}
    if subgroup is not None:
        table.require(subgroup)
        frame[subgroup] = table.raw(subgroup)
    inner = capability(frame, value, tr(lo), tr(hi), tr(t), subgroup,
                       check_confidence(confidence, caller=caller), sigma_method=sigma_method)
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
) -> TransformedCapability:
    """Capability after a Johnson transformation (SU, SB or SL fitted by maximum likelihood).

    This is a documented simplification of Minitab's Johnson transformation (Chou, Polansky
    & Mason 1998): instead of searching the quantile-matching fits over a grid of z values,
    each family is fitted by maximum likelihood (scipy.stats), and the family whose
    transformed data have the largest Anderson-Darling p-value is kept.

    Parameters
    ----------
    data, value, lsl, usl, target, subgroup, confidence, sigma_method
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
    value, x, table = _values(data, value, caller)
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

    def tr(v: float | None) -> float | None:
        return None if v is None else float(fn(v))

    frame: dict[str, Any] = {value: z}
    if subgroup is not None:
        table.require(subgroup)
        frame[subgroup] = table.raw(subgroup)
    inner = capability(frame, value, tr(lo), tr(hi), tr(t), subgroup,
                       check_confidence(confidence, caller=caller), sigma_method=sigma_method)
    return TransformedCapability(name, params, lo, hi, t, inner, candidates=table_c,
                                 notes=inner.notes)
