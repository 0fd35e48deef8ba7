"""Moderation quality metrics on hand-computed cases, and the audit-schema checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sixsigma as ss
from sixsigma._stats import wilson
from sixsigma.errors import ColumnError, DomainError, MissingValueError, ParameterError
from sixsigma.moderation import (
    DEFAULT_TAXONOMY,
    classify_errors,
    metrics,
    validate_audits,
)

NV = "no_violation"


@pytest.fixture
def audits() -> pd.DataFrame:
    # Day 1, queue A: 4 records: correct spam, over-enforcement, under-enforcement, correct NV
    # Day 1, queue B: 3 records: wrong policy (spam vs adult), correct adult, unaudited
    # Day 2, queue A: 2 records: correct spam (appealed, upheld), correct NV (appealed,
    #                 overturned)
    return pd.DataFrame({
        "decided_at": pd.to_datetime(["2026-01-05 09:00"] * 7 + ["2026-01-06 10:00"] * 2),
        "queue": ["A"] * 4 + ["B"] * 3 + ["A"] * 2,
        "decision": ["spam", "spam", NV, NV, "spam", "adult", "adult", "spam", NV],
        "qa_decision": ["spam", NV, "spam", NV, "adult", "adult", None, "spam", NV],
        "error_type": ["", "over_enforcement", "under_enforcement", "", "wrong_policy", "",
                       "", "", ""],
        "appealed": [False] * 7 + [True, True],
        "appeal_overturned": [None] * 7 + [False, True],
        "turnaround_seconds": [100.0, 4000, 200, 3000, 50, 80, 90, 7200, 100],
    })


def _value(table, metric, policy=None, **keys):
    rows = table[table.metric == metric]
    rows = rows[rows.policy.isna()] if policy is None else rows[rows.policy == policy]
    for k, v in keys.items():
        rows = rows[rows[k] == v]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_operation_wide_rates_by_hand(audits):
    m = metrics(audits, grain="all", sla_seconds=3600)
    # 9 records, 8 audited; 5 correct, 1 over, 1 under, 1 wrong policy
    assert (_value(m, "audited").numerator, _value(m, "audited").denominator) == (8, 9)
    assert _value(m, "accuracy").estimate == pytest.approx(5 / 8)
    assert _value(m, "over_enforcement").estimate == pytest.approx(1 / 8)
    assert _value(m, "under_enforcement").estimate == pytest.approx(1 / 8)
    assert _value(m, "wrong_policy").estimate == pytest.approx(1 / 8)
    assert _value(m, "appeal_overturn").estimate == pytest.approx(1 / 2)
    assert _value(m, "sla_attainment").estimate == pytest.approx(7 / 9)  # 4000, 7200 miss
    low, high = wilson(5, 8)
    row = _value(m, "accuracy")
    assert (row.ci_low, row.ci_high) == (pytest.approx(low[()]), pytest.approx(high[()]))


def test_per_policy_precision_recall_f1(audits):
    m = metrics(audits, grain="all")
    # spam: decisions 4 audited (rows 0,1,4,7); TP 2 (rows 0, 7); QA spam: rows 0, 2, 7 -> 3
    assert _value(m, "precision", "spam").estimate == pytest.approx(2 / 4)
    assert _value(m, "recall", "spam").estimate == pytest.approx(2 / 3)
    assert _value(m, "f1", "spam").estimate == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    # adult: decisions audited 1 (row 5; row 6 unaudited), TP 1; QA adult rows 4, 5 -> 2
    assert _value(m, "precision", "adult").estimate == pytest.approx(1.0)
    assert _value(m, "recall", "adult").estimate == pytest.approx(0.5)


def test_undefined_precision_is_nan_not_zero(audits):
    m = metrics(audits, grain="all")
    hate = _value(m, "precision", "hate_speech")
    assert np.isnan(hate.estimate) and np.isnan(hate.ci_low)
    assert hate.note.startswith("undefined")
    assert np.isnan(_value(m, "recall", "hate_speech").estimate)
    assert np.isnan(_value(m, "f1", "hate_speech").estimate)


def test_by_group_and_day(audits):
    m = metrics(audits, by="queue", grain="day")
    day1, day2 = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-06")
    assert _value(m, "accuracy", queue="A", period=day1).estimate == pytest.approx(2 / 4)
    assert _value(m, "accuracy", queue="B", period=day1).estimate == pytest.approx(1 / 2)
    assert _value(m, "audited", queue="B", period=day1).numerator == 2
    assert _value(m, "accuracy", queue="A", period=day2).estimate == pytest.approx(1.0)
    assert set(m.period) == {day1, day2}


def test_group_with_no_audited_records_is_undefined():
    data = pd.DataFrame({"decided_at": pd.to_datetime(["2026-01-05", "2026-01-06"]),
                         "decision": ["spam", "spam"], "qa_decision": ["spam", None]})
    m = metrics(data, grain="day", which=["accuracy", "audited"])
    row = _value(m, "accuracy", period=pd.Timestamp("2026-01-06"))
    assert np.isnan(row.estimate) and row.denominator == 0
    assert row.note == "no audited records"
    assert _value(m, "audited", period=pd.Timestamp("2026-01-06")).estimate == 0.0


def test_week_and_month_grains_roll_up_days():
    days = pd.date_range("2026-01-01", "2026-02-10", freq="D")  # Thursday to Tuesday
    data = pd.DataFrame({"decided_at": days, "decision": "spam",
                         "qa_decision": np.where(np.arange(days.size) % 4 == 0, NV, "spam")})
    weeks = metrics(data, grain="week", which=["accuracy"])
    assert weeks.period.iloc[0] == pd.Timestamp("2025-12-29")  # ISO week of 2026-01-01
    assert all(p.weekday() == 0 for p in weeks.period)
    assert weeks.denominator.sum() == days.size
    months = metrics(data, grain="month", which=["accuracy"])
    assert months.period.tolist() == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]
    assert months.denominator.tolist() == [31, 10]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["spam", "adult", NV]),
                          st.sampled_from(["spam", "adult", NV, None]),
                          st.sampled_from(["A", "B"])), min_size=1, max_size=60))
def test_the_four_outcomes_add_up_to_one(rows):
    data = pd.DataFrame(rows, columns=["decision", "qa_decision", "queue"]).assign(
        decided_at=pd.Timestamp("2026-01-05"))
    m = metrics(data, by="queue", grain="all",
                which=["accuracy", "over_enforcement", "under_enforcement", "wrong_policy"])
    for _, group in m.groupby("queue"):
        if group.denominator.iloc[0] > 0:
            assert group.estimate.sum() == pytest.approx(1.0)
            assert group.numerator.sum() == group.denominator.iloc[0]


def test_wilson_interval_against_newcombe_1998():
    # Newcombe (1998), Statistics in Medicine 17:857, Table II, Wilson score method
    low, high = wilson([81, 15, 0, 1], [263, 148, 20, 29])
    np.testing.assert_allclose(low, [0.2553, 0.0624, 0.0, 0.0061], atol=5e-5)
    np.testing.assert_allclose(high, [0.3662, 0.1605, 0.1611, 0.1718], atol=5e-5)
    assert np.isnan(wilson(0, 0)[0])


def test_same_result_on_polars_and_duckdb(audits):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    want = metrics(audits, by="queue", grain="day", sla_seconds=3600)
    cols = ["period", "queue", "metric", "policy", "numerator", "denominator"]
    for data in (pl.from_pandas(audits), duckdb.connect().from_df(audits)):
        got = metrics(data, by="queue", grain="day", sla_seconds=3600)
        pd.testing.assert_frame_equal(got[cols].reset_index(drop=True),
                                      want[cols].reset_index(drop=True), check_dtype=False)


def test_column_mapping(audits):
    theirs = audits.rename(columns={"decision": "mod_label", "qa_decision": "qa_label"})
    m = metrics(theirs, grain="all", columns={"decision": "mod_label",
                                              "qa_decision": "qa_label"}, which=["accuracy"])
    assert m.estimate.iloc[0] == pytest.approx(5 / 8)


def test_classify_errors_and_taxonomy():
    got = classify_errors(np.array(["spam", NV, "spam", NV, "adult"], dtype=object),
                          np.array([NV, "adult", "adult", None, "adult"], dtype=object))
    # an unaudited record (qa_decision missing) is neither correct nor an error: None
    assert got.tolist() == ["over_enforcement", "under_enforcement", "wrong_policy", None, ""]
    tax = DEFAULT_TAXONOMY.extend("missed_context", "no context", parent="under_enforcement")
    data = {"decided_at": ["2026-01-05"] * 2, "decision": [NV, "spam"],
            "qa_decision": ["spam", "spam"], "error_type": ["missed_context", ""]}
    assert len(validate_audits(data, taxonomy=tax)) == 2
    with pytest.raises(ParameterError, match="refines one of"):
        DEFAULT_TAXONOMY.extend("x", "y", parent="typo")


# -- bad input -------------------------------------------------------------------------


def test_unknown_decision_label(audits):
    bad = audits.assign(decision=audits.decision.where(audits.index != 3, "spamm"))
    with pytest.raises(DomainError, match=r"column 'decision' has the unknown label 'spamm' "
                                          r"at row 3"):
        metrics(bad)


def test_unknown_error_type(audits):
    bad = audits.assign(error_type=audits.error_type.where(audits.index != 2, "missed"))
    with pytest.raises(DomainError, match=r"'error_type' has the unknown type 'missed' at "
                                          r"row 2"):
        metrics(bad)


def test_error_type_contradicting_the_verdicts(audits):
    bad = audits.assign(error_type=audits.error_type.where(audits.index != 1, ""))
    with pytest.raises(DomainError, match=r"'error_type' at row 1 is '', but decision 'spam' "
                                          r"and qa_decision 'no_violation' make it "
                                          r"'over_enforcement'"):
        metrics(bad)


def test_missing_qa_decision_means_unaudited_not_correct(audits):
    m = metrics(audits, grain="all", which=["accuracy"])
    assert _value(m, "accuracy").denominator == 8  # row 6 is not counted as correct


def test_unparseable_timestamp(audits):
    bad = audits.assign(decided_at=audits.decided_at.astype(str).where(audits.index != 4,
                                                                       "yesterday"))
    with pytest.raises(DomainError, match=r"column 'decided_at' has a timestamp that cannot "
                                          r"be parsed at row 4: 'yesterday'"):
        metrics(bad)


def test_missing_columns_and_bad_options(audits):
    with pytest.raises(ColumnError, match="column 'qa_decision' is not in the data"):
        metrics(audits.drop(columns="qa_decision"))
    with pytest.raises(ColumnError, match="column 'market' is not in the data"):
        metrics(audits, by="market")
    with pytest.raises(ParameterError, match="'grain' parameter must be"):
        metrics(audits, grain="hour")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="unknown metric 'acuracy'"):
        metrics(audits, which=["acuracy"])
    with pytest.raises(ParameterError, match="needs sla_seconds"):
        metrics(audits, which=["sla_attainment"])
    with pytest.raises(MissingValueError, match="column 'decision' has a missing label at "
                                                "row 0"):
        metrics(audits.assign(decision=[None] + audits.decision.tolist()[1:]))


def test_public_name():
    assert ss.moderation.metrics is metrics
