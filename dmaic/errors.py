"""Exceptions raised on purpose by dmaic.

They derive from :class:`sixsigma.errors.SixSigmaError`, so a caller (the command line, for
one) can catch everything the two packages raise on purpose in one clause. An invalid
*document* is not among them: it is a :class:`pydantic.ValidationError` whose ``loc`` points
at the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sixsigma.errors import SixSigmaError

__all__ = [
    "DmaicError",
    "DocumentPathError",
    "EvidenceError",
    "MigrationError",
    "ParameterError",
    "PhaseError",
    "ProjectMismatchError",
    "RevisionConflictError",
    "StoreFormatError",
    "TollgateNotPassedError",
]


class _Check(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def passed(self) -> bool: ...

    @property
    def reason(self) -> str: ...


class GateReport(Protocol):
    """What :class:`TollgateNotPassedError` reads of a :class:`dmaic.tollgates.TollgateReport`.

    (A protocol, so that this module imports nothing of dmaic: every module may raise.)
    """

    @property
    def phase(self) -> str: ...

    @property
    def passed(self) -> bool: ...

    @property
    def checks(self) -> Sequence[_Check]: ...

    @property
    def failed(self) -> Sequence[_Check]: ...

    def __getitem__(self, name: str) -> _Check: ...

    def summary(self) -> str: ...


class DmaicError(SixSigmaError):
    """Base class of every error dmaic raises on purpose."""


class StoreFormatError(DmaicError, ValueError):
    """A project file cannot be read.

    Unknown suffix, unparsable text, not a mapping; not UTF-8; nested too deeply; YAML
    anchors or aliases; a key given twice; a file that :func:`dmaic.store.save` wrote but
    that is incomplete (truncated). The message names the file and, where there is one, the
    line.
    """


class MigrationError(StoreFormatError):
    """A project file has a schema version this dmaic cannot migrate from."""


class RevisionConflictError(DmaicError):
    """The file on disk holds a newer revision than the project being saved was loaded at.

    Attributes
    ----------
    path : str
        The file.
    disk_revision : int
        Revision found on disk.
    project_revision : int
        Revision the project in memory was loaded (or last saved) at.
    """

    def __init__(self, path: str, disk_revision: int, project_revision: int) -> None:
        self.path = path
        self.disk_revision = disk_revision
        self.project_revision = project_revision
        super().__init__(
            f"save: {path} is at revision {disk_revision}, newer than revision "
            f"{project_revision} this project was loaded at; someone else saved it in the "
            "meantime. Nothing was written. Load the file again, re-apply your changes and "
            "save (or pass force=True to overwrite their changes)."
        )


class ProjectMismatchError(DmaicError):
    """The file on disk holds a different project (another ``id``) than the one being saved.

    Attributes
    ----------
    path : str
        The file.
    disk_id : str
        The id of the project in the file.
    project_id : str
        The id of the project being saved.
    """

    def __init__(self, path: str, disk_id: str, project_id: str) -> None:
        self.path = path
        self.disk_id = disk_id
        self.project_id = project_id
        super().__init__(
            f"save: {path} holds a different project (id {disk_id}) than the one being saved "
            f"(id {project_id}); nothing was written. Save to another file, or pass "
            "force=True to replace that project with this one."
        )


class TollgateNotPassedError(DmaicError):
    """``Project.advance()`` was refused because checks of the gate failed.

    Attributes
    ----------
    report : TollgateReport
        The full gate report; ``report.failed`` holds the failed checks.
    """

    def __init__(self, report: GateReport) -> None:
        self.report = report
        failed = "; ".join(f"{c.name}: {c.reason}" for c in report.failed)
        super().__init__(
            f"advance: the {report.phase} tollgate is not passed ({len(report.failed)} of "
            f"{len(report.checks)} checks failed: {failed}). Complete them, or pass "
            "override=Override(by=..., reason=...) to record a deliberate exception."
        )


class EvidenceError(DmaicError, ValueError):
    """Evidence cannot be attached, read, compared or re-run.

    Not a typed sixsigma result, a payload that does not restore, no fingerprint, an unknown
    function, not a control chart where one is needed.
    """


class ParameterError(DmaicError, ValueError):
    """An argument is out of range: a threshold, a phase name, an FMEA score."""


class PhaseError(DmaicError, ValueError):
    """The project's stage does not allow the request (a closed project has no gate)."""


class DocumentPathError(DmaicError, KeyError):
    """A dotted path into the project document names no field, position or list.

    Raised by :meth:`dmaic.Project.set`, :meth:`dmaic.Project.append` and
    :meth:`dmaic.tollgates.TollgateReport.__getitem__`; a ``KeyError``, with a readable
    message (``str()`` does not quote it).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
