"""Checks of parameters (not data): one message template for every public function.

``"<caller>: the <name> parameter must be <what>; got <value>."`` Every check raises
:class:`sixsigma.errors.ParameterError` naming the parameter and returns the converted value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sixsigma.errors import ParameterError

__all__ = ["check_confidence", "check_number", "choice", "shown"]


def shown(value: Any) -> str:
    """A value as a message shows it: numpy scalars as plain numbers, text quoted."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        value = item()
    return repr(value)


def _fail(caller: str, name: str, what: str, value: Any) -> ParameterError:
    return ParameterError(f"{caller}: the {name!r} parameter must be {what}; "
                          f"got {shown(value)}.")


def check_number(value: Any, name: str, *, caller: str, low: float | None = None,
                 high: float | None = None, low_open: bool = False, high_open: bool = False,
                 integer: bool = False) -> float:
    """A finite number within [low, high] (ends open where asked), as float."""
    if isinstance(value, bool) or value is None:
        raise _fail(caller, name, "a number", value)
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise _fail(caller, name, "a number", value) from err
    if not math.isfinite(v):
        raise _fail(caller, name, "a finite number", value)
    if integer and v != math.floor(v):
        raise _fail(caller, name, "a whole number", value)
    if (low is not None and (v <= low if low_open else v < low)) or \
            (high is not None and (v >= high if high_open else v > high)):
        lo = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "" if high is None else f"{high:g}" + (")" if high_open else "]")
        what = f"in {lo}, {hi}" if low is not None and high is not None else (
            f"{'>' if low_open else '>='} {low:g}" if low is not None else
            f"{'<' if high_open else '<='} {high:g}")
        raise _fail(caller, name, what, value)
    return v


def check_confidence(confidence: Any, *, caller: str, name: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1."""
    return check_number(confidence, name, caller=caller, low=0.0, high=1.0, low_open=True,
                        high_open=True)


def choice(value: Any, name: str, options: Iterable[str], *, caller: str) -> str:
    """One of the allowed strings."""
    opts = tuple(options)
    if not isinstance(value, str) or value not in opts:
        raise _fail(caller, name, "one of " + ", ".join(repr(o) for o in opts), value)
    return value
