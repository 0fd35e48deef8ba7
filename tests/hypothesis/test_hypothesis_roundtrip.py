"""Comparisons from the bundled data survive to_dict / from_dict."""

from __future__ import annotations

import json

import numpy as np

import sixsigma as ss
from sixsigma.hypothesis import Comparison


def _round_trip(r: Comparison) -> None:
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(json.loads(json.dumps(d)))
    assert type(back) is Comparison
    assert back.to_dict() == d
    assert back == r and back.summary() == r.summary()


def test_bundled_data_round_trips():
    ds = ss.datasets.load("policy_update")
    a = ds.audits[ds.audits["qa_decision"].notna()].copy()
    a["is_error"] = (a["error_type"] != "").astype(int)
    a["phase"] = np.where(a["day"] >= "2026-02-19", "after", "before")
    since = a[a["phase"] == "after"]
    humans = since[since["moderator_id"] != "system"].sample(300, random_state=1)
    _round_trip(ss.hypothesis.compare(a[a["queue"] == "hate_speech"], "is_error", "phase"))
    _round_trip(ss.hypothesis.compare(since, "is_error", "queue"))
    _round_trip(ss.hypothesis.compare(humans, "handle_seconds", "queue"))


def test_one_sample_and_equivalence_round_trip_on_bundled_data():
    from sixsigma.hypothesis import Equivalence, OneSample

    ds = ss.datasets.load("policy_update")
    a = ds.audits[ds.audits["qa_decision"].notna()].copy()
    a["is_error"] = (a["error_type"] != "").astype(int)
    a["phase"] = np.where(a["day"] >= "2026-02-19", "after", "before")
    spam = a[a["queue"] == "spam"]
    people = spam[spam["moderator_id"] != "system"]
    results = [
        ss.hypothesis.one_sample(spam, "is_error", target=0.05, alternative="less"),
        ss.hypothesis.one_sample(people, "handle_seconds", target=300, alternative="less"),
        ss.hypothesis.equivalence(spam, "is_error", "phase", margin=0.02),
        ss.hypothesis.equivalence(people, "handle_seconds", "phase", margin=5),
    ]
    for r in results:
        assert type(r) in (OneSample, Equivalence)
        d = r.to_dict()
        json.dumps(d, allow_nan=False)
        back = ss.from_dict(json.loads(json.dumps(d)))
        assert type(back) is type(r)
        assert back.to_dict() == d
        assert back == r and back.summary() == r.summary()
