"""Krippendorff's alpha from the coincidence matrix of pairable values.

Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", University of
Pennsylvania, ASC papers 43: every unit with m_u >= 2 values contributes each ordered pair
of values from different coders with weight 1/(m_u - 1) to the coincidence matrix o_ck;
n_c = sum_k o_ck; alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck. Units with a single
value are not pairable and drop out, so missing ratings are allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import first_row, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result
from sixsigma.errors import (
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)
from sixsigma.msa._common import (
    category_order,
    check_seed,
    codes,
    key_column,
    load,
    rating_column,
)

__all__ = ["KrippendorffAlpha", "krippendorff_alpha", "alpha_from_counts"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS = ("nominal", "ordinal", "interval", "ratio")
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False, repr=False)
class KrippendorffAlpha(Result, kind="krippendorff_alpha"):
    """Krippendorff's alpha.

    Attributes
    ----------
    alpha : float or None
        1 - D_o / D_e; None (with a note) when undefined (no expected disagreement: every
        pairable value is the same).
    ci : tuple of float or None
        Percentile bootstrap interval over units (``n_boot`` resamples, ``seed``); None
        (with a note) without resamples or when no resample gives a defined alpha.
    se : float
        Standard deviation of the bootstrap alphas.
    d_o, d_e : float
        Observed and expected disagreement.
    level : str
        "nominal", "ordinal", "interval" or "ratio" (the difference function).
    n_pairable : float
        n, the number of pairable values.
    n_units : int
        Units with at least two values (pairable units).
    coincidence : pandas.DataFrame
        The coincidence matrix o_ck.
    percent_agreement : float
        Share of pairable units on which all values agree.
    """

    alpha: float | None
    ci: tuple[float, float] | None
    se: float
    d_o: float
    d_e: float
    level: str
    n_pairable: float
    n_units: int
    percent_agreement: float
    categories: tuple[Any, ...]
    coincidence: pd.DataFrame
    confidence: float = 0.95
    n_boot: int = 1000
    seed: int = 0
    ci_method: str = "bootstrap_units_percentile"

    def to_frame(self) -> pd.DataFrame:
        """One row: alpha, se, ci_low, ci_high, d_o, d_e, n_pairable, n_units, level."""
        nan = float("nan")
        low, high = (nan, nan) if self.ci is None else self.ci
        return pd.DataFrame([{
            "alpha": nan if self.alpha is None else self.alpha, "se": self.se,
            "ci_low": low, "ci_high": high, "d_o": self.d_o, "d_e": self.d_e,
            "n_pairable": self.n_pairable, "n_units": self.n_units, "level": self.level,
        }])

    def summary(self) -> str:
        """A short text summary."""
        row = self.to_frame().iloc[0]
        lines = [f"Krippendorff's alpha ({self.level}) = {row['alpha']:.4f}, "
                 f"{self.confidence:.0%} CI ({row['ci_low']:.4f}, {row['ci_high']:.4f}) "
                 f"[{self.ci_method}, {self.n_boot} resamples, seed {self.seed}]; "
                 f"{self.n_pairable:g} pairable values in {self.n_units} units"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def delta2(level: str, values: FloatArray, n_c: FloatArray) -> FloatArray:
    """Squared difference function d_ck of Krippendorff (2011), section on metrics.

    ``n_c`` may be a stack (B, V) of marginals; the ordinal metric depends on them:
    d_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2.
    """
    v = values
    if level == "nominal":
        d = 1.0 - np.eye(v.size)
        return np.broadcast_to(d, n_c.shape[:-1] + d.shape) if n_c.ndim > 1 else d
    if level == "interval":
        d = (v[:, None] - v[None, :]) ** 2
        return np.broadcast_to(d, n_c.shape[:-1] + d.shape) if n_c.ndim > 1 else d
    if level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            s = v[:, None] + v[None, :]
            d = np.where(s != 0, ((v[:, None] - v[None, :]) / np.where(s != 0, s, 1)) ** 2, 0.0)
        return np.broadcast_to(d, n_c.shape[:-1] + d.shape) if n_c.ndim > 1 else d
    # ordinal: values are the ranks 0..V-1 of the ordered categories
    cum = np.cumsum(n_c, axis=-1)
    lo = np.minimum.outer(np.arange(v.size), np.arange(v.size))
    hi = np.maximum.outer(np.arange(v.size), np.arange(v.size))
    before = np.concatenate([np.zeros(n_c.shape[:-1] + (1,)), cum], axis=-1)
    span = before[..., hi + 1] - before[..., lo]          # sum_{g=lo..hi} n_g
    half = (n_c[..., :, None] + n_c[..., None, :]) / 2.0
    out: FloatArray = (span - half) ** 2
    return out


def unit_coincidences(counts: FloatArray) -> FloatArray:
    """Per-unit coincidence contributions, flattened: (U, V*V)."""
    m_u = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :]
    idx = np.arange(counts.shape[1])
    outer[:, idx, idx] -= counts
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = outer / (m_u - 1)[:, None, None]
    out: FloatArray = contrib.reshape(counts.shape[0], -1)
    return out


def _alpha(o: FloatArray, level: str, values: FloatArray) -> tuple[Any, Any, Any]:
    """Alpha, D_o, D_e from coincidence matrices o of shape (..., V, V)."""
    n_c = o.sum(axis=-1)
    n = n_c.sum(axis=-1)
    d = delta2(level, values, n_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = (o * d).sum(axis=(-2, -1)) / n
        d_e = (n_c[..., :, None] * n_c[..., None, :] * d).sum(axis=(-2, -1)) / (n * (n - 1))
        alpha = 1.0 - d_o / d_e
    return alpha, d_o, d_e


def alpha_from_counts(
    counts: NDArray[Any], *, level: str = "nominal", values: Sequence[float] | None = None
) -> float:
    """Alpha from a units x values count matrix (n_uc: how many coders gave unit u value c).

    ``values`` are the numeric values of the columns (interval/ratio); ordinal uses the
    column order only.
    """
    x = np.asarray(counts, dtype=float)
    x = x[x.sum(axis=1) >= 2]
    vals = np.arange(x.shape[1], dtype=float) if values is None else np.asarray(values, float)
    o = unit_coincidences(x).sum(axis=0).reshape(x.shape[1], x.shape[1])
    return float(_alpha(o, level, vals)[0])


def krippendorff_alpha(
    data: Any,
    item: str,
    rater: str,
    rating: str,
    *,
    level: Level = "nominal",
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> KrippendorffAlpha:
    """Krippendorff's alpha for any number of raters, with missing ratings allowed.

    Parameters
    ----------
    data : dataframe or dict
        One row per rating. Rows whose rating is missing (NaN/None) are dropped, as are
        units left with a single rating (they are not pairable).
    item, rater, rating : str
        Columns: the unit rated, the coder, the value given.
    level : {"nominal", "ordinal", "interval", "ratio"}
        The metric: nominal d = [c != k]; ordinal d = (sum_{g=c..k} n_g - (n_c+n_k)/2)^2
        over the ordered categories; interval d = (c - k)^2; ratio d = ((c-k)/(c+k))^2.
    categories : sequence, optional
        Declared categories, in order (the order defines ranks for "ordinal", and text
        labels need it there); a value outside them raises DomainError.
    confidence : float
        Level of the bootstrap interval.
    n_boot : int
        Bootstrap resamples of units (0 skips the interval).
    seed : int
        Seed of the bootstrap generator (numpy default_rng), so results are reproducible.

    Returns
    -------
    KrippendorffAlpha

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        A single rater, or no unit rated by two coders.
    sixsigma.errors.InputError
        A coder who rated the same unit twice.
    sixsigma.errors.ParameterError
        An unknown level, or interval/ratio on non-numeric categories.

    Notes
    -----
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. The interval is a
    percentile bootstrap over units (units resampled with replacement, coincidences
    recomputed, including the ordinal metric's marginals); Krippendorff's own bootstrap
    resamples pairable values instead, so intervals differ slightly from his macro's.
    irr's ``kripp.alpha`` weights the pairs of complete units by 1 instead of 1/(m_u - 1)
    with more than two raters (CONVENTIONS.md), so it disagrees with this definition.

    Examples
    --------
    >>> d = {"unit": [1, 1, 2, 2, 3, 3, 4],
    ...      "coder": ["a", "b", "a", "b", "a", "b", "a"],
    ...      "value": ["x", "x", "y", "y", "x", "y", "y"]}
    >>> r = ss.msa.krippendorff_alpha(d, "unit", "coder", "value", n_boot=0)
    >>> r.n_pairable, round(r.alpha, 4)   # 1 - 5 * (2/6) / (2 * 3 * 3 / 6)
    (6.0, 0.4444)
    """
    caller = "krippendorff_alpha"
    confidence = check_confidence(confidence, caller=caller)
    choice(level, "level", LEVELS, caller=caller)
    n_boot = int(check_number(n_boot, "n_boot", caller=caller, low=0, integer=True))
    seed = check_seed(seed, caller)
    table = load(data, caller, item, rater, rating, min_rows=2)
    items = key_column(table, item)
    raters = key_column(table, rater)
    values = rating_column(table, rating)
    present = ~pd.Series(values, copy=False).isna().to_numpy()
    if not present.any():
        raise MissingValueError(f"{caller}: column {rating!r} has no ratings (every value is "
                                "missing).")
    pos = np.flatnonzero(present)
    items, raters, values = items[present], raters[present], values[present]
    n_raters = int(pd.unique(pd.Series(raters, copy=False)).size)
    if n_raters < 2:
        raise InsufficientDataError(f"{caller}: column {rater!r} names {n_raters} rater(s); "
                                    "alpha needs at least two.")
    dup = pd.DataFrame({"i": items, "r": raters}).duplicated().to_numpy()
    if dup.any():
        j = first_row(dup)
        raise InputError(f"{caller}: rater {show(raters[j])} rated unit {show(items[j])} more "
                         f"than once (row {int(pos[j])}); each coder gives one value per unit.")
    cats = category_order(values, categories, caller=caller)
    code = codes(values, cats, rating, caller=caller, positions=pos)
    if level in ("interval", "ratio"):
        try:
            numeric = pd.to_numeric(pd.Series(cats)).to_numpy(dtype=float)
        except (TypeError, ValueError) as err:
            raise ParameterError(f"{caller}: level={level!r} needs numeric values in "
                                 f"{rating!r}; use 'ordinal' with categories= for "
                                 "ordered labels.") from err
    else:
        numeric = np.arange(len(cats), dtype=float)
    unit_code, _ = pd.factorize(pd.Series(items, copy=False))
    k = len(cats)
    u = int(unit_code.max()) + 1 if unit_code.size else 0
    counts = np.bincount(unit_code * k + code, minlength=u * k).reshape(u, k).astype(float)
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.shape[0] == 0:
        raise InsufficientDataError(f"{caller}: no unit in {item!r} was rated by two coders, "
                                    "so no value is pairable.")
    contrib = unit_coincidences(counts)
    o = contrib.sum(axis=0).reshape(k, k)
    alpha, d_o, d_e = _alpha(o, level, numeric)
    lo = hi = se = float("nan")
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        n_units = counts.shape[0]
        weights = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=int(n_boot))
        ob = (weights @ contrib).reshape(int(n_boot), k, k)
        boot = np.asarray(_alpha(ob, level, numeric)[0], dtype=float)
        boot = boot[np.isfinite(boot)]
        if boot.size:
            a = 1 - confidence
            lo, hi = (float(v) for v in np.quantile(boot, [a / 2, 1 - a / 2]))
            se = float(boot.std(ddof=1)) if boot.size > 1 else float("nan")
    labels = [str(c) for c in cats]
    agree = float((counts.max(axis=1) == counts.sum(axis=1)).mean())
    notes: list[str] = []
    value: float | None = float(alpha)
    if not np.isfinite(float(alpha)):
        value = None
        notes.append("alpha is undefined: there is no expected disagreement (every pairable "
                     "value is the same)")
    ci: tuple[float, float] | None = (lo, hi)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        ci = None
        notes.append("ci is not computed: n_boot=0" if n_boot == 0 else
                     "ci is undefined: no bootstrap resample gave a defined alpha")
    return KrippendorffAlpha(
        alpha=value, ci=ci, se=se, d_o=float(d_o), d_e=float(d_e), level=level,
        n_pairable=float(o.sum()), n_units=int(counts.shape[0]), percent_agreement=agree,
        categories=tuple(cats),
        coincidence=pd.DataFrame(o, index=pd.Index(labels, name="value"), columns=labels),
        confidence=confidence, n_boot=int(n_boot), seed=int(seed), notes=tuple(notes),
    )
