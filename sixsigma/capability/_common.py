"""Helpers shared by the capability modules: the specification check and the fit input."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sixsigma._frames import Table, as_table
from sixsigma._params import check_number
from sixsigma.errors import InsufficientDataError, ParameterError, ZeroVarianceError

__all__ = ["MIN_FIT_N", "check_specs", "fit_values"]

MIN_FIT_N = 8
"""Fewest observations a distribution fit accepts (the Anderson-Darling test's minimum)."""


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


def fit_values(data: Any, value: str | None, caller: str, *, positive: bool = False
               ) -> tuple[str, NDArray[np.float64], Table]:
    """The column a distribution or transformation is fitted to: name, values, table.

    ``value`` may be omitted for a one-column input. Raises when fewer than
    :data:`MIN_FIT_N` values or all equal; with ``positive`` a value <= 0 is a DomainError
    naming its row.
    """
    table = as_table(data, caller=caller)
    if value is None:
        if len(table.columns) != 1:
            raise ParameterError(f"{caller}: value= is required when the data have several "
                                 f"columns ({', '.join(table.columns[:8])}).")
        value = table.columns[0]
    table.require(value)
    x = table.numeric(value, minimum=0.0 if positive else None, strict_minimum=positive)
    if x.size < MIN_FIT_N:
        raise InsufficientDataError(f"{caller}: at least {MIN_FIT_N} observations are needed "
                                    f"to fit a distribution to column {value!r}; got {x.size}.")
    if not np.ptp(x) > 0:
        raise ZeroVarianceError(f"{caller}: all values of column {value!r} are equal "
                                f"({x[0]:g}); no distribution can be fitted.")
    return value, x, table
