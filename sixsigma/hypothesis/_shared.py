"""What the numeric and the proportion tests share: pingouin, the data kind, pairing."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sixsigma.errors import InsufficientDataError

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["data_kind", "first", "pingouin", "wide_pairs"]


def pingouin() -> ModuleType:
    """Return pingouin, imported on first use (it loads matplotlib; sixsigma must not)."""
    return importlib.import_module("pingouin")


def first(res: pd.DataFrame, name: str) -> float:
    """The first value of a pingouin column (``p_val``, or ``p-val`` in older releases)."""
    return float(res[name].iloc[0] if name in res else res[name.replace("_", "-")].iloc[0])


def data_kind(values: pd.Series) -> str:
    """``"proportion"`` (0/1, boolean), ``"categorical"``, ``"count"`` or ``"continuous"``."""
    if values.dtype == bool:
        return "proportion"
    if not pd.api.types.is_numeric_dtype(values):
        return "categorical"
    arr = values.to_numpy(dtype=np.float64)
    uniq = np.unique(arr)
    if np.isin(uniq, (0.0, 1.0)).all():
        return "proportion"
    if (arr >= 0).all() and (np.mod(arr, 1) == 0).all():
        return "count"
    return "continuous"


def wide_pairs(frame: pd.DataFrame, value: str, group: str, subject: str | None,
               levels: list[Any]) -> tuple[pd.DataFrame, list[str]]:
    """Wide table: one row per subject, one column per group (complete subjects only)."""
    notes: list[str] = []
    if subject is None:
        sizes = frame.groupby(group, sort=False).size()
        if sizes.nunique() != 1:
            raise InsufficientDataError(
                f"compare: paired=True without subject= pairs rows by order within each "
                f"group, but the groups of {group!r} have different sizes "
                f"({', '.join(f'{k}: {v}' for k, v in sizes.items())}); pass subject=.")
        frame = frame.assign(__subject=frame.groupby(group, sort=False).cumcount())
        subject = "__subject"
    wide = frame.pivot_table(index=subject, columns=group, values=value, aggfunc="first",
                             observed=True)
    wide = wide[levels]
    complete = wide.dropna()
    if len(complete) < len(wide):
        notes.append(f"{len(wide) - len(complete)} subject(s) without a value in every group "
                     "were left out")
    return complete, notes
