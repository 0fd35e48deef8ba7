"""The exception hierarchy of sixsigma.

Every error raised on purpose by the library derives from :class:`SixSigmaError` and from
the builtin exception that fits it, so ``except ValueError`` keeps working for callers who
do not know this module. Messages name the function, the column (or parameter) and the
first offending row, e.g.::

    p_chart: column 'errors' has a negative value at row 17 (-3).

Warnings derive from :class:`SixSigmaWarning`; results also record them in ``notes``,
because a report never shows ``warnings.warn``.
"""

from __future__ import annotations

__all__ = [
    "SixSigmaError",
    "InputError",
    "ColumnError",
    "MissingValueError",
    "NonNumericError",
    "DomainError",
    "InsufficientDataError",
    "ZeroVarianceError",
    "ParameterError",
    "OrderError",
    "GraphError",
    "SixSigmaWarning",
]


class SixSigmaError(Exception):
    """Base class of every error sixsigma raises on purpose."""


class InputError(SixSigmaError, ValueError):
    """The data given to an analysis cannot be used as it is."""


class ColumnError(InputError, KeyError):
    """A named column is not in the data."""

    def __str__(self) -> str:
        # KeyError would quote the message; keep it readable.
        return str(self.args[0]) if self.args else ""


class MissingValueError(InputError):
    """A column holds NaN, None or an empty value where a number is needed."""


class NonNumericError(InputError, TypeError):
    """A column that must be numeric holds text or another non-numeric type."""


class DomainError(InputError):
    """A value lies outside its allowed range (negative count, defectives > size, ...)."""


class InsufficientDataError(InputError):
    """Too few points, subgroups or observations for the method."""


class ZeroVarianceError(InputError):
    """The data have no variation, so no sigma (and no limits) can be estimated."""


class ParameterError(SixSigmaError, ValueError):
    """A keyword argument is out of its allowed range or of the wrong kind."""


class SixSigmaWarning(UserWarning):
    """Base class of the warnings sixsigma issues (also recorded in a result's notes)."""


class OrderError(InputError):
    """Time keys (labels) are unsorted or duplicated where one row per point is expected."""


class GraphError(SixSigmaError, ValueError):
    """A process map is not a valid flow: unknown or unreachable step, bad routing, trap."""
