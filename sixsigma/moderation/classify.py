"""Classify each audited record as correct or one of the three base error types.

Every audited record is exactly one of: correct, over-enforcement (actioned, QA says no
violation), under-enforcement (missed violation) or wrong policy (actioned under another
policy than QA's). A record whose ``qa_decision`` is missing was not audited: it is never
classified as correct.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma.moderation.schema import NO_VIOLATION

__all__ = ["classify_errors"]


def classify_errors(decision: NDArray[Any], qa_decision: NDArray[Any]) -> NDArray[np.str_]:
    """The base error type of each record ('' when correct or unaudited).

    Parameters
    ----------
    decision, qa_decision : numpy.ndarray of str
        Labels; a missing ``qa_decision`` (None/NaN) means unaudited.

    Returns
    -------
    numpy.ndarray of str
        ``""``, ``"over_enforcement"``, ``"under_enforcement"`` or ``"wrong_policy"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sixsigma.moderation import classify_errors
    >>> classify_errors(np.array(["spam", "no_violation", "spam", "spam"]),
    ...                 np.array(["no_violation", "spam", "adult", None])).tolist()
    ['over_enforcement', 'under_enforcement', 'wrong_policy', '']
    """
    audited = ~pd.isna(qa_decision)
    acted = decision != NO_VIOLATION
    violating = audited & (qa_decision != NO_VIOLATION)
    out = np.full(decision.shape, "", dtype=object)
    out[audited & acted & ~violating] = "over_enforcement"
    out[violating & ~acted] = "under_enforcement"
    out[violating & acted & (decision != qa_decision)] = "wrong_policy"
    return out.astype(str)
