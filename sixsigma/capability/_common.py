"""Helpers shared by the capability modules: the specification check."""

from __future__ import annotations

from sixsigma._params import check_number
from sixsigma.errors import ParameterError

__all__ = ["check_specs"]


def check_specs(
    lsl: float | None, usl: float | None, target: float | None, *, caller: str
) -> tuple[float | None, float | None, float | None]:
    """Validate specification limits and target; return them as floats (or None).

    Raises :class:`ParameterError` when no spec is given, a spec is not a finite number,
    LSL >= USL, or the target lies outside the specification interval.
    """
    lo, hi, t = (None if value is None else check_number(value, name, caller=caller)
                 for name, value in (("lsl", lsl), ("usl", usl), ("target", target)))
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
