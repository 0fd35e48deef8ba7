"""Non-normal capability: Box-Cox, Johnson and the percentile method.

Expected numbers are recomputed in each test from the definitions with numpy/scipy:
the Box-Cox lambda by maximising the profile log-likelihood written out here (Box & Cox
1964, eq. for l_max; MASS::boxcox maximises the same function), the percentile indices
from the quantiles of the closed-form lognormal MLE (ISO 22514-2 / Clements 1989), the
exponential Anderson-Darling statistic with scipy.stats.anderson as an oracle.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import optimize, special, stats

from sixsigma.capability import (
    boxcox_capability,
    fit_distributions,
    johnson_capability,
    percentile_capability,
)
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError


@pytest.fixture(scope="module")
def handle():
    """Right-skewed handle times, like moderation data (lognormal, median ~ 80 s)."""
    return np.random.default_rng(11).lognormal(math.log(80.0), 0.55, size=400)


def test_boxcox_lambda_is_the_likelihood_maximum(handle):
    x = handle
    logs = np.log(x).sum()

    def neg_profile(lam):
        y = stats.boxcox(x, lmbda=lam)
        return -(-x.size / 2 * math.log(y.var()) + (lam - 1) * logs)

    lam = optimize.minimize_scalar(neg_profile, bounds=(-2, 2), method="bounded",
                                   options={"xatol": 1e-10}).x
    res = boxcox_capability(x, usl=200.0)
    assert res.parameters["lambda"] == pytest.approx(lam, abs=1e-5)
    lam_hat = res.parameters["lambda"]
    # specs are transformed with the data
    assert res.transformed.usl == pytest.approx((200.0**lam_hat - 1) / lam_hat, rel=1e-12)
    y = stats.boxcox(x, lmbda=lam_hat)
    assert res.ppk == pytest.approx((res.transformed.usl - y.mean()) / (3 * y.std(ddof=1)))
    assert res.transform == "boxcox" and res.lsl is None and res.usl == 200.0
    json.dumps(res.to_dict(), allow_nan=False)


def test_boxcox_fixed_lambda_zero_is_log(handle):
    res = boxcox_capability(handle, lsl=10.0, usl=200.0, lam=0.0)
    assert res.transformed.lsl == pytest.approx(math.log(10.0))
    assert np.allclose(res.transformed.values, np.log(handle))


def test_boxcox_bad_input(handle):
    x = handle.copy()
    x[5] = 0.0
    with pytest.raises(DomainError, match=r"boxcox_capability: column 'value' .* row 5"):
        boxcox_capability(x, usl=200.0)
    with pytest.raises(ParameterError, match="lsl=0"):
        boxcox_capability(handle, lsl=0.0, usl=200.0)
    with pytest.raises(InsufficientDataError, match="at least 8"):
        boxcox_capability(handle[:7], usl=200.0)
    with pytest.raises(ParameterError, match="lsl must be below usl"):
        boxcox_capability(handle, lsl=300.0, usl=200.0)


def test_percentile_method_lognormal(handle):
    res = percentile_capability(handle, lsl=20.0, usl=200.0)
    assert res.distribution == "lognormal"
    lx = np.log(handle)
    mu, s = lx.mean(), lx.std()                # lognormal MLE (closed form)
    q = np.exp(mu + s * stats.norm.ppf([0.00135, 0.5, 0.99865]))
    assert res.pp == pytest.approx((200 - 20) / (q[2] - q[0]), rel=1e-9)
    assert res.ppu == pytest.approx((200 - q[1]) / (q[2] - q[1]), rel=1e-9)
    assert res.ppl == pytest.approx((q[1] - 20) / (q[1] - q[0]), rel=1e-9)
    assert res.ppk == min(res.ppl, res.ppu)
    sf = stats.norm.sf((math.log(200) - mu) / s)
    assert res.ppm["expected_above"] == pytest.approx(sf * 1e6, rel=1e-9)
    table = res.fits_table
    assert list(table.columns) == ["distribution", "ad_statistic", "p_value",
                                   "log_likelihood", "parameters"]
    assert table["ad_statistic"].is_monotonic_increasing
    assert set(table["distribution"]) == {"normal", "lognormal", "weibull", "gamma",
                                          "exponential"}
    json.dumps(res.to_dict(), allow_nan=False)


def test_exponential_ad_statistic_matches_scipy():
    x = np.random.default_rng(5).exponential(30.0, size=120)
    fits = fit_distributions(x, candidates=("exponential", "normal"))
    a2 = stats.anderson(x, "expon", method="interpolate").statistic  # scale = mean, loc 0
    row = fits.set_index("distribution").loc["exponential"]
    assert row["ad_statistic"] == pytest.approx(a2, rel=1e-9)
    assert np.isnan(row["p_value"])


def test_forced_distribution_and_non_positive_data(handle):
    res = percentile_capability(handle, usl=200.0, distribution="weibull")
    c, _, scale = stats.weibull_min.fit(handle, floc=0)
    assert res.distribution == "weibull"
    assert res.quantiles["p0.99865"] == pytest.approx(
        stats.weibull_min.ppf(0.99865, c, scale=scale), rel=1e-6)
    shifted = handle - 100.0
    assert percentile_capability(shifted, usl=100.0).distribution == "normal"
    with pytest.raises(DomainError, match="positive"):
        percentile_capability(shifted, usl=100.0, distribution="lognormal")
    with pytest.raises(ParameterError, match="distribution"):
        percentile_capability(handle, usl=200.0, distribution="cauchy")
    with pytest.raises(InsufficientDataError, match="at least 8"):
        percentile_capability(handle[:5], usl=200.0)
    with pytest.raises(ParameterError, match="at least one specification"):
        percentile_capability(handle)


def test_johnson_transformation(handle):
    res = johnson_capability(handle, usl=200.0)
    assert res.transform in {"johnson_su", "johnson_sb", "johnson_sl"}
    p = res.parameters
    if res.transform == "johnson_su":
        f = lambda v: p["gamma"] + p["delta"] * np.arcsinh((v - p["xi"]) / p["lambda"])  # noqa: E731
    elif res.transform == "johnson_sb":
        f = lambda v: p["gamma"] + p["delta"] * special.logit((v - p["xi"]) / p["lambda"])  # noqa: E731
    else:
        f = lambda v: p["gamma"] + p["delta"] * np.log(v - p["xi"])  # noqa: E731
    assert res.transformed.usl == pytest.approx(float(f(200.0)), rel=1e-9)
    assert np.allclose(res.transformed.values, f(handle))
    assert not res.normality.doubtful          # the transformed data look normal
    best = res.candidates["ad_p_value"].max()
    assert res.transformed.normality.ad_p_value == pytest.approx(best, rel=1e-9)
    with pytest.raises(InsufficientDataError):
        johnson_capability(handle[:4], usl=200.0)


def test_transformed_studies_pass_cpm_method():
    import numpy as np

    from sixsigma.capability import boxcox_capability

    x = np.random.default_rng(11).lognormal(3.0, 0.3, size=200)
    res = boxcox_capability(x, lsl=5.0, usl=60.0, target=20.0, cpm_method="minitab")
    assert res.cpm_method == "minitab" and res.transformed.cpm_method == "minitab"
    assert boxcox_capability(x, lsl=5.0, usl=60.0, target=20.0).cpm_method == "qcc"
