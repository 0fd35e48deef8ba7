"""The QA-design generator: seeded, with the truth it documents (datasets/README.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss


@pytest.fixture(scope="module")
def qa() -> ss.datasets.QADesign:
    return ss.datasets.generate_qa_design()


def test_seeded_and_shaped(qa: ss.datasets.QADesign) -> None:
    small = ss.datasets.generate_qa_design(days=6, daily_volume=3000, audits_per_day=150,
                                           design_change_day=3, seed=3)
    again = ss.datasets.generate_qa_design(days=6, daily_volume=3000, audits_per_day=150,
                                           design_change_day=3, seed=3)
    pd.testing.assert_frame_equal(small.audits, again.audits)
    assert small.truth == again.truth
    a = qa.audits
    assert len(a) == 28 * 600
    assert qa.calibration.groupby("item_id").rater.nunique().eq(8).all()
    assert len(qa.gold) == 28 * 8 * 4 and (qa.gold.item_id < 0).all()


def test_inclusion_probabilities_are_the_design(qa: ss.datasets.QADesign) -> None:
    a, pop = qa.audits, qa.population
    np.testing.assert_allclose(a.weight * a.pi, 1.0)
    n = a.groupby(["day", "queue", "score_bucket"]).size()
    p = pop.set_index(["day", "queue", "score_bucket"])
    np.testing.assert_array_equal(n.reindex(p.index).to_numpy(), p.audited.to_numpy())
    np.testing.assert_allclose(p.pi, p.audited / p.decisions)
    # Σ weights per day = the day's decisions (each stratum's weights sum to its size)
    np.testing.assert_allclose(a.groupby("day").weight.sum().to_numpy(),
                               pop.groupby("day").decisions.sum().to_numpy())


def test_raw_and_design_based_tell_different_stories(qa: ss.datasets.QADesign) -> None:
    t = qa.truth
    assert abs(t["true_error_rate_after"] - t["true_error_rate_before"]) < 0.003
    assert t["raw_audit_error_rate_after"] > t["raw_audit_error_rate_before"] + 0.02
    a = qa.audits.assign(after=qa.audits.day >= qa.changes.date[0])
    e = ss.sampling.estimate(a, "error", weight="weight", strata="stratum", by="after").table
    assert abs(e.estimate[1] - e.estimate[0]) < 0.01
    raw = ss.spc.p_chart(a, "error", label="day")
    design = ss.spc.weighted_p(a, "error", "weight", label="day", strata="stratum")
    assert len(raw.violations) > 0 and len(design.violations) == 0
    # the true error rate is recovered by the design-based estimate of the hidden truth
    tw = ss.sampling.estimate(a, "truly_wrong", weight="weight", strata="stratum")
    assert tw.ci[0] <= t["true_error_rate"] <= tw.ci[1]
    pr = ss.sampling.prevalence(a, "violating", views="views", weight="weight",
                                strata="stratum")
    assert pr.ci[0] <= t["true_prevalence_views"] <= pr.ci[1]


def test_one_auditor_makes_a_queue_look_bad(qa: ss.datasets.QADesign) -> None:
    t = qa.truth
    assert t["biased_share_of_queue_errors"] > 0.75 and t["queue_false_error_share"] > 0.6
    a = qa.audits
    adult = a[a.queue == "adult"]
    assert adult.error.mean() > a[a.queue != "adult"].error.mean()
    assert adult.truly_wrong.mean() < a[a.queue != "adult"].truly_wrong.mean()
    acc = ss.msa.auditor_accuracy(qa.gold, "auditor", "said_wrong", "truly_wrong")
    row = acc.by_auditor.set_index("auditor").loc["au-06"]
    assert row.flagged and row.direction == "below"
    ds = ss.msa.dawid_skene(qa.calibration, "item_id", "rater", "rating")
    truth = qa.calibration.drop_duplicates("item_id").set_index("item_id").true_label
    assert (ds.labels.reindex(truth.index) == truth).mean() > 0.95
