"""Agreement over calibration rounds and the comparison of two rounds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sixsigma import msa
from sixsigma.errors import InsufficientDataError, ParameterError


@pytest.fixture(scope="module")
def rounds():
    rng = np.random.default_rng(5)
    rows = []
    for rnd, p_agree in [(1, 0.95), (2, 0.9), (3, 0.6), (4, 0.95)]:
        truth = rng.integers(0, 3, 30)
        for rater in ["a", "b", "c"]:
            ok = rng.random(30) < p_agree
            rating = np.where(ok, truth, rng.integers(0, 3, 30))
            rows += [(rnd, f"i{rnd}-{i}", rater, int(v)) for i, v in enumerate(rating)]
    return pd.DataFrame(rows, columns=["round", "item", "rater", "rating"])


def test_series_equals_fleiss_per_round(rounds):
    s = msa.agreement_by_round(rounds, "round", "item", "rater", "rating")
    for k, rnd in enumerate([1, 2, 3, 4]):
        f = msa.fleiss_kappa(rounds[rounds["round"] == rnd], "item", "rater", "rating")
        assert s.estimate[k] == pytest.approx(f.kappa)
        assert (s.ci_low[k], s.ci_high[k]) == pytest.approx(f.ci)
    frame = s.to_frame()
    assert frame.columns.tolist()[:4] == ["round", "estimate", "ci_low", "ci_high"]
    assert int(np.argmin(s.estimate)) == 2
    json.dumps(s.to_dict(), allow_nan=False)
    with pytest.raises(ValueError):
        s.estimate[0] = 1.0


def test_krippendorff_series(rounds):
    s = msa.agreement_by_round(rounds, "round", "item", "rater", "rating",
                               statistic="krippendorff", n_boot=200)
    a = msa.krippendorff_alpha(rounds[rounds["round"] == 3], "item", "rater", "rating",
                               n_boot=200)
    assert s.estimate[2] == pytest.approx(a.alpha) and s.ci_high[2] == pytest.approx(a.ci[1])


def test_control_chart_of_rounds(rounds):
    s = msa.agreement_by_round(rounds, "round", "item", "rater", "rating")
    chart = s.control_chart()
    assert np.allclose(chart.location.statistic, s.estimate)
    assert chart.location.labels.tolist() == [1, 2, 3, 4]


def test_compare_rounds_z(rounds):
    c = msa.compare_rounds(rounds, "round", "item", "rater", "rating", first=3, second=4)
    f3 = msa.fleiss_kappa(rounds[rounds["round"] == 3], "item", "rater", "rating")
    f4 = msa.fleiss_kappa(rounds[rounds["round"] == 4], "item", "rater", "rating")
    z = (f4.kappa - f3.kappa) / np.sqrt(f3.se**2 + f4.se**2)
    assert c.z == pytest.approx(z)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert c.method == "z_independent_se" and c.difference > 0 and c.p_value < 0.05
    json.dumps(c.to_dict(), allow_nan=False)
    assert "ci_low" in c.to_frame().columns and "round 4 vs 3" in c.summary()


def test_bad_input(rounds):
    with pytest.raises(ParameterError, match="round 9"):
        msa.compare_rounds(rounds, "round", "item", "rater", "rating", first=1, second=9)
    with pytest.raises(ParameterError, match="statistic"):
        msa.agreement_by_round(rounds, "round", "item", "rater", "rating", statistic="cohen")  # type: ignore
    one = rounds[(rounds.rater == "a") | (rounds["round"] != 2)]
    with pytest.raises(InsufficientDataError, match="round 2"):
        msa.agreement_by_round(one, "round", "item", "rater", "rating")
