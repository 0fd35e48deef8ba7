"""Evidence: a sixsigma result kept in the project as JSON, with what is needed to trust it.

An :class:`Evidence` record holds the result's ``kind``, its full ``to_dict()`` payload,
a few summary numbers, the function and parameters that produced it (so that it can be
re-run), and a :class:`Fingerprint` of the input data (so that a result computed on data
that have changed since can be detected: :meth:`Evidence.is_stale`).

The fingerprint
---------------
``sha256/pandas-hash-v1``: SHA-256 over, in order,

1. the JSON text of ``[[column name, dtype family], ...]`` (families: ``int``, ``float``,
   ``bool``, ``datetime``, ``timedelta``, ``string``, or the dtype name otherwise),
2. the row count as 8 little-endian bytes,
3. for each column in order, the little-endian uint64 row hashes of
   :func:`pandas.util.hash_pandas_object` (``index=False``, pandas' fixed default key)
   of the column after normalisation: integers as int64, floats as float64, booleans as
   bool, times as UTC nanoseconds, everything else as Python ``str`` (missing as None).

It is stable across runs and processes (no random salt), the same for the same table in
pandas, polars, pyarrow or DuckDB (all go through :class:`sixsigma._frames.Table`), and
sensitive to column order, row order, column names and every value; the row index is
ignored. It relies on pandas' hashing, which has been unchanged since pandas 0.20; a pandas
release that changed it would make every fingerprint look stale (never the reverse).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import AwareDatetime, Field, JsonValue

from dmaic._base import DmaicModel
from dmaic.errors import EvidenceError
from dmaic.types import NonEmptyStr

__all__ = ["Evidence", "Fingerprint", "StageView", "attach", "fingerprint"]

Scalar = str | int | float | bool | None

ALGORITHM: Literal["sha256/pandas-hash-v1"] = "sha256/pandas-hash-v1"

#: Result kinds grouped by what a tollgate reads from them.
CHART_KINDS = frozenset({"control_chart", "chart_pair"})
MSA_KINDS = frozenset({"cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                       "attribute_agreement", "gage_rr", "msa"})
CAPABILITY_KINDS = frozenset({"capability", "percentile_capability", "transformed_capability",
                              "sigma_metrics"})


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


class Fingerprint(DmaicModel):
    """A digest of the table an analysis was run on (see the module notes for the recipe).

    Attributes
    ----------
    algorithm : str
        ``"sha256/pandas-hash-v1"``.
    digest : str
        64 hexadecimal characters.
    rows : int
        Number of rows hashed.
    columns : list of str
        Column names, in order.
    """

    algorithm: Literal["sha256/pandas-hash-v1"] = ALGORITHM
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int = Field(ge=0)
    columns: list[str]


class StageView(DmaicModel):
    """One stage of a control chart held as evidence: its name, centre and point count."""

    name: str
    center: float
    points: int


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


def fingerprint(data: Any) -> Fingerprint:
    """Fingerprint a table: a SHA-256 digest of its column names, dtypes and values.

    Parameters
    ----------
    data : dataframe, dict of columns or 1-D array-like
        Anything :class:`sixsigma._frames.Table` accepts (pandas, polars, pyarrow, DuckDB).

    Returns
    -------
    Fingerprint

    Notes
    -----
    The recipe (``sha256/pandas-hash-v1``) is in the notes of :mod:`dmaic.evidence`. Row
    order matters; the row index does not.

    Examples
    --------
    >>> from dmaic.evidence import fingerprint
    >>> a = fingerprint({"x": [1, 2, 3]})
    >>> a == fingerprint({"x": [1, 2, 3]}), a == fingerprint({"x": [3, 2, 1]})
    (True, False)
    >>> a.rows, a.columns
    (3, ['x'])
    """
    from sixsigma._frames import Table

    table = Table(data, caller="dmaic.evidence.fingerprint")
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
    return Fingerprint(digest=h.hexdigest(), rows=len(frame),
                       columns=[str(c) for c in frame.columns])


def _json_checked(value: Any, what: str) -> Any:
    from sixsigma._result import jsonable

    value = jsonable(value)
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as err:
        raise EvidenceError(f"attach: {what} is not JSON-serialisable ({err}); pass column "
                            "names, numbers and strings, not tables or objects.") from err


def _function_name(function: Callable[..., Any] | str | None) -> str | None:
    if function is None or isinstance(function, str):
        return function
    module = getattr(function, "__module__", None)
    name = getattr(function, "__qualname__", None)
    if not module or not name:
        raise EvidenceError(f"attach: cannot name the function {function!r}; pass its "
                            "dotted name as a string.")
    return f"{module}.{name}"


class Evidence(DmaicModel):
    """A result held by the project, or a planned one (``result`` None) still to compute.

    Attributes
    ----------
    kind : str
        The result's kind (``"control_chart"``, ``"capability"``, ``"fleiss_kappa"``,
        ``"sigma_metrics"``, ``"hypothesis_test"`` ...).
    description : str
        What the result shows, for the reader of the report.
    function : str or None
        Dotted name of the sixsigma function that produced it (for :meth:`rerun`).
    parameters : dict
        Its keyword arguments (column names, options), JSON values only.
    data_source : str or None
        Where the input data came from, in words (a table name, a query, a file).
    result : dict or None
        The full ``to_dict()`` payload; None while the evidence is only planned.
    summary : dict
        The payload's top-level scalars (and, for charts, ``points`` and ``stages``).
    fingerprint : Fingerprint or None
        Of the input data, when it was given to :func:`attach`.
    created_at : datetime or None
        When the result was attached (UTC).
    sixsigma_version : str or None
        The version of sixsigma that computed it.
    """

    kind: NonEmptyStr
    description: str = ""
    function: str | None = None
    parameters: dict[str, JsonValue] = Field(default_factory=dict)
    data_source: str | None = None
    result: dict[str, JsonValue] | None = None
    summary: dict[str, Scalar] = Field(default_factory=dict)
    fingerprint: Fingerprint | None = None
    created_at: AwareDatetime | None = None
    sixsigma_version: str | None = None

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        data: Any = None,
        description: str = "",
        parameters: Mapping[str, Any] | None = None,
        function: Callable[..., Any] | str | None = None,
        data_source: str | None = None,
    ) -> Evidence:
        """Evidence from a sixsigma result (anything with ``to_dict()``) or a JSON mapping.

        See :func:`attach`, which this is.
        """
        if hasattr(result, "to_dict") and callable(result.to_dict):
            payload = result.to_dict()
        elif isinstance(result, Mapping):
            payload = dict(result)
        else:
            raise EvidenceError(f"attach: a result must have a to_dict() method or be a "
                                f"mapping; got {type(result).__name__}.")
        payload = _json_checked(payload, "the result")
        kind = payload.get("kind", getattr(result, "kind", None))
        if not isinstance(kind, str) or not kind.strip():
            raise EvidenceError("attach: the result has no 'kind'; give a mapping a 'kind' "
                                "key such as 'hypothesis_test'.")
        import sixsigma

        return cls(
            kind=kind, description=description,
            function=_function_name(function),
            parameters=_json_checked(dict(parameters or {}), "parameters"),
            data_source=data_source, result=payload, summary=_summary(payload),
            fingerprint=None if data is None else fingerprint(data),
            created_at=_now(), sixsigma_version=sixsigma.__version__,
        )

    # -- state ----------------------------------------------------------------------------
    @property
    def planned(self) -> bool:
        """True while no result is attached yet."""
        return self.result is None

    def is_stale(self, data: Any) -> bool:
        """True when ``data`` differ from the data the result was computed on.

        Raises
        ------
        EvidenceError
            When no fingerprint was recorded (attached without ``data=``).
        """
        if self.fingerprint is None:
            raise EvidenceError("is_stale: this evidence was attached without data=, so it "
                                "has no fingerprint to compare with.")
        return fingerprint(data) != self.fingerprint

    def rerun(self, data: Any) -> Any:
        """Run the recorded sixsigma function again on ``data`` with the recorded parameters.

        Only functions of the ``sixsigma`` package are run: a project file never names
        code to execute elsewhere.

        Raises
        ------
        EvidenceError
            No function recorded, or one outside ``sixsigma``, or one that does not exist.
        """
        name = self.function
        if not name:
            raise EvidenceError("rerun: no function was recorded with this evidence.")
        if not name.startswith("sixsigma."):
            raise EvidenceError(f"rerun: only sixsigma functions are re-run; the evidence "
                                f"names {name!r}.")
        module_name, _, attr = name.rpartition(".")
        try:
            func = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as err:
            raise EvidenceError(f"rerun: cannot find {name!r} ({err}).") from err
        return func(data, **self.parameters)

    # -- what the tollgates read ----------------------------------------------------------
    def _chart(self) -> dict[str, Any] | None:
        if self.result is None or self.kind not in CHART_KINDS:
            return None
        if self.kind == "chart_pair":
            loc = self.result.get("location")
            return loc if isinstance(loc, dict) else None
        return self.result

    @property
    def points(self) -> int | None:
        """Number of points (subgroups) of a control chart; None for other kinds."""
        chart = self._chart()
        stat = None if chart is None else chart.get("statistic")
        return len(stat) if isinstance(stat, list) else None

    @property
    def stages(self) -> list[StageView]:
        """The stages of a control chart (empty for other kinds)."""
        chart = self._chart()
        raw = [] if chart is None else chart.get("stages")
        out = []
        for s in raw if isinstance(raw, list) else []:
            if isinstance(s, dict) and isinstance(s.get("center"), int | float):
                start, stop = s.get("start", 0), s.get("stop", 0)
                n = stop - start if isinstance(start, int) and isinstance(stop, int) else 0
                out.append(StageView(name=str(s.get("name", "")), center=float(s["center"]),
                                     points=n))
        return out

    @property
    def p_value(self) -> float | None:
        """The p-value the result reports (``summary['p_value']``), if any."""
        value = self.summary.get("p_value")
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else None

    def number(self, key: str) -> float | None:
        """A top-level number of the result (``"kappa"``, ``"alpha"``...), or None."""
        value = self.summary.get(key)
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else None


def _summary(payload: Mapping[str, Any]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {k: v for k, v in payload.items()
                              if v is None or isinstance(v, str | int | float | bool)}
    return out


def attach(
    result: Any,
    *,
    data: Any = None,
    description: str = "",
    parameters: Mapping[str, Any] | None = None,
    function: Callable[..., Any] | str | None = None,
    data_source: str | None = None,
) -> Evidence:
    """Turn a sixsigma result into an :class:`Evidence` record.

    Parameters
    ----------
    result : result object or mapping
        A sixsigma result (anything with a JSON-safe ``to_dict()`` and a ``kind``), or a
        JSON mapping with a ``"kind"`` key (a test computed elsewhere, say
        ``{"kind": "hypothesis_test", "p_value": 0.003, ...}``).
    data : dataframe, optional
        The input table; its :func:`fingerprint` is stored so that :meth:`Evidence.is_stale`
        can tell when the data have changed.
    description : str
        What the result shows.
    parameters : mapping, optional
        The keyword arguments of the call (JSON values), for :meth:`Evidence.rerun`.
    function : callable or str, optional
        The sixsigma function that produced the result (or its dotted name).
    data_source : str, optional
        Where the data came from, in words.

    Returns
    -------
    Evidence

    Raises
    ------
    EvidenceError
        The result has no ``kind`` or is not JSON-serialisable; a parameter is not JSON.

    Examples
    --------
    >>> from dmaic.evidence import attach
    >>> data = {"errors": [4, 6, 5], "audited": [100, 100, 100]}
    >>> chart = ss.spc.p_chart(data, defectives="errors", size="audited")
    >>> ev = attach(chart, data=data, function=ss.spc.p_chart,
    ...             parameters={"defectives": "errors", "size": "audited"})
    >>> ev.kind, ev.points, ev.function
    ('control_chart', 3, 'sixsigma.spc.attributes.p_chart')
    >>> ev.is_stale(data), ev.is_stale({"errors": [4, 6, 7], "audited": [100, 100, 100]})
    (False, True)
    """
    return Evidence.from_result(result, data=data, description=description,
                                parameters=parameters, function=function,
                                data_source=data_source)
