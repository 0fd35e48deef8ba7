"""Migrations of project files from older schema versions to the current one.

Each migration takes the parsed document (plain dicts and lists) of version ``n`` and
returns that of version ``n + 1``; :func:`migrate` chains them. A file without
``schema_version`` is read as version 1.

Version 1 (the first draft of the format, early 2026) differed from version 2 in three ways:

* the current stage was called ``stage``; version 2 calls it ``phase``;
* a CTQ said ``lower_is_better: true | false``; version 2 says
  ``direction: "lower" | "higher"`` (and allows it to be missing while drafting);
* there was no ``revision``; version 2 starts migrated files at revision 0.

Version 2 differed from version 3 in how evidence holds its result:

* version 2 kept each result's hand-written ``to_dict()`` (``result``) and a copy of its
  top-level scalars (``summary``); version 3 keeps the typed result's payload, written by
  the sixsigma result base and read back with :func:`sixsigma.from_dict` (``payload``), or,
  for a result computed outside sixsigma, the JSON mapping as given (``record``).
  :func:`v2_to_v3` rebuilds the typed result from the old payload where the old form holds
  every field of the result class faithfully (control charts, chart pairs and sigma
  metrics: :data:`CONVERTIBLE`); any other old payload (results holding tables, whose old
  form lost their index and dtypes: kappas, capability, Pareto, flow, root-cause results)
  is kept, unchanged and readable, as the evidence's ``record``: the tollgates still read
  its top-level numbers (``p_value``, ``kappa``, ``alpha``, ``pct_grr``, ``sigma_level``);
* ``summary`` is gone (it repeated the result); ``size`` is new (left empty).

Version 4 gives each project a stable ``id`` (a UUID), so that a save never replaces one
project's file with another project: :func:`v3_to_v4` derives the id of an older file from
its content (:func:`derived_id`), so that loading the same file twice gives the same id
until it is saved with it.

Version 5 lets a CTQ record the proposal its target was chosen from (``target_source``:
the candidate, its probability of being met and the evidence holding the proposal).
:func:`v4_to_v5` changes nothing else: an older file's CTQs have no recorded proposal.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import sixsigma as ss
from dmaic.errors import MigrationError
from dmaic.evidence import is_typed_result, plain_json
from dmaic.types import SCHEMA_VERSION

__all__ = ["CONVERTIBLE", "MIGRATIONS", "convert_v2_result", "derived_id", "migrate"]

Document = dict[str, Any]


def v1_to_v2(doc: Document) -> Document:
    """``stage`` -> ``phase``; CTQ ``lower_is_better`` -> ``direction``; add ``revision``."""
    out = copy.deepcopy(doc)
    if "stage" in out:
        out["phase"] = out.pop("stage")
    define = out.get("define")
    ctqs = define.get("ctqs") if isinstance(define, dict) else None
    for ctq in ctqs if isinstance(ctqs, list) else []:
        if isinstance(ctq, dict) and "lower_is_better" in ctq:
            flag = ctq.pop("lower_is_better")
            if flag is not None:
                ctq["direction"] = "lower" if flag else "higher"
    out.setdefault("revision", 0)
    out["schema_version"] = 2
    return out


def _classes() -> dict[str, type]:
    return {
        "control_chart": ss.spc.ControlChart, "chart_pair": ss.spc.ChartPair,
        "sigma_metrics": ss.capability.SigmaMetrics,
    }


#: Kinds whose version-2 payload :func:`convert_v2_result` turns into the typed result.
CONVERTIBLE: frozenset[str] = frozenset(_classes())


def _floats(values: Any) -> Any:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _labels(values: list[Any]) -> Any:
    if values and all(isinstance(v, str) for v in values):
        try:
            parsed = [_dt.datetime.fromisoformat(v) for v in values]
        except ValueError:
            return np.array(values, dtype=object)
        if all(p.tzinfo is None for p in parsed):  # microseconds: what pandas makes of dates
            return np.array(parsed, dtype="datetime64[us]")
    return np.array(values, dtype=object) if any(isinstance(v, str) for v in values) \
        else np.array(values)


def _coerce(value: Any, annotation: str, name: str) -> Any:
    """An old (version 2) JSON value as the type the result field declares."""
    if "DataFrame" in annotation or "Series" in annotation:
        # the old form kept tables as records, without their index and dtypes
        raise MigrationError(f"the old form of {name!r} (a table) cannot be restored")
    if value is None:
        return float("nan") if annotation == "float" else None
    if "NDArray" in annotation or "ndarray" in annotation:
        if "float" in annotation:
            return _floats(value)
        if "bool" in annotation:
            return np.array(value, dtype=bool)
        if "int" in annotation:
            return np.array(value, dtype=np.int64)
        if "str" in annotation:
            if name == "violation_rule":  # the chart holds rule ids in the rule-name dtype
                names = np.array(ss.spc.ALL_RULES)
                return np.array(value, dtype=np.result_type(np.array(value, dtype=str), names))
            return np.array(value, dtype=str)
        return _labels(value) if name == "labels" else np.array(value, dtype=object)
    if annotation.startswith("tuple[Stage"):
        stages = []
        for stage in value:
            fields: dict[str, Any] = {k: float("nan") if v is None and k in ("center", "sigma")
                                      else v for k, v in stage.items()}
            stages.append(ss.spc.Stage(**fields))
        return tuple(stages)
    if annotation.startswith("tuple[float"):
        return tuple(float("nan") if v is None else float(v) for v in value)
    if annotation.startswith("tuple"):
        return tuple(value)
    if annotation == "float":
        return float(value)
    if annotation in ("ControlChart",):
        return _build(ss.spc.ControlChart, value)
    return value


def _build(cls: type, old: Mapping[str, Any]) -> Any:
    fields = [f for f in dataclasses.fields(cls) if f.init and f.name != "kind"]
    missing = [f.name for f in fields if f.name not in old
               and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise MigrationError(f"the old payload lacks {missing}")
    kwargs = {f.name: _coerce(old[f.name], f.type if isinstance(f.type, str)
                              else getattr(f.type, "__name__", repr(f.type)), f.name)
              for f in fields if f.name in old}
    if "conventions" in {f.name for f in fields} and "conventions" not in old:
        kwargs["conventions"] = _v2_conventions(old)
    stages = kwargs.get("stages")
    if old.get("chart") in ("laney_p", "laney_u") and stages and not kwargs.get("parameters"):
        # version 2 kept sigma_z only on the stages; charts now also state the last one's
        kwargs["parameters"] = {"sigma_z": stages[-1].extra["sigma_z"]}
    return cls(**kwargs)


def _v2_conventions(old: Mapping[str, Any]) -> dict[str, str]:
    """The conventions a version-2 chart followed (the library's only choices then)."""
    chart = old.get("chart")
    out: dict[str, str] = {}
    if chart in ("p", "np", "c", "u"):
        out["limits_method"] = "normal"
    if chart in ("laney_p", "laney_u"):
        out["sigma_z_floor"] = "none"
    if chart in ("g", "t"):
        out["runs_about"] = "mean"
    if chart == "ewma":
        out["ewma_limits"] = "qcc"
    return out


def _v2_sigma_metrics(old: Mapping[str, Any]) -> dict[str, Any]:
    """Version 2 named the defect count ``defects`` and kept three ``*_interval`` fields."""
    out = {k: v for k, v in old.items()
           if k not in ("defects", "dpo_interval", "dpmo_interval", "sigma_interval")}
    if "defects" in old:
        out["count"] = old["defects"]
    names = {"dpo_interval": "dpo", "dpmo_interval": "dpmo", "sigma_interval": "sigma_level"}
    out["intervals"] = {new: tuple(old[key]) for key, new in names.items()
                        if isinstance(old.get(key), list)}
    return out


#: Field renames between the version-2 payload of a kind and its result class today.
_V2_FIELDS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "sigma_metrics": _v2_sigma_metrics,
}


def convert_v2_result(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The version-3 payload of a version-2 result payload, or None when not convertible.

    The old payload's fields are read by the field types of the result class of its kind,
    the typed result is built, and its ``to_dict()`` is returned after checking that
    :func:`sixsigma.from_dict` restores it. None for kinds outside :data:`CONVERTIBLE`,
    for classes not derived from the result base, and for payloads that do not fit.
    """
    kind = payload.get("kind")
    cls = _classes().get(kind) if isinstance(kind, str) else None
    if cls is None or not callable(getattr(cls, "from_dict", None)):
        return None
    if kind in _V2_FIELDS:
        payload = _V2_FIELDS[kind](payload)
    try:
        typed = _build(cls, payload)
        if not is_typed_result(typed):
            return None
        out: dict[str, Any] = json.loads(json.dumps(typed.to_dict(), allow_nan=False))
        ss.from_dict(out)
    except Exception:  # noqa: BLE001 - any failure means: keep the old payload readable
        return None
    return out


def v2_to_v3(doc: Document) -> Document:
    """Evidence ``result`` -> typed ``payload`` (or ``record``); drop ``summary``."""
    out = copy.deepcopy(doc)
    evidence = out.get("evidence")
    for ev in evidence.values() if isinstance(evidence, dict) else []:
        if not isinstance(ev, dict):
            continue
        ev.pop("summary", None)
        old = ev.pop("result", None)
        if isinstance(old, dict):
            old = {"kind": ev.get("kind"), **old} if "kind" not in old else old
            new = convert_v2_result(old)
            if new is not None:
                ev["payload"] = new
            else:
                ev["record"] = _readable(plain_json(old))
    out["schema_version"] = 3
    return out


def _readable(record: dict[str, Any]) -> dict[str, Any]:
    """A v2 gage R&R payload gains its %GRR as a top-level ``pct_grr`` (as tollgates read it).

    Version 2 kept the components table as records keyed by ``source`` or ``index``.
    """
    rows = record.get("components")
    if record.get("kind") != "gage_rr" or "pct_grr" in record or not isinstance(rows, list):
        return record
    for row in rows:
        if isinstance(row, dict) and "gage_rr" in (row.get("source"), row.get("index")):
            return {**record, "pct_grr": row.get("pct_study_var")}
    return record


_NAMESPACE = uuid.UUID("6f1c2b9e-5d4a-4c1e-9b57-0d7a3e2f8c11")


def derived_id(doc: Mapping[str, Any]) -> str:
    """A project id for a document that has none: a UUID (version 5) of its content.

    The same document gives the same id every time it is read, so two people loading one
    older file get the same project; once saved, the file holds the id.
    """
    canonical = json.dumps({k: v for k, v in doc.items() if k != "id"}, sort_keys=True,
                           default=str, ensure_ascii=True)
    return str(uuid.uuid5(_NAMESPACE, canonical))


def v3_to_v4(doc: Document) -> Document:
    """Give the project a stable ``id`` (derived from the document: :func:`derived_id`)."""
    out = copy.deepcopy(doc)
    if "id" not in out:
        out["id"] = derived_id(doc)
    out["schema_version"] = 4
    return out


def v4_to_v5(doc: Document) -> Document:
    """Nothing to convert: CTQs of older files have no ``target_source`` (None)."""
    out = copy.deepcopy(doc)
    out["schema_version"] = 5
    return out


#: ``MIGRATIONS[n]`` turns a version-n document into a version n+1 document.
MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: v1_to_v2, 2: v2_to_v3,
                                                         3: v3_to_v4, 4: v4_to_v5}


def migrate(doc: Document, *, source: str = "document") -> Document:
    """Bring a parsed project document to the current schema version.

    Parameters
    ----------
    doc : dict
        The parsed file.
    source : str
        Name used in error messages (the file path).

    Returns
    -------
    dict
        A new document at :data:`dmaic.types.SCHEMA_VERSION`; ``doc`` is not modified.

    Raises
    ------
    MigrationError
        The version is not an integer, is newer than this dmaic, or has no migration.

    Examples
    --------
    >>> from dmaic.migrations import migrate
    >>> old = {"schema_version": 1, "title": "t", "stage": "measure",
    ...        "define": {"ctqs": [{"id": "e", "name": "Error rate", "lower_is_better": True}]}}
    >>> new = migrate(old)
    >>> new["schema_version"], new["phase"], new["define"]["ctqs"][0]["direction"]
    (5, 'measure', 'lower')
    """
    version = doc.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise MigrationError(f"load: {source} has schema_version {version!r}; expected an "
                             "integer.")
    if version > SCHEMA_VERSION:
        raise MigrationError(f"load: {source} has schema_version {version}, newer than the "
                             f"{SCHEMA_VERSION} this dmaic reads; upgrade dmaic.")
    out = doc
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise MigrationError(f"load: {source} has schema_version {version}, which cannot "
                                 "be migrated.")
        out = step(out)
        version = out["schema_version"]
    return out
