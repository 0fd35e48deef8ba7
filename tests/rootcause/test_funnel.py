"""funnel: Spiegelhalter (2005) limits and over-dispersion, checked by hand formulas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sixsigma.rootcause as rc
from sixsigma.errors import InsufficientDataError, ParameterError
from sixsigma.rootcause.funnels import binomial_limit


@pytest.fixture
def units(rng):
    n = rng.integers(20, 2000, 60)
    true = np.clip(rng.normal(0.06, 0.02, 60), 0.001, 0.5)  # over-dispersed
    d = rng.binomial(n, true)
    return pd.DataFrame({"mod": [f"mod-{i:03d}" for i in range(60)], "errors": d,
                         "audited": n})


def test_exact_limit_by_hand():
    # Spiegelhalter (2005a) Appendix A.1.1, worked with scipy.stats.binom:
    # n = 100, p0 = 0.1, P = 0.975: r = 16 (F(15) = 0.9601, F(16) = 0.9794)
    f15, f16 = stats.binom.cdf(15, 100, 0.1), stats.binom.cdf(16, 100, 0.1)
    assert f15 < 0.975 <= f16
    want = (16 - (f16 - 0.975) / (f16 - f15)) / 100
    assert float(binomial_limit(0.1, 100, 0.975)) == pytest.approx(want, rel=1e-12)


def test_phi_tau2_and_z_by_hand(units):
    f = rc.funnel(units, "errors", "mod", size="audited", overdispersion="additive")
    n, d = units["audited"].to_numpy(float), units["errors"].to_numpy(float)
    p0 = d.sum() / n.sum()
    s = np.sqrt(p0 * (1 - p0) / n)
    z = (d / n - p0) / s
    lo, hi = np.percentile(z, [10, 90])          # R type 7 = numpy's default
    phi = np.mean(np.clip(z, lo, hi) ** 2)       # Spiegelhalter (2005b), eq. (2)
    w = 1 / s**2
    tau2 = max(0.0, (60 * phi - 59) / (w.sum() - (w**2).sum() / w.sum()))  # DL
    assert f.p0 == pytest.approx(p0)
    assert f.phi == pytest.approx(phi, rel=1e-12)
    assert f.tau2 == pytest.approx(tau2, rel=1e-12)
    assert f.overdispersion_p == pytest.approx(stats.chi2.sf(60 * phi, 59), rel=1e-9)
    units_ = f.units.set_index("unit")
    zd = (d / n - p0) / np.sqrt(s**2 + tau2)
    np.testing.assert_allclose(units_["z"].to_numpy(), zd, rtol=1e-12)
    np.testing.assert_allclose(units_["upper3"].to_numpy(), p0 + 3 * np.sqrt(s**2 + tau2))
    assert tau2 > 0 and phi > 1


def test_multiplicative_and_normal(units):
    f = rc.funnel(units, "errors", "mod", size="audited", method="normal",
                  overdispersion="multiplicative")
    n = units["audited"].to_numpy(float)
    p0 = f.p0
    s = np.sqrt(p0 * (1 - p0) / n)
    np.testing.assert_allclose(f.units["upper2"], p0 + 2 * np.sqrt(f.phi) * s)
    raw = rc.funnel(units, "errors", "mod", size="audited", method="normal")
    np.testing.assert_allclose(f.units["z"], raw.units["z"] / np.sqrt(f.phi))
    assert len(f.flagged) <= len(raw.flagged)
    assert any("over-dispersed" in note for note in raw.notes)


def test_flags_and_json(units):
    f = rc.funnel(units, "errors", "mod", size="audited")
    u = f.units
    above = u["rate"] > u["upper3"]
    assert (u.loc[above, "flag"] == "above 3 sigma").all()
    assert np.allclose(u["p_value"], 2 * stats.norm.sf(np.abs(u["z"])))
    json.dumps(f.to_dict(), allow_nan=False)
    ev = f.to_evidence()
    json.dumps(ev, allow_nan=False)
    assert ev["kind"] == "funnel"


def test_raw_records(units):
    rows = units.loc[units.index.repeat(units["audited"])].copy()
    rows["err"] = 0
    first = rows.groupby("mod").cumcount() < rows["errors"]
    rows.loc[first.to_numpy(), "err"] = 1
    raw = rc.funnel(rows, "err", "mod")
    agg = rc.funnel(units, "errors", "mod", size="audited")
    np.testing.assert_allclose(raw.units["z"], agg.units["z"])


def test_bad_input(units):
    with pytest.raises(ParameterError):
        rc.funnel(units, "errors", "mod", size="audited", method="poisson")
    with pytest.raises(ParameterError):
        rc.funnel(units, "errors", "mod", size="audited", overdispersion="both")
    with pytest.raises(InsufficientDataError, match="rate"):
        rc.funnel(units.assign(errors=0), "errors", "mod", size="audited")
