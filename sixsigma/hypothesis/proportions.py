"""Proportions (0/1 or boolean outcomes) and categories: z, Fisher, McNemar, chi-square.

Two independent groups take the pooled two-proportion z test, or Fisher's exact test when
an expected cell is below 5 (Cochran 1954), with the risk difference and Newcombe's (1998)
hybrid score interval; paired 0/1 outcomes take McNemar's exact test with the paired risk
difference; more groups or categories take Pearson's chi-square test of independence with
Cramer's V (Smithson's 2003 interval) and, for 0/1 outcomes, pairwise z tests with Holm's
correction.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._aggregate import DEFECTIVES, N, group_counts
from sixsigma._frames import as_table, show
from sixsigma._stats import newcombe
from sixsigma._stats.effects import cramers_v, cramers_v_interval, paired_risk_difference
from sixsigma._stats.proportions import MIN_EXPECTED, fisher_two_sided, segment_tests
from sixsigma.errors import InsufficientDataError, ParameterError
from sixsigma.hypothesis._shared import pingouin, wide_pairs
from sixsigma.hypothesis.result import Comparison, sentence

__all__ = ["independent_proportions", "paired_proportions", "proportions_from_counts"]

FloatArray = NDArray[np.float64]
_CHECKS = ["check", "group", "statistic", "p_value", "passed"]


def _pooled_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """The pooled two-proportion z of x1/n1 against x2/n2 and its two-sided p-value."""
    z, p, _ = segment_tests(np.array([n1]), np.array([x1]), n1 + n2, x1 + x2,
                            min_expected=0.0)
    return float(z[0]), float(p[0])


def _cochran(expected: NDArray[Any], checks: list[dict[str, Any]], notes: list[str],
             why: list[str]) -> None:
    """Cochran's rule on the expected cells of a chi-square test of independence.

    Appends the check row, the note when more than 20 % are below 5, and the test's reason.
    """
    small = float((expected < MIN_EXPECTED).mean())
    checks.append({"check": "share of expected cells < 5 (Cochran: <= 20 %)", "group": "all",
                   "statistic": small, "p_value": float("nan"), "passed": small <= 0.2})
    if small > 0.2:
        notes.append(f"{small:.0%} of the expected cells are below 5: the chi-square "
                     "approximation is doubtful (Cochran 1954); merge sparse categories")
    why.append("more than two groups or categories: chi-square test of independence")


def _chi_square(chi2: float, df: float, p: float, v: float, ci: tuple[float, float],
                what: str, why: list[str], groups: pd.DataFrame, checks: list[dict[str, Any]],
                posthoc: pd.DataFrame | None, value: str, group: str, kind: str,
                alpha: float, confidence: float, event: Any, notes: list[str]) -> Comparison:
    """The result of a chi-square test of independence, Cramer's V as its effect."""
    return Comparison(
        test="chi_square", why=tuple(why), statistic=chi2, df=df, p_value=p,
        effect_name="cramers_v", effect=v, ci=ci,
        sentence=sentence(value, group, "chi_square", p, "cramers_v", v, ci, alpha,
                          confidence, what),
        groups=groups, checks=pd.DataFrame(checks, columns=_CHECKS), posthoc=posthoc,
        value=value, group=group, paired=False, data_kind=kind, alpha=alpha,
        confidence=confidence, event=event, notes=tuple(notes))


def proportions_from_counts(levels: list[Any], n: FloatArray, x: FloatArray, value: str,
                            group: str, alpha: float, confidence: float, why: list[str],
                            *, event: Any = None, notes: tuple[str, ...] = ()) -> Comparison:
    """Independent groups of a two-level outcome, from units ``n`` and events ``x`` per group.

    Two groups: the pooled two-proportion z test, or Fisher's exact test when an expected
    cell is below 5, with the risk difference and Newcombe's interval. More groups: Pearson's
    chi-square test of the 2 x k table, Cramer's V, pairwise z tests with Holm's correction.
    """
    caller = "compare"
    empty = [lv for lv, m in zip(levels, n, strict=True) if m <= 0]
    if empty:
        raise InsufficientDataError(f"{caller}: group {show(empty[0])} of {group!r} has no "
                                    "units (size 0); drop it or pass its units.")
    checks: list[dict[str, Any]] = []
    notes_out = list(notes)
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": n, "defects": x,
                           "rate": x / n})
    if len(levels) == 2:
        tot = x.sum() / n.sum()
        expected = np.minimum.reduce([n * tot, n * (1 - tot)]).min()
        checks.append({"check": "smallest expected cell (Cochran: >= 5)", "group": "all",
                       "statistic": float(expected), "p_value": float("nan"),
                       "passed": bool(expected >= MIN_EXPECTED)})
        r = x / n
        diff = float(r[0] - r[1])
        ci = newcombe(x[0], n[0], x[1], n[1], confidence)
        stat: float | None
        if expected >= MIN_EXPECTED:
            why.append("two groups, every expected cell >= 5: two-proportion z test (pooled)")
            stat, p = _pooled_z(x[0], n[0], x[1], n[1])
            test = "two_proportion_z"
        else:
            why.append("two groups, an expected cell < 5 (Cochran): Fisher's exact test")
            p = float(fisher_two_sided(np.array([x[0]]), np.array([n[0]]),
                                       np.array([x.sum()]), np.array([n.sum()]))[0])
            stat = None
            test = "fisher_exact"
        return Comparison(
            test=test, why=tuple(why), statistic=stat, df=None, p_value=p,
            effect_name="risk_difference", effect=diff, ci=ci,
            sentence=sentence(value, group, test, p, "risk_difference", diff, ci, alpha,
                              confidence,
                              f"rate {levels[0]} {r[0]:.2%} vs {levels[1]} {r[1]:.2%}"),
            groups=groups, checks=pd.DataFrame(checks, columns=_CHECKS), posthoc=None,
            value=value, group=group, paired=False, data_kind="proportion", alpha=alpha,
            confidence=confidence, event=event, notes=tuple(notes_out))
    if x.sum() <= 0 or x.sum() >= n.sum():
        raise InsufficientDataError(
            f"{caller}: {'no' if x.sum() <= 0 else 'every'} unit of {value!r} is an event in "
            f"every group of {group!r}: a chi-square test needs both outcomes.")
    observed = np.vstack([x, n - x]).T
    chi2, p, dof, expected_cells = stats.chi2_contingency(observed, correction=False)
    chi2, p, df = float(chi2), float(p), float(dof)
    _cochran(np.asarray(expected_cells), checks, notes_out, why)
    n_tot = float(n.sum())
    v = cramers_v(chi2, n_tot, 2.0)
    ci = cramers_v_interval(chi2, df, n_tot, 2.0, confidence)
    why.append("post-hoc: pairwise two-proportion z tests with Holm's correction")
    rows = []
    for i in range(len(levels)):
        for j in range(i + 1, len(levels)):
            zz, pz = _pooled_z(x[i], n[i], x[j], n[j])
            rows.append({"A": str(levels[i]), "B": str(levels[j]),
                         "diff": float(x[i] / n[i] - x[j] / n[j]), "z": zz, "p_unc": pz})
    posthoc = pd.DataFrame(rows)
    posthoc["p_holm"] = pingouin().multicomp(posthoc["p_unc"].to_numpy(), method="holm")[1]
    what = "rates " + ", ".join(f"{g} {float(r):.2%}" for g, r in
                                zip(groups["group"], groups["rate"], strict=True))
    return _chi_square(chi2, df, p, v, ci, what, why, groups, checks, posthoc, value, group,
                       "proportion", alpha, confidence, event, notes_out)


def independent_proportions(frame: pd.DataFrame, value: str, group: str, levels: list[Any],
                            kind: str, alpha: float, confidence: float, *,
                            event: Any = None, why0: str | None = None) -> Comparison:
    """Independent groups of a 0/1 outcome (coded 0/1 in ``frame``) or of categories."""
    pg = pingouin()
    checks: list[dict[str, Any]] = []
    notes: list[str] = []
    if kind == "proportion":
        counts = group_counts(as_table(frame[[group, value]], caller="compare"), value,
                              [group]).set_index(group).reindex(levels)
        n = counts[N].to_numpy(dtype=np.float64)
        x = counts[DEFECTIVES].to_numpy(dtype=np.float64)
        why = [why0 or f"{value!r} is 0/1 (a proportion); {len(levels)} independent groups"]
        return proportions_from_counts(levels, n, x, value, group, alpha, confidence, why,
                                       event=event)
    why = [f"{value!r} holds categories; {len(levels)} independent groups"]
    groups = (frame.groupby(group, sort=True)[value].agg(["size", "nunique"])
              .reset_index().rename(columns={group: "group", "size": "n",
                                             "nunique": "categories"}))
    groups["group"] = groups["group"].astype(str)
    with warnings.catch_warnings():
        # pingouin warns about low counts; the Cochran check below reports it on the result
        warnings.simplefilter("ignore", UserWarning)
        res_expected, _, res_stats = pg.chi2_independence(frame, x=group, y=value,
                                                          correction=False)
    row = res_stats[res_stats["test"] == "pearson"].iloc[0]
    chi2, df, p = float(row["chi2"]), float(row["dof"]), float(row["pval"])
    _cochran(res_expected.to_numpy(), checks, notes, why)
    n_tot = float(len(frame))
    k = float(min(res_expected.shape))
    v = cramers_v(chi2, n_tot, k)
    ci = cramers_v_interval(chi2, df, n_tot, k, confidence)
    posthoc = None
    what = f"{len(levels)} groups"
    return _chi_square(chi2, df, p, v, ci, what, why, groups, checks, posthoc, value, group,
                       kind, alpha, confidence, event, notes)


def paired_proportions(frame: pd.DataFrame, value: str, group: str, subject: str | None,
                       levels: list[Any], kind: str, alpha: float,
                       confidence: float, *, event: Any = None,
                       why0: str | None = None) -> Comparison:
    """A paired 0/1 outcome in two groups: McNemar's exact test."""
    if kind != "proportion" or len(levels) != 2:
        raise ParameterError(
            "compare: paired comparisons of categories are supported for a 0/1 outcome in "
            f"two groups (McNemar); {value!r} by {group!r} has {len(levels)} groups of "
            f"{kind} values.")
    wide, notes = wide_pairs(frame, value, group, subject, levels)
    a = wide[levels[0]].astype(np.float64).to_numpy()
    b = wide[levels[1]].astype(np.float64).to_numpy()
    n = float(a.size)
    n10 = float(((a == 1) & (b == 0)).sum())
    n01 = float(((a == 0) & (b == 1)).sum())
    why = [(why0 or f"{value!r} is 0/1 (a proportion)") + f"; 2 paired groups ({int(n)} "
           "subjects)",
           "paired proportions: McNemar's test (exact binomial on the discordant pairs)"]
    disc = n10 + n01
    p = float(stats.binomtest(int(n10), int(disc), 0.5).pvalue) if disc > 0 else 1.0
    diff, lo, hi = paired_risk_difference(n10, n01, n, confidence)
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": [n, n],
                           "defects": [a.sum(), b.sum()], "rate": [a.mean(), b.mean()]})
    notes.append("interval: Wald interval of a paired difference of proportions (Agresti "
                 "2013, §11.1)")
    ci = (lo, hi)
    return Comparison(
        test="mcnemar", why=tuple(why), statistic=n10, df=None, p_value=p,
        effect_name="risk_difference", effect=diff, ci=ci,
        sentence=sentence(value, group, "mcnemar", p, "risk_difference", diff, ci, alpha,
                          confidence,
                          f"rate {levels[0]} {a.mean():.2%} vs {levels[1]} {b.mean():.2%}"),
        groups=groups, checks=pd.DataFrame(columns=_CHECKS), posthoc=None, value=value,
        group=group, paired=True, data_kind=kind, alpha=alpha, confidence=confidence,
        event=event, notes=tuple(notes))
