"""The staggered roll-out scenario: reproducible, its truth recovered by the analyses."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.datasets.rollouts import APPEAL_PROPENSITY, GO_LIVE_DAY, REGIONS
from sixsigma.errors import ParameterError

SMALL: dict[str, Any] = {"days": 70, "daily_volume": 300}


@pytest.fixture(scope="module")
def ds() -> ss.datasets.Dataset:
    return ss.datasets.generate_rollout()


def _go_live(ds: ss.datasets.Dataset) -> dict[str, str]:
    assert ds.changes is not None
    return dict(zip(ds.changes["region"], ds.changes["date"].dt.strftime("%Y-%m-%d"),
                    strict=True))


def _audited(ds: ss.datasets.Dataset) -> pd.DataFrame:
    a = ds.audits[ds.audits["audited"]]
    return a.assign(error=a["error"].astype(int))


def test_reproducible_and_documented_shape() -> None:
    a = ss.datasets.generate_rollout(seed=5, **SMALL)
    b = ss.datasets.generate_rollout(seed=5, **SMALL)
    pd.testing.assert_frame_equal(a.audits, b.audits)
    assert a.truth == b.truth
    assert not a.audits.equals(ss.datasets.generate_rollout(seed=6, **SMALL).audits)
    assert list(a.audits.columns) == [
        "item_id", "decided_at", "day", "region", "policy", "decision", "qa_decision",
        "audited", "error", "moderator_id", "automated", "notice", "turnaround_seconds",
        "appealed", "appeal_overturned", "appeal_decided_at"]
    assert len(a.audits) == 70 * 300 * len(REGIONS)
    assert a.audits["decided_at"].is_monotonic_increasing
    assert a.audits["item_id"].is_unique


def test_records_are_consistent(ds: ss.datasets.Dataset) -> None:
    a = ds.audits
    assert (a["qa_decision"].notna() == a["audited"]).all()
    assert (a["error"].notna() == a["audited"]).all()
    aud = a[a["audited"]]
    assert ((aud["decision"] != aud["qa_decision"]).astype(int) == aud["error"]).all()
    assert (aud["qa_decision"] == aud["policy"]).all()        # QA is the truth here
    decided = a["appeal_overturned"].notna()
    assert not (decided & ~a["appealed"]).any()
    assert (a["appeal_decided_at"].notna() == decided).all()
    assert (a.loc[decided, "appeal_decided_at"] > a.loc[decided, "decided_at"]).all()
    assert ((a["moderator_id"] == "system") == a["automated"]).all()
    assert (a["turnaround_seconds"] > 0).all()
    # complaints against decisions not to act come only from notifiers
    no_action = a["decision"] == "no_violation"
    assert (a.loc[no_action & a["appealed"], "notice"]).all()
    assert (no_action & a["appealed"]).sum() > 500


def test_truth_lists_every_region(ds: ss.datasets.Dataset) -> None:
    regions = [t for t in ds.truth if t["cause"] == "guideline v3 roll-out"]
    assert [t["segment"]["region"] for t in regions] == list(REGIONS)
    worse = [t["segment"]["region"] for t in regions if t["effect"]["change"] > 0]
    never = [t["segment"]["region"] for t in regions if t["start_day"] is None]
    assert worse == ["APAC"] and never == ["LATAM"]
    assert ds.changes is not None
    assert set(ds.changes["region"]) == {r for r, g in GO_LIVE_DAY.items() if g is not None}
    assert _go_live(ds)["NA"] == regions[0]["start_day"]


def test_the_track_flags_exactly_the_failing_region(ds: ss.datasets.Dataset) -> None:
    r = ss.rollout.track(_audited(ds), "error", label="day", unit="region",
                         go_live=_go_live(ds))
    verdicts = r.table.set_index("unit")["verdict"].to_dict()
    assert verdicts == {"NA": "improved", "EMEA": "improved", "MENA": "improved",
                        "APAC": "worse", "LATAM": "not_live"}


def test_a_roll_out_that_does_nothing_shows_only_the_trend() -> None:
    null = ss.datasets.generate_rollout(seed=11, effects=dict.fromkeys(REGIONS, 0.0))
    assert all(t["effect"]["change"] == 0.0 for t in null.truth
               if t["cause"] == "guideline v3 roll-out")
    r = ss.rollout.track(_audited(null), "error", label="day", unit="region",
                         go_live=_go_live(null))
    # the naive before/after sees the shared downward drift; the staggered estimate does not
    assert r.pooled.estimate is not None and r.pooled.estimate < 0
    assert r.staggered.ci[0] is not None and r.staggered.ci[1] is not None
    assert r.staggered.ci[0] <= 0.0 <= r.staggered.ci[1]


def test_appeal_propensities_are_recovered(ds: ss.datasets.Dataset) -> None:
    r = ss.moderation.appeals(ds.audits)
    prop = r.propensity.set_index("qa_verdict")
    for verdict, key in (("wrong", "wrong"), ("right", "right")):
        row = prop.loc[verdict]
        assert row["ci_low"] - 0.01 <= APPEAL_PROPENSITY["action"][key] <= row["ci_high"] + 0.01
    oe = {rec["method"]: rec for rec in r.over_enforcement.to_dict("records")}
    a = ds.audits
    actions = a[a["decision"] != "no_violation"]
    true_rate = float((actions["policy"] == "no_violation").mean())
    assert float(oe["appeal"]["estimate"]) > 3 * true_rate      # the naive rate is far off
    corrected = oe["corrected"]
    se = (float(corrected["ci_high"]) - float(corrected["ci_low"])) / (2 * 1.96)
    assert abs(float(corrected["estimate"]) - true_rate) < 2 * se


def test_transparency_reads_the_notices_and_means(ds: ss.datasets.Dataset) -> None:
    t = ss.moderation.transparency(ds.audits, "month", automated="automated",
                                   notice="notice")
    total = t.table[(t.table["policy"] == "all") & (t.table["means"] == "all")]
    a = ds.audits
    assert int(total["decisions"].sum()) == len(a)
    assert int(total["notices"].sum()) == int(a["notice"].sum())
    assert int(total["complaints"].sum()) == int(a["appealed"].sum())
    assert np.isfinite(total["precision"]).all() and np.isfinite(total["recall"]).all()


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"days": 30}, "'days'"),
    ({"daily_volume": 0}, "'daily_volume'"),
    ({"audit_rate": 0.0}, "'audit_rate'"),
    ({"effects": {"XX": 0.0}}, "'effects'"),
    ({"start": "not a date"}, "'start'"),
])
def test_bad_parameters(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        ss.datasets.generate_rollout(**kwargs)  # type: ignore[arg-type]
