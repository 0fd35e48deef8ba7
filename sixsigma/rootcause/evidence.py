"""Evidence records: what was tested, on which data, with which figures.

A DMAIC root cause cites its evidence. Every root-cause result converts to a plain,
JSON-safe dict (``result.to_evidence()``) with the keys

``kind``
    the analysis (``"segment_scan"``, ``"explain_change"``, ``"compare"``, ``"funnel"``);
``description``
    one sentence: what was tested and what it found;
``fingerprint``
    ``"sha256:<hex>"``: :func:`sixsigma.provenance.fingerprint` (the one data fingerprint of
    sixsigma) of the aggregate the figures were computed from, canonically sorted first
    (columns by name, rows by their values): the same data give the same fingerprint
    whatever engine, row order or column order they came in;
``figures``
    the numbers (JSON types only, NaN as null);
``parameters``
    the settings of the analysis.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sixsigma._result import jsonable
from sixsigma.provenance import fingerprint

__all__ = ["canonical", "evidence_record"]


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """The aggregate in a canonical order: columns sorted by name, rows by their values.

    Rows are ordered by the text of their values, column by column (a total order for any
    column type, missing values included), so that the row order of the input, which an
    aggregate does not depend on, does not change its fingerprint.

    Examples
    --------
    >>> import pandas as pd
    >>> from sixsigma.provenance import fingerprint
    >>> a = pd.DataFrame({"q": ["x", "y"], "n": [10.0, 20.0]})
    >>> b = pd.DataFrame({"n": [20.0, 10.0], "q": ["y", "x"]})
    >>> fingerprint(canonical(a)) == fingerprint(canonical(b))
    True
    """
    out = frame.rename(columns=str)
    columns = sorted(out.columns)
    out = out[columns]
    if len(out) and columns:
        keys = pd.DataFrame({c: out[c].map(str) for c in columns})
        order = keys.sort_values(by=columns, kind="mergesort").index
        out = out.loc[order]
    return out.reset_index(drop=True)


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
        "fingerprint": str(fingerprint(canonical(aggregate))),
        "figures": jsonable(dict(figures)),
        "parameters": jsonable(dict(parameters)),
    }
    json.dumps(record, allow_nan=False)  # fail here, not in the caller's report
    return record
