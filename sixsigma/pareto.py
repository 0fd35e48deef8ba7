"""Pareto analysis: counts or weighted totals by category, the vital few, and before/after.

* :func:`pareto`: one row per category, largest first (ties: category ascending), with
  percent and cumulative percent of the count or of a weighted total (severity, cost).
  The vital few are the smallest set of largest categories whose cumulative share reaches
  ``threshold`` (80 % by default; Juran's Pareto principle). A long tail can be folded
  into one "other" row (placed last, as Minitab does); strata (``by=``) give one table per
  stratum in a tidy frame. The grouping runs where the data live (narwhals: pandas,
  polars, DuckDB), so only one row per category comes back.
* :func:`compare_pareto`: has the mix of categories changed between two periods?
  Pearson's chi-square test of homogeneity on the 2 x k table of counts
  (:func:`scipy.stats.chi2_contingency`; Yates' continuity correction only for a 2 x 2
  table, scipy's default), and Haberman's (1973) adjusted standardized residuals
  r = (O - E)/sqrt(E (1 - row/N)(1 - col/N)), approximately N(0, 1) under homogeneity, to
  say which categories moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from scipy import stats

from sixsigma._aggregate import collect
from sixsigma._frames import Table, as_table, first_row
from sixsigma._params import check_number, choice, shown
from sixsigma._result import Result
from sixsigma._stats import z_two_sided
from sixsigma.capability._common import weight_dtype_check
from sixsigma.errors import (
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)

__all__ = ["Pareto", "ParetoComparison", "compare_pareto", "pareto"]

COLUMNS = ["category", "count", "percent", "cum_percent"]


def _missing(frame: Any, name: str) -> Any:
    """'Value missing': null, or a float NaN (polars and DuckDB keep both)."""
    col = nw.col(name)
    if frame.collect_schema()[name].is_float():
        return col.is_null() | col.is_nan()
    return col.is_null()


def _kind(value: Any) -> str:
    if isinstance(value, str | bytes):
        return "text"
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int | float | np.number):
        return "number"
    return type(value).__name__


def _check_mixed(table: Table, name: str) -> None:
    """Refuse a key column (pandas object dtype) that mixes kinds, e.g. 1 and "1"."""
    native = table.frame.to_native()
    if not isinstance(native, pd.DataFrame) or native[name].dtype != object:
        return
    series = native[name]
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if not inferred.startswith("mixed") or inferred == "mixed-integer-float":
        return
    values = series.to_numpy()
    present = ~pd.isna(series).to_numpy()
    kinds = np.array([_kind(v) if ok else "" for v, ok in zip(values, present, strict=True)])
    first = kinds[present][0]
    other = present & (kinds != first)
    if not other.any():
        return
    i, j = first_row(other), first_row(present)
    raise InputError(f"{table.caller}: column {name!r} mixes kinds of values: row {j} holds "
                     f"{shown(values[j])} ({first}) but row {i} holds {shown(values[i])} "
                     f"({kinds[i]}); convert the column to one type (e.g. all text) first.")


def _aggregate(table: Table, category: str, weight: str | None, by: str | None
               ) -> pd.DataFrame:
    """Counts (and weighted totals) per (stratum,) category, computed by narwhals."""
    caller = table.caller
    table.require(category, weight, by)
    frame = table.frame
    def count(flag: Any) -> Any:  # Spark cannot sum booleans: count them as integers
        return flag.cast(nw.Int64).sum()

    for key in (category, by):
        if key is not None and not table.lazy:
            _check_mixed(table, key)
    checks = [nw.len().alias("_rows"), count(_missing(frame, category)).alias("_nullcat")]
    if by is not None:
        checks.append(count(_missing(frame, by)).alias("_nullby"))
    if weight is not None:
        weight_dtype_check(table, weight)   # text or categorical: NonNumericError, first row
        dtype = frame.collect_schema()[weight]
        if not dtype.is_numeric():
            table.numeric(weight)  # raises NonNumericError naming the first bad row
        w = nw.col(weight)
        checks += [count(_missing(frame, weight)).alias("_nullw"), count(w < 0).alias("_negw"),
                   count(w.abs() == float("inf")).alias("_infw")]
    res = collect(frame.select(*checks))
    info = {k: res[k][0] for k in res.columns}
    if info["_rows"] == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    for key, col in (("_nullcat", category), ("_nullby", by)):
        if info.get(key, 0):
            assert col is not None
            row = first_row(pd.isna(pd.Series(table.raw(col), copy=False)).to_numpy())
            raise MissingValueError(f"{caller}: column {col!r} has a missing category at row "
                                    f"{row}; drop or label those rows first.")
    if weight is not None and (info["_nullw"] or info["_negw"] or info["_infw"]):
        table.numeric(weight, minimum=0.0)  # raises, naming the first bad row
    keys = [by, category] if by is not None else [category]
    aggs = [nw.len().alias("records")]
    if weight is not None:
        aggs.append(nw.col(weight).sum().alias("weighted"))
    out = collect(frame.group_by(*keys).agg(*aggs)).to_pandas()
    if weight is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            sums = out["weighted"].to_numpy(dtype=float)
            overflow = not (np.isfinite(sums).all() and np.isfinite(sums.sum()))
        if overflow:
            wv = table.numeric(weight)
            i = first_row(np.abs(wv) == np.abs(wv).max())
            raise DomainError(f"{caller}: the weights of column {weight!r} add up beyond the "
                              f"float range (row {i} is {float(wv[i]):.6g}); rescale them "
                              "(other units) first.")
    out["records"] = out["records"].astype(np.int64)
    out["count"] = out["weighted"].astype(float) if weight is not None \
        else out["records"].astype(float)
    renamed: pd.DataFrame = out.rename(columns={category: "category"})
    return renamed


def _sort(frame: pd.DataFrame) -> pd.DataFrame:
    """Count descending, then category ascending (as text when types are mixed)."""
    try:
        return frame.sort_values(["count", "category"], ascending=[False, True],
                                 kind="mergesort", ignore_index=True)
    except TypeError:
        key = frame.assign(_c=frame["category"].astype(str))
        return key.sort_values(["count", "_c"], ascending=[False, True], kind="mergesort",
                               ignore_index=True).drop(columns="_c")


def _one_table(frame: pd.DataFrame, *, threshold: float, other_below: float | None,
               top: int | None, other_label: Any, caller: str,
               weighted: bool) -> tuple[pd.DataFrame, list[Any]]:
    f = _sort(frame)
    total = float(f["count"].sum())
    if not total > 0:
        raise DomainError(f"{caller}: the total is zero (every weight is 0), so no shares "
                          "can be computed.")
    share = f["count"].to_numpy() / total
    cum = np.cumsum(share)
    k = int(np.searchsorted(cum, threshold - 1e-12))
    vital = f["category"].iloc[: min(k + 1, len(f))].tolist()
    fold = np.zeros(len(f), dtype=bool)
    if other_below is not None:
        fold |= share < other_below
    if top is not None:
        fold[top:] = True
    if fold.any():
        if (f["category"] == other_label).any() and not fold[(f["category"] == other_label)
                                                             .to_numpy()].all():
            raise ParameterError(f"{caller}: a category is already called {other_label!r}; "
                                 "pass another other_label=.")
        tail = f[fold]
        row: dict[str, Any] = {"category": other_label, "count": tail["count"].sum()}
        if "records" in f:
            row["records"] = int(tail["records"].sum())
        f = pd.concat([f[~fold], pd.DataFrame([row])], ignore_index=True)
    f["percent"] = 100.0 * f["count"] / total
    f["cum_percent"] = f["percent"].cumsum()
    cols = COLUMNS + (["records"] if weighted else [])
    return f[cols], vital


@dataclass(frozen=True, eq=False, repr=False)
class Pareto(Result, kind="pareto"):
    """A Pareto table and its vital few.

    Attributes
    ----------
    table : pandas.DataFrame
        Largest first: ``category``, ``count`` (the weighted total when ``weight`` was
        given), ``percent``, ``cum_percent`` (and ``records``, the number of rows, when
        weighted). With ``by`` the stratum column comes first and each stratum has its own
        percentages.
    vital_few : list
        Smallest set of largest categories reaching ``threshold`` of the total (pooled
        over strata when ``by`` is given).
    vital_few_by : dict or None
        Stratum -> its vital few (with ``by``).
    overall : pandas.DataFrame
        The pooled table (equal to ``table`` without ``by``).
    threshold : float
        The cumulative share defining the vital few.
    category, weight, by : str or None
        The columns used.
    total : float
        Total count (or weight).
    """

    table: pd.DataFrame
    vital_few: list[Any]
    overall: pd.DataFrame
    threshold: float
    category: str
    total: float
    weight: str | None = None
    by: str | None = None
    vital_few_by: dict[Any, list[Any]] | None = None

    @property
    def tables(self) -> dict[Any, pd.DataFrame]:
        """Stratum -> its Pareto table (``{None: table}`` without ``by``)."""
        if self.by is None:
            return {None: self.table.copy()}
        return {k: g.drop(columns=self.by).reset_index(drop=True)
                for k, g in self.table.groupby(self.by, sort=False)}

    def summary(self) -> str:
        """A short text summary."""
        what = f"sum of {self.weight!r}" if self.weight else "count"
        head = (f"Pareto of {self.category!r} ({what}, total {self.total:g}): vital few "
                f"({self.threshold:.0%}) = {', '.join(map(str, self.vital_few))}")
        if self.vital_few_by:
            head += "".join(f"\n  {k}: {', '.join(map(str, v))}"
                            for k, v in self.vital_few_by.items())
        return head


def _check_options(threshold: float, other_below: float | None, top: int | None,
                   caller: str) -> None:
    check_number(threshold, "threshold", caller=caller, low=0.0, high=1.0, low_open=True)
    if other_below is not None:
        check_number(other_below, "other_below", caller=caller, low=0.0, high=1.0,
                     low_open=True, high_open=True)
    if top is not None and not isinstance(top, int | np.integer):
        raise ParameterError(f"{caller}: the 'top' parameter must be a whole number >= 1; "
                             f"got {shown(top)}.")
    if top is not None:
        check_number(top, "top", caller=caller, low=1.0, integer=True)


def _with_categories(agg: pd.DataFrame, categories: Any, by: str | None) -> pd.DataFrame:
    if categories is None:
        return agg
    cats = list(categories)
    strata = [None] if by is None else agg[by].drop_duplicates().tolist()
    rows = []
    for s in strata:
        have = set((agg if by is None else agg[agg[by] == s])["category"].tolist())
        for c in cats:
            if c not in have:
                row: dict[str, Any] = {"category": c, "count": 0.0, "records": 0}
                if by is not None:
                    row[by] = s
                if "weighted" in agg:
                    row["weighted"] = 0.0
                rows.append(row)
    return pd.concat([agg, pd.DataFrame(rows)], ignore_index=True) if rows else agg


def pareto(
    data: Any,
    category: str,
    weight: str | None = None,
    by: str | None = None,
    *,
    threshold: float = 0.8,
    other_below: float | None = None,
    top: int | None = None,
    other_label: Any = "other",
    categories: Any = None,
) -> Pareto:
    """Pareto table of a categorical column: counts or weighted totals, largest first.

    Parameters
    ----------
    data : dataframe or dict
        One row per record (an error found in an audit), or one row per category with a
        count column passed as ``weight``.
    category : str
        Column of categories (error type). Missing values are an error.
    weight : str, optional
        Column summed instead of counting rows: severity, cost, or a count of aggregated
        data. Must be >= 0.
    by : str, optional
        Stratify: one table per value of this column (queue, region), in a tidy frame.
    threshold : float
        Cumulative share defining the vital few (0.8).
    other_below : float, optional
        Fold categories whose share is below this into one row ``other_label``.
    top : int, optional
        Keep the ``top`` largest categories and fold the rest into ``other_label``.
    other_label : str
        Label of the folded row ("other"), placed last.
    categories : list, optional
        The full vocabulary: categories not observed appear with count 0.

    Returns
    -------
    Pareto
        ``.table`` (category, count, percent, cum_percent), ``.vital_few`` and, with
        ``by``, ``.vital_few_by`` and ``.tables``.

    Raises
    ------
    ColumnError
        A column is missing.
    MissingValueError
        A missing category (or stratum, or weight), null or float NaN alike, naming the
        first row.
    DomainError
        A negative or infinite weight; weights whose total overflows; all weights zero.
    NonNumericError
        A text or categorical weight column (naming its first row).
    InputError
        A category or stratum column mixing kinds (1 and "1"); a ragged dict.
    InsufficientDataError
        No rows.
    ParameterError
        A bad threshold, other_below or top.

    Examples
    --------
    >>> from sixsigma import pareto as pa
    >>> errors = {"type": ["over", "under", "over", "wrong", "over", "under"]}
    >>> res = pa.pareto(errors, "type")
    >>> res.table["category"].tolist(), res.table["count"].tolist()
    (['over', 'under', 'wrong'], [3.0, 2.0, 1.0])
    >>> res.vital_few            # 50 % + 33 % reaches 80 %
    ['over', 'under']
    """
    caller = "pareto"
    _check_options(threshold, other_below, top, caller)
    table = as_table(data, caller=caller)
    agg = _with_categories(_aggregate(table, category, weight, by), categories, by)
    opts = {"threshold": threshold, "other_below": other_below, "top": top,
            "other_label": other_label, "caller": caller, "weighted": weight is not None}
    pooled = agg.groupby("category", sort=False, as_index=False)[["count", "records"]].sum()
    overall, vital = _one_table(pooled, **opts)
    total = float(agg["count"].sum())
    if by is None:
        return Pareto(table=overall, vital_few=vital, overall=overall, threshold=threshold,
                      category=category, total=total, weight=weight)
    parts, vital_by = [], {}
    for stratum, g in _sort_strata(agg, by):
        t, v = _one_table(g.drop(columns=by), **opts)
        parts.append(t.assign(**{by: stratum})[[by, *t.columns]])
        vital_by[stratum] = v
    tidy = pd.concat(parts, ignore_index=True)
    return Pareto(table=tidy, vital_few=vital, overall=overall, threshold=threshold,
                  category=category, total=total, weight=weight, by=by,
                  vital_few_by=vital_by)


def _sort_strata(agg: pd.DataFrame, by: str) -> list[tuple[Any, pd.DataFrame]]:
    try:
        keys = sorted(agg[by].unique().tolist())
    except TypeError:
        keys = sorted(agg[by].unique().tolist(), key=str)
    return [(k, agg[agg[by] == k]) for k in keys]


@dataclass(frozen=True, eq=False, repr=False)
class ParetoComparison(Result, kind="pareto_comparison"):
    """Before/after comparison of the category mix (chi-square test of homogeneity).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per category (pooled count descending): ``category``, ``before``,
        ``after`` (the counts tested), ``before_percent``, ``after_percent``,
        ``change_pp`` (percentage points), ``expected_before``, ``expected_after``,
        ``residual_before``, ``residual_after`` (Haberman's adjusted residuals),
        ``p_value`` (two-sided, of the residual), ``moved`` (|r| beyond the critical
        value) and ``direction`` ("up", "down" or ""); with a severity/cost weight also
        ``before_weighted`` and ``after_weighted``.
    statistic, dof, p_value : float, int, float
        Pearson's chi-square test of homogeneity.
    correction : str
        ``"yates"`` (2 x 2 tables only) or ``"none"``.
    alpha : float
        Level of the test and of the residual flags.
    adjust : str
        ``"none"`` or ``"bonferroni"`` (residual critical value at alpha / k).
    changed : bool
        p_value < alpha.
    moved : list
        Categories whose share moved significantly.
    tested_on : str
        ``"records"`` (row counts) or ``"weight"`` (a frequency weight).
    notes : tuple of str
        Caveats (categories dropped, small expected counts).
    """

    table: pd.DataFrame
    statistic: float
    dof: int
    p_value: float
    correction: str
    alpha: float
    adjust: str
    changed: bool
    moved: list[Any]
    tested_on: str
    category: str

    def summary(self) -> str:
        """A short text summary."""
        verdict = "changed" if self.changed else "no significant change"
        moved = ", ".join(
            f"{c} ({d})" for c, d in zip(self.table.loc[self.table["moved"], "category"],
                                        self.table.loc[self.table["moved"], "direction"],
                                        strict=True))
        lines = [f"Pareto before/after of {self.category!r}: chi2 = {self.statistic:.3f}, "
                 f"dof {self.dof}, p = {self.p_value:.3g} ({verdict}; {self.correction} "
                 "correction)", f"  moved: {moved or 'none'}"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


_EXACT = float(2**53)  # frequencies beyond this are not whole numbers any more


def compare_pareto(
    before: Any,
    after: Any,
    category: str,
    weight: str | None = None,
    *,
    weight_is_frequency: bool = False,
    categories: Any = None,
    alpha: float = 0.05,
    adjust: Literal["none", "bonferroni"] = "none",
) -> ParetoComparison:
    """Test whether the mix of categories changed between two periods.

    Parameters
    ----------
    before, after : dataframe or dict
        Records of the two periods (one row per error), same columns.
    category : str
        Column of categories.
    weight : str, optional
        A severity or cost column: the weighted totals are reported, but the test runs
        on record counts (a chi-square test needs counts). With
        ``weight_is_frequency=True`` the column holds counts of aggregated data (one row
        per category) and the test uses them.
    weight_is_frequency : bool
        See ``weight``.
    categories : list, optional
        Full vocabulary (categories absent from both periods are dropped from the test).
    alpha : float
        Level of the test and of the residual flags (0.05).
    adjust : {"none", "bonferroni"}
        Critical value of the residual flags: z_(1 - alpha/2), or z_(1 - alpha/(2k)).

    Returns
    -------
    ParetoComparison

    Raises
    ------
    InsufficientDataError
        An empty period, or fewer than two categories observed.
    DomainError
        A frequency weight that is not a whole number, negative weights.
    MissingValueError, ColumnError
        As :func:`pareto`.

    Examples
    --------
    >>> from sixsigma.pareto import compare_pareto
    >>> before = {"type": ["over"] * 30 + ["under"] * 20}
    >>> after = {"type": ["over"] * 10 + ["under"] * 40}
    >>> res = compare_pareto(before, after, "type")
    >>> res.correction, res.changed, res.moved
    ('yates', True, ['under', 'over'])
    """
    caller = "compare_pareto"
    check_number(alpha, "alpha", caller=caller, low=0.0, high=1.0, low_open=True,
                 high_open=True)
    choice(adjust, "adjust", ("none", "bonferroni"), caller=caller)
    if weight_is_frequency and weight is None:
        raise ParameterError(f"{caller}: weight_is_frequency=True needs weight=.")
    parts = []
    for name, data in (("before", before), ("after", after)):
        table = as_table(data, caller=f"{caller} ({name})")
        agg = _aggregate(table, category, weight, None)
        agg = _with_categories(agg, categories, None)
        if weight_is_frequency:
            assert weight is not None
            if not table.lazy:  # whole numbers, the first bad row named
                wv = table.numeric(weight, count=True)
                if wv.sum() > _EXACT:
                    i = first_row(wv == wv.max())
                    raise DomainError(f"{caller}: the frequencies of column {weight!r} add up "
                                      f"beyond 2**53 (row {i} is {wv[i]:.6g} in the {name} "
                                      "data); they cannot be counted exactly.")
            if float(agg["count"].sum()) > _EXACT:
                raise DomainError(f"{caller}: the frequencies of column {weight!r} add up "
                                  f"beyond 2**53 in the {name} data; they cannot be counted "
                                  "exactly.")
            frac = np.mod(agg["count"].to_numpy(), 1.0) != 0
            if frac.any():
                bad = shown(agg["category"][frac].iloc[0])
                raise DomainError(f"{caller}: weight {weight!r} is a frequency but is not a "
                                  f"whole number for category {bad} ({name}).")
        tested = agg["count"] if weight_is_frequency else agg["records"].astype(float)
        cols = {"category": agg["category"], name: tested.to_numpy()}
        if weight is not None and not weight_is_frequency:
            cols[f"{name}_weighted"] = agg["count"].to_numpy()
        parts.append(pd.DataFrame(cols))
    merged = parts[0].merge(parts[1], on="category", how="outer").fillna(0.0)
    merged["count"] = merged["before"] + merged["after"]
    merged = _sort(merged).drop(columns="count")
    notes: list[str] = []
    empty = (merged["before"] + merged["after"]) == 0
    if empty.any():
        notes.append("categories absent from both periods were left out: "
                     + ", ".join(map(str, merged.loc[empty, "category"])))
        merged = merged[~empty].reset_index(drop=True)
    if len(merged) < 2:
        raise InsufficientDataError(f"{caller}: at least two categories are needed to compare "
                                    f"the mix; got {len(merged)}.")
    obs = merged[["before", "after"]].to_numpy(dtype=float)
    col_tot = obs.sum(axis=0)
    if (col_tot == 0).any():
        raise InsufficientDataError(f"{caller}: the {'before' if col_tot[0] == 0 else 'after'}"
                                    " period has no records.")
    res = stats.chi2_contingency(obs, correction=True)
    dof = int(res.dof)
    expected = np.asarray(res.expected_freq, dtype=float)
    n = obs.sum()
    row_tot = obs.sum(axis=1, keepdims=True)
    resid = (obs - expected) / np.sqrt(expected * (1.0 - row_tot / n) * (1.0 - col_tot / n))
    k = len(merged)
    crit = z_two_sided(1.0 - alpha / (k if adjust == "bonferroni" else 1))
    r_after = resid[:, 1]
    pct = 100.0 * obs / col_tot
    merged = merged.assign(
        before_percent=pct[:, 0], after_percent=pct[:, 1], change_pp=pct[:, 1] - pct[:, 0],
        expected_before=expected[:, 0], expected_after=expected[:, 1],
        residual_before=resid[:, 0], residual_after=r_after,
        p_value=2.0 * stats.norm.sf(np.abs(r_after)),
        moved=np.abs(r_after) > crit,
        direction=np.where(np.abs(r_after) > crit, np.where(r_after > 0, "up", "down"), ""),
    )
    if (expected < 5).any():
        notes.append("some expected counts are below 5: the chi-square approximation is rough")
    moved_rows = merged[merged["moved"]]
    order = np.argsort(-np.abs(moved_rows["residual_after"].to_numpy()), kind="stable")
    p = float(res.pvalue)
    return ParetoComparison(
        table=merged.reset_index(drop=True), statistic=float(res.statistic), dof=dof,
        p_value=p, correction="yates" if dof == 1 else "none", alpha=float(alpha),
        adjust=adjust, changed=bool(p < alpha),
        moved=moved_rows["category"].iloc[order].tolist(),
        tested_on="weight" if weight_is_frequency else "records", category=category,
        notes=tuple(notes),
    )


