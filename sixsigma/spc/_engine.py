"""The machinery every control chart shares.

Phases, stages, known standards, frozen limits, iterative revision and run rules.

A chart type is described by a :class:`Spec`: how to estimate its parameters from a set of
points (:attr:`Spec.estimate`) and, for each panel it draws (one for a p chart, two for
X-bar/R), how to compute the per-point limits from those parameters. This is the explicit
Python form of qcc's ``stats.`` / ``sd.`` / ``limits.`` triple. :func:`build` then applies
the options identically to every chart type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import CHUNK, Table, first_row, parse_dates, show
from sixsigma._params import check_number
from sixsigma.errors import (
    InputError,
    InsufficientDataError,
    ParameterError,
    ZeroVarianceError,
)
from sixsigma.spc.chart import ChartPair, ControlChart, Stage
from sixsigma.spc.rules import RULE_SETS, find_violations, resolve_rules, rule_params

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
# The points that estimate a stage: their positions, or the stage's slice when every point
# of it does (``Spec.slice_estimate``): views instead of index copies of every array.
Points = IntArray | slice

# Rules that do not assume a symmetric distribution of the statistic: the ones Minitab
# applies to R, S and moving-range charts (its tests 1-4).
DISPERSION_RULES = frozenset({"nelson_1", "nelson_2", "nelson_3", "nelson_4", "we_1", "we_4"})


@dataclass(frozen=True)
class Params:
    """Estimated (or known, or frozen) parameters of one stage."""

    center: float
    sigma: float
    extra: dict[str, float] = field(default_factory=dict)


Limits = tuple[FloatArray, FloatArray, FloatArray, FloatArray]  # center, se, lcl, ucl


@dataclass
class Panel:
    """One plotted chart: its statistic and how its limits follow from the parameters."""

    chart: str
    statistic: FloatArray
    limits: Callable[[Params, slice, float], Limits]
    floor_zero: bool = False  # a lower limit below 0 is absent (counts, proportions, ranges)
    ceiling: FloatArray | None = None  # an upper limit above this is absent (p <= 1, np <= n)
    dispersion: bool = False
    revise: bool = True  # used by revise=True to find the points to drop
    # For charts whose rules are judged on a transformed scale (the t chart).
    transform: Callable[[FloatArray], FloatArray] | None = None
    # For statistics that depend on the stage's parameters (EWMA, CUSUM sums): fills
    # ``statistic[sl]`` from the parameters of the stage.
    dynamic: Callable[[Params, slice], FloatArray] | None = None
    # Same-side runs judged about the median (``Params.extra["median"]``; g and t charts).
    runs_about_median: bool = False


@dataclass
class Spec:
    """A chart type: the points, how to estimate, the panels."""

    caller: str
    column: str  # the data column, named in errors
    n: FloatArray
    labels: NDArray[Any]
    estimate: Callable[[Any, float | None, float | None], Params]
    panels: list[Panel]
    sigma_method: str
    row_point: IntArray | None = None  # point of each input row, where rows != points
    min_points: int = 2
    parameters: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conventions: dict[str, str] = field(default_factory=dict)
    zero_sigma_ok: bool = False
    estimate_from_center: bool = False  # sigma follows from the centre (attribute, g charts)
    # ``estimate`` accepts a slice (the whole stage estimates): arrays read as views
    slice_estimate: bool = False

    @property
    def size(self) -> int:
        """Number of points."""
        return int(self.n.size)


@dataclass(frozen=True)
class Options:
    """The keywords every chart takes, as the user gave them."""

    phase1: Any = None
    limits: Any = None
    stage: Any = None
    center: float | None = None
    sigma: float | None = None
    rules: Any = None
    exclude: Any = None
    revise: bool = False
    nsigmas: float = 3.0


# ---------------------------------------------------------------------------------------
# resolving the options into per-point arrays


def _per_point(
    values: NDArray[Any], spec: Spec, what: str
) -> NDArray[Any]:
    """Map a per-row array to points (it must be constant within each point)."""
    if values.shape[0] == spec.size:
        return values
    if spec.row_point is not None and values.shape[0] == spec.row_point.size:
        out = np.empty(spec.size, dtype=values.dtype)
        out[spec.row_point] = values
        # every row of a point must agree with the value kept for that point
        bad = out[spec.row_point] != values
        if bad.any():
            i = first_row(bad)
            raise InputError(
                f"{spec.caller}: {what} must be the same for every row of a subgroup; "
                f"row {i} differs from the rest of its subgroup."
            )
        return out
    n_rows = spec.row_point.size if spec.row_point is not None else spec.size
    raise InputError(
        f"{spec.caller}: {what} has {values.shape[0]} values; expected one per point "
        f"({spec.size}) or one per row ({n_rows})."
    )


def resolve_phase1(phase1: Any, spec: Spec, table: Table | None) -> NDArray[np.bool_]:
    """Boolean per point: True for the points that estimate the limits."""
    n = spec.size
    if phase1 is None:
        return np.ones(n, dtype=bool)
    if isinstance(phase1, bool):
        raise ParameterError(f"{spec.caller}: phase1= takes a count, a column or a mask.")
    if isinstance(phase1, int | np.integer):
        k = int(phase1)
        if not spec.min_points <= k <= n:
            raise ParameterError(
                f"{spec.caller}: phase1={k} must be between {spec.min_points} and the number "
                f"of points ({n})."
            )
        mask = np.zeros(n, dtype=bool)
        mask[:k] = True
        return mask
    if isinstance(phase1, str):
        if table is None:
            raise ParameterError(f"{spec.caller}: phase1={phase1!r} names a column, but the "
                                 "data were given without columns.")
        raw = table.raw(phase1)
        if raw.dtype != bool and not np.issubdtype(raw.dtype, np.number):
            raise ParameterError(
                f"{spec.caller}: phase1 column {phase1!r} must be boolean (True for the rows "
                f"that estimate the limits); row 0 holds {show(raw[0])}. For a text column, "
                f"pass a mask such as data[{phase1!r}] == 'trial'."
            )
        values = table.check_numeric(raw, phase1)
        return _per_point(np.asarray(values).astype(bool), spec, f"phase1 column {phase1!r}")
    values = np.asarray(phase1)
    if values.dtype != bool:
        raise ParameterError(
            f"{spec.caller}: phase1= must be a number of points, a column name or a boolean "
            f"mask; got an array of {values.dtype}."
        )
    return _per_point(values, spec, "phase1")


def _change_log(log: Any, spec: Spec) -> tuple[NDArray[Any], list[str]]:
    """Dates and names of a change log (a table with 'date' and optional 'event')."""
    if isinstance(log, Mapping):
        frame = pd.DataFrame({"date": list(log.keys()), "event": list(log.values())})
    else:
        try:
            import narwhals.stable.v2 as nw

            frame = nw.from_native(log, eager_only=True).to_pandas()
        except TypeError as err:
            raise ParameterError(f"{spec.caller}: stage= must be a column name, a per-row "
                                 "array or a change log table.") from err
    if "date" not in frame.columns:
        raise ParameterError(f"{spec.caller}: a change log given as stage= needs a 'date' "
                             f"column; it has {list(frame.columns)}.")
    frame = frame.assign(date=parse_dates(frame["date"].to_numpy(), "date",
                                          caller=spec.caller))
    frame = frame.sort_values("date", kind="stable")
    names = (frame["event"].astype(str).tolist() if "event" in frame.columns
             else [f"from {show(d)}" for d in frame["date"].to_numpy()])
    labels = spec.labels
    dates = frame["date"].to_numpy()
    try:
        if np.issubdtype(labels.dtype, np.datetime64):
            dates = pd.to_datetime(dates).to_numpy().astype(labels.dtype)
        elif not np.issubdtype(labels.dtype, np.number):
            raise TypeError
        _ = labels[:1] >= dates[:1]
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"{spec.caller}: a change log splits the series by date, so the points need "
            "date or numeric labels (label=/subgroup=)."
        ) from err
    return dates, names


def resolve_stage(stage: Any, spec: Spec, table: Table | None) -> NDArray[Any] | None:
    """Stage name per point (contiguous runs of one name form a segment); None: one stage."""
    n = spec.size
    if stage is None:
        return None
    if isinstance(stage, str):
        if table is None:
            raise ParameterError(f"{spec.caller}: stage={stage!r} names a column, but the data "
                                 "were given without columns.")
        table.require(stage)
        values = table.raw(stage).astype(object)
        if pd.isna(values).any():
            i = first_row(pd.isna(values))
            raise InputError(f"{spec.caller}: column {stage!r} has a missing stage at row {i}.")
        return _per_point(values, spec, f"stage column {stage!r}")
    if isinstance(stage, np.ndarray | list | tuple | pd.Series) and len(stage) in (
        n, -1 if spec.row_point is None else spec.row_point.size
    ):
        return _per_point(np.asarray(stage, dtype=object), spec, "stage")
    dates, names = _change_log(stage, spec)
    pos = np.searchsorted(dates, spec.labels, side="right")  # events at or before the point
    out = np.array(["baseline", *names], dtype=object)[pos]
    return out


def segments(stage: NDArray[Any]) -> tuple[IntArray, list[slice]]:
    """Segment id per point and the slice of each segment (contiguous equal stage names)."""
    n = stage.size
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    change = np.ones(n, dtype=bool)
    change[1:] = stage[1:] != stage[:-1]
    starts = np.flatnonzero(change)
    stops = np.append(starts[1:], n)
    seg = np.cumsum(change) - 1
    return seg.astype(np.int64), [slice(int(a), int(b)) for a, b in zip(starts, stops,
                                                                           strict=True)]


def resolve_exclude(exclude: Any, spec: Spec) -> NDArray[np.bool_]:
    """Boolean per point: True for points whose label is listed in ``exclude``."""
    mask = np.zeros(spec.size, dtype=bool)
    if exclude is None:
        return mask
    wanted = list(exclude) if isinstance(exclude, Sequence | np.ndarray | pd.Index) else [
        exclude]
    labels = pd.Index(spec.labels)
    for value in wanted:
        hits = np.flatnonzero(labels == value)
        if hits.size == 0:
            raise ParameterError(f"{spec.caller}: exclude= names {show(value)}, which is not a "
                                 "point label.")
        mask[hits] = True
    return mask


def frozen_params(limits: Any, spec: Spec, charts: set[str]) -> Params:
    """Parameters of a chart whose limits are frozen and reused (Phase II)."""
    chart = limits.location if isinstance(limits, ChartPair) else limits
    if not isinstance(chart, ControlChart):
        raise ParameterError(f"{spec.caller}: limits= takes a chart returned by sixsigma.spc; "
                             f"got {type(limits).__name__}.")
    if chart.chart not in charts:
        raise ParameterError(f"{spec.caller}: limits= is a {chart.chart!r} chart; it cannot "
                             f"give the limits of a {'/'.join(sorted(charts))} chart.")
    last = chart.stages[-1]
    return Params(center=last.center, sigma=last.sigma, extra=dict(last.extra))


# ---------------------------------------------------------------------------------------
# building

_ARL_RUNS = 1000
_ARL_SEED = 20240601


def _arl_with_k(rules: tuple[str, ...], k: dict[str, int]) -> float | None:
    """In-control ARL of ``rules`` with K values ``k``, simulated once (seeded)."""
    from sixsigma.spc.arl import in_control_arl

    if any(r in RULE_SETS["anhoj"] for r in rules):
        return None
    spec: dict[str, int | None] = {r: k.get(r) for r in rules}
    return round(in_control_arl(spec, runs=_ARL_RUNS, seed=_ARL_SEED), 1)


def _count_points(idx: Points) -> int:
    return idx.stop - idx.start if isinstance(idx, slice) else int(idx.size)


def _estimate(spec: Spec, idx: Points, opts: Options, stage_name: str) -> Params:
    size = _count_points(idx)
    if size < spec.min_points:
        where = "" if stage_name == "all" else f" in stage {stage_name!r}"
        raise InsufficientDataError(
            f"{spec.caller}: at least {spec.min_points} points are needed to estimate the "
            f"limits{where}; got {size}."
        )
    params = spec.estimate(idx, opts.center, opts.sigma)
    if not spec.zero_sigma_ok and not params.sigma > 0:
        where = "" if stage_name == "all" else f" in stage {stage_name!r}"
        if opts.center is not None and opts.sigma is None and spec.estimate_from_center:
            # the sigma follows from the centre given: blame the parameter, not the data
            raise ParameterError(
                f"{spec.caller}: the 'center' parameter ({show(opts.center)}) gives a sigma "
                "of 0, so no limits can be set; give a centre strictly inside its range."
            )
        raise ZeroVarianceError(
            f"{spec.caller}: column {spec.column!r} shows no variation in the points that "
            f"estimate the limits{where} (sigma = 0), so no limits can be set."
        )
    return params


def const(value: float, m: int) -> FloatArray:
    """A read-only length-``m`` view of one value: constant limits cost no memory."""
    return np.broadcast_to(np.float64(value), (m,))


def is_const(arr: FloatArray) -> bool:
    """True for a view made by :func:`const` (every element is the first)."""
    return arr.ndim == 1 and arr.size > 0 and arr.strides == (0,)


def _absent(arr: FloatArray, beyond: np.ufunc, bound: float | FloatArray) -> FloatArray:
    """``arr`` with NaN where ``beyond(arr, bound)`` holds.

    ``bound`` is a number or an array aligned with ``arr``; computed once for a constant
    view.
    """

    def part(a: slice) -> Any:
        return bound if isinstance(bound, float) else bound[a]

    with np.errstate(invalid="ignore"):
        if is_const(arr):
            return const(np.nan if beyond(arr[:1], part(slice(0, 1)))[0] else float(arr[0]),
                         arr.size)
        if arr.flags.writeable and arr.base is None:
            # a fresh array of the limits: in place, chunk by chunk (no full-size mask)
            for start in range(0, arr.size, CHUNK):
                chunk = slice(start, start + CHUNK)
                values = arr[chunk]
                values[beyond(values, part(chunk))] = np.nan
            return arr
        return np.where(beyond(arr, bound), np.nan, arr)


def _limits(spec: Spec, panel: Panel, params: Params, sl: slice, nsigmas: float) -> Limits:
    center, se, lcl, ucl = panel.limits(params, sl, nsigmas)
    if panel.floor_zero:
        lcl = _absent(lcl, np.less, 0.0)
    if panel.ceiling is not None:
        ucl = _absent(ucl, np.greater, panel.ceiling[sl])
    return center, se, lcl, ucl


def build(spec: Spec, opts: Options, table: Table | None,
          frozen_types: set[str] | None = None) -> list[ControlChart]:
    """Compute one chart per panel of ``spec`` with the options applied."""
    n = spec.size
    if n < spec.min_points and opts.limits is None:
        raise InsufficientDataError(
            f"{spec.caller}: at least {spec.min_points} points are needed; got {n}."
        )
    check_number(opts.nsigmas, "nsigmas", caller=spec.caller, low=0.0, low_open=True)
    if opts.center is not None:
        check_number(opts.center, "center", caller=spec.caller)
    if opts.sigma is not None:
        check_number(opts.sigma, "sigma", caller=spec.caller, low=0.0, low_open=True)
    rules = resolve_rules(opts.rules, caller=spec.caller)
    k_values = rule_params(opts.rules, caller=spec.caller)
    stage = resolve_stage(opts.stage, spec, table)
    if stage is None:
        seg, slices = None, [slice(0, n)]
    else:
        seg, slices = segments(stage)
    if opts.limits is not None:
        phase1 = np.zeros(n, dtype=bool)
    else:
        phase1 = resolve_phase1(opts.phase1, spec, table)
    excluded = resolve_exclude(opts.exclude, spec)
    reasons = dict.fromkeys(np.flatnonzero(excluded).tolist(), "excluded by the user")

    parts: dict[str, list[Limits]] = {p.chart: [] for p in spec.panels}
    stages: list[Stage] = []
    for sl in slices:
        name = "all" if stage is None else str(stage[sl.start])
        if opts.limits is not None:
            params = frozen_params(opts.limits, spec, frozen_types or {spec.panels[0].chart})
            source, n_est = "frozen", 0
        else:
            use: Any
            # reductions first: the full-size mask only when some points do not estimate
            if not (phase1[sl].all() and not excluded[sl].any()):
                use = np.flatnonzero(phase1[sl] & ~excluded[sl]) + sl.start
            elif spec.slice_estimate and not opts.revise:
                use = sl  # every point estimates: no index array, no copies
            else:
                use = np.arange(sl.start, sl.stop)
            params = _estimate(spec, use, opts, name)
            known = opts.center is not None or opts.sigma is not None
            source = "known" if known else "estimated"
            if opts.revise and any(p.dynamic is not None for p in spec.panels):
                raise ParameterError(f"{spec.caller}: revise= is not available for this chart.")
            for rnd in range(1, 50) if opts.revise else ():
                beyond = np.zeros(use.size, dtype=bool)
                for panel in (p for p in spec.panels if p.revise):
                    _, _, lcl, ucl = _limits(spec, panel, params, sl, opts.nsigmas)
                    x = panel.statistic[use]
                    with np.errstate(invalid="ignore"):
                        beyond |= (x > ucl[use - sl.start]) | (x < lcl[use - sl.start])
                if not beyond.any():
                    break
                reasons.update(dict.fromkeys(use[beyond].tolist(),
                                             f"beyond the limits (revision pass {rnd})"))
                excluded[use[beyond]] = True
                use = use[~beyond]
                params = _estimate(spec, use, opts, name)
            n_est = _count_points(use)
        stages.append(Stage(name=name, start=sl.start, stop=sl.stop, center=params.center,
                            sigma=params.sigma, n_estimation=n_est, source=source,
                            extra=dict(params.extra)))
        for panel in spec.panels:
            if panel.dynamic is not None:
                panel.statistic[sl] = panel.dynamic(params, sl)
            parts[panel.chart].append(_limits(spec, panel, params, sl, opts.nsigmas))

    charts = []
    excluded_idx = np.flatnonzero(excluded).astype(np.int64)
    for panel in spec.panels:
        pieces = parts[panel.chart]
        center, se, lcl, ucl = pieces[0] if len(pieces) == 1 else (
            np.concatenate([piece[k] for piece in pieces]) for k in range(4))
        panel_rules = tuple(r for r in rules if r in DISPERSION_RULES) if panel.dispersion \
            else rules
        panel_k = {r: k for r, k in k_values.items() if r in panel_rules}
        parameters = dict(spec.parameters)
        notes = list(spec.notes)
        if panel_k:
            parameters.update({f"K.{r}": float(k) for r, k in panel_k.items()})
            arl = _arl_with_k(panel_rules, panel_k)
            if arl is not None:
                parameters["in_control_arl"] = arl
                notes.append(
                    "K values " + ", ".join(f"{r}={k}" for r, k in panel_k.items())
                    + f": in-control ARL of these rules about {arl:.0f} points (simulated, "
                    f"{_ARL_RUNS} runs of a normal individuals chart, seed {_ARL_SEED}).")
        runs_center: FloatArray | None = None
        if panel.runs_about_median:
            runs_center = np.repeat([s.extra.get("median", np.nan) for s in stages],
                                    [s.stop - s.start for s in stages]).astype(float)
        judged = (panel.statistic, center, lcl, ucl)
        if panel.transform is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                judged = tuple(panel.transform(a) for a in judged)  # type: ignore[assignment]
                if runs_center is not None:
                    runs_center = panel.transform(runs_center)
        idx, rule = find_violations(judged[0], judged[1], se, judged[2], judged[3],
                                    panel_rules, segment=seg if len(slices) > 1 else None,
                                    params=panel_k, runs_center=runs_center)
        charts.append(ControlChart(
            chart=panel.chart,
            statistic=panel.statistic,
            center=center, lcl=lcl, ucl=ucl, se=se,
            n=spec.n,
            labels=spec.labels,
            sigma=stages[-1].sigma,
            sigma_method=spec.sigma_method if opts.sigma is None and opts.limits is None
            else ("known" if opts.sigma is not None else "frozen"),
            phase1=phase1,
            stages=tuple(stages),
            excluded=excluded_idx,
            exclusion_reasons=tuple(reasons[i] for i in excluded_idx.tolist()),
            rules=panel_rules,
            violation_index=idx,
            violation_rule=rule,
            nsigmas=opts.nsigmas,
            parameters=parameters,
            conventions=dict(spec.conventions),
            notes=tuple(notes),
        ))
    return charts
