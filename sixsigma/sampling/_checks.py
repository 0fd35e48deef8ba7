"""Parameter checks shared by the sampling functions (one message template for all)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from scipy import stats

from sixsigma.errors import ParameterError

__all__ = ["as_count", "as_probability", "as_real", "choice", "z_two_sided"]


def as_real(value: Any, name: str, *, caller: str) -> float:
    """Return ``value`` as a finite float, or raise :class:`ParameterError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(
            f"{caller}: the {name!r} parameter must be a number; got {value!r} "
            f"({type(value).__name__})."
        )
    out = float(value)
    if not math.isfinite(out):
        raise ParameterError(f"{caller}: the {name!r} parameter must be finite; got {out!r}.")
    return out


def as_probability(value: Any, name: str, *, caller: str, what: str = "") -> float:
    """A number strictly between 0 and 1."""
    out = as_real(value, name, caller=caller)
    if not 0.0 < out < 1.0:
        extra = f" ({what})" if what else ""
        raise ParameterError(
            f"{caller}: the {name!r} parameter{extra} must be strictly between 0 and 1; "
            f"got {out:g}."
        )
    return out


def as_count(value: Any, name: str, *, caller: str, minimum: int = 1) -> int:
    """A whole number (int or integral float) of at least ``minimum``."""
    out = as_real(value, name, caller=caller)
    if out != math.floor(out):
        raise ParameterError(
            f"{caller}: the {name!r} parameter must be a whole number; got {out:g}."
        )
    if out < minimum:
        raise ParameterError(
            f"{caller}: the {name!r} parameter must be at least {minimum}; got {out:g}."
        )
    return int(out)


def choice(value: Any, name: str, options: tuple[str, ...], *, caller: str) -> str:
    """One of the allowed strings."""
    if not isinstance(value, str) or value not in options:
        shown = ", ".join(repr(o) for o in options)
        raise ParameterError(
            f"{caller}: the {name!r} parameter must be one of {shown}; got {value!r}."
        )
    return value


def z_two_sided(confidence: float) -> float:
    """The standard normal quantile z with P(|Z| <= z) = confidence."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))
