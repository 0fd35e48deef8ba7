"""Input coercion and the validation every public function shares.

Any table narwhals accepts (pandas, polars eager or lazy, pyarrow, DuckDB relations, ...),
a ``dict`` of columns, or a one-dimensional array-like (where a single column is meant) is
turned into a :class:`Table`. Columns come out as validated numpy arrays; every problem
raises the specific :mod:`sixsigma.errors` exception, naming the function, the column and
the first offending row (0-based position in the table, as ``df.iloc`` counts).

:class:`Table` is the one entry point (``as_table`` wraps it): it refuses, for every public
function at once, what is not a table (scalars, text, 2-D arrays), dicts whose columns differ
in length, duplicated or multi-level column names, frames without columns and eager frames
without rows. :meth:`Table.numeric` refuses text (also numbers written as text), categorical
and boolean columns, missing and infinite values, and values so large that sums of squares
would overflow; :meth:`Table.key` and :meth:`Table.check_kinds` refuse key columns mixing
kinds of values (``1`` and ``"1"``); :meth:`Table.raw` refuses naive and time-zone-aware
timestamps together.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    OrderError,
)

__all__ = [
    "Table", "as_table", "check_keys", "check_kinds", "first_row", "orderable", "parse_dates",
    "show",
]

FloatArray = NDArray[np.float64]


def first_row(mask: NDArray[np.bool_]) -> int:
    """Position of the first True in ``mask``: the row an error message names."""
    return int(np.flatnonzero(mask)[0])


CHUNK = 1 << 16
"""Elements per chunk of the column checks: their scratch buffers stay small and in cache."""


def first_fractional(values: FloatArray) -> int:
    """Position of the first value that is not a whole number (NaN and inf are not), or -1.

    Checked chunk by chunk with one reused scratch buffer, not a full-size temporary.
    """
    frac = np.empty(min(CHUNK, values.size))
    for start in range(0, values.size, CHUNK):
        chunk = values[start:start + CHUNK]
        part = frac[:chunk.size]
        with np.errstate(invalid="ignore"):
            np.mod(chunk, 1.0, out=part)
        # mod(x, 1) lies in [0, 1]: > 0 is "not whole", and False for NaN (and inf)
        hits = np.flatnonzero(part > 0.0)
        if hits.size:
            return start + int(hits[0])
    return -1


def first_greater(a: NDArray[Any], b: NDArray[Any]) -> int:
    """Position of the first ``a[i] > b[i]``, or -1; chunk by chunk (no full-size mask)."""
    for start in range(0, a.size, CHUNK):
        hits = np.flatnonzero(a[start:start + CHUNK] > b[start:start + CHUNK])
        if hits.size:
            return start + int(hits[0])
    return -1


class Table:
    """A validated view of the user's data, eager or lazy.

    Parameters
    ----------
    data : dataframe, dict or array-like
        The user's data.
    caller : str
        The public function's name, used in every error message.
    single : str, optional
        The column name given to a one-dimensional array-like input.
    """

    def __init__(self, data: Any, *, caller: str, single: str = "value") -> None:
        self.caller = caller
        self.frame: Any
        if isinstance(data, Table):
            data = data.frame.to_native()
        if isinstance(data, Mapping):
            data = _dict_frame(data, caller)
        elif isinstance(data, pd.Series):
            data = data.to_frame(name=single if data.name is None else str(data.name))
        elif isinstance(data, np.ndarray | list | tuple) or _is_scalar_sequence(data):
            arr = np.asarray(data) if not isinstance(data, np.ndarray) else data
            if arr.ndim != 1:
                raise InputError(
                    f"{caller}: an array input must be one-dimensional (one column of values); "
                    f"got shape {arr.shape}. Pass a dataframe and column names instead."
                )
            data = pd.DataFrame({single: arr}, copy=False)
        if isinstance(data, pd.DataFrame):
            _check_pandas_columns(data, caller)
        try:
            self.frame = nw.from_native(data, pass_through=False)
        except TypeError as err:
            raise InputError(
                f"{caller}: cannot read data of type {type(data).__name__}; pass a dataframe "
                "(pandas, polars, pyarrow, DuckDB), a dict of columns or a 1-D array."
            ) from err
        except nw.exceptions.DuplicateError as err:
            raise ColumnError(
                f"{caller}: the data have duplicate column names "
                f"({' '.join(str(err).split())}); give every column its own name."
            ) from err
        self.lazy = isinstance(self.frame, nw.LazyFrame)
        try:
            self.columns: list[str] = list(self.frame.collect_schema().names())
        except nw.exceptions.DuplicateError as err:  # a lazy backend finds them late
            raise ColumnError(
                f"{caller}: the data have duplicate column names "
                f"({' '.join(str(err).split())}); give every column its own name."
            ) from err
        _check_names(self.columns, caller)
        if not self.columns:
            raise InsufficientDataError(f"{caller}: the data have no columns.")
        if not self.lazy and len(self.frame) == 0:
            shown = ", ".join(repr(c) for c in self.columns[:12])
            raise InsufficientDataError(
                f"{caller}: the data have no rows (columns {shown}"
                f"{' ...' if len(self.columns) > 12 else ''})."
            )

    # -- columns --------------------------------------------------------------------------
    def require(self, *names: str | None) -> None:
        """Raise :class:`ColumnError` for the first name that is not a column."""
        for name in names:
            if name is not None and name not in self.columns:
                native = self.frame.to_native()
                if isinstance(native, pd.DataFrame) and name in native.index.names:
                    raise ColumnError(
                        f"{self.caller}: column {name!r} is in the frame's index, which is "
                        "not read; call reset_index() first."
                    )
                shown = ", ".join(repr(c) for c in self.columns[:12])
                more = " ..." if len(self.columns) > 12 else ""
                raise ColumnError(
                    f"{self.caller}: column {name!r} is not in the data; "
                    f"the columns are {shown}{more}."
                )

    def eager(self, *names: str) -> Any:
        """Return the named columns as an eager narwhals DataFrame."""
        self.require(*names)
        sub = self.frame.select(*names)
        return sub.collect() if self.lazy else sub

    def raw(self, name: str) -> NDArray[Any]:
        """Return a column as a numpy array (labels, keys), unvalidated but for one check.

        A column mixing naive and time-zone-aware timestamps raises :class:`InputError`
        naming both rows. Keys that must be of one kind: :meth:`key`.
        """
        values = self._values(name)
        if values.dtype == object:
            check_kinds(values, name, caller=self.caller, only_datetimes=True)
        return values

    def check_kinds(self, *names: str) -> None:
        """Refuse key columns that mix kinds of values: :class:`InputError`, both rows named.

        Only pandas object columns can mix kinds (typed backends cannot).
        """
        native = self.frame.to_native()
        if not isinstance(native, pd.DataFrame):
            return
        for name in names:
            if native[name].dtype == object:
                check_kinds(native[name].to_numpy(), name, caller=self.caller)

    def key(self, name: str) -> NDArray[Any]:
        """A grouping column as a numpy array: values of one kind (see :func:`check_kinds`)."""
        values = self._values(name)
        if values.dtype == object:
            check_kinds(values, name, caller=self.caller)
        return values

    def _values(self, name: str) -> NDArray[Any]:
        col = self.eager(name)[name]
        if col.dtype == nw.Datetime or col.dtype == nw.Date:
            return np.asarray(col.to_pandas().to_numpy())
        return np.asarray(col.to_numpy())

    def numeric(
        self,
        name: str,
        *,
        count: bool = False,
        minimum: float | None = None,
        strict_minimum: bool = False,
        allow_missing: bool = False,
        allow_bool: bool = False,
        copy: bool = False,
    ) -> FloatArray:
        """Return a column as float64 after checking it.

        Parameters
        ----------
        name : str
            Column name.
        count : bool
            Values must be whole numbers >= 0.
        minimum : float, optional
            Smallest allowed value (``strict_minimum``: values must exceed it).
        allow_missing : bool
            Keep NaN instead of raising :class:`MissingValueError`.
        allow_bool : bool
            Read true/false as 1/0 (otherwise a boolean column is refused: numbers are
            needed, and a flag is not a measurement or a count).
        copy : bool
            Return an array that shares no memory with the data, for a result that keeps
            it (results are read-only, and a read-only view of the user's array would still
            change when the user writes to that array). The column is copied only when the
            float64 conversion did not already make a fresh array. Without it the array may
            be a read-only view of the data's own buffer (no copy at all).

        Text (also text holding numbers, such as ``"12"``), categorical and (unless
        ``allow_bool``) boolean columns raise :class:`NonNumericError`; values so large
        that sums of squares would overflow raise :class:`DomainError`.
        """
        return self.check_numeric(
            self._numbers(name, allow_bool),
            name,
            count=count,
            minimum=minimum,
            strict_minimum=strict_minimum,
            allow_missing=allow_missing,
            copy=copy,
        )

    def count_values(self, name: str) -> NDArray[np.integer[Any]] | FloatArray:
        """A column of counts: :meth:`numeric` with ``count=True``, integers kept as they are.

        The checks and their errors are those of ``numeric(name, count=True)``. An integer
        column is checked by two reductions and returned in its own dtype, without the
        float64 copy (arithmetic with float64 arrays converts it element by element, to
        the same values, and an integer sum is exact). It may be a read-only view of the
        data: a result must not keep it.
        """
        values = self._numbers(name, False)
        if values.dtype.kind in "iu" and values.size:
            lo, hi = float(values.min()), float(values.max())
            limit = float(np.sqrt(np.finfo(np.float64).max / values.size)) / 16.0
            if lo >= 0 and hi <= limit:
                return values
        return self.check_numeric(values, name, count=True)  # raises the error, or floats

    def _numbers(self, name: str, allow_bool: bool) -> NDArray[Any]:
        """A column meant to hold numbers; categorical (and boolean) columns refused."""
        self.require(name)
        dtype = self.frame.collect_schema()[name]
        if dtype == nw.Categorical or dtype == nw.Enum:
            first = self.raw(name)[0] if self._has_rows() else None
            raise NonNumericError(
                f"{self.caller}: column {name!r} must be numeric; it is categorical (row 0 "
                f"holds {show(first)}). Convert it to numbers first."
            )
        if dtype == nw.Boolean and not allow_bool:
            first = self.raw(name)[0] if self._has_rows() else None
            raise NonNumericError(
                f"{self.caller}: column {name!r} must hold numbers; it holds true/false "
                f"values (row 0 is {show(first)}). Convert it to numbers first."
            )
        return self._values(name)

    def check_numeric(
        self,
        values: NDArray[Any],
        name: str,
        *,
        count: bool = False,
        minimum: float | None = None,
        strict_minimum: bool = False,
        allow_missing: bool = False,
        what: str = "row",
        copy: bool = False,
    ) -> FloatArray:
        """Validate an array that came from column ``name`` (see :meth:`numeric`)."""
        caller = self.caller
        whole = values.dtype == bool or np.issubdtype(values.dtype, np.integer)
        if values.dtype == bool:
            arr = values.astype(np.float64)
        elif np.issubdtype(values.dtype, np.number):
            arr = values.astype(np.float64, copy=False)
        else:
            series = pd.Series(values, copy=False)
            text = np.fromiter((isinstance(v, str | bytes) for v in values), bool, values.size)
            converted = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
            bad = np.isnan(converted) & series.notna().to_numpy()
            if bad.any():
                i = first_row(bad)
                raise NonNumericError(
                    f"{caller}: column {name!r} must be numeric; {what} {i} holds "
                    f"{show(values[i])}."
                )
            if text.any():  # numbers written as text: the reader's job, not a guess of ours
                i = first_row(text)
                raise NonNumericError(
                    f"{caller}: column {name!r} must be numeric; {what} {i} holds the text "
                    f"{show(values[i])}. Convert the column to numbers first."
                )
            arr = converted
        if copy and not (arr.flags.owndata and arr.flags.writeable):
            arr = arr.copy()  # the data's own buffer (or a view of it): the caller keeps it
        if not arr.size:
            return arr
        # Whole-column reductions decide whether a check fails (no full-size masks: a fresh
        # process pays a page fault for every new page); the row named is found only then.
        lo, hi = float(np.minimum.reduce(arr)), float(np.maximum.reduce(arr))
        if np.isnan(lo) or np.isnan(hi):  # NaN propagates through minimum/maximum
            if not allow_missing:
                i = first_row(np.isnan(arr))
                raise MissingValueError(
                    f"{caller}: column {name!r} has a missing value (NaN/None) at {what} "
                    f"{i}; drop or fill those rows first."
                )
            lo, hi = float(np.fmin.reduce(arr)), float(np.fmax.reduce(arr))  # NaN skipped
        if lo == -np.inf or hi == np.inf:
            i = first_row(np.isinf(arr))
            raise DomainError(
                f"{caller}: column {name!r} has an infinite value at {what} {i}."
            )
        limit = float(np.sqrt(np.finfo(np.float64).max / arr.size)) / 16.0
        if hi > limit or lo < -limit:
            with np.errstate(invalid="ignore"):
                i = first_row(np.abs(arr) > limit)
            raise DomainError(
                f"{caller}: column {name!r} holds a value too large to compute with: "
                f"{what} {i} is {arr[i]:.6g} (the limit for {arr.size} values is "
                f"{limit:.3g}, beyond which sums of squares overflow); rescale it first."
            )
        if count:
            if lo < 0:
                i = first_row(arr < 0)
                raise DomainError(
                    f"{caller}: column {name!r} holds counts, but {what} {i} is negative "
                    f"({_fmt(arr[i])})."
                )
            # converted integers and booleans are whole; NaN (allowed missing) is skipped
            i = -1 if whole else first_fractional(arr)
            if i >= 0:
                raise DomainError(
                    f"{caller}: column {name!r} holds counts, but {what} {i} is not a whole "
                    f"number ({_fmt(arr[i])})."
                )
        if minimum is not None and (lo <= minimum if strict_minimum else lo < minimum):
            i = first_row(arr <= minimum if strict_minimum else arr < minimum)
            rel = "greater than" if strict_minimum else "at least"
            raise DomainError(
                f"{caller}: column {name!r} must be {rel} {_fmt(minimum)}; {what} {i} is "
                f"{_fmt(arr[i])}."
            )
        return arr

    def keys(self, name: str) -> NDArray[Any]:
        """A label or key column, date-like text parsed to datetime64 (:func:`parse_dates`)."""
        return parse_dates(self.raw(name), name, caller=self.caller)

    def _has_rows(self) -> bool:
        if self.lazy:
            return bool(len(self.frame.head(1).collect()))
        return bool(len(self.frame))

    def labels(self, name: str | None, n: int) -> NDArray[Any]:
        """Point labels from a column (one row per point), checked for order and duplicates.

        Date-like text (ISO dates and datetimes) is parsed first, so that text dates are
        checked for order too. Without a column the labels are 1, 2, ..., n (the point
        numbers Minitab and qcc show).
        """
        if name is None:
            return np.arange(1, n + 1)
        values = self.keys(name)
        return check_keys(values, name, caller=self.caller)


def check_keys(values: NDArray[Any], name: str, *, caller: str) -> NDArray[Any]:
    """Check that time keys are present, unique and (when orderable) increasing."""
    series = pd.Series(values, copy=False)
    missing = series.isna().to_numpy()
    if missing.any():
        i = first_row(missing)
        raise MissingValueError(f"{caller}: column {name!r} has a missing label at row {i}.")
    dup = series.duplicated().to_numpy()
    if dup.any():
        i = first_row(dup)
        raise OrderError(
            f"{caller}: column {name!r} must have one row per point, but row {i} repeats "
            f"{show(values[i])}. Aggregate first, or pass the column as subgroup=/label= of raw "
            "records."
        )
    if orderable(values) and values.size > 1:
        down = values[1:] < values[:-1]
        if down.any():
            i = first_row(down) + 1
            raise OrderError(
                f"{caller}: column {name!r} must be sorted in time order; row {i} "
                f"({show(values[i])}) comes before row {i - 1} ({show(values[i - 1])}). "
                "Sort the data first."
            )
    return values


_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_dates(values: NDArray[Any], name: str, *, caller: str) -> NDArray[Any]:
    """Date-like labels as ``datetime64``; anything else unchanged.

    Text in ISO 8601 form (``2026-01-02``, ``2026-01-02T08:30``, ``2026-01-02 08:30:00Z``)
    and Python ``date``/``datetime`` objects are parsed once, here, so that every chart
    orders and checks them as times. Time-zone-aware values are converted to UTC. A column
    that mixes naive and aware times raises :class:`InputError` naming the first row whose
    kind differs from the first value's; text that is not all date-like is left as text.
    """
    if values.dtype.kind not in "OUS" or values.size == 0:
        return values
    series = pd.Series(values, copy=False)
    present = series.notna().to_numpy()
    if not present.any():
        return values
    items = values[present]
    rows = np.flatnonzero(present)
    aware: NDArray[np.bool_]
    if all(isinstance(v, str) for v in items):
        matches = [_ISO.fullmatch(v.strip()) for v in items]
        if not all(matches):
            return values
        aware = np.array([m.group("tz") is not None for m in matches if m is not None])
    elif all(isinstance(v, _dt.date) for v in items):
        aware = np.array([isinstance(v, _dt.datetime) and v.tzinfo is not None
                          for v in items])
    else:
        return values
    if aware.any() and not aware.all():
        i = first_row(aware != aware[0])
        kinds = ("with", "without") if aware[0] else ("without", "with")
        raise InputError(
            f"{caller}: column {name!r} mixes times {kinds[0]} a time zone (row "
            f"{int(rows[0])}, {show(items[0])}) and {kinds[1]} one (row {int(rows[i])}, "
            f"{show(items[i])}); give every time with a time zone or none."
        )
    try:
        if isinstance(items[0], str):
            parsed = pd.to_datetime(series.str.strip(), format="ISO8601", utc=bool(aware[0]))
        else:
            parsed = pd.to_datetime(series, utc=bool(aware[0]))
    except (ValueError, OverflowError) as err:
        bad = [j for j, v in enumerate(items) if _unparsable(v)]
        where = f" at row {int(rows[bad[0]])} ({show(items[bad[0]])})" if bad else ""
        raise InputError(f"{caller}: column {name!r} holds dates that cannot be "
                         f"read{where}.") from err
    if aware[0]:
        parsed = parsed.dt.tz_localize(None)
    return np.asarray(parsed.to_numpy())


def _unparsable(value: Any) -> bool:
    try:
        pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        return True
    return False

def _kind(value: Any) -> str:
    """The kind of a value: text, number, bool, naive/aware datetime, or its type's name."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.integer | np.floating):
        return "number"
    if isinstance(value, _dt.datetime):
        return "naive datetime" if value.tzinfo is None else "time-zone-aware datetime"
    return type(value).__name__


def check_kinds(values: NDArray[Any], name: str, *, caller: str,
                only_datetimes: bool = False) -> None:
    """Refuse an object column that mixes kinds of values.

    ``1`` and ``"1"``, naive and time-zone-aware timestamps ...: :class:`InputError`
    names both rows. ``only_datetimes``: refuse only naive and aware timestamps together.
    """
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    dates = inferred in ("datetime", "datetime64")
    if only_datetimes and not dates:
        return
    if inferred == "mixed-integer-float" or not (inferred.startswith("mixed") or dates):
        return
    present = ~pd.isna(pd.Series(values, copy=False)).to_numpy()
    if not present.any():
        return
    kinds = np.array([_kind(v) if ok else "" for v, ok in zip(values, present, strict=True)])
    j = first_row(present)
    other = present & (kinds != kinds[j])
    if not other.any():
        return
    i = first_row(other)
    raise InputError(
        f"{caller}: column {name!r} mixes kinds of values: row {j} holds {show(values[j])} "
        f"({kinds[j]}) but row {i} holds {show(values[i])} ({kinds[i]}); convert the column "
        "to one type first."
    )


def orderable(values: NDArray[Any]) -> bool:
    """True for numeric and datetime keys, whose order is meaningful."""
    return bool(
        np.issubdtype(values.dtype, np.number) or np.issubdtype(values.dtype, np.datetime64)
    )


def show(value: Any) -> str:
    """A value as a message shows it: numpy scalars as plain numbers, text quoted."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.datetime64 | pd.Timestamp | _dt.date):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is None and stamp == stamp.normalize():
            return str(stamp.date())  # a date: no 00:00:00
        return str(stamp)
    return repr(value)


def _dict_frame(data: Mapping[Any, Any], caller: str) -> pd.DataFrame:
    """A dict of columns as a pandas frame; unequal lengths and scalars refused by name."""
    lengths: dict[str, int | None] = {}
    for key, col in data.items():
        if isinstance(col, str | bytes) or not hasattr(col, "__len__"):
            lengths[str(key)] = None
        else:
            lengths[str(key)] = len(col)
    scalars = [k for k, n in lengths.items() if n is None]
    if scalars:
        raise InputError(
            f"{caller}: column {scalars[0]!r} of the dict holds a single value "
            f"({show(data[scalars[0]] if scalars[0] in data else '?')}), not a column of "
            "values; give every column one value per row."
        )
    sizes = list(lengths.items())
    for (a, na), (b, nb) in zip(sizes, sizes[1:], strict=False):
        if na != nb:
            raise InputError(
                f"{caller}: the columns of the dict differ in length: column {a!r} has {na} "
                f"values, column {b!r} {nb}; every column needs one value per row."
            )
    try:
        # no copy (pandas would copy and consolidate every column into one block): the
        # frame lives only while the function reads it, and an array a result keeps is
        # copied once, by Table.numeric(copy=True)
        return pd.DataFrame(dict(data), copy=False)
    except (ValueError, TypeError) as err:
        raise InputError(f"{caller}: cannot read the dict as columns of a table "
                         f"({' '.join(str(err).split())}).") from err


def _check_pandas_columns(frame: pd.DataFrame, caller: str) -> None:
    """Refuse multi-level and duplicated column names of a pandas frame."""
    if isinstance(frame.columns, pd.MultiIndex):
        raise InputError(
            f"{caller}: the data have multi-level column names ({show(frame.columns[0])}, "
            "...); flatten them to single names first, e.g. "
            "df.columns = ['_'.join(map(str, c)) for c in df.columns]."
        )
    _check_names([str(c) for c in frame.columns], caller)


def _check_names(names: Sequence[str], caller: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ColumnError(
                f"{caller}: column {name!r} appears more than once in the data; give every "
                "column its own name."
            )
        seen.add(name)


def _is_scalar_sequence(data: Any) -> bool:
    return isinstance(data, Sequence) and not isinstance(data, str | bytes)


def _fmt(x: float) -> str:
    return f"{x:g}"


def as_table(data: Any, *, caller: str, single: str = "value") -> Table:
    """Wrap ``data`` as a :class:`Table` (see there)."""
    return Table(data, caller=caller, single=single)
