"""dmaic: Six Sigma improvement projects as validated documents (built on sixsigma).

A :class:`Project` holds the five DMAIC phases, the sixsigma results it cites as
:class:`~dmaic.evidence.Evidence`, and the record of its tollgate decisions. It loads
from and saves to JSON or YAML (atomically, with a revision check), and each phase's
tollgate is a list of evidence checks.

>>> import dmaic
>>> project = dmaic.Project(title="Wrong-policy errors after the policy update")
>>> gate = project.tollgate("define")
>>> gate.passed, len(gate.checks)
(False, 4)
"""

from dmaic import errors, evidence, migrations, model, store, tollgates
from dmaic.errors import (
    DmaicError,
    EvidenceError,
    MigrationError,
    RevisionConflictError,
    StoreFormatError,
    TollgateNotPassedError,
)
from dmaic.evidence import Evidence, attach, fingerprint
from dmaic.model import Override, Project
from dmaic.report import report
from dmaic.store import json_schema, load, loads
from dmaic.tollgates import Check, Thresholds, TollgateReport, check_tollgate

__all__ = [
    "Check", "DmaicError", "Evidence", "EvidenceError", "MigrationError", "Override",
    "Project", "RevisionConflictError", "StoreFormatError", "Thresholds",
    "TollgateNotPassedError", "TollgateReport", "attach", "check_tollgate", "errors",
    "evidence", "fingerprint", "json_schema", "load", "loads", "migrations", "model", "report",
    "store", "tollgates",
]
