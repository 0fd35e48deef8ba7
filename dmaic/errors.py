"""Exceptions raised on purpose by dmaic.

They derive from :class:`sixsigma.errors.SixSigmaError`, so a caller (the command line, for
one) can catch everything the two packages raise on purpose in one clause. An invalid
*document* is not among them: it is a :class:`pydantic.ValidationError` whose ``loc`` points
at the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sixsigma.errors import SixSigmaError

if TYPE_CHECKING:
    from dmaic.tollgates import TollgateReport

__all__ = [
    "DmaicError",
    "EvidenceError",
    "MigrationError",
    "RevisionConflictError",
    "StoreFormatError",
    "TollgateNotPassedError",
]


class DmaicError(SixSigmaError):
    """Base class of every error dmaic raises on purpose."""


class StoreFormatError(DmaicError, ValueError):
    """A project file cannot be read: unknown suffix, unparsable text, not a mapping."""


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


class TollgateNotPassedError(DmaicError):
    """``Project.advance()`` was refused because checks of the gate failed.

    Attributes
    ----------
    report : TollgateReport
        The full gate report; ``report.failed`` holds the failed checks.
    """

    def __init__(self, report: TollgateReport) -> None:
        self.report = report
        failed = "; ".join(f"{c.name}: {c.reason}" for c in report.failed)
        super().__init__(
            f"advance: the {report.phase} tollgate is not passed ({len(report.failed)} of "
            f"{len(report.checks)} checks failed: {failed}). Complete them, or pass "
            "override=Override(by=..., reason=...) to record a deliberate exception."
        )


class EvidenceError(DmaicError, ValueError):
    """Evidence cannot be attached, compared or re-run (no fingerprint, unknown function)."""
