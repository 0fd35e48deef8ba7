"""``metrics`` on an in-memory pandas frame: count the raw label combinations first.

The general path (:func:`sixsigma.moderation.adapter._standardize`, then the per-day
group-by) checks and converts every row of every column: on pandas that is string work on
millions of rows (recoding, text dates parsed twice, flags lower-cased) and full-size
temporaries. Audit exports have few distinct values per column, so this path does the
per-row work once, on integer codes:

1. each column the metrics read is encoded as integer codes (Arrow dictionary encoding for
   text, :func:`pandas.factorize` otherwise), the time column as a day number (datetimes:
   integer division; ISO date text: the shape checked row by row with one regular
   expression in Arrow, the day read from its first ten characters), the turnaround as
   its two per-row indicators;
2. the codes are combined into one integer per row and counted: one representative row
   per distinct combination, with its number of rows;
3. that small frame goes through the general path (every check, every conversion, the
   same code), and the indicators are summed weighted by the counts.

Every value of the data is in some representative row, so a check fails on the small frame
exactly when it fails on the data. Whenever anything is unusual (a check fails, a column of
mixed Python objects, a ``date_format``, a missing or out-of-range timestamp), the function
returns ``None`` and the caller runs the general path on the whole frame: it raises the
specific error naming the column and the first bad row, with its counts. The sums are those
of the per-row query, bit for bit (integers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sixsigma._aggregate import collect
from sixsigma._frames import Table
from sixsigma.errors import SixSigmaError
from sixsigma.moderation.adapter import _ISO, _standardize, _wanted
from sixsigma.moderation.schema import FLAG_COLUMNS, AuditSchema

__all__: list[str] = []

# the general path parses text dates at a resolution pandas infers (nanoseconds for some
# texts): inside these years every calendar-valid ISO date parses at any resolution; a
# date outside them is left to the general path
_MIN_YEAR, _MAX_YEAR = 1678, 2261


def _arrow(values: pd.Series) -> pa.ChunkedArray | None:
    """The column as Arrow (zero-copy for Arrow-backed strings), or None if not convertible."""
    try:
        got = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
            ValueError, OverflowError):
        return None
    return got if isinstance(got, pa.ChunkedArray) else pa.chunked_array([got])


class _Key:
    """The combined code of every row, built column by column (mixed radix, in place).

    Each column's codes are folded in as they are made, so one column's codes at most are
    alive besides the key.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.key = np.zeros(n, dtype=np.int64)
        self.size = 1

    def widen(self, radix: int) -> None:
        """Make room for a column of ``radix`` codes: key = key * radix."""
        if self.size * radix >= 2**62:   # keep the combined key in range: renumber it
            self.key = pd.factorize(self.key)[0].astype(np.int64, copy=False)
            self.size = int(self.key.max()) + 1
        np.multiply(self.key, radix, out=self.key)
        self.size *= radix

    def add(self, codes: NDArray[Any], radix: int) -> None:
        """Fold in codes in [0, radix)."""
        self.widen(radix)
        np.add(self.key, codes, out=self.key, casting="unsafe")

    def add_dictionary(self, arr: pa.ChunkedArray) -> pa.Array:
        """Fold in the Arrow dictionary codes of ``arr`` (0: missing); the distinct values."""
        if pa.types.is_null(arr.type):
            self.widen(1)
            return pa.array([], type=pa.string())
        encoded = pc.dictionary_encode(arr).unify_dictionaries()
        dictionary = (encoded.chunks[0].dictionary if encoded.num_chunks
                      else pa.array([], type=arr.type))
        self.widen(len(dictionary) + 1)
        at = 0
        for chunk in encoded.chunks:
            got = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
            part = self.key[at:at + len(got)]
            np.add(part, got, out=part, casting="unsafe")
            np.add(part, 1, out=part)
            at += len(got)
        return dictionary

    def rows(self) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
        """One representative row of each distinct combination, and its row count."""
        key, n = self.key, self.n
        size = self.size
        if size > n:   # sparse: number the combinations that occur
            key = pd.factorize(key)[0].astype(np.int64, copy=False)
            size = int(key.max()) + 1
        counts = np.bincount(key, minlength=size)
        # any row of a combination represents it: whichever write of a key lands last
        rep = np.empty(size, dtype=np.intp)
        step = 1 << 20
        for at in range(0, n, step):
            rep[key[at:at + step]] = np.arange(at, min(at + step, n), dtype=np.intp)
        rows = np.sort(rep[counts > 0])
        return rows, counts[key[rows]]


def _is_text_dtype(dtype: Any) -> bool:
    return bool(dtype == np.dtype(object) or isinstance(dtype, pd.StringDtype)
                or (isinstance(dtype, pd.ArrowDtype)
                    and (pa.types.is_string(dtype.pyarrow_dtype)
                         or pa.types.is_large_string(dtype.pyarrow_dtype))))


def _add_column(key: _Key, values: pd.Series, flag: bool) -> bool | None:
    """Fold a label, flag or key column into ``key``; True for an object column of booleans.

    None: the general path must run. Text (and object columns holding only text) is
    dictionary-encoded in Arrow: equal codes mean equal strings. Object columns of anything
    else but booleans (for a flag) give None: Python equality would merge values the checks
    tell apart (``1`` and ``True``).
    """
    dtype = values.dtype
    if _is_text_dtype(dtype):
        arr = _arrow(values)
        if arr is None:
            return None
        typ = arr.type
        boolean = pa.types.is_boolean(typ) and flag and dtype == np.dtype(object)
        if not (pa.types.is_string(typ) or pa.types.is_large_string(typ)
                or pa.types.is_null(typ) or boolean):
            return None
        key.add_dictionary(arr)
        return boolean
    if dtype == np.dtype(bool):
        key.add(values.to_numpy().view(np.uint8), 2)
    elif isinstance(dtype, pd.BooleanDtype):
        codes = values.to_numpy(dtype=np.int8, na_value=-1)
        np.add(codes, 1, out=codes)
        key.add(codes, 3)
    else:
        got, uniques = pd.factorize(values, use_na_sentinel=True)
        key.add(got, len(uniques) + 1)
        np.add(key.key, 1, out=key.key)
    return False


def _add_day(key: _Key, values: pd.Series, date_format: str | None) -> bool:
    """Fold in the day number of every row; False when the general path must decide.

    Naive datetimes: integer division of the ticks. Text: ISO dates or datetimes, every row
    matching the general path's pattern as is (no surrounding spaces), and every distinct
    date part a calendar date in 1678-2261; the day is the date part.
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        ticks = values.to_numpy().view(np.int64)
        if (ticks == np.iinfo(np.int64).min).any():       # NaT: a missing time
            return False
        unit, step = np.datetime_data(values.to_numpy().dtype)
        per_day = int(np.timedelta64(1, "D").astype(f"timedelta64[{unit}]").astype(np.int64))
        if step != 1 or per_day <= 0:
            return False
        days = np.floor_divide(ticks, per_day)
        first = days.min()
        np.subtract(days, first, out=days)
        key.add(days, int(days.max()) + 1)
        return True
    if date_format is not None or not _is_text_dtype(dtype):
        return False
    arr = _arrow(values)
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return False
    if arr.null_count or not pc.all(pc.match_substring_regex(arr, _ISO)).as_py():
        return False
    # the day is the date part (ASCII: its first ten bytes); the rest is checked by the pattern
    binary = arr.cast(pa.large_binary() if pa.types.is_large_string(arr.type) else pa.binary())
    parts = [p.decode() for p in key.add_dictionary(pc.binary_slice(binary, 0, 10)).to_pylist()]
    if not all(_MIN_YEAR <= int(p[:4]) <= _MAX_YEAR for p in parts):
        return False
    parsed = pd.to_datetime(pd.Series(parts, dtype=object), format="%Y-%m-%d", errors="coerce")
    return not parsed.isna().any()


def pandas_day_counts(table: Table, schema: AuditSchema, *, needed: Sequence[str],
                      keep: Sequence[str], time: str, sla: float | None,
                      indicators: Any, check: Any, caller: str) -> pd.DataFrame | None:
    """The per-day counts of ``_day_counts``, from the raw label combinations of a pandas frame.

    Returns ``__day``, the keys, ``records`` and one column per indicator, as
    :func:`sixsigma.moderation.quality._day_counts` does on the standardized records; None
    when the general path must run instead.

    ``indicators(names)`` gives the indicator expressions for the standardized columns;
    ``check(frame)`` runs the further checks of the caller on a standardized frame.
    """
    native = table.frame.to_native()
    if not isinstance(native, pd.DataFrame):
        return None
    columns = _wanted(table, schema, needed, keep)
    time_col = schema.export_name(time)
    turn_col = (schema.export_name("turnaround_seconds")
                if sla is not None and "turnaround_seconds" in needed else None)
    per_row_cols = {time_col, turn_col} - {None}
    if sum(c in per_row_cols for c in columns) != len(per_row_cols):
        return None    # a key is the time or turnaround column
    key = _Key(len(native))
    if not _add_day(key, native[time_col], schema.date_format):
        return None
    booleans: list[str] = []
    for name in columns:
        if name in per_row_cols:
            continue
        boolean = _add_column(key, native[name], schema.canonical_name(name) in FLAG_COLUMNS)
        if boolean is None:
            return None
        if boolean:
            booleans.append(name)
    per_row: dict[str, NDArray[np.bool_]] = {}
    if turn_col is not None:
        if not pd.api.types.is_numeric_dtype(native[turn_col].dtype):
            return None
        col = nw.col(turn_col)
        got = table.frame.select((~col.is_null()).alias("timed"),
                                 (col <= sla).alias("within_sla")).to_native()
        for k in ("timed", "within_sla"):
            per_row[k] = got[k].fillna(False).to_numpy(dtype=bool)
        del got
        key.add(per_row["timed"].view(np.uint8), 2)
        key.add(per_row["within_sla"].view(np.uint8), 2)
    rows, weights = key.rows()
    del key
    small = native[columns].iloc[rows].reset_index(drop=True)
    for name in booleans:
        small[name] = small[name].astype("boolean")
    try:
        frame = _standardize(Table(small, caller=caller), schema, needed=needed, keep=keep,
                             times=(time,), caller=caller)
        check(frame)
    except SixSigmaError:
        return None   # the general path names the first bad row of the whole frame
    names = set(frame.collect_schema().names())
    ind = dict(indicators(names))
    extra: dict[str, Any] = {"__w": weights}
    for k, mask in per_row.items():
        extra[f"__{k}"] = mask[rows]
        ind[k] = nw.col(f"__{k}")
    combos = nw.from_native(frame.to_native().assign(**extra), eager_only=True)
    w = nw.col("__w")
    flagged = combos.with_columns(nw.col(time).dt.truncate("1d").alias("__day"),
                                  *[(e.cast(nw.Int64) * w).alias(k) for k, e in ind.items()])
    agg = (flagged.group_by(["__day", *keep])
           .agg(w.sum().alias("records"), *[nw.col(k).sum() for k in ind]))
    out: pd.DataFrame = collect(agg).to_pandas()
    return out
