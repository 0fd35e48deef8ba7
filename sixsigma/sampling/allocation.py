"""Stratified allocation of an audit budget across queues, markets or other strata.

Proportional, Neyman (optimum for equal costs) and equal allocation, with a minimum per
stratum and the stratum sizes as caps, rounded to whole audits that add up exactly to the
budget; the result reports the margin of error each stratum then achieves and the margin of
the stratified (population-weighted) estimate.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley. Ch. 5 (stratified
   random sampling: proportional and Neyman allocation, allocation requiring more than 100
   per cent sampling, stratified sampling for proportions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import Table, first_row, show
from sixsigma._params import check_confidence, choice
from sixsigma._result import Result
from sixsigma._stats import z_two_sided
from sixsigma.errors import (
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)
from sixsigma.sampling._checks import as_count, as_probability

__all__ = ["Allocation", "allocate"]

METHODS = ("proportional", "neyman", "equal")
_ROLES = ("stratum", "size", "p")
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False, repr=False)
class Allocation(Result, kind="allocation"):
    """An audit budget split across strata, and the precision it buys.

    Attributes
    ----------
    method : str
        ``"proportional"`` (n_h ∝ N_h), ``"neyman"`` (n_h ∝ N_h sqrt(p_h (1 - p_h))) or
        ``"equal"``.
    total : int
        The budget; ``n.sum() == total``.
    minimum : int
        Audits required in every stratum (a stratum smaller than that is audited in full).
    confidence : float
        Confidence level of the margins.
    stratum : numpy.ndarray
        Stratum labels, in the order of the input table.
    size : numpy.ndarray of int64
        Population size N_h of each stratum.
    p : numpy.ndarray of float
        Anticipated proportion used for each stratum (see :attr:`p_source`).
    n : numpy.ndarray of int64
        Audits allocated to each stratum.
    weight : numpy.ndarray of float
        Stratum weight W_h = N_h / N in the population.
    margin : numpy.ndarray of float
        Margin of error (Wald half-width with finite-population correction) each stratum's
        estimate achieves; 0 for a census, NaN for a stratum with no audits.
    overall_margin : float
        Margin of error of the stratified estimate sum W_h p_h; NaN when a stratum has no
        audits (the estimate is then undefined, and a note says so; None once read back
        with :func:`sixsigma.from_dict`).
    p_source : str
        ``"column"`` (the table's p column), ``"given"`` (the ``p=`` keyword) or
        ``"default 0.5"`` (the conservative worst case).
    notes : tuple of str
        Caveats, kept for reports.

    Examples
    --------
    >>> import json, sixsigma as ss
    >>> a = ss.sampling.allocate({"stratum": ["a", "b"], "size": [600, 400]}, 100)
    >>> ss.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    True
    """

    method: str
    total: int
    minimum: int
    confidence: float
    stratum: NDArray[Any]
    size: IntArray
    p: FloatArray
    n: IntArray
    weight: FloatArray
    margin: FloatArray
    overall_margin: float | None
    p_source: str

    @property
    def table(self) -> pd.DataFrame:
        """One row per stratum: stratum, size, p, n, weight, margin (a new frame each call)."""
        return pd.DataFrame(
            {
                "stratum": self.stratum,
                "size": self.size,
                "p": self.p,
                "n": self.n,
                "weight": self.weight,
                "margin": self.margin,
            }
        )

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        om = self.overall_margin
        overall = "undefined" if om is None or np.isnan(om) else f"+/-{om:.4f}"
        lines = [
            f"{self.method} allocation of {self.total} audits over {self.n.size} strata "
            f"(minimum {self.minimum}, p: {self.p_source})",
            f"  overall margin at {self.confidence:.0%}: {overall}",
        ]
        for label, n, size, m in zip(
            self.stratum.tolist(), self.n.tolist(), self.size.tolist(), self.margin.tolist(),
            strict=True,
        ):
            shown = "undefined" if np.isnan(m) else f"+/-{m:.4f}"
            lines.append(f"  {label}: {n} of {size}, margin {shown}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def allocate(
    data: Any,
    total: int,
    *,
    method: str = "proportional",
    p: float | None = None,
    minimum: int = 0,
    confidence: float = 0.95,
    columns: Mapping[str, str] | None = None,
) -> Allocation:
    """Split an audit budget across strata (queues, markets) and report the precision.

    Parameters
    ----------
    data : dataframe or dict of columns
        The strata table: one row per stratum with the columns ``stratum`` (label),
        ``size`` (population N_h, a whole number >= 1: the day's decisions in that queue)
        and optionally ``p`` (anticipated proportion in the stratum, strictly between 0
        and 1).
    total : int
        Audits to allocate, at least 1 and at most the sum of the sizes.
    method : {"proportional", "neyman", "equal"}, default "proportional"
        Proportional: n_h ∝ N_h. Neyman: n_h ∝ N_h sqrt(p_h (1 - p_h)), the allocation
        that minimises the variance of the stratified estimate for a fixed total when
        audits cost the same everywhere. Equal: the same n in every stratum.
    p : float, optional
        Anticipated proportion for every stratum, when the table has no ``p`` column.
        Without either, 0.5 (the worst case) is used for the margins, and Neyman
        allocation then equals proportional allocation.
    minimum : int, default 0
        Audits required in every stratum; a stratum with fewer than ``minimum`` items is
        audited in full.
    confidence : float, default 0.95
        Confidence level of the margins reported.
    columns : mapping, optional
        Your column names, ``{"stratum": "queue", "size": "volume", "p": "accuracy"}``.

    Returns
    -------
    Allocation
        ``.table`` (stratum, size, p, n, weight, margin), ``.overall_margin``, ...

    Raises
    ------
    ColumnError
        A required column is missing.
    InputError
        A stratum label is repeated or missing, sizes are negative, zero or fractional,
        a p value is outside (0, 1), or the table is empty.
    ParameterError
        An unknown method, a total larger than the population or smaller than the
        minimums require, both a ``p`` column and ``p=``, or a bad p/confidence/minimum.

    Notes
    -----
    The real-valued allocation is x_h = clip(λ w_h, lo_h, N_h) with w_h the method's
    weight, lo_h = min(minimum, N_h) and λ chosen so that the x_h add up to ``total``. A
    stratum whose share would exceed its size is censused and the rest re-shared, as
    Cochran (1977, ch. 5) prescribes for Neyman allocation requiring more than 100 per
    cent sampling; the minimum works the same way from below. The x_h are then rounded by
    the largest-remainder method: every stratum gets floor(x_h) and the audits left over
    go, one each, to the largest fractional parts; ties go to the stratum listed first.

    Margins are Wald half-widths with the finite-population correction,
    z sqrt(p_h q_h / n_h · (N_h - n_h)/(N_h - 1)). The overall margin is z times the
    standard error of the stratified proportion, V = sum W_h² p_h q_h / n_h ·
    (N_h - n_h)/(N_h - 1), W_h = N_h / N (Cochran 1977, ch. 5, stratified sampling for
    proportions). Cochran's Neyman weights use S_h = sqrt(N_h/(N_h - 1) p_h q_h); the
    factor N_h/(N_h - 1) is dropped here, as in most texts (it matters only for tiny
    strata).

    Examples
    --------
    >>> import sixsigma.sampling as sampling
    >>> strata = {"stratum": ["spam", "hate", "adult"], "size": [6000, 3000, 1000],
    ...           "p": [0.1, 0.2, 0.5]}
    >>> a = sampling.allocate(strata, 700, method="neyman")
    >>> a.n.tolist()
    [360, 240, 100]
    >>> sampling.allocate(strata, 700).n.tolist()
    [420, 210, 70]
    """
    caller = "allocate"
    method = choice(method, "method", METHODS, caller=caller)
    total = as_count(total, "total", caller=caller)
    minimum = as_count(minimum, "minimum", caller=caller, minimum=0)
    confidence = check_confidence(confidence, caller=caller)
    given_p = None if p is None else as_probability(p, "p", caller=caller)

    names = _column_names(columns, caller)
    table = Table(data, caller=caller)
    table.require(names["stratum"], names["size"])
    labels = table.key(names["stratum"])
    k = labels.size
    if k == 0:
        raise InsufficientDataError(f"{caller}: the strata table has no rows.")
    _check_labels(labels, names["stratum"], caller)
    size_f = table.numeric(names["size"], count=True, minimum=1)
    size = size_f.astype(np.int64)

    if names["p"] in table.columns:
        if given_p is not None:
            raise ParameterError(
                f"{caller}: the strata table has a {names['p']!r} column and p={given_p:g} "
                "was given as well; pass one of them."
            )
        p_h = table.numeric(names["p"], minimum=0.0, strict_minimum=True)
        high = p_h >= 1.0
        if high.any():
            i = first_row(high)
            raise DomainError(
                f"{caller}: column {names['p']!r} must be strictly between 0 and 1; row {i} "
                f"is {p_h[i]:g}."
            )
        p_source = "column"
    elif given_p is not None:
        p_h = np.full(k, given_p)
        p_source = "given"
    else:
        p_h = np.full(k, 0.5)
        p_source = "default 0.5"

    notes: list[str] = []
    population = int(size.sum())
    if total > population:
        raise ParameterError(
            f"{caller}: total ({total}) is larger than the population of all strata "
            f"together ({population}); at most {population} items can be audited."
        )
    lo = np.minimum(size, minimum)
    if int(lo.sum()) > total:
        raise ParameterError(
            f"{caller}: minimum={minimum} per stratum needs {int(lo.sum())} audits over "
            f"{k} strata, more than total={total}; lower the minimum or raise the total."
        )
    if minimum and (size < minimum).any():
        notes.append(
            f"{int((size < minimum).sum())} stratum/strata smaller than minimum={minimum} "
            "are audited in full."
        )
    if method == "neyman" and p_source != "column":
        notes.append("Neyman allocation with the same p in every stratum is proportional.")

    if method == "proportional":
        w = size_f
    elif method == "neyman":
        w = size_f * np.sqrt(p_h * (1.0 - p_h))
    else:
        w = np.ones(k)
    x = _continuous(w, lo.astype(np.float64), size_f, float(total))
    n = _largest_remainder(x, lo, size, total)

    z = z_two_sided(confidence)
    var_h = _variance(p_h, n, size)
    margin = z * np.sqrt(var_h)
    weight = size_f / population
    if (n == 0).any():
        first = first_row(n == 0)
        notes.append(
            f"{int((n == 0).sum())} stratum/strata get no audits (first: "
            f"{show(labels[first])}), so their rate and the stratified estimate are "
            "undefined; set minimum >= 1."
        )
        overall = float("nan")
    else:
        overall = float(z * np.sqrt(np.sum(weight * weight * var_h)))
    return Allocation(
        method=method,
        total=total,
        minimum=minimum,
        confidence=confidence,
        stratum=labels,
        size=size,
        p=p_h,
        n=n,
        weight=weight,
        margin=margin,
        overall_margin=overall,
        p_source=p_source,
        notes=tuple(notes),
    )


def _column_names(columns: Mapping[str, str] | None, caller: str) -> dict[str, str]:
    names = {role: role for role in _ROLES}
    if columns is None:
        return names
    if not isinstance(columns, Mapping):
        raise ParameterError(
            f"{caller}: columns must be a mapping such as {{'stratum': 'queue'}}; got "
            f"{type(columns).__name__}."
        )
    for role, name in columns.items():
        if role not in names:
            raise ParameterError(
                f"{caller}: columns may rename {', '.join(repr(r) for r in _ROLES)}; got "
                f"{role!r}."
            )
        names[role] = str(name)
    return names


def _check_labels(labels: NDArray[Any], name: str, caller: str) -> None:
    series = pd.Series(labels, copy=False)
    missing = series.isna().to_numpy()
    if missing.any():
        i = first_row(missing)
        raise MissingValueError(f"{caller}: column {name!r} has a missing label at row {i}.")
    dup = series.duplicated().to_numpy()
    if dup.any():
        i = first_row(dup)
        raise InputError(
            f"{caller}: column {name!r} must list each stratum once, but row {i} repeats "
            f"{show(labels[i])}; aggregate the sizes per stratum first."
        )


def _continuous(w: FloatArray, lo: FloatArray, hi: FloatArray, total: float) -> FloatArray:
    """Solve clip(λ w, lo, hi) summing to total (w > 0, sum(lo) <= total <= sum(hi)).

    f(λ) = sum clip(λ w, lo, hi) is non-decreasing and piecewise linear with breakpoints
    lo/w and hi/w: a binary search over the sorted breakpoints (O(k log k) time, O(k)
    memory) finds the segment holding ``total``, and λ is interpolated linearly inside it.
    """
    points = np.unique(np.concatenate([lo / w, hi / w]))

    def f(lam: float) -> float:
        return float(np.clip(lam * w, lo, hi).sum())

    if f(float(points[0])) >= total:
        return lo.copy()
    if f(float(points[-1])) <= total:
        return hi.copy()
    left, right = 0, points.size - 1  # invariant: f(points[left]) < total <= f(points[right])
    while right - left > 1:
        mid = (left + right) // 2
        if f(float(points[mid])) < total:
            left = mid
        else:
            right = mid
    a, b = float(points[left]), float(points[right])
    fa, fb = f(a), f(b)
    lam = a + (total - fa) * (b - a) / (fb - fa)
    out: FloatArray = np.clip(lam * w, lo, hi)
    return out


def _largest_remainder(x: FloatArray, lo: IntArray, hi: IntArray, total: int) -> IntArray:
    """Round x to integers in [lo, hi] adding up to ``total``; ties to the first stratum."""
    nearest = np.round(x)
    x = np.where(np.abs(x - nearest) < 1e-9, nearest, x)
    base = np.clip(np.floor(x).astype(np.int64), lo, hi)
    frac = x - base
    left = total - int(base.sum())
    if left > 0:
        key = np.where(base < hi, frac, -np.inf)
        take = np.argsort(-key, kind="stable")[:left]
        base[take] += 1
    elif left < 0:  # only from floating error: take back from the smallest remainders
        key = np.where(base > lo, frac, np.inf)
        take = np.argsort(key, kind="stable")[:-left]
        base[take] -= 1
    return base


def _variance(p: FloatArray, n: IntArray, size: IntArray) -> FloatArray:
    """Var of each stratum's proportion, p q / n (N - n)/(N - 1); 0 for a census."""
    nf = n.astype(np.float64)
    nn = size.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fpc = np.where(n >= size, 0.0, (nn - nf) / np.maximum(nn - 1.0, 1.0))
        var = np.where(n > 0, p * (1.0 - p) / np.maximum(nf, 1.0) * fpc, np.nan)
    out: FloatArray = var.astype(np.float64)
    return out
