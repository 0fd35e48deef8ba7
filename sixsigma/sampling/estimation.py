"""Design-based rates from a weighted, stratified QA sample: ``estimate`` and ``prevalence``.

A QA audit sample is rarely a simple random sample: low-confidence decisions, new
moderators or severe policies are audited more often. The raw share of errors in such a
sample is biased; the design-based estimate weights each audited unit by the inverse of its
inclusion probability (the Hájek ratio Σ w y / Σ w) and takes its standard error from the
design (stratified, Taylor-linearised). The aggregation runs where the data live (one
narwhals group-by: pandas, polars, pyarrow, DuckDB, Spark); the variance is computed on the
per-(stratum, domain) moments. Formulas: :mod:`sixsigma._stats.survey`.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley. §2.13, ch. 5-6.
.. [2] Korn, E. L., & Graubard, B. I. (1998). Confidence intervals for proportions with
   small expected number of positive counts estimated from survey data. *Survey
   Methodology*, 24(2), 193-201.
.. [3] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. §2.4
   (``svyciprop``), §2.8 (domains), §3.1.1 (lonely PSUs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from sixsigma._aggregate import check_defectives, check_group_keys, collect, locate
from sixsigma._frames import Table, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result
from sixsigma._stats.survey import INTERVALS, LONELY, design_interval, stratified_ratio
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)

__all__ = ["Estimate", "estimate", "prevalence"]

COLUMNS = ("estimate", "se", "ci_low", "ci_high", "n", "deff")
_MOMENTS = ("__n", "__sw", "__swy", "__sw2", "__sw2y", "__sw2y2")


@dataclass(frozen=True, eq=False, repr=False)
class Estimate(Result, kind="estimate"):
    """A design-based rate (error rate, prevalence) with its standard error and interval.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ``by`` domain (one row without ``by``): the ``by`` keys, ``estimate``
        (the Hájek ratio Σ w y / Σ w), ``se`` (Taylor-linearised, stratified), ``ci_low``,
        ``ci_high``, ``n`` (sampled units in the domain) and ``deff`` (design effect: the
        variance over p̂(1 - p̂)/(n - 1), the variance of a simple random sample of the same
        size with replacement, as R survey's ``deff="replace"``; NaN where p̂ is 0 or 1).
    measure : str
        ``"rate"`` (:func:`estimate`) or ``"prevalence"`` (:func:`prevalence`).
    column : str
        The 0/1 column estimated.
    weight, views, strata : str or None
        The design's columns (``views`` only for prevalence).
    by : tuple of str
        The domain columns.
    fpc : bool
        Whether the finite-population correction was applied (``population=`` given).
    confidence : float
    method : str
        Interval method: ``"beta"`` (Korn-Graubard), ``"wilson"``, ``"logit"``, ``"wald"``.
    lonely_psu : str
        Handling of a stratum with one sampled unit (``"fail"`` raises).
    """

    table: pd.DataFrame
    measure: str
    column: str
    weight: str | None
    views: str | None
    strata: str | None
    by: tuple[str, ...]
    fpc: bool
    confidence: float
    method: str
    lonely_psu: str

    def _single(self, name: str) -> float:
        if len(self.table) != 1:
            raise AttributeError(f"{name} is defined for an estimate without by=; read .table "
                                 "for one row per domain.")
        return float(self.table[name].iloc[0])

    @property
    def estimate(self) -> float:
        """The estimate (one domain only)."""
        return self._single("estimate")

    @property
    def se(self) -> float:
        """Its standard error (one domain only)."""
        return self._single("se")

    @property
    def ci(self) -> tuple[float, float]:
        """The interval (one domain only)."""
        return (self._single("ci_low"), self._single("ci_high"))

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        pct = round(self.confidence * 100, 6)
        design = "weighted" if self.weight or self.views else "unweighted"
        lines = [f"Design-based {self.measure} of {self.column!r} ({design}"
                 + (f", strata {self.strata!r}" if self.strata else "")
                 + (", with FPC" if self.fpc else "") + f"); {pct:g}% {self.method} interval"]
        for _, row in self.table.iterrows():
            key = ", ".join(f"{k}={show(row[k])}" for k in self.by)
            lines.append(f"  {key + ': ' if key else ''}{row['estimate']:.4g} "
                         f"(se {row['se']:.3g}; {row['ci_low']:.4g} to {row['ci_high']:.4g}; "
                         f"n {int(row['n'])}, deff {row['deff']:.3g})")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def estimate(
    data: Any,
    defectives: str,
    *,
    weight: str | None = None,
    strata: str | None = None,
    population: str | Mapping[Any, float] | float | None = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    method: str = "beta",
    lonely_psu: str = "fail",
) -> Estimate:
    """The design-based error rate of a (weighted, stratified) audit sample, with its interval.

    Parameters
    ----------
    data : dataframe
        One row per audited unit (pandas, polars, pyarrow, DuckDB relation, ...).
    defectives : str
        0/1 or boolean column: 1 = the audit found an error.
    weight : str, optional
        Design weight of each unit, 1/(inclusion probability), > 0. Without it every unit
        counts the same (the sample rate; with ``strata``, a stratified sample with equal
        weights).
    strata : str, optional
        The stratum of each unit (queue, score bucket, ...): units were drawn independently
        within strata. Every stratum needs at least two sampled units (see ``lonely_psu``).
    population : str, mapping or number, optional
        Stratum sizes N_h for the finite-population correction (1 - n_h/N_h): a column
        holding each unit's stratum size, a mapping stratum -> N_h, or (without strata) one
        number. It changes only the variance, never the estimate.
    by : str or list of str, optional
        Domains (queue, policy, day, ...) to estimate separately. Domains may cut across
        strata: each domain's variance is taken over the full design (domain indicator),
        not by subsetting the sample.
    confidence : float, default 0.95
    method : {"beta", "wilson", "logit", "wald"}, default "beta"
        Interval, as R survey's ``svyciprop``: "beta" is Korn and Graubard's
        Clopper-Pearson interval on the effective sample size with the degrees-of-freedom
        adjustment, the one that covers for rates under 1 %; "wilson" the Wilson interval
        on the effective sample size; "logit" symmetric on the logit scale; "wald"
        estimate ± t·se (clipped to [0, 1]).
    lonely_psu : {"fail", "certainty", "remove", "adjust"}, default "fail"
        A stratum with a single sampled unit has no variance estimate: "fail" raises
        naming the stratum; "certainty" and "remove" let it contribute nothing; "adjust"
        centres it at the grand mean (R survey's ``options(survey.lonely.psu=)``).

    Returns
    -------
    Estimate
        ``.table`` (by keys..., estimate, se, ci_low, ci_high, n, deff); ``.estimate``,
        ``.se`` and ``.ci`` without ``by``.

    Raises
    ------
    ColumnError, NonNumericError, MissingValueError, DomainError
        A column is absent, not numeric, missing, a weight is <= 0, a defective not 0/1,
        a population size smaller than the stratum's sample (first offending row named).
    InsufficientDataError
        No rows, or a stratum with one unit under ``lonely_psu="fail"``.
    ParameterError
        A bad confidence, method, lonely_psu or population.

    Examples
    --------
    >>> import pandas as pd, sixsigma as ss
    >>> audits = pd.DataFrame({"error": [1, 0, 0, 0, 1, 1, 0, 0],
    ...                        "queue": ["a"] * 4 + ["b"] * 4,
    ...                        "w": [10.0] * 4 + [2.0] * 4})
    >>> r = ss.sampling.estimate(audits, "error", weight="w", strata="queue")
    >>> round(r.estimate, 4), float(audits.error.mean())   # queue a weighs 5 times more
    (0.2917, 0.375)
    >>> r.table.columns.tolist()
    ['estimate', 'se', 'ci_low', 'ci_high', 'n', 'deff']
    """
    return _run("estimate", data, defectives, weight=weight, views=None, strata=strata,
                population=population, by=by, confidence=confidence, method=method,
                lonely_psu=lonely_psu, measure="rate")


def prevalence(
    data: Any,
    violating: str,
    *,
    views: str | None = None,
    weight: str | None = None,
    strata: str | None = None,
    by: str | Sequence[str] | None = None,
    population: str | Mapping[Any, float] | float | None = None,
    confidence: float = 0.95,
    method: str = "beta",
    lonely_psu: str = "fail",
) -> Estimate:
    """Share of views (or of items) that violate, from a sample stratified by classifier score.

    The estimate is Σ (v_i/π_i) y_i / Σ (v_i/π_i): y the 0/1 label, v the item's views
    (``views=``; without it each item counts once: item prevalence) and 1/π the design
    weight (``weight=``). Its variance, interval and domains are those of :func:`estimate`
    with the weight v/π; ``n`` counts sampled items.

    Parameters
    ----------
    data : dataframe
        One row per labelled (sampled) item.
    violating : str
        0/1 or boolean column: 1 = the item violates.
    views : str, optional
        Views (impressions) of each item, >= 0.
    weight, strata, by, population, confidence, method, lonely_psu
        As in :func:`estimate`.

    Examples
    --------
    >>> import pandas as pd, sixsigma as ss
    >>> s = pd.DataFrame({"bad": [1, 0, 0, 0], "views": [100, 10, 10, 80]})
    >>> ss.sampling.prevalence(s, "bad", views="views").estimate
    0.5
    """
    return _run("prevalence", data, violating, weight=weight, views=views, strata=strata,
                population=population, by=by, confidence=confidence, method=method,
                lonely_psu=lonely_psu, measure="prevalence")


# -- the work -------------------------------------------------------------------------------
def _run(caller: str, data: Any, column: str, *, weight: str | None, views: str | None,
         strata: str | None, population: Any, by: str | Sequence[str] | None,
         confidence: float, method: str, lonely_psu: str, measure: str) -> Estimate:
    confidence = check_confidence(confidence, caller=caller)
    method = choice(method, "method", INTERVALS, caller=caller)
    lonely_psu = choice(lonely_psu, "lonely_psu", LONELY, caller=caller)
    by_keys = _keys(by, caller)
    for name, value in (("defectives" if measure == "rate" else "violating", column),
                        ("weight", weight), ("views", views), ("strata", strata)):
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"{caller}: the {name!r} parameter must be a column name; "
                                 f"got {show(value)}.")
    pop_column = population if isinstance(population, str) else None
    table = Table(data, caller=caller)
    table.require(column, weight, views, strata, pop_column, *by_keys)
    roles = [column, weight, views, strata, pop_column]
    used = [c for c in roles if c is not None]
    if len(set(used)) != len(used) or (set(used) - {strata}) & set(by_keys):
        raise ParameterError(f"{caller}: a column cannot play two roles (column, weight, "
                             "views, strata, population, by).")

    y = check_defectives(table, column).cast(nw.Float64)
    w: Any = nw.lit(1.0)
    if weight is not None:
        _check_positive(table, weight, allow_zero=False)
        w = nw.col(weight).cast(nw.Float64)
    if views is not None:
        _check_positive(table, views, allow_zero=True)
        w = w * nw.col(views).cast(nw.Float64)
    if pop_column is not None:
        _check_positive(table, pop_column, allow_zero=False)

    frame = table.frame.with_columns(y.alias("__y"), w.alias("__sw"))
    wy, ww = nw.col("__sw") * nw.col("__y"), nw.col("__sw") * nw.col("__sw")
    # the products first, so that the group-by holds plain sums (the engines' fast path)
    frame = frame.with_columns(wy.alias("__swy"), ww.alias("__sw2"),
                               (ww * nw.col("__y")).alias("__sw2y"),
                               (wy * wy).alias("__sw2y2"))
    aggs = [nw.len().alias("__n")] + [nw.col(m).sum() for m in _MOMENTS[1:]]
    if pop_column is not None:
        aggs += [nw.col(pop_column).min().alias("__pmin"),
                 nw.col(pop_column).max().alias("__pmax")]
    keys = ([strata] if strata is not None else []) + [k for k in by_keys if k != strata]
    if strata is not None:
        _check_no_nulls(table, strata)
    check_group_keys(table, keys)  # missing (null or NaN) and mixed kinds, first row named
    agg = frame.group_by(*keys).agg(*aggs) if keys else frame.select(*aggs)
    cells = collect(agg).to_pandas()
    if cells.empty or float(cells["__n"].sum()) == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    for name in _MOMENTS:
        cells[name] = cells[name].to_numpy(dtype=np.float64)

    notes: list[str] = []
    # strata
    if strata is not None:
        s_codes, s_labels = pd.factorize(cells[strata], sort=False)
    else:
        s_codes, s_labels = np.zeros(len(cells), dtype=np.int64), pd.Index(["all"])
    s_codes = np.asarray(s_codes, dtype=np.int64)
    n_strata = len(s_labels)
    n_h = np.bincount(s_codes, weights=cells["__n"].to_numpy(), minlength=n_strata)
    single = n_h < 2
    if single.any():
        first = s_labels[int(np.flatnonzero(single)[0])]
        where = f"stratum {show(first)} of column {strata!r}" if strata else "the sample"
        if lonely_psu == "fail":
            raise InsufficientDataError(
                f"{caller}: {where} has a single sampled unit, so its variance cannot be "
                f"estimated ({int(single.sum())} such stratum/strata). Merge it with a "
                "similar stratum, or pass lonely_psu='certainty', 'remove' or 'adjust'."
            )
        notes.append(f"{int(single.sum())} stratum/strata with a single sampled unit (first: "
                     f"{show(first)}) handled with lonely_psu={lonely_psu!r}.")
    fpc = _fpc(caller, population, pop_column, cells, strata, s_codes, s_labels, n_h)

    # domains
    if by_keys:
        dom = cells[list(by_keys)]
        d_codes, d_uniques = pd.MultiIndex.from_frame(dom).factorize(sort=False)
        d_codes = np.asarray(d_codes, dtype=np.int64)
        domains = pd.MultiIndex.from_tuples(list(d_uniques)).to_frame(index=False)
        domains.columns = list(by_keys)
    else:
        d_codes = np.zeros(len(cells), dtype=np.int64)
        domains = pd.DataFrame(index=range(1))
    n_dom = len(domains)
    est = stratified_ratio(
        s_codes, d_codes, *(cells[name].to_numpy(dtype=np.float64) for name in _MOMENTS),
        fpc=fpc, n_domains=n_dom, lonely=lonely_psu)
    p = est.estimate
    lo, hi = design_interval(p, est.variance, est.n, est.df, confidence=confidence,
                             method=method)
    with np.errstate(invalid="ignore", divide="ignore"):
        srs = p * (1.0 - p) / (est.n - 1.0)
        deff = np.where((srs > 0) & np.isfinite(srs), est.variance / np.where(srs > 0, srs, 1.0),
                        np.nan)
    out = domains.copy()
    out["estimate"] = p
    out["se"] = np.sqrt(est.variance)
    out["ci_low"] = lo
    out["ci_high"] = hi
    out["n"] = est.n.astype(np.int64)
    out["deff"] = deff
    if by_keys:
        try:
            out = out.sort_values(list(by_keys), kind="stable")
        except TypeError:
            pass
        out = out.reset_index(drop=True)
    else:
        out = out.reset_index(drop=True)

    if np.isnan(p).any():
        notes.append("A domain whose weights sum to 0 (no views) has no estimate.")
    if (np.isnan(lo) & ~np.isnan(p)).any():
        why = ("the logit interval is undefined at an estimate of 0 or 1 (use 'beta')"
               if method == "logit" else "too few units or degrees of freedom")
        notes.append(f"Some intervals are undefined (NaN): {why}.")
    if ((p == 0) | (p == 1)).any():
        notes.append("Where the estimate is 0 or 1 the variance is 0; the interval uses the "
                     "domain's sample size as its effective size and deff is undefined.")
    if weight is None and views is None and strata is not None:
        notes.append("No weights: every unit counts the same; pass weight= (1/inclusion "
                     "probability) when strata were sampled at different rates.")
    return Estimate(
        table=out, measure=measure, column=column, weight=weight, views=views, strata=strata,
        by=by_keys, fpc=population is not None, confidence=confidence, method=method,
        lonely_psu=lonely_psu, notes=tuple(notes))


def _keys(by: str | Sequence[str] | None, caller: str) -> tuple[str, ...]:
    if by is None:
        return ()
    keys = (by,) if isinstance(by, str) else tuple(by)
    if not keys or not all(isinstance(k, str) for k in keys) or len(set(keys)) != len(keys):
        raise ParameterError(f"{caller}: the 'by' parameter must be a column name or a list "
                             f"of distinct column names; got {show(by)}.")
    return keys


def _check_no_nulls(table: Table, name: str) -> None:
    col = nw.col(name)
    nulls = int(collect(table.frame.select(col.null_count()))[name].to_list()[0])
    if nulls:
        where = locate(table, name, col.is_null())
        raise MissingValueError(f"{table.caller}: column {name!r} has a missing value at "
                                f"{where}; every unit needs a stratum.")


def _check_positive(table: Table, name: str, *, allow_zero: bool) -> None:
    """Numeric, no missing or infinite values, > 0 (>= 0 with ``allow_zero``), where it lives."""
    caller = table.caller
    dtype = table.frame.collect_schema()[name]
    col = nw.col(name)
    if dtype == nw.Boolean or not dtype.is_numeric():
        if not table.lazy and dtype != nw.Boolean:
            table.numeric(name)  # names the first non-numeric row
        raise NonNumericError(f"{caller}: column {name!r} must be numeric; it is {dtype}.")
    missing = col.is_null() | col.is_nan() if dtype.is_float() else col.is_null()
    stats = collect(table.frame.select(
        missing.sum().alias("missing"),
        (col <= 0 if not allow_zero else col < 0).sum().alias("low"),
        (~col.is_finite()).sum().alias("inf") if dtype.is_float() else col.null_count()
        .alias("inf"),
    )).to_pandas().iloc[0]
    if int(stats["missing"]):
        where = locate(table, name, missing)
        raise MissingValueError(f"{caller}: column {name!r} has a missing value at {where}.")
    if dtype.is_float() and int(stats["inf"]):
        where = locate(table, name, ~col.is_finite())
        raise DomainError(f"{caller}: column {name!r} has an infinite value at {where}.")
    if int(stats["low"]):
        bad = col <= 0 if not allow_zero else col < 0
        where = locate(table, name, bad)
        what = ">= 0" if allow_zero else "> 0 (a weight is 1/inclusion probability)"
        raise DomainError(f"{caller}: column {name!r} must be {what}; {where} is not.")


def _fpc(caller: str, population: Any, pop_column: str | None, cells: pd.DataFrame,
         strata: str | None, s_codes: Any, s_labels: Any, n_h: Any) -> Any:
    """(1 - n_h/N_h) per stratum; ones without a population."""
    n_strata = len(s_labels)
    if population is None:
        return np.ones(n_strata)
    if pop_column is not None:
        pmin = cells["__pmin"].to_numpy(dtype=np.float64)
        pmax = cells["__pmax"].to_numpy(dtype=np.float64)
        lo = np.full(n_strata, np.inf)
        hi = np.full(n_strata, -np.inf)
        np.minimum.at(lo, s_codes, pmin)
        np.maximum.at(hi, s_codes, pmax)
        if (lo != hi).any():
            k = int(np.flatnonzero(lo != hi)[0])
            where = f"stratum {show(s_labels[k])}" if strata else "the sample"
            raise DomainError(f"{caller}: column {pop_column!r} must hold one population size "
                              f"per stratum, but {where} has {lo[k]:g} and {hi[k]:g}.")
        size = lo
    elif isinstance(population, Mapping):
        if strata is None:
            raise ParameterError(f"{caller}: the 'population' parameter is a mapping stratum "
                                 "-> N, which needs strata=; without strata pass one number.")
        size = np.empty(n_strata)
        for k, label in enumerate(s_labels):
            if label not in population:
                raise ParameterError(f"{caller}: the 'population' parameter has no size for "
                                     f"stratum {show(label)}.")
            size[k] = check_number(population[label], f"population[{label!r}]", caller=caller,
                                   low=0.0, low_open=True)
    else:
        if strata is not None:
            raise ParameterError(f"{caller}: the 'population' parameter must be a column or a "
                                 f"mapping stratum -> N when strata= is given; got "
                                 f"{show(population)}.")
        size = np.array([check_number(population, "population", caller=caller, low=0.0,
                                      low_open=True)])
    small = size < n_h
    if small.any():
        k = int(np.flatnonzero(small)[0])
        where = f"stratum {show(s_labels[k])}" if strata else "the sample"
        raise DomainError(f"{caller}: the population of {where} ({size[k]:g}) is smaller "
                          f"than its {int(n_h[k])} sampled units.")
    return 1.0 - n_h / size
