"""A CTQ records the target it took from a ``ss.targets.propose`` proposal, with provenance."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

import dmaic
import sixsigma as ss
from dmaic.errors import DocumentPathError, ParameterError
from dmaic.migrations import migrate, v4_to_v5
from sixsigma.targets import TargetProposal


def audits() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-03-02", periods=28).strftime("%Y-%m-%d")
    rows = [{"day": d, "queue": q, "audited": 300, "errors": int(rng.binomial(300, p))}
            for d in days for q, p in (("a", 0.03), ("b", 0.05), ("c", 0.04))]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def proposal() -> TargetProposal:
    return ss.targets.propose(audits(), "errors", size="audited", label="day", by="queue")


def project(direction: str | None = "lower") -> dmaic.Project:
    p = dmaic.Project(title="Error rate")
    p.append("define.ctqs", {"id": "err", "name": "Error rate", "direction": direction})
    return p


@pytest.mark.parametrize("choice", ["stretch", "entitlement", "baseline"])
def test_records_a_candidate(proposal, choice):
    p = project()
    ev = p.set_target("err", proposal, choice=choice, evidence_id="err_proposal")
    ctq = p.define.ctq("err")
    want = getattr(proposal, choice)
    assert ctq.target == want
    src = ctq.target_source
    assert src.candidate == choice and src.value == want and src.evidence == "err_proposal"
    assert src.probability == pytest.approx(proposal.probability(want))
    assert src.period_volume == pytest.approx(7 * proposal.daily_volume)
    assert ev is p.evidence["err_proposal"] and ev.kind == "target_proposal"
    assert ev.result is proposal   # the typed result, as attached


def test_custom_rate_and_period(proposal):
    p = project()
    p.set_target("err", proposal, choice=0.05, period_volume=900)
    src = p.define.ctq("err").target_source
    assert src.candidate == "custom" and src.value == 0.05
    assert src.probability == pytest.approx(proposal.probability(0.05, period_volume=900))
    assert src.evidence == "err_target_proposal"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip(tmp_path, proposal, fmt):
    p = project()
    p.set_target("err", proposal, choice="stretch", evidence_id="err_proposal")
    path = tmp_path / f"case.{fmt}"
    p.save(path)
    back = dmaic.load(path)
    ctq = back.define.ctq("err")
    assert ctq.target == proposal.stretch
    assert ctq.target_source == p.define.ctq("err").target_source
    restored = back.evidence[ctq.target_source.evidence].result
    assert type(restored) is TargetProposal and restored == proposal
    assert restored.probability(ctq.target) == pytest.approx(ctq.target_source.probability)
    raw = yaml.safe_load(path.read_text()) if fmt == "yaml" else json.loads(path.read_text())
    assert raw["schema_version"] == 5
    assert raw["define"]["ctqs"][0]["target_source"]["candidate"] == "stretch"


def test_unknown_ctq(proposal):
    p = project()
    with pytest.raises(DocumentPathError, match="no CTQ 'nope'"):
        p.set_target("nope", proposal)
    assert p.evidence == {}


def test_direction_mismatch(proposal):
    p = project("higher")
    with pytest.raises(ParameterError, match="direction 'higher'"):
        p.set_target("err", proposal)
    assert p.evidence == {} and p.define.ctq("err").target is None
    with pytest.raises(ParameterError, match="has no direction"):
        project(None).set_target("err", proposal)


@pytest.mark.parametrize("choice", ["best", True, None, 1.5, -0.1])
def test_bad_choice(proposal, choice):
    p = project()
    with pytest.raises(ParameterError):
        p.set_target("err", proposal, choice=choice)
    assert p.evidence == {} and p.define.ctq("err").target_source is None


def test_not_a_proposal():
    chart = ss.spc.p_chart({"d": [10, 12, 9, 11], "n": [200] * 4}, defectives="d", size="n")
    with pytest.raises(ParameterError, match="TargetProposal"):
        project().set_target("err", chart)


def test_bad_period_and_evidence_id(proposal):
    p = project()
    with pytest.raises(ParameterError):
        p.set_target("err", proposal, period_volume=0)
    with pytest.raises(ValidationError):
        p.set_target("err", proposal, evidence_id="bad id!")
    assert p.evidence == {} and p.define.ctq("err").target_source is None


def test_target_must_match_its_record(proposal):
    p = project()
    p.set_target("err", proposal)
    with pytest.raises(ValidationError, match="recorded target"):
        p.set("define.ctqs.0.target", 0.2)
    with p.edit() as draft:          # a hand-set target drops the record
        draft.set("define.ctqs.0.target_source", None)
        draft.set("define.ctqs.0.target", 0.2)
    assert p.define.ctq("err").target == 0.2


def test_version_4_files_load_without_a_record(tmp_path):
    p = project()
    p.set("define.ctqs.0.target", 0.03)
    doc = json.loads(p.model_dump_json())
    doc["schema_version"] = 4
    del doc["define"]["ctqs"][0]["target_source"]
    new = v4_to_v5(doc)
    assert new["schema_version"] == 5 and doc["schema_version"] == 4   # input untouched
    assert migrate(doc) == new
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(doc))
    back = dmaic.load(path)
    assert back.schema_version == 5 and back.id == p.id
    ctq = back.define.ctq("err")
    assert ctq.target == 0.03 and ctq.target_source is None
