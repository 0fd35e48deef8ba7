"""Helpers shared by the capability modules: the specification check and the fit input."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
from numpy.typing import NDArray

from sixsigma._frames import Table, as_table, first_row
from sixsigma._params import check_number
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    NonNumericError,
    ParameterError,
    SixSigmaError,
    ZeroVarianceError,
)

__all__ = ["MIN_FIT_N", "as_caller", "check_magnitude", "check_specs", "fit_values",
           "measurements", "check_counts", "value_column", "weight_dtype_check"]


def as_caller(err: SixSigmaError, caller: str) -> SixSigmaError:
    """The same error from a helper (spc charts), its message led by ``caller`` instead."""
    msg = str(err)
    head, sep, rest = msg.partition(": ")
    return type(err)(f"{caller}: {rest}" if sep else msg)


def _first_text(values: NDArray[Any]) -> int | None:
    mask = np.fromiter((isinstance(v, str | bytes) for v in values), bool, values.size)
    return first_row(mask) if mask.any() else None


def weight_dtype_check(table: Table, name: str, *, allow_bool: bool = True) -> None:
    """Refuse a text, categorical (or boolean) column that should hold numbers.

    Raises :class:`NonNumericError` naming the column and its first row.
    """
    dtype = table.frame.collect_schema()[name]
    if dtype.is_numeric() or (allow_bool and dtype == nw.Boolean):
        return
    values = table.raw(name)
    if dtype == nw.Boolean:
        raise NonNumericError(f"{table.caller}: column {name!r} must hold numbers; it holds "
                              f"true/false values (row 0 is {bool(values[0])}).")
    if dtype == nw.Categorical or dtype == nw.Enum:
        raise NonNumericError(f"{table.caller}: column {name!r} must be numeric; it is "
                              f"categorical (row 0 holds {str(values[0])!r}). Convert it to "
                              "numbers first.")
    row = _first_text(np.asarray(values, dtype=object)) if values.size else None
    if row is not None:
        raise NonNumericError(f"{table.caller}: column {name!r} must be numeric; row {row} "
                              f"holds text {str(values[row])!r}.")


def check_magnitude(x: NDArray[np.float64], name: str, *, caller: str) -> None:
    """Refuse values so large that sums of squares would overflow (DomainError, first row)."""
    if x.size == 0:
        return
    limit = float(np.sqrt(np.finfo(float).max / max(x.size, 1))) / 16.0
    big = np.abs(x) > limit
    if big.any():
        i = first_row(big)
        raise DomainError(f"{caller}: column {name!r} holds a value too large to compute with "
                          f"(row {i} is {float(x[i]):.6g}; the limit for {x.size} values is "
                          f"{limit:.3g}); rescale the data (other units) first.")


def check_counts(table: Table, *names: str | None) -> None:
    """Count columns: not text or categorical, and below 2^53 (exact, no overflow).

    Raises NonNumericError or DomainError naming the column and the first row.
    """
    for name in names:
        if name is None:
            continue
        table.require(name)
        weight_dtype_check(table, name)
        if not table.frame.collect_schema()[name].is_numeric():
            continue
        v = np.asarray(table.raw(name), dtype=float)
        big = np.abs(v) > 2.0**53
        if big.any():
            i = first_row(big)
            raise DomainError(f"{table.caller}: column {name!r} holds counts, but row {i} is "
                              f"{float(v[i]):.6g}, beyond the 2^53 a count can exactly be.")


def measurements(table: Table, name: str, *, positive: bool = False) -> NDArray[np.float64]:
    """A measurement column, checked and as floats.

    Numeric (not text, categorical or boolean), no missing value or NaN, finite, not so
    large that it would overflow; with ``positive`` all > 0.
    """
    table.require(name)
    weight_dtype_check(table, name, allow_bool=False)
    x = table.numeric(name, minimum=0.0 if positive else None, strict_minimum=positive)
    check_magnitude(x, name, caller=table.caller)
    return x

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


def value_column(table: Table, value: str | None, caller: str) -> str:
    """The measurement column: ``value``, or the only column of a one-column input."""
    if value is None:
        if len(table.columns) != 1:
            raise ParameterError(f"{caller}: value= is required when the data have several "
                                 f"columns ({', '.join(table.columns[:8])}).")
        value = table.columns[0]
    return value


def fit_values(data: Any, value: str | None, caller: str, *, positive: bool = False
               ) -> tuple[str, NDArray[np.float64], Table]:
    """The column a distribution or transformation is fitted to: name, values, table.

    ``value`` may be omitted for a one-column input. Raises when fewer than
    :data:`MIN_FIT_N` values or all equal; with ``positive`` a value <= 0 is a DomainError
    naming its row.
    """
    table = as_table(data, caller=caller)
    value = value_column(table, value, caller)
    x = measurements(table, value, positive=positive)
    if x.size < MIN_FIT_N:
        raise InsufficientDataError(f"{caller}: at least {MIN_FIT_N} observations are needed "
                                    f"to fit a distribution to column {value!r}; got {x.size}.")
    if not np.ptp(x) > 0:
        raise ZeroVarianceError(f"{caller}: all values of column {value!r} are equal "
                                f"({x[0]:g}); no distribution can be fitted.")
    return value, x, table
