"""ss.moderation.appeals: funnel counts, agreement, times and the bias-corrected rate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import DomainError, MissingValueError
from sixsigma.moderation import AuditSchema


def _hand() -> pd.DataFrame:
    # 10 decisions: 6 actions (spam), 4 not (no_violation)
    return pd.DataFrame({
        "decided_at": pd.to_datetime(["2026-01-05 10:00"] * 10),
        "policy": ["spam"] * 6 + ["adult"] * 4,
        "decision": ["spam"] * 6 + ["no_violation"] * 4,
        "qa_decision": ["no_violation", "spam", "spam", "no_violation", None, "spam",
                        "adult", "no_violation", None, "no_violation"],
        "appealed": [True, True, True, False, False, False, True, False, False, False],
        "appeal_overturned": [True, False, None, None, None, None, True, None, None, None],
        "appeal_decided_at": pd.to_datetime(["2026-01-05 12:00", "2026-01-06 10:00", None,
                                             None, None, None, "2026-01-05 11:00", None,
                                             None, None]),
    })


def _stage(r, kind, stage):
    f = r.funnel
    return f[(f.kind == kind) & (f.stage == stage)].iloc[0]


def test_funnel_counts_equal_hand_counts():
    r = ss.moderation.appeals(_hand())
    assert [int(_stage(r, "action", s)["count"]) for s in
            ("decided", "actioned", "appealed", "appeal_decided", "overturned")] == \
        [10, 6, 3, 2, 1]
    assert [int(_stage(r, "no_action", s)["count"]) for s in
            ("not_actioned", "appealed", "appeal_decided", "overturned")] == [4, 1, 1, 1]
    row = _stage(r, "action", "appealed")
    assert row["of"] == 6 and row["rate"] == pytest.approx(0.5)
    low, high = ss._stats.wilson(3, 6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((float(low), float(high)))


def test_over_enforcement_three_ways_by_hand():
    r = ss.moderation.appeals(_hand())
    oe = r.over_enforcement.set_index("method")
    # QA: audited actions 5 (rows 0-3, 5), wrong (QA says no violation) rows 0, 3
    assert oe.loc["qa", "estimate"] == pytest.approx(2 / 5)
    assert oe.loc["qa", "n"] == 5
    # naive: 1 overturned of 2 decided appeals
    assert oe.loc["appeal", "estimate"] == pytest.approx(1 / 2)
    # corrected: w = 3/6 appealed; p_A = 1/2; p_N = audited non-appealed (rows 3, 5): 1/2
    w, pa, pn = 0.5, 0.5, 0.5
    assert oe.loc["corrected", "estimate"] == pytest.approx(w * pa + (1 - w) * pn)
    var = w**2 * pa * (1 - pa) / 2 + (1 - w) ** 2 * pn * (1 - pn) / 2
    assert oe.loc["corrected", "se"] == pytest.approx(np.sqrt(var))
    assert any("imprecise" in n for n in r.notes)   # tiny strata are flagged
    assert r.assumptions and "independent" in r.assumptions[0]


def test_agreement_and_propensity():
    r = ss.moderation.appeals(_hand())
    a = r.agreement.set_index("kind")
    # decided+audited appeals against actions: row 0 (overturned, QA wrong), row 1 (upheld,
    # QA right) -> both agree
    assert a.loc["action", "n"] == 2 and a.loc["action", "agreement"] == 1.0
    assert a.loc["action", "both_wrong"] == 1 and a.loc["action", "neither"] == 1
    # complaint against non-action: overturned, QA says violating ("adult"): agreement
    assert a.loc["no_action", "both_wrong"] == 1
    p = r.propensity.set_index("qa_verdict")
    assert (p.loc["wrong", "audited"], p.loc["wrong", "appealed"]) == (2, 1)
    # right: rows 1, 2 (appealed; row 2 still pending) and 5
    assert (p.loc["right", "audited"], p.loc["right", "appealed"]) == (3, 2)


def test_times_median_and_p90():
    r = ss.moderation.appeals(_hand())
    t = r.times.set_index(["kind", "measure"])
    # action appeals decided after 2 h and 24 h
    assert t.loc[("action", "appeal_decision"), "median_seconds"] == pytest.approx(13 * 3600)
    assert t.loc[("action", "appeal_decision"), "p90_seconds"] == \
        pytest.approx(float(np.quantile([7200, 86400], 0.9)))
    assert t.loc[("action", "overturn"), "n"] == 1
    assert t.loc[("no_action", "overturn"), "median_seconds"] == 3600


def test_by_groups_add_up():
    audits = ss.datasets.load("policy_update").audits
    whole = ss.moderation.appeals(audits)
    by = ss.moderation.appeals(audits, by=["policy"])
    f, g = whole.funnel, by.funnel
    for kind in ("action", "no_action"):
        for stage in g.stage.unique():
            assert g[(g.kind == kind) & (g.stage == stage)]["count"].sum() == \
                f[(f.kind == kind) & (f.stage == stage)]["count"].sum()
    assert set(by.over_enforcement.policy) == set(audits.policy)


def test_matches_metrics_appeal_overturn():
    audits = ss.datasets.load("policy_update").audits
    m = ss.moderation.metrics(audits, grain="all", which="appeal_overturn").iloc[0]
    f = ss.moderation.appeals(audits).funnel
    over = f[f.stage == "overturned"]["count"].sum()
    decided = f[f.stage == "appeal_decided"]["count"].sum()
    assert (m.numerator, m.denominator) == (over, decided)


def _simulate(n, p_wrong, p_appeal_wrong, p_appeal_right, audit_share, seed):
    rng = np.random.default_rng(seed)
    wrong = rng.random(n) < p_wrong
    appealed = rng.random(n) < np.where(wrong, p_appeal_wrong, p_appeal_right)
    audited = rng.random(n) < audit_share
    return pd.DataFrame({
        "decision": "spam",
        "qa_decision": np.where(audited, np.where(wrong, "no_violation", "spam"), None),
        "appealed": appealed,
        "appeal_overturned": pd.array(np.where(appealed, wrong, None), dtype="boolean"),
    }), wrong.mean()


def test_corrected_recovers_truth_when_naive_is_far_off():
    data, truth = _simulate(200_000, 0.06, 0.5, 0.03, 0.05, seed=1)
    oe = ss.moderation.appeals(data).over_enforcement.set_index("method")
    assert abs(oe.loc["appeal", "estimate"] - truth) > 0.3     # the naive rate is far off
    est, se = oe.loc["corrected", "estimate"], oe.loc["corrected", "se"]
    assert abs(est - truth) < 2 * se
    assert oe.loc["corrected", "ci_low"] < truth < oe.loc["corrected", "ci_high"]


def test_equal_propensities_change_nothing():
    # appealing unrelated to being wrong: the corrected estimate is the QA rate
    diffs = []
    for seed in range(20):
        data, _ = _simulate(20_000, 0.08, 0.1, 0.1, 0.2, seed=seed)
        oe = ss.moderation.appeals(data).over_enforcement.set_index("method")
        diffs.append(oe.loc["corrected", "estimate"] - oe.loc["qa", "estimate"])
        assert abs(diffs[-1]) < 2 * oe.loc["qa", "se"]
    assert abs(np.mean(diffs)) < 0.002


def test_schema_export_names():
    data = _hand().rename(columns={"decision": "label", "appealed": "appeal"})
    data["appeal"] = np.where(data["appeal"], "Y", "N")
    data["label"] = data["label"].replace({"no_violation": "NONE"})
    schema = AuditSchema(columns={"decision": "label", "appealed": "appeal"},
                         no_violation=["NONE"], true_values=["Y"], false_values=["N"])
    r = ss.moderation.appeals(data, schema=schema)
    assert r.funnel.equals(ss.moderation.appeals(_hand()).funnel)


def test_overturn_without_appeal_names_column_and_row():
    data = _hand()
    data.loc[4, "appeal_overturned"] = True
    with pytest.raises(DomainError, match=r"'appeal_overturned'.*row 4.*'appealed'"):
        ss.moderation.appeals(data)


def test_negative_and_missing_times():
    data = _hand()
    data.loc[1, "appeal_decided_at"] = pd.Timestamp("2026-01-04")
    with pytest.raises(DomainError, match=r"'appeal_decided_at'.*row 1"):
        ss.moderation.appeals(data)
    data = _hand()
    data.loc[6, "appeal_decided_at"] = pd.NaT
    with pytest.raises(MissingValueError, match=r"'appeal_decided_at'.*row 6"):
        ss.moderation.appeals(data)


def test_bad_parameters():
    with pytest.raises(ss.errors.ParameterError, match="'confidence'"):
        ss.moderation.appeals(_hand(), confidence=1.5)
    with pytest.raises(ss.errors.ColumnError):
        ss.moderation.appeals(_hand().drop(columns="appealed"))


def test_without_qa_only_the_naive_rate():
    r = ss.moderation.appeals(_hand().drop(columns="qa_decision"))
    assert r.over_enforcement.method.tolist() == ["appeal"]
    assert any("no qa_decision" in n for n in r.notes)


def test_round_trip():
    for r in (ss.moderation.appeals(_hand()),
              ss.moderation.appeals(ss.datasets.load("policy_update").audits, by="policy")):
        d = r.to_dict()
        json.dumps(d, allow_nan=False)
        back = ss.from_dict(d)
        assert type(back) is type(r)
        assert back.to_dict() == d
