"""corrected_rate: Rogan-Gladen with the Lang-Reiczigel or mapped Wilson interval (issue 16).

Provenance of the reference values
----------------------------------
* Rogan-Gladen: hand computations from (p_obs + Sp - 1) / (Se + Sp - 1) (Rogan & Gladen
  1978, Am. J. Epidemiol. 107:71-76).
* Wilson mapped: Newcombe (1998, Stat. Med. 17:857-872) Table II example (a): 81/263 has
  the Wilson interval (0.2553, 0.3662); mapped through Se 0.9, Sp 0.95 by hand.
* Lang & Reiczigel (2014, Prev. Vet. Med. 113:13-22): no worked numeric example of the
  paper could be located offline, so :func:`_ci_binom` below transcribes, line by line and
  in scalar arithmetic, the authors' R script ``CI4TruePrevalence_15_03_2013.r`` (J.
  Reiczigel, www2.univet.hu/users/jreiczig/CI4prevSeSp/) as published, adapted, by
  M. Flor with Flor et al. (2020, BMC Public Health 20:1135) and by R. Challen in the R
  package ``testerror`` (``prevalence_lang_reiczigel``; both copies carry the same
  formulas). It is evaluated on the example datasets of that script (Reiczigel, Földi &
  Ózsvári 2010, Epidemiol. Infect. 138:1674-1678, Table 2 regions with Se 0.5 from
  100 and Sp 0.995 from 200 gold samples, plus the script's "My Test Case"), and the
  coverage of the interval is checked by a seeded simulation.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

import sixsigma as ss
from sixsigma._stats.binomial import lang_reiczigel, rogan_gladen, wilson_mapped
from sixsigma.errors import ParameterError
from sixsigma.msa import CorrectedRate, corrected_rate

pytestmark = pytest.mark.filterwarnings("error")


def _ci_binom(nprev, kprev, nsens, ksens, nspec, kspec, conflevel=0.95):
    """Scalar transcription of CI_Binom (Lang & Reiczigel's script, Flor's adaptation)."""
    obs_sens = ksens / nsens
    obs_spec = kspec / nspec
    if obs_sens + obs_spec <= 1:
        return (math.nan, math.nan)
    zcrit = stats.norm.ppf((1 + conflevel) / 2)
    plus = 2
    nprev_ = nprev + zcrit**2
    kprev_ = kprev + zcrit**2 / 2
    nsens_ = nsens + plus
    ksens_ = ksens + plus / 2
    nspec_ = nspec + plus
    kspec_ = kspec + plus / 2
    obs_prev_ = kprev_ / nprev_
    obs_sens_ = ksens_ / nsens_
    obs_spec_ = kspec_ / nspec_
    est_prev_ = (obs_prev_ + obs_spec_ - 1) / (obs_sens_ + obs_spec_ - 1)
    youden_ = obs_sens_ + obs_spec_ - 1
    se_est_prev_ = math.sqrt(
        obs_prev_ * (1 - obs_prev_) / nprev_
        + obs_sens_ * (1 - obs_sens_) / nsens_ * est_prev_**2
        + obs_spec_ * (1 - obs_spec_) / nspec_ * (1 - est_prev_) ** 2
    ) / abs(youden_)
    dprev = 2 * zcrit**2 * (est_prev_ * obs_sens_ * (1 - obs_sens_) / nsens_
                            - (1 - est_prev_) * obs_spec_ * (1 - obs_spec_) / nspec_)
    lcl = est_prev_ + dprev - zcrit * se_est_prev_
    ucl = est_prev_ + dprev + zcrit * se_est_prev_
    return (min(1, max(0, lcl)), min(1, max(0, ucl)))


# the example datasets of the script: x positives of n, Se from n_se, Sp from n_sp
DATASETS = [
    # region,               x,   n,   se,   n_se, sp,    n_sp
    ("Boticas", 2, 78, 0.5, 100, 0.995, 200),
    ("Carrazeda e Vila Flor", 4, 130, 0.5, 100, 0.995, 200),
    ("Moimenta da Beira", 8, 78, 0.5, 100, 0.995, 200),
    ("Mogadouro", 12, 260, 0.5, 100, 0.995, 200),
    ("Vila Pouca", 27, 650, 0.5, 100, 0.995, 200),
    ("My Test Case", 130, 200, 0.49, 100, 0.5, 200),
]


@pytest.mark.parametrize("row", DATASETS, ids=[d[0] for d in DATASETS])
def test_lang_reiczigel_matches_the_authors_script(row):
    _, x, n, se, n_se, sp, n_sp = row
    expected = _ci_binom(n, x, n_se, se * n_se, n_sp, sp * n_sp)
    if se + sp <= 1:
        with pytest.raises(ParameterError, match="sensitivity \\+ specificity"):
            corrected_rate(x, n, se, sp, sensitivity_n=n_se, specificity_n=n_sp)
        assert all(math.isnan(v) for v in expected)
        return
    r = corrected_rate(x, n, se, sp, sensitivity_n=n_se, specificity_n=n_sp)
    assert r.method == "lang_reiczigel"
    assert r.ci == pytest.approx(expected, abs=1e-12)
    assert r.rate == pytest.approx(min(1, max(0, (x / n + sp - 1) / (se + sp - 1))),
                                   abs=1e-15)


def test_lang_reiczigel_vectorised_and_at_other_levels():
    x = np.array([d[1] for d in DATASETS[:5]])
    n = np.array([d[2] for d in DATASETS[:5]])
    for conf in (0.9, 0.99):
        lo, hi = lang_reiczigel(x, n, 0.5, 0.995, 100, 200, conf)
        for i in range(5):
            assert (lo[i], hi[i]) == pytest.approx(
                _ci_binom(n[i], x[i], 100, 50, 200, 199, conf), abs=1e-12)


def test_rogan_gladen_hand_cases():
    # (0.08 + 0.95 - 1) / (0.9 + 0.95 - 1) = 0.03 / 0.85
    r = corrected_rate(80, 1000, 0.9, 0.95)
    assert r.rate == pytest.approx(0.03 / 0.85, abs=1e-15)
    assert r.observed == 0.08 and r.notes == ()
    # perfect auditor: no correction at all
    assert corrected_rate(37, 500, 1.0, 1.0).rate == pytest.approx(37 / 500, abs=1e-15)
    # (0.2 + 0.8 - 1) / (0.7 + 0.8 - 1) = 0
    assert float(rogan_gladen(0.2, 0.7, 0.8)) == pytest.approx(0.0, abs=1e-15)
    # (0.5 + 0.9 - 1) / (0.6 + 0.9 - 1) = 0.8
    assert corrected_rate(50, 100, 0.6, 0.9).rate == pytest.approx(0.8, abs=1e-12)


def test_clipped_to_unit_interval_with_a_note():
    low = corrected_rate(2, 1000, 0.9, 0.95)   # 0.002 < 1 - Sp = 0.05
    assert low.rate == 0.0 and low.unclipped == pytest.approx((0.002 - 0.05) / 0.85)
    assert any("below 0" in n and "clipped to 0" in n for n in low.notes)
    high = corrected_rate(99, 100, 0.8, 0.99)  # (0.99 + 0.99 - 1) / 0.79 > 1
    assert high.rate == 1.0 and any("above 1" in n for n in high.notes)
    assert 0.0 <= high.ci[0] <= high.ci[1] <= 1.0


def test_wilson_mapped_when_both_are_known():
    r = corrected_rate(81, 263, 0.9, 0.95)
    assert r.method == "wilson_mapped"
    # Newcombe (1998) Table II (a): Wilson (0.2553, 0.3662), mapped by hand
    assert r.ci == pytest.approx(((0.2553 + 0.95 - 1) / 0.85, (0.3662 + 0.95 - 1) / 0.85),
                                 abs=1e-4 / 0.85)
    assert r.observed_ci == pytest.approx((0.2553, 0.3662), abs=1e-4)
    lo, hi = wilson_mapped(81, 263, 0.9, 0.95)
    assert (float(lo), float(hi)) == r.ci


def test_one_estimated_one_known():
    """Only Se estimated: Sp's variance and shift terms vanish (n_sp infinite)."""
    r = corrected_rate(80, 1000, 0.9, 0.95, sensitivity_n=100)
    assert r.method == "lang_reiczigel" and r.specificity_n is None
    assert r.ci == pytest.approx(_ci_binom(1000, 80, 100, 90, 1e12, 0.95e12), abs=1e-9)
    both = corrected_rate(80, 1000, 0.9, 0.95, sensitivity_n=100, specificity_n=200)
    assert both.ci[1] - both.ci[0] > r.ci[1] - r.ci[0]


def _coverage(p, se, sp, n, n_se, n_sp, reps, seed, estimated):
    rng = np.random.default_rng(seed)
    p_obs = p * se + (1 - p) * (1 - sp)
    k = rng.binomial(n, p_obs, reps)
    if estimated:
        se_hat = rng.binomial(n_se, se, reps) / n_se
        sp_hat = rng.binomial(n_sp, sp, reps) / n_sp
        ok = se_hat + sp_hat > 1
        lo, hi = lang_reiczigel(k, n, se_hat, sp_hat, n_se, n_sp)
    else:
        ok = np.ones(reps, bool)
        lo, hi = wilson_mapped(k, n, se, sp)
    covered = (lo <= p) & (p <= hi) & ok
    return float(covered.mean())


@pytest.mark.parametrize(("p", "se", "sp", "n", "n_se", "n_sp"), [
    (0.05, 0.9, 0.98, 1000, 100, 200),
    (0.02, 0.85, 0.99, 2000, 60, 400),
    (0.20, 0.8, 0.95, 300, 50, 100),
    (0.005, 0.9, 0.995, 5000, 100, 1000),   # a QA error rate of 0.5 %
])
def test_coverage_in_simulation(p, se, sp, n, n_se, n_sp):
    """Seeded: 2,000 replicates each; the 95 % intervals cover at least 93 %."""
    lr = _coverage(p, se, sp, n, n_se, n_sp, 2000, 20261206, estimated=True)
    wm = _coverage(p, se, sp, n, n_se, n_sp, 2000, 20261207, estimated=False)
    assert lr >= 0.93, lr
    assert wm >= 0.93, wm


def test_estimated_se_sp_widen_the_interval():
    known = corrected_rate(80, 1000, 0.9, 0.95)
    est = corrected_rate(80, 1000, 0.9, 0.95, sensitivity_n=50, specificity_n=100)
    assert est.ci[1] - est.ci[0] > known.ci[1] - known.ci[0]


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"sensitivity": 0.5, "specificity": 0.5}, "sensitivity \\+ specificity"),
    ({"sensitivity": 0.3, "specificity": 0.6}, "sensitivity \\+ specificity"),
    ({"sensitivity": 1.2}, "'sensitivity'"),
    ({"specificity": float("nan")}, "'specificity'"),
    ({"confidence": 2}, "'confidence'"),
    ({"confidence": float("nan")}, "'confidence'"),
    ({"defectives": 11, "size": 10}, "'defectives'"),
    ({"defectives": -1}, "'defectives'"),
    ({"defectives": 2.5}, "'defectives'"),
    ({"size": 0}, "'size'"),
    ({"size": float("inf")}, "'size'"),
    ({"sensitivity_n": 0}, "'sensitivity_n'"),
    ({"specificity_n": 10.5}, "'specificity_n'"),
    ({"sensitivity": "0.9"}, None),
])
def test_bad_parameters(kwargs, word):
    args = {"defectives": 5, "size": 10, "sensitivity": 0.9, "specificity": 0.95} | kwargs
    if word is None:   # numeric text is read as the number, as check_number does
        assert corrected_rate(**args).sensitivity == 0.9
        return
    with pytest.raises(ParameterError, match=word):
        corrected_rate(**args)


def test_round_trip_and_frame():
    r = corrected_rate(2, 1000, 0.9, 0.95, sensitivity_n=100, specificity_n=200)
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is CorrectedRate and back.to_dict() == d
    f = r.to_frame()
    assert f["figure"].tolist() == ["observed", "corrected"]
    assert {"ci_low", "ci_high"} <= set(f.columns)
    assert "corrected" in r.summary() and "lang_reiczigel" in r.summary()
