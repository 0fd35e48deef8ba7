"""dmaic: Six Sigma improvement projects as validated documents (built on sixsigma).

A :class:`Project` holds the five DMAIC phases, the typed sixsigma results it cites as
:class:`~dmaic.evidence.Evidence`, and the record of its tollgate decisions. It loads
from and saves to JSON or YAML (atomically, with a revision check), and each phase's
tollgate is a list of evidence checks.

The modules form layers, each importing only those below it::

    errors, types  <  _base  <  evidence  <  model  <  migrations, store, tollgates

The document model does not import the store or the tollgates; this module installs
them behind :meth:`Project.save` and :meth:`Project.tollgate`.

>>> import dmaic
>>> project = dmaic.Project(title="Wrong-policy errors after the policy update")
>>> gate = project.tollgate("define")
>>> gate.passed, len(gate.checks)
(False, 4)
"""

from dmaic import errors, evidence, migrations, model, store, tollgates
from dmaic.errors import (
    DmaicError,
    DocumentPathError,
    EvidenceError,
    MigrationError,
    ParameterError,
    PhaseError,
    ProjectMismatchError,
    RevisionConflictError,
    StoreFormatError,
    TollgateNotPassedError,
)
from dmaic.evidence import Evidence, attach, fingerprint
from dmaic.model import Override, Project
from dmaic.model.project import install as _install
from dmaic.store import json_schema, load, loads
from dmaic.tollgates import Check, Thresholds, TollgateReport, check_tollgate

_install(save=store.save, tollgate=tollgates.project_tollgate)

from dmaic.report import report  # noqa: E402  # the storyboard, above everything here

__all__ = [
    "Check", "DmaicError", "DocumentPathError", "Evidence", "EvidenceError", "MigrationError",
    "Override", "ParameterError", "PhaseError", "Project", "ProjectMismatchError",
    "RevisionConflictError", "StoreFormatError", "Thresholds", "TollgateNotPassedError",
    "TollgateReport", "attach", "check_tollgate", "errors", "evidence", "fingerprint",
    "json_schema", "load", "loads", "migrations", "model", "report", "store", "tollgates",
]
