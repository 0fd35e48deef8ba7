"""Parameter checks particular to the sampling functions.

The design functions take numbers, not data: a value given as text (``"0.05"``) or a bool is
refused rather than converted. The bounds and the message template are those of
:func:`sixsigma._params.check_number`; confidence levels and choices use
:func:`sixsigma._params.check_confidence` and :func:`sixsigma._params.choice` directly.
"""

from __future__ import annotations

import numbers
from typing import Any

from sixsigma._params import check_number, shown
from sixsigma.errors import ParameterError

__all__ = ["as_count", "as_probability", "as_real"]


def as_real(value: Any, name: str, *, caller: str, low: float | None = None,
            low_open: bool = False) -> float:
    """A real number (not text, not a bool), finite and at least ``low``, as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{caller}: the {name!r} parameter must be a number; got "
                             f"{shown(value)} ({type(value).__name__}).")
    return check_number(value, name, caller=caller, low=low, low_open=low_open)


def as_probability(value: Any, name: str, *, caller: str) -> float:
    """A number strictly between 0 and 1."""
    as_real(value, name, caller=caller)
    return check_number(value, name, caller=caller, low=0.0, high=1.0, low_open=True,
                        high_open=True)


def as_count(value: Any, name: str, *, caller: str, minimum: int = 1) -> int:
    """A whole number (int or integral float) of at least ``minimum``."""
    as_real(value, name, caller=caller)
    return int(check_number(value, name, caller=caller, low=minimum, integer=True))
