"""Funnel plots: compare many units fairly despite their different volumes.

A unit (a moderator, a vendor site, a queue) with ``n`` audited items and ``d`` errors is
judged against the overall rate ``p0`` with limits that narrow as ``n`` grows
(Spiegelhalter 2005a): a low-volume reviewer is not flagged for noise, a high-volume one
is flagged for a small but real difference. When the units vary more than chance allows
(over-dispersion, the rule rather than the exception for people), the limits are widened
following Spiegelhalter (2005b): either multiplicatively (``phi``) or by an additive
random effect (``tau^2``, DerSimonian-Laird), both estimated from winsorised z-scores so
that the outlying units do not hide themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import as_table
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result, jsonable
from sixsigma.errors import InsufficientDataError
from sixsigma.rootcause.counts import count_cells
from sixsigma.rootcause.evidence import evidence_record

__all__ = ["Funnel", "funnel", "binomial_limit"]

FloatArray = NDArray[np.float64]

P2 = float(stats.norm.cdf(2.0))  # 0.97725: the "2 sigma" probability
P3 = float(stats.norm.cdf(3.0))  # 0.99865: the "3 sigma" probability


def binomial_limit(p0: float, n: Any, prob: float) -> FloatArray:
    """Exact binomial funnel limit with Spiegelhalter's interpolation.

    ``r`` is the smallest count with P(R <= r) >= prob for R ~ Binomial(n, p0); the limit
    is (r - a)/n with a = (P(R <= r) - prob) / (P(R <= r) - P(R <= r - 1)), which makes
    the limits a smooth function of n (Spiegelhalter 2005a, Appendix A.1.1).

    Examples
    --------
    >>> round(float(binomial_limit(0.1, 100, 0.975)), 4)
    0.1577
    """
    n = np.asarray(n, dtype=np.float64)
    r = stats.binom.ppf(prob, n, p0)
    f_r = stats.binom.cdf(r, n, p0)
    f_r1 = stats.binom.cdf(r - 1, n, p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(f_r > f_r1, (f_r - prob) / (f_r - f_r1), 0.0)
        out = (r - a) / n
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True, eq=False, repr=False)
class Funnel(Result, kind="funnel"):
    """The result of :func:`funnel`.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit: ``unit``, ``n``, ``defects``, ``rate``, ``z`` (on the adjusted
        scale when an over-dispersion adjustment is applied), ``p_value`` (two-sided,
        normal), ``lower2``, ``upper2``, ``lower3``, ``upper3`` (the unit's limits; missing,
        NaN, where a limit would fall below 0 or above 1: absent, as on every chart), and
        ``flag``: ``"above 3 sigma"``, ``"above 2 sigma"``, ``"within"``,
        ``"below 2 sigma"``, ``"below 3 sigma"``.
    curve : pandas.DataFrame
        The funnel on a grid of sizes (``n``, ``lower2``, ``upper2``, ``lower3``,
        ``upper3``), for plotting.
    p0 : float
        The target: the overall rate (or the given target).
    phi : float
        Spiegelhalter's over-dispersion factor from winsorised z-scores.
    overdispersion_p : float
        P-value of the test of no over-dispersion (I*phi against chi-square, I-1 df).
    tau2 : float
        DerSimonian-Laird between-unit variance (0 when I*phi <= I-1).
    defectives, size, unit : str or None
        The columns the funnel was computed from.
    method : str
        How the limits were computed: ``"exact"`` or ``"normal"``.
    overdispersion : str
        ``"none"``, ``"multiplicative"`` or ``"additive"``.
    """

    units: pd.DataFrame
    curve: pd.DataFrame
    defectives: str
    size: str | None
    unit: str
    p0: float
    phi: float
    overdispersion_p: float
    tau2: float
    method: str
    overdispersion: str
    winsor: float

    def __post_init__(self) -> None:
        for name in ("units", "curve"):
            object.__setattr__(self, name, getattr(self, name).copy())
        super().__post_init__()

    @property
    def flagged(self) -> pd.DataFrame:
        """The units outside their 3-sigma limits, worst first."""
        out = self.units[self.units["flag"].str.contains("3 sigma")]
        return out.iloc[np.argsort(-out["z"].abs().to_numpy(), kind="stable")]

    def to_frame(self) -> pd.DataFrame:
        """The units table (a copy)."""
        return self.units.copy()

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        counts = self.units["flag"].value_counts()
        lines = [
            f"funnel of {self.defectives} by {self.unit}: {len(self.units)} units, "
            f"p0 = {self.p0:.4%}, {self.method} limits, overdispersion "
            f"{self.overdispersion} (phi = {self.phi:.2f}, p = {self.overdispersion_p:.2g}, "
            f"tau2 = {self.tau2:.3g})",
            "  " + ", ".join(f"{k}: {v}" for k, v in counts.items()),
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_evidence(self) -> dict[str, Any]:
        """An evidence record (see :mod:`sixsigma.rootcause.evidence`)."""
        flagged = self.flagged
        description = (
            f"Funnel plot of {self.defectives} over {len(self.units)} {self.unit} units "
            f"(p0 = {self.p0:.4f}, {self.method} limits, {self.overdispersion} "
            f"over-dispersion adjustment, phi = {self.phi:.2f}): {len(flagged)} unit(s) "
            "outside 3 sigma" + (": " + ", ".join(map(str, flagged["unit"].head(10)))
                                 if len(flagged) else "") + "."
        )
        figures = {"p0": self.p0, "phi": self.phi, "overdispersion_p": self.overdispersion_p,
                   "tau2": self.tau2,
                   "flagged": jsonable(flagged.to_dict(orient="records"))}
        parameters = {"defectives": self.defectives, "size": self.size, "unit": self.unit,
                      "method": self.method, "overdispersion": self.overdispersion,
                      "winsor": self.winsor}
        aggregate = self.units[["unit", "n", "defects"]]
        return evidence_record(self.kind, description, aggregate, figures, parameters)


def _limits(p0: float, n: FloatArray, se: FloatArray, how: str, mode: str, phi: float,
            tau2: float) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    for k, prob in ((2, P2), (3, P3)):
        if mode == "additive":
            width = float(k) * np.sqrt(se**2 + tau2)
            lo, hi = p0 - width, p0 + width
        else:
            if how == "exact":
                lo = binomial_limit(p0, n, 1 - prob)
                hi = binomial_limit(p0, n, prob)
            else:
                lo, hi = p0 - k * se, p0 + k * se
            if mode == "multiplicative":
                lo = p0 + (lo - p0) * np.sqrt(phi)
                hi = p0 + (hi - p0) * np.sqrt(phi)
        # a limit a rate cannot cross is absent, as on every chart (not a negative number)
        lo = np.asarray(lo, dtype=np.float64)
        hi = np.asarray(hi, dtype=np.float64)
        out[f"lower{k}"] = np.where(lo < 0, np.nan, lo)
        out[f"upper{k}"] = np.where(hi > 1, np.nan, hi)
    return out


def funnel(
    data: Any,
    defectives: str,
    unit: str,
    *,
    size: str | None = None,
    method: Literal["exact", "normal"] = "exact",
    overdispersion: Literal["none", "multiplicative", "additive"] | None = None,
    target: float | None = None,
    winsor: float = 0.10,
) -> Funnel:
    """Funnel-plot limits for many units, with Spiegelhalter's over-dispersion adjustment.

    Parameters
    ----------
    data : dataframe
        Raw records with a 0/1 or boolean ``defectives`` column (one row per unit), or rows
        with ``defectives`` among ``size`` units (several rows per unit are summed). Any
        frame narwhals reads; one group-by over ``unit`` runs where the data live.
    defectives : str
        The defective column: 0/1 per record, or the number of defective units of a row
        with ``size``.
    unit : str
        The column naming the unit compared (moderator, site, queue).
    size : str, optional
        The units behind each row (pre-aggregated counts); None for raw records.
    method : {"exact", "normal"}
        ``"exact"`` (default): binomial limits with Spiegelhalter's interpolation;
        ``"normal"``: p0 +- k sqrt(p0(1-p0)/n).
    overdispersion : {None, "none", "multiplicative", "additive"}
        None/"none": no adjustment (phi and tau2 are still estimated and reported);
        "multiplicative": limits (their distance from p0) and z-scores scaled by
        sqrt(phi) (phi floored at 1); "additive": random-effects limits
        p0 +- k sqrt(p0(1-p0)/n + tau2), normal scale.
    target : float, optional
        The rate to compare with (default: the overall rate, sum(defects)/sum(size)).
    winsor : float
        Share of z-scores winsorised at each end when estimating phi (default 10 %).

    Returns
    -------
    Funnel

    Notes
    -----
    z_i = (y_i - p0)/s_i with s_i = sqrt(p0(1-p0)/n_i). phi = (1/I) sum z_w^2 over the
    z-scores winsorised at the ``winsor`` and ``1 - winsor`` quantiles (linear
    interpolation, R's type 7, as the FunnelPlotR package does); I*phi ~ chi-square(I-1)
    without over-dispersion. DerSimonian-Laird: tau2 = (I phi - (I-1)) /
    (sum w_i - sum w_i^2 / sum w_i), w_i = 1/s_i^2, floored at 0. Adjusted z-scores:
    z_i/sqrt(phi) (multiplicative) or (y_i - p0)/sqrt(s_i^2 + tau2) (additive). "2 sigma"
    and "3 sigma" limits are the Phi(2) = 0.97725 and Phi(3) = 0.99865 points.

    References
    ----------
    Spiegelhalter, D.J. (2005a). Funnel plots for comparing institutional performance.
    *Statistics in Medicine* 24, 1185-1202. Spiegelhalter, D.J. (2005b). Handling
    over-dispersion of performance indicators. *Quality and Safety in Health Care* 14,
    347-351. DerSimonian, R., Laird, N. (1986). Meta-analysis in clinical trials.
    *Controlled Clinical Trials* 7, 177-188.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site": list("ABCDE"), "errors": [5, 8, 30, 6, 7],
    ...                       "audited": [100, 150, 200, 120, 130]})
    >>> f = ss.rootcause.funnel(sites, "errors", "site", size="audited")
    >>> f.flagged["unit"].tolist()
    ['C']
    """
    caller = "funnel"
    choice(method, "method", ("exact", "normal"), caller=caller)
    mode = "none" if overdispersion is None else choice(
        overdispersion, "overdispersion", ("none", "multiplicative", "additive"), caller=caller)
    winsor = check_number(winsor, "winsor", caller=caller, low=0.0, high=0.5, high_open=True)
    if target is not None:
        target = check_confidence(target, caller=caller, name="target")
    table = as_table(data, caller=caller)
    cells = count_cells(table, defectives, (unit,), size)
    n, d = cells.n, cells.defects
    units = cells.frame[unit].to_numpy()
    p0 = float(d.sum() / n.sum()) if target is None else float(target)
    if not 0 < p0 < 1:
        raise InsufficientDataError(
            f"{caller}: the overall rate of {defectives!r} is {p0:g}; funnel limits need a "
            "rate strictly between 0 and 1 (pass target=)."
        )
    y = d / n
    se = np.sqrt(p0 * (1 - p0) / n)
    z = (y - p0) / se
    k = z.size
    lo_q, hi_q = np.quantile(z, [winsor, 1 - winsor])
    zw = np.clip(z, lo_q, hi_q)
    phi = float(np.mean(zw**2))
    od_p = float(stats.chi2.sf(k * phi, k - 1))
    w = 1.0 / se**2
    tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    notes: list[str] = []
    if cells.empty:
        shown = ", ".join(e.split("=", 1)[1] for e in cells.empty[:10])
        more = " ..." if len(cells.empty) > 10 else ""
        notes.append(f"{len(cells.empty)} unit(s) of size 0 left out (no items to judge): "
                     f"{shown}{more}")
    phi_used = max(phi, 1.0)
    if mode == "multiplicative":
        z_adj = z / np.sqrt(phi_used)
        if phi < 1:
            notes.append(f"phi = {phi:.3f} < 1: limits not narrowed (phi taken as 1)")
    elif mode == "additive":
        z_adj = (y - p0) / np.sqrt(se**2 + tau2)
        if method == "exact":
            notes.append("additive (random-effects) limits are on the normal scale")
    else:
        z_adj = z
        if od_p < 0.05:
            notes.append(f"the units are over-dispersed (phi = {phi:.2f}, p = {od_p:.2g}): "
                         "consider overdispersion='multiplicative' or 'additive'")
    lim = _limits(p0, n, se, method, mode, phi_used, tau2)
    flag = np.where(y > lim["upper3"], "above 3 sigma",
                    np.where(y > lim["upper2"], "above 2 sigma",
                             np.where(y < lim["lower3"], "below 3 sigma",
                                      np.where(y < lim["lower2"], "below 2 sigma", "within"))))
    frame = pd.DataFrame({"unit": units, "n": n, "defects": d, "rate": y, "z": z_adj,
                          "p_value": 2 * stats.norm.sf(np.abs(z_adj)), **lim, "flag": flag})
    grid = np.asarray(np.unique(np.round(np.geomspace(max(1.0, n.min() * 0.8),
                                                      n.max() * 1.2, 200))), dtype=np.float64)
    gse = np.sqrt(p0 * (1 - p0) / grid)
    curve = pd.DataFrame({"n": grid, **_limits(p0, grid, gse, method, mode, phi_used, tau2)})
    if any(np.isnan(v).any() for v in (*lim.values(), *curve.to_numpy().T)):
        notes.append("limits that would fall below 0 or above 1 are absent (missing): a rate "
                     "cannot cross them")
    return Funnel(units=frame, curve=curve, defectives=defectives, size=size, unit=unit,
                  p0=p0, phi=phi, overdispersion_p=od_p, tau2=float(tau2), method=method,
                  overdispersion=mode, winsor=winsor, notes=tuple(notes))
