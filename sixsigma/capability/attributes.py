"""Capability of pass/fail and count data: binomial and Poisson capability (as Minitab).

Conventions (Minitab, *Binomial Capability Analysis* and *Poisson Capability Analysis*,
"Methods and formulas"):

* Binomial: average P = total defectives / total units; its interval is the exact
  Clopper-Pearson interval (Minitab's F-distribution form, identical to the beta quantiles
  of :func:`sixsigma._stats.clopper_pearson`); %defective = 100 P and PPM = 1e6 P with the
  same interval scaled; process Z (Z.bench) = Phi^-1(1 - P), its interval
  (Phi^-1(1 - upper), Phi^-1(1 - lower)).
* Poisson: mean DPU = total defects / total units, its exact (Garwood) interval
  chi2_(alpha/2, 2D)/(2N), chi2_(1-alpha/2, 2(D+1))/(2N); mean defects per sample =
  D / k with the same interval times N / k; minimum and maximum DPU over the samples.
* The control chart of the same data (:func:`sixsigma.spc.p_chart` /
  :func:`sixsigma.spc.u_chart`) judges stability; the cumulative rate over samples shows
  whether enough samples were taken (it should level off); the rate against the sample
  size shows whether the rate depends on the size (it should not under the model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import as_table
from sixsigma._params import check_confidence, check_number
from sixsigma._result import Result
from sixsigma._stats import clopper_pearson
from sixsigma.capability._common import as_caller, check_counts
from sixsigma.errors import SixSigmaError, ZeroVarianceError
from sixsigma.spc.chart import ControlChart

__all__ = ["BinomialCapability", "PoissonCapability", "binomial_capability",
           "poisson_capability"]


def _per_sample(chart: ControlChart) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Units and counts of each sample, from the chart's statistic and sizes."""
    n = np.asarray(chart.n, dtype=float)
    counts = np.asarray(chart.statistic, dtype=float) * n
    rounded = np.round(counts)
    counts = np.where(np.abs(counts - rounded) < 1e-6 * np.maximum(1.0, rounded), rounded,
                      counts)
    return n, counts


def _frame(labels: Any, n: Any, counts: Any, rate_name: str, scale: float) -> pd.DataFrame:
    n = np.asarray(n, dtype=float)
    counts = np.asarray(counts, dtype=float)
    cum = np.cumsum(counts) / np.cumsum(n) * scale
    return pd.DataFrame({"label": np.asarray(labels), "size": n, "count": counts,
                         rate_name: counts / n * scale, f"cumulative_{rate_name}": cum})


def _rebuild(kind: str, labels: Any, n: Any, counts: Any, caller: str) -> ControlChart:
    """The chart of the stored per-sample counts (after a JSON round trip)."""
    from sixsigma.spc import p_chart, u_chart

    frame = pd.DataFrame({"label": np.asarray(labels), "count": np.asarray(counts, float),
                          "size": np.asarray(n, float)})
    return (p_chart if kind == "p" else u_chart)(frame, "count", "size", "label")


def _chart(kind: str, data: Any, count: str, size: str | None, label: str | None,
           caller: str, conf: float) -> ControlChart:
    from sixsigma.spc import p_chart, u_chart

    build = p_chart if kind == "p" else u_chart
    check_counts(as_table(data, caller=caller), count, size)
    try:
        return build(data, count, size, label)
    except ZeroVarianceError as err:
        raise ZeroVarianceError(
            f"{caller}: column {count!r} holds no {'defectives' if kind == 'p' else 'defects'}"
            f" in any sample: the rate is 0 and no {kind} chart can be drawn; report the "
            f"upper {conf:.0%} bound of the rate instead (sixsigma.capability.sigma_metrics)."
        ) from err
    except SixSigmaError as err:
        raise as_caller(err, caller) from err


class _PerSampleStudy:
    """What the binomial and Poisson studies share.

    The per-sample table, the chart of the same data and the upper bound against the
    target: ``_rate`` names the rate column, ``_scale`` scales it, ``_bound`` is the
    interval ``meets_target`` reads, ``_chart_kind`` is ``"p"`` or ``"u"``.
    """

    _rate: ClassVar[str]
    _scale: ClassVar[float]
    _bound: ClassVar[str]
    _chart_kind: ClassVar[str]
    if TYPE_CHECKING:
        intervals: dict[str, tuple[float, float]]
        target: float | None
        labels: NDArray[Any]
        sizes: NDArray[np.float64]
        counts: NDArray[np.float64]
        kind: ClassVar[str]

    @property
    def meets_target(self) -> bool | None:
        """Whether the upper bound of the rate is at or below the target (None without one)."""
        if self.target is None:
            return None
        return self.intervals[self._bound][1] <= self.target

    def to_frame(self) -> pd.DataFrame:
        """One row per sample: label, size, count, the rate and the cumulative rate."""
        return _frame(self.labels, self.sizes, self.counts, self._rate, self._scale)

    @cached_property
    def chart(self) -> ControlChart:
        """The p or u chart of the same data (computed once, then kept)."""
        return _rebuild(self._chart_kind, self.labels, self.sizes, self.counts, self.kind)

    def _target_line(self, target: str) -> str:
        return (f"  target {target}: {'met' if self.meets_target else 'not shown to be met'} "
                "(upper bound against target)")


@dataclass(frozen=True, eq=False, repr=False)
class BinomialCapability(_PerSampleStudy, Result, kind="binomial_capability"):
    """Binomial capability of a defective rate (Minitab's report).

    Attributes
    ----------
    defectives, size : str or None
        The columns analysed.
    samples : int
        Number of samples (chart points).
    total_defectives, total_units : float
        Sums over the samples.
    p_bar : float
        Average proportion defective, total defectives / total units.
    percent_defective, ppm : float
        100 p_bar and 1e6 p_bar.
    z_bench : float or None
        Process Z = Phi^-1(1 - p_bar) (None, with a note, when p_bar is 0 or 1).
    intervals : dict
        ``"p_bar"``, ``"percent_defective"``, ``"ppm"`` (exact Clopper-Pearson) and
        ``"z_bench"`` (from the p_bar bounds; absent when a bound is infinite) -> (lower,
        upper).
    target : float or None
        Target proportion defective (0..1); ``meets_target`` says whether the upper bound
        of p_bar is at or below it.
    confidence : float
        Two-sided confidence level.
    labels, sizes, counts : numpy.ndarray
        Per sample: label, units and defectives (the chart's points).
    chart : ControlChart
        The p chart of the same data (rebuilt from the samples after a JSON round trip).
    """

    defectives: str
    size: str | None
    samples: int
    total_defectives: float
    total_units: float
    p_bar: float
    percent_defective: float
    ppm: float
    z_bench: float | None
    intervals: dict[str, tuple[float, float]]
    target: float | None
    confidence: float
    labels: NDArray[Any]
    sizes: NDArray[np.float64]
    counts: NDArray[np.float64]
    _rate = "percent_defective"
    _scale = 100.0
    _bound = "p_bar"
    _chart_kind = "p"

    @property
    def cumulative_percent_defective(self) -> NDArray[np.float64]:
        """Cumulative % defective after each sample (should level off)."""
        return np.asarray(self.to_frame()["cumulative_percent_defective"], dtype=float)

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        pct = f"{self.confidence:.0%}"
        lo, hi = self.intervals["percent_defective"]
        plo, phi = self.intervals["ppm"]
        lines = [
            f"Binomial capability of {self.defectives!r}: {self.samples} samples, "
            f"{self.total_defectives:g} defectives in {self.total_units:g} units",
            f"  % defective {self.percent_defective:.3f}   {pct} CI "
            f"[{lo:.3f}, {hi:.3f}]",
            f"  PPM defective {self.ppm:.0f}   {pct} CI [{plo:.0f}, {phi:.0f}]",
        ]
        if self.z_bench is not None:
            z = f"  process Z {self.z_bench:.3f}"
            if "z_bench" in self.intervals:
                zlo, zhi = self.intervals["z_bench"]
                z += f"   {pct} CI [{zlo:.3f}, {zhi:.3f}]"
            lines.append(z)
        if self.target is not None:
            lines.append(self._target_line(f"{100 * self.target:.3f} % defective"))
        lines.append(f"  {self.chart.summary().splitlines()[0]}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True, eq=False, repr=False)
class PoissonCapability(_PerSampleStudy, Result, kind="poisson_capability"):
    """Poisson capability of a defect rate per unit (Minitab's report).

    Attributes
    ----------
    count, size : str or None
        The columns analysed.
    samples : int
        Number of samples (chart points).
    total_defects, total_units : float
        Sums over the samples.
    dpu : float
        Mean defects per unit, total defects / total units.
    mean_defects : float
        Mean defects per sample, total defects / samples.
    min_dpu, max_dpu : float
        Smallest and largest DPU of a sample.
    intervals : dict
        ``"dpu"`` and ``"mean_defects"`` -> exact (Garwood) (lower, upper).
    target : float or None
        Target DPU; ``meets_target`` compares the upper bound of the DPU with it.
    confidence : float
        Two-sided confidence level.
    labels, sizes, counts : numpy.ndarray
        Per sample: label, units and defects (the chart's points).
    chart : ControlChart
        The u chart of the same data (rebuilt from the samples after a JSON round trip).
    """

    count: str
    size: str | None
    samples: int
    total_defects: float
    total_units: float
    dpu: float
    mean_defects: float
    min_dpu: float
    max_dpu: float
    intervals: dict[str, tuple[float, float]]
    target: float | None
    confidence: float
    labels: NDArray[Any]
    sizes: NDArray[np.float64]
    counts: NDArray[np.float64]
    _rate = "dpu"
    _scale = 1.0
    _bound = "dpu"
    _chart_kind = "u"

    @property
    def cumulative_dpu(self) -> NDArray[np.float64]:
        """Cumulative DPU after each sample (should level off)."""
        return np.asarray(self.to_frame()["cumulative_dpu"], dtype=float)

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        pct = f"{self.confidence:.0%}"
        lo, hi = self.intervals["dpu"]
        mlo, mhi = self.intervals["mean_defects"]
        lines = [
            f"Poisson capability of {self.count!r}: {self.samples} samples, "
            f"{self.total_defects:g} defects in {self.total_units:g} units",
            f"  mean defects {self.mean_defects:.4g}   {pct} CI [{mlo:.4g}, {mhi:.4g}]",
            f"  mean DPU {self.dpu:.4g}   {pct} CI [{lo:.4g}, {hi:.4g}]",
            f"  min DPU {self.min_dpu:.4g}, max DPU {self.max_dpu:.4g}",
        ]
        if self.target is not None:
            lines.append(self._target_line(f"DPU {self.target:.4g}"))
        lines.append(f"  {self.chart.summary().splitlines()[0]}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _stability_note(chart: ControlChart, kind: str) -> list[str]:
    if chart.out_of_control.any():
        k = int(chart.out_of_control.sum())
        return [f"the {kind} chart signals at {k} sample(s): capability assumes a stable "
                "process; investigate those samples first"]
    return []


def binomial_capability(
    data: Any,
    defectives: str,
    size: str | None = None,
    label: str | None = None,
    *,
    target: float | None = None,
    confidence: float = 0.95,
) -> BinomialCapability:
    """Binomial capability: % defective, PPM and process Z with exact intervals, and the p chart.

    Parameters
    ----------
    data : dataframe, dict or lazy frame
        One row per sample (with ``size``) or raw records (0/1 flags, grouped by ``label``),
        as :func:`sixsigma.spc.p_chart` takes them.
    defectives : str
        Column of defectives per sample (or 0/1 flags).
    size : str, optional
        Column of units inspected per sample; omit for raw records.
    label : str, optional
        Column of sample labels (dates); with raw records, the column to group by.
    target : float, optional
        Target proportion defective in [0, 1] (0.05 for 5 %).
    confidence : float
        Two-sided confidence level of the intervals (0.95).

    Returns
    -------
    BinomialCapability
        ``percent_defective``, ``ppm``, ``z_bench`` with ``intervals``, the p ``chart``,
        ``to_frame()`` per sample (rate and cumulative rate, sizes for the rate-against-size
        plot). A note flags an unstable chart.

    Raises
    ------
    ParameterError
        ``target`` not in [0, 1], ``confidence`` not in (0, 1).
    ZeroVarianceError
        No defectives at all (no p chart can be drawn).
    ColumnError, NonNumericError, MissingValueError, DomainError, InsufficientDataError
        Bad data, as :func:`sixsigma.spc.p_chart` raises them.

    Examples
    --------
    >>> import sixsigma as ss
    >>> res = ss.capability.binomial_capability(
    ...     {"d": [3, 5, 2, 4], "n": [100, 100, 100, 100]}, "d", "n")
    >>> round(res.percent_defective, 6), round(res.z_bench, 4)    # 14 of 400; Phi^-1(0.965)
    (3.5, 1.8119)
    """
    caller = "binomial_capability"
    conf = check_confidence(confidence, caller=caller)
    tgt = None if target is None else check_number(target, "target", caller=caller,
                                                   low=0.0, high=1.0)
    chart = _chart("p", data, defectives, size, label, caller, conf)
    n, d = _per_sample(chart)
    big_n, big_d = float(n.sum()), float(d.sum())
    p = big_d / big_n
    lo_a, hi_a = clopper_pearson(big_d, big_n, conf)
    lo, hi = float(lo_a), float(hi_a)
    notes = _stability_note(chart, "p")
    intervals = {"p_bar": (lo, hi), "percent_defective": (100.0 * lo, 100.0 * hi),
                 "ppm": (1e6 * lo, 1e6 * hi)}
    z: float | None = None
    if 0.0 < p < 1.0:
        z = float(stats.norm.isf(p))
    else:
        notes.append(f"process Z is infinite at {100 * p:g} % defective: not reported")
    if 0.0 < lo and hi < 1.0:
        intervals["z_bench"] = (float(stats.norm.isf(hi)), float(stats.norm.isf(lo)))
    elif z is not None:
        notes.append("a bound of % defective is 0 or 100 %: the interval of process Z is "
                     "unbounded and not reported")
    if np.unique(n).size > 1:
        notes.append("sample sizes vary: check the rate against the sample size "
                     "(to_frame()) for a dependence the binomial model does not have")
    result = BinomialCapability(
        defectives=defectives, size=size, samples=int(n.size), total_defectives=big_d,
        total_units=big_n, p_bar=p, percent_defective=100.0 * p, ppm=1e6 * p, z_bench=z,
        intervals=intervals, target=tgt, confidence=conf, labels=np.asarray(chart.labels),
        sizes=n, counts=d, notes=tuple(notes),
    )
    result.__dict__["chart"] = chart
    return result


def _garwood(defects: float, exposure: float, conf: float) -> tuple[float, float]:
    a = 1.0 - conf
    lo = float(stats.chi2.ppf(a / 2.0, 2.0 * defects)) / (2.0 * exposure) if defects > 0 \
        else 0.0
    hi = float(stats.chi2.ppf(1.0 - a / 2.0, 2.0 * (defects + 1.0))) / (2.0 * exposure)
    return lo, hi


def poisson_capability(
    data: Any,
    count: str,
    size: str | None = None,
    label: str | None = None,
    *,
    target: float | None = None,
    confidence: float = 0.95,
) -> PoissonCapability:
    """Poisson capability: defects per unit with its exact interval, and the u chart.

    Parameters
    ----------
    data : dataframe, dict or lazy frame
        One row per sample (with ``size``) or raw records, as :func:`sixsigma.spc.u_chart`
        takes them.
    count : str
        Column of defect counts.
    size : str, optional
        Column of inspection units per sample; omit for raw records.
    label : str, optional
        Column of sample labels; with raw records, the column to group by.
    target : float, optional
        Target DPU (>= 0).
    confidence : float
        Two-sided confidence level of the intervals (0.95).

    Returns
    -------
    PoissonCapability
        ``dpu``, ``mean_defects``, ``min_dpu``, ``max_dpu`` with ``intervals``, the u
        ``chart``, ``to_frame()`` per sample (DPU and cumulative DPU, sizes).

    Raises
    ------
    ParameterError
        ``target`` negative or not finite, ``confidence`` not in (0, 1).
    ZeroVarianceError
        No defects at all.
    ColumnError, NonNumericError, MissingValueError, DomainError, InsufficientDataError
        Bad data, as :func:`sixsigma.spc.u_chart` raises them.

    Examples
    --------
    >>> import sixsigma as ss
    >>> res = ss.capability.poisson_capability({"c": [14, 12, 20], "n": [10, 8, 13]}, "c", "n")
    >>> round(res.dpu, 4), res.mean_defects    # 46 / 31; 46 / 3
    (1.4839, 15.333333333333334)
    """
    caller = "poisson_capability"
    conf = check_confidence(confidence, caller=caller)
    tgt = None if target is None else check_number(target, "target", caller=caller, low=0.0)
    chart = _chart("u", data, count, size, label, caller, conf)
    n, c = _per_sample(chart)
    big_n, big_d = float(n.sum()), float(c.sum())
    k = int(n.size)
    lo, hi = _garwood(big_d, big_n, conf)
    rates = c / n
    notes = _stability_note(chart, "u")
    if not math.isclose(big_d, round(big_d)):
        notes.append("the defect counts are not whole numbers: the exact interval treats "
                     "their total as a Poisson count")
    result = PoissonCapability(
        count=count, size=size, samples=k, total_defects=big_d, total_units=big_n,
        dpu=big_d / big_n, mean_defects=big_d / k, min_dpu=float(rates.min()),
        max_dpu=float(rates.max()),
        intervals={"dpu": (lo, hi), "mean_defects": (lo * big_n / k, hi * big_n / k)},
        target=tgt, confidence=conf, labels=np.asarray(chart.labels), sizes=n, counts=c,
        notes=tuple(notes),
    )
    result.__dict__["chart"] = chart
    return result
