"""Allocation of an audit budget across classifier-score buckets (Neyman on expected variance).

Prevalence and error-rate audits are stratified by classifier score: violations
concentrate in high-score buckets, where p_h(1 - p_h) is largest. Neyman allocation,
n_h ∝ W_h sqrt(p_h (1 - p_h)) with W_h the bucket's share of items (or of views), minimises
the variance of the stratified estimate Σ W_h p̂_h for a fixed number of audits (Cochran 1977,
§5.5 and §5.9); :func:`allocate_by_score` computes it with a minimum per bucket and the
bucket sizes as caps, and reports the gain over a simple random sample of the same size.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley. Ch. 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._frames import Table, first_row
from sixsigma._params import check_confidence
from sixsigma._result import Result
from sixsigma._stats import z_two_sided
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError
from sixsigma.sampling._checks import as_count
from sixsigma.sampling.allocation import _check_labels, _continuous, _largest_remainder, _variance

__all__ = ["ScoreAllocation", "allocate_by_score"]


@dataclass(frozen=True, eq=False, repr=False)
class ScoreAllocation(Result, kind="score_allocation"):
    """Audits per score bucket, and the precision bought compared with simple random sampling.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per bucket: ``bucket``, ``size`` (items N_h), ``views`` (when given),
        ``rate`` (expected p_h), ``share`` (W_h: share of items, or of views), ``n``
        (audits), ``weight`` (design weight N_h/n_h of each audited item; NaN without audits).
    budget, minimum : int
    confidence : float
    measure : str
        ``"items"`` or ``"views"``: what the estimate is a share of.
    expected : float
        The expected overall rate Σ W_h p_h.
    variance : float
        Variance of the stratified estimate under this allocation (with the finite-population
        correction).
    srs_variance : float
        Variance of the estimate from a simple random sample of ``budget`` items.
    gain : float
        ``srs_variance / variance``: how many times more audits simple random sampling needs
        for the same precision.
    margin, srs_margin : float
        Half-widths z·se of the two designs.
    """

    table: pd.DataFrame
    budget: int
    minimum: int
    confidence: float
    measure: str
    expected: float
    variance: float
    srs_variance: float
    gain: float
    margin: float
    srs_margin: float

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        lines = [f"Neyman allocation of {self.budget} audits over {len(self.table)} score "
                 f"buckets (share of {self.measure}, expected rate {self.expected:.4g})",
                 f"  margin ±{self.margin:.3g} against ±{self.srs_margin:.3g} for simple random "
                 f"sampling: {self.gain:.2f}x as efficient"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def allocate_by_score(
    data: Any,
    budget: int,
    *,
    bucket: str = "bucket",
    size: str = "size",
    rate: str = "rate",
    views: str | None = None,
    minimum: int = 2,
    confidence: float = 0.95,
) -> ScoreAllocation:
    """Split an audit budget across score buckets to minimise the variance of a rate estimate.

    Parameters
    ----------
    data : dataframe or dict of columns
        One row per score bucket.
    budget : int
        Audits to allocate (at most the number of items).
    bucket, size, rate : str
        Columns: the bucket label; its number of items N_h (whole, >= 1); the expected
        violation or error rate p_h in the bucket (0 <= p_h < 1: the mean calibrated
        classifier score, or last period's audited rate; a bucket at 0 gets the minimum).
    views : str, optional
        Total views of each bucket's items: the estimate is then the share of views
        (prevalence) and buckets count by their views, W_h = V_h / V. Views are taken as
        even within a bucket.
    minimum : int, default 2
        Audits in every bucket (two keep each bucket's variance estimable).
    confidence : float, default 0.95
        For the margins reported.

    Returns
    -------
    ScoreAllocation
        ``.table`` (bucket, size, [views,] rate, share, n, weight), ``.variance``,
        ``.srs_variance``, ``.gain``, ``.margin``, ``.srs_margin``.

    Notes
    -----
    n_h ∝ W_h sqrt(p_h q_h), clipped to [min(minimum, N_h), N_h] and rounded to whole audits
    adding up to the budget (as :func:`sixsigma.sampling.allocate`). The stratified variance
    is Σ W_h² p_h q_h / n_h · (N_h - n_h)/(N_h - 1). A simple random sample of n items from
    all N has, for the linearised ratio Σ v y / Σ v with views even within buckets,
    V_srs = (N - n)/(n (N - 1)) Σ (N_h/N)(v̄_h/v̄)² (p_h q_h + (p_h - P)²); without views it
    is P Q/n · (N - n)/(N - 1).

    Examples
    --------
    >>> import sixsigma as ss
    >>> buckets = {"bucket": ["0-0.2", "0.2-0.8", "0.8-1"], "size": [90000, 9000, 1000],
    ...            "rate": [0.001, 0.05, 0.6]}
    >>> a = ss.sampling.allocate_by_score(buckets, 1000)
    >>> a.table["n"].tolist()
    [537, 370, 93]
    >>> round(a.gain, 2)
    4.09
    """
    caller = "allocate_by_score"
    budget = as_count(budget, "budget", caller=caller)
    minimum = as_count(minimum, "minimum", caller=caller, minimum=0)
    confidence = check_confidence(confidence, caller=caller)
    table = Table(data, caller=caller)
    table.require(bucket, size, rate, views)
    labels = table.key(bucket)
    k = labels.size
    if k == 0:
        raise InsufficientDataError(f"{caller}: the bucket table has no rows.")
    _check_labels(labels, bucket, caller)
    n_items = table.numeric(size, count=True, minimum=1).astype(np.int64)
    p = table.numeric(rate, minimum=0.0)
    high = p >= 1.0
    if high.any():
        i = first_row(high)
        raise DomainError(f"{caller}: column {rate!r} must be at least 0 and less than 1; row "
                          f"{i} is {p[i]:g}.")
    sizes = n_items.astype(np.float64)
    total_items = int(n_items.sum())
    if budget > total_items:
        raise ParameterError(f"{caller}: the 'budget' parameter must be at most the "
                             f"{total_items} items of all buckets; got {budget}.")
    lo = np.minimum(n_items, minimum)
    if int(lo.sum()) > budget:
        raise ParameterError(f"{caller}: the 'budget' parameter must cover minimum={minimum} "
                             f"in each of the {k} buckets ({int(lo.sum())}); got {budget}.")
    if views is None:
        mass = sizes
        measure = "items"
    else:
        mass = table.numeric(views, minimum=0.0, strict_minimum=True)
        measure = "views"
    share = mass / mass.sum()
    notes: list[str] = []
    neyman = share * np.sqrt(p * (1.0 - p))
    live = neyman > 0
    x = lo.astype(np.float64)
    if live.any():
        x[live] = _continuous(neyman[live], x[live], sizes[live],
                              float(budget) - float(x[~live].sum()))
    if not live.all():
        i = first_row(~live)
        notes.append(f"{int((~live).sum())} bucket(s) with an expected rate of 0 (first: "
                     f"{labels[i]!r}) get only the minimum; with minimum=0 they get no audits "
                     "and their rate is assumed, not measured.")
    n = _largest_remainder(x, lo, n_items, budget)
    expected = float(np.sum(share * p))
    if (n == 0).any():
        notes.append("Some buckets get no audits (minimum=0): their rate, and the estimate, "
                     "are then not estimable; the variance shown is NaN.")
        variance = float("nan")
    else:
        variance = float(np.sum(share * share * _variance(p, n, n_items)))
    vbar_ratio = (mass / sizes) / (mass.sum() / sizes.sum())
    pop_share = sizes / sizes.sum()
    big_n = float(total_items)
    srs_fpc = (big_n - budget) / max(big_n - 1.0, 1.0)
    srs_variance = float(srs_fpc / budget * np.sum(
        pop_share * vbar_ratio**2 * (p * (1.0 - p) + (p - expected) ** 2)))
    z = z_two_sided(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(n > 0, sizes / np.maximum(n, 1), np.nan)
        gain = srs_variance / variance if variance > 0 else float("nan")
    out = pd.DataFrame({"bucket": labels, "size": n_items})
    if views is not None:
        out["views"] = mass
    out["rate"] = p
    out["share"] = share
    out["n"] = n
    out["weight"] = weight
    return ScoreAllocation(
        table=out, budget=budget, minimum=minimum, confidence=confidence, measure=measure,
        expected=expected, variance=variance, srs_variance=srs_variance, gain=float(gain),
        margin=float(z * np.sqrt(variance)), srs_margin=float(z * np.sqrt(srs_variance)),
        notes=tuple(notes))
