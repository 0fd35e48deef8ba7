"""Control charts against reference values.

Every expected number below was computed with R's qcc 2.7 (R 4.2.2) or qicharts2 0.8.1 on
the CSV files in tests/data and re-derived by direct formula (see tests/data/README.md).
None was produced by this package. Tolerances: 1e-9 for arithmetic on the data; 1e-3
relative where qcc's three-decimal d2/d3 constants enter (sixsigma uses exact constants).
"""

from __future__ import annotations

import numpy as np
import pytest
from refdata import load

import sixsigma as ss
from sixsigma.constants import c4, d2

EXACT = 1e-9
CONSTANTS = 1e-3  # relative

# -- piston rings (Montgomery; qcc 2.7 `pistonrings`), X-bar/R and X-bar/S --------------


@pytest.fixture(scope="module")
def rings():
    return load("pistonrings")


def test_pistonrings_xbar_r_phase1(rings):
    trial = rings[rings.phase == "trial"]
    loc, rng_ = ss.spc.xbar_r(trial, value="diameter_mm", subgroup="subgroup")
    assert loc.center[0] == pytest.approx(74.001176, abs=EXACT)
    assert rng_.center[0] == pytest.approx(0.02276, abs=EXACT)  # R-bar
    # qcc divides by d2(5) = 2.326; the exact d2 gives 0.00978533760741318
    assert loc.sigma == pytest.approx(0.0097850386930353, rel=CONSTANTS)
    assert loc.sigma == pytest.approx(0.00978533760741318, rel=1e-9)
    assert loc.sigma_method == "rbar_d2"
    half = loc.ucl - loc.center
    assert half[0] == pytest.approx(74.014304007008 - 74.001176, rel=CONSTANTS)
    assert (loc.center - loc.lcl)[0] == pytest.approx(74.001176 - 73.9880479929919,
                                                      rel=CONSTANTS)
    assert rng_.ucl[0] == pytest.approx(0.0481253301547724, rel=CONSTANTS)
    assert np.isnan(rng_.lcl).all()  # D3(5) = 0: the lower limit is absent, not 0
    assert loc.in_control and rng_.in_control  # no trial point beyond the limits


def test_pistonrings_xbar_s_phase1(rings):
    trial = rings[rings.phase == "trial"]
    loc, s = ss.spc.xbar_s(trial, value="diameter_mm", subgroup="subgroup")
    assert s.center[0] == pytest.approx(0.00924003660228554, abs=EXACT)  # s-bar
    assert loc.sigma == pytest.approx(0.00982997672828933, abs=EXACT)  # s-bar / c4(5)
    assert loc.lcl[0] == pytest.approx(73.987987702291, abs=EXACT)
    assert loc.ucl[0] == pytest.approx(74.014364297709, abs=EXACT)
    assert s.ucl[0] == pytest.approx(0.0193024167682403, abs=EXACT)
    assert np.isnan(s.lcl).all()
    assert loc.sigma_method == "sbar_c4"


def test_pistonrings_phase2_signals(rings):
    # limits from subgroups 1-25, the other 15 monitored: 37, 38, 39 are above the UCL
    pair = ss.spc.xbar_r(rings, value="diameter_mm", subgroup="subgroup",
                         phase1=rings.phase.eq("trial").to_numpy())
    loc, rng_ = pair
    later_means = [74.0086, 74.0022, 73.9922, 74.0036, 73.9974, 74.0072, 74.0056, 73.9978,
                   74.0112, 74.0126, 74.004, 74.0166, 74.0196, 74.0234, 74.0128]
    np.testing.assert_allclose(loc.statistic[25:], later_means, atol=EXACT)
    assert loc.labels[loc.violation_index].tolist() == [37, 38, 39]
    assert rng_.in_control
    assert loc.phase1.sum() == 25 and loc.stages[0].n_estimation == 25
    # the frozen-limits route gives the same signals
    frozen = ss.spc.xbar_r(rings[rings.phase == "trial"], value="diameter_mm",
                           subgroup="subgroup")
    later = ss.spc.xbar_r(rings[rings.phase == "later"], value="diameter_mm",
                          subgroup="subgroup", limits=frozen)
    assert later.location.labels[later.location.violation_index].tolist() == [37, 38, 39]
    np.testing.assert_allclose(later.location.ucl, loc.ucl[25:], rtol=1e-12)


def test_pistonrings_pooled_sigma_option(rings):
    trial = rings[rings.phase == "trial"]
    loc, _ = ss.spc.xbar_s(trial, value="diameter_mm", subgroup="subgroup",
                           sigma_method="pooled_sd_c4")
    g = trial.groupby("subgroup").diameter_mm
    sp = np.sqrt((g.var(ddof=1) * 4).sum() / (25 * 4))  # pooled SD, 100 degrees of freedom
    assert loc.sigma == pytest.approx(sp / c4(101), rel=1e-12)
    assert loc.sigma_method == "pooled_sd_c4"


# -- orange juice cans (qcc `orangejuice`), p chart, revision, new Phase I --------------


@pytest.fixture(scope="module")
def juice():
    return load("orangejuice")


def test_orangejuice_p_trial(juice):
    trial = juice[juice.phase == "trial"]
    chart = ss.spc.p_chart(trial, defectives="defectives", size="size", label="sample")
    assert chart.center[0] == pytest.approx(0.231333333333333, abs=EXACT)
    assert chart.lcl[0] == pytest.approx(0.0524275480719282, abs=EXACT)
    assert chart.ucl[0] == pytest.approx(0.410239118594738, abs=EXACT)
    assert chart.labels[chart.violation_index].tolist() == [15, 23]
    assert chart.sigma_method == "binomial"


def test_orangejuice_revised_limits(juice):
    upto = juice[juice.phase != "later"]
    chart = ss.spc.p_chart(upto, defectives="defectives", size="size", label="sample",
                           phase1=upto.phase.eq("trial").to_numpy(), exclude=[15, 23])
    assert chart.center[0] == pytest.approx(0.215, abs=EXACT)
    assert chart.lcl[0] == pytest.approx(0.0407028399542896, abs=EXACT)
    assert chart.ucl[0] == pytest.approx(0.38929716004571, abs=EXACT)
    flagged = chart.labels[chart.violation_index].tolist()
    # sample 21 stays above the revised UCL; after the adjustment, 41 falls below the LCL
    assert [s for s in flagged if s <= 30 and s not in (15, 23)] == [21]
    assert [s for s in flagged if s > 30] == [41]
    assert chart.labels[chart.excluded].tolist() == [15, 23]
    assert chart.exclusion_reasons == ("excluded by the user",) * 2


def test_orangejuice_revise_iteratively(juice):
    trial = juice[juice.phase == "trial"]
    chart = ss.spc.p_chart(trial, defectives="defectives", size="size", label="sample",
                           revise=True)
    # pass 1 drops 15 and 23; pass 2 drops 21, which is above the revised UCL
    assert chart.labels[chart.excluded].tolist() == [15, 21, 23]
    assert chart.exclusion_reasons == ("beyond the limits (revision pass 1)",
                                       "beyond the limits (revision pass 2)",
                                       "beyond the limits (revision pass 1)")
    d = trial.defectives.drop(index=[14, 20, 22]).sum()
    assert chart.center[0] == pytest.approx(d / (27 * 50), abs=EXACT)


def test_orangejuice_new_phase1_after_adjustment(juice):
    # stage 1 = the first 30 samples; stage 2 = limits from 31-54, monitoring 55-94
    stage = np.where(juice.phase == "trial", "before adjustment", "after adjustment")
    chart = ss.spc.p_chart(juice, defectives="defectives", size="size", label="sample",
                           stage=stage, phase1=juice.phase.ne("later").to_numpy())
    second = chart.stages[1]
    assert (second.name, second.start, second.n_estimation) == ("after adjustment", 30, 24)
    assert second.center == pytest.approx(0.110833333333333, abs=EXACT)
    assert np.isnan(chart.lcl[30:]).all()  # raw LCL -0.0224: absent, not 0
    assert chart.ucl[40] == pytest.approx(0.244020701352977, abs=EXACT)
    later = chart.labels[chart.violation_index]
    assert not any(s > 54 for s in later)  # no later sample beyond the limits
    assert chart.to_dict()["lcl"]["data"][40] is None


# -- circuit boards (qcc `circuit`), c chart --------------------------------------------


@pytest.fixture(scope="module")
def circuit():
    return load("circuit")


def test_circuit_c_trial(circuit):
    trial = circuit[circuit.phase == "trial"]
    chart = ss.spc.c_chart(trial, count="nonconformities", label="sample")
    assert chart.center[0] == pytest.approx(19.8461538461538, abs=1e-9)
    assert chart.lcl[0] == pytest.approx(6.48144716716591, abs=1e-9)
    assert chart.ucl[0] == pytest.approx(33.2108605251418, abs=1e-9)
    assert chart.labels[chart.violation_index].tolist() == [6, 20]
    assert chart.sigma == pytest.approx(np.sqrt(19.8461538461538), abs=1e-9)


def test_circuit_c_revised_and_phase2(circuit):
    chart = ss.spc.c_chart(circuit, count="nonconformities", label="sample",
                           phase1=circuit.phase.eq("trial").to_numpy(), exclude=[6, 20])
    assert chart.center[0] == pytest.approx(19.6666666666667, abs=1e-9)
    assert chart.lcl[0] == pytest.approx(6.3625319710166, abs=1e-9)
    assert chart.ucl[0] == pytest.approx(32.9708013623167, abs=1e-9)
    later = [s for s in chart.labels[chart.violation_index].tolist() if s > 26]
    assert later == []


# -- u charts: personal computers (constant n), dyed cloth (variable n) -----------------


def test_pcmanufact_u_chart():
    pc = load("pcmanufact")
    chart = ss.spc.u_chart(pc, count="nonconformities", size="units", label="sample")
    assert chart.center[0] == pytest.approx(1.93, abs=EXACT)
    assert chart.lcl[0] == pytest.approx(0.0661330519589118, abs=EXACT)
    assert chart.ucl[0] == pytest.approx(3.79386694804109, abs=EXACT)
    assert chart.in_control


DYED_LCL = [0.291473930126865, 0.157885199983939, 0.430617436636932, 0.291473930126865,
            0.262072101865218, 0.291473930126865, 0.390085034040934, 0.318749790965259,
            0.390085034040934, 0.410959322777849]
DYED_UCL = [2.55503769778011, 2.68862642792304, 2.41589419127004, 2.55503769778011,
            2.58443952604176, 2.55503769778011, 2.45642659386604, 2.52776183694172,
            2.45642659386604, 2.43555230512913]


def test_dyedcloth_u_chart_variable_n():
    cloth = load("dyedcloth")
    chart = ss.spc.u_chart(cloth, count="nonconformities", size="inspection_units",
                           label="roll")
    assert chart.center[0] == pytest.approx(1.42325581395349, abs=EXACT)
    np.testing.assert_allclose(chart.lcl, DYED_LCL, atol=EXACT)
    np.testing.assert_allclose(chart.ucl, DYED_UCL, atol=EXACT)
    np.testing.assert_allclose(chart.statistic[:3], [1.4, 1.5, 1.53846153846154], atol=EXACT)
    assert chart.in_control


# -- viscosity (qcc 3.0 `viscosity`), individuals and moving range ----------------------


def test_viscosity_imr():
    visc = load("viscosity")
    pair = ss.spc.imr(visc, value="viscosity", label="batch",
                      phase1=visc.phase.eq("trial").to_numpy())
    i, mr = pair
    assert i.center[0] == pytest.approx(34.088, abs=EXACT)
    assert mr.center[5] == pytest.approx(0.572631578947368, abs=EXACT)  # MR-bar
    assert i.sigma == pytest.approx(0.507652108995894, rel=CONSTANTS)  # qcc, d2 = 1.128
    assert i.sigma == pytest.approx(0.572631578947368 / d2(2), rel=1e-12)
    assert i.lcl[0] == pytest.approx(32.5655554291169, abs=1e-9)  # exact d2
    assert i.ucl[0] == pytest.approx(35.6104445708831, abs=1e-9)
    assert (i.ucl - i.center)[0] == pytest.approx(35.6109563269877 - 34.088, rel=CONSTANTS)
    assert mr.ucl[5] == pytest.approx(1.87078736842105, rel=CONSTANTS)  # D4(2) = 3.267
    assert np.isnan(mr.statistic[0])  # the first point has no moving range
    assert np.isnan(mr.lcl[1:]).all()
    assert i.labels[i.violation_index].tolist() == [4]  # trial batch 4; none later


# -- NHS A&E (qicharts2 `nhs_accidents`), p versus Laney p' ------------------------------

NHS_P_LCL = [0.951699564646015, 0.951691743005722, 0.951722911596372, 0.95173183435344,
             0.951703609598285, 0.951689697800654, 0.951706824681848, 0.95173004781605,
             0.951708085463288, 0.951704003383619, 0.951697795461315, 0.951706961232274,
             0.951668867537143, 0.951672228249896, 0.951691699366509, 0.951680134011364,
             0.95166742471344, 0.951684471241059, 0.95169554538281, 0.951685030668265]
NHS_P_UCL = [0.954099858042367, 0.95410767968266, 0.95407651109201, 0.954067588334943,
             0.954095813090097, 0.954109724887728, 0.954092598006534, 0.954069374872333,
             0.954091337225094, 0.954095419304764, 0.954101627227067, 0.954092461456108,
             0.954130555151239, 0.954127194438486, 0.954107723321873, 0.954119288677018,
             0.954131997974943, 0.954114951447323, 0.954103877305573, 0.954114392020117]
NHS_LANEY_LCL = [0.940129644177514, 0.940046418625136, 0.94037806557854, 0.940473007477924,
                 0.94017268417609, 0.940024656780411, 0.940206894021525, 0.940453997966418,
                 0.940220309267922, 0.940176874218159, 0.940110819305953, 0.940208346975665,
                 0.939803013989125, 0.93983877339058, 0.940045954285496, 0.939922894027757,
                 0.939787661736249, 0.939969043981431, 0.940086877521429, 0.939974996522904]
NHS_LANEY_UCL = [0.965669778510868, 0.965753004063246, 0.965421357109842, 0.965326415210459,
                 0.965626738512293, 0.965774765907971, 0.965592528666857, 0.965345424721964,
                 0.96557911342046, 0.965622548470224, 0.965688603382429, 0.965591075712717,
                 0.965996408699257, 0.965960649297802, 0.965753468402887, 0.965876528660626,
                 0.966011760952133, 0.965830378706951, 0.965712545166953, 0.965824426165478]


@pytest.fixture(scope="module")
def nhs():
    return load("nhs_accidents")


def test_nhs_p_chart_over_signals(nhs):
    chart = ss.spc.p_chart(nhs, defectives="seen_within_4h", size="attendances", label="week")
    assert chart.center[0] == pytest.approx(0.952899711344191, abs=EXACT)
    np.testing.assert_allclose(chart.lcl, NHS_P_LCL, atol=EXACT)
    np.testing.assert_allclose(chart.ucl, NHS_P_UCL, atol=EXACT)
    assert np.unique(chart.violation_index).size == 16


def test_nhs_laney_p(nhs):
    chart = ss.spc.laney_p(nhs, defectives="seen_within_4h", size="attendances", label="week")
    assert chart.stages[-1].extra["sigma_z"] == pytest.approx(10.6404218634965, abs=EXACT)
    np.testing.assert_allclose(chart.lcl, NHS_LANEY_LCL, atol=EXACT)
    np.testing.assert_allclose(chart.ucl, NHS_LANEY_UCL, atol=EXACT)
    assert chart.in_control
    assert chart.sigma_method == "laney"
