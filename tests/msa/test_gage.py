"""gage_rr against SixSigma 0.11.1 (ss.data.rr), Montgomery's thermal-impedance example,
pingouin's ANOVA and ICC, and hand formulas for the nested design."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from sixsigma import msa
from sixsigma.errors import InputError, InsufficientDataError, ParameterError, ZeroVarianceError


def load(name: str) -> pd.DataFrame:
    """A reference dataset copied into tests/data (see its README for the source)."""
    return pd.read_csv(Path(__file__).parents[1] / "data" / f"{name}.csv")

EXACT = 1e-9


@pytest.fixture(scope="module")
def rr():
    return msa.gage_rr(load("ss_data_rr"), "part", "operator", "time1", tolerance=(0.7, 1.8))


def test_ss_data_rr_full_anova(rr):
    # SixSigma 0.11.1 ss.rr (expected.json ss_data_rr full_model)
    full = rr.anova_full.set_index("source")
    assert full["ss"].tolist() == pytest.approx(
        [1.20071851851852, 0.0529407407407408, 0.0833925925925926, 0.3854], abs=EXACT)
    assert full["ms"].tolist() == pytest.approx(
        [0.600359259259259, 0.0264703703703704, 0.0208481481481482, 0.0214111111111111],
        abs=EXACT)
    assert full["f"].iloc[:3].tolist() == pytest.approx(
        [28.7967667436489, 1.26967489785042, 0.973706971112266], abs=1e-8)
    assert rr.interaction_p_value == pytest.approx(0.446187904825445, abs=EXACT)


def test_ss_data_rr_components(rr):
    # expected.json ss_data_rr: interaction pooled (p 0.446 > 0.25 and > 0.05)
    assert rr.interaction_pooled
    c = rr.components
    exp = {
        "var_comp": {"gage_rr": 0.0218822671156004, "repeatability": 0.0213087542087542,
                     "reproducibility": 0.000573512906846243,
                     "operator": 0.000573512906846243, "part": 0.0643389450056117,
                     "total": 0.0862212121212121},
        "std_dev": {"gage_rr": 0.147926559872122, "repeatability": 0.14597518353732,
                    "reproducibility": 0.0239481295062108, "part": 0.253651227092659,
                    "total": 0.293634487281743},
        "pct_contribution": {"gage_rr": 25.3792153662114, "repeatability": 24.7140508518922,
                             "reproducibility": 0.665164514319264, "part": 74.6207846337886},
        "pct_study_var": {"gage_rr": 50.3777881275186, "repeatability": 49.7132284728042,
                          "reproducibility": 8.15576185478258, "part": 86.3833228313131},
        "pct_tolerance": {"gage_rr": 80.6872144757029, "repeatability": 79.6228273839927,
                          "reproducibility": 13.0626160942968, "part": 138.355214777814,
                          "total": 160.164265790042},
    }
    for col, vals in exp.items():
        for src, v in vals.items():
            assert c.loc[src, col] == pytest.approx(v, abs=EXACT), (col, src)
    assert c.loc["operator:part", "var_comp"] == 0.0
    assert rr.ndc == 2   # expected.json: floor(1.41 * sd_part / sd_grr)
    reduced = rr.anova.set_index("source")
    assert reduced.loc["repeatability", "ms"] == pytest.approx(0.0213087542087542, abs=EXACT)
    assert reduced.loc["repeatability", "df"] == 22


def test_ss_data_rr_printed_percentages(rr):
    # SixSigma prints 2 decimals (expected.json printed_by_SixSigma_2dp)
    assert round(rr.components.loc["gage_rr", "pct_study_var"], 2) == 50.38
    assert round(rr.components.loc["part", "pct_tolerance"], 2) == 138.36


@pytest.fixture(scope="module")
def impedance():
    # Houf & Berman (1988) thermal impedance, 10 parts x 3 inspectors x 3 tests, as printed
    # in Montgomery, Introduction to Statistical Quality Control (6th ed., Example 8.7 /
    # Table 8.7) and reproduced in Vidakovic (2011), Statistics for Bioengineering
    # Sciences, Example 11.14.
    return load("thermal_impedance")


def test_montgomery_thermal_impedance(impedance):
    g = msa.gage_rr(impedance, "part", "operator", "impedance")
    # Montgomery's ANOVA (Table 8.8): MS part 437.33, operator 19.63, P x O 2.70, error
    # 0.51; the interaction is significant and kept
    a = g.anova.set_index("source")
    assert np.round(a["ms"].to_numpy(), 2).tolist() == [437.33, 19.63, 2.70, 0.51]
    assert not g.interaction_pooled
    # Montgomery's variance components: part 48.29, operator 0.56, interaction 0.73,
    # repeatability 0.51, gauge 1.80 (= 0.51 + 0.56 + 0.73)
    c = g.components["var_comp"]
    assert round(c["part"], 2) == 48.29
    assert round(c["operator"], 2) == 0.56
    assert round(c["operator:part"], 2) == 0.73
    assert round(c["repeatability"], 2) == 0.51
    assert round(c["gage_rr"], 2) == 1.80
    # F tests of part and operator against MS(interaction) when it is kept
    assert a.loc["operator", "f"] == pytest.approx(a.loc["operator", "ms"]
                                                   / a.loc["operator:part", "ms"])


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_cross_check_with_pingouin_anova_and_icc(impedance):
    g = msa.gage_rr(impedance, "part", "operator", "impedance")
    aov = pg.anova(data=impedance, dv="impedance", between=["part", "operator"])
    ss = dict(zip(aov["Source"], aov["SS"], strict=True))
    full = g.anova_full.set_index("source")["ss"]
    assert full["part"] == pytest.approx(ss["part"], rel=1e-10)
    assert full["operator"] == pytest.approx(ss["operator"], rel=1e-10)
    assert full["operator:part"] == pytest.approx(ss["part * operator"], rel=1e-10)
    assert full["repeatability"] == pytest.approx(ss["Residual"], rel=1e-10)
    # ICC(A,1) of the part x operator cell means = var_part / (var_part + var_operator +
    # var_interaction + var_repeat / r) (McGraw & Wong 1996; components all positive here)
    cells = impedance.groupby(["part", "operator"], as_index=False)["impedance"].mean()
    icc = pg.intraclass_corr(cells, targets="part", raters="operator", ratings="impedance")
    icc2 = float(icc.set_index("Type").loc["ICC(A,1)", "ICC"])
    c = g.components["var_comp"]
    assert c["part"] / (c["part"] + c["operator"] + c["operator:part"]
                        + c["repeatability"] / 3) == pytest.approx(icc2, rel=1e-10)


def test_interaction_threshold_is_a_choice(impedance):
    d = load("ss_data_rr")
    kept = msa.gage_rr(d, "part", "operator", "time1", alpha_interaction=1.0)
    assert not kept.interaction_pooled
    # kept: operator component (MS_O - MS_PO)/(p r) from the full-model MS (expected.json)
    assert kept.components.loc["operator", "var_comp"] == pytest.approx(
        (0.0264703703703704 - 0.0208481481481482) / 9, abs=EXACT)
    # interaction MS < MSE: its component is negative and set to 0
    assert kept.components.loc["operator:part", "var_comp"] == 0.0
    assert any("set to 0" in n for n in kept.notes)
    sixsigma_r = msa.gage_rr(d, "part", "operator", "time1", alpha_interaction=0.05)
    assert sixsigma_r.interaction_pooled and sixsigma_r.alpha_interaction == 0.05


def test_k_515(rr):
    d = load("ss_data_rr")
    old = msa.gage_rr(d, "part", "operator", "time1", tolerance=1.1, study_multiplier=5.15)
    assert old.components.loc["gage_rr", "study_var"] == pytest.approx(
        5.15 * 0.147926559872122, abs=EXACT)
    assert old.components.loc["gage_rr", "pct_study_var"] == pytest.approx(
        rr.components.loc["gage_rr", "pct_study_var"])


def test_nested_by_hand():
    rng = np.random.default_rng(1)
    rows = []
    for o in range(3):
        for p in range(4):
            base = 10 + o + rng.normal(0, 2)
            for t in range(3):
                rows.append((f"op{o}", p, t, base + rng.normal(0, 0.3)))
    d = pd.DataFrame(rows, columns=["operator", "part", "trial", "y"])
    g = msa.gage_rr(d, "part", "operator", "y", design="nested")
    # hand: nested ANOVA sums of squares with loops
    grand = d["y"].mean()
    ss_o = sum(12 * (g_["y"].mean() - grand) ** 2 for _, g_ in d.groupby("operator"))
    ss_p = sum(3 * (c["y"].mean() - d[d.operator == o]["y"].mean()) ** 2
               for (o, _), c in d.groupby(["operator", "part"]))
    ss_e = sum(((c["y"] - c["y"].mean()) ** 2).sum() for _, c in d.groupby(["operator", "part"]))
    ms_o, ms_p, ms_e = ss_o / 2, ss_p / 9, ss_e / 24
    c = g.components["var_comp"]
    assert c["repeatability"] == pytest.approx(ms_e)
    assert c["part"] == pytest.approx(max((ms_p - ms_e) / 3, 0))
    assert c["operator"] == pytest.approx(max((ms_o - ms_p) / 12, 0))
    assert c["operator:part"] == 0.0 and g.design == "nested"


def test_output(rr):
    json.dumps(rr.to_dict(), allow_nan=False)
    assert rr.to_frame()["source"].tolist() == ["repeatability", "reproducibility", "operator",
                                                "operator:part", "gage_rr", "part", "total"]
    assert "ndc = 2" in rr.summary() and "<table" in rr._repr_html_()


def test_bad_input():
    d = load("ss_data_rr")
    with pytest.raises(InputError, match="balanced"):
        msa.gage_rr(d.iloc[1:], "part", "operator", "time1")
    with pytest.raises(InsufficientDataError, match="single operator"):
        msa.gage_rr(d[d.operator == 1], "part", "operator", "time1")
    with pytest.raises(InsufficientDataError, match="two measurements"):
        msa.gage_rr(d[d.run == 1], "part", "operator", "time1")
    with pytest.raises(InputError, match="operator 1 has no measurement of part 1"):
        msa.gage_rr(d[~((d.operator == 1) & (d.part == 1))], "part", "operator", "time1")
    with pytest.raises(ZeroVarianceError):
        msa.gage_rr(d.assign(time1=1.0), "part", "operator", "time1")
    with pytest.raises(ParameterError, match="tolerance"):
        msa.gage_rr(d, "part", "operator", "time1", tolerance=(1.8, 0.7))
    with pytest.raises(ParameterError, match="design"):
        msa.gage_rr(d, "part", "operator", "time1", design="mixed")  # type: ignore[arg-type]


def test_interaction_rule_names_the_boundary():
    """Issue 15 item 7: AIAG pools when p > alpha, current Minitab when p >= alpha.

    Minitab (support.minitab.com, Crossed Gage R&R Study, key results): "If the p-value for
    the operator and part interaction is 0.05 or higher, Minitab removes the interaction";
    its "Alpha to remove interaction term" defaults to 0.05. AIAG/older Minitab: 0.25.
    """
    d = load("ss_data_rr")
    base = msa.gage_rr(d, "part", "operator", "time1")
    assert base.interaction_rule == "aiag" and base.alpha_interaction == 0.25
    mt = msa.gage_rr(d, "part", "operator", "time1", interaction_rule="minitab")
    assert mt.interaction_rule == "minitab" and mt.alpha_interaction == 0.05
    p = base.interaction_p_value
    assert p is not None and 0 < p < 1
    # exactly at the boundary: AIAG keeps (p > alpha is false), Minitab pools (p >= alpha)
    at_aiag = msa.gage_rr(d, "part", "operator", "time1", alpha_interaction=p)
    at_mt = msa.gage_rr(d, "part", "operator", "time1", interaction_rule="minitab",
                        alpha_interaction=p)
    assert not at_aiag.interaction_pooled
    assert at_mt.interaction_pooled
    assert any(">= " in n and "minitab rule" in n for n in at_mt.notes)
    # just either side: both rules agree
    for rule in ("aiag", "minitab"):
        below = msa.gage_rr(d, "part", "operator", "time1", interaction_rule=rule,
                            alpha_interaction=np.nextafter(p, 0))
        above = msa.gage_rr(d, "part", "operator", "time1", interaction_rule=rule,
                            alpha_interaction=np.nextafter(p, 1))
        assert below.interaction_pooled and not above.interaction_pooled
    with pytest.raises(ParameterError, match="interaction_rule"):
        msa.gage_rr(d, "part", "operator", "time1", interaction_rule="aiag4")
    with pytest.raises(ParameterError, match="alpha_interaction"):
        msa.gage_rr(d, "part", "operator", "time1", alpha_interaction=1.5)
    doc = " ".join((msa.gage_rr.__doc__ or "").split())
    assert "0.05 or higher" in doc
    assert "Minitab: 0.25" not in doc
