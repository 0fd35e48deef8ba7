"""Design-based moderation metrics: metrics(..., weight=, strata=, correct=)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError

LABELS = ["spam", "no_violation", "adult"]


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 4000
    queue = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    dec = rng.choice(LABELS, n)
    qa = np.where(rng.random(n) < np.where(queue == "a", 0.95, 0.8), dec, rng.choice(LABELS, n))
    audited = rng.random(n) < np.where(queue == "a", 0.1, 0.6)
    return pd.DataFrame({
        "decided_at": pd.Timestamp("2026-03-02") + pd.to_timedelta(rng.integers(0, 6, n),
                                                                   unit="D"),
        "decision": dec,
        "qa_decision": np.where(audited, qa, None),
        "queue": queue,
        # 1/inclusion probability on audited records; unaudited records hold NaN
        "w": np.where(audited, np.where(queue == "a", 10.0, 1 / 0.6), np.nan),
    })


def _audited(records: pd.DataFrame) -> pd.DataFrame:
    a = records[records.qa_decision.notna()].copy()
    a["period"] = a.decided_at.dt.normalize()
    a["ok"] = (a.decision == a.qa_decision).astype(int)
    a["over"] = ((a.decision != "no_violation") & (a.qa_decision == "no_violation")).astype(int)
    return a


def test_equals_sampling_estimate_by_period_and_group(records: pd.DataFrame) -> None:
    m = ss.moderation.metrics(records, by="queue", weight="w", strata="queue",
                              which=["accuracy", "over_enforcement"])
    a = _audited(records)
    for metric, column in (("accuracy", "ok"), ("over_enforcement", "over")):
        e = ss.sampling.estimate(a, column, weight="w", strata="queue",
                                 by=["period", "queue"]).table
        got = m[m.metric == metric].reset_index(drop=True)
        np.testing.assert_allclose(got.estimate, e.estimate, rtol=1e-10)
        np.testing.assert_allclose(got.se, e.se, rtol=1e-8)
        np.testing.assert_allclose(got.ci_low, e.ci_low, rtol=1e-8)
        np.testing.assert_allclose(got.ci_high, e.ci_high, rtol=1e-8)
        assert (got.denominator.to_numpy() == e.n.to_numpy()).all()


def test_domains_across_strata_and_weighting_matters(records: pd.DataFrame) -> None:
    m = ss.moderation.metrics(records, grain="all", weight="w", strata="queue",
                              which=["accuracy", "precision", "recall"])
    a = _audited(records)
    acc = m[m.metric == "accuracy"].iloc[0]
    e = ss.sampling.estimate(a, "ok", weight="w", strata="queue")
    assert acc.estimate == pytest.approx(e.estimate) and acc.se == pytest.approx(e.se)
    # the raw audit accuracy under-weighs queue a (audited at 10 %), which is more accurate
    assert acc.estimate > a.ok.mean() + 0.02
    # precision of spam: a domain (decision == spam) cutting across strata
    a["tp"] = ((a.decision == "spam") & (a.qa_decision == "spam")).astype(int)
    a["pred"] = a.decision == "spam"
    a["actual"] = a.qa_decision == "spam"
    for metric, dom, y in (("precision", "pred", "tp"), ("recall", "actual", "tp")):
        t = ss.sampling.estimate(a, y, weight="w", strata="queue", by=dom).table
        t = t[t[dom]].iloc[0]
        row = m[(m.metric == metric) & (m.policy == "spam")].iloc[0]
        assert row.estimate == pytest.approx(t.estimate, rel=1e-10)
        assert row.se == pytest.approx(t.se, rel=1e-8)


def test_without_design_nothing_changes(records: pd.DataFrame) -> None:
    plain = ss.moderation.metrics(records, by="queue", which=["accuracy", "recall"])
    assert "se" not in plain.columns
    ones = records.assign(w=1.0)
    equal = ss.moderation.metrics(ones, by="queue", weight="w",
                                  which=["accuracy", "recall"])
    np.testing.assert_allclose(equal.estimate, plain.estimate, equal_nan=True)
    np.testing.assert_array_equal(equal.denominator, plain.denominator)


def test_correction_matches_corrected_rate(records: pd.DataFrame) -> None:
    c = {"sensitivity": 0.85, "specificity": 0.97, "sensitivity_n": 120,
         "specificity_n": 400}
    m = ss.moderation.metrics(records, grain="all", which=["accuracy", "over_enforcement"],
                              correct=c)
    acc = m[m.metric == "accuracy"].iloc[0]
    r = ss.msa.corrected_rate(int(acc.denominator - acc.numerator), int(acc.denominator),
                              0.85, 0.97, sensitivity_n=120, specificity_n=400)
    assert acc.corrected == pytest.approx(1 - r.rate)
    assert (acc.corrected_ci_low, acc.corrected_ci_high) == pytest.approx(
        (1 - r.ci[1], 1 - r.ci[0]))
    assert np.isnan(m[m.metric == "over_enforcement"].corrected).all()
    w = ss.moderation.metrics(records, grain="all", which="accuracy", weight="w",
                              strata="queue", correct=c).iloc[0]
    assert w.corrected > w.estimate and w.corrected_ci_low <= w.corrected
    with pytest.raises(ParameterError, match="exceed 1"):
        ss.moderation.metrics(records, which="accuracy",
                              correct={"sensitivity": 0.4, "specificity": 0.5})


def test_bad_design_input(records: pd.DataFrame) -> None:
    bad = records.copy()
    i = int(np.flatnonzero(bad.qa_decision.notna())[3])
    bad.loc[i, "w"] = 0.0
    with pytest.raises(DomainError, match="'w'"):
        ss.moderation.metrics(bad, weight="w", which="accuracy")
    lonely = records.copy()
    lonely["s"] = "big"
    lonely.loc[i, "s"] = "alone"
    with pytest.raises(InsufficientDataError, match="alone"):
        ss.moderation.metrics(lonely, strata="s", which="accuracy")


def test_lazy_duckdb_matches_pandas(records: pd.DataFrame) -> None:
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.from_df(records)
    lazy = ss.moderation.metrics(rel, by="queue", weight="w", strata="queue",
                                 which=["accuracy", "precision"])
    eager = ss.moderation.metrics(records, by="queue", weight="w", strata="queue",
                                  which=["accuracy", "precision"])
    np.testing.assert_allclose(lazy.estimate, eager.estimate, equal_nan=True)
    np.testing.assert_allclose(lazy.se, eager.se, equal_nan=True)


def test_unaudited_records_need_no_stratum(records: pd.DataFrame) -> None:
    r = records.assign(s=np.where(records.qa_decision.notna(), records.queue, None))
    m = ss.moderation.metrics(r, grain="all", weight="w", strata="s",
                              which=["audited", "accuracy"])
    ref = ss.moderation.metrics(records, grain="all", weight="w", strata="queue",
                                which=["audited", "accuracy"])
    np.testing.assert_allclose(m.estimate, ref.estimate)
    np.testing.assert_allclose(m.se, ref.se, equal_nan=True)
