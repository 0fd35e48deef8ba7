"""Target setting for a rate, and assurance against a target.

:func:`propose` answers "what target should this CTQ have?" from the process's own data:

* **baseline**: the rate of the whole window, with an interval widened by the process's
  overdispersion (a Wilson interval on the effective counts d / sigma_z^2, n / sigma_z^2,
  where sigma_z >= 1 is Laney's ratio of observed to binomial variation of the daily rates);
* **process limits**: what the process will do per day if nothing changes: the centre
  +/- 3 standard errors of a day of average volume, as on the P chart, or Laney's p' chart
  when the P chart diagnostic of :mod:`sixsigma.spc.screening` shows overdispersion;
* **entitlement**: the best rate the process has shown in a segment (``by=``; the days when
  no ``by`` is given) after empirical-Bayes shrinkage of each segment's rate towards the
  overall rate under a beta-binomial model (method-of-moments hyperparameters, Kleinman
  1973): a small segment's lucky week is pulled back to the mean, and segments with fewer
  than ``min_n`` units never set the entitlement;
* **stretch**: half-way between the baseline and the entitlement.

:meth:`TargetProposal.probability` gives the probability that the next period's rate (a
period of ``period_volume`` units, a week of average volume by default) meets a target,
under the binomial model widened by the current sigma_z: the period's rate is taken as a
beta variable with mean the baseline p and variance sigma_z^2 p (1 - p) / volume (the
beta-binomial's rate law; unlike a normal approximation it keeps the right skew of a low
rate).

:func:`assurance` is the NHS "Making Data Count" assurance icon (NHS England 2019): where the
target sits against the process limits. With ``direction="lower"`` (a lower rate is
better; the target is a ceiling), the process will consistently **pass** when its upper
limit is at or below the target, consistently **fail** when its lower limit is above it,
and otherwise **hit and miss**; ``"higher"`` mirrors it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._aggregate import DEFECTIVES, N, group_counts
from sixsigma._frames import as_table, first_row, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result
from sixsigma._stats import wilson
from sixsigma.errors import DomainError, InsufficientDataError, ParameterError
from sixsigma.spc.screening import laney_threshold, limit_assurance

if TYPE_CHECKING:
    from sixsigma.spc.chart import ControlChart

__all__ = ["TargetProposal", "assurance", "limit_assurance", "propose"]


def _process_limits(chart: ControlChart) -> tuple[float, float]:
    """Mean lower and upper limits over the last stage (a missing limit: -inf / +inf)."""
    last = chart.stages[-1]
    sl = slice(last.start, last.stop)
    out = []
    for arr, missing in ((chart.lcl[sl], -np.inf), (chart.ucl[sl], np.inf)):
        vals = np.where(np.isnan(arr), missing, arr)
        # constant limits are taken as they are (a mean could move them by a rounding)
        out.append(float(vals[0]) if np.all(vals == vals[0]) else float(np.mean(vals)))
    return out[0], out[1]


def assurance(chart: ControlChart, target: float, direction: str = "lower") -> str:
    """Whether the process will consistently pass, fail, or hit and miss its target.

    Parameters
    ----------
    chart : ControlChart
        The process's chart; its last stage's limits (averaged over its points when they
        vary with the subgroup size) are the process limits.
    target : float
        The target, on the scale of the chart's statistic.
    direction : {"lower", "higher"}
        ``"lower"``: lower is better, the target is a ceiling; ``"higher"``: a floor.

    Returns
    -------
    str
        ``"pass"``, ``"fail"`` or ``"hit_and_miss"`` (NHS Making Data Count).

    Examples
    --------
    >>> import sixsigma as ss
    >>> chart = ss.spc.p_chart({"d": [10, 12, 9, 11], "n": [200] * 4}, defectives="d",
    ...                        size="n")
    >>> assurance(chart, 0.15), assurance(chart, 0.004), assurance(chart, 0.06)
    ('pass', 'fail', 'hit_and_miss')
    """
    direction = choice(direction, "direction", ("lower", "higher"), caller="assurance")
    target = check_number(target, "target", caller="assurance")
    lo, hi = _process_limits(chart)
    return str(limit_assurance(np.array([lo]), np.array([hi]), target, direction)[0])


@dataclass(frozen=True, eq=False, repr=False)
class TargetProposal(Result, kind="target_proposal"):
    """Baseline, process limits, entitlement and stretch target of a rate (:func:`propose`).

    Attributes
    ----------
    baseline : float
        The rate over the whole window; ``ci`` its interval (widened by sigma_z).
    process_limits : tuple of float
        Lower and upper process limits for a day of average volume (None: no limit, below
        0 or above 1).
    entitlement : float
        The best shrunk segment rate among segments of at least ``min_n`` units.
    stretch : float
        Half-way between baseline and entitlement.
    sigma_z : float
        Laney's sigma_z of the daily rates (>= 1 is used to widen).
    chart : str
        ``"p"`` or ``"laney_p"``, the chart behind the process limits.
    daily_volume : float
        Mean units per label (day).
    segments : pandas.DataFrame
        Per segment: keys, ``n``, ``defectives``, ``rate``, ``shrunk``, ``eligible``.
    candidates : pandas.DataFrame
        The baseline, stretch and entitlement targets with the probability that a week of
        average volume meets each.
    """

    baseline: float
    ci: tuple[float, float]
    process_limits: tuple[float | None, float | None]
    entitlement: float
    stretch: float
    sigma_z: float
    chart: str
    daily_volume: float
    direction: str
    confidence: float
    min_n: int
    segments: pd.DataFrame
    candidates: pd.DataFrame

    def probability(self, target: float, *, period_volume: float | None = None) -> float:
        """Probability that the next period's rate meets ``target``.

        Parameters
        ----------
        target : float
            The target rate (a ceiling for ``direction="lower"``, a floor for ``"higher"``).
        period_volume : float, optional
            Units in the period (a week of average volume, 7 x ``daily_volume``, by
            default).
        """
        target = check_number(target, "target", caller="probability", low=0.0, high=1.0)
        volume = 7.0 * self.daily_volume if period_volume is None else check_number(
            period_volume, "period_volume", caller="probability", low=0.0, low_open=True)
        return _meet_probability(self.baseline, max(self.sigma_z, 1.0), volume, target,
                                 self.direction)

    def summary(self) -> str:
        """Baseline, limits, entitlement, stretch and the candidates (rounded for display)."""
        lo, hi = self.process_limits
        show_ = [f"{v:.4g}" if v is not None else "none" for v in (lo, hi)]
        lines = [
            f"target proposal ({'lower' if self.direction == 'lower' else 'higher'} is "
            f"better), {self.chart} chart, sigma_z {self.sigma_z:.3g}",
            f"  baseline {self.baseline:.4g} ({self.confidence:.0%} CI {self.ci[0]:.4g} to "
            f"{self.ci[1]:.4g}); process limits {show_[0]} to {show_[1]} per day",
            f"  entitlement {self.entitlement:.4g}; stretch {self.stretch:.4g}",
        ]
        lines += [f"  {r.target}: {r.rate:.4g}, P(a week meets it) {r.probability:.3f}, "
                  f"assurance {r.assurance}" for r in self.candidates.itertuples()]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The candidate targets with their probabilities."""
        return self.candidates.copy()


def _meet_probability(p: float, sigma_z: float, volume: float, target: float,
                      direction: str) -> float:
    """P(next period's rate meets target): a beta law with mean p and the widened variance."""
    strength = volume / sigma_z**2 - 1.0  # a + b, so that var = sigma_z^2 p (1 - p) / volume
    if p <= 0.0 or p >= 1.0 or strength <= 0:
        met = p <= target if direction == "lower" else p >= target
        return float(met)
    law = stats.beta(p * strength, (1.0 - p) * strength)
    return float(law.cdf(target) if direction == "lower" else law.sf(target))


def _shrink(d: NDArray[np.float64], n: NDArray[np.float64], fit: NDArray[np.bool_]
            ) -> NDArray[np.float64]:
    """Beta-binomial empirical-Bayes rates; hyperparameters by moments on ``fit``."""
    df, nf = d[fit], n[fit]
    total = nf.sum()
    p = df.sum() / total
    k = int(fit.sum())
    if k < 2 or p in (0.0, 1.0):
        return np.full(d.size, p)
    spread = float(np.sum(nf * (df / nf - p) ** 2))
    tau2 = (spread - p * (1 - p) * (k - 1)) / (total - np.sum(nf**2) / total)
    if tau2 <= 0:
        return np.full(d.size, p)  # no heterogeneity beyond chance: every segment is p
    strength = p * (1 - p) / tau2 - 1.0
    if strength <= 0:
        return d / n
    return np.asarray((d + p * strength) / (n + strength), dtype=np.float64)


def propose(
    data: Any,
    defectives: str,
    *,
    size: str | None = None,
    label: str,
    by: str | list[str] | None = None,
    direction: str = "lower",
    min_n: int = 30,
    confidence: float = 0.95,
) -> TargetProposal:
    """Propose targets for a rate: baseline, process limits, entitlement and stretch.

    Parameters
    ----------
    data : dataframe or lazy frame
        Raw records (``defectives`` 0/1) or pre-counted rows (with ``size``).
    defectives, size, label : str
        As for :func:`sixsigma.spc.p_chart`; ``label`` is the day.
    by : str or list of str, optional
        Segments whose best (shrunk) rate is the entitlement; the days when omitted.
    direction : {"lower", "higher"}
        Which way is better (errors: lower).
    min_n : int
        Segments with fewer units never set the entitlement.
    confidence : float
        Level of the baseline interval.

    Returns
    -------
    TargetProposal

    Examples
    --------
    >>> import sixsigma as ss
    >>> ds = ss.datasets.generate_many_series(seed=3, days=56, queues=1, policies=3,
    ...                                       markets=4, shifts=0)
    >>> tp = ss.targets.propose(ds.audits, "errors", size="audited", label="day",
    ...                         by=["policy", "market"])
    >>> tp.entitlement < tp.stretch < tp.baseline
    True
    """
    caller = "propose"
    direction = choice(direction, "direction", ("lower", "higher"), caller=caller)
    confidence = check_confidence(confidence, caller=caller)
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 0:
        raise ParameterError(f"propose: the 'min_n' parameter must be a whole number >= 0; "
                             f"got {show(min_n)}.")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    table = as_table(data, caller=caller)
    daily = group_counts(table, defectives, [label], size=size)
    lab = daily[label]
    if table.lazy and isinstance(lab.dtype, pd.DatetimeTZDtype):
        daily[label] = lab.dt.tz_localize(None)
    daily = daily.sort_values(label, kind="mergesort").reset_index(drop=True)
    if len(daily) < 2:
        raise InsufficientDataError("propose: at least 2 labels (days) are needed.")

    d, n = daily[DEFECTIVES].to_numpy(), daily[N].to_numpy()
    if (n == 0).any():
        day = daily[label].iloc[first_row(n == 0)]
        raise DomainError(f"propose: the label {show(day)} (column {label!r}) has no units "
                          f"(column {size!r} sums to 0); leave it out.")
    base = float(d.sum() / n.sum())
    z = (d / n - base) / np.sqrt(base * (1 - base) / n)
    sigma_z = float(np.mean(np.abs(np.diff(z))) / 1.128)
    kind = "laney_p" if sigma_z > float(laney_threshold(len(daily))) else "p"
    widen = max(sigma_z, 1.0) if kind == "laney_p" else 1.0
    nbar = float(n.mean())
    half = 3.0 * widen * np.sqrt(base * (1 - base) / nbar)
    limits = (base - half if base - half >= 0 else None,
              base + half if base + half <= 1 else None)
    eff = max(sigma_z, 1.0) ** 2
    lo, hi = wilson(d.sum() / eff, n.sum() / eff, confidence)
    ci = (float(lo), float(hi))

    if keys:
        seg = group_counts(table, defectives, keys, size=size).sort_values(
            keys, kind="mergesort").reset_index(drop=True)
    else:
        seg = daily.copy()
        keys = [label]
    sd, sn = seg[DEFECTIVES].to_numpy(), seg[N].to_numpy()
    eligible = sn >= min_n
    if not eligible.any():
        raise InsufficientDataError(f"propose: no segment has min_n={min_n} units or more, "
                                    "so none can set the entitlement.")
    shrunk = _shrink(sd, sn, eligible)
    seg = seg.assign(rate=sd / sn, shrunk=shrunk, eligible=eligible)
    pool = shrunk[eligible]
    entitlement = float(pool.min() if direction == "lower" else pool.max())
    stretch = (base + entitlement) / 2.0
    week = 7.0 * nbar
    names = ["baseline", "stretch", "entitlement"]
    values = [base, stretch, entitlement]
    candidates = pd.DataFrame({
        "target": names, "rate": values,
        "probability": [_meet_probability(base, max(sigma_z, 1.0), week, v, direction)
                        for v in values],
        "assurance": [str(limit_assurance(
            np.array([-np.inf if limits[0] is None else limits[0]]),
            np.array([np.inf if limits[1] is None else limits[1]]), v, direction)[0])
            for v in values],
    })
    notes = (
        f"process limits from the {kind} chart of the daily rates at the mean daily volume "
        f"({nbar:.0f}).",
        "entitlement: the best beta-binomial shrunk segment rate among segments with at "
        f"least {min_n} units; probability: a week of average volume ({week:.0f} units), "
        "beta law widened by sigma_z.",
    )
    return TargetProposal(
        baseline=base, ci=ci, process_limits=limits, entitlement=entitlement,
        stretch=stretch, sigma_z=sigma_z, chart=kind, daily_volume=nbar,
        direction=direction, confidence=confidence, min_n=int(min_n), segments=seg,
        candidates=candidates, notes=notes,
    )
