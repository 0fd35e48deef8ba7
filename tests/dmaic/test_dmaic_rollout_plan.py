"""The control plan's roll-out plan: model, store round trip, rollout_status, tollgate check."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

import dmaic
import sixsigma as ss
from dmaic.errors import EvidenceError, ParameterError
from dmaic.model import RolloutPlan
from dmaic.rollouts import rollout_columns, rollout_status
from dmaic.store import dumps

DAYS = pd.date_range("2026-01-05", periods=60)
GO_LIVE = {"NA": "2026-01-26", "EMEA": "2026-02-09", "APAC": "2026-02-09", "LATAM": None}


def _daily(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for region, date in GO_LIVE.items():
        for day in DAYS:
            p = 0.08
            if date is not None and day >= pd.Timestamp(date):
                p += 0.03 if region == "APAC" else -0.03
            rows.append({"day": day, "region": region, "audited": 400,
                         "errors": int(rng.binomial(400, p))})
    return pd.DataFrame(rows)


def _project(**plan: object) -> dmaic.Project:
    p = dmaic.Project.model_validate({"title": "Roll-out of the v3 guideline", "define": {
        "ctqs": [{"id": "error_rate", "name": "Audit error rate", "direction": "lower"}]}})
    units = [{"unit": u, "go_live": d, "owner": f"lead-{u}"} for u, d in GO_LIVE.items()]
    p.set("control.rollout", {"ctq": "error_rate", "unit_column": "region", "units": units,
                              "defectives": "errors", "size": "audited", "label": "day",
                              **plan})
    return p


# -- the model ----------------------------------------------------------------------------
def test_plan_lists_units_and_dates() -> None:
    plan = _project().control.rollout
    assert plan is not None
    assert plan.go_live_dates()["NA"] == dt.date(2026, 1, 26)
    assert plan.go_live_dates()["LATAM"] is None
    assert [u.unit for u in plan.live_units(dt.date(2026, 2, 1))] == ["NA"]
    assert plan.unit("EMEA") is not None and plan.unit("XX") is None
    assert plan.unit("NA").owner == "lead-NA"  # type: ignore[union-attr]


@pytest.mark.parametrize(("change", "loc"), [
    ({"units": []}, ("units",)),
    ({"units": [{"unit": "NA"}, {"unit": "NA"}]}, ("units", 1, "unit")),
    ({"units": [{"unit": "NA", "go_live": "not a date"}]}, ("units", 0, "go_live")),
    ({"units": [{"unit": " "}]}, ("units", 0, "unit")),
    ({"units": [{"unit": "NA", "colour": "red"}]}, ("units", 0, "colour")),
])
def test_bad_plans_name_the_field(change: dict[str, object], loc: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        RolloutPlan.model_validate({"ctq": "error_rate", "units": [{"unit": "NA"}], **change})
    assert any(e["loc"][:len(loc)] == loc for e in info.value.errors())


def test_plan_refers_to_a_known_ctq_and_evidence() -> None:
    p = _project()
    with pytest.raises(ValidationError, match="unknown CTQ 'nope'"):
        p.set("control.rollout.ctq", "nope")
    with pytest.raises(ValidationError, match="unknown evidence 'missing'"):
        p.set("control.rollout.units.0.evidence", "missing")
    with pytest.raises(ValidationError, match="unknown evidence 'missing'"):
        p.set("control.rollout.evidence", "missing")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_through_the_store(fmt: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _project()
    p.control.rollout.units[3].notes = "waits for the local-language training"  # type: ignore[union-attr]
    back = dmaic.loads(dumps(p, fmt), fmt)  # type: ignore[arg-type]
    assert back.control.rollout == p.control.rollout
    path = tmp_path / f"case.{fmt}"
    p.save(path)
    assert dmaic.load(path).control.rollout == p.control.rollout


def test_a_version_4_file_without_a_rollout_plan_loads_unchanged() -> None:
    p = dmaic.Project(title="t")
    doc = json.loads(dumps(p, "json"))
    assert "rollout" not in json.dumps(doc) or doc["control"].get("rollout") is None
    assert dmaic.loads(json.dumps(doc), "json").control.rollout is None


# -- rollout_status -----------------------------------------------------------------------
def test_status_runs_the_track_for_the_plan() -> None:
    data = _daily()
    r = rollout_status(_project(), data)
    direct = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                              go_live=GO_LIVE)
    assert isinstance(r, ss.rollout.Rollout)
    pd.testing.assert_frame_equal(r.table, direct.table)
    verdicts = r.table.set_index("unit")["verdict"]
    assert verdicts["APAC"] == "worse" and verdicts["LATAM"] == "not_live"
    assert verdicts["NA"] == "improved" and verdicts["EMEA"] == "improved"
    assert r.direction == "lower" and r.pooled.estimate == direct.pooled.estimate


def test_status_follows_the_ctq_direction() -> None:
    p = _project()
    p.set("define.ctqs.0.direction", "higher")
    verdicts = rollout_status(p, _daily()).table.set_index("unit")["verdict"]
    assert verdicts["APAC"] == "improved" and verdicts["NA"] == "worse"


def test_plan_read_against_the_data_window() -> None:
    data = _daily()
    p = _project()
    p.set("control.rollout.units.3.go_live", "2026-12-01")      # planned, after the data
    p.set("control.rollout.units.0.go_live", "2025-12-01")      # live before the data
    p.append("control.rollout.units", {"unit": "MENA", "go_live": "2026-02-01"})
    r = rollout_status(p, data)
    verdicts = r.table.set_index("unit")["verdict"]
    assert verdicts["LATAM"] == "not_live" and verdicts["NA"] == "no_baseline"
    assert "MENA" not in set(r.table["unit"])
    assert any("'LATAM' goes live on 2026-12-01" in n for n in r.notes)
    assert any("'NA' went live on 2025-12-01" in n for n in r.notes)
    assert any("'MENA' of the roll-out plan has no rows" in n for n in r.notes)


def test_columns_come_from_the_frozen_chart() -> None:
    data = _daily()
    p = _project(defectives=None, size=None, label=None)
    with pytest.raises(EvidenceError, match="names no defectives or label column"):
        rollout_columns(p)
    chart = ss.spc.p_chart(data[data.region == "LATAM"], defectives="errors", size="audited",
                           label="day")
    p.attach("latam_chart", chart, data=data,
             parameters={"defectives": "errors", "size": "audited", "label": "day"},
             function="sixsigma.spc.p_chart")
    p.append("control.plan", {"ctq": "error_rate", "metric": "daily error rate",
                              "chart": "p", "limits": {
                                  "center": 0.08, "evidence": "latam_chart",
                                  "frozen_on": "2026-03-01"}})
    assert rollout_columns(p) == {"defectives": "errors", "size": "audited", "label": "day"}
    assert rollout_status(p, data).table["verdict"].tolist() == \
        rollout_status(_project(), data).table["verdict"].tolist()


def test_status_errors() -> None:
    with pytest.raises(EvidenceError, match="no roll-out plan"):
        rollout_status(dmaic.Project(title="t"), _daily())
    with pytest.raises(ParameterError, match="no column 'region'"):
        rollout_status(_project(), _daily().rename(columns={"region": "market"}))
    bad = _daily().assign(day="not a day")
    with pytest.raises(ParameterError, match="must hold dates"):
        rollout_status(_project(), bad)


def test_status_accepts_other_frames() -> None:
    pl = pytest.importorskip("polars")
    data = _daily()
    a = rollout_status(_project(), data)
    b = rollout_status(_project(), pl.from_pandas(data))
    assert a.table["verdict"].tolist() == b.table["verdict"].tolist()


def test_status_result_round_trips_as_evidence(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _project()
    data = _daily()
    r = rollout_status(p, data)
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert type(ss.from_dict(d)) is ss.rollout.Rollout
    p.attach("rollout", r, data=data, function="dmaic.rollouts.rollout_status")
    p.set("control.rollout.evidence", "rollout")
    p.save(tmp_path / "case.yaml")
    back = dmaic.load(tmp_path / "case.yaml")
    assert back.evidence["rollout"].result.to_dict() == d


# -- the Control tollgate -----------------------------------------------------------------
def _names(p: dmaic.Project) -> list[str]:
    return [c.name for c in p.tollgate("control").checks]


def test_no_plan_no_rollout_check() -> None:
    assert "rollout_evidence" not in _names(dmaic.Project(title="t"))


def test_live_units_need_evidence() -> None:
    p = _project()
    check = p.tollgate("control")["rollout_evidence"]
    assert not check.passed
    assert "['NA', 'EMEA', 'APAC']" in check.reason
    assert _names(p)[-2:] == ["handover", "rollout_evidence"]


def test_the_plans_rollout_result_is_evidence_for_its_live_units() -> None:
    p = _project()
    data = _daily()
    p.attach("rollout", rollout_status(p, data), data=data)
    p.set("control.rollout.evidence", "rollout")
    check = p.tollgate("control")["rollout_evidence"]
    assert check.passed, check.reason
    assert check.reason == "3 of 4 units live, each with evidence"


def test_a_unit_the_result_has_not_live_still_needs_evidence() -> None:
    p = _project()
    data = _daily()
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live={"NA": "2026-01-26"})
    p.attach("rollout", r, data=data)
    p.set("control.rollout.evidence", "rollout")
    check = p.tollgate("control")["rollout_evidence"]
    assert not check.passed and "['EMEA', 'APAC']" in check.reason
    for i, unit in ((1, "EMEA"), (2, "APAC")):
        sub = data[data.region == unit]
        p.attach(f"chart_{unit}", ss.spc.p_chart(sub, defectives="errors", size="audited",
                                                 label="day"), data=sub)
        p.set(f"control.rollout.units.{i}.evidence", f"chart_{unit}")
    assert p.tollgate("control")["rollout_evidence"].passed


def test_units_not_yet_live_pass() -> None:
    p = _project()
    future = dt.date.today() + dt.timedelta(days=30)
    for i in range(4):
        p.set(f"control.rollout.units.{i}.go_live", future)
    check = p.tollgate("control")["rollout_evidence"]
    assert check.passed and check.reason == "no unit live yet (4 planned)"


def test_attach_rollout_records_a_call_that_refresh_reruns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dmaic.rollouts import attach_rollout, rollout_call

    p = _project()
    data = _daily()
    r = attach_rollout(p, data)
    assert p.control.rollout is not None and p.control.rollout.evidence == "rollout"
    ev = p.evidence["rollout"]
    assert ev.function == "sixsigma.rollout.track"
    go_live = ev.parameters["go_live"]
    assert isinstance(go_live, dict) and go_live["LATAM"] is None
    assert p.tollgate("control")["rollout_evidence"].passed
    p.save(tmp_path / "case.json")
    back = dmaic.load(tmp_path / "case.json")
    newer = _daily(seed=4)
    again = back.refresh("rollout", newer)
    assert again.result.table["verdict"].tolist() == \
        rollout_status(back, newer).table["verdict"].tolist()
    assert r.table["unit"].tolist() == again.result.table["unit"].tolist()
    params, notes = rollout_call(p, data)
    assert params["unit"] == "region" and params["direction"] == "lower" and notes == []
