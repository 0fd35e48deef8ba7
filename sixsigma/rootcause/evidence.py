"""Evidence records: what was tested, on which data, with which figures.

A DMAIC root cause cites its evidence. Every root-cause result converts to a plain,
JSON-safe dict (``result.to_evidence()``) with the keys

``kind``
    the analysis (``"segment_scan"``, ``"explain_change"``, ``"compare"``, ``"funnel"``);
``description``
    one sentence: what was tested and what it found;
``fingerprint``
    ``"sha256:<hex>"``, the SHA-256 of a canonical serialisation of the aggregate the
    figures were computed from (see :func:`fingerprint`): the same data give the same
    fingerprint whatever engine, row order or column order they came in;
``figures``
    the numbers (JSON types only, NaN as null);
``parameters``
    the settings of the analysis.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._result import jsonable

__all__ = ["evidence_record", "fingerprint"]


def _canonical_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # integral floats as ints, so 3 and 3.0 hash alike; others by their shortest repr
        return int(value) if value.is_integer() else float(repr(value))
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).isoformat()
    return str(value)


def fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a canonical serialisation of a (small, aggregated) table.

    Columns are sorted by name, each value is converted to a JSON scalar (integral floats
    written as integers, missing values as null, timestamps in ISO 8601), the rows are
    sorted, and the whole is written as compact JSON with sorted keys, UTF-8 encoded.

    Parameters
    ----------
    frame : pandas.DataFrame
        The aggregate the figures were computed from.

    Returns
    -------
    str
        ``"sha256:"`` followed by 64 hex digits.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"q": ["x", "y"], "n": [10, 20]})
    >>> b = pd.DataFrame({"n": [20.0, 10.0], "q": ["y", "x"]})
    >>> fingerprint(a) == fingerprint(b)
    True
    >>> fingerprint(a)[:7]
    'sha256:'
    """
    columns = sorted(str(c) for c in frame.columns)
    rows = [
        [_canonical_value(v) for v in row]
        for row in frame.rename(columns=str)[columns].itertuples(index=False, name=None)
    ]
    rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
    text = json.dumps({"columns": columns, "rows": rows}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def evidence_record(
    kind: str,
    description: str,
    aggregate: pd.DataFrame,
    figures: Mapping[str, Any],
    parameters: Mapping[str, Any],
) -> dict[str, Any]:
    """Build an evidence record (a JSON-safe dict; see the module docstring).

    Examples
    --------
    >>> import json, pandas as pd
    >>> rec = evidence_record("demo", "a test", pd.DataFrame({"n": [1]}), {"p": float("nan")},
    ...                       {"alpha": 0.05})
    >>> sorted(rec)
    ['description', 'figures', 'fingerprint', 'kind', 'parameters']
    >>> json.dumps(rec["figures"], allow_nan=False)
    '{"p": null}'
    """
    record = {
        "kind": str(kind),
        "description": str(description),
        "fingerprint": fingerprint(aggregate),
        "figures": jsonable(dict(figures)),
        "parameters": jsonable(dict(parameters)),
    }
    json.dumps(record, allow_nan=False)  # fail here, not in the caller's report
    return record
