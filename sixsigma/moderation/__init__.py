"""The moderation audit-record schema, its validation and the quality metrics teams report.

* :mod:`~sixsigma.moderation.schema`: the standard columns (:data:`AUDIT_COLUMNS`), the
  policy vocabulary (:data:`POLICIES`, :data:`NO_VIOLATION`), the error taxonomy
  (:class:`ErrorType`, :class:`ErrorTaxonomy`) and :class:`AuditSchema`, a team's
  description of its own export (columns, labels, "not audited", flags, dates).
* :mod:`~sixsigma.moderation.adapter`: :func:`standardize`, the export as canonical
  records, lazily where the data live, every problem reported at once.
* :mod:`~sixsigma.moderation.validate`: :func:`validate_audits`, the check at the boundary.
* :mod:`~sixsigma.moderation.classify`: :func:`classify_errors`, each record's base error
  type from the decision and QA's verdict.
* :mod:`~sixsigma.moderation.quality`: :func:`metrics`, the tidy table of quality rates with
  Wilson intervals, counted where the data live.
* :mod:`~sixsigma.moderation.appeal`: :func:`appeals`, the appeal funnel, agreement with QA
  and a bias-corrected over-enforcement rate.
* :mod:`~sixsigma.moderation.dsa`: :func:`transparency`, DSA-style transparency figures.
"""

from sixsigma.moderation.adapter import standardize
from sixsigma.moderation.appeal import Appeals, appeals
from sixsigma.moderation.classify import classify_errors
from sixsigma.moderation.dsa import TRANSPARENCY_COLUMNS, Transparency, transparency
from sixsigma.moderation.quality import METRICS, metrics
from sixsigma.moderation.schema import (
    AUDIT_COLUMNS,
    DEFAULT_TAXONOMY,
    ERROR_TYPES,
    FLAG_COLUMNS,
    NO_VIOLATION,
    POLICIES,
    AuditSchema,
    ErrorTaxonomy,
    ErrorType,
)
from sixsigma.moderation.validate import validate_audits

__all__ = [
    "AUDIT_COLUMNS",
    "Appeals",
    "DEFAULT_TAXONOMY",
    "ERROR_TYPES",
    "FLAG_COLUMNS",
    "METRICS",
    "NO_VIOLATION",
    "POLICIES",
    "TRANSPARENCY_COLUMNS",
    "Transparency",
    "AuditSchema",
    "ErrorTaxonomy",
    "ErrorType",
    "appeals",
    "classify_errors",
    "metrics",
    "standardize",
    "transparency",
    "validate_audits",
]
