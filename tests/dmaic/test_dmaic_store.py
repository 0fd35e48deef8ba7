"""Storage: lossless JSON/YAML round trips, atomic saves, revision conflicts, migrations."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from _cases import example_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dmaic
from dmaic import store
from dmaic.migrations import migrate
from dmaic.model import Project
from dmaic.types import ACTIVE_PHASES, PHASES

# -- generated projects ---------------------------------------------------------------------
text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s != "")
ident = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1))
moments = st.datetimes(timezones=st.just(dt.UTC))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10)


@st.composite
def projects(draw: st.DrawFn) -> Project:
    ctq_ids = draw(st.lists(ident, min_size=1, max_size=3, unique=True))
    ctqs = []
    for cid in ctq_ids:
        lo, mid, hi = sorted(draw(st.lists(finite, min_size=3, max_size=3, unique=True)))
        ctqs.append({"id": cid, "name": draw(text),
                     "operational_definition": draw(st.none() | text),
                     "unit": draw(st.none() | text),
                     "direction": draw(st.sampled_from([None, "lower", "higher"])),
                     "lsl": draw(st.sampled_from([None, lo])), "usl": hi,
                     "target": draw(st.sampled_from([None, mid]))})
    first = ctqs[0]
    base = draw(st.floats(-1e6, 1e6))
    step = draw(st.floats(1.0, 1e6))
    target = base + step if first["direction"] == "higher" else base - step
    start = draw(dates)
    ev_ids = draw(st.lists(ident, max_size=3, unique=True))
    kinds = {eid: draw(text) for eid in ev_ids}
    evidence = {eid: {"kind": kinds[eid], "description": draw(st.text(max_size=20)),
                      "parameters": draw(st.dictionaries(text, json_values, max_size=2)),
                      "record": draw(st.none() | st.dictionaries(
                          text, json_values, max_size=3).map(
                              lambda d, k=kinds[eid]: {**d, "kind": k})),
                      "fingerprint": draw(st.none() | st.builds(
                          lambda d, r, c: {"digest": d, "rows": r, "columns": c},
                          st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
                          st.integers(0, 10**9), st.lists(text, max_size=3))),
                      "created_at": draw(st.none() | moments)}
                for eid in ev_ids}
    cats = draw(st.lists(text, min_size=1, max_size=4,
                         unique_by=lambda s: s.casefold()))
    causes = [{"id": f"rc{i}", "statement": draw(text), "category": draw(st.sampled_from(cats)),
               "status": "verified" if ev_ids and draw(st.booleans()) else "hypothesized",
               "evidence": ev_ids[:1]} for i in range(draw(st.integers(0, 2)))]
    times = sorted(draw(st.lists(moments, max_size=3)))
    doc = {
        "revision": draw(st.integers(0, 10**6)),
        "title": draw(text),
        "phase": draw(st.sampled_from(ACTIVE_PHASES)),
        "define": {
            "charter": {
                "problem_statement": draw(st.none() | text),
                "goal": {"statement": draw(text), "ctq": first["id"], "baseline": base,
                         "target": target, "deadline": start + dt.timedelta(days=30)},
                "scope_in": draw(st.lists(text, max_size=2)),
                "team": [{"name": draw(text), "role": draw(st.sampled_from(
                    ["sponsor", "lead", "member"]))}],
                "milestones": [{"phase": ph, "due": start + dt.timedelta(days=7 * i)}
                               for i, ph in enumerate(PHASES)],
                "start": start,
            },
            "sipoc": {"process": draw(st.lists(text, max_size=3))},
            "voc": [{"customer": draw(text), "verbatim": draw(text), "ctqs": ctq_ids}],
            "ctqs": ctqs,
        },
        "measure": {
            "data_collection": [{"ctq": c, "data_source": draw(text)} for c in ctq_ids],
            "baselines": [{"ctq": first["id"], "value": draw(finite),
                           "chart": draw(st.sampled_from([None, *ev_ids])),
                           "dpmo": draw(st.none() | st.floats(0, 1e6))}],
        },
        "analyze": {"fishbone": {"effect": draw(st.none() | text),
                                 "categories": [{"name": c, "causes": draw(st.lists(
                                     text, max_size=2))} for c in cats]},
                    "five_whys": [{"problem": draw(text), "whys": draw(st.lists(
                        text, min_size=1, max_size=3))}],
                    "root_causes": causes},
        "improve": {
            "solutions": [{"id": "s1", "description": draw(text),
                           "root_causes": [c["id"] for c in causes]}],
            "selection": {"criteria": [{"name": "cost", "weight": draw(st.floats(0.01, 10))}],
                          "scores": {"s1": {"cost": draw(st.integers(1, 10))}}},
            "fmea": [{"process_step": draw(text), "failure_mode": draw(text),
                      "effect": draw(text), "cause": draw(text),
                      "severity": draw(st.integers(1, 10)),
                      "occurrence": draw(st.integers(1, 10)),
                      "detection": draw(st.integers(1, 10))}],
            "pilot": {"start": start, "end": start + dt.timedelta(days=draw(
                st.integers(0, 99)))},
        },
        "control": {"plan": [{"ctq": c, "metric": draw(text), "chart": "p"} for c in ctq_ids],
                    "handover": {"accepted": draw(st.booleans())}},
        "evidence": evidence,
        "transitions": [{"from_stage": "define", "to_stage": "measure", "at": t,
                         "override": draw(st.none() | st.builds(
                             lambda b, r, a: {"by": b, "reason": r, "at": a,
                                              "failed": [{"name": "x", "reason": r}]},
                             text, text, moments))} for t in times],
    }
    return Project.model_validate(doc)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(project=projects())
def test_round_trip_is_lossless_in_both_formats(project):
    for fmt in ("json", "yaml"):
        loaded = store.loads(store.dumps(project, fmt), fmt)
        assert loaded == project
        assert loaded.model_dump(mode="json") == project.model_dump(mode="json")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(project=projects())
def test_round_trip_through_files(tmp_path, suffix, project):
    path = tmp_path / f"case{suffix}"
    project.save(path, force=True)      # increments the revision of the object saved
    assert dmaic.load(path) == project


def test_round_trip_of_the_complete_case(complete, tmp_path):
    complete.save(tmp_path / "a.yaml")
    complete.save(tmp_path / "a.json")
    assert dmaic.load(tmp_path / "a.yaml").evidence == complete.evidence
    assert dmaic.load(tmp_path / "a.json") == complete
    assert dmaic.load(tmp_path / "a.json").model_dump(exclude={"revision"}) == \
        dmaic.load(tmp_path / "a.yaml").model_dump(exclude={"revision"})


def test_yaml_is_readable_text(complete, tmp_path):
    complete.save(tmp_path / "a.yaml")
    body = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert body.startswith(f"{store.HEADER}\nschema_version: 5\nid: {complete.id}\n"
                           "revision: 1\ntitle: ")
    assert "!!python" not in body


# -- atomic saves -----------------------------------------------------------------------------
def test_interrupted_save_leaves_the_previous_file(example, tmp_path, monkeypatch):
    path = tmp_path / "case.yaml"
    example.save(path)
    before = path.read_bytes()
    example.set("title", "A new title")

    def crash(src, dst):
        raise OSError("simulated crash between write and rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        example.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before                # untouched
    assert dmaic.load(path).title != "A new title"   # and loadable
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]  # no temp file left
    assert example.revision == 1                       # the failed save did not count
    example.save(path)                                 # a later save goes through
    assert dmaic.load(path).title == "A new title"


def test_crash_while_writing_leaves_no_temp_file(example, tmp_path, monkeypatch):
    path = tmp_path / "case.json"
    example.save(path)
    before = path.read_bytes()

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        example.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert store.leftover_temp_files(path) == []


def test_leftover_temp_files_are_listed(tmp_path):
    (tmp_path / ".case.yaml.abc123.tmp").write_text("partial")
    (tmp_path / "other.tmp").write_text("x")
    assert [p.name for p in store.leftover_temp_files(tmp_path / "case.yaml")] == [
        ".case.yaml.abc123.tmp"]


def test_save_keeps_the_file_mode(example, tmp_path):
    path = tmp_path / "case.yaml"
    example.save(path)
    os.chmod(path, 0o640)
    example.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_save_revalidates_the_whole_document(example, tmp_path):
    path = tmp_path / "case.yaml"
    example.save(path)
    before = path.read_bytes()
    # list.append escapes validate_assignment; save catches it and writes nothing
    from dmaic.model import ControlPlanItem
    example.control.plan.append(ControlPlanItem(ctq="ghost", metric="m", chart="p"))
    with pytest.raises(Exception) as info:
        example.save(path)
    assert ("control", "plan", 2, "ctq") in [e["loc"] for e in info.value.errors()]
    assert path.read_bytes() == before


# -- revisions --------------------------------------------------------------------------------
def test_two_writers_from_the_same_revision(example, tmp_path):
    path = tmp_path / "case.yaml"
    example.save(path)
    alice, bob = dmaic.load(path), dmaic.load(path)
    assert alice.revision == bob.revision == 1
    alice.set("title", "Alice's title")
    alice.save(path)
    assert alice.revision == 2
    bob.set("define.charter.business_case", "Bob's business case")
    with pytest.raises(dmaic.RevisionConflictError) as info:
        bob.save(path)
    err = info.value
    assert (err.disk_revision, err.project_revision) == (2, 1)
    assert "is at revision 2, newer than revision 1" in str(err)
    assert "Nothing was written" in str(err)
    on_disk = dmaic.load(path)
    assert on_disk.title == "Alice's title"                       # Alice's work is kept
    assert on_disk.define.charter.business_case != "Bob's business case"
    assert bob.define.charter.business_case == "Bob's business case"  # Bob's is in memory
    assert bob.revision == 1
    # Bob reloads, re-applies and saves
    bob = dmaic.load(path)
    bob.set("define.charter.business_case", "Bob's business case")
    bob.save(path)
    final = dmaic.load(path)
    assert (final.title, final.define.charter.business_case, final.revision) == (
        "Alice's title", "Bob's business case", 3)


def test_a_new_project_does_not_overwrite_a_saved_one(example, tmp_path):
    path = tmp_path / "case.json"
    example.save(path)
    with pytest.raises(dmaic.ProjectMismatchError):
        dmaic.Project(title="fresh").save(path)
    dmaic.Project(title="fresh").save(path, force=True)
    assert dmaic.load(path).title == "fresh"


def test_same_writer_saves_repeatedly(example, tmp_path):
    path = tmp_path / "case.yml"
    for expected in (1, 2, 3):
        example.save(path)
        assert example.revision == expected == dmaic.load(path).revision


# -- formats and errors ---------------------------------------------------------------------
def test_unknown_suffix(example, tmp_path):
    with pytest.raises(dmaic.StoreFormatError, match="unknown file type '.txt'"):
        example.save(tmp_path / "case.txt")
    with pytest.raises(dmaic.StoreFormatError, match="unknown file type"):
        dmaic.load(tmp_path / "case.toml")


def test_unsafe_yaml_is_refused(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("title: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(dmaic.StoreFormatError, match="not valid YAML"):
        dmaic.load(path)


@pytest.mark.parametrize(("name", "body", "words"), [
    ("a.json", "{", "not valid JSON"),
    ("a.json", "[1, 2]", "must hold a mapping"),
    ("a.yaml", "- 1\n- 2\n", "must hold a mapping"),
    ("a.yaml", "title: [unclosed\n", "not valid YAML"),
])
def test_unreadable_files(tmp_path, name, body, words):
    (tmp_path / name).write_text(body)
    with pytest.raises(dmaic.StoreFormatError, match=words):
        dmaic.load(tmp_path / name)


def test_invalid_file_gives_field_errors(tmp_path):
    data = yaml.safe_load(example_text())
    data["improve"]["fmea"][0]["severity"] = 12
    (tmp_path / "a.json").write_text(json.dumps(data))
    with pytest.raises(Exception) as info:
        dmaic.load(tmp_path / "a.json")
    assert info.value.errors()[0]["loc"] == ("improve", "fmea", 0, "severity")


def test_save_refuses_over_an_unreadable_file(example, tmp_path):
    path = tmp_path / "case.json"
    path.write_text("{ broken")
    with pytest.raises(dmaic.StoreFormatError):
        example.save(path)
    example.save(path, force=True)
    assert dmaic.load(path) == example


# -- migrations -----------------------------------------------------------------------------
V1 = """\
schema_version: 1
title: Error rate after the policy update
stage: measure
define:
  ctqs:
    - id: error_rate
      name: Audit error rate
      lower_is_better: true
      usl: 0.08
    - id: accuracy
      name: Accuracy
      lower_is_better: false
"""


def test_migration_from_v1(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(V1)
    project = dmaic.load(path)
    assert project.schema_version == 5 and project.revision == 0
    assert project.phase == "measure"
    assert [c.direction for c in project.define.ctqs] == ["lower", "higher"]
    project.save(path)
    saved = yaml.safe_load(path.read_text())
    assert saved["schema_version"] == 5 and saved["revision"] == 1
    assert "stage" not in saved and "lower_is_better" not in saved["define"]["ctqs"][0]


def test_migration_does_not_modify_its_input():
    doc = yaml.safe_load(V1)
    migrate(doc)
    assert doc == yaml.safe_load(V1)


def test_file_without_version_is_v1():
    doc = yaml.safe_load(V1)
    del doc["schema_version"]
    assert migrate(doc)["phase"] == "measure"


@pytest.mark.parametrize(("version", "words"), [(6, "newer"), ("2", "integer"), (0, "cannot")])
def test_bad_schema_versions(tmp_path, version, words):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"schema_version": version, "title": "t"}))
    with pytest.raises(dmaic.MigrationError, match=words):
        dmaic.load(path)


def test_bundled_example_is_current():
    raw = yaml.safe_load(example_text())
    assert raw["schema_version"] == 5 and "id" in raw
    assert Path(str(dmaic.store.__file__)).exists()
