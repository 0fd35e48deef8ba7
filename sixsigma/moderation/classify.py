"""Classify each audited record as correct or one of the three base error types.

Every audited record is exactly one of: correct, over-enforcement (actioned, QA says no
violation), under-enforcement (missed violation) or wrong policy (actioned under another
policy than QA's). A record whose ``qa_decision`` is missing (or one of the schema's "not
audited" values) was not audited: it is never classified, as correct or otherwise. Labels
the schema does not know raise: nothing is guessed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma.errors import InputError
from sixsigma.moderation.adapter import _standardize
from sixsigma.moderation.schema import NO_VIOLATION, AuditSchema

__all__ = ["classify_errors"]


def _name(values: Any, default: str) -> str:
    name = getattr(values, "name", None)
    return name if isinstance(name, str) and name else default


def _outcomes(decision: NDArray[Any], qa: NDArray[Any]) -> NDArray[Any]:
    """Base error types of canonical labels; None where qa is missing (unaudited)."""
    audited = ~pd.isna(qa)
    acted = decision != NO_VIOLATION
    violating = audited & (qa != NO_VIOLATION)
    out = np.full(decision.shape, "", dtype=object)
    out[audited & acted & ~violating] = "over_enforcement"
    out[violating & ~acted] = "under_enforcement"
    out[violating & acted & (decision != qa)] = "wrong_policy"
    out[~audited] = None
    return out


def classify_errors(decision: Any, qa_decision: Any, *,
                    schema: AuditSchema | None = None) -> NDArray[Any]:
    """The base error type of each record: ``""`` when correct, None when not audited.

    Parameters
    ----------
    decision, qa_decision : array-like of str (numpy array, list, pandas Series)
        The moderator's labels and QA's verdicts, in the export's vocabulary. A pandas
        Series is named by its own name in errors.
    schema : AuditSchema, optional
        The export's vocabulary: ``no_violation`` labels, ``not_audited`` verdicts (always
        including a missing value), ``labels`` recoding, ``policies``. Default: the
        canonical vocabulary, where only a missing verdict means "not audited".

    Returns
    -------
    numpy.ndarray of object
        ``""`` (correct), ``"over_enforcement"``, ``"under_enforcement"`` or
        ``"wrong_policy"``; ``None`` for a record that was not audited (it is neither
        correct nor an error: drop it before counting).

    Raises
    ------
    DomainError
        Every label the schema does not know, with its count and first row, in one error.
    MissingValueError
        A missing decision.
    InputError
        ``decision`` and ``qa_decision`` differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> from sixsigma.moderation import AuditSchema, classify_errors
    >>> classify_errors(np.array(["spam", "no_violation", "spam", "spam"]),
    ...                 np.array(["no_violation", "spam", "adult", None])).tolist()
    ['over_enforcement', 'under_enforcement', 'wrong_policy', None]
    >>> schema = AuditSchema(no_violation="NONE", not_audited=["", None],
    ...                      labels={"HATE": "hate_speech", "SPAM": "spam"})
    >>> classify_errors(["HATE", "NONE", "SPAM"], ["HATE", "", "NONE"],
    ...                 schema=schema).tolist()
    ['', None, 'over_enforcement']
    """
    caller = "classify_errors"
    schema = AuditSchema() if schema is None else schema
    dec = np.asarray(decision, dtype=object).ravel()
    qa = np.asarray(qa_decision, dtype=object).ravel()
    if dec.shape != qa.shape:
        raise InputError(f"{caller}: decision and qa_decision must have the same length; got "
                         f"{dec.size} and {qa.size}.")
    dname, qname = _name(decision, "decision"), _name(qa_decision, "qa_decision")
    if dname == qname:
        dname, qname = "decision", "qa_decision"
    frame = pd.DataFrame({dname: pd.Series(dec, dtype=object),
                          qname: pd.Series(qa, dtype=object)})
    mapped = schema.replace(columns={"decision": dname, "qa_decision": qname})
    canon = _standardize(frame, mapped, needed=["decision", "qa_decision"], times=(),
                         caller=caller).to_pandas()
    return _outcomes(canon["decision"].to_numpy(dtype=object),
                     canon["qa_decision"].to_numpy(dtype=object))
