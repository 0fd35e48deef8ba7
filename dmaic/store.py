"""Reading and writing project files: JSON or YAML, atomic, revision-checked, migrated.

* **Formats.** ``.json`` is JSON; ``.yaml`` and ``.yml`` are YAML, read with
  ``yaml.safe_load`` only (no Python objects can be built from a file). Both are written
  from the same JSON-mode dump, so the two formats hold exactly the same data and a
  save-load round trip returns an equal project.
* **Atomic saves.** The text goes to a temporary file in the target's directory
  (``.NAME.XXXX.tmp``), which is flushed and ``fsync``-ed, then renamed over the target with
  ``os.replace`` (atomic on POSIX and Windows), and the directory is ``fsync``-ed so the
  rename survives a power cut. If anything fails before the rename, the temporary file is
  removed and the previous file is untouched. (A process killed outright between write
  and rename can leave the hidden ``.NAME.*.tmp`` file; it is never read, and
  :func:`leftover_temp_files` lists such files for removal.)
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
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml

from dmaic.errors import EvidenceError, RevisionConflictError, StoreFormatError
from dmaic.migrations import migrate
from dmaic.model.project import Project

__all__ = ["dumps", "json_schema", "leftover_temp_files", "load", "loads", "save"]

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


def dumps(project: Project, format: Format = "yaml") -> str:  # noqa: A002
    """The project as JSON or YAML text (the text :func:`save` writes).

    Examples
    --------
    >>> import dmaic
    >>> text = dmaic.store.dumps(dmaic.Project(title="Demo"), "json")
    >>> dmaic.store.loads(text, "json") == dmaic.Project(title="Demo")
    True
    """
    data = project.model_dump(mode="json")
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if format == "yaml":
        return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                             default_flow_style=False, width=100))
    raise StoreFormatError(f"dumps: format must be 'json' or 'yaml'; got {format!r}.")


def _parse(text: str, format: Format, source: str) -> dict[str, Any]:  # noqa: A002
    try:
        if format == "json":
            data = json.loads(text)
        elif format == "yaml":
            data = yaml.safe_load(text)
        else:
            raise StoreFormatError(f"loads: format must be 'json' or 'yaml'; got {format!r}.")
    except json.JSONDecodeError as err:
        raise StoreFormatError(f"load: {source} is not valid JSON: {err.msg} at line "
                               f"{err.lineno}, column {err.colno}.") from err
    except yaml.YAMLError as err:
        raise StoreFormatError(f"load: {source} is not valid YAML: {err}") from err
    if not isinstance(data, dict):
        raise StoreFormatError(f"load: {source} must hold a mapping (a project); got "
                               f"{type(data).__name__}.")
    return data


def loads(text: str, format: Format = "yaml", *, source: str = "text") -> Project:  # noqa: A002
    """Parse, migrate and validate a project from JSON or YAML text.

    Raises
    ------
    StoreFormatError
        Unparsable text, or not a mapping.
    MigrationError
        A schema version that cannot be migrated.
    pydantic.ValidationError
        An invalid document; each error's ``loc`` points at the field.
    EvidenceError
        A stored result that :func:`sixsigma.from_dict` cannot restore.
    """
    project = Project.model_validate(migrate(_parse(text, format, source), source=source))
    for key, ev in project.evidence.items():
        try:
            _ = ev.result  # restored once here, then cached
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
    return loads(p.read_text(encoding="utf-8"), fmt, source=str(p))


def _disk_revision(path: Path, fmt: Format) -> int | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    rev = _parse(text, fmt, str(path)).get("revision", 0)
    if isinstance(rev, bool) or not isinstance(rev, int):
        raise StoreFormatError(f"save: {path} holds revision {rev!r}, not an integer; pass "
                               "force=True to overwrite it.")
    return rev


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
        Skip the revision check (overwrite whatever is on disk).

    Raises
    ------
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
    parent = p.parent if str(p.parent) else Path(".")
    with _directory_lock(parent) as dir_fd:
        if not force:
            disk = _disk_revision(p, fmt)
            if disk is not None and disk > project.revision:
                raise RevisionConflictError(str(p), disk, project.revision)
        new_revision = project.revision + 1
        data["revision"] = new_revision
        text = dumps(Project.model_validate(data), fmt)
        _write_atomic(p, text, dir_fd)
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
