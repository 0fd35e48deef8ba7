"""Kendall's coefficient of concordance W and Kendall's tau-b, for ordinal ratings.

W carries the correction for ties; tau-b compares ratings with a standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import first_row, show
from sixsigma._result import Result
from sixsigma.errors import InputError, InsufficientDataError
from sixsigma.msa._common import category_order, codes, key_column, load

__all__ = ["KendallW", "kendall_w", "concordance", "tau_b"]


def concordance(scores: NDArray[Any]) -> tuple[float, float, int, float]:
    """W, chi-square, df and p-value for a judges x objects score matrix.

    Each judge's scores are ranked over the objects (ties get mid-ranks);
    W = 12 S / (m^2 (n^3 - n) - m sum_j T_j), S = sum_i (R_i - R-bar)^2, T_j = sum (t^3 - t)
    over judge j's tie groups (Kendall & Babington Smith 1939; Siegel & Castellan 1988,
    section 9.4). chi2 = m (n - 1) W with n - 1 degrees of freedom.
    """
    x = np.asarray(scores, dtype=float)
    m, n = x.shape
    if n < 2 or m < 2:
        return float("nan"), float("nan"), max(n - 1, 0), float("nan")
    ranks = stats.rankdata(x, axis=1)
    r_i = ranks.sum(axis=0)
    s = float(((r_i - r_i.mean()) ** 2).sum())
    # tie groups per judge: sort each row and count runs of equal values
    srt = np.sort(x, axis=1)
    ties = 0.0
    for row in srt:  # one pass per judge (a handful), not per row of data
        _, t = np.unique(row, return_counts=True)
        ties += float((t**3 - t).sum())
    den = m**2 * (n**3 - n) - m * ties
    if den <= 0:
        return float("nan"), float("nan"), n - 1, float("nan")
    w = 12.0 * s / den
    chi2 = m * (n - 1) * w
    return float(w), float(chi2), n - 1, float(stats.chi2.sf(chi2, n - 1))


def tau_b(x: NDArray[Any], y: NDArray[Any]) -> float:
    """Kendall's tau-b of two score vectors (NaN when either is constant)."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.kendalltau(a, b, variant="b").statistic)


@dataclass(frozen=True, eq=False, repr=False)
class KendallW(Result, kind="kendall_w"):
    """Kendall's coefficient of concordance.

    Attributes
    ----------
    w : float or None
        W corrected for ties; None (with a note) when undefined (every rater gave every
        item the same score).
    chi2, p_value : float
        Large-sample test: chi2 = m (n - 1) W on n - 1 degrees of freedom.
    df, n_items, n_raters : int
    """

    w: float | None
    chi2: float
    df: int
    p_value: float
    n_items: int
    n_raters: int

    def to_frame(self) -> pd.DataFrame:
        """One row with W, chi2, df, p_value, n_items, n_raters."""
        return pd.DataFrame([{"w": self.w, "chi2": self.chi2, "df": self.df,
                              "p_value": self.p_value, "n_items": self.n_items,
                              "n_raters": self.n_raters}])

    def summary(self) -> str:
        """A short text summary."""
        w = float("nan") if self.w is None else self.w
        lines = [f"Kendall's W = {w:.4f} ({self.n_raters} raters, {self.n_items} items), "
                 f"chi2 = {self.chi2:.3f} on {self.df} df, p = {self.p_value:.4g}"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def kendall_w(
    data: Any, item: str, rater: str, rating: str, *, categories: Any = None
) -> KendallW:
    """Kendall's coefficient of concordance W with the tie correction.

    Parameters
    ----------
    data : dataframe or dict
        One row per rating; every rater rates every item once.
    item, rater, rating : str
        Columns. Ratings are numbers, or ordered labels given in ``categories``.
    categories : sequence, optional
        The ordered categories (their position is the score).

    Returns
    -------
    KendallW

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        A single rater or a single item.
    sixsigma.errors.InputError
        A missing or duplicated (item, rater) rating.

    Notes
    -----
    See :func:`concordance`. Matches irr's ``kendall(ratings, correct = TRUE)``.

    Examples
    --------
    >>> d = {"item": [1, 2, 3] * 2, "rater": ["a"] * 3 + ["b"] * 3,
    ...      "rating": [1, 2, 3, 1, 2, 3]}
    >>> float(ss.msa.kendall_w(d, "item", "rater", "rating").w)
    1.0
    """
    caller = "kendall_w"
    table = load(data, caller, item, rater, rating, min_rows=2)
    items = key_column(table, item)
    raters = key_column(table, rater)
    values = table.raw(rating)
    cats = category_order(values, categories, caller=caller)
    score = codes(values, cats, rating, caller=caller).astype(float)
    if categories is None:
        try:
            score = pd.to_numeric(pd.Series(values, copy=False)).to_numpy(dtype=float)
        except (TypeError, ValueError):
            pass
    i_code, i_keys = pd.factorize(pd.Series(items, copy=False), sort=True)
    r_code, r_keys = pd.factorize(pd.Series(raters, copy=False), sort=True)
    if len(r_keys) < 2:
        raise InsufficientDataError(f"{caller}: column {rater!r} names a single rater.")
    if len(i_keys) < 2:
        raise InsufficientDataError(f"{caller}: column {item!r} names a single item.")
    flat = r_code * len(i_keys) + i_code
    seen = pd.Series(flat).duplicated().to_numpy()
    if seen.any():
        j = first_row(seen)
        raise InputError(f"{caller}: rater {show(raters[j])} rated item {show(items[j])} twice "
                         f"(row {j}).")
    if flat.size != len(r_keys) * len(i_keys):
        have = np.zeros(len(r_keys) * len(i_keys), dtype=bool)
        have[flat] = True
        miss = first_row(~have)
        raise InputError(f"{caller}: rater {show(r_keys[miss // len(i_keys)])} has no rating of "
                         f"item {show(i_keys[miss % len(i_keys)])}; W needs complete data.")
    grid = np.empty(len(r_keys) * len(i_keys))
    grid[flat] = score
    w, chi2, df, p = concordance(grid.reshape(len(r_keys), len(i_keys)))
    defined = bool(np.isfinite(w))
    notes = () if defined else (
        "w is undefined: every rater gave every item the same score (no ranking to agree on)",)
    return KendallW(w=w if defined else None, chi2=chi2, df=df, p_value=p,
                    n_items=len(i_keys), n_raters=len(r_keys), notes=notes)
