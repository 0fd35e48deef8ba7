"""The one base of every result object, and the JSON form all results share.

Every analysis returns a frozen dataclass deriving from :class:`Result`::

    @dataclass(frozen=True, eq=False, repr=False)
    class Pareto(Result, kind="pareto"):
        table: pd.DataFrame
        ...

The class keyword ``kind`` registers the class, so that :func:`from_dict` can rebuild any
result from its payload. The base gives every result

- read-only numpy arrays (writeable arrays are frozen on construction, without a copy),
- ``notes`` (a keyword-only tuple of strings: why a figure is undefined, what was assumed),
- ``to_dict()``: strict JSON (``json.dumps(..., allow_nan=False)`` works) carrying ``kind``
  and :data:`RESULT_SCHEMA_VERSION`; a non-finite scalar becomes null and gains a note,
- ``from_dict(payload)``: an equal typed result (equality of results is equality of their
  payloads, so a non-finite scalar comes back as None with the same note),
- ``to_frame()``, ``summary()``, ``_repr_html_()`` and ``__repr__``, derived once.

The payload format
------------------
Scalars (str, int, finite float, bool, None) and lists are written as they are; a dict
whose keys are all text not starting with ``__`` is written as a JSON object. Every other
value is a one-key object naming its type:

``{"__ndarray__": dtype, "data": [...], "shape": [...]}`` (float NaN/inf as null,
datetimes as ISO text; ``shape`` only when not one-dimensional),
``{"__frame__": {...}}`` / ``{"__series__": {...}}`` (columns as arrays, the index unless it
is the default one), ``{"__tuple__": [...]}``, ``{"__set__": [...]}``,
``{"__dict__": [[key, value], ...]}``, ``{"__datetime__": iso}``, ``{"__date__": iso}``,
``{"__timedelta__": seconds}``, ``{"__graph__": node-link data}``, ``{"__result__": payload}``
(a result inside a result) and ``{"__part__": name, "fields": {...}}`` (a registered plain
dataclass such as a chart's :class:`~sixsigma.spc.Stage`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "Result",
    "decode",
    "encode",
    "from_dict",
    "frozen_array",
    "html_table",
    "jsonable",
    "part",
    "registry",
]

#: Version of the payload format written by :meth:`Result.to_dict`.
RESULT_SCHEMA_VERSION = 1

_RESULTS: dict[str, type[Result]] = {}
_PARTS: dict[str, type[Any]] = {}

T = TypeVar("T")


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


def part(cls: type[T]) -> type[T]:
    """Register a plain dataclass (or NamedTuple) that results hold, for :func:`from_dict`.

    A part is a small record inside a result (a chart's stage, a distribution fit). It is
    encoded as ``{"__part__": name, "fields": {...}}`` and rebuilt by its constructor.
    """
    name = cls.__name__
    if name in _PARTS and _PARTS[name] is not cls:
        raise TypeError(f"a result part named {name!r} is already registered")
    _PARTS[name] = cls
    return cls


def registry() -> dict[str, type[Result]]:
    """Every registered result class by its ``kind`` (a copy)."""
    # every result module is imported by the package's __init__, which runs before any
    # submodule (this one included) can be imported: the registry is complete here
    return dict(_RESULTS)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Result:
    """Base of every public result (see the module docstring).

    Subclasses are ``@dataclass(frozen=True, eq=False, repr=False)`` and name their kind:
    ``class Pareto(Result, kind="pareto")``. ``notes`` is keyword-only, so subclasses may
    declare fields without defaults.
    """

    kind: ClassVar[str] = "result"
    #: Derived attributes (properties) also written to the payload for readers of the JSON;
    #: :func:`from_dict` ignores them (they are recomputed from the fields).
    payload_extras: ClassVar[tuple[str, ...]] = ()
    notes: tuple[str, ...] = dataclasses.field(default=(), kw_only=True)

    def __init_subclass__(cls, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind is None:
            return
        if kind in _RESULTS and _RESULTS[kind].__qualname__ != cls.__qualname__:
            raise TypeError(f"result kind {kind!r} is already registered by "
                            f"{_RESULTS[kind].__qualname__}")
        cls.kind = kind
        _RESULTS[kind] = cls

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.flags.writeable:
                object.__setattr__(self, f.name, frozen_array(value))
            elif isinstance(value, list) and f.name == "notes":
                object.__setattr__(self, f.name, tuple(value))

    # -- serialisation --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result as strict JSON: ``kind``, ``schema_version`` and every field.

        A scalar that is not a finite number (NaN, inf) is written as null, and a note
        saying so is added unless one already names the field.
        """
        out: dict[str, Any] = {"kind": self.kind, "schema_version": RESULT_SCHEMA_VERSION}
        notes = list(self.notes)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if _nonfinite(value) and not any(f.name in n for n in notes):
                notes.append(f"{f.name} is {_describe_nonfinite(value)}: stored as null.")
            out[f.name] = encode(value)
        out["notes"] = list(notes)  # plain text, for the people reading a payload
        for name in self.payload_extras:
            out[name] = jsonable(getattr(self, name))
        return out

    @classmethod
    def from_dict(cls: type[R], payload: Mapping[str, Any]) -> R:
        """Rebuild a result of this class (or of the payload's kind) from :meth:`to_dict`."""
        result = from_dict(payload)
        if not isinstance(result, cls):
            raise TypeError(f"payload of kind {payload.get('kind')!r} is not a {cls.__name__}")
        return result

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Result)
        return self is other or self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # equal by value, so not hashable

    # -- presentation ---------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """A tidy frame: the ``table`` field when the result has one, else one row of scalars."""
        table = getattr(self, "table", None)
        if isinstance(table, pd.DataFrame):
            return table.copy()
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
               if _is_scalar(getattr(self, f.name)) and f.name != "notes"}
        return pd.DataFrame([row])

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        scalars = [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)
                   if _is_scalar(getattr(self, f.name))]
        lines = [_title(self)]
        lines += [f"  {name}: {_fmt(value)}" for name, value in scalars]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(self.to_frame(), caption=self.summary().splitlines()[0])

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.summary().splitlines()[0]}>"


R = TypeVar("R", bound=Result)


def from_dict(payload: Mapping[str, Any]) -> Result:
    """Rebuild the typed result that :meth:`Result.to_dict` wrote.

    Parameters
    ----------
    payload : dict
        A result's ``to_dict()`` (possibly after a trip through JSON).

    Returns
    -------
    Result
        An instance of the registered class of ``payload["kind"]``, equal to the original.

    Raises
    ------
    sixsigma.errors.InputError
        When the payload is not a result payload, names an unknown kind or a newer schema.

    Examples
    --------
    >>> import json, sixsigma as ss
    >>> chart = ss.spc.c_chart({"defects": [3, 5, 4, 6]}, count="defects")
    >>> again = ss.from_dict(json.loads(json.dumps(chart.to_dict())))
    >>> type(again).__name__, again == chart
    ('ControlChart', True)
    """
    from sixsigma.errors import InputError

    if not isinstance(payload, Mapping) or "kind" not in payload:
        raise InputError("from_dict: a result payload is a dict with a 'kind' key (the "
                         "output of result.to_dict()).")
    kind = payload["kind"]
    cls = _RESULTS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InputError(f"from_dict: unknown result kind {kind!r}; known kinds: "
                         f"{', '.join(sorted(_RESULTS))}.")
    version = payload.get("schema_version", RESULT_SCHEMA_VERSION)
    if not isinstance(version, int) or version > RESULT_SCHEMA_VERSION:
        raise InputError(f"from_dict: payload schema_version {version!r} is newer than this "
                         f"version of sixsigma reads ({RESULT_SCHEMA_VERSION}).")
    values = {f.name: decode(payload[f.name]) for f in dataclasses.fields(cls)
              if f.name in payload}
    if isinstance(values.get("notes"), list):
        values["notes"] = tuple(values["notes"])
    init = {k: v for k, v in values.items()
            if next(f for f in dataclasses.fields(cls) if f.name == k).init}
    try:
        obj = cls(**init)
    except TypeError as err:
        raise InputError(f"from_dict: the payload does not fit a {kind!r} result: {err}") \
            from err
    for name, value in values.items():
        if name not in init:
            object.__setattr__(obj, name, value)
    return obj


# -- encoding ---------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """Turn a value held by a result into strict JSON (see the module docstring)."""
    if value is None or isinstance(value, bool | str):
        return value
    if value is pd.NA:
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if isinstance(value, Result):
        return {"__result__": value.to_dict()}
    if isinstance(value, pd.DataFrame):
        return {"__frame__": _encode_frame(value)}
    if isinstance(value, pd.Series):
        return {"__series__": {"name": encode(value.name), "dtype": str(value.dtype),
                               "data": _encode_array(_column_array(value)),
                               "index": _encode_index(value.index)}}
    if isinstance(value, pd.Timestamp | _dt.datetime):
        return {"__datetime__": None if pd.isna(value) else value.isoformat()}
    if isinstance(value, np.datetime64):
        return {"__datetime__": None if np.isnat(value) else pd.Timestamp(value).isoformat()}
    if isinstance(value, _dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, pd.Timedelta | _dt.timedelta | np.timedelta64):
        td = pd.Timedelta(value)
        return {"__timedelta__": None if pd.isna(td) else td.total_seconds()}
    if type(value) in _PARTS.values():
        if dataclasses.is_dataclass(value):
            fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        else:  # NamedTuple
            fields = {k: encode(v) for k, v in value._asdict().items()}
        return {"__part__": type(value).__name__, "fields": fields}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, set | frozenset):
        return {"__set__": sorted((encode(v) for v in value), key=repr)}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if _is_graph(value):
        import networkx as nx

        return {"__graph__": encode(_finite_attributes(nx.node_link_data(value,
                                                                        edges="edges")))}
    raise TypeError(f"cannot encode a {type(value).__name__} in a result payload; register it "
                    "with sixsigma._result.part or convert it in the result class")


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) >= 1:
        tag = next(iter(value))
        if tag.startswith("__") and tag in _DECODERS:
            return _DECODERS[tag](value)
    return {k: decode(v) for k, v in value.items()}


def jsonable(value: Any) -> Any:
    """Plain JSON for numpy/pandas values (arrays as lists, NaN and inf as null).

    For report and table cells, where the typed form of :func:`encode` is not wanted.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            out: list[Any] = value.astype(object).tolist()
            return [None if (v is None or not math.isfinite(v)) else v for v in out]
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
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date):
        return None if pd.isna(value) else value.isoformat()
    return value


def html_table(frame: pd.DataFrame, *, caption: str, max_rows: int = 20) -> str:
    """A small, escaped HTML table for Jupyter's ``_repr_html_``."""
    shown = frame if len(frame) <= max_rows else frame.tail(max_rows)
    body = shown.to_html(index=False, escape=True, float_format=lambda v: f"{v:.6g}",
                         na_rep="")
    more = "" if len(frame) <= max_rows else f"<p>last {max_rows} of {len(frame)} rows</p>"
    return f"<div><strong>{html.escape(caption)}</strong>{more}{body}</div>"


# -- helpers ----------------------------------------------------------------------------------
def _encode_array(arr: NDArray[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"__ndarray__": arr.dtype.str}
    flat = arr.ravel()
    kind = arr.dtype.kind
    if kind == "f":
        data: list[Any] = flat.tolist()
        bad = ~np.isfinite(flat)
        if bad.any():
            for i in np.flatnonzero(bad).tolist():
                data[i] = None
    elif kind == "M":
        data = [None if np.isnat(v) else pd.Timestamp(v).isoformat() for v in flat]
    elif kind == "m":
        data = [None if np.isnat(v) else int(v.astype("m8[ns]").astype(np.int64)) for v in flat]
    elif kind == "c":
        data = [[float(v.real), float(v.imag)] for v in flat]
    elif kind == "O":
        out["__ndarray__"] = "object"
        data = [encode(v) for v in flat.tolist()]
    else:
        data = flat.tolist()
    out["data"] = data
    if arr.ndim != 1:
        out["shape"] = list(arr.shape)
    return out


def _decode_array(value: Mapping[str, Any]) -> NDArray[Any]:
    dtype = value["__ndarray__"]
    data = value["data"]
    shape = tuple(value.get("shape", (len(data),)))
    if dtype == "object":
        arr = np.empty(len(data), dtype=object)
        arr[:] = [decode(v) for v in data] if data else []
        return arr.reshape(shape)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        arr = np.array([np.nan if v is None else v for v in data], dtype=dt)
    elif dt.kind == "M":
        arr = np.array([np.datetime64("NaT") if v is None else
                        pd.Timestamp(v).tz_localize(None).to_datetime64() for v in data],
                       dtype=dt)
    elif dt.kind == "m":
        arr = np.array([np.timedelta64("NaT") if v is None else np.timedelta64(v, "ns")
                        for v in data], dtype=dt)
    elif dt.kind == "c":
        arr = np.array([complex(a, b) for a, b in data], dtype=dt)
    else:
        arr = np.array(data, dtype=dt)
    return arr.reshape(shape)


def _column_array(col: pd.Series) -> NDArray[Any]:
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiubMm":
        return col.to_numpy()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return np.asarray(col.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    return np.asarray(col.astype(object).to_numpy())


def _restore(arr: NDArray[Any], dtype: str) -> pd.Series:
    series = pd.Series(arr, copy=False)
    if str(series.dtype) == dtype:
        return series
    target: Any = dtype
    try:
        if dtype.startswith("datetime64[") and ", " in dtype:
            tz = dtype[dtype.index(", ") + 2:-1]
            return pd.to_datetime(series).dt.tz_localize("UTC").dt.tz_convert(tz)
        return series.astype(target)
    except (TypeError, ValueError):
        return series


def _encode_index(index: pd.Index) -> Any:
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 \
            and index.name is None:
        return None
    if isinstance(index, pd.MultiIndex):
        return {"names": [encode(n) for n in index.names],
                "levels": [_encode_array(_column_array(
                    pd.Series(index.get_level_values(i)))) for i in range(index.nlevels)]}
    return {"names": [encode(index.name)],
            "levels": [_encode_array(_column_array(pd.Series(index)))],
            "dtypes": [str(index.dtype)]}


def _decode_index(value: Any, n: int) -> pd.Index:
    if value is None:
        return pd.RangeIndex(n)
    levels = [_decode_array(v) for v in value["levels"]]
    names = [decode(v) for v in value["names"]]
    if len(levels) == 1:
        dtypes = value.get("dtypes", [None])
        series = _restore(levels[0], dtypes[0]) if dtypes[0] else pd.Series(levels[0])
        return pd.Index(series, name=names[0])  # type: ignore[no-any-return]
    return pd.MultiIndex.from_arrays(levels, names=names)


def _encode_frame(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "columns": [encode(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "data": [_encode_array(_column_array(frame.iloc[:, i]))
                 for i in range(frame.shape[1])],
        "index": _encode_index(frame.index),
        "columns_name": encode(frame.columns.name),
    }


def _decode_frame(value: Mapping[str, Any]) -> pd.DataFrame:
    v = value["__frame__"]
    columns = [decode(c) for c in v["columns"]]
    arrays = [_restore(_decode_array(a), t) for a, t in zip(v["data"], v["dtypes"],
                                                             strict=True)]
    n = len(arrays[0]) if arrays else 0
    if arrays:
        frame = pd.concat([a.reset_index(drop=True) for a in arrays], axis=1,
                          keys=range(len(arrays)))
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(n))
    frame.columns = pd.Index(columns, dtype=object) if columns else pd.RangeIndex(0)
    frame.index = _decode_index(v["index"], n)
    frame.columns.name = decode(v.get("columns_name"))
    return frame


def _decode_series(value: Mapping[str, Any]) -> pd.Series:
    v = value["__series__"]
    series = _restore(_decode_array(v["data"]), v["dtype"])
    series.index = _decode_index(v["index"], len(series))
    series.name = decode(v["name"])
    return series


def _decode_part(value: Mapping[str, Any]) -> Any:
    from sixsigma.errors import InputError

    cls = _PARTS.get(value["__part__"])
    if cls is None:
        raise InputError(f"from_dict: unknown result part {value['__part__']!r}.")
    return cls(**{k: decode(v) for k, v in value["fields"].items()})


def _decode_graph(value: Mapping[str, Any]) -> Any:
    import networkx as nx

    data = decode(value["__graph__"])
    graph = nx.node_link_graph(data, edges="edges")
    return graph


def _decode_datetime(value: Mapping[str, Any]) -> Any:
    v = value["__datetime__"]
    return pd.NaT if v is None else pd.Timestamp(v)


def _decode_timedelta(value: Mapping[str, Any]) -> Any:
    v = value["__timedelta__"]
    return pd.NaT if v is None else pd.Timedelta(seconds=v)


_DECODERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "__ndarray__": _decode_array,
    "__frame__": _decode_frame,
    "__series__": _decode_series,
    "__tuple__": lambda v: tuple(decode(x) for x in v["__tuple__"]),
    "__set__": lambda v: frozenset(decode(x) for x in v["__set__"]),
    "__dict__": lambda v: {_hashable(decode(k)): decode(x) for k, x in v["__dict__"]},
    "__datetime__": _decode_datetime,
    "__date__": lambda v: _dt.date.fromisoformat(v["__date__"]),
    "__timedelta__": _decode_timedelta,
    "__graph__": _decode_graph,
    "__result__": lambda v: from_dict(v["__result__"]),
    "__part__": _decode_part,
}


def _finite_attributes(data: dict[str, Any]) -> dict[str, Any]:
    """Node-link data without non-finite attribute values: unknown or unlimited is absent."""
    def clean(attrs: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in attrs.items() if not _nonfinite(v)}

    out = dict(data)
    out["graph"] = clean(dict(data.get("graph", {})))
    out["nodes"] = [clean(n) for n in data.get("nodes", [])]
    out["edges"] = [clean(e) for e in data.get("edges", [])]
    return out


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _is_graph(value: Any) -> bool:
    return type(value).__module__.startswith("networkx.")


def _nonfinite(value: Any) -> bool:
    return isinstance(value, float | np.floating) and not math.isfinite(float(value))


def _describe_nonfinite(value: Any) -> str:
    v = float(value)
    return "undefined (NaN)" if math.isnan(v) else ("+inf" if v > 0 else "-inf")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, int | float | str | bool | np.generic)


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    return str(value)


def _title(result: Result) -> str:
    return type(result).__name__
