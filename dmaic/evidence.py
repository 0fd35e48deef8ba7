"""Evidence: a typed sixsigma result kept in the project, with what is needed to trust it.

An :class:`Evidence` record holds a sixsigma result (``evidence.result``: the typed object,
a :class:`~sixsigma.spc.ControlChart`, a :class:`~sixsigma.msa.GageRR` ...), the function
and parameters that produced it (so that it can be re-run), and a :class:`Fingerprint` of
the input data (so that a result computed on data that have changed since can be detected:
:meth:`Evidence.is_stale`).

In the project file the result is its ``to_dict()`` payload (strict JSON, written by the
sixsigma result base, under ``payload``); :func:`sixsigma.from_dict` turns it back into the
typed result when the project is loaded. A result computed outside sixsigma (a test run
in another tool) is kept as a plain JSON mapping with a ``kind`` (``record``); the
tollgates read its ``p_value`` and other top-level numbers.

The fingerprint is :func:`sixsigma.provenance.fingerprint` (one recipe for both packages,
``sha256/pandas-hash-v1``: stable across processes and input kinds, sensitive to row order).
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import AwareDatetime, Field, JsonValue, PrivateAttr, model_validator

import sixsigma as ss
from dmaic._base import DmaicModel, Problems
from dmaic.errors import EvidenceError
from dmaic.types import NonEmptyStr
from sixsigma.errors import SixSigmaError
from sixsigma.provenance import DataFingerprint
from sixsigma.provenance import fingerprint as data_fingerprint

__all__ = ["Evidence", "Fingerprint", "TypedResult", "attach", "fingerprint",
           "is_typed_result", "plain_json"]


class TypedResult(Protocol):
    """What dmaic relies on of a sixsigma result (the public face of the result base)."""

    @property
    def notes(self) -> tuple[str, ...]:
        """Why a figure is undefined, what was assumed."""

    def to_dict(self) -> dict[str, Any]:
        """The result as strict JSON, with its ``kind``."""


ALGORITHM: Literal["sha256/pandas-hash-v1"] = "sha256/pandas-hash-v1"
"""The recipe of :func:`sixsigma.provenance.fingerprint` that project files record."""


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def is_typed_result(value: Any) -> bool:
    """True for an instance of a sixsigma result class (derived from :class:`sixsigma.Result`)."""
    import sixsigma

    return isinstance(value, sixsigma.Result)


class Fingerprint(DmaicModel):
    """A digest of the table an analysis was run on (:func:`sixsigma.provenance.fingerprint`).

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

    @classmethod
    def of(cls, data: Any) -> Fingerprint:
        """The fingerprint of ``data`` (any table sixsigma accepts)."""
        fp: DataFingerprint = data_fingerprint(data)
        if fp.algorithm != ALGORITHM:  # pragma: no cover - a new recipe needs a new dmaic
            raise EvidenceError(f"fingerprint: sixsigma fingerprints with {fp.algorithm!r}; "
                                f"this dmaic records {ALGORITHM!r} only.")
        return cls(algorithm=ALGORITHM, digest=fp.digest, rows=fp.rows,
                   columns=list(fp.columns))


def fingerprint(data: Any) -> Fingerprint:
    """Fingerprint a table: :func:`sixsigma.provenance.fingerprint` as a project record.

    Examples
    --------
    >>> from dmaic.evidence import fingerprint
    >>> a = fingerprint({"x": [1, 2, 3]})
    >>> a == fingerprint({"x": [1, 2, 3]}), a == fingerprint({"x": [3, 2, 1]})
    (True, False)
    >>> a.rows, a.columns
    (3, ['x'])
    """
    return Fingerprint.of(data)


def plain_json(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python values, NaN and inf as None."""
    if isinstance(value, np.ndarray):
        return plain_json(value.tolist())
    if isinstance(value, np.generic):
        return plain_json(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def _strict_json(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(plain_json(value), allow_nan=False))
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


def _restore(payload: Mapping[str, Any], where: str) -> Any:
    try:
        return ss.from_dict(payload)
    except (SixSigmaError, KeyError, TypeError, ValueError) as err:
        raise EvidenceError(f"{where}: the stored {payload.get('kind')!r} result cannot be "
                            f"restored by sixsigma.from_dict ({err}).") from err


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 and number.is_integer() else None


def _column_sum(table: Any, column: str) -> int | None:
    if isinstance(table, pd.DataFrame) and column in table.columns:
        return _count(pd.to_numeric(table[column], errors="coerce").sum(min_count=1))
    return None


def _extent(result: Any) -> tuple[int | None, int | None, str]:
    """Units the analysis used, the number of groups they fell in, and what a group is.

    Read from the result itself (never from the table passed to :func:`attach`): a chart's
    subgroup sizes summed and its points; a comparison's group sizes and groups; a segment
    scan's units and cells; a Pareto's total and categories; a funnel's units; otherwise
    the ``n``, ``units``, ``n_items``, ``n_units``, ``total_n`` or ``n_cases`` the result
    states.
    """
    if isinstance(result, ss.spc.ChartPair):
        result = result.location
    if isinstance(result, ss.spc.ControlChart):
        n = np.asarray(result.n, dtype=float)
        size = _count(n.sum()) if n.size and np.isfinite(n).all() else None
        return size, len(result.statistic), "subgroups"
    if isinstance(result, ss.hypothesis.Comparison):
        return _column_sum(result.groups, "n"), len(result.groups), "groups"
    if isinstance(result, ss.rootcause.SegmentScan):
        return _count(result.total_n), len(result.cells), "cells"
    if isinstance(result, ss.pareto.Pareto):
        return _count(result.total), len(result.table), "categories"
    if isinstance(result, ss.rootcause.Funnel):
        return _column_sum(result.units, "n"), len(result.units), "units"
    for name in ("n", "units", "n_items", "n_units", "total_n", "n_cases"):
        value = getattr(result, name, None)
        if isinstance(value, np.ndarray):
            value = value.sum() if value.size and value.dtype.kind in "iuf" else None
        size = _count(value)
        if size is not None:
            return size, None, "groups"
    return None, None, "groups"


class Evidence(DmaicModel):
    """A result held by the project, or a planned one still to compute.

    Attributes
    ----------
    kind : str
        The result's kind (``"control_chart"``, ``"capability"``, ``"fleiss_kappa"``,
        ``"sigma_metrics"`` ...; for a record, its ``kind`` key).
    description : str
        What the result shows, for the reader of the report.
    function : str or None
        Dotted name of the sixsigma function that produced it (for :meth:`rerun`).
    parameters : dict
        Its keyword arguments (column names, options), JSON values only.
    data_source : str or None
        Where the input data came from, in words (a table name, a query, a file).
    payload : dict or None
        The typed result's ``to_dict()`` (read :attr:`result` for the typed object).
    record : dict or None
        A result computed outside sixsigma: a JSON mapping with a ``kind``.
    size : int or None
        The number of units the analysis used, read from the result (not from the table
        passed as ``data``, which may be a summary of other rows).
    groups : int or None
        The number of groups those units fell in: a chart's subgroups, a test's groups, a
        segment scan's cells, a Pareto's categories, a funnel's units.
    group_name : str
        What a group is (``"subgroups"``, ``"groups"``, ``"cells"`` ...).
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
    payload: dict[str, JsonValue] | None = None
    record: dict[str, JsonValue] | None = None
    size: int | None = Field(default=None, ge=0)
    groups: int | None = Field(default=None, ge=0)
    group_name: NonEmptyStr = "groups"
    fingerprint: Fingerprint | None = None
    created_at: AwareDatetime | None = None
    sixsigma_version: str | None = None

    _result: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Evidence:
        problems = Problems("Evidence")
        if self.payload is not None and self.record is not None:
            problems.add(("record",), "evidence holds either a sixsigma result (payload) or "
                         "an outside record, not both")
        for name, held in (("payload", self.payload), ("record", self.record)):
            if held is not None and held.get("kind") != self.kind:
                problems.add((name, "kind"), f"the {name}'s kind {held.get('kind')!r} is not "
                             f"the evidence kind {self.kind!r}", held.get("kind"))
        problems.raise_if_any()
        return self

    def __eq__(self, other: object) -> bool:
        # equal documents; the cached typed result is not part of the comparison
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Evidence)
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

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
        """Evidence from a typed sixsigma result, or from a JSON mapping with a ``kind``.

        See :func:`attach`, which this is.
        """
        typed: Any = None
        record: dict[str, Any] | None = None
        if is_typed_result(result):
            typed = result
            payload = _strict_json(result.to_dict(), "the result's to_dict()")
            _restore(payload, "attach")  # it must load again: fail now, not at load time
        elif isinstance(result, Mapping):
            mapping = _strict_json(dict(result), "the result")
            if "schema_version" in mapping and isinstance(mapping.get("kind"), str):
                typed, payload = _restore(mapping, "attach"), mapping
            else:
                payload, record = None, mapping
        else:
            raise EvidenceError(
                f"attach: a result must be a typed sixsigma result (derived from its result "
                f"base, restorable with sixsigma.from_dict) or a JSON mapping with a 'kind'; "
                f"got {type(result).__name__}.")
        size, groups, group_name = (None, None, "groups") if typed is None else _extent(typed)
        held = payload if payload is not None else record
        kind = None if held is None else held.get("kind")
        if not isinstance(kind, str) or not kind.strip():
            raise EvidenceError("attach: the result has no 'kind'; give a mapping a 'kind' "
                                "key such as 'hypothesis_test'.")
        ev = cls(
            kind=kind, description=description,
            function=_function_name(function),
            parameters=_strict_json(dict(parameters or {}), "parameters"),
            data_source=data_source, payload=payload, record=record,
            size=size, groups=groups, group_name=group_name,
            fingerprint=None if data is None else Fingerprint.of(data),
            created_at=_now(), sixsigma_version=ss.__version__,
        )
        ev._result = typed
        return ev

    # -- the result -----------------------------------------------------------------------
    @property
    def result(self) -> Any:
        """The typed sixsigma result (restored from :attr:`payload` once, then cached).

        None while the evidence is planned, or when it holds an outside :attr:`record`.

        Raises
        ------
        EvidenceError
            The stored payload cannot be restored by :func:`sixsigma.from_dict`.
        """
        if self.payload is None:
            return None
        if self._result is None:
            self._result = _restore(self.payload, f"evidence {self.kind!r}")
        return self._result

    def record_extent(self) -> None:
        """Fill in :attr:`size` and :attr:`groups` from the result, when neither is recorded.

        For evidence attached before dmaic recorded them (the store calls it on load).
        """
        result = self.result
        if result is not None and self.size is None and self.groups is None:
            size, groups, name = _extent(result)
            if size is not None or groups is not None:
                self.size, self.groups, self.group_name = size, groups, name

    def reuse_result(self, older: Evidence) -> None:
        """Reuse ``older``'s restored result when it holds the same payload."""
        if older._result is not None and self._result is None and older.payload == self.payload:
            self._result = older._result

    @property
    def planned(self) -> bool:
        """True while no result (typed or record) is attached yet."""
        return self.payload is None and self.record is None

    # -- state ----------------------------------------------------------------------------
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
        return Fingerprint.of(data) != self.fingerprint

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
    @property
    def chart(self) -> Any:
        """The control chart held (the location chart of a pair), or None.

        An instance of :class:`sixsigma.spc.ControlChart`.
        """
        result = self.result
        if isinstance(result, ss.spc.ChartPair):
            return result.location
        return result if isinstance(result, ss.spc.ControlChart) else None

    @property
    def points(self) -> int | None:
        """Number of points (subgroups) of a control chart; None for other kinds."""
        chart = self.chart
        return None if chart is None else len(chart.statistic)

    def number(self, name: str) -> float | None:
        """A finite number the result reports under ``name`` (``"kappa"``, ``"p_value"``).

        Read as an attribute of the typed result, or a top-level key of a record; None
        when absent, not a number, or not finite.
        """
        if self.record is not None:
            return _number(self.record.get(name))
        result = self.result
        return None if result is None else _number(getattr(result, name, None))

    @property
    def data_used(self) -> str | None:
        """The size of the analysis in words (``"782 units in 2 groups"``), or None."""
        if self.size is None:
            return None
        text = f"{self.size:,} units"
        return text if self.groups is None else f"{text} in {self.groups:,} {self.group_name}"

    @property
    def p_value(self) -> float | None:
        """The p-value the result reports, if any.

        For a segment scan, the q-value (Benjamini-Hochberg) of its first cause, at the time
        it was picked: the test of that cause (see :meth:`p_value_for`).
        """
        return self.p_value_for(None)

    def p_value_for(self, segment: str | None) -> float | None:
        """The test of one segment of a segment scan: its q-value; else :attr:`p_value`.

        Parameters
        ----------
        segment : str or None
            A segment as the scan names it (``"queue=hate_speech & tenure=<30d"``); None
            for the scan's first cause. A cause's q-value is the one at the time it was
            picked (``causes``); another segment's, the one of the scan table. Ignored for
            results other than a segment scan.

        Raises
        ------
        EvidenceError
            The scan holds no such segment.
        """
        scan = self.result if self.kind == "segment_scan" else None
        if not isinstance(scan, ss.rootcause.SegmentScan):
            return self.number("p_value")
        causes = scan.causes
        if segment is None:
            return None if causes.empty else _number(causes["q_at_pick"].iloc[0])
        # a cause's test is its q-value at the pick; a segment not picked: the scan table's
        for table, column in ((causes, "q_at_pick"), (scan.segments, "q_value")):
            hit = table.loc[table["segment"] == segment, column]
            if len(hit):
                return _number(hit.iloc[0])
        raise EvidenceError(f"p_value_for: the segment scan holds no segment {segment!r}; "
                            f"its causes are {list(causes['segment'])}.")


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
        A typed sixsigma result (restorable with :func:`sixsigma.from_dict`), its
        ``to_dict()`` payload, or a JSON mapping with a ``"kind"`` key for a result computed
        elsewhere (say ``{"kind": "hypothesis_test", "p_value": 0.003, ...}``).
    data : dataframe, optional
        The input table; its fingerprint is stored so that :meth:`Evidence.is_stale` can
        tell when the data have changed.
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
        Not a typed result nor a mapping with a ``kind``; not strict JSON; a payload that
        :func:`sixsigma.from_dict` cannot restore; a parameter that is not JSON.

    Examples
    --------
    >>> from dmaic.evidence import attach
    >>> ev = attach({"kind": "hypothesis_test", "test": "two-proportion z", "p_value": 0.003},
    ...             description="tenure against the rest")
    >>> ev.kind, ev.p_value, ev.result is None, ev.planned
    ('hypothesis_test', 0.003, True, False)
    """
    return Evidence.from_result(result, data=data, description=description,
                                parameters=parameters, function=function,
                                data_source=data_source)
