"""Every root-cause result survives to_dict / from_dict (bundled data)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss


@pytest.fixture(scope="module")
def audits() -> pd.DataFrame:
    ds = ss.datasets.load("policy_update")
    a = ds.audits[ds.audits["qa_decision"].notna()].copy()
    a["is_error"] = (a["error_type"] != "").astype(int)
    a["phase"] = np.where(a["day"] >= "2026-02-19", "after", "before")
    return a


def _results(a: pd.DataFrame) -> dict[str, ss._result.Result]:
    since = a[a["phase"] == "after"]
    reviewers = since[since["moderator_id"] != "system"]
    return {
        "segment_scan": ss.rootcause.segment_scan(since, "is_error", ["queue", "market"]),
        "explain_change": ss.rootcause.explain_change(a, "is_error", "phase",
                                                      ["queue", "region"], before="before",
                                                      after="after"),
        "funnel": ss.rootcause.funnel(reviewers, "is_error", "moderator_id"),
    }


def test_every_result_round_trips(audits):
    for name, r in _results(audits).items():
        d = r.to_dict()
        json.dumps(d, allow_nan=False)
        back = ss.from_dict(json.loads(json.dumps(d)))
        assert type(back) is type(r), name
        assert back.to_dict() == d, name
        assert back == r, name
        assert back.summary() == r.summary(), name
        assert "<div>" in r._repr_html_() and type(r).__name__ in repr(r)
