"""The result of the test assistant, and the sentence it reports."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._result import Result

__all__ = ["Comparison", "sentence"]


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
