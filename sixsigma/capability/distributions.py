"""Capability of non-normal data by the percentile method, on a fitted distribution.

Percentile method (ISO 22514-2:2017; Clements 1989): with X_p the p-quantile of a fitted
distribution, Pp = (USL - LSL)/(X_0.99865 - X_0.00135), Ppu = (USL - X_0.5)/(X_0.99865 -
X_0.5), Ppl = (X_0.5 - LSL)/(X_0.5 - X_0.00135), Ppk = min. Candidates are fitted by maximum
likelihood (scipy.stats): normal, lognormal, Weibull, gamma (all but the normal with
location 0) and exponential (scale only); the one with the smallest Anderson-Darling
statistic A^2 (computed from the fitted CDF) is used, and the comparison is reported.
P-values exist for the normal and the lognormal only (nortest's formula for the normal test
of x or of log x); Minitab's distribution identification likewise ranks by A^2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import first_row
from sixsigma._result import Result, part
from sixsigma.capability._common import check_specs, fit_values
from sixsigma.capability.normality import ad_normal_p_value, ad_statistic
from sixsigma.errors import DomainError, ParameterError

__all__ = [
    "DISTRIBUTIONS",
    "DistributionFit",
    "PercentileCapability",
    "fit_distributions",
    "percentile_capability",
]

DISTRIBUTIONS = ("normal", "lognormal", "weibull", "gamma", "exponential")
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

def fit_distributions(
    data: Any, value: str | None = None, *, candidates: tuple[str, ...] = DISTRIBUTIONS,
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
    _, x, _ = fit_values(data, value, "fit_distributions")
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
    *,
    distribution: str = "auto",
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
    value, x, _ = fit_values(data, value, caller)
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
