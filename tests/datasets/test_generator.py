"""Tests of the seeded moderation generator and the shipped scenarios (sixsigma.datasets).

The expected size of every injected cause comes from ``truth`` (the generating model's
expected value over the segment's rows); the tests measure the realised rate on the data and
require it within 4 binomial standard errors of that value, and the change to be large
against its own standard error. Laney's sigma_z is computed here by its defining formula
(Laney 2002: z_i = (p_i - p-bar) / sigma_p_i, sigma_z = mean |z_i - z_{i-1}| / 1.128).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from sixsigma import datasets
from sixsigma.datasets import generate_moderation
from sixsigma.datasets.audits import AUDIT_COLUMNS, LABELS
from sixsigma.datasets.population import MARKETS, NO_VIOLATION, POLICIES, REGIONS
from sixsigma.datasets.scenarios import SCENARIOS
from sixsigma.datasets.shipped import SHIPPED, datasheet, scenario_texts
from sixsigma.errors import ParameterError

SMALL = {"days": 14, "daily_volume": 2000}
ERROR_TYPES = ("over_enforcement", "under_enforcement", "wrong_policy")
STR_AUDIT = ["item_id", "queue", "region", "market", "language", "policy", "moderator_id",
             "decision", "qa_decision", "error_type"]


@pytest.fixture(scope="module")
def default() -> dict[str, datasets.Dataset]:
    """Every scenario at the generator's default size (about 90 000 audits each)."""
    return {name: generate_moderation(name) for name in SCENARIOS}


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def _within(realised_k: int, n: int, expected: float, z: float = 4.0) -> bool:
    se = np.sqrt(expected * (1 - expected) / n)
    return abs(realised_k / n - expected) <= z * se


def _audited(audits: pd.DataFrame) -> pd.DataFrame:
    return audits[audits["qa_decision"].notna()]


# ------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_bytes():
    first, second = generate_moderation(**SMALL), generate_moderation(**SMALL)
    for table in ("audits", "events", "calibration", "changes"):
        assert _digest(getattr(first, table)) == _digest(getattr(second, table)), table
    assert json.dumps(first.truth) == json.dumps(second.truth)


def test_another_seed_gives_other_data():
    first, other = generate_moderation(**SMALL), generate_moderation(seed=1, **SMALL)
    assert _digest(first.audits) != _digest(other.audits)
    assert _digest(first.events) != _digest(other.events)


def test_options_do_not_change_the_audits():
    full = generate_moderation(**SMALL)
    lean = generate_moderation(events=False, calibration=False, **SMALL)
    assert lean.events is None and lean.calibration is None
    pd.testing.assert_frame_equal(full.audits, lean.audits)


def test_scenarios_share_their_random_numbers(default):
    """Baseline is the counterfactual: other scenarios differ only in the cause's segment."""
    base, upd = default["baseline"].audits, default["policy_update"].audits
    differs = (base["decision"] != upd["decision"]).to_numpy()
    assert differs.sum() > 50
    changed = upd[differs]
    assert (changed["queue"] == "hate_speech").all()
    assert (changed["tenure_days"] < 30).all()
    assert (changed["day"] >= pd.Timestamp("2026-02-19")).all()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_shipped_files_equal_a_fresh_generation(name):
    fresh = generate_moderation(name, **SHIPPED)
    texts = scenario_texts(fresh)
    folder = resources.files("sixsigma.datasets").joinpath(name)
    for file, text in texts.items():
        raw = folder.joinpath(file).read_bytes()
        if file.endswith(".gz"):
            raw = gzip.decompress(raw)
        assert raw.decode("utf-8") == text, f"{name}/{file}"
    sheet = folder.joinpath("README.md").read_text(encoding="utf-8")
    assert sheet == datasheet(SCENARIOS[name], fresh, texts)


def test_load_equals_the_generator():
    loaded = datasets.load("policy_update")
    fresh = generate_moderation("policy_update", **SHIPPED)
    for table in ("audits", "events", "calibration", "changes"):
        pd.testing.assert_frame_equal(getattr(loaded, table), getattr(fresh, table))
    assert loaded.truth == fresh.truth


def test_shipped_files_are_small():
    folder = resources.files("sixsigma.datasets")
    total = sum(folder.joinpath(name, file).stat().st_size  # type: ignore[attr-defined]
                for name in SCENARIOS for file in ("audits.csv.gz", "events.csv.gz",
                                                   "calibration.csv.gz"))
    assert total < 5_500_000


# ------------------------------------------------------------------------- load


def test_list_names_every_dataset():
    assert set(datasets.list()) == {"daily_audits", *SCENARIOS}
    assert datasets.list() == sorted(datasets.list())


def test_loads_are_independent_and_frozen():
    first = datasets.load("baseline")
    first.audits.loc[0, "severity"] = -1
    assert datasets.load("baseline").audits.loc[0, "severity"] >= 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.calibration = None  # type: ignore[misc]
    assert datasets.load("daily_audits").calibration is None


def test_load_unknown_lists_the_names():
    with pytest.raises(ParameterError, match="'policy_update'.*'weekend_staffing'"):
        datasets.load("policy")


# ------------------------------------------------------------------------- schema


def test_audit_columns_and_dtypes(default):
    audits = default["policy_update"].audits
    assert tuple(audits.columns) == AUDIT_COLUMNS
    for column in STR_AUDIT:
        assert pd.api.types.is_string_dtype(audits[column].dtype), column
    assert audits["decided_at"].dtype == "datetime64[us]"
    assert audits["day"].dtype == "datetime64[us]"
    for column in ("tenure_days", "severity"):
        assert audits[column].dtype == np.int64
    for column in ("handle_seconds", "turnaround_seconds"):
        assert audits[column].dtype == np.float64
    assert audits["appealed"].dtype == bool
    assert audits["appeal_overturned"].dtype == "boolean"
    assert audits["item_id"].is_unique
    assert audits["decided_at"].is_monotonic_increasing
    assert (audits["day"] == audits["decided_at"].dt.floor("D")).all()


def test_vocabularies(default):
    audits = default["classifier_threshold"].audits
    assert set(audits["queue"]) == set(POLICIES)
    assert set(audits["policy"]) <= set(POLICIES)
    assert set(audits["decision"]) <= set(LABELS)
    assert set(audits["qa_decision"].dropna()) <= set(LABELS)
    assert set(audits["error_type"]) == {"", *ERROR_TYPES}
    assert set(audits["region"]) == set(REGIONS)
    pairs = {(m.name, m.region, m.language) for m in MARKETS}
    assert set(map(tuple, audits[["market", "region", "language"]].drop_duplicates()
                   .to_numpy().tolist())) <= pairs


def test_vocabulary_matches_the_moderation_module():
    moderation = pytest.importorskip("sixsigma.moderation")
    if hasattr(moderation, "POLICIES"):
        assert tuple(moderation.POLICIES) == POLICIES
    if hasattr(moderation, "NO_VIOLATION"):
        assert moderation.NO_VIOLATION == NO_VIOLATION
    if hasattr(moderation, "AUDIT_COLUMNS"):
        assert set(moderation.AUDIT_COLUMNS) <= set(AUDIT_COLUMNS)
    if hasattr(moderation, "validate_audits"):  # the metrics accept the generated records
        moderation.validate_audits(datasets.load("policy_update").audits)


def test_error_type_follows_decision_and_qa(default):
    audits = default["policy_update"].audits
    audited = audits["qa_decision"].notna()
    d, q = audits["decision"], audits["qa_decision"]
    expected = np.select(
        [~audited | (d == q),
         (d != NO_VIOLATION) & (q == NO_VIOLATION),
         (d == NO_VIOLATION) & (q != NO_VIOLATION)],
        ["", "over_enforcement", "under_enforcement"], default="wrong_policy")
    assert (audits["error_type"].to_numpy() == expected).all()
    correct = audits["error_type"] == ""
    assert (audits.loc[correct, "severity"] == 0).all()
    assert audits.loc[~correct, "severity"].between(1, 4).all()
    # unaudited: about 0.5 %, counted as neither correct nor wrong
    assert 0.003 < (~audited).mean() < 0.008
    assert (audits.loc[~audited, "error_type"] == "").all()


def test_appeals_and_auto_actions(default):
    audits = default["policy_update"].audits
    appealed = audits["appealed"]
    assert (audits.loc[appealed, "decision"] != NO_VIOLATION).all()
    assert audits.loc[appealed, "appeal_overturned"].notna().all()
    assert audits.loc[~appealed, "appeal_overturned"].isna().all()
    over = _audited(audits)["error_type"] == "over_enforcement"
    overturned = _audited(audits).loc[over & _audited(audits)["appealed"],
                                      "appeal_overturned"].astype(bool)
    assert overturned.mean() > 0.5  # wrong actions are usually overturned
    system = audits["moderator_id"] == "system"
    assert 0.05 < system.mean() < 0.3
    assert (audits.loc[system, "decision"] != NO_VIOLATION).all()
    assert (audits.loc[system, "handle_seconds"] == 0).all()
    assert set(audits.loc[system, "queue"]) == {"spam", "adult", "violent_extremism"}


def test_moderators_nested_in_queue_and_market(default):
    audits = default["baseline"].audits
    human = audits[audits["moderator_id"] != "system"]
    cells = human.groupby("moderator_id")[["queue", "market"]].nunique()
    assert (cells == 1).all().all()
    assert 300 < len(cells) < 600
    # persistent individual propensity: error rates differ between moderators more than
    # binomial noise allows (chi-square test of homogeneity on the busiest moderators)
    audited = _audited(human)
    per = audited.assign(err=audited["error_type"] != "").groupby("moderator_id")["err"]
    counts, errors = per.size(), per.sum()
    keep = counts >= 200
    p = errors[keep].sum() / counts[keep].sum()
    chi2 = (((errors[keep] - counts[keep] * p) ** 2) / (counts[keep] * p * (1 - p))).sum()
    assert chi2 > 1.5 * keep.sum()


def test_calibration_schema(default):
    cal = default["policy_update"].calibration
    assert list(cal.columns) == ["round", "item_id", "policy", "rater", "trial", "rating",
                                 "severity", "standard", "standard_severity"]
    assert len(cal) == 6 * 40 * 8 * 2
    assert cal.groupby(["round", "item_id", "rater"]).size().eq(2).all()
    assert set(cal["rating"]) <= set(LABELS) and set(cal["standard"]) <= set(LABELS)
    assert cal["severity"].between(1, 4).all() and cal["standard_severity"].between(1, 4).all()
    assert cal["rater"].nunique() == 8 and cal["item_id"].nunique() == 240


def test_truth_is_machine_readable(default):
    keys = {"cause", "metric", "segment", "step", "start_day", "effect", "description"}
    for name, ds in default.items():
        json.dumps(ds.truth, allow_nan=False)
        for cause in ds.truth:
            assert set(cause) == keys, name
            assert set(cause["effect"]) == {"before", "after"}
            assert cause["step"] in {"human_review_l1", "escalate_l2", "auto_classify",
                                     "qa_audit"}
    assert default["baseline"].truth == ()
    assert len(default["baseline"].changes) == 0
    assert default["policy_update"].changes["event"].tolist() == [
        "QA recalibration workshop", "Policy update: hate speech v3"]


# ------------------------------------------------------------------------- injected causes


def _before_after(frame: pd.DataFrame, start_day: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    after = frame["day"] >= pd.Timestamp(start_day)
    return frame[~after], frame[after]


def _check_rate(rows_before: pd.Series, rows_after: pd.Series, effect: dict[str, float]):
    for rows, key in ((rows_before, "before"), (rows_after, "after")):
        assert len(rows) > 100
        assert _within(int(rows.sum()), len(rows), effect[key]), (key, rows.mean(), effect)
    pooled = np.sqrt(effect["after"] * (1 - effect["after"]) / len(rows_after)
                     + effect["before"] * (1 - effect["before"]) / len(rows_before))
    assert abs(rows_after.mean() - rows_before.mean()) > 4 * pooled  # clearly visible


def test_policy_update_cause(default):
    ds = default["policy_update"]
    (cause,) = [t for t in ds.truth if t["cause"] == "policy update"]
    assert cause["segment"] == {"queue": "hate_speech", "tenure_days": "<30"}
    audits = _audited(ds.audits)
    seg = audits[(audits["queue"] == "hate_speech") & (audits["tenure_days"] < 30)]
    before, after = _before_after(seg, cause["start_day"])
    _check_rate(before["error_type"] == "wrong_policy", after["error_type"] == "wrong_policy",
                cause["effect"])
    assert cause["effect"]["after"] - cause["effect"]["before"] > 0.08
    # experienced reviewers of the same queue are not affected
    rest = audits[(audits["queue"] == "hate_speech") & (audits["tenure_days"] >= 30)]
    r_before, r_after = _before_after(rest, cause["start_day"])
    gap = (r_after["error_type"] == "wrong_policy").mean() - (
        r_before["error_type"] == "wrong_policy").mean()
    assert abs(gap) < 0.01


def test_escalation_handoff_cause(default):
    ds = default["escalation_handoff"]
    (cause,) = [t for t in ds.truth if t["cause"] == "escalation hand-off"]
    escalated = ds.events.loc[ds.events["activity"] == "escalate_l2", "case_id"]
    audits = _audited(ds.audits)
    seg = audits[audits["item_id"].isin(escalated) & (audits["market"] == "BR")]
    before, after = _before_after(seg, cause["start_day"])
    _check_rate(before["error_type"] != "", after["error_type"] != "", cause["effect"])
    assert cause["effect"]["after"] == 0.3
    # other markets' escalations stay at the L2 base rate
    other = audits[audits["item_id"].isin(escalated) & (audits["market"] != "BR")]
    assert (other["error_type"] != "").mean() < 0.1


def test_classifier_threshold_cause(default):
    ds = default["classifier_threshold"]
    causes = {t["metric"]: t for t in ds.truth if t["cause"] == "classifier threshold"}
    audits = _audited(ds.audits)
    seg = audits[audits["region"] == "APAC"]
    cause = causes["over_enforcement_rate"]
    before, after = _before_after(seg, cause["start_day"])
    _check_rate(before["error_type"] == "over_enforcement",
                after["error_type"] == "over_enforcement", cause["effect"])
    share = causes["auto_action_share"]
    _check_rate(before["moderator_id"] == "system", after["moderator_id"] == "system",
                share["effect"])
    # the event log shows it too: auto_action events of APAC items
    auto = set(ds.events.loc[ds.events["activity"] == "auto_action", "case_id"])
    assert (after["item_id"].isin(auto) == (after["moderator_id"] == "system")).all()


def test_weekend_staffing_cause(default):
    ds = default["weekend_staffing"]
    causes = {t["metric"]: t for t in ds.truth}
    audits = _audited(ds.audits)
    weekend = audits[audits["day"].dt.day_of_week >= 5]
    cause = causes["sla_miss_rate"]
    assert cause["segment"] == {"day_of_week": ["Saturday", "Sunday"]}
    before, after = _before_after(weekend, cause["start_day"])
    _check_rate(before["turnaround_seconds"] > 86_400, after["turnaround_seconds"] > 86_400,
                cause["effect"])
    handle = causes["mean_handle_seconds"]["effect"]
    for rows, key in ((before, "before"), (after, "after")):
        values = rows["handle_seconds"]
        assert abs(values.mean() - handle[key]) < 4 * values.std() / np.sqrt(len(values))
    # weekdays are not affected
    weekday = audits[audits["day"].dt.day_of_week < 5]
    w_before, w_after = _before_after(weekday, cause["start_day"])
    gap = (w_after["turnaround_seconds"] > 86_400).mean() - (
        w_before["turnaround_seconds"] > 86_400).mean()
    assert abs(gap) < 0.01


def test_calibration_causes(default):
    ds = default["escalation_handoff"]
    cal = ds.calibration
    right = cal["rating"] == cal["standard"]
    causes = {t["cause"]: t for t in ds.truth if t["metric"] == "calibration_accuracy"}
    assert set(causes) == {"ambiguous policy", "poorly calibrated rater",
                           "calibration drift", "recalibration"}
    masks = {
        "ambiguous policy": (cal["policy"] != "harassment", cal["policy"] == "harassment"),
        "poorly calibrated rater": (cal["rater"] != "qa-06", cal["rater"] == "qa-06"),
        "calibration drift": (cal["round"] <= 2, cal["round"].isin([3, 4])),
        "recalibration": (cal["round"].isin([3, 4]), cal["round"] >= 5),
    }
    for cause, (outside, inside) in masks.items():
        effect = causes[cause]["effect"]
        assert _within(int(right[outside].sum()), int(outside.sum()), effect["before"]), cause
        assert _within(int(right[inside].sum()), int(inside.sum()), effect["after"]), cause
        assert abs(effect["after"] - effect["before"]) > 0.1, cause
    # baseline: no calibration problems
    base = generate_moderation("baseline", **SMALL).calibration
    acc = (base["rating"] == base["standard"]).groupby(base["policy"]).mean()
    assert acc.max() - acc.min() < 0.1


# ------------------------------------------------------------------------- realism


def _laney_sigma_z(errors: np.ndarray, n: np.ndarray) -> float:
    """Laney (2002): sigma_z = mean moving range of z / d2(2), d2(2) = 1.128."""
    pbar = errors.sum() / n.sum()
    z = (errors / n - pbar) / np.sqrt(pbar * (1 - pbar) / n)
    return float(np.abs(np.diff(z)).mean() / 1.128)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_accuracy_is_realistic(default, name):
    audits = _audited(default[name].audits)
    accuracy = (audits["error_type"] == "").mean()
    assert 0.90 <= accuracy <= 0.98


def test_daily_errors_are_overdispersed(default):
    audits = _audited(default["baseline"].audits)
    daily = (audits.assign(err=audits["error_type"] != "")
             .groupby(["queue", "day"])["err"].agg(["sum", "size"]))
    for queue in ("hate_speech", "harassment"):
        rows = daily.loc[queue]
        sigma_z = _laney_sigma_z(rows["sum"].to_numpy(), rows["size"].to_numpy())
        assert 1.3 < sigma_z < 3.0, (queue, sigma_z)


def test_volume_seasonality_and_sample_sizes(default):
    audits = default["baseline"].audits
    per_day = audits.groupby(["queue", "day"]).size()
    assert per_day.groupby("queue").median().between(50, 5000).all()
    assert per_day.loc["hate_speech"].median() > 200
    daily = audits.groupby("day").size()
    weekend = daily.index.day_of_week >= 5
    assert daily[weekend].mean() > 1.05 * daily[~weekend].mean()


def test_tenure_has_new_hires(default):
    audits = default["baseline"].audits
    human = audits[audits["moderator_id"] != "system"]
    assert (human["tenure_days"] >= 0).all()
    assert 0.05 < (human["tenure_days"] < 30).mean() < 0.2
    assert human["tenure_days"].median() > 200
    assert 60 < human["handle_seconds"].median() < 120


def test_new_hires_err_more(default):
    audits = _audited(default["baseline"].audits)
    human = audits[audits["moderator_id"] != "system"]
    err = human["error_type"] != ""
    assert err[human["tenure_days"] < 30].mean() > 1.3 * err[human["tenure_days"] >= 90].mean()


# ------------------------------------------------------------------------- event log


def test_event_log_consistency(default):
    ds = default["policy_update"]
    events, audits = ds.events, ds.audits
    assert list(events.columns) == ["case_id", "activity", "timestamp", "resource"]
    assert events["timestamp"].dtype == "datetime64[us]"
    assert set(events["case_id"]) == set(audits["item_id"])
    grouped = events.groupby("case_id", sort=False)
    assert (grouped["activity"].first() == "ingest").all()
    assert (grouped["activity"].last() == "closed").all()
    step = events["timestamp"].diff().dt.total_seconds()
    same_case = events["case_id"].eq(events["case_id"].shift())
    assert (step[same_case] >= 0).all()
    # qa_audit exactly for the items whose audit was completed
    qa_cases = set(events.loc[events["activity"] == "qa_audit", "case_id"])
    assert qa_cases == set(audits.loc[audits["qa_decision"].notna(), "item_id"])
    assert (events.loc[events["activity"] == "qa_audit", "resource"].str.match(r"qa-\d\d")).all()
    # the first decision is the audit record's decision time; turnaround = decision - ingest
    first = events[events["activity"] == "decision"].groupby("case_id", sort=False).first()
    ingest = events[events["activity"] == "ingest"].set_index("case_id")["timestamp"]
    indexed = audits.set_index("item_id")
    assert (first["timestamp"] == indexed["decided_at"].loc[first.index]).all()
    turnaround = (first["timestamp"] - ingest.loc[first.index]).dt.total_seconds()
    assert (turnaround == indexed["turnaround_seconds"].loc[first.index]).all()
    # appeals exactly for appealed items; auto_action exactly for system decisions
    appeals = set(events.loc[events["activity"] == "appeal", "case_id"])
    assert appeals == set(audits.loc[audits["appealed"], "item_id"])
    autos = set(events.loc[events["activity"] == "auto_action", "case_id"])
    assert autos == set(audits.loc[audits["moderator_id"] == "system", "item_id"])


def test_event_log_has_rework_and_escalations(default):
    events = default["baseline"].events
    l1 = events.loc[events["activity"] == "human_review_l1", "case_id"].value_counts()
    assert (l1 == 2).sum() > 500  # QA sent items back to L1 (rework)
    assert l1.max() == 2
    assert set(events["activity"]) == {"ingest", "auto_classify", "auto_action",
                                       "human_review_l1", "escalate_l2", "decision",
                                       "qa_audit", "appeal", "appeal_review", "closed"}
    esc = set(events.loc[events["activity"] == "escalate_l2", "case_id"])
    after_esc = events[events["case_id"].isin(esc) & (events["activity"] == "decision")]
    assert after_esc.groupby("case_id")["resource"].first().str.startswith("l2-").all()


# ------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"scenario": "policy"}, r"unknown scenario 'policy'; available: 'policy_update', "
                             r"'escalation_handoff', 'classifier_threshold', "
                             r"'weekend_staffing', 'baseline'"),
    ({"scenario": None}, "unknown scenario None"),
    ({"days": 0}, "days must be an integer >= 1"),
    ({"days": -3}, "days must be an integer >= 1"),
    ({"days": 2.5}, "days must be an integer >= 1"),
    ({"days": True}, "days must be an integer >= 1"),
    ({"daily_volume": -10}, "daily_volume must be an integer >= 1"),
    ({"daily_volume": 0}, "daily_volume must be an integer >= 1"),
    ({"audit_rate": 0.0}, r"audit_rate must be a number in \(0, 1\]"),
    ({"audit_rate": 1.5}, r"audit_rate must be a number in \(0, 1\]"),
    ({"audit_rate": -0.1}, r"audit_rate must be a number in \(0, 1\]"),
    ({"audit_rate": float("nan")}, r"audit_rate must be a number in \(0, 1\]"),
    ({"audit_rate": "5%"}, r"audit_rate must be a number in \(0, 1\]"),
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"start": "not a date"}, "start must be a date"),
    ({"start": "2026-01-05 10:00+01:00"}, "start must be a naive date"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match) as info:
        generate_moderation(**{"days": 3, "daily_volume": 100, **kwargs})
    assert str(info.value).startswith("generate_moderation: ")
    assert isinstance(info.value, ValueError)


def test_tiny_and_full_audit_configurations():
    tiny = generate_moderation(days=1, daily_volume=1)
    assert tuple(tiny.audits.columns) == AUDIT_COLUMNS
    assert len(tiny.events) == 0 or tiny.events["activity"].iloc[-1] == "closed"
    everything = generate_moderation(days=2, daily_volume=300, audit_rate=1.0,
                                     start=pd.Timestamp("2026-03-01"))
    assert 450 < len(everything.audits) < 750
    assert everything.audits["day"].min() == pd.Timestamp("2026-03-01")
