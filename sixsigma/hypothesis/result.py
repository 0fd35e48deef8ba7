"""The result of the test assistant, and the sentence it reports."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._result import Result

__all__ = ["Comparison", "Equivalence", "OneSample", "sentence"]


@dataclass(frozen=True, eq=False, repr=False)
class Comparison(Result, kind="compare"):
    """The result of :func:`sixsigma.hypothesis.compare`.

    Attributes
    ----------
    test : str
        The test run (``"welch_t"``, ``"mann_whitney"``, ``"paired_t"``, ``"wilcoxon"``,
        ``"anova"``, ``"welch_anova"``, ``"kruskal"``, ``"rm_anova"``, ``"friedman"``,
        ``"two_proportion_z"``, ``"fisher_exact"``, ``"mcnemar"``, ``"chi_square"``).
    why : tuple of str
        The reasons, in the order the decisions were taken.
    statistic : float or None
        The test's statistic (None for Fisher's exact test, which has none).
    df : float or None
        Degrees of freedom (None when the test has none).
    p_value : float
        The p-value.
    effect_name : str
        ``"hedges_g"``, ``"rank_biserial"``, ``"eta_squared"``, ``"epsilon_squared"``,
        ``"partial_eta_squared"``, ``"kendall_w"``, ``"risk_difference"``, ``"cramers_v"``.
    effect : float
        The effect size.
    ci : (float, float) or None
        The effect size's interval at ``confidence`` (None where no interval is computed:
        partial eta-squared and Kendall's W; a note says so).
    sentence : str
        The finding in plain language.
    groups : pandas.DataFrame
        Per group: ``group``, ``n``, and ``mean``, ``sd``, ``median`` (numbers) or
        ``defects``, ``rate`` (proportions).
    checks : pandas.DataFrame
        The assumption checks: ``check``, ``group``, ``statistic``, ``p_value``, ``passed``.
    posthoc : pandas.DataFrame or None
        Pairwise comparisons (more than two groups): Tukey HSD, Games-Howell, pairwise
        Mann-Whitney with Holm's correction, or pairwise two-proportion z with Holm's.
    event : str, number, bool or None
        For a two-level outcome: the value counted as the event (``defects`` and ``rate`` of
        :attr:`groups` count it); None otherwise.
    """

    test: str
    why: tuple[str, ...]
    statistic: float | None
    df: float | None
    p_value: float
    effect_name: str
    effect: float
    ci: tuple[float, float] | None
    sentence: str
    groups: pd.DataFrame
    checks: pd.DataFrame
    posthoc: pd.DataFrame | None
    value: str
    group: str
    paired: bool
    data_kind: str
    alpha: float
    confidence: float
    event: str | float | bool | None = None

    def __post_init__(self) -> None:
        if self.ci is not None and not isinstance(self.ci, tuple):
            object.__setattr__(self, "ci", tuple(self.ci))
        if isinstance(self.event, np.generic):
            object.__setattr__(self, "event", self.event.item())
        super().__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """One row: the test, statistic, p-value and effect size with its interval."""
        low, high = self.ci if self.ci is not None else (None, None)
        return pd.DataFrame([{
            "test": self.test, "statistic": self.statistic, "df": self.df,
            "p_value": self.p_value, "effect_name": self.effect_name, "effect": self.effect,
            "ci_low": low, "ci_high": high,
            "significant": self.p_value <= self.alpha, "why": "; ".join(self.why),
        }])

    def summary(self) -> str:
        """A short text summary."""
        lines = [f"{self.test}: {self.sentence}"]
        lines += [f"  why: {w}" for w in self.why]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_evidence(self) -> dict[str, Any]:
        """An evidence record (see :mod:`sixsigma.rootcause.evidence`)."""
        from sixsigma._result import jsonable
        from sixsigma.rootcause.evidence import evidence_record

        low, high = self.ci if self.ci is not None else (None, None)
        figures = {"test": self.test, "statistic": self.statistic, "df": self.df,
                   "p_value": self.p_value, "effect_name": self.effect_name,
                   "effect": self.effect, "ci_low": low, "ci_high": high,
                   "groups": jsonable(self.groups.to_dict(orient="records"))}
        parameters = {"value": self.value, "group": self.group, "paired": self.paired,
                      "alpha": self.alpha, "confidence": self.confidence,
                      "why": list(self.why)}
        return evidence_record(self.kind, self.sentence, self.groups, figures, parameters)


NAMES = {
    "welch_t": "Welch's t test", "mann_whitney": "Mann-Whitney U test",
    "paired_t": "paired t test", "wilcoxon": "Wilcoxon signed-rank test",
    "anova": "one-way ANOVA", "welch_anova": "Welch's ANOVA", "kruskal": "Kruskal-Wallis test",
    "rm_anova": "repeated-measures ANOVA", "friedman": "Friedman test",
    "two_proportion_z": "two-proportion z test", "fisher_exact": "Fisher's exact test",
    "mcnemar": "McNemar's test", "chi_square": "chi-square test of independence",
}
EFFECTS = {
    "hedges_g": "Hedges' g", "rank_biserial": "rank-biserial r", "eta_squared": "eta-squared",
    "epsilon_squared": "epsilon-squared", "partial_eta_squared": "partial eta-squared",
    "kendall_w": "Kendall's W", "risk_difference": "risk difference",
    "cramers_v": "Cramer's V",
}


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def sentence(value: str, group: str, test: str, p: float, ename: str, effect: float,
             ci: tuple[float, float] | None, alpha: float, confidence: float,
             what: str) -> str:
    """The finding in one plain-language sentence."""
    verdict = "differs significantly" if p <= alpha else "does not differ significantly"
    shown = ("" if ci is None or not (math.isfinite(ci[0]) and math.isfinite(ci[1]))
             else f" ({confidence:.0%} CI {ci[0]:.3g} to {ci[1]:.3g})")
    return (f"{value} {verdict} between the groups of {group} ({NAMES[test]}, {_fmt_p(p)}, "
            f"alpha = {alpha:g}); {what}; {EFFECTS[ename]} = {effect:.3g}{shown}.")


@dataclass(frozen=True, eq=False, repr=False)
class OneSample(Result, kind="one_sample"):
    """The result of :func:`sixsigma.hypothesis.one_sample`: one sample against a target.

    Attributes
    ----------
    test : str
        ``"binomial_exact"`` (a rate: 0/1, booleans, two text labels, counts) or
        ``"one_sample_t"`` (numbers).
    why : tuple of str
        Why that test.
    statistic : float
        The number of events (exact binomial) or Student's t.
    df : float or None
        Degrees of freedom of t (None for the binomial test).
    p_value : float
        The p-value under ``alternative``.
    estimate : float
        The sample's rate or mean.
    target : float
        The value tested against.
    alternative : str
        ``"two-sided"``, ``"greater"`` (the alternative: estimate above the target) or
        ``"less"``.
    ci : (float, float)
        Interval of the rate (Clopper-Pearson) or of the mean (t) at ``confidence``; one-sided
        (an end at 0/1 or infinite, stored as None) for a one-sided ``alternative``.
    n : float
        Units (rate) or observations (mean).
    effect_name : str
        ``"difference"`` (rate - target) or ``"cohen_d"`` ((mean - target) / sd).
    effect : float
        The effect size.
    sentence : str
        The finding in plain language.
    value : str
        The column tested.
    data_kind : str
        ``"proportion"`` or ``"continuous"``/``"count"``.
    event : str, number, bool or None
        The value counted for a rate (None for numbers and counts).
    """

    test: str
    why: tuple[str, ...]
    statistic: float
    df: float | None
    p_value: float
    estimate: float
    target: float
    alternative: str
    ci: tuple[float | None, float | None]
    n: float
    effect_name: str
    effect: float
    sentence: str
    value: str
    data_kind: str
    alpha: float
    confidence: float
    event: str | float | bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.ci, tuple):
            object.__setattr__(self, "ci", tuple(self.ci))
        if isinstance(self.event, np.generic):
            object.__setattr__(self, "event", self.event.item())
        super().__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """One row: the test, estimate, target, p-value and interval."""
        return pd.DataFrame([{
            "test": self.test, "estimate": self.estimate, "target": self.target,
            "alternative": self.alternative, "statistic": self.statistic, "df": self.df,
            "p_value": self.p_value, "ci_low": self.ci[0], "ci_high": self.ci[1],
            "n": self.n, "effect_name": self.effect_name, "effect": self.effect,
            "significant": self.p_value <= self.alpha,
        }])

    def summary(self) -> str:
        """A short text summary."""
        lines = [f"{self.test}: {self.sentence}"]
        lines += [f"  why: {w}" for w in self.why]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True, eq=False, repr=False)
class Equivalence(Result, kind="equivalence"):
    """The result of :func:`sixsigma.hypothesis.equivalence`: two one-sided tests (TOST).

    Attributes
    ----------
    test : str
        ``"tost_welch_t"`` (numbers: two one-sided Welch t tests) or
        ``"tost_two_proportion_z"`` (rates: two one-sided unpooled z tests on the
        difference).
    why : tuple of str
        Why that test.
    difference : float
        ``first - second`` (means or rates).
    first, second : str
        The two groups, in the order of the difference.
    margin : (float, float)
        The equivalence bounds (low, high) of the difference.
    ci : (float, float)
        The 1 - 2 alpha interval of the difference (inside the margin exactly when the
        TOST finds equivalence at ``alpha``).
    statistic_lower, statistic_upper : float
        t or z of the tests against the lower and the upper bound.
    p_lower, p_upper : float
        Their one-sided p-values (H1: difference > low; H1: difference < high).
    p_value : float
        The TOST p-value, the larger of the two.
    df : float or None
        Welch-Satterthwaite degrees of freedom (None for z).
    equivalent : bool
        ``p_value <= alpha``: the difference lies within the margin.
    groups : pandas.DataFrame
        Per group: ``group``, ``n`` and ``mean``, ``sd`` (numbers) or ``defects``, ``rate``.
    sentence : str
        The finding in plain language.
    """

    test: str
    why: tuple[str, ...]
    difference: float
    first: str
    second: str
    margin: tuple[float, float]
    ci: tuple[float, float]
    statistic_lower: float
    statistic_upper: float
    p_lower: float
    p_upper: float
    p_value: float
    df: float | None
    equivalent: bool
    groups: pd.DataFrame
    sentence: str
    value: str
    group: str
    data_kind: str
    alpha: float
    event: str | float | bool | None = None

    def __post_init__(self) -> None:
        for name in ("margin", "ci"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        if isinstance(self.event, np.generic):
            object.__setattr__(self, "event", self.event.item())
        super().__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """One row: the difference, its interval, the margin and the TOST p-value."""
        return pd.DataFrame([{
            "test": self.test, "difference": self.difference, "ci_low": self.ci[0],
            "ci_high": self.ci[1], "margin_low": self.margin[0],
            "margin_high": self.margin[1], "p_lower": self.p_lower, "p_upper": self.p_upper,
            "p_value": self.p_value, "df": self.df, "equivalent": self.equivalent,
        }])

    def summary(self) -> str:
        """A short text summary."""
        lines = [f"{self.test}: {self.sentence}"]
        lines += [f"  why: {w}" for w in self.why]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
