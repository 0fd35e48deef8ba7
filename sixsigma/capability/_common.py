"""Helpers shared by the capability modules: spec validation and JSON-safe numbers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sixsigma._result import jsonable
from sixsigma.errors import ParameterError

__all__ = ["check_confidence", "check_specs", "finite_or_none", "json_safe"]


def check_specs(
    lsl: float | None, usl: float | None, target: float | None, *, caller: str
) -> tuple[float | None, float | None, float | None]:
    """Validate specification limits and target; return them as floats (or None).

    Raises :class:`ParameterError` when no spec is given, a spec is not a finite number,
    LSL >= USL, or the target lies outside the specification interval.
    """
    out: list[float | None] = []
    for name, value in (("lsl", lsl), ("usl", usl), ("target", target)):
        if value is None:
            out.append(None)
            continue
        try:
            v = float(value)
        except (TypeError, ValueError) as err:
            raise ParameterError(f"{caller}: {name} must be a number; got {value!r}.") from err
        if not math.isfinite(v):
            raise ParameterError(f"{caller}: {name} must be finite; got {value!r}.")
        out.append(v)
    lo, hi, t = out
    if lo is None and hi is None:
        raise ParameterError(
            f"{caller}: give at least one specification limit (lsl= and/or usl=); "
            "capability is judged against the specs."
        )
    if lo is not None and hi is not None and lo >= hi:
        raise ParameterError(f"{caller}: lsl must be below usl; got lsl={lo:g} >= usl={hi:g}.")
    if t is not None and ((lo is not None and t < lo) or (hi is not None and t > hi)):
        raise ParameterError(f"{caller}: target={t:g} lies outside the specification limits.")
    return lo, hi, t


def check_confidence(confidence: float, *, caller: str) -> float:
    """Return ``confidence`` as a float in (0, 1) or raise :class:`ParameterError`."""
    try:
        c = float(confidence)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{caller}: confidence must be a number in (0, 1); got "
                             f"{confidence!r}.") from err
    if not 0.0 < c < 1.0:
        raise ParameterError(f"{caller}: confidence must lie strictly between 0 and 1; got "
                             f"{confidence!r}.")
    return c


def finite_or_none(value: float | None) -> float | None:
    """A float, or None for None, NaN and infinities (JSON cannot carry them)."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def json_safe(value: Any) -> Any:
    """Like :func:`sixsigma._result.jsonable`, but infinities also become None."""
    value = jsonable(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value
