"""Shared machinery of result objects: read-only arrays and JSON-safe conversion."""

from __future__ import annotations

import datetime as _dt
import html
import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["frozen_array", "jsonable", "html_table"]


def frozen_array(values: ArrayLike, dtype: Any = None) -> NDArray[Any]:
    """Return ``values`` as a numpy array that cannot be written to.

    Per-point vectors in results are read-only so that a result, once returned, cannot be
    altered through one of its arrays; no copy is made when the input already has the type.
    """
    arr = np.asarray(values, dtype=dtype)
    if arr.flags.writeable:
        arr = arr.view()
        arr.flags.writeable = False
    return arr


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas values to plain JSON types; NaN becomes None (null)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            out: list[Any] = value.astype(object).tolist()
            return [None if (v is None or math.isnan(v)) else v for v in out]
        if value.dtype.kind in "Mm":
            return [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in value]
        return [jsonable(v) for v in value.tolist()] if value.dtype == object else value.tolist()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date):
        return value.isoformat()
    return value


def html_table(frame: pd.DataFrame, *, caption: str, max_rows: int = 20) -> str:
    """A small, escaped HTML table for Jupyter's ``_repr_html_``."""
    shown = frame if len(frame) <= max_rows else frame.tail(max_rows)
    body = shown.to_html(index=False, escape=True, float_format=lambda v: f"{v:.6g}",
                         na_rep="")
    more = "" if len(frame) <= max_rows else f"<p>last {max_rows} of {len(frame)} points</p>"
    return f"<div><strong>{html.escape(caption)}</strong>{more}{body}</div>"
