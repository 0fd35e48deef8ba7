"""One fingerprint of input data, used wherever a result records what it was computed on.

``sha256/pandas-hash-v1``: SHA-256 over, in order,

1. the JSON text of ``[[column name, dtype family], ...]`` (families: ``int``, ``float``,
   ``bool``, ``datetime``, ``timedelta``, ``string``, or the dtype name otherwise),
2. the row count as 8 little-endian bytes,
3. for each column in order, the little-endian uint64 row hashes of
   :func:`pandas.util.hash_pandas_object` (``index=False``, pandas' fixed default key)
   of the column after normalisation: integers as int64, floats as float64, booleans as
   bool, times as UTC nanoseconds, everything else as Python ``str`` (missing as None).

It is stable across runs and processes (no random salt), the same for the same table in
pandas, polars, pyarrow or DuckDB (all go through one coercion path), and sensitive to
column order, row order, column names and every value (a control chart depends on row
order); the row index is ignored. It relies on pandas' hashing, unchanged since pandas 0.20;
a pandas release that changed it would make every fingerprint look stale (never the reverse).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._result import part

__all__ = ["ALGORITHM", "DataFingerprint", "fingerprint"]

ALGORITHM = "sha256/pandas-hash-v1"


@part
@dataclass(frozen=True)
class DataFingerprint:
    """The fingerprint of a table: digest, row count and column names.

    ``str(fp)`` is ``"sha256:<64 hex digits>"``.
    """

    digest: str
    rows: int
    columns: tuple[str, ...]
    algorithm: str = ALGORITHM

    def __str__(self) -> str:
        return f"sha256:{self.digest}"


def fingerprint(data: Any) -> DataFingerprint:
    """Fingerprint a table: a SHA-256 digest of its column names, dtypes and values.

    Parameters
    ----------
    data : dataframe, dict of columns or 1-D array-like
        Anything a sixsigma function accepts (pandas, polars, pyarrow, DuckDB).

    Returns
    -------
    DataFingerprint

    Examples
    --------
    >>> from sixsigma.provenance import fingerprint
    >>> a = fingerprint({"x": [1, 2, 3]})
    >>> a == fingerprint({"x": [1, 2, 3]}), a == fingerprint({"x": [3, 2, 1]})
    (True, False)
    >>> a.rows, a.columns
    (3, ('x',))
    """
    from sixsigma._frames import Table

    table = Table(data, caller="fingerprint")
    frame: pd.DataFrame = (table.eager(*table.columns).to_pandas() if table.columns
                           else pd.DataFrame())
    families = [_family(frame[c].dtype) for c in frame.columns]
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), f] for c, f in zip(frame.columns, families, strict=True)],
                        ensure_ascii=False).encode("utf-8"))
    h.update(int(len(frame)).to_bytes(8, "little"))
    for c, fam in zip(frame.columns, families, strict=True):
        col = _normalised(frame[c].reset_index(drop=True), fam)
        hashes = pd.util.hash_pandas_object(col, index=False, categorize=True)
        h.update(np.ascontiguousarray(hashes.to_numpy(), dtype="<u8").tobytes())
    return DataFingerprint(digest=h.hexdigest(), rows=len(frame),
                           columns=tuple(str(c) for c in frame.columns))


def _family(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if kind in "OSU" or pd.api.types.is_string_dtype(dtype) or isinstance(
            dtype, pd.CategoricalDtype):
        return "string"
    return str(dtype)


def _normalised(col: pd.Series, family: str) -> pd.Series:
    if family == "int":
        return col.astype("float64") if col.isna().any() else col.astype("int64")
    if family == "float":
        return col.astype("float64")
    if family == "bool":
        return col.astype("float64") if col.isna().any() else col.astype("bool")
    if family == "datetime":
        values = col if getattr(col.dtype, "tz", None) is None else col.dt.tz_convert(
            "UTC").dt.tz_localize(None)
        return values.astype("datetime64[ns]").astype("int64").where(col.notna(), -1)
    if family == "timedelta":
        return col.astype("timedelta64[ns]").astype("int64").where(col.notna(), -1)
    values = col.astype(object)
    return values.where(values.notna(), None).map(lambda v: v if v is None else str(v)
                                                  ).astype(object)
