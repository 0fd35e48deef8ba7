"""Normality tests recorded on capability results: Anderson-Darling and Shapiro-Wilk.

* Anderson-Darling against the normal with mean and standard deviation (n - 1) estimated
  from the data, the p-value from the piecewise formula of R's ``nortest::ad.test``
  (D'Agostino & Stephens 1986, Table 4.9) applied to A* = A^2 (1 + 0.75/n + 2.25/n^2);
  it needs n >= 8, as nortest.
* Shapiro-Wilk through :func:`scipy.stats.shapiro` (Royston's algorithm, 3 <= n <= 5000;
  beyond 5000 scipy's p-value is not reliable, so it is not reported).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sixsigma._params import check_number
from sixsigma._result import Result
from sixsigma.errors import ParameterError

__all__ = ["NormalityTest", "ad_normal_p_value", "ad_statistic", "normality_test"]

AD_MIN_N = 8
SW_MAX_N = 5000


def ad_statistic(logcdf: ArrayLike, logsf: ArrayLike) -> float:
    """Anderson-Darling statistic A^2 from the fitted log-CDF and log-survival of sorted data.

    A^2 = -n - (1/n) sum_i (2i - 1) [ln F(x_(i)) + ln(1 - F(x_(n+1-i)))]
    (Anderson & Darling 1954; Stephens 1974).

    Parameters
    ----------
    logcdf, logsf : array-like
        ln F and ln(1 - F) at the sorted observations x_(1) <= ... <= x_(n).

    Returns
    -------
    float
        The statistic A^2.

    Examples
    --------
    >>> from scipy import stats
    >>> from sixsigma.capability.normality import ad_statistic
    >>> z = np.sort(np.array([-1.2, -0.4, 0.1, 0.5, 1.3]))
    >>> a = ad_statistic(stats.norm.logcdf(z), stats.norm.logsf(z))
    >>> round(a, 4)
    0.1482
    """
    lc = np.asarray(logcdf, dtype=float)
    ls = np.asarray(logsf, dtype=float)
    n = lc.size
    i = np.arange(1, n + 1, dtype=float)
    return float(-n - np.mean((2.0 * i - 1.0) * (lc + ls[::-1])))


def ad_normal_p_value(a2: float, n: int) -> tuple[float, float]:
    """P-value of the normal Anderson-Darling test (parameters estimated), as nortest.

    Parameters
    ----------
    a2 : float
        The statistic A^2 (mean and sd estimated from the data).
    n : int
        Sample size.

    Returns
    -------
    (float, float)
        The adjusted statistic A* = A^2 (1 + 0.75/n + 2.25/n^2) and its p-value from the
        piecewise formula of ``nortest::ad.test`` (D'Agostino & Stephens 1986).

    Examples
    --------
    >>> from sixsigma.capability.normality import ad_normal_p_value
    >>> aa, p = ad_normal_p_value(0.5, 100)
    >>> round(aa, 5), round(p, 4)
    (0.50386, 0.2042)
    """
    a2 = check_number(a2, "a2", caller="ad_normal_p_value", low=0.0)
    n = int(check_number(n, "n", caller="ad_normal_p_value", low=1, integer=True))
    aa = a2 * (1.0 + 0.75 / n + 2.25 / n**2)
    if aa < 0.2:
        p = 1.0 - np.exp(-13.436 + 101.14 * aa - 223.73 * aa**2)
    elif aa < 0.34:
        p = 1.0 - np.exp(-8.318 + 42.796 * aa - 59.938 * aa**2)
    elif aa < 0.6:
        p = np.exp(0.9177 - 4.279 * aa - 1.38 * aa**2)
    elif aa < 10.0:
        p = np.exp(1.2937 - 5.709 * aa + 0.0186 * aa**2)
    else:
        p = 3.7e-24
    return float(aa), float(min(max(p, 0.0), 1.0))


@dataclass(frozen=True, eq=False, repr=False)
class NormalityTest(Result, kind="normality_test"):
    """Anderson-Darling and Shapiro-Wilk tests of normality of one sample.

    Attributes
    ----------
    n : int
        Sample size.
    ad_statistic, ad_adjusted, ad_p_value : float or None
        A^2, A* = A^2 (1 + 0.75/n + 2.25/n^2) and the nortest p-value (None for n < 8).
    sw_statistic, sw_p_value : float or None
        Shapiro-Wilk W and p-value (None for n < 3 or n > 5000).
    alpha : float
        Level below which a p-value makes normal-theory results doubtful.
    doubtful : bool
        True when either available p-value is below ``alpha``.
    """

    n: int
    ad_statistic: float | None
    ad_adjusted: float | None
    ad_p_value: float | None
    sw_statistic: float | None
    sw_p_value: float | None
    alpha: float = 0.05
    doubtful: bool = False


def normality_test(values: ArrayLike, *, alpha: float = 0.05) -> NormalityTest:
    """Test a sample for normality with Anderson-Darling (nortest) and Shapiro-Wilk (scipy).

    Parameters
    ----------
    values : array-like
        The observations (finite numbers).
    alpha : float
        Significance level of the ``doubtful`` flag.

    Returns
    -------
    NormalityTest
        Statistics, p-values and the flag; a test that needs more data is None.

    Examples
    --------
    >>> from sixsigma.capability.normality import normality_test
    >>> t = normality_test(np.random.default_rng(1).exponential(size=200))
    >>> t.doubtful, t.ad_p_value < 1e-6
    (True, True)
    """
    from sixsigma._frames import as_table
    from sixsigma.capability._common import measurements

    caller = "normality_test"
    a = check_number(alpha, "alpha", caller=caller, low=0.0, high=1.0, low_open=True,
                     high_open=True)
    table = as_table(values, caller=caller)
    if len(table.columns) != 1:
        raise ParameterError(f"{caller}: pass one column of values; got "
                             f"{len(table.columns)} columns.")
    x: NDArray[np.float64] = np.sort(measurements(table, table.columns[0]))
    n = int(x.size)
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    ad = aa = adp = None
    if n >= AD_MIN_N and sd > 0:
        z = (x - x.mean()) / sd
        ad = ad_statistic(stats.norm.logcdf(z), stats.norm.logsf(z))
        aa, adp = ad_normal_p_value(ad, n)
    sw = swp = None
    if 3 <= n <= SW_MAX_N and sd > 0:
        res = stats.shapiro(x)
        sw, swp = float(res.statistic), float(res.pvalue)
    doubtful = any(p is not None and p < a for p in (adp, swp))
    notes: list[str] = []
    if n > 1 and not sd > 0:
        notes.append(f"all {n} values are equal: normality cannot be tested")
    else:
        if ad is None:
            notes.append(f"Anderson-Darling needs at least {AD_MIN_N} values; got {n}")
        if sw is None:
            notes.append(f"Shapiro-Wilk needs 3 to {SW_MAX_N} values; got {n}")
    return NormalityTest(n, ad, aa, adp, sw, swp, a, doubtful, notes=tuple(notes))
