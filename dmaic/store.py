"""Reading and writing project files: JSON or YAML, atomic, revision-checked, migrated.

* **Formats.** ``.json`` is JSON; ``.yaml`` and ``.yml`` are YAML, read with a
  ``yaml.SafeLoader`` (no Python objects can be built from a file). Both are written
  from the same JSON-mode dump, so the two formats hold exactly the same data and a
  save-load round trip returns an equal project. Files must be UTF-8.
* **Refused input.** YAML anchors and aliases (a few hundred bytes of nested aliases would
  otherwise expand to gigabytes), a key given twice in one mapping or object (YAML or
  JSON: the reader would silently keep the last), and nesting too deep to read each raise
  :class:`~dmaic.errors.StoreFormatError` naming the file and line.
* **Complete files.** A YAML file written by :func:`save` starts with the comment
  :data:`HEADER` and ends with YAML's document end marker ``...``; a file with the first
  and not the last is a truncated copy and is refused, never read as a smaller project.
  (A truncated JSON file is invalid JSON.) Files written by hand need neither line.
* **Atomic saves.** The text goes to a temporary file in the target's directory
  (``.NAME.XXXX.tmp``), which is flushed and ``fsync``-ed, then renamed over the target with
  ``os.replace`` (atomic on POSIX and Windows), and the directory is ``fsync``-ed so the
  rename survives a power cut. If anything fails before the rename, the temporary file is
  removed and the previous file is untouched. (A process killed outright between write
  and rename can leave the hidden ``.NAME.*.tmp`` file; it is never read, and
  :func:`leftover_temp_files` lists such files for removal.)
* **Identity.** Every project has an ``id`` (a UUID). :func:`save` refuses
  (:class:`~dmaic.errors.ProjectMismatchError`) to replace a file holding another project,
  whatever the revisions. A symbolic link is written through: its target is replaced and
  the link stays a link.
* **Revisions.** The file carries ``revision``. :func:`save` reads the revision on disk
  and refuses (:class:`~dmaic.errors.RevisionConflictError`) when it is newer than the
  revision the project was loaded at, so two people editing the same case cannot silently
  overwrite each other; otherwise it writes revision + 1. On POSIX the check and the rename
  happen under an exclusive ``flock`` on the directory, so concurrent savers are serialised.
* **Migrations.** Files of older schema versions are migrated on load
  (:mod:`dmaic.migrations`) and written back in the current version on the next save.
* **Typed results.** Loading restores every evidence's typed sixsigma result with
  :func:`sixsigma.from_dict`, so that a payload that cannot be read fails at load, naming
  the evidence, not later in a tollgate or a report.

The module sits above the document model: it imports :class:`~dmaic.model.Project`, the
model never imports it (``dmaic/__init__`` installs :func:`save` behind
:meth:`Project.save <dmaic.model.Project.save>`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml

from dmaic.errors import (
    EvidenceError,
    ProjectMismatchError,
    RevisionConflictError,
    StoreFormatError,
)
from dmaic.migrations import derived_id, migrate
from dmaic.model.project import Project

__all__ = ["END", "HEADER", "dumps", "json_schema", "leftover_temp_files", "load", "loads",
           "save"]

Format = Literal["json", "yaml"]

_SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}

# Characters a YAML reader treats as line breaks (or drops) inside plain, single-quoted and
# block scalars; strings holding them are written double-quoted, where they are escaped.
_BREAKS = frozenset("\r\x85\u2028\u2029\ufeff")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes strings whose line breaks YAML would fold."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _BREAKS.intersection(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _format(path: Path) -> Format:
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise StoreFormatError(f"{path}: unknown file type {path.suffix!r}; use .json, .yaml "
                               "or .yml.")
    return fmt


#: First line of every YAML file :func:`save` writes; such a file must end with ``...``.
HEADER = "# dmaic project file, written by dmaic.save; it ends with the line '...'"
#: YAML's document end marker, the last line of every YAML file :func:`save` writes.
END = "..."


def dumps(project: Project, format: Format = "yaml") -> str:  # noqa: A002
    """The project as JSON or YAML text (the text :func:`save` writes).

    YAML text starts with the comment :data:`HEADER` and ends with YAML's document end
    marker ``...``, so that a truncated copy is recognised as incomplete (JSON needs no
    marker: any truncation of an object is invalid JSON).

    Examples
    --------
    >>> import dmaic
    >>> project = dmaic.Project(title="Demo")
    >>> dmaic.store.loads(dmaic.store.dumps(project, "json"), "json") == project
    True
    """
    data = project.model_dump(mode="json")
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if format == "yaml":
        body = str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                             default_flow_style=False, width=100))
        return f"{HEADER}\n{body}{END}\n"
    raise StoreFormatError(f"dumps: format must be 'json' or 'yaml'; got {format!r}.")


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and duplicate keys.

    Aliases are refused as soon as the parser meets the first anchor, so that a file of
    nested aliases (a "billion laughs") fails at once instead of expanding.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            what = "an alias" if isinstance(event, yaml.AliasEvent) else "an anchor"
            raise _Refused(f"{what} ({'*' if what == 'an alias' else '&'}{event.anchor}) at "
                           f"line {event.start_mark.line + 1}; project files may not use "
                           "YAML anchors or aliases: write the values out")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader raises its own error
                continue
            if duplicate:
                raise _Refused(f"the key {key!r} is given twice (again at line "
                               f"{key_node.start_mark.line + 1}); keep one")
        return super().construct_mapping(node, deep=deep)


class _Refused(Exception):
    """A YAML construct the store refuses (raised inside the loader, reported by _parse)."""


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


def _json_duplicate(text: str) -> tuple[str, int] | None:
    """The first key given twice in one object of valid JSON ``text``, with its line."""
    stack: list[tuple[set[str], list[bool]] | None] = []
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        top = stack[-1] if stack else None
        if token == "{":
            stack.append((set(), [True]))
        elif token == "[":
            stack.append(None)
        elif token in "}]":
            stack.pop()
        elif token == ",":
            if top is not None:
                top[1][0] = True
        elif token.startswith('"') and top is not None and top[1][0]:
            key = json.loads(token)
            if key in top[0]:
                return key, text.count("\n", 0, match.start()) + 1
            top[0].add(key)
            top[1][0] = False
    return None


def _decode(raw: bytes, source: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise StoreFormatError(f"load: {source} is not UTF-8 text (byte {raw[err.start]:#04x} "
                               f"at line {line}); save it as UTF-8.") from None
    return text.removeprefix("\ufeff")


def _check_complete(text: str, source: str) -> None:
    """A YAML file written by :func:`save` (it starts with HEADER) must end with END."""
    if not text.startswith(HEADER):
        return
    lines = text.rstrip("\n").split("\n")
    if lines[-1].rstrip() != END:
        raise StoreFormatError(
            f"load: {source} is incomplete: it was written by dmaic.save but stops at line "
            f"{len(lines)} without the final '{END}' line (a truncated copy or an interrupted "
            "transfer). Restore the file from a complete copy; nothing was read.")


def _parse(text: str, format: Format, source: str) -> dict[str, Any]:  # noqa: A002
    try:
        if format == "json":
            data = json.loads(text)
            duplicate = _json_duplicate(text)
            if duplicate is not None:
                raise StoreFormatError(f"load: {source}: the key {duplicate[0]!r} is given "
                                       f"twice (again at line {duplicate[1]}); keep one.")
        elif format == "yaml":
            _check_complete(text, source)
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        else:
            raise StoreFormatError(f"loads: format must be 'json' or 'yaml'; got {format!r}.")
    except json.JSONDecodeError as err:
        raise StoreFormatError(f"load: {source} is not valid JSON: {err.msg} at line "
                               f"{err.lineno}, column {err.colno}.") from None
    except _Refused as err:
        raise StoreFormatError(f"load: {source}: {err}.") from None
    except yaml.YAMLError as err:
        raise StoreFormatError(f"load: {source} is not valid YAML: {err}") from None
    except RecursionError:
        raise StoreFormatError(f"load: {source} is nested too deeply to be a project "
                               "file.") from None
    if data is None:
        raise StoreFormatError(f"load: {source} is empty (no project in it, line 1).")
    if not isinstance(data, dict):
        raise StoreFormatError(f"load: {source} must hold a mapping (a project); got "
                               f"{type(data).__name__}.")
    return data


def loads(text: str, format: Format = "yaml", *, source: str = "text") -> Project:  # noqa: A002
    """Parse, migrate and validate a project from JSON or YAML text.

    Raises
    ------
    StoreFormatError
        Unparsable text, not a mapping, nested too deeply; YAML anchors or aliases; a key
        given twice; YAML that :func:`save` wrote, cut short.
    MigrationError
        A schema version that cannot be migrated.
    pydantic.ValidationError
        An invalid document; each error's ``loc`` points at the field.
    EvidenceError
        A stored result that :func:`sixsigma.from_dict` cannot restore.
    """
    doc = _parse(text, format, source)
    try:
        return _build(doc, source)
    except RecursionError:
        raise StoreFormatError(f"load: {source} is nested too deeply to be a project "
                               "file.") from None


def _build(doc: dict[str, Any], source: str) -> Project:
    migrated = migrate(doc, source=source)
    if "id" not in migrated:  # a hand-written file: the same id on every load until saved
        migrated = {**migrated, "id": derived_id(doc)}
    project = Project.model_validate(migrated)
    for key, ev in project.evidence.items():
        try:
            ev.record_extent()  # restores the result once, then cached (and older
            # evidence gains the size and groups the analysis used)
        except EvidenceError as err:
            raise EvidenceError(f"load: {source}, evidence {key!r}: {err}") from err
    return project


def load(path: str | os.PathLike[str]) -> Project:
    """Load a project from a ``.json``, ``.yaml`` or ``.yml`` file.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    Project
        At the file's revision; :func:`save` compares against it.

    Raises
    ------
    FileNotFoundError, StoreFormatError, MigrationError, pydantic.ValidationError
    """
    p = Path(path)
    fmt = _format(p)
    return loads(_decode(p.read_bytes(), str(p)), fmt, source=str(p))


def _on_disk(path: Path, fmt: Format) -> tuple[int, str | None] | None:
    """Revision and project id of the file at ``path`` (None: no file; id None: no id)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    doc = _parse(_decode(raw, str(path)), fmt, str(path))
    rev = doc.get("revision", 0)
    if isinstance(rev, bool) or not isinstance(rev, int):
        raise StoreFormatError(f"save: {path} holds revision {rev!r}, not an integer; pass "
                               "force=True to overwrite it.")
    pid = doc.get("id")
    return rev, pid if isinstance(pid, str) else None


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[int | None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the check is best-effort there
        yield None
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_atomic(path: Path, text: str, dir_fd: int | None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if dir_fd is not None:
        os.fsync(dir_fd)


def save(project: Project, path: str | os.PathLike[str], *, force: bool = False) -> None:
    """Save a project atomically, refusing to overwrite a newer revision.

    Parameters
    ----------
    project : Project
        The project; it is re-validated as a whole first (edits made with ``list.append``
        escape validation), and its ``revision`` is incremented on success.
    path : path-like
        ``.json``, ``.yaml`` or ``.yml``.
    force : bool
        Skip the checks of the file on disk (overwrite whatever is there).

    Raises
    ------
    ProjectMismatchError
        The file on disk holds another project (another ``id``).
    RevisionConflictError
        The file on disk is at a newer revision than ``project.revision``.
    pydantic.ValidationError
        The project is not a valid document; nothing is written.
    StoreFormatError
        Unknown suffix; or the existing file cannot be read to check its revision.
    """
    p = Path(path)
    fmt = _format(p)
    data = project.model_dump(mode="json")
    Project.model_validate(data)  # the whole document, including cross-field rules
    target = Path(os.path.realpath(p)) if p.is_symlink() else p  # a link stays a link
    parent = target.parent if str(target.parent) else Path(".")
    with _directory_lock(parent) as dir_fd:
        disk = None if force else _on_disk(target, fmt)
        if disk is not None:
            disk_revision, disk_id = disk
            if disk_id is not None and disk_id != project.id:
                raise ProjectMismatchError(str(p), disk_id, project.id)
            if disk_revision > project.revision:
                raise RevisionConflictError(str(p), disk_revision, project.revision)
        new_revision = project.revision + 1
        data["revision"] = new_revision
        text = dumps(Project.model_validate(data), fmt)
        _write_atomic(target, text, dir_fd)
    project.revision = new_revision


def leftover_temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Temporary files a killed save may have left beside ``path`` (safe to delete)."""
    p = Path(path)
    return sorted(p.parent.glob(f".{p.name}.*.tmp"))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the project document (for editors, validators, other tools).

    Examples
    --------
    >>> import dmaic
    >>> schema = dmaic.json_schema()
    >>> schema["title"], "define" in schema["properties"]
    ('Project', True)
    """
    return Project.model_json_schema()
