"""A project's roll-out tracked on data: :func:`sixsigma.rollout.track` for its plan.

The control plan's roll-out plan (:class:`dmaic.model.RolloutPlan`) names the CTQ, the unit
column and each unit's go-live date. :func:`rollout_status` runs
:func:`sixsigma.rollout.track` on data for that CTQ and plan and returns the typed
:class:`sixsigma.rollout.Rollout` (per-unit verdicts, pooled and staggered effects, staged
charts). It is pure: it reads the project and the data and changes neither. The monitor
and the storyboard call it; :func:`attach_rollout` attaches its result as evidence (with
a call ``project.refresh`` can re-run) and cites it from the plan, which gives the
Control tollgate's ``rollout_evidence`` check its evidence.

What the plan says and what the data cover need not match, so the plan is read against
the data's time range (each adjustment is a note on the result):

* a unit whose go-live date is after the last label is not live *in these data*;
* a unit live before the first label is live from its first point (``no_baseline``);
* a unit of the plan with no rows in the data is left out;
* units in the data but not in the plan are not live (they serve as controls).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import narwhals as nw
import pandas as pd

import sixsigma as ss
from dmaic.errors import EvidenceError, ParameterError

if TYPE_CHECKING:
    from dmaic.model import Project
    from dmaic.model.control import RolloutPlan

__all__ = ["attach_rollout", "rollout_call", "rollout_columns", "rollout_status"]

#: The data columns a roll-out track needs, besides the unit column.
COLUMNS = ("defectives", "size", "label")


def rollout_columns(project: Project) -> dict[str, str | None]:
    """The data columns of the roll-out plan's CTQ: ``defectives``, ``size``, ``label``.

    Each comes from the plan when it names it, otherwise from the recorded call
    (``Evidence.parameters``) of the chart the CTQ's control-plan limits were frozen from.

    Raises
    ------
    EvidenceError
        The project has no roll-out plan, or neither the plan nor a frozen chart of its CTQ
        names the defective or label column.
    """
    plan = _plan(project)
    found: dict[str, str | None] = {c: getattr(plan, c) for c in COLUMNS}
    for item in project.control.plan:
        if item.ctq != plan.ctq or item.limits is None:
            continue
        ev = project.evidence.get(item.limits.evidence)
        params = ev.parameters if ev is not None else {}
        for c in COLUMNS:
            value = params.get(c)
            if found[c] is None and isinstance(value, str):
                found[c] = value
    lacking = [c for c in ("defectives", "label") if found[c] is None]
    if lacking:
        raise EvidenceError(f"rollout_status: the roll-out plan of {plan.ctq!r} names no "
                            f"{' or '.join(lacking)} column, and no chart its control-plan "
                            "limits were frozen from records one; set "
                            f"control.rollout.{lacking[0]}.")
    return found


def _plan(project: Project) -> RolloutPlan:
    plan = project.control.rollout
    if plan is None:
        raise EvidenceError("rollout_status: the project has no roll-out plan "
                            "(control.rollout).")
    return plan


def _frame(data: Any, columns: list[str]) -> pd.DataFrame:
    """The unit and label columns of ``data`` as pandas (any dataframe or a dict)."""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, Mapping):
        frame = pd.DataFrame(dict(data))
    else:
        native = nw.from_native(data)
        if isinstance(native, nw.LazyFrame):
            native = native.select(*[c for c in columns if c in native.columns]).collect()
        frame = native.to_pandas()
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"rollout_status: the data have no column {missing[0]!r}; they "
                             f"have {', '.join(map(repr, frame.columns))}.")
    return frame[columns]


def rollout_call(project: Project, data: Any) -> tuple[dict[str, Any], list[str]]:
    """The keyword arguments of :func:`sixsigma.rollout.track` for the plan on ``data``.

    Returns the arguments (column names, ``direction`` and ``go_live`` as
    ``{unit: ISO date or None}``, keyed by the data's unit values and read against the
    data's time range) and the notes saying how the plan was read. :func:`rollout_status`
    and :func:`attach_rollout` use them; as the recorded parameters of the evidence, they
    let ``project.refresh`` re-run the track.

    Raises
    ------
    EvidenceError, ParameterError
        As :func:`rollout_status`.
    """
    plan = _plan(project)
    cols = rollout_columns(project)
    label = cols["label"]
    assert label is not None  # rollout_columns guarantees it
    frame = _frame(data, [plan.unit_column, label])
    try:
        labels = pd.to_datetime(frame[label])
    except (ValueError, TypeError) as err:
        raise ParameterError(f"rollout_status: the label column {label!r} must hold dates "
                             f"(go-live dates are compared with it): {err}") from err
    if labels.isna().all():
        raise ParameterError(f"rollout_status: the label column {label!r} has no dates.")
    first, last = labels.min(), labels.max()
    if getattr(labels.dt, "tz", None) is not None:
        first, last = first.tz_localize(None), last.tz_localize(None)
    by_name = {str(u): u for u in pd.unique(frame[plan.unit_column].dropna())}
    notes: list[str] = []
    go_live: dict[Any, Any] = {}
    for u in plan.units:
        if u.unit not in by_name:
            notes.append(f"unit {u.unit!r} of the roll-out plan has no rows in the data: left "
                         "out")
            continue
        date = None if u.go_live is None else pd.Timestamp(u.go_live)
        if date is not None and date > last:
            notes.append(f"unit {u.unit!r} goes live on {u.go_live}, after the data's last "
                         f"label ({last.date()}): not live in these data")
            date = None
        elif date is not None and date < first:
            notes.append(f"unit {u.unit!r} went live on {u.go_live}, before the data's first "
                         f"label ({first.date()}): live from its first point")
            date = first
        go_live[by_name[u.unit]] = None if date is None else date.isoformat()
    ctq = project.define.ctq(plan.ctq)
    direction = (ctq.direction if ctq is not None else None) or "lower"
    params = {"defectives": cols["defectives"], "size": cols["size"], "label": label,
              "unit": plan.unit_column, "go_live": go_live, "direction": direction}
    return params, notes


def rollout_status(
    project: Project,
    data: Any,
    *,
    confidence: float = 0.95,
    fdr: float = 0.05,
    log: Any = None,
    process: Any = None,
    case: str = "case_id",
    activity: str = "activity",
    timestamp: str = "timestamp",
) -> ss.rollout.Rollout:
    """Track the project's roll-out plan on ``data`` (see the module docstring).

    Parameters
    ----------
    project : dmaic.Project
        A project whose ``control.rollout`` is set.
    data : dataframe or dict
        Records (or counts per row) with the plan's unit column and the CTQ's columns
        (:func:`rollout_columns`); the label column holds dates.
    confidence, fdr : float
        As :func:`sixsigma.rollout.track`.
    log, process, case, activity, timestamp
        Adherence to the intended flow, as :func:`sixsigma.rollout.track`.

    Returns
    -------
    sixsigma.rollout.Rollout
        Its ``direction`` is the CTQ's (``"lower"`` when the CTQ has none); its notes
        include how the plan was read against the data.

    Raises
    ------
    EvidenceError
        No roll-out plan, or its CTQ's columns unknown (:func:`rollout_columns`).
    ParameterError
        A column absent from the data, or a label column that does not hold dates.

    Examples
    --------
    >>> import dmaic, pandas as pd
    >>> from dmaic.rollouts import rollout_status
    >>> days = pd.date_range("2026-01-01", periods=20)
    >>> data = pd.DataFrame([{"day": d, "region": r, "audited": 200,
    ...                       "errors": 20 if (r == "A" and d >= days[10]) else 30}
    ...                      for d in days for r in "AB"])
    >>> p = dmaic.Project(title="t", define={"ctqs": [{"id": "err", "name": "Errors",
    ...                                                 "direction": "lower"}]})
    >>> p.control.rollout = {"ctq": "err", "units": [
    ...     {"unit": "A", "go_live": "2026-01-11"}, {"unit": "B", "go_live": "2026-09-01"}],
    ...     "defectives": "errors", "size": "audited", "label": "day"}
    >>> r = rollout_status(p, data)
    >>> r.table[["unit", "verdict"]].to_dict("records")
    [{'unit': 'A', 'verdict': 'improved'}, {'unit': 'B', 'verdict': 'not_live'}]
    >>> print(r.notes[-1][:61])
    unit 'B' goes live on 2026-09-01, after the data's last label
    """
    params, notes = rollout_call(project, data)
    result = ss.rollout.track(data, **params, confidence=confidence, fdr=fdr, log=log,
                              process=process, case=case, activity=activity,
                              timestamp=timestamp)
    if not notes:
        return result
    return dataclasses.replace(result, notes=(*result.notes, *notes))



def attach_rollout(project: Project, data: Any, evidence_id: str = "rollout", *,
                   description: str | None = None, data_source: str | None = None,
                   confidence: float = 0.95, fdr: float = 0.05) -> ss.rollout.Rollout:
    """Track the roll-out on ``data``, attach the result and cite it from the plan.

    The result is attached as evidence ``evidence_id`` with the data's fingerprint and the
    call (``sixsigma.rollout.track`` and :func:`rollout_call`'s arguments, so that
    ``project.refresh(evidence_id, new_data)`` re-runs it), and ``control.rollout.evidence``
    is set to it: the Control tollgate's ``rollout_evidence`` check then counts every unit
    the result has live.

    Returns
    -------
    sixsigma.rollout.Rollout
        The attached result (as :func:`rollout_status`).
    """
    params, _ = rollout_call(project, data)
    result = rollout_status(project, data, confidence=confidence, fdr=fdr)
    recorded = {**params, "go_live": {str(k): v for k, v in params["go_live"].items()},
                "confidence": confidence, "fdr": fdr}
    plan = _plan(project)
    project.attach(evidence_id, result, data=data,
                   description=description or f"Roll-out of {plan.ctq} by {plan.unit_column}",
                   parameters=recorded,
                   function="sixsigma.rollout.track", data_source=data_source)
    project.set("control.rollout.evidence", evidence_id)
    return result
