"""Normal-theory capability (sixsigma.capability.capability) against reference values.

Sources of the expected numbers (none produced by this package):
* pistonrings (tests/data/pistonrings.csv, trial subgroups 1-25; LSL 73.95, USL 74.05,
  target 74.00): qcc 2.7 ``process.capability`` (R 4.2.2), values from the project's
  reference set; qcc uses d2(5) = 2.326, sixsigma the exact d2, so compared to 1e-3
  relative.
* SAS/QC User's Guide, PROC CAPABILITY, Example 5.3 "Displaying a Confidence Interval for
  Cpk" (data set Amps, 75 telephone-amplifier gains in dB; LSL 4, USL 6, target 5,
  ALPHA=0.10): printed 90 % interval on Cpk "from 0.328 to 0.496" (Bissell 1990, sample
  standard deviation, i.e. our Ppk).
* Montgomery, Introduction to Statistical Quality Control (Cp confidence-interval
  example): USL 62, LSL 38, n = 20, s = 1.75, Cp rounded to 2.29, 95 % interval
  1.57 <= Cp <= 3.01.
* NIST/SEMATECH e-Handbook of Statistical Methods, section 6.1.6 (process capability):
  USL 20, LSL 8, mean 16, sigma 2 gives Cp = 1, Cpu = 0.667, Cpl = 1.333, Cpk = 0.667.
Everything else is recomputed in the test by the textbook formula with numpy/scipy.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from refdata import load
from scipy import stats

import sixsigma.capability
import sixsigma.spc
from sixsigma.capability import capability, capability_indices, capability_intervals
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
    ZeroVarianceError,
)

CONSTANTS = 1e-3  # relative: qcc's 3-decimal d2 against exact d2

AMPS = np.array("""
4.54 4.87 4.66 4.90 4.68 5.22 4.43 5.14 3.07 4.22 5.09 3.41 5.75 5.16 3.96 5.37 5.70 4.11
4.83 4.51 4.57 4.16 5.73 3.64 5.48 4.95 4.57 4.46 4.75 5.38 5.19 4.35 4.98 4.87 3.53 4.46
4.57 4.69 5.27 4.67 5.03 4.50 5.35 4.55 4.05 6.63 5.32 5.24 5.73 5.08 5.07 5.42 5.05 5.70
4.79 4.34 5.06 4.64 4.82 3.24 4.79 4.46 3.84 5.05 5.46 4.64 6.13 4.31 4.81 4.98 4.95 5.57
4.11 4.15 5.95""".split(), dtype=float)


@pytest.fixture(scope="module")
def rings():
    data = load("pistonrings")
    return data[data.phase == "trial"].reset_index(drop=True)


@pytest.fixture(scope="module")
def ring_cap(rings):
    return capability(rings, "diameter_mm", lsl=73.95, usl=74.05, target=74.0,
                      subgroup="subgroup")


def test_pistonrings_against_qcc(ring_cap):
    # qcc 2.7 process.capability on the trial X-bar chart (sigma = R-bar / 2.326)
    expected = {"cp": 1.7032806092559, "cpl": 1.74334176918515, "cpu": 1.66321944932665,
                "cpk": 1.66321944932665, "cpm": 1.69111113310692}
    for name, value in expected.items():
        assert getattr(ring_cap, name) == pytest.approx(value, rel=CONSTANTS), name
    assert ring_cap.sigma_method == "rbar_d2"
    # R-bar and the grand mean are plain arithmetic (reference: 0.02276, 74.001176)
    assert ring_cap.mean == pytest.approx(74.001176, abs=1e-9)
    assert ring_cap.sigma_within == pytest.approx(0.0227600000000001 / 2.325928947, rel=1e-9)


def test_within_sigma_is_the_chart_estimate(rings, ring_cap):
    chart = sixsigma.spc.xbar_r(rings, "diameter_mm", "subgroup")
    assert ring_cap.sigma_within == chart.location.sigma
    pooled = capability(rings, "diameter_mm", lsl=73.95, usl=74.05, subgroup="subgroup",
                        sigma_method="pooled_sd_c4")
    # pooled SD over 25 subgroups of 5, divided by c4(25 * 4 + 1) (Minitab)
    sd = rings.groupby("subgroup")["diameter_mm"].std(ddof=1).to_numpy()
    m = 101.0
    c4 = math.sqrt(2 / (m - 1)) * math.exp(math.lgamma(m / 2) - math.lgamma((m - 1) / 2))
    assert pooled.sigma_within == pytest.approx(math.sqrt(np.mean(sd**2)) / c4, rel=1e-12)
    assert pooled.sigma_method == "pooled_sd_c4"
    sbar = capability(rings, "diameter_mm", lsl=73.95, usl=74.05, subgroup="subgroup",
                      sigma_method="sbar_c4")
    # reference xbar_S_phase1 sigma_hat (qcc 2.7; c4 is exact in both)
    assert sbar.sigma_within == pytest.approx(0.00982997672828933, rel=1e-9)


def test_overall_indices_and_intervals_by_formula(rings, ring_cap):
    x = rings["diameter_mm"].to_numpy()
    n, mean, s = x.size, x.mean(), x.std(ddof=1)
    assert ring_cap.sigma_overall == pytest.approx(s, rel=1e-12)
    assert ring_cap.pp == pytest.approx(0.1 / (6 * s), rel=1e-12)
    assert ring_cap.ppk == pytest.approx(min(74.05 - mean, mean - 73.95) / (3 * s), rel=1e-12)
    # chi-square interval for Cp (Montgomery eq. 8.19), n - 1 degrees of freedom
    cp = ring_cap.cp
    lo = cp * math.sqrt(stats.chi2.ppf(0.025, n - 1) / (n - 1))
    hi = cp * math.sqrt(stats.chi2.ppf(0.975, n - 1) / (n - 1))
    assert ring_cap.intervals["cp"] == pytest.approx((lo, hi), rel=1e-12)
    # Bissell (1990): Cpk (1 -/+ z sqrt(1/(9 n Cpk^2) + 1/(2(n-1)))), two-sided z
    cpk, z = ring_cap.cpk, stats.norm.ppf(0.975)
    half = z * math.sqrt(1 / (9 * n * cpk**2) + 1 / (2 * (n - 1)))
    assert ring_cap.intervals["cpk"] == pytest.approx((cpk * (1 - half), cpk * (1 + half)),
                                                      rel=1e-12)
    # Boyles (1991): nu = n (1 + d^2)^2 / (1 + 2 d^2), d = (mean - T) / sigma
    d = (mean - 74.0) / ring_cap.sigma_within
    nu = n * (1 + d**2) ** 2 / (1 + 2 * d**2)
    cpm = ring_cap.cpm
    assert ring_cap.intervals["cpm"] == pytest.approx(
        (cpm * math.sqrt(stats.chi2.ppf(0.025, nu) / nu),
         cpm * math.sqrt(stats.chi2.ppf(0.975, nu) / nu)), rel=1e-12)


def test_sas_amps_cpk_interval():
    # SAS/QC Example 5.3: 90 % Bissell interval on Cpk (sample SD) printed 0.328 to 0.496
    res = capability(AMPS, lsl=4, usl=6, target=5, confidence=0.90)
    lo, hi = res.intervals["ppk"]
    assert (round(lo, 3), round(hi, 3)) == (0.328, 0.496)


def test_montgomery_cp_interval():
    # Montgomery: Cp = 2.29 (USL 62, LSL 38, s 1.75, n 20) -> 1.57 <= Cp <= 3.01
    lo, hi = capability_intervals({"cp": 2.29}, n=20)["cp"]
    assert (round(lo, 2), round(hi, 2)) == (1.57, 3.01)


def test_nist_example():
    # NIST/SEMATECH e-Handbook 6.1.6: Cp 1, Cpu 0.667, Cpl 1.333, Cpk 0.667
    idx = capability_indices(16.0, 2.0, 8.0, 20.0)
    assert idx["cp"] == pytest.approx(1.0)
    assert round(idx["cpu"], 3) == 0.667
    assert round(idx["cpl"], 3) == 1.333
    assert round(idx["cpk"], 3) == 0.667
    assert idx["cpm"] is None


def test_one_sided_specs(rng):
    x = rng.normal(60.0, 10.0, size=200)
    up = capability(x, usl=120.0)
    assert up.cp is None and up.cpl is None and up.pp is None and up.ppl is None
    assert up.cpk == up.cpu and up.ppk == up.ppu
    assert up.ppu == pytest.approx((120.0 - x.mean()) / (3 * x.std(ddof=1)))
    assert set(up.intervals) == {"cpk", "cpu", "ppk", "ppu"}
    assert up.ppm["expected_overall_below"] == 0.0
    low = capability(x, lsl=20.0)
    assert low.cpk == low.cpl and low.cpu is None


def test_off_centre_target(rng):
    x = rng.normal(10.2, 0.3, size=100)
    res = capability(x, lsl=9.0, usl=12.0, target=10.0)
    # qcc's Cpm (the default): (USL - LSL) / (6 sqrt(sigma_within^2 + (m - T)^2)); the
    # former mix (Minitab's numerator over the within sigma) matched neither reference
    mr = np.abs(np.diff(x)).mean() / (2 / math.sqrt(math.pi))  # d2(2) = 2/sqrt(pi)
    assert res.sigma_within == pytest.approx(mr, rel=1e-9)
    expected = 3.0 / (6 * math.sqrt(mr**2 + (x.mean() - 10.0) ** 2))
    assert res.cpm == pytest.approx(expected, rel=1e-12)
    assert res.cpm_method == "qcc"
    assert capability(x, lsl=9.0, usl=12.0).cpm is None      # no target, no Cpm


def test_ppm_expected_and_observed(rng):
    x = rng.normal(100.0, 10.0, size=500)
    res = capability(x, lsl=80.0, usl=115.0)
    m, s = x.mean(), x.std(ddof=1)
    assert res.ppm["expected_overall_below"] == pytest.approx(stats.norm.cdf((80 - m) / s) * 1e6)
    assert res.ppm["expected_overall_above"] == pytest.approx(stats.norm.sf((115 - m) / s) * 1e6)
    assert res.ppm["observed_total"] == pytest.approx(
        ((x < 80).sum() + (x > 115).sum()) / 500 * 1e6)
    sw = res.sigma_within
    assert res.ppm["expected_within_above"] == pytest.approx(stats.norm.sf((115 - m) / sw) * 1e6)


def test_normality_recorded(rng):
    x = rng.normal(size=60)
    res = capability(x, lsl=-4, usl=4)
    a2 = stats.anderson(x, "norm", method="interpolate").statistic  # scipy: same A^2
    assert res.normality.ad_statistic == pytest.approx(a2, rel=1e-9)
    # nortest::ad.test p-value formula on A* = A^2 (1 + 0.75/n + 2.25/n^2)
    aa = a2 * (1 + 0.75 / 60 + 2.25 / 3600)
    if aa < 0.2:
        p = 1 - math.exp(-13.436 + 101.14 * aa - 223.73 * aa**2)
    elif aa < 0.34:
        p = 1 - math.exp(-8.318 + 42.796 * aa - 59.938 * aa**2)
    elif aa < 0.6:
        p = math.exp(0.9177 - 4.279 * aa - 1.38 * aa**2)
    else:
        p = math.exp(1.2937 - 5.709 * aa + 0.0186 * aa**2)
    assert res.normality.ad_p_value == pytest.approx(p, rel=1e-12)
    assert res.normality.sw_p_value == pytest.approx(stats.shapiro(x).pvalue, rel=1e-12)
    skewed = capability(rng.lognormal(4.5, 0.6, size=300), usl=300.0)
    assert skewed.normality.doubtful
    assert any("do not look normal" in n for n in skewed.notes)


def test_result_is_frozen_and_json_safe(ring_cap):
    with pytest.raises(dataclasses.FrozenInstanceError):
        ring_cap.cp = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        ring_cap.values[0] = 0.0
    json.dumps(ring_cap.to_dict(), allow_nan=False)
    frame = ring_cap.to_frame()
    assert list(frame.columns) == ["index", "basis", "estimate", "ci_low", "ci_high"]
    assert len(frame) == 9
    assert "cpk" in ring_cap.summary() and "<table" in ring_cap._repr_html_()
    one = capability(np.arange(10.0) % 3, usl=5.0)
    json.dumps(one.to_dict(), allow_nan=False)   # None for the missing indices


def test_polars_input(rings):
    pl = pytest.importorskip("polars")
    res = capability(pl.from_pandas(rings), "diameter_mm", lsl=73.95, usl=74.05,
                     subgroup="subgroup")
    assert res.cp == pytest.approx(1.7032806092559, rel=CONSTANTS)


# -- bad input -----------------------------------------------------------------------------

def test_lsl_not_below_usl():
    with pytest.raises(ParameterError, match="capability: lsl must be below usl"):
        capability([1.0, 2, 3], lsl=5, usl=5)


def test_no_spec():
    with pytest.raises(ParameterError, match="at least one specification"):
        capability([1.0, 2, 3])


def test_target_outside_specs():
    with pytest.raises(ParameterError, match="target"):
        capability([1.0, 2, 3], lsl=0, usl=4, target=5)


def test_too_few_points():
    with pytest.raises(InsufficientDataError, match="at least 2"):
        capability([1.0], usl=3)


def test_constant_data():
    with pytest.raises(ZeroVarianceError, match="column 'value'"):
        capability([2.0] * 5, usl=3)


def test_missing_value_names_row():
    with pytest.raises(MissingValueError, match="row 2"):
        capability({"t": [1.0, 2.0, None, 4.0]}, "t", usl=9)


def test_missing_column():
    with pytest.raises(ColumnError, match="'nope'"):
        capability({"t": [1.0, 2.0]}, "nope", usl=9)


def test_single_observation_subgroup_names_caller():
    data = {"x": [1.0, 2, 3, 4, 5], "g": [1, 1, 2, 2, 3]}
    with pytest.raises(DomainError, match=r"^capability: subgroup 3"):
        capability(data, "x", usl=9, subgroup="g")


def test_bad_options():
    with pytest.raises(ParameterError, match="sigma_method"):
        capability([1.0, 2, 3], usl=9, sigma_method="rbar_d2")
    with pytest.raises(ParameterError, match="confidence"):
        capability([1.0, 2, 3], usl=9, confidence=95)


def test_imported_as_package_attribute():
    assert sixsigma.capability.capability is capability


def test_cpm_qcc_off_centre_pistonrings(rings):
    # qcc 2.7 process.capability(obj, spec.limits = c(73.95, 74.05), target = 74.02):
    # Cpm = Cp / sqrt(1 + ((center - target) / std.dev)^2), std.dev = R-bar / 2.326, Cp and
    # the centre from the qcc reference above
    res = capability(rings, "diameter_mm", lsl=73.95, usl=74.05, target=74.02,
                     subgroup="subgroup")
    sd = 0.0227600000000001 / 2.326
    expected = 1.7032806092559 / math.sqrt(1 + ((74.001176 - 74.02) / sd) ** 2)
    assert res.cpm == pytest.approx(expected, rel=CONSTANTS)
    assert res.cpm_method == "qcc"
    # centred target: qcc's value from the reference set
    assert capability(rings, "diameter_mm", lsl=73.95, usl=74.05, target=74.0,
                      subgroup="subgroup").cpm == pytest.approx(1.69111113310692,
                                                                rel=CONSTANTS)
    # qcc needs both specs: None, with a note
    one = capability(rings, "diameter_mm", usl=74.05, target=74.0, subgroup="subgroup")
    assert one.cpm is None and any("Cpm" in n for n in one.notes)


def test_cpm_minitab_hand_computed():
    # Minitab (overall capability): min(T - LSL, USL - T) / (3 sqrt(sum (x - T)^2 / (n - 1)))
    x = [10.1, 10.3, 10.2, 10.4, 10.0, 10.2, 10.3, 10.1, 10.2, 10.2]
    # sum (x - 10)^2 = 0.52; / 9 = 0.0577778; sqrt = 0.2403701; min(1, 2) / (3 * that)
    res = capability(x, lsl=9.0, usl=12.0, target=10.0, cpm_method="minitab")
    assert res.cpm == pytest.approx(1.386750490563, rel=1e-9)
    assert res.cpm_method == "minitab"
    row = res.to_frame().set_index("index").loc["cpm"]
    assert row["basis"] == "overall"
    # Boyles' interval with d = (mean - T) / overall SD
    arr = np.array(x)
    d = (arr.mean() - 10.0) / arr.std(ddof=1)
    nu = 10 * (1 + d**2) ** 2 / (1 + 2 * d**2)
    assert res.intervals["cpm"] == pytest.approx(
        (res.cpm * math.sqrt(stats.chi2.ppf(0.025, nu) / nu),
         res.cpm * math.sqrt(stats.chi2.ppf(0.975, nu) / nu)), rel=1e-12)
    # one spec and a target: that side's half-width (Minitab's "USL and T only")
    up = capability(x, usl=12.0, target=10.0, cpm_method="minitab")
    assert up.cpm == pytest.approx(2.0 / (3 * math.sqrt(0.52 / 9)), rel=1e-9)
    assert capability(x, lsl=9.0, usl=12.0, cpm_method="minitab").cpm is None
    with pytest.raises(ParameterError, match="cpm_method"):
        capability(x, lsl=9.0, usl=12.0, target=10.0, cpm_method="jmp")
