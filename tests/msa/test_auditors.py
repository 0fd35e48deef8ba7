"""auditor_accuracy: per-auditor Se/Sp/accuracy with exact intervals, Fisher + BH flags."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats

import sixsigma as ss
from sixsigma.errors import (
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)
from sixsigma.msa import AuditorAccuracy, auditor_accuracy

pytestmark = pytest.mark.filterwarnings("error")

VIOLATING = ["hate_speech", "harassment", "violent_extremism", "spam", "adult"]


@pytest.fixture(scope="module")
def calibration() -> pd.DataFrame:
    return ss.datasets.load("policy_update").calibration


def simulated(seed: int = 5) -> tuple[pd.DataFrame, dict[str, tuple[float, float]]]:
    """Six auditors with known Se/Sp judging 300 gold items each; 'a6' is poor."""
    rng = np.random.default_rng(seed)
    truth = {f"a{i}": (0.9, 0.95) for i in range(1, 6)} | {"a6": (0.6, 0.7)}
    rows = []
    for who, (se, sp) in truth.items():
        gold = rng.random(300) < 0.3
        flag = np.where(gold, rng.random(300) < se, rng.random(300) >= sp)
        rows.append(pd.DataFrame({"auditor": who, "verdict": flag.astype(int),
                                  "gold": gold.astype(int)}))
    return pd.concat(rows, ignore_index=True), truth


def test_hand_case():
    d = {"auditor": ["a"] * 4 + ["b"] * 4,
         "verdict": [1, 1, 0, 0, 1, 0, 0, 0], "gold": [1, 1, 0, 0, 1, 1, 0, 0]}
    r = auditor_accuracy(d, "auditor", "verdict", "gold")
    b = r.by_auditor.set_index("auditor")
    assert b.loc["b", "sensitivity"] == 0.5 and b.loc["b", "specificity"] == 1.0
    assert b.loc["b", "accuracy"] == 0.75 and b.loc["b", "rest_accuracy"] == 1.0
    # Fisher: b has 3 of 4 correct, a 4 of 4
    assert b.loc["b", "p_value"] == pytest.approx(
        stats.fisher_exact([[3, 1], [4, 0]]).pvalue, rel=1e-9)
    t = r.table
    assert t.columns.tolist() == ["auditor", "figure", "successes", "n", "estimate", "ci_low",
                                  "ci_high"]
    assert t["figure"].tolist() == ["sensitivity", "specificity", "accuracy"] * 2


def test_against_scipy(calibration):
    r = auditor_accuracy(calibration, "rater", "rating", "standard", positive=VIOLATING)
    viol = calibration["rating"].isin(VIOLATING)
    gold = calibration["standard"].isin(VIOLATING)
    correct = viol == gold
    b = r.by_auditor.set_index("auditor")
    ps = []
    for who in b.index:
        mine = calibration["rater"] == who
        c1, n1 = int(correct[mine].sum()), int(mine.sum())
        c2, n2 = int(correct[~mine].sum()), int((~mine).sum())
        p = stats.fisher_exact([[c1, n1 - c1], [c2, n2 - c2]]).pvalue
        ps.append(p)
        assert b.loc[who, "p_value"] == pytest.approx(p, rel=1e-7, abs=1e-300)
        tp = int((viol & gold & mine).sum())
        npos = int((gold & mine).sum())
        assert b.loc[who, "sensitivity"] == tp / npos
        ci = stats.binomtest(tp, npos).proportion_ci(method="exact")
        row = r.table[(r.table["auditor"] == who) & (r.table["figure"] == "sensitivity")]
        assert (float(row["ci_low"].iloc[0]), float(row["ci_high"].iloc[0])) == pytest.approx(
            (ci.low, ci.high), abs=1e-10)
    q = stats.false_discovery_control(np.array(ps), method="bh")
    assert b["q_value"].to_numpy() == pytest.approx(q, rel=1e-6)
    # the dataset's injected weak rater is flagged below the team
    assert r.flagged.query("direction == 'below'")["auditor"].tolist() == ["qa-06"]


def test_recovers_known_accuracy():
    d, truth = simulated()
    r = auditor_accuracy(d, "auditor", "verdict", "gold")
    t = r.table.set_index(["auditor", "figure"])
    for who, (se, sp) in truth.items():
        for fig, true in (("sensitivity", se), ("specificity", sp)):
            row = t.loc[(who, fig)]
            assert row["ci_low"] <= true <= row["ci_high"], (who, fig)
    # the poor auditor is the only one below the rest (good auditors may test "above" a
    # rest that includes the poor one)
    assert r.flagged.query("direction == 'below'")["auditor"].tolist() == ["a6"]
    # among the five equally good auditors alone, none is flagged
    good = auditor_accuracy(d[d["auditor"] != "a6"], "auditor", "verdict", "gold")
    assert good.flagged.empty


def test_labels_equal_flags_and_polars(calibration):
    lab = auditor_accuracy(calibration, "rater", "rating", "standard", positive=VIOLATING)
    flags = calibration.assign(v=calibration["rating"].isin(VIOLATING),
                               g=calibration["standard"].isin(VIOLATING).astype(int))
    fl = auditor_accuracy(flags, "rater", "v", "g")
    pd.testing.assert_frame_equal(lab.by_auditor, fl.by_auditor)
    pol = auditor_accuracy(pl.from_pandas(calibration), "rater", "rating", "standard",
                           positive=VIOLATING)
    assert pol.to_dict() == lab.to_dict()


def test_by_groups(calibration):
    r = auditor_accuracy(calibration, "rater", "rating", "standard", positive=VIOLATING,
                         by="round")
    assert r.by == ("round",)
    assert len(r.by_auditor) == 6 * 8
    one = auditor_accuracy(calibration[calibration["round"] == 3], "rater", "rating",
                           "standard", positive=VIOLATING)
    mine = r.by_auditor[r.by_auditor["round"] == 3].drop(columns="round").reset_index(drop=True)
    cols = ["auditor", "n", "sensitivity", "specificity", "accuracy", "rest_accuracy",
            "p_value"]
    pd.testing.assert_frame_equal(mine[cols], one.by_auditor[cols])


def test_round_trip(calibration):
    r = auditor_accuracy(calibration, "rater", "rating", "standard", positive=VIOLATING,
                         by=["round", "policy"])
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is AuditorAccuracy and back.to_dict() == d
    assert "flagged" in r.summary() or "no auditor" in r.summary()


def test_undefined_sensitivity_is_noted():
    d = {"auditor": ["a", "a", "b", "b"], "verdict": [0, 0, 1, 0], "gold": [0, 0, 1, 0]}
    r = auditor_accuracy(d, "auditor", "verdict", "gold")
    assert np.isnan(r.by_auditor.set_index("auditor").loc["a", "sensitivity"])
    assert any("sensitivity is undefined" in n and "a" in n for n in r.notes)
    json.dumps(r.to_dict(), allow_nan=False)


@pytest.mark.parametrize(("data", "kwargs", "error", "words"), [
    ({"auditor": ["a", "b"], "verdict": [1, 2], "gold": [1, 0]}, {}, DomainError,
     ("'verdict'", "row 1", "positive=")),
    ({"auditor": ["a", "b"], "verdict": [1, np.nan], "gold": [1, 0]}, {}, MissingValueError,
     ("'verdict'", "row 1")),
    ({"auditor": ["a", None], "verdict": [1, 0], "gold": [1, 0]}, {}, MissingValueError,
     ("'auditor'", "row 1")),
    ({"auditor": ["a", "b", "a"], "verdict": [1, "1", 0], "gold": [1, 0, 0]}, {}, InputError,
     ("'verdict'", "row 0", "row 1")),
    ({"auditor": ["a", "a"], "verdict": [1, 0], "gold": [1, 0]}, {}, InsufficientDataError,
     ("'auditor'", "single")),
    ({"auditor": ["a"], "verdict": [1], "gold": [1]}, {}, InsufficientDataError, ("1 row",)),
    ({"auditor": ["a", "b"], "verdict": ["x", "y"], "gold": ["x", "y"]},
     {"positive": "hate"}, ParameterError, ("positive=", "'hate'")),
    ({"auditor": ["a", "b"], "verdict": [1, 0], "gold": [1, 0]}, {"positive": []},
     ParameterError, ("'positive'",)),
    ({"auditor": ["a", "b"], "verdict": [1, 0], "gold": [1, 0]}, {"confidence": 2},
     ParameterError, ("'confidence'",)),
    ({"auditor": ["a", "b"], "verdict": [1, 0], "gold": [1, 0]}, {"fdr": float("nan")},
     ParameterError, ("'fdr'",)),
    ({"auditor": ["a", "b"], "verdict": [1, 0], "gold": [1]}, {}, InputError,
     ("'verdict'", "'gold'")),
    ({"auditor": ["a", "b"], "verdict": [1, 0], "gold": [1, 0]}, {"by": "auditor"},
     ParameterError, ("'auditor'", "two roles")),
])
def test_bad_input(data, kwargs, error, words):
    with pytest.raises(error) as info:
        auditor_accuracy(data, "auditor", "verdict", "gold", **kwargs)
    msg = str(info.value)
    assert msg.startswith("auditor_accuracy:")
    for w in words:
        assert w in msg, (w, msg)
