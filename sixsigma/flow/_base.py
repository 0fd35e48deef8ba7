"""Shared shape of the flow results: a tidy table plus scalars, frozen."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from sixsigma._result import html_table, jsonable

__all__ = ["TableResult"]


@dataclass(frozen=True, eq=False)
class TableResult:
    """A result whose detail is one tidy table (``table``) and whose headline are scalars.

    ``to_frame()`` returns a copy of the table, ``to_dict()`` every field (the table as a
    list of records) as strict JSON, ``summary()`` a short text.
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The detail table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN as null); ``json.dumps(allow_nan=False)`` works on it."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.DataFrame):
                value = [jsonable(r) for r in value.to_dict("records")]
            out[f.name] = jsonable(value)
        json.dumps(out, allow_nan=False)
        return out

    def summary(self) -> str:  # pragma: no cover - overridden
        """Text summary."""
        return type(self).__name__

    def _repr_html_(self) -> str:
        return html_table(self.table, caption=self.summary().splitlines()[0])

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.summary().splitlines()[0]}>"
