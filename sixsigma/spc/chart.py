"""Result objects of the control charts: :class:`ControlChart`, :class:`ChartPair` and friends.

Every class derives from the one result base (:class:`sixsigma._result.Result`): per-point
vectors are read-only numpy arrays (a chart of ten million points builds in well under a
second), NaN in a limit array means "no limit there" and becomes ``null`` in ``to_dict()``,
and ``sixsigma.from_dict`` rebuilds an equal chart of the same class. Violations are stored
column-wise (an index array and a rule array); :attr:`ControlChart.violations` presents them
as :class:`Violation` records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._result import Result, frozen_array, part

__all__ = ["ChartPair", "ControlChart", "CusumChart", "Stage", "Violation"]


class Violation(NamedTuple):
    """One run-rule signal: ``rule`` fired at point ``index`` (0-based position)."""

    rule: str
    index: int  # type: ignore[assignment]  # the contract names it index


@part
@dataclass(frozen=True)
class Stage:
    """The parameters a chart used within one stage (a period with its own limits).

    Attributes
    ----------
    name : str
        Stage label (``"all"`` when the chart has a single stage).
    start, stop : int
        Point positions ``start <= i < stop`` of the stage.
    center : float
        The centre line of the stage (the process mean, p-bar, c-bar, u-bar, R-bar...).
    sigma : float
        The sigma estimate of the stage (see :attr:`ControlChart.sigma_method`).
    n_estimation : int
        Number of points the estimates came from (Phase I points, minus exclusions).
    source : str
        ``"estimated"``, ``"known"`` (center=/sigma= given) or ``"frozen"`` (limits=).
    """

    name: str
    start: int
    stop: int
    center: float
    sigma: float
    n_estimation: int
    source: str = "estimated"
    extra: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # JSON stores an undefined figure (the sigma of a run chart) as null: back to NaN
        for name in ("center", "sigma"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, math.nan)


@dataclass(frozen=True, eq=False, repr=False)
class ControlChart(Result, kind="control_chart"):
    """A control chart: the plotted statistic, its limits, and the signals found.

    Attributes
    ----------
    chart : str
        Chart type: ``"I"``, ``"MR"``, ``"xbar"``, ``"R"``, ``"S"``, ``"p"``, ``"np"``,
        ``"c"``, ``"u"``, ``"laney_p"``, ``"laney_u"``, ``"g"``, ``"t"``, ``"ewma"``,
        ``"cusum"``, ``"run"``.
    statistic, center, lcl, ucl : numpy.ndarray
        One value per point; NaN in ``lcl``/``ucl`` means no limit on that side.
    se : numpy.ndarray
        Standard error of the plotted statistic at each point: the width of one zone, used
        by the zone rules.
    n : numpy.ndarray
        Subgroup size (or inspection units, opportunities) behind each point.
    labels : numpy.ndarray
        The point labels (dates, subgroup keys; 1..N when none were given).
    sigma : float
        The sigma estimate used (of the last stage when there are several; all stages in
        :attr:`stages`). For attribute charts the per-unit sigma, sqrt(p(1-p)) for p, as qcc.
    sigma_method : str
        How sigma was obtained (``"rbar_d2"``, ``"sbar_c4"``, ``"pooled_sd_c4"``,
        ``"mrbar_d2"``, ``"binomial"``, ``"poisson"``, ``"laney"``, ``"known"``...).
    phase1 : numpy.ndarray of bool
        Points whose data estimated the limits (``phase1=``); the rest are monitored.
    stages : tuple of Stage
        Parameters per stage.
    excluded : numpy.ndarray of int
        Points left out of the estimation (``exclude=`` or ``revise=True``), with
        :attr:`exclusion_reasons`.
    rules : tuple of str
        The run rules evaluated.
    violation_index, violation_rule : numpy.ndarray
        The signals, column-wise, sorted by index then rule.
    nsigmas : float
        Width of the limits in standard errors.
    parameters : dict
        Chart-specific parameters (``lam``, ``L``, ``k``, ``h``, ``sigma_z`` ...).
    conventions : dict
        The named conventions the chart followed where there is a choice, e.g.
        ``{"ewma_limits": "exact"}``, ``{"runs_about": "median"}``,
        ``{"limits_method": "probability"}``, ``{"sigma_z_floor": "1"}``.
    notes : tuple of str
        Caveats and warnings, kept for reports (keyword-only).
    """

    payload_extras: ClassVar[tuple[str, ...]] = ("stage",)  # stage name of each point

    chart: str
    statistic: NDArray[np.float64]
    center: NDArray[np.float64]
    lcl: NDArray[np.float64]
    ucl: NDArray[np.float64]
    se: NDArray[np.float64]
    n: NDArray[np.float64]
    labels: NDArray[Any]
    sigma: float
    sigma_method: str
    phase1: NDArray[np.bool_]
    stages: tuple[Stage, ...]
    excluded: NDArray[np.int64]
    exclusion_reasons: tuple[str, ...]
    rules: tuple[str, ...]
    violation_index: NDArray[np.int64]
    violation_rule: NDArray[np.str_]
    nsigmas: float = 3.0
    parameters: dict[str, float] = field(default_factory=dict)
    conventions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sigma is None:  # an undefined sigma (run chart) comes back from JSON as null
            object.__setattr__(self, "sigma", math.nan)
        super().__post_init__()

    # -- derived views --------------------------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        """The signals as ``Violation(rule, index)`` records, sorted by index."""
        return [
            Violation(str(r), int(i))
            for i, r in zip(self.violation_index.tolist(), self.violation_rule.tolist(),
                            strict=True)
        ]

    @property
    def stage(self) -> NDArray[Any]:
        """Stage name of each point."""
        names = np.array([s.name for s in self.stages], dtype=object)
        return names.repeat([s.stop - s.start for s in self.stages])

    @property
    def out_of_control(self) -> NDArray[np.bool_]:
        """Boolean array: True where any evaluated rule signals at that point."""
        flags = np.zeros(self.statistic.size, dtype=bool)
        flags[self.violation_index] = True
        return frozen_array(flags)

    @property
    def in_control(self) -> bool:
        """True when no rule signals anywhere on the chart."""
        return self.violation_index.size == 0

    @property
    def in_control_arl(self) -> float | None:
        """The false-alarm cost of the rules used: their in-control average run length.

        Looked up in :data:`sixsigma.spc.arl.IN_CONTROL_ARL` (simulated for a normal
        process with known limits); None when that combination of rules is not tabled
        (compute it with :func:`sixsigma.spc.in_control_arl`). With K values other than
        the defaults (``rules={"nelson_2": 7, ...}``) or run rules judged about the median
        (g and t charts), the value simulated for the chart, ``parameters["in_control_arl"]``.
        """
        from sixsigma.spc.arl import IN_CONTROL_ARL
        from sixsigma.spc.rules import RULE_SETS

        if "in_control_arl" in self.parameters:  # K values or runs about the median
            return self.parameters["in_control_arl"]
        chosen = set(self.rules)
        for name, ids in RULE_SETS.items():
            if chosen == set(ids) and name in IN_CONTROL_ARL:
                return IN_CONTROL_ARL[name]
        return IN_CONTROL_ARL.get("+".join(self.rules))

    def __len__(self) -> int:
        return int(self.statistic.size)

    # -- conversions ----------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per point: label, statistic, limits, stage, phase and the rules fired."""
        rules = np.full(self.statistic.size, "", dtype=object)
        if self.violation_index.size:
            order = pd.Series(self.violation_rule).groupby(self.violation_index).agg(",".join)
            rules[order.index.to_numpy()] = order.to_numpy()
        frame = pd.DataFrame(
            {
                "label": self.labels,
                "statistic": self.statistic,
                "n": self.n,
                "center": self.center,
                "lcl": self.lcl,
                "ucl": self.ucl,
                "se": self.se,
                "stage": self.stage,
                "phase1": self.phase1,
                "out_of_control": self.out_of_control,
                "rules": rules,
            }
        )
        return frame

    def _own_center(self, stage: Stage) -> str:
        """The centre line of this chart in ``stage`` (MR-bar on an MR chart, not x-bar)."""
        part = self.center[stage.start:stage.stop]
        if part.size == 0 or np.all(np.isnan(part)):
            return f"{stage.center:.6g}"
        first = float(part[0])
        if np.allclose(part, first, rtol=1e-12, atol=0.0, equal_nan=True):
            return f"{first:.6g}"
        return f"{float(np.nanmean(part)):.6g} (mean; varies with n)"

    def summary(self) -> str:
        """A short text summary (rounded for display only).

        The centre is this chart's own centre line (MR-bar on a moving-range chart, S-bar on
        an S chart); with several stages, each figure is shown stage by stage (before ->
        after). Attribute charts label their sigma as the per-unit sigma.
        """
        per_unit = self.sigma_method in ("binomial", "poisson", "laney", "geometric")
        sig_name = "per-unit sigma" if per_unit else "sigma"
        lines = [f"{self.chart} chart: {len(self)} points, {len(self.stages)} stage(s)"]
        if len(self.stages) == 1:
            st = self.stages[0]
            lines.append(f"  center {self._own_center(st)}, {sig_name} {st.sigma:.6g} "
                         f"({self.sigma_method})")
            if "sigma_z" in st.extra:
                lines.append(f"  sigma_z {st.extra['sigma_z']:.4g}")
        else:
            arrow = " -> "
            lines.append("  stages: " + arrow.join(repr(s.name) for s in self.stages))
            lines.append("  center: " + arrow.join(self._own_center(s) for s in self.stages))
            lines.append(f"  {sig_name} ({self.sigma_method}): "
                         + arrow.join(f"{s.sigma:.6g}" for s in self.stages))
            if all("sigma_z" in s.extra for s in self.stages):
                lines.append("  sigma_z: " + arrow.join(f"{s.extra['sigma_z']:.4g}"
                                                        for s in self.stages))
        lines.append(
            f"  rules {', '.join(self.rules)}: {self.violation_index.size} signal(s) at "
            f"{np.unique(self.violation_index).size} point(s)"
        )
        arl = self.in_control_arl
        if arl is not None:
            lines.append(f"  in-control ARL of these rules: about {arl:.0f} points")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True, eq=False, repr=False)
class CusumChart(ControlChart, kind="cusum_chart"):
    """A tabular CUSUM chart: ``upper`` (C+) and ``lower`` (C-) sums, both >= 0.

    The sums are in standard-error units of the plotted statistic; ``h`` is the decision
    interval and ``k`` the reference value, both in the same units. ``statistic`` holds the
    standardised values z, ``ucl`` is h and ``lcl`` is -h (the lower sum is drawn as -C-).
    """

    upper: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    lower: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    h: float = 5.0
    k: float = 0.5

    def to_frame(self) -> pd.DataFrame:
        """As :meth:`ControlChart.to_frame`, with the ``upper`` and ``lower`` sums."""
        frame = super().to_frame()
        frame["upper"] = self.upper
        frame["lower"] = self.lower
        return frame


@dataclass(frozen=True, eq=False, repr=False)
class ChartPair(Result, kind="chart_pair"):
    """A location chart and its dispersion chart (X-bar/R, X-bar/S, I/MR)."""

    location: ControlChart
    dispersion: ControlChart

    @property
    def in_control(self) -> bool:
        """True when neither chart signals."""
        return self.location.in_control and self.dispersion.in_control

    def to_frame(self) -> pd.DataFrame:
        """Both charts' frames stacked, with a ``chart`` column."""
        a = self.location.to_frame().assign(chart=self.location.chart)
        b = self.dispersion.to_frame().assign(chart=self.dispersion.chart)
        return pd.concat([a, b], ignore_index=True)

    def summary(self) -> str:
        """Both charts' summaries."""
        return self.location.summary() + "\n" + self.dispersion.summary()

    def __iter__(self) -> Any:
        return iter((self.location, self.dispersion))
