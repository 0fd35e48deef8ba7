"""The safe store (issue 14 item 4): hostile, broken and foreign files are refused, clearly.

YAML aliases and anchors, duplicate keys, truncated files, another project's file, symlinks,
non-UTF-8 and over-deep files: each gives a :mod:`dmaic.errors` error naming the file (and
the line where there is one), never a hang, a traceback from a parser or a silent loss.
"""

from __future__ import annotations

import json
import time

import pytest
import yaml
from _cases import example_text

import dmaic
from dmaic import store
from dmaic.migrations import migrate


def _alias_bomb() -> str:
    """The 'billion laughs' in YAML: nine levels of nine aliases each (under 700 bytes)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("title: *i")
    return "\n".join(lines) + "\n"


# -- YAML aliases and anchors ---------------------------------------------------------------
def test_alias_bomb_fails_fast_with_a_clear_error(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb())
    assert path.stat().st_size < 700
    start = time.perf_counter()
    with pytest.raises(dmaic.StoreFormatError, match=r"bomb\.yaml.*line 1.*anchor") as info:
        dmaic.load(path)
    assert time.perf_counter() - start < 1.0
    assert "alias" in str(info.value)


def test_a_lone_alias_is_refused_at_its_line(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("title: t\ndefine:\n  ctqs: *x\n")
    with pytest.raises(dmaic.StoreFormatError, match=r"a\.yaml.*line 3.*alias"):
        dmaic.load(path)


# -- duplicate keys -------------------------------------------------------------------------
def test_duplicate_yaml_key_is_named_with_its_line(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("title: first\nphase: define\ntitle: second\n")
    with pytest.raises(dmaic.StoreFormatError, match=r"a\.yaml.*'title' is given twice.*line 3"):
        dmaic.load(path)


def test_nested_duplicate_yaml_key(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("title: t\ndefine:\n  charter:\n    scope: a\n    scope: b\n")
    with pytest.raises(dmaic.StoreFormatError, match=r"'scope' is given twice.*line 5"):
        dmaic.load(path)


def test_duplicate_json_key_is_named_with_its_line(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{\n  "title": "first",\n  "define": {"ctqs": []},\n  "title": "x"\n}\n')
    with pytest.raises(dmaic.StoreFormatError, match=r"a\.json.*'title' is given twice.*line 4"):
        dmaic.load(path)


def test_same_key_in_different_objects_is_fine():
    text = json.dumps({"title": "t", "evidence": {
        "a": {"kind": "k", "record": {"kind": "k", "n": 1}},
        "b": {"kind": "k", "record": {"kind": "k", "n": 2}}}})
    assert dmaic.loads(text, "json").evidence["b"].record == {"kind": "k", "n": 2}


# -- truncated files ------------------------------------------------------------------------
def _prefixes(data: bytes) -> list[int]:
    """Every line boundary, and every 37th byte between."""
    cuts = {i + 1 for i, b in enumerate(data) if b == ord("\n")} | set(range(0, len(data), 37))
    return sorted(c for c in cuts if c < len(data))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_every_truncation_of_a_saved_file_is_refused(example, tmp_path, suffix):
    full = tmp_path / f"case{suffix}"
    example.save(full)
    data = full.read_bytes()
    whole = dmaic.load(full)
    cut = tmp_path / f"cut{suffix}"
    for n in _prefixes(data):
        cut.write_bytes(data[:n])
        with pytest.raises(dmaic.StoreFormatError, match=r"cut\.\w+.*line \d+"):
            dmaic.load(cut)
    cut.write_bytes(data)
    assert dmaic.load(cut) == whole


def test_truncated_yaml_names_file_and_line(example, tmp_path):
    path = tmp_path / "case.yaml"
    example.save(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:20]), encoding="utf-8")
    with pytest.raises(dmaic.StoreFormatError, match=r"case\.yaml is incomplete.*line 20"):
        dmaic.load(path)


def test_a_truncated_file_is_never_an_empty_project(tmp_path):
    project = dmaic.Project(title="Short")
    path = tmp_path / "p.yaml"
    project.save(path)
    text = path.read_text(encoding="utf-8")
    cut = text[:text.index("title:")] + "title: Short\n"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(dmaic.StoreFormatError, match="incomplete"):
        dmaic.load(path)


@pytest.mark.parametrize("body", ["", "\n", "# only a comment\n"])
def test_an_empty_file_is_an_error(tmp_path, body):
    path = tmp_path / "empty.yaml"
    path.write_text(body)
    with pytest.raises(dmaic.StoreFormatError, match=r"empty\.yaml is empty"):
        dmaic.load(path)


def test_hand_written_yaml_needs_no_end_marker(tmp_path):
    path = tmp_path / "hand.yaml"
    path.write_text("title: Written by hand\n")
    assert dmaic.load(path).title == "Written by hand"


# -- project identity -----------------------------------------------------------------------
def test_projects_have_stable_ids(tmp_path):
    a, b = dmaic.Project(title="A"), dmaic.Project(title="A")
    assert a.id != b.id and len(a.id) == 36
    path = tmp_path / "a.yaml"
    a.save(path)
    assert dmaic.load(path).id == a.id


def test_a_different_project_cannot_replace_a_file(tmp_path):
    mine, theirs = dmaic.Project(title="Mine"), dmaic.Project(title="Theirs")
    path = tmp_path / "case.yaml"
    mine.save(path)
    theirs.revision = 7                          # a higher revision does not help
    with pytest.raises(dmaic.errors.ProjectMismatchError, match=r"case\.yaml.*different") as e:
        theirs.save(path)
    assert e.value.disk_id == mine.id and e.value.project_id == theirs.id
    assert dmaic.load(path).title == "Mine"
    theirs.save(path, force=True)                # a deliberate replacement
    assert dmaic.load(path).title == "Theirs"


def test_older_files_get_an_id_that_is_stable_until_saved(tmp_path):
    doc = yaml.safe_load(example_text())
    doc["schema_version"] = 3
    doc.pop("id", None)
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(doc))
    first, second = dmaic.load(path), dmaic.load(path)
    assert first.id == second.id and first.schema_version == 5
    first.save(path)
    assert dmaic.load(path).id == first.id
    second.title = "Edited elsewhere"
    with pytest.raises(dmaic.RevisionConflictError):   # not taken for a foreign project
        second.save(path)


def test_migration_v3_to_v4_adds_an_id():
    new = migrate({"schema_version": 3, "title": "t"})
    assert new["schema_version"] == 5 and len(new["id"]) == 36
    assert migrate({"schema_version": 3, "title": "t"})["id"] == new["id"]


# -- symlinks -------------------------------------------------------------------------------
def test_save_writes_through_a_symlink(tmp_path):
    target_dir = tmp_path / "shared"
    target_dir.mkdir()
    target = target_dir / "case.yaml"
    link = tmp_path / "case.yaml"
    project = dmaic.Project(title="Linked")
    project.save(target)
    link.symlink_to(target)
    loaded = dmaic.load(link)
    loaded.set("title", "Edited through the link")
    loaded.save(link)
    assert link.is_symlink()
    assert dmaic.load(target).title == "Edited through the link"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "shared"]


# -- encodings and depth --------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_non_utf8_file(tmp_path, suffix):
    path = tmp_path / f"latin{suffix}"
    body = "title: t\nphase: define\nscope: caf\xe9\n" if suffix == ".yaml" else \
        '{"title": "t",\n "x": "caf\xe9"}'
    path.write_bytes(body.encode("latin-1"))
    with pytest.raises(dmaic.StoreFormatError, match=r"latin\.\w+.*UTF-8.*line [23]"):
        dmaic.load(path)


@pytest.mark.parametrize("depth", [600, 100_000])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_over_deep_file(tmp_path, suffix, depth):
    path = tmp_path / f"deep{suffix}"
    path.write_text('{"title": "t", "evidence": {"a": {"kind": "k", "record": {"kind": "k", '
                    '"x": ' + "[" * depth + "]" * depth + "}}}}")
    with pytest.raises(dmaic.StoreFormatError, match=r"deep\.\w+.*nested too deeply"):
        dmaic.load(path)


def test_save_over_a_broken_file_names_it(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"title: \xff\n")
    with pytest.raises(dmaic.StoreFormatError, match=r"p\.yaml"):
        dmaic.Project(title="t").save(path)


def test_dumps_of_yaml_ends_with_the_marker():
    text = store.dumps(dmaic.Project(title="t"), "yaml")
    assert text.splitlines()[0].startswith("# dmaic project")
    assert text.endswith("\n...\n")
