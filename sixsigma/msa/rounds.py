"""Agreement over calibration rounds.

A kappa (or alpha) per round with its interval, as a chartable series, and a test of
whether two rounds differ (did the recalibration work?).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._frames import first_row, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma._result import Result
from sixsigma._stats import z_two_sided
from sixsigma.errors import InsufficientDataError, MissingValueError, ParameterError
from sixsigma.msa._common import category_order, check_seed, key_column, load, rating_column
from sixsigma.msa.kappa import fleiss_kappa
from sixsigma.msa.krippendorff import LEVELS, krippendorff_alpha

if TYPE_CHECKING:
    from sixsigma.spc.chart import ChartPair

__all__ = ["AgreementSeries", "RoundComparison", "agreement_by_round", "compare_rounds"]

Statistic = Literal["fleiss", "krippendorff"]


@dataclass(frozen=True, eq=False, repr=False)
class AgreementSeries(Result, kind="agreement_series"):
    """One agreement statistic per calibration round.

    Attributes
    ----------
    rounds : numpy.ndarray
        The round labels, sorted.
    estimate, ci_low, ci_high, se : numpy.ndarray
        The statistic per round, its interval and standard error (Fleiss: jackknife over
        items; Krippendorff: bootstrap over units). NaN where a round's figure is
        undefined (``notes`` names the round).
    n_items : numpy.ndarray
        Items per round.
    statistic : str
        "fleiss" or "krippendorff".
    """

    rounds: NDArray[Any]
    estimate: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    se: NDArray[np.float64]
    n_items: NDArray[np.int64]
    statistic: str
    confidence: float
    ci_method: str

    def __post_init__(self) -> None:
        for name in ("rounds", "estimate", "ci_low", "ci_high", "se", "n_items"):
            object.__setattr__(self, name, np.asarray(getattr(self, name)))
        super().__post_init__()

    def __len__(self) -> int:
        return int(self.rounds.size)

    def to_frame(self) -> pd.DataFrame:
        """Columns round, estimate, ci_low, ci_high, se, n_items."""
        return pd.DataFrame({"round": self.rounds, "estimate": self.estimate,
                             "ci_low": self.ci_low, "ci_high": self.ci_high, "se": self.se,
                             "n_items": self.n_items})

    def control_chart(self, **kwargs: Any) -> ChartPair:
        """An individuals / moving-range chart of the per-round estimates.

        Keyword arguments go to :func:`sixsigma.spc.imr` (e.g. ``rules="nelson"``,
        ``phase1=8``). A drift in shared understanding then shows as any special cause.
        """
        from sixsigma.spc import imr

        return imr(self.to_frame(), value="estimate", label="round", **kwargs)

    def summary(self) -> str:
        """A short text summary."""
        name = "Fleiss' kappa" if self.statistic == "fleiss" else "Krippendorff's alpha"
        lo = int(np.nanargmin(self.estimate)) if np.isfinite(self.estimate).any() else 0
        lines = [f"{name} over {self.rounds.size} rounds: first {self.estimate[0]:.3f}, last "
                 f"{self.estimate[-1]:.3f}, lowest {self.estimate[lo]:.3f} in round "
                 f"{self.rounds[lo]!s}"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _one(
    frame: pd.DataFrame, statistic: str, confidence: float, level: str, n_boot: int, seed: int,
    categories: Sequence[Any] | None,
) -> tuple[float, float, float, float, int, tuple[str, ...]]:
    """Estimate, interval, se, items and notes of one round (NaN where undefined)."""
    nan = float("nan")
    if statistic == "fleiss":
        f = fleiss_kappa(frame, "item", "rater", "rating", categories=categories,
                         confidence=confidence)
        est, ci, se, n, notes = f.kappa, f.ci, f.se, f.n_items, f.notes
    else:
        a = krippendorff_alpha(frame, "item", "rater", "rating",
                               level=level,  # type: ignore[arg-type]
                               categories=categories, confidence=confidence, n_boot=n_boot,
                               seed=seed)
        est, ci, se, n, notes = a.alpha, a.ci, a.se, a.n_units, a.notes
    low, high = (nan, nan) if ci is None else ci
    return nan if est is None else est, low, high, se, n, notes


def _split(
    data: Any, label: str, item: str, rater: str, rating: str, caller: str,
    statistic: str = "fleiss",
) -> tuple[NDArray[Any], dict[Any, pd.DataFrame]]:
    table = load(data, caller, label, item, rater, rating, min_rows=2)
    rounds = key_column(table, label)
    values = rating_column(table, rating)
    missing = pd.Series(values, copy=False).isna().to_numpy()
    if missing.all():
        raise MissingValueError(f"{caller}: column {rating!r} has no ratings (every value is "
                                "missing).")
    if statistic == "fleiss" and missing.any():
        i = first_row(missing)
        raise MissingValueError(f"{caller}: column {rating!r} has a missing rating at row {i}; "
                                "Fleiss' kappa needs every rating (drop those rows, or use "
                                "statistic='krippendorff').")
    frame = pd.DataFrame({"round": rounds, "item": key_column(table, item),
                          "rater": key_column(table, rater), "rating": values})
    keys = np.asarray(pd.unique(pd.Series(rounds, copy=False)))
    try:
        keys = np.sort(keys)
    except TypeError:
        pass
    groups = {key: g.drop(columns="round") for key, g in frame.groupby("round", sort=False)}
    return keys, groups


def agreement_by_round(
    data: Any,
    label: str,
    item: str,
    rater: str,
    rating: str,
    *,
    statistic: Statistic = "fleiss",
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> AgreementSeries:
    """Fleiss' kappa or Krippendorff's alpha per calibration round, with intervals.

    Parameters
    ----------
    data : dataframe or dict
        One row per rating. Within a round each rater rates an item once: filter one
        trial (``cal[cal.trial == 1]``) when raters rated items twice.
    label, item, rater, rating : str
        Columns: the calibration round (the label of each point of the series), the item
        rated, who rated it, the category given.
    statistic : {"fleiss", "krippendorff"}
        Fleiss' kappa (jackknife interval over items) or Krippendorff's alpha (bootstrap
        interval over units, ``n_boot`` resamples seeded by ``seed``).
    level : str
        Krippendorff's metric ("nominal", "ordinal", "interval", "ratio").
    categories : sequence, optional
        Declared categories, so that every round uses the same set.
    confidence : float
        Level of the intervals.
    n_boot, seed : int
        Bootstrap settings (Krippendorff only).

    Returns
    -------
    AgreementSeries
        ``to_frame()`` gives round, estimate, ci_low, ci_high; ``control_chart()`` an I-MR
        chart of the estimates; :func:`sixsigma.plot.msa.agreement_rounds` draws it.

    Raises
    ------
    sixsigma.errors.ParameterError
        Unknown statistic.
    sixsigma.errors.InsufficientDataError, InputError
        As :func:`fleiss_kappa` / :func:`krippendorff_alpha` within a round; the message
        names the round.

    Examples
    --------
    >>> d = {"round": [1] * 6 + [2] * 6, "item": [1, 1, 2, 2, 3, 3] * 2,
    ...      "rater": ["a", "b"] * 6,
    ...      "rating": ["x", "x", "y", "y", "x", "y", "x", "x", "y", "y", "x", "x"]}
    >>> s = ss.msa.agreement_by_round(d, label="round", item="item", rater="rater",
    ...                               rating="rating")
    >>> [round(float(v), 3) for v in s.estimate]
    [0.333, 1.0]
    """
    caller = "agreement_by_round"
    choice(statistic, "statistic", ("fleiss", "krippendorff"), caller=caller)
    confidence = check_confidence(confidence, caller=caller)
    n_boot = int(check_number(n_boot, "n_boot", caller=caller, low=0, integer=True))
    seed = check_seed(seed, caller)
    choice(level, "level", LEVELS, caller=caller)
    keys, groups = _split(data, label, item, rater, rating, caller, statistic)
    if categories is None:
        pool = np.concatenate([g["rating"].to_numpy() for g in groups.values()])
        pool = pool[~pd.Series(pool).isna().to_numpy()]
        categories = category_order(pool, None, caller=caller)
    rows = []
    notes: list[str] = []
    for key in keys:
        try:
            rows.append(_one(groups[key], statistic, confidence, level, n_boot, seed,
                             categories))
        except (InsufficientDataError, ValueError) as err:
            raise type(err)(f"{caller}: round {show(key)} (rows counted within the round): "
                            f"{err}") from err
    for key, row in zip(keys, rows, strict=True):
        notes += [f"round {show(key)}: {n}" for n in row[5]]
    est, lo, hi, se, n = (np.array(col) for col in list(zip(*rows, strict=True))[:5])
    method = "jackknife_items" if statistic == "fleiss" else "bootstrap_units_percentile"
    return AgreementSeries(rounds=keys, estimate=est.astype(float), ci_low=lo.astype(float),
                           ci_high=hi.astype(float), se=se.astype(float),
                           n_items=n.astype(np.int64), statistic=statistic,
                           confidence=confidence, ci_method=method, notes=tuple(notes))


@dataclass(frozen=True, eq=False, repr=False)
class RoundComparison(Result, kind="round_comparison"):
    """Two rounds' agreement compared: difference = second - first.

    Attributes
    ----------
    first, second : object
        The round labels.
    estimate_first, estimate_second, se_first, se_second : float
    difference, se_difference : float
        second - first, and sqrt(se_first^2 + se_second^2) (independent rounds).
    ci : tuple of float or None
        difference -/+ z * se_difference; None (with a note) when undefined.
    z, p_value : float
        Two-sided z test of equal agreement.
    method : str
        "z_independent_se".
    """

    first: Any
    second: Any
    estimate_first: float
    estimate_second: float
    se_first: float
    se_second: float
    difference: float
    se_difference: float
    ci: tuple[float, float] | None
    z: float
    p_value: float
    statistic: str
    confidence: float
    method: str = "z_independent_se"

    def to_frame(self) -> pd.DataFrame:
        """One row with every figure; the interval as ci_low, ci_high."""
        row = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("ci", "notes")}
        row["ci_low"], row["ci_high"] = (np.nan, np.nan) if self.ci is None else self.ci
        return pd.DataFrame([row])

    def summary(self) -> str:
        """A short text summary."""
        low, high = (np.nan, np.nan) if self.ci is None else self.ci
        lines = [f"round {self.second!s} vs {self.first!s}: {self.estimate_second:.3f} vs "
                 f"{self.estimate_first:.3f}, difference {self.difference:+.3f} "
                 f"({self.confidence:.0%} CI {low:+.3f} to {high:+.3f}), "
                 f"z = {self.z:.2f}, p = {self.p_value:.4g} [{self.method}]"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def compare_rounds(
    data: Any,
    label: str,
    item: str,
    rater: str,
    rating: str,
    *,
    first: Any,
    second: Any,
    statistic: Statistic = "fleiss",
    level: str = "nominal",
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> RoundComparison:
    """Test whether agreement differs between two rounds (z test on the difference).

    The rounds rate different golden items (or the same items at different times), so
    their estimates are treated as independent: z = (k2 - k1) / sqrt(se1^2 + se2^2), with
    the standard errors of :func:`agreement_by_round` (jackknife for Fleiss' kappa,
    bootstrap for Krippendorff's alpha). Named ``method="z_independent_se"``.

    Parameters
    ----------
    data, label, item, rater, rating, statistic, level, categories, confidence, n_boot, seed
        As :func:`agreement_by_round`.
    first, second : object
        The two rounds: values of the ``label`` column.

    Returns
    -------
    RoundComparison

    Raises
    ------
    sixsigma.errors.ParameterError
        A round label not in the data.

    Examples
    --------
    >>> d = {"round": [1] * 8 + [2] * 8, "item": [1, 1, 2, 2, 3, 3, 4, 4] * 2,
    ...      "rater": ["a", "b"] * 8,
    ...      "rating": list("xxyyxyyx") + list("xxyyxxyy")}
    >>> c = ss.msa.compare_rounds(d, "round", "item", "rater", "rating", first=1, second=2)
    >>> round(c.difference, 3)
    1.0
    """
    caller = "compare_rounds"
    choice(statistic, "statistic", ("fleiss", "krippendorff"), caller=caller)
    confidence = check_confidence(confidence, caller=caller)
    n_boot = int(check_number(n_boot, "n_boot", caller=caller, low=0, integer=True))
    seed = check_seed(seed, caller)
    choice(level, "level", LEVELS, caller=caller)
    keys, groups = _split(data, label, item, rater, rating, caller, statistic)
    if first == second:
        raise ParameterError(f"{caller}: the 'first' and 'second' parameters name the same "
                             f"round ({show(first)}); compare two different rounds.")
    for key in (first, second):
        if key not in groups:
            raise ParameterError(f"{caller}: round {key!r} is not in column {label!r}; "
                                 f"rounds are {', '.join(show(k) for k in keys[:12])}.")
    if categories is None:
        pool = np.concatenate([groups[first]["rating"].to_numpy(),
                               groups[second]["rating"].to_numpy()])
        pool = pool[~pd.Series(pool).isna().to_numpy()]
        categories = category_order(pool, None, caller=caller)
    e1, _, _, s1, _, n1 = _one(groups[first], statistic, confidence, level, n_boot, seed,
                               categories)
    e2, _, _, s2, _, n2 = _one(groups[second], statistic, confidence, level, n_boot, seed,
                               categories)
    notes = [f"round {show(first)}: {n}" for n in n1] + [f"round {show(second)}: {n}"
                                                          for n in n2]
    diff = e2 - e1
    se = float(np.hypot(s1, s2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se if se > 0 else float("nan")
    p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")
    half = z_two_sided(confidence) * se
    ci: tuple[float, float] | None = (diff - half, diff + half)
    if not np.isfinite(half) or not np.isfinite(diff):
        ci = None
        notes.append("ci is undefined: a round's estimate or standard error is undefined")
    return RoundComparison(first=first, second=second, estimate_first=e1, estimate_second=e2,
                           se_first=s1, se_second=s2, difference=diff, se_difference=se,
                           ci=ci, z=float(z), p_value=p,
                           statistic=statistic, confidence=confidence, notes=tuple(notes))
