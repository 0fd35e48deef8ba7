"""Cohen's and Fleiss' kappa, with standard errors, tests and intervals.

* :func:`cohen_kappa`: two raters (one row per item, one column per rater); unweighted,
  linear or quadratic agreement weights (Cohen 1968) over the declared categories; the
  large-sample standard error of Fleiss, Cohen & Everitt (1969) for the interval, and their
  standard error under H0 (kappa = 0) for the z test.
* :func:`fleiss_kappa`: any fixed number m >= 2 of ratings per item (long format); Fleiss
  (1971) kappa and category-wise kappas, the null standard error of Fleiss, Nee & Landis
  (1979) for z (what irr and Minitab report), and a jackknife interval over items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import Table, first_row, show
from sixsigma._params import check_confidence, choice
from sixsigma._result import Result
from sixsigma._stats import z_two_sided
from sixsigma.errors import InputError, InsufficientDataError, ParameterError
from sixsigma.msa._common import category_order, codes, key_column, load

__all__ = ["CohenKappa", "FleissKappa", "cohen_kappa", "fleiss_kappa", "fleiss_from_counts"]

Alternative = Literal["two-sided", "greater", "less"]
FloatArray = NDArray[np.float64]


def p_value(z: float, alternative: str) -> float:
    """Normal p-value of ``z`` for the given alternative (NaN stays NaN)."""
    if not np.isfinite(z):
        return float("nan")
    if alternative == "two-sided":
        return float(2.0 * stats.norm.sf(abs(z)))
    if alternative == "greater":
        return float(stats.norm.sf(z))
    return float(stats.norm.cdf(z))


def _check_alternative(alternative: str, caller: str) -> None:
    choice(alternative, "alternative", ("two-sided", "greater", "less"), caller=caller)


def _ratio(num: Any, den: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


# ---------------------------------------------------------------------------------------
# Cohen
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class CohenKappa(Result, kind="cohen_kappa"):
    """Cohen's kappa of two raters.

    Attributes
    ----------
    kappa : float or None
        (p_o - p_e) / (1 - p_e) with agreement weights (identity when unweighted); None
        when undefined (chance agreement p_e = 1), with a note.
    se : float
        Large-sample standard error (Fleiss, Cohen & Everitt 1969), used for :attr:`ci`.
    se0 : float
        Standard error under H0: kappa = 0 (same paper), used for :attr:`z`.
    ci : tuple of float or None
        kappa -/+ z_(1-a/2) * se; None (with a note) when it cannot be computed.
    z, p_value : float
        Test of kappa = 0 (``alternative`` gives the side).
    weights : str
        "unweighted", "linear" (1 - |i-j|/(k-1)) or "quadratic" (1 - (i-j)^2/(k-1)^2).
    categories : tuple
        The category order the weights use.
    po, pe : float
        Observed and chance (weighted) agreement.
    n : int
        Items rated by both raters.
    table : pandas.DataFrame
        The k x k table of counts (rows rater_a, columns rater_b).
    """

    kappa: float | None
    se: float
    se0: float
    ci: tuple[float, float] | None
    z: float
    p_value: float
    weights: str
    categories: tuple[Any, ...]
    po: float
    pe: float
    n: int
    confidence: float
    alternative: str
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row: kappa, se, se0, ci_low, ci_high, z, p_value, po, pe, n, weights."""
        low, high = _bounds(self.ci)
        return pd.DataFrame([{
            "kappa": _num(self.kappa), "se": self.se, "se0": self.se0, "ci_low": low,
            "ci_high": high, "z": self.z, "p_value": self.p_value, "po": self.po,
            "pe": self.pe, "n": self.n, "weights": self.weights,
        }])

    def summary(self) -> str:
        """A short text summary."""
        low, high = _bounds(self.ci)
        lines = [f"Cohen's kappa ({self.weights}) = {_num(self.kappa):.4f}, se {self.se:.4f}, "
                 f"{self.confidence:.0%} CI ({low:.4f}, {high:.4f}); "
                 f"z = {self.z:.3f}, p = {self.p_value:.4g} (n = {self.n})"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _num(value: float | None) -> float:
    """None (an undefined figure) as NaN, for tables and formatted text."""
    return float("nan") if value is None else float(value)


def _bounds(ci: tuple[float, float] | None) -> tuple[float, float]:
    return (float("nan"), float("nan")) if ci is None else (_num(ci[0]), _num(ci[1]))


def _defined(value: float) -> float | None:
    """A finite figure as float, an undefined one (NaN, inf) as None."""
    return float(value) if np.isfinite(value) else None


def _interval(estimate: float | None, se: float, confidence: float,
             ) -> tuple[float, float] | None:
    """The interval estimate -/+ z_(1-a/2) * se, or None when either is undefined."""
    if estimate is None or not np.isfinite(se):
        return None
    half = z_two_sided(confidence) * se
    return (estimate - half, estimate + half)


def agreement_weights(k: int, weights: str | None, caller: str) -> FloatArray:
    """The k x k agreement-weight matrix of Cohen (1968): identity, linear or quadratic."""
    idx = np.arange(k, dtype=float)
    diff = np.abs(idx[:, None] - idx[None, :])
    if weights is None or choice(weights, "weights", ("unweighted", "linear", "quadratic"),
                                 caller=caller) == "unweighted":
        return np.eye(k)
    if k < 2:
        return np.ones((k, k))
    if weights == "linear":
        return 1.0 - diff / (k - 1)
    return 1.0 - diff**2 / (k - 1) ** 2


def cohen_from_table(
    counts: FloatArray, w: FloatArray
) -> tuple[float, float, float, float, float]:
    """Kappa, se, se0, po, pe from a k x k count table and weights (FCE 1969)."""
    n = counts.sum()
    p = counts / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    pe = float((w * np.outer(row, col)).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (po - pe) / (1 - pe) if pe != 1 else float("nan")
        wi = w @ col          # w-bar_i. = sum_j p_.j w_ij
        wj = row @ w          # w-bar_.j = sum_i p_i. w_ij
        a = (p * (w - (wi[:, None] + wj[None, :]) * (1 - kappa)) ** 2).sum()
        var = (a - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
        a0 = (np.outer(row, col) * (w - (wi[:, None] + wj[None, :])) ** 2).sum()
        var0 = (a0 - pe**2) / (n * (1 - pe) ** 2)
    se = float(np.sqrt(var)) if np.isfinite(var) and var >= 0 else float("nan")
    se0 = float(np.sqrt(var0)) if np.isfinite(var0) and var0 > 0 else float("nan")
    return float(kappa), se, se0, po, pe


def cohen_kappa(
    data: Any,
    rater_a: str,
    rater_b: str,
    *,
    weights: Literal["linear", "quadratic"] | None = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
) -> CohenKappa:
    """Cohen's kappa (1960) of two raters, optionally weighted (Cohen 1968).

    Parameters
    ----------
    data : dataframe or dict
        One row per item, one column per rater.
    rater_a, rater_b : str
        The two raters' columns.
    weights : {None, "linear", "quadratic"}
        Agreement weights by category position: linear 1 - |i-j|/(k-1), quadratic
        1 - (i-j)^2/(k-1)^2 (quadratic-weighted kappa approximates the ICC).
    categories : sequence, optional
        The categories in their order. The weights run over these, including categories
        nobody used; a rating outside them raises :class:`~sixsigma.errors.DomainError`.
        Default: the observed categories, ordered numerically when they are numbers (irr's
        ``kappa2`` sorts codes as strings, so 10 comes before 2; this does not).
    confidence : float
        Level of :attr:`CohenKappa.ci`.
    alternative : {"two-sided", "greater", "less"}
        Side of the z test of kappa = 0 (irr reports two-sided).

    Returns
    -------
    CohenKappa

    Raises
    ------
    sixsigma.errors.ColumnError, MissingValueError, DomainError, ParameterError

    Notes
    -----
    kappa_w = (p_o - p_e) / (1 - p_e), p_o = sum w_ij p_ij, p_e = sum w_ij p_i. p_.j.
    Standard errors from Fleiss, Cohen & Everitt (1969), "Large sample standard errors of
    kappa and weighted kappa", Psychological Bulletin 72(5), 323-327: the non-null one for
    the interval, the null one for z.

    Examples
    --------
    >>> d = {"a": [1, 1, 2, 2, 3, 3], "b": [1, 1, 2, 3, 3, 3]}
    >>> r = ss.msa.cohen_kappa(d, "a", "b")
    >>> round(r.kappa, 4)   # po = 5/6, pe = (2*2 + 2*1 + 2*3)/36 = 1/3
    0.75
    """
    caller = "cohen_kappa"
    confidence = check_confidence(confidence, caller=caller)
    _check_alternative(alternative, caller)
    if rater_a == rater_b:
        raise ParameterError(f"{caller}: rater_a and rater_b are the same column "
                             f"({rater_a!r}); kappa needs two different raters.")
    table = load(data, caller, rater_a, rater_b, min_rows=2)
    a = table.raw(rater_a)
    b = table.raw(rater_b)
    cats = category_order(np.concatenate([a, b]) if categories is None else a, categories,
                          caller=caller)
    ca = codes(a, cats, rater_a, caller=caller)
    cb = codes(b, cats, rater_b, caller=caller)
    k = len(cats)
    counts = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k).astype(float)
    w = agreement_weights(k, weights, caller)
    raw_kappa, se, se0, po, pe = cohen_from_table(counts, w)
    kappa = _defined(raw_kappa)
    notes: list[str] = []
    if kappa is None:
        notes.append("kappa is undefined: chance agreement p_e = 1 (both raters put every "
                     "item in the same category), so there is nothing to correct for")
    z = raw_kappa / se0 if np.isfinite(se0) and se0 > 0 else float("nan")
    ci = _interval(kappa, se, confidence)
    if ci is None and kappa is not None:
        notes.append("ci is undefined: the standard error of kappa cannot be computed")
    labels = [str(c) for c in cats]
    return CohenKappa(
        kappa=kappa, se=se, se0=se0, ci=ci, z=float(z),
        p_value=p_value(float(z), alternative), weights=weights or "unweighted",
        categories=tuple(cats), po=po, pe=pe, n=int(a.size), confidence=confidence,
        alternative=alternative,
        table=pd.DataFrame(counts.astype(int), index=pd.Index(labels, name=rater_a),
                           columns=pd.Index(labels, name=rater_b)),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------
# Fleiss
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class FleissStats(Result, kind="fleiss_stats"):
    """The numbers of Fleiss' kappa from an items x categories count matrix.

    ``kappa`` is None (with a note) when undefined: chance agreement P_e = 1.
    """

    kappa: float | None
    p_bar: float
    p_e: float
    p_j: FloatArray
    se0: float
    kappa_j: FloatArray
    se0_j: float
    jackknife_se: float
    n_items: int
    m: int


def fleiss_from_counts(counts: NDArray[Any]) -> FleissStats:
    """Fleiss (1971) kappa from an items x categories count matrix with equal row sums.

    P_i = (sum_j n_ij^2 - m) / (m (m - 1)); P-bar = mean P_i; p_j = sum_i n_ij / (n m);
    P_e = sum p_j^2; kappa = (P-bar - P_e) / (1 - P_e). Category-wise
    kappa_j = 1 - sum_i n_ij (m - n_ij) / (n m (m - 1) p_j q_j). Null standard errors of
    Fleiss, Nee & Landis (1979): se0 = sqrt(2) / (sum p_j q_j sqrt(n m (m-1))) *
    sqrt((sum p_j q_j)^2 - sum p_j q_j (q_j - p_j)) and se0_j = sqrt(2 / (n m (m-1))).
    The jackknife standard error leaves out one item at a time.
    """
    x = np.asarray(counts, dtype=float)
    n, _ = x.shape
    m = int(round(float(x[0].sum())))
    pi = ((x**2).sum(axis=1) - m) / (m * (m - 1))
    p_bar = float(pi.mean())
    col = x.sum(axis=0)
    p_j = col / (n * m)
    q_j = 1 - p_j
    p_e = float((p_j**2).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (p_bar - p_e) / (1 - p_e) if p_e < 1 else float("nan")
        pq = p_j * q_j
        spq = pq.sum()
        inner = spq**2 - (pq * (q_j - p_j)).sum()
        se0 = (np.sqrt(2) / (spq * np.sqrt(n * m * (m - 1))) * np.sqrt(inner)
               if spq > 0 and inner > 0 else float("nan"))
        kappa_j = 1 - _ratio((x * (m - x)).sum(axis=0), n * m * (m - 1) * pq)
        se0_j = float(np.sqrt(2.0 / (n * m * (m - 1))))
        # jackknife: leave item i out
        if n > 2:
            pbar_i = (pi.sum() - pi) / (n - 1)
            pj_i = (col[None, :] - x) / ((n - 1) * m)
            pe_i = (pj_i**2).sum(axis=1)
            k_i = _ratio(pbar_i - pe_i, 1 - pe_i)
            jack = (float(np.sqrt((n - 1) / n * ((k_i - k_i.mean()) ** 2).sum()))
                    if np.isfinite(k_i).all() else float("nan"))
        else:
            jack = float("nan")
    k = _defined(float(kappa))
    notes = () if k is not None else (
        "kappa is undefined: chance agreement P_e = 1 (every rating is the same category)",)
    return FleissStats(kappa=k, p_bar=p_bar, p_e=p_e, p_j=p_j, se0=float(se0),
                       kappa_j=np.asarray(kappa_j, dtype=float), se0_j=se0_j,
                       jackknife_se=jack, n_items=n, m=m, notes=notes)


@dataclass(frozen=True, eq=False, repr=False)
class FleissKappa(Result, kind="fleiss_kappa"):
    """Fleiss' kappa of m ratings per item.

    Attributes
    ----------
    kappa : float or None
        Fleiss (1971) kappa; None when undefined (chance agreement P_e = 1), with a note.
    se0 : float
        Standard error under H0: kappa = 0 (Fleiss, Nee & Landis 1979; irr, Minitab).
    z, p_value : float
        kappa / se0 and its normal p-value (``alternative``).
    se : float
        Jackknife standard error over items (``ci_method``), for the interval and for
        comparing kappas (:func:`sixsigma.msa.compare_rounds`).
    ci : tuple of float or None
        kappa -/+ z_(1-a/2) * se; None (with a note) when it cannot be computed.
    p_bar, p_e : float
        Mean observed pairwise agreement and chance agreement sum p_j^2.
    percent_agreement : float
        Share of items on which all m ratings agree (irr's "percent agreement").
    by_category : pandas.DataFrame
        One row per category: category, p_j, kappa, se0, z, p_value.
    n_items, m, n_raters : int
    categories : tuple
    """

    kappa: float | None
    se0: float
    z: float
    p_value: float
    se: float
    ci: tuple[float, float] | None
    p_bar: float
    p_e: float
    percent_agreement: float
    by_category: pd.DataFrame
    n_items: int = 0
    m: int = 0
    n_raters: int = 0
    categories: tuple[Any, ...] = ()
    confidence: float = 0.95
    alternative: str = "two-sided"
    ci_method: str = "jackknife_items"

    def to_frame(self) -> pd.DataFrame:
        """The overall row followed by the category rows."""
        low, high = _bounds(self.ci)
        overall = pd.DataFrame([{
            "category": "overall", "p_j": np.nan, "kappa": _num(self.kappa), "se0": self.se0,
            "z": self.z, "p_value": self.p_value, "se": self.se, "ci_low": low,
            "ci_high": high,
        }])
        return pd.concat([overall, self.by_category.astype({"category": object})],
                         ignore_index=True)

    def summary(self) -> str:
        """A short text summary."""
        low, high = _bounds(self.ci)
        lines = [f"Fleiss' kappa = {_num(self.kappa):.4f} ({self.n_items} items x {self.m} "
                 f"ratings), se0 {self.se0:.4f}, z = {self.z:.3f}, p = {self.p_value:.4g}; "
                 f"{self.confidence:.0%} CI ({low:.4f}, {high:.4f}) [{self.ci_method}]"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def build_fleiss(
    st: FleissStats, cats: Sequence[Any], *, n_raters: int, confidence: float,
    alternative: str, all_agree: float,
) -> FleissKappa:
    """Wrap :class:`FleissStats` as the public result."""
    z = (st.kappa / st.se0 if st.kappa is not None and np.isfinite(st.se0) and st.se0 > 0
         else float("nan"))
    zj = st.kappa_j / st.se0_j
    by_cat = pd.DataFrame({
        "category": list(cats),
        "p_j": st.p_j,
        "kappa": st.kappa_j,
        "se0": np.full(len(cats), st.se0_j),
        "z": zj,
        "p_value": [p_value(float(v), alternative) for v in zj],
    })
    ci = _interval(st.kappa, st.jackknife_se, confidence)
    notes = list(st.notes)
    if ci is None and st.kappa is not None:
        notes.append("ci is undefined: the jackknife over items needs at least three items "
                     "with a defined leave-one-out kappa")
    return FleissKappa(
        kappa=st.kappa, se0=st.se0, z=float(z), p_value=p_value(float(z), alternative),
        se=st.jackknife_se, ci=ci, p_bar=st.p_bar,
        p_e=st.p_e, percent_agreement=all_agree, by_category=by_cat, n_items=st.n_items,
        m=st.m, n_raters=n_raters, categories=tuple(cats), confidence=confidence,
        alternative=alternative, notes=tuple(notes),
    )


def long_counts(
    table: Table, item: str, rating: str, categories: Sequence[Any] | None,
) -> tuple[NDArray[np.float64], list[Any], NDArray[Any], NDArray[np.int64]]:
    """Items x categories counts from long data; also the item keys and codes per row."""
    caller = table.caller
    items = key_column(table, item)
    values = table.raw(rating)
    cats = category_order(values, categories, caller=caller)
    code = codes(values, cats, rating, caller=caller)
    item_code, item_keys = pd.factorize(pd.Series(items, copy=False), sort=True)
    k = len(cats)
    counts = np.bincount(item_code * k + code, minlength=len(item_keys) * k)
    return (counts.reshape(len(item_keys), k).astype(float), cats,
            np.asarray(item_keys), item_code.astype(np.int64))


def fleiss_kappa(
    data: Any,
    item: str,
    rater: str,
    rating: str,
    *,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
) -> FleissKappa:
    """Fleiss' kappa (1971) for any number of raters, from long data.

    Parameters
    ----------
    data : dataframe or dict
        One row per rating.
    item, rater, rating : str
        Columns: the item (subject) rated, who rated it, the category given.
    categories : sequence, optional
        The declared categories (a rating outside them raises
        :class:`~sixsigma.errors.DomainError`); default the observed ones.
    confidence : float
        Level of the jackknife interval :attr:`FleissKappa.ci`.
    alternative : {"two-sided", "greater", "less"}
        Side of the z tests (irr: two-sided; Minitab prints P(vs > 0), i.e. "greater").

    Returns
    -------
    FleissKappa

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        A single rater, or items rated fewer than twice.
    sixsigma.errors.InputError
        Items with different numbers of ratings (Fleiss' kappa needs the same m for every
        item), or a rater who rated an item twice (use
        :func:`~sixsigma.msa.attribute_agreement` with ``trial=`` for repeatability).

    Notes
    -----
    See :func:`fleiss_from_counts` for the formulas. Only the per-item category counts
    matter: the raters need not be the same people for every item (Fleiss 1971).

    Examples
    --------
    >>> d = {"item": [1, 1, 1, 2, 2, 2, 3, 3, 3],
    ...      "rater": ["a", "b", "c"] * 3,
    ...      "rating": ["x", "x", "x", "y", "y", "x", "y", "y", "y"]}
    >>> r = ss.msa.fleiss_kappa(d, "item", "rater", "rating")
    >>> round(r.p_bar, 4), round(r.p_e, 4), round(r.kappa, 4)   # (7/9 - 41/81) / (40/81)
    (0.7778, 0.5062, 0.55)
    """
    caller = "fleiss_kappa"
    confidence = check_confidence(confidence, caller=caller)
    _check_alternative(alternative, caller)
    table = load(data, caller, item, rater, rating, min_rows=2)
    raters = key_column(table, rater)
    n_raters = int(pd.unique(pd.Series(raters, copy=False)).size)
    if n_raters < 2:
        raise InsufficientDataError(
            f"{caller}: column {rater!r} names a single rater; agreement between raters "
            "needs at least two (for one rater's repeatability use attribute_agreement "
            "with trial=)."
        )
    items = key_column(table, item)
    dup = pd.DataFrame({"i": items, "r": raters}).duplicated().to_numpy()
    if dup.any():
        i = first_row(dup)
        raise InputError(
            f"{caller}: rater {show(raters[i])} rated item {show(items[i])} more than once "
            f"(row {i}); Fleiss' kappa needs distinct raters per item. For repeated trials "
            "use attribute_agreement(..., trial=...)."
        )
    counts, cats, keys, item_code = long_counts(table, item, rating, categories)
    check_equal_m(counts, keys, item_code, item, caller)
    st = fleiss_from_counts(counts)
    all_agree = float((counts.max(axis=1) == st.m).mean())
    return build_fleiss(st, cats, n_raters=n_raters, confidence=confidence,
                        alternative=alternative, all_agree=all_agree)


def check_equal_m(
    counts: NDArray[np.float64], keys: NDArray[Any], item_code: NDArray[np.int64],
    item: str, caller: str,
) -> None:
    """Every item must carry the same number m >= 2 of ratings."""
    m_i = counts.sum(axis=1)
    if m_i.size == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    m = np.bincount(m_i.astype(np.int64)).argmax()
    if m < 2:
        raise InsufficientDataError(f"{caller}: items are rated once; agreement needs at "
                                    "least two ratings per item.")
    bad = m_i != m
    if bad.any():
        j = first_row(bad)
        row = first_row(item_code == j)
        raise InputError(
            f"{caller}: item {show(keys[j])} (first at row {row}) has {int(m_i[j])} ratings in "
            f"column {item!r}'s groups, but most items have {int(m)}; Fleiss' kappa needs the "
            "same number of ratings per item (krippendorff_alpha allows missing ratings)."
        )
