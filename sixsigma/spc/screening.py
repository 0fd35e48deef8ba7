"""Screening many series at once: one control chart per series, ranked by urgency.

:func:`screen` charts every queue x policy x market (or any ``by=``) series of a table in one
pass, as JMP's Process Screening does, and ranks them for a review:

1. **One aggregation where the data live.** Units and defectives per (series, label) come
   from :func:`sixsigma._aggregate.group_counts` (pandas, polars, DuckDB, Spark): raw rows
   (one per audited unit) or pre-counted rows (``size=``) alike.
2. **Every chart at once.** The points are sorted by (series, label) and each series is a
   contiguous block; the centre, sigma, Laney's sigma_z and the limits of all series are
   segment-wise reductions (``np.add.reduceat``, ``np.bincount``) on those arrays, and the
   run rules are evaluated once on the concatenated series with the series as the segment,
   so that no run, trend or window crosses from one series to the next. Nothing loops over
   series in Python, and the single-series chart functions are not called.
3. **Missing days are explicit.** A day without audits in a series is no point (not a zero):
   the series' chart is exactly the chart of its own rows (:meth:`Screen.chart`); the table
   counts the labels of the screen missing inside each series' span (``missing``).

The chart of each series (``chart="auto"``)
-------------------------------------------
A P chart (Montgomery 2019, ch. 7) unless the P chart diagnostic shows overdispersion, then
Laney's p' chart (Laney 2002). The diagnostic is Laney's sigma_z = MR-bar(z) / 1.128 of the
binomially standardised rates z_i = (p_i - p-bar) / sqrt(p-bar (1 - p-bar) / n_i): p' is
used when sigma_z > 1 + 1.645 x 0.91 / sqrt(m - 1), the one-sided 95% upper bound of sigma_z
for a binomial series of m points (the standard deviation of MR-bar / 1.128 of m
independent normal values is 0.91 / sqrt(m - 1), simulated). ``chart="p"`` or
``"laney_p"`` forces one kind on every series.

With ``count=`` (defects, several possible per unit) each series gets a U chart
(u-bar +/- 3 sqrt(u-bar / n_i), Montgomery 2019, ch. 7) or Laney's u' chart by the same
rule, with z_i = (u_i - u-bar) / sqrt(u-bar / n_i) and the per-unit sigma sqrt(u-bar);
``chart="u"`` or ``"laney_u"`` forces one kind.

With ``value=`` (handle time, one value per series and label) each series gets the
individuals chart of an I-MR pair (``"imr"``: mean +/- 3 MR-bar / d2(2), Montgomery 2019,
ch. 6); the standardised points are z_i = (x_i - mean) / sigma and sigma_z is not defined.

The table
---------
``center`` and ``sigma`` are the chart's centre and sigma (per unit, sqrt(p (1 - p)), for
p and p'; MR-bar / d2(2) for I-MR), ``points`` the labels charted and ``missing`` the labels
of the screen absent inside the series' span. ``stability`` is JMP's stability index: the
overall sigma over the within sigma of the standardised series, sd(z) / sigma_z (about 1
for a stable process; JMP suggests 1.25 as the threshold of concern). ``signals`` counts
the points where a run rule fires, ``last_signal`` / ``last_rule`` name the latest, and
``recent_signal`` says whether one fires in the last ``recent`` labels of the screen.

``p_value`` is the evidence of a sustained shift anywhere in the series, not only among the
last points: with u_i = z_i / sigma_z (the standardised rates on the chart's own within
scale, so an overdispersed series is not flagged for its overdispersion), the CUSUM
statistic K = max_k |sum_(i<=k) (u_i - u-bar)| / sqrt(m) has, for a series without a
change, the distribution of the supremum of a Brownian bridge (Page 1955; Csorgo & Horvath
1997, ch. 1): P(K > x) = 2 sum_(k>=1) (-1)^(k-1) exp(-2 k^2 x^2) (Kolmogorov's
distribution), mixed over the noise of the estimate sigma_z so that it stays calibrated
for short series (:func:`shift_p_value`). A series whose rate moved three weeks ago
therefore ranks with one that moved yesterday, and series that all signal are still
ordered. ``change_at`` is the first label after the most likely change point and ``shift``
the change of rate there (after - before). ``q_value`` is the Benjamini-Hochberg adjustment
of the p-values across series, and ``flagged`` is ``q_value <= fdr``.

With ``stage=`` (a change log shared by every series) the estimates are per (series,
stage) segment, no run rule crosses a stage, the table's centre, sigma and sigma_z are the
last stage's, and the stability index and the shift statistic read the last stage only ("a
change point within the window since the last stage").

Rows are sorted most urgent first: by p-value, then by ``excess`` (the rate of the last
``recent`` labels minus the centre, signed so that positive is worse for ``direction``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from sixsigma._aggregate import DEFECTIVES, N, collect, group_counts, locate
from sixsigma._frames import Table, as_table, first_row, orderable, show
from sixsigma._params import check_number, choice
from sixsigma._result import Result
from sixsigma._stats import bh
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    OrderError,
    ParameterError,
)
from sixsigma.spc.chart import ControlChart
from sixsigma.spc.rules import ALL_RULES, find_violations, resolve_rules
from sixsigma.spc.sigma import D2_2

__all__ = ["LANEY_SE", "Screen", "laney_threshold", "limit_assurance", "screen",
           "shift_p_value"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

LANEY_D2 = 1.128  # Laney (2002), as sixsigma.spc.attributes
LANEY_SE = 0.91
"""sqrt(m - 1) times the standard deviation of MR-bar / 1.128 for m independent normal values
(simulated, 20 000 series of 20 to 200 points): the noise of sigma_z under the binomial."""
_CHARTS = ("auto", "p", "laney_p", "u", "laney_u")


def laney_threshold(points: ArrayLike | int) -> NDArray[np.float64]:
    """The sigma_z above which ``chart="auto"`` picks Laney's p' (see the module docstring).

    >>> round(float(laney_threshold(90)), 3)
    1.159
    """
    if np.ndim(points) == 0:  # a single series length (arrays: validated by the caller)
        check_number(points, "points", caller="laney_threshold", low=1, integer=True)
    m = np.asarray(points, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(1.0 + 1.645 * LANEY_SE / np.sqrt(m - 1.0), dtype=np.float64)



def shift_p_value(stat: ArrayLike, points: ArrayLike, *, nodes: int = 64
                  ) -> NDArray[np.float64]:
    """P-value of the CUSUM statistic K of a series of ``points`` (module docstring).

    K is scaled by the estimate sigma_z, whose relative noise is 0.91 / sqrt(m - 1); its
    null distribution is taken as Kolmogorov's mixed over that noise, with sigma_z / sigma
    ~ sqrt(chi2_nu / nu), nu = (m - 1) / (2 x 0.91^2) (``nodes`` quantiles of the mixing
    law). Simulated on independent normal series of 10 to 200 points, the test is
    conservative (at most the nominal rate of rejections at 5%, 1% and 0.1%), where the
    plain Kolmogorov p-value rejects up to 2.6 times too often at 0.1%.

    >>> round(float(shift_p_value(2.0, 90)), 4)
    0.0018
    """
    nodes = int(check_number(nodes, "nodes", caller="shift_p_value", low=1, integer=True))
    k = np.atleast_1d(np.asarray(stat, dtype=np.float64))
    m = np.broadcast_to(np.asarray(points, dtype=np.float64), k.shape)
    lengths, which = np.unique(m, return_inverse=True)  # few distinct lengths
    nu = np.maximum(np.nan_to_num(lengths, nan=2.0) - 1.0, 1.0) / (2.0 * LANEY_SE**2)
    q = (np.arange(nodes) + 0.5) / nodes
    scale = np.sqrt(stats.chi2.ppf(q[None, :], nu[:, None]) / nu[:, None])[which]
    with np.errstate(invalid="ignore"):
        out = special.kolmogorov(k[:, None] * scale).mean(axis=1)
    out = np.where(np.isnan(k), np.nan, out)
    return out if np.ndim(stat) else out.reshape(())


def limit_assurance(lcl: ArrayLike, ucl: ArrayLike, target: float, direction: str
                    ) -> NDArray[np.object_]:
    """Assurance of each process (arrays of lower and upper process limits) against a target.

    A missing limit is -inf (lower) or +inf (upper). Returns ``"pass"``, ``"fail"`` or
    ``"hit_and_miss"`` per process (see the module docstring).

    The rule of :func:`sixsigma.targets.assurance` (NHS Making Data Count), on arrays.

    >>> limit_assurance([0.01, 0.06, 0.03], [0.04, 0.08, 0.07], 0.05, "lower").tolist()
    ['pass', 'fail', 'hit_and_miss']
    """
    target = check_number(target, "target", caller="limit_assurance")
    direction = choice(direction, "direction", ("lower", "higher"), caller="limit_assurance")
    lo = np.asarray(lcl, dtype=np.float64)
    hi = np.asarray(ucl, dtype=np.float64)
    if direction == "lower":
        good, bad = hi <= target, lo > target
    else:
        good, bad = lo >= target, hi < target
    out = np.full(lo.shape, "hit_and_miss", dtype=object)
    out[good] = "pass"
    out[bad] = "fail"
    return out


@dataclass(frozen=True, eq=False, repr=False)
class Screen(Result, kind="screen"):
    """Every series of a table charted and ranked (:func:`screen`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per series, most urgent first (columns in the module docstring).
    points : pandas.DataFrame
        The aggregated points every chart was computed from: the ``by`` keys, the label,
        ``n`` and ``defectives`` (or the value column), sorted by series and label.
    by : tuple of str
        The columns that name a series.
    label : str
        The column of the point labels (dates).
    rules : tuple of str
        The run rules evaluated.
    fdr : float
        The false-discovery rate behind ``flagged``.
    recent : int
        How many of the latest labels count as recent.
    direction : str
        ``"lower"`` (a lower rate is better) or ``"higher"``.
    target : float or None
        The target given, if any.
    value : str or None
        The value column of an I-MR screen (None for p and p' charts).
    limits : Screen or None
        The previous screen whose limits were frozen (``limits=``).
    count : bool
        True for a ``count=`` screen (u and Laney u' charts of defects per unit).
    stage : pandas.DataFrame or None
        The change log applied to every series (``date`` and ``event``), if any.
    """

    table: pd.DataFrame
    points: pd.DataFrame
    by: tuple[str, ...]
    label: str
    rules: tuple[str, ...]
    fdr: float
    recent: int
    direction: str
    target: float | None = None
    value: str | None = None
    limits: Screen | None = None
    count: bool = False
    stage: pd.DataFrame | None = None

    @property
    def flagged(self) -> pd.DataFrame:
        """The rows of the series whose shift survives the FDR control (``q_value <= fdr``)."""
        return self.table[self.table["flagged"].to_numpy(dtype=bool)]

    def _series_rows(self, key: Any) -> pd.DataFrame:
        if isinstance(key, Mapping):
            values = [key[b] for b in self.by]
        elif isinstance(key, tuple | list):
            values = list(key)
        else:
            values = [key]
        if len(values) != len(self.by):
            raise ParameterError(f"Screen.chart: a series is named by {len(self.by)} key(s) "
                                 f"({', '.join(self.by)}); got {show(key)}.")
        mask = np.ones(len(self.points), dtype=bool)
        for col, value in zip(self.by, values, strict=True):
            mask &= (self.points[col] == value).to_numpy()
        if not mask.any():
            raise ParameterError(f"Screen.chart: no series {show(key)} in this screen.")
        return self.points[mask].reset_index(drop=True)

    def chart(self, key: Any) -> ControlChart:
        """The ControlChart of one series, equal to charting that series' rows alone.

        ``key`` is the value of the ``by`` column, a tuple of the ``by`` values in order, or
        a dict by column name. For an I-MR screen, the individuals chart (``.location`` of
        :func:`sixsigma.spc.imr`).
        """
        from sixsigma.spc.attributes import laney_p, laney_u, p_chart, u_chart
        from sixsigma.spc.variables import imr

        rows = self._series_rows(key)
        frozen = None if self.limits is None else self.limits.chart(key)
        if self.value is not None:
            return imr(rows, value=self.value, label=self.label, rules=list(self.rules),
                       limits=frozen).location
        mask = np.ones(len(self.table), dtype=bool)
        for col in self.by:
            mask &= (self.table[col] == rows[col].iloc[0]).to_numpy()
        kind = str(self.table["chart"].to_numpy()[first_row(mask)])
        fn: Callable[..., ControlChart]
        if self.count:
            fn = laney_u if kind == "laney_u" else u_chart
        else:
            fn = laney_p if kind == "laney_p" else p_chart
        return fn(rows, DEFECTIVES, N, self.label, rules=list(self.rules), limits=frozen,
                  stage=self.stage)

    def summary(self) -> str:
        """Series screened, flagged after FDR, with a recent signal."""
        t = self.table
        lines = [
            f"screen: {len(t)} series by {', '.join(self.by)}; rules {', '.join(self.rules)}",
            f"  flagged (q <= {self.fdr:g}): {int(t['flagged'].sum())}; recent signal: "
            f"{int(t['recent_signal'].sum())}; charts: "
            + ", ".join(f"{k} {v}" for k, v in t["chart"].value_counts().items()),
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _as_list(by: Any) -> list[str]:
    if isinstance(by, str):
        return [by]
    if isinstance(by, Sequence) and by and all(isinstance(b, str) for b in by):
        return list(by)
    raise ParameterError(f"screen: the 'by' parameter must be a column name or a list of "
                         f"them; got {show(by)}.")


def screen(
    data: Any,
    *,
    defectives: str | None = None,
    size: str | None = None,
    count: str | None = None,
    value: str | None = None,
    label: str,
    by: str | Sequence[str],
    chart: str = "auto",
    rules: Any = "nelson",
    target: float | None = None,
    direction: str = "lower",
    fdr: float = 0.05,
    recent: int = 7,
    limits: Screen | None = None,
    stage: Any = None,
) -> Screen:
    """Chart every series of ``data`` at once and rank them by evidence of a shift.

    Parameters
    ----------
    data : dataframe or lazy frame (pandas, polars, DuckDB, Spark)
        Raw records (one row per audited unit, ``defectives`` 0/1) or pre-counted rows
        (``defectives`` among ``size`` units, at most one row per series and label after
        summing).
    defectives : str
        The defectives column.
    size : str, optional
        The units behind each row (pre-counted data).
    count : str, optional
        Defects (instead of ``defectives``): with ``size=`` the defects among the units of
        each pre-counted row, else one row per unit with its number of defects. Each series
        gets a u chart (Montgomery 2019, ch. 7: u-bar +/- 3 sqrt(u-bar / n_i)) or, by the
        same sigma_z rule, Laney's u' chart.
    value : str, optional
        A measured value (instead of ``defectives``): one row per series and label, charted
        as individuals (I-MR).
    label : str
        The time key of a point (a day).
    by : str or list of str
        The columns that name a series (queue, policy, market ...).
    chart : {"auto", "p", "laney_p", "u", "laney_u"}
        The chart of each series; ``"auto"`` picks p' over p (u' over u for ``count=``) by
        the P chart diagnostic (and I-MR for ``value=``).
    rules : str or list of str
        Run rules, as for a single chart (``"nelson"`` by default).
    target : float, optional
        A target (rate or value): adds ``assurance`` (pass / fail / hit_and_miss from the
        process limits, :func:`sixsigma.targets.assurance`) and, for rates, ``sigma_level``.
    direction : {"lower", "higher"}
        Which way is better for the rate (errors: lower).
    fdr : float
        False-discovery rate for ``flagged`` (Benjamini-Hochberg across series).
    recent : int
        How many of the latest labels of the screen count as recent.
    limits : Screen, optional
        A previous screen whose per-series limits are frozen and reused (Phase II), as
        ``limits=`` of a single chart: each series keeps its chart, centre, sigma (and
        sigma_z); a series absent from it gets no chart. The p-value then tests the
        departure from the frozen centre (the CUSUM of the standardised points against the
        supremum of a Brownian motion, scaled for the error of the frozen centre by
        sqrt(1 + m / m0), m0 the points that estimated it), ``change_at`` is empty and
        ``shift`` is the rate of the window minus the frozen centre.

    stage : change log, optional
        A table with a ``date`` column and an optional ``event`` name (or a dict date ->
        name), as ``stage=`` of :func:`sixsigma.spc.p_chart`, applied to every series: each
        series has limits per stage (``"baseline"`` before the first date), ``center``,
        ``sigma`` and ``sigma_z`` are those of its last stage, the chart kind is chosen on
        the last stage, and ``stability``, ``p_value``, ``change_at`` and ``shift`` look for
        a change point within the last stage only. Not with ``value=`` or ``limits=``.

    Returns
    -------
    Screen
        ``.table`` (one row per series, most urgent first), ``.chart(key)``.

    Examples
    --------
    >>> import sixsigma as ss
    >>> ds = ss.datasets.generate_many_series(seed=1, days=42, queues=2, policies=2,
    ...                                       markets=3)
    >>> s = ss.spc.screen(ds.audits, defectives="errors", size="audited", label="day",
    ...                   by=["queue", "policy", "market"])
    >>> len(s.table), list(s.table.columns[:4])
    (12, ['queue', 'policy', 'market', 'chart'])
    """
    caller = "screen"
    if sum(x is not None for x in (defectives, count, value)) != 1:
        raise ParameterError("screen: give one of defectives= or count= (and size= for "
                             "pre-counted rows) or value= (one value per series and label).")
    keys = _as_list(by)
    if label in keys:
        raise ParameterError(f"screen: column {label!r} cannot be both label= and in by=.")
    chart = choice(chart, "chart", _CHARTS, caller=caller)
    direction = choice(direction, "direction", ("lower", "higher"), caller=caller)
    fdr = check_number(fdr, "fdr", caller=caller, low=0.0, high=1.0, low_open=True,
                       high_open=True)
    if isinstance(recent, bool) or not isinstance(recent, int | np.integer) or recent < 1:
        raise ParameterError(f"screen: the 'recent' parameter must be a whole number >= 1; "
                             f"got {show(recent)}.")
    rates = defectives is not None
    if target is not None:
        target = check_number(target, "target", caller=caller,
                              low=0.0 if value is None else None, high=1.0 if rates else None)
    if value is not None and chart != "auto":
        raise ParameterError("screen: chart= chooses between p and p' (or u and u') charts; "
                             "a value= screen charts individuals (I-MR).")
    if chart != "auto" and (chart in ("u", "laney_u")) != (count is not None):
        raise ParameterError(f"screen: chart={chart!r} does not chart "
                             f"{'defects (count=)' if count is not None else 'defectives'}; "
                             "p and laney_p chart defectives=, u and laney_u count=.")
    rule_ids = resolve_rules(rules, caller=caller)
    if stage is not None and (value is not None or limits is not None):
        raise ParameterError("screen: stage= works with defectives= or count= and without "
                             "limits= (a frozen screen keeps one set of limits per series).")

    table = as_table(data, caller=caller)
    if defectives is not None:
        agg = group_counts(table, defectives, [*keys, label], size=size)
        if size is not None:
            _refuse_zero_size(table, size, caller)
        columns = [N, DEFECTIVES]
    elif count is not None:
        agg = _defects(table, count, size, [*keys, label])
        columns = [N, DEFECTIVES]
    else:
        assert value is not None
        agg = _values(table, value, [*keys, label])
        columns = [value]
    points = _sorted_points(agg, keys, label, columns, lazy=table.lazy)
    log, stages = (None, None) if stage is None else _stages(stage, points[label].to_numpy())
    return _screen_points(points, keys, label, chart=chart, rules=rule_ids, target=target,
                          direction=direction, fdr=fdr, recent=int(recent), value=value,
                          limits=limits, count=count is not None, stages=stages, stage=log)


def _stages(stage: Any, labels: NDArray[Any]) -> tuple[pd.DataFrame, NDArray[Any]]:
    """The change log as a frame (date, event) and the stage name of every point."""
    from types import SimpleNamespace

    from sixsigma.spc._engine import _change_log

    spec: Any = SimpleNamespace(caller="screen", labels=labels)
    dates, names = _change_log(stage, spec)
    log = pd.DataFrame({"date": pd.to_datetime(dates), "event": names})
    pos = np.searchsorted(dates, labels, side="right")  # events at or before the point
    return log, np.array(["baseline", *names], dtype=object)[pos]


def _defects(table: Table, count: str, size: str | None, keys: list[str]) -> pd.DataFrame:
    """Units and defects of each (series, label), grouped where the data live, checked.

    Raw rows (``size=None``): one row per unit, ``count`` its defects. Pre-counted rows:
    ``count`` defects among ``size`` units (summed per series and label).
    """
    table.require(count, size, *keys)
    for name in (count, size):
        if name is not None and name in keys:
            raise ParameterError(f"screen: column {name!r} cannot be both a key and the "
                                 "count/size column.")
    schema = table.frame.collect_schema()
    for name in (count, size):
        if name is not None and not schema[name].is_numeric():
            if not table.lazy:
                table.numeric(name)  # names the first non-numeric row
            raise NonNumericError(f"screen: column {name!r} must be numeric; it is "
                                  f"{schema[name]}.")
    c = nw.col(count)
    aggs = [c.sum().alias(DEFECTIVES), nw.len().alias("__rows"),
            c.count().alias("__present"), c.min().alias("__cmin")]
    if size is not None:
        sz = nw.col(size)
        aggs += [sz.sum().alias(N), sz.count().alias("__spresent"), sz.min().alias("__smin")]
    else:
        aggs.append(nw.len().alias(N))
    agg = collect(table.frame.group_by(*keys).agg(*aggs)).to_pandas()
    if agg.empty:
        raise InsufficientDataError("screen: the data have no rows.")
    rows = agg["__rows"].to_numpy()
    checks: list[tuple[NDArray[np.bool_], str, type[Exception]]] = [
        (agg["__present"].to_numpy() < rows, f"column {count!r} has a missing value",
         MissingValueError),
        (agg["__cmin"].to_numpy(dtype=np.float64) < 0, f"column {count!r} is negative",
         DomainError),
    ]
    if size is not None:
        checks += [
            (agg["__spresent"].to_numpy() < rows, f"column {size!r} has a missing value",
             MissingValueError),
            (agg["__smin"].to_numpy(dtype=np.float64) <= 0, f"column {size!r} is not "
             "positive (a point needs at least one unit)", DomainError),
        ]
    for bad, problem, exc in checks:
        if bad.any():
            where = ", ".join(f"{k}={show(agg[k].to_numpy()[first_row(bad)])}" for k in keys)
            raise exc(f"screen: {problem} at {where}.")
    agg[DEFECTIVES] = agg[DEFECTIVES].to_numpy(dtype=np.float64)
    agg[N] = agg[N].to_numpy(dtype=np.float64)
    out: pd.DataFrame = agg[[*keys, N, DEFECTIVES]]
    return out


def _refuse_zero_size(table: Table, size: str, caller: str) -> None:
    """A row of size 0 is a point with no units: refused, as the p chart does."""
    zero = nw.col(size) == 0
    hits = collect(table.frame.select(zero.cast(nw.Int64).sum().alias("z")))["z"].to_list()
    if hits and int(hits[0] or 0):
        raise DomainError(f"{caller}: column {size!r} is 0 at {locate(table, size, zero)}: a "
                          "point needs at least one unit (leave the row out).")


def _values(table: Table, value: str, keys: list[str]) -> pd.DataFrame:
    """The one value of each (series, label), grouped where the data live, checked."""
    table.require(value, *keys)
    if value in keys:
        raise ParameterError(f"screen: column {value!r} cannot be both value= and a key.")
    dtype = table.frame.collect_schema()[value]
    if not dtype.is_numeric():
        if not table.lazy:
            table.numeric(value)  # names the first non-numeric row
        raise NonNumericError(f"screen: column {value!r} must be numeric; it is {dtype}.")
    col = nw.col(value)
    agg = collect(table.frame.group_by(*keys).agg(
        col.sum().alias(value), nw.len().alias("__rows"), col.count().alias("__present"),
    )).to_pandas()
    for bad, problem, exc in (
        (agg["__present"].to_numpy() < agg["__rows"].to_numpy(), "a missing value",
         MissingValueError),
        (agg["__rows"].to_numpy() > 1, "more than one row (one value per series and label "
         "is charted: aggregate first)", OrderError),
    ):
        if bad.any():
            where = ", ".join(f"{k}={show(agg[k].to_numpy()[first_row(bad)])}" for k in keys)
            raise exc(f"screen: column {value!r} has {problem} at {where}.")
    if agg.empty:
        raise InsufficientDataError("screen: the data have no rows.")
    agg[value] = agg[value].to_numpy(dtype=np.float64)
    out: pd.DataFrame = agg[[*keys, value]]
    return out


def _sorted_points(agg: pd.DataFrame, keys: list[str], label: str, columns: list[str], *,
                   lazy: bool) -> pd.DataFrame:
    lab = agg[label]
    if lazy and isinstance(lab.dtype, pd.DatetimeTZDtype) and str(lab.dt.tz) in (
            "UTC", "Etc/UTC"):
        agg[label] = lab.dt.tz_localize(None)  # as sixsigma.spc._aggregate.counts
    for col in (*keys, label):
        missing = agg[col].isna().to_numpy()
        if missing.any():
            raise MissingValueError(f"screen: column {col!r} has missing values; every row "
                                    "needs a series key and a label.")
    values = agg[label].to_numpy()
    if not orderable(values) and len(values) and isinstance(values[0], _dt.date):
        agg[label] = pd.to_datetime(agg[label])  # DuckDB/Arrow dates come back as objects
    # sort by (series, label) on integer codes (factorised in sorted order): cheaper than
    # sorting the key columns themselves
    codes = [pd.factorize(agg[c], sort=True)[0] for c in (*keys, label)]
    order = np.lexsort(codes[::-1])
    out = agg.iloc[order].reset_index(drop=True)
    return out[[*keys, label, *columns]]


@dataclass(frozen=True)
class _Frozen:
    """Per current series: the parameters of the same series in a previous screen."""

    found: NDArray[np.bool_]
    chart: NDArray[np.object_]
    center: FloatArray
    sigma: FloatArray
    sigma_z: FloatArray
    points: FloatArray


def _frozen(limits: Screen, first: pd.DataFrame, keys: list[str], value: str | None,
            count: bool = False) -> _Frozen:
    if not isinstance(limits, Screen):
        raise ParameterError(f"screen: limits= takes a previous Screen; got "
                             f"{type(limits).__name__}.")
    if (list(limits.by) != keys or (limits.value is None) != (value is None)
            or limits.count != count):
        what = "values" if limits.value else "defects" if limits.count else "defectives"
        raise ParameterError(f"screen: limits= is a screen by {list(limits.by)} of {what}; "
                             "it cannot give the limits of this one.")
    prev = limits.table[[*keys, "chart", "points", "center", "sigma", "sigma_z"]]
    merged = first.merge(prev, on=keys, how="left", validate="one_to_one")
    chart = merged["chart"].to_numpy(dtype=object)
    found = np.array([c in ("p", "laney_p", "u", "laney_u", "imr") for c in chart],
                     dtype=bool)
    return _Frozen(
        found=found, chart=chart,
        center=merged["center"].to_numpy(dtype=np.float64),
        sigma=np.nan_to_num(merged["sigma"].to_numpy(dtype=np.float64), nan=0.0),
        sigma_z=merged["sigma_z"].to_numpy(dtype=np.float64)
        if value is None else np.ones(len(merged)),
        points=merged["points"].to_numpy(dtype=np.float64),
    )


def _sup_brownian_sf(x: FloatArray, terms: int = 200) -> FloatArray:
    """P(sup_[0,1] |W(t)| > x) for a standard Brownian motion W (reflection principle).

    4 sum_(j>=0) (-1)^j Phi-bar((2j + 1) x) (Feller 1971, X.5). Used for a series charted
    against frozen limits: the CUSUM of its standardised points away from the frozen centre.
    """
    arr = np.asarray(x, dtype=np.float64)
    j = np.arange(terms)
    sign = np.where(j % 2 == 0, 1.0, -1.0)
    with np.errstate(invalid="ignore"):
        tail = special.ndtr(-(2 * j + 1)[None, :] * arr[:, None])
        out = 4.0 * (tail * sign).sum(axis=1)
    return np.asarray(np.where(np.isnan(arr), np.nan, np.clip(out, 0.0, 1.0)))


def _first_where(hit: NDArray[np.bool_], starts: IntArray, size: int) -> IntArray:
    """Per block, the first index where ``hit`` holds (``size`` when none)."""
    pos = np.where(hit, np.arange(hit.size), size)
    return np.minimum.reduceat(pos, starts).astype(np.int64)


def _screen_points(points: pd.DataFrame, keys: list[str], label: str, *, chart: str,
                   rules: tuple[str, ...], target: float | None, direction: str, fdr: float,
                   recent: int, value: str | None = None, limits: Screen | None = None,
                   count: bool = False, stages: NDArray[Any] | None = None,
                   stage: pd.DataFrame | None = None) -> Screen:
    labels = points[label].to_numpy()
    total = len(points)
    change = np.ones(total, dtype=bool)
    if total:
        change[1:] = False
        for key in keys:  # a new series starts where any key changes (rows are sorted)
            col = points[key].to_numpy()
            change[1:] |= col[1:] != col[:-1]
    starts = np.flatnonzero(change).astype(np.int64)
    k = starts.size
    m = np.diff(np.append(starts, total)).astype(np.float64)
    sid = (np.cumsum(change) - 1).astype(np.int64)  # 0..k-1 in sorted order
    same = sid[1:] == sid[:-1]  # consecutive points of one series

    def mr_mean(x: FloatArray) -> FloatArray:
        """Mean moving range of each series (consecutive points of the series only)."""
        mr = np.abs(np.diff(x))
        total_mr = np.bincount(sid[1:][same], weights=mr[same], minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(total_mr / (m - 1.0), dtype=np.float64)

    first = points.iloc[starts][keys].reset_index(drop=True)
    frozen = None if limits is None else _frozen(limits, first, keys, value, count)
    plain, wide = ("u", "laney_u") if count else ("p", "laney_p")
    win: Any = None  # the points of the shift statistic (None: every point)
    rule_seg = sid  # the segments no run rule crosses
    if stages is not None and value is None:
        # -- staged p/p' (u/u'): every estimate per (series, stage) segment ----------------
        d = points[DEFECTIVES].to_numpy(dtype=np.float64)
        n = points[N].to_numpy(dtype=np.float64)
        gchange = change.copy()
        gchange[1:] |= stages[1:] != stages[:-1]
        gstarts = np.flatnonzero(gchange).astype(np.int64)
        gk = gstarts.size
        gm = np.diff(np.append(gstarts, total)).astype(np.float64)
        gid = (np.cumsum(gchange) - 1).astype(np.int64)
        gsame = gid[1:] == gid[:-1]
        dsum_g, nsum_g = np.add.reduceat(d, gstarts), np.add.reduceat(n, gstarts)
        pbar_g = dsum_g / nsum_g
        sig_g = np.sqrt(pbar_g) if count else np.sqrt(pbar_g * (1.0 - pbar_g))
        stat = d / n
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (stat - pbar_g[gid]) / (sig_g[gid] / np.sqrt(n))
            mr_g = np.bincount(gid[1:][gsame], weights=np.abs(np.diff(z))[gsame], minlength=gk)
            sigma_z_g = mr_g / (gm - 1.0) / LANEY_D2
        ok_g = (gm >= 2) & (sig_g > 0) & (sigma_z_g > 0)
        first_seg = gid[starts]
        last_seg = np.append(first_seg[1:], gk) - 1
        ok = np.logical_and.reduceat(ok_g, first_seg) if k else np.zeros(0, dtype=bool)
        centre_s, sig, sigma_z = pbar_g[last_seg], sig_g[last_seg], sigma_z_g[last_seg]
        if chart == "auto":
            laney = sigma_z > laney_threshold(gm[last_seg])
        else:
            laney = np.full(k, chart == wide)
        inflate_g = np.where(laney[sid[gstarts]], sigma_z_g, 1.0)
        center = pbar_g[gid]
        with np.errstate(divide="ignore", invalid="ignore"):
            se = (sig_g * inflate_g)[gid] / np.sqrt(n)
        within = sigma_z
        kinds = np.where(laney, wide, plain).astype(object)
        win = gid == last_seg[sid]
        rule_seg = gid
        dsum, nsum = dsum_g[last_seg], nsum_g[last_seg]
        pbar = centre_s
    elif value is None:
        # -- p and p': centre, binomial sigma, Laney's sigma_z per series -------------------
        d = points[DEFECTIVES].to_numpy(dtype=np.float64)
        n = points[N].to_numpy(dtype=np.float64)
        dsum, nsum = np.add.reduceat(d, starts), np.add.reduceat(n, starts)
        pbar = dsum / nsum
        if frozen is None:
            centre_s = pbar
            # per-unit sigma: binomial sqrt(p (1 - p)), Poisson sqrt(u)
            sig = np.sqrt(pbar) if count else np.sqrt(pbar * (1.0 - pbar))
            ok = (m >= 2) & (sig > 0)
        else:
            centre_s, sig, found = frozen.center, frozen.sigma, frozen.found
            ok = found & (sig > 0)
        stat = d / n
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (stat - centre_s[sid]) / (sig[sid] / np.sqrt(n))
        sigma_z = mr_mean(z) / LANEY_D2
        if frozen is not None:
            laney = frozen.chart == wide
            inflate = np.where(laney, frozen.sigma_z, 1.0)
        else:
            ok &= sigma_z > 0
            if chart == "auto":
                laney = sigma_z > laney_threshold(m)
            else:
                laney = np.full(k, chart == wide)
            inflate = np.where(laney, sigma_z, 1.0)
        center = centre_s[sid]
        with np.errstate(divide="ignore", invalid="ignore"):
            se = (sig * inflate)[sid] / np.sqrt(n)
        # the within sigma of z (Phase II: that of the previous screen)
        within = frozen.sigma_z if frozen is not None else sigma_z
        kinds = np.where(laney, wide, plain).astype(object)
    else:
        # -- individuals (I-MR): mean, sigma = MR-bar / d2(2) per series --------------------
        d = points[value].to_numpy(dtype=np.float64)
        n = np.ones(total)  # so that the pooled "rates" below are plain means
        dsum, nsum = np.add.reduceat(d, starts), m.copy()
        pbar = dsum / nsum
        if frozen is None:
            centre_s, sig = pbar, mr_mean(d) / D2_2
            ok = (m >= 2) & (sig > 0)
        else:
            centre_s, sig = frozen.center, frozen.sigma
            ok = frozen.found & (sig > 0)
        stat = d
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (d - centre_s[sid]) / sig[sid]
        sigma_z = np.full(k, np.nan)
        within = np.ones(k)
        center = centre_s[sid]
        se = sig[sid].copy()
        kinds = np.full(k, "imr", dtype=object)

    # -- limits and run rules, all series at once -----------------------------------------
    keep = ok[sid]
    rate = stat
    lcl = center - 3.0 * se
    ucl = center + 3.0 * se
    if value is None:
        lcl[lcl < 0] = np.nan
        if not count:
            ucl[ucl > 1] = np.nan
    rows = np.flatnonzero(keep)
    vi, vr = find_violations(rate[rows], center[rows], se[rows], lcl[rows], ucl[rows], rules,
                             segment=rule_seg[rows])
    vi = rows[vi]

    # -- per-series signals -----------------------------------------------------------------
    uniq_labels = np.unique(labels)
    cutoff = uniq_labels[max(uniq_labels.size - recent, 0)]
    is_recent = labels >= cutoff
    vpoint = np.unique(vi)  # points with a signal (vi is sorted by point)
    signals = np.bincount(sid[vpoint], minlength=k)
    recent_signal = np.bincount(sid[vpoint[is_recent[vpoint]]], minlength=k) > 0
    last_point = np.full(k, -1, dtype=np.int64)
    np.maximum.at(last_point, sid[vpoint], vpoint)
    last_rule = np.full(k, None, dtype=object)
    last_label = np.full(k, None, dtype=object)
    if vi.size:
        # the rules firing at each series' last signal, as a bit mask, then as text
        at_last = vi == last_point[sid[vi]]
        code = np.searchsorted(np.array(ALL_RULES), vr[at_last]).astype(np.int64)
        mask = np.zeros(k, dtype=np.int64)
        np.bitwise_or.at(mask, sid[vi[at_last]], np.left_shift(1, code))
        has = last_point >= 0
        uniq, inverse = np.unique(mask[has], return_inverse=True)
        text = np.array([",".join(r for b, r in enumerate(ALL_RULES) if u >> b & 1)
                         for u in uniq.tolist()], dtype=object)
        last_rule[has] = text[inverse]
        last_label[has] = labels[last_point[has]]

    # -- the window of the shift statistic: the last stage of each series ----------------
    if win is None:
        win = slice(None)
        ws, wm, wsid, wlab, wd, wn, wdsum, wnsum = starts, m, sid, labels, d, n, dsum, nsum
    else:
        wsid, wlab, wd, wn = sid[win], labels[win], d[win], n[win]
        wchange = np.ones(wsid.size, dtype=bool)
        wchange[1:] = wsid[1:] != wsid[:-1]
        ws = np.flatnonzero(wchange).astype(np.int64)
        wm = np.diff(np.append(ws, wsid.size)).astype(np.float64)
        wdsum, wnsum = np.add.reduceat(wd, ws), np.add.reduceat(wn, ws)
    wtotal = wsid.size
    # -- stability and sustained-shift statistic --------------------------------------------
    zz = np.where(keep[win], z[win], 0.0)
    zsum = np.add.reduceat(zz, ws)
    z2sum = np.add.reduceat(zz * zz, ws)
    with np.errstate(divide="ignore", invalid="ignore"):
        overall = np.sqrt(np.maximum(z2sum - zsum * zsum / wm, 0.0) / (wm - 1.0))
        stability = overall / within
        u = zz / np.where(ok, within, 1.0)[wsid]
    wstops = ws + wm.astype(np.int64)
    stops = starts + m.astype(np.int64)
    change_at = np.full(k, None, dtype=object)
    if frozen is None:
        # Phase I: a change point inside the window (CUSUM of the centred points: a bridge)
        ubar = np.add.reduceat(u, ws) / wm
        csum = np.cumsum(u - ubar[wsid])
        before = np.concatenate(([0.0], csum[ws[1:] - 1])) if k else csum[:0]
        bridge = np.abs(csum - before[wsid]) / np.sqrt(wm[wsid])
        stat = np.maximum.reduceat(bridge, ws)
        p_value = np.where(ok, shift_p_value(stat, wm), np.nan)
        cp = _first_where(bridge >= stat[wsid], ws, wtotal)  # last point before the change
        cum_d, cum_n = np.cumsum(wd), np.cumsum(wn)
        d0 = np.concatenate(([0.0], cum_d))[ws]
        n0 = np.concatenate(([0.0], cum_n))[ws]
        has_cp = ok & (cp + 1 < wstops)
        cpi = np.minimum(cp, wtotal - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_before = (cum_d[cpi] - d0) / (cum_n[cpi] - n0)
            rate_after = (wdsum - (cum_d[cpi] - d0)) / (wnsum - (cum_n[cpi] - n0))
        shift = np.where(has_cp, rate_after - rate_before, np.nan)
        change_at[has_cp] = wlab[cp[has_cp] + 1]
    else:
        # Phase II: a departure from the frozen centre (CUSUM of the points: a Brownian motion)
        csum = np.cumsum(u)
        before = np.concatenate(([0.0], csum[ws[1:] - 1])) if k else csum[:0]
        walk = np.abs(csum - before[wsid]) / np.sqrt(wm[wsid])
        # the frozen centre was estimated from m0 points: its error adds a drift whose
        # variance is wm / m0 of the walk's at its end; the statistic is scaled by it
        stat = np.maximum.reduceat(walk, ws) / np.sqrt(1.0 + wm / frozen.points)
        p_value = np.where(ok, _sup_brownian_sf(stat), np.nan)
        shift = np.where(ok, pbar - centre_s, np.nan)

    # -- recent rate, excess, missing labels ----------------------------------------------
    rd = np.bincount(sid[is_recent], weights=d[is_recent], minlength=k)
    rn = np.bincount(sid[is_recent], weights=n[is_recent], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        recent_rate = np.where(rn > 0, rd / rn, np.nan)
    sign = 1.0 if direction == "lower" else -1.0
    excess = sign * (recent_rate - centre_s)
    grid = np.searchsorted(uniq_labels, labels)
    span = grid[stops - 1] - grid[starts] + 1
    missing = span - m.astype(np.int64)

    q_value = np.full(k, np.nan)
    q_value[ok] = bh(p_value[ok])
    kinds[~ok] = "none"

    table = first.assign(
        chart=kinds, points=m.astype(np.int64), missing=missing,
        center=centre_s, sigma=sig, sigma_z=np.where(m >= 2, sigma_z, np.nan),
        stability=np.where(ok, stability, np.nan), signals=signals.astype(np.int64),
        last_signal=last_label, last_rule=last_rule, recent_signal=recent_signal,
        recent_rate=recent_rate, excess=excess, change_at=change_at, shift=shift,
        p_value=p_value, q_value=q_value,
        flagged=np.where(ok, q_value <= fdr, False),
    )
    scale = "sigma_z" if value is None else "the MR-bar/d2 sigma"
    notes = [
        f"p_value: CUSUM of the standardised points (scaled by {scale}) against the supremum "
        "of a Brownian bridge (Kolmogorov's distribution, mixed over the noise of that "
        "scale); q_value: Benjamini-Hochberg across series.",
    ]
    if limits is not None:
        notes[0] = ("limits frozen from a previous screen; p_value: CUSUM of the standardised "
                    "points away from the frozen centre against the supremum of a Brownian "
                    "motion; q_value: Benjamini-Hochberg across series.")
        if (~ok).any():
            notes.append(f"{int((~ok).sum())} series have no limits in the previous screen: "
                         "chart 'none'.")
    if value is not None:
        notes.append("imr: the individuals chart of each series (one value per label); the "
                     "moving-range chart is not screened.")
    elif chart == "auto" and limits is None:
        notes.append(f"chart: Laney {plain}' where sigma_z > 1 + 1.645 * 0.91 / "
                     f"sqrt(points - 1) (P chart diagnostic), else {plain}.")
    if (~ok).any() and limits is None:
        why = ("no defects" if count else "a rate of 0 or 1") if value is None \
            else "no variation"
        notes.append(f"{int((~ok).sum())} series have fewer than 2 points or {why} (no "
                     "limits): chart 'none', no p-value.")
    if target is not None:
        from sixsigma.capability.sigma import sigma_level

        bad_rate = centre_s if direction == "lower" else 1.0 - centre_s
        low = np.where(np.isnan(lcl), -np.inf, lcl)
        high = np.where(np.isnan(ucl), np.inf, ucl)
        low_mean = np.add.reduceat(low, starts) / m
        high_mean = np.add.reduceat(high, starts) / m
        verdict = limit_assurance(low_mean, high_mean, float(target), direction)
        if value is None and not count:
            table["sigma_level"] = np.asarray(sigma_level(np.clip(bad_rate, 0, 1) * 1e6),
                                              dtype=np.float64).reshape(k)
        verdict[~ok] = None
        table["assurance"] = verdict
        notes.append("assurance: the target against the mean process limits of each series "
                     "(NHS Making Data Count)" + ("; sigma_level from the centre rate with "
                                                  "the 1.5 shift." if value is None and not count
                                                  else "."))
    urgency = np.where(np.isnan(excess), -np.inf, excess)
    order = np.lexsort((-urgency, np.where(ok, p_value, np.inf)))
    table = table.iloc[order].reset_index(drop=True)
    return Screen(table=table, points=points, by=tuple(keys), label=label, rules=rules,
                  fdr=fdr, recent=recent, direction=direction, target=target, value=value,
                  limits=limits, count=count, stage=stage, notes=tuple(notes))
