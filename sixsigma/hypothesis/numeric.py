"""Numeric outcomes (continuous values and counts): t tests, ANOVAs and their rank versions.

Each group (the differences, when paired) is checked with Shapiro-Wilk at ``alpha``
(D'Agostino-Pearson above 5000 values, where Shapiro-Wilk's p-value is not reliable); three
or more independent groups then take the classic ANOVA when Levene's test (median-centred,
Brown-Forsythe 1974) finds no difference in variances, Welch's ANOVA otherwise. Two
independent groups always take Welch's t when normal: it loses almost nothing when the
variances are equal (Delacre et al. 2017).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._stats.effects import (
    epsilon_squared_interval,
    eta_squared,
    eta_squared_interval,
    rank_biserial_interval,
    rank_biserial_se_paired,
    rank_biserial_se_two_sample,
)
from sixsigma.errors import InsufficientDataError
from sixsigma.hypothesis._shared import first, omnibus, pingouin, wide_pairs
from sixsigma.hypothesis.result import Comparison, sentence

__all__ = ["independent_numbers", "normality", "paired_numbers"]

FloatArray = NDArray[np.float64]
_CHECKS = ["check", "group", "statistic", "p_value", "passed"]


def normality(x: FloatArray, alpha: float) -> tuple[bool, float, float, str]:
    """Normality check of one sample: (passed, statistic, p, method)."""
    pg = pingouin()
    if x.size > 5000:
        res = pg.normality(x, method="normaltest", alpha=alpha)
        method = "D'Agostino-Pearson"
    else:
        res = pg.normality(x, method="shapiro", alpha=alpha)
        method = "Shapiro-Wilk"
    w, p = float(res["W"].iloc[0]), float(res["pval"].iloc[0])
    if not np.isfinite(p):  # constant sample: not normal in any useful sense
        return False, w, 0.0, method
    return p > alpha, w, p, method


def _what_values(kind: str) -> str:
    return "counts" if kind == "count" else "continuous values"


def independent_numbers(frame: pd.DataFrame, value: str, group: str, levels: list[Any],
                        samples: list[FloatArray], kind: str, alpha: float,
                        confidence: float) -> Comparison:
    """Independent groups of numbers: Welch t / Mann-Whitney, or an ANOVA / Kruskal-Wallis."""
    pg = pingouin()
    why = [f"{value!r} holds {_what_values(kind)}; {len(levels)} independent groups"]
    checks = []
    normal_all = True
    for lv, s in zip(levels, samples, strict=True):
        ok, w, p, method = normality(s, alpha)
        checks.append({"check": f"normality ({method})", "group": str(lv), "statistic": w,
                       "p_value": p, "passed": ok})
        normal_all &= ok
    lev = pg.homoscedasticity(frame, dv=value, group=group, method="levene", alpha=alpha)
    lev_p = float(lev["pval"].iloc[0])
    lev_stat = float(lev["W"].iloc[0])
    if not np.isfinite(lev_p):
        lev_p, lev_stat = 1.0, 0.0
    equal_var = lev_p > alpha
    checks.append({"check": "equal variances (Levene, median-centred)", "group": "all",
                   "statistic": lev_stat, "p_value": lev_p, "passed": equal_var})
    groups = pd.DataFrame({"group": [str(v) for v in levels],
                           "n": [s.size for s in samples],
                           "mean": [float(s.mean()) for s in samples],
                           "sd": [float(s.std(ddof=1)) for s in samples],
                           "median": [float(np.median(s)) for s in samples]})
    posthoc: pd.DataFrame | None = None
    df: float | None
    if normal_all:
        why.append(f"every group passes the normality check at alpha = {alpha:g}")
    else:
        bad = [str(c["group"]) for c in checks[:-1] if not c["passed"]]
        why.append(f"group(s) {', '.join(bad)} fail the normality check at alpha = "
                   f"{alpha:g}: a rank-based test")
    if len(levels) == 2:
        x, y = samples
        if normal_all:
            why.append("two normal groups: Welch's t test (no equal-variance assumption)")
            res = pg.ttest(x, y, correction=True)
            stat, df, p = (float(res["T"].iloc[0]), float(res["dof"].iloc[0]),
                           first(res, "p_val"))
            g = float(pg.compute_effsize(x, y, eftype="hedges"))
            lo, hi = (float(v) for v in pg.compute_esci(g, x.size, y.size, eftype="cohen",
                                                        confidence=confidence,
                                                        decimals=12))
            test, ename = "welch_t", "hedges_g"
            what = f"mean {levels[0]} {x.mean():.4g} vs {levels[1]} {y.mean():.4g}"
        else:
            why.append("two groups, not normal: Mann-Whitney U test")
            res = pg.mwu(x, y)
            stat, df = first(res, "U_val"), None
            p = first(res, "p_val")
            g = float(res["RBC"].iloc[0])
            se = rank_biserial_se_two_sample(x.size, y.size)
            lo, hi = rank_biserial_interval(g, se, confidence)
            test, ename = "mann_whitney", "rank_biserial"
            what = f"median {levels[0]} {np.median(x):.4g} vs {levels[1]} {np.median(y):.4g}"
    else:
        n_tot = sum(s.size for s in samples)
        k = len(samples)
        if normal_all:
            if equal_var:
                why.append("normal groups with equal variances: one-way ANOVA, Tukey HSD")
                res = pg.anova(frame, dv=value, between=group, detailed=True)
                stat, df, p = omnibus(res, "F", "DF")
                posthoc = pg.pairwise_tukey(frame, dv=value, between=group)
                test = "anova"
            else:
                why.append("normal groups, unequal variances (Levene): Welch's ANOVA, "
                           "Games-Howell")
                res = pg.welch_anova(frame, dv=value, between=group)
                stat, df, p = omnibus(res, "F", "ddof1")
                posthoc = pg.pairwise_gameshowell(frame, dv=value, between=group)
                test = "welch_anova"
            g, f_classic = eta_squared(samples)
            lo, hi = eta_squared_interval(f_classic, k - 1, n_tot - k, confidence)
            ename = "eta_squared"
        else:
            why.append("groups not normal: Kruskal-Wallis H test, pairwise Mann-Whitney "
                       "with Holm's correction")
            res = pg.kruskal(frame, dv=value, between=group)
            stat, df, p = omnibus(res, "H", "ddof1")
            posthoc = pg.pairwise_tests(frame, dv=value, between=group, parametric=False,
                                        padjust="holm")
            g = stat / (n_tot - 1)
            lo, hi = epsilon_squared_interval(samples, confidence)
            test, ename = "kruskal", "epsilon_squared"
        what = ", ".join(f"{lv} {s.mean() if normal_all else np.median(s):.4g}"
                         for lv, s in zip(levels, samples, strict=True))
        what = ("means " if normal_all else "medians ") + what
    ci = (lo, hi)
    return Comparison(
        test=test, why=tuple(why), statistic=stat, df=df, p_value=p, effect_name=ename,
        effect=float(g), ci=ci,
        sentence=sentence(value, group, test, p, ename, g, ci, alpha, confidence, what),
        groups=groups, checks=pd.DataFrame(checks, columns=_CHECKS), posthoc=posthoc,
        value=value, group=group, paired=False, data_kind=kind, alpha=alpha,
        confidence=confidence)


def paired_numbers(frame: pd.DataFrame, value: str, group: str, subject: str | None,
                   levels: list[Any], kind: str, alpha: float,
                   confidence: float) -> Comparison:
    """Paired numbers: paired t / Wilcoxon, or repeated-measures ANOVA / Friedman."""
    pg = pingouin()
    wide, notes = wide_pairs(frame, value, group, subject, levels)
    n = len(wide)
    if n < 3:
        raise InsufficientDataError(f"compare: only {n} complete pairs; at least 3 needed.")
    why = [f"{value!r} holds {_what_values(kind)}; {len(levels)} paired groups ({n} subjects)"]
    checks = []
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": [n] * len(levels),
                           "mean": wide.mean().to_numpy(), "sd": wide.std(ddof=1).to_numpy(),
                           "median": wide.median().to_numpy()})
    ci: tuple[float, float] | None
    if len(levels) == 2:
        x = wide[levels[0]].to_numpy(dtype=np.float64)
        y = wide[levels[1]].to_numpy(dtype=np.float64)
        ok, w, p_n, method = normality(x - y, alpha)
        checks.append({"check": f"normality of differences ({method})", "group": "all",
                       "statistic": w, "p_value": p_n, "passed": ok})
        df: float | None
        if ok:
            why.append("the paired differences pass the normality check: paired t test")
            res = pg.ttest(x, y, paired=True)
            stat, df = float(res["T"].iloc[0]), float(res["dof"].iloc[0])
            p = first(res, "p_val")
            g = float(pg.compute_effsize(x, y, paired=True, eftype="hedges"))
            lo, hi = (float(v) for v in pg.compute_esci(g, n, n, paired=True, eftype="cohen",
                                                        confidence=confidence, decimals=12))
            test, ename = "paired_t", "hedges_g"
        else:
            why.append("the paired differences are not normal: Wilcoxon signed-rank test")
            res = pg.wilcoxon(x, y)
            stat, df = first(res, "W_val"), None
            p = first(res, "p_val")
            g = float(res["RBC"].iloc[0])
            lo, hi = rank_biserial_interval(g, rank_biserial_se_paired(n), confidence)
            test, ename = "wilcoxon", "rank_biserial"
        ci = (lo, hi)
        what = f"mean difference {float((x - y).mean()):.4g}"
    else:
        sid = "__subject_id"
        long = wide.rename_axis(sid).reset_index().melt(id_vars=[sid], var_name="__g",
                                                        value_name="__v")
        normal_all = True
        for lv in levels:
            ok, w, p_n, method = normality(wide[lv].to_numpy(dtype=np.float64), alpha)
            checks.append({"check": f"normality ({method})", "group": str(lv),
                           "statistic": w, "p_value": p_n, "passed": ok})
            normal_all &= ok
        if normal_all:
            why.append("every condition passes the normality check: repeated-measures ANOVA")
            res = pg.rm_anova(long, dv="__v", within="__g", subject=sid, detailed=True)
            stat, df = float(res["F"].iloc[0]), float(res["DF"].iloc[0])
            p = first(res, "p_unc")
            ss_eff = float(res["SS"].iloc[0])
            ss_err = float(res["SS"].iloc[1])
            g = ss_eff / (ss_eff + ss_err)
            test, ename = "rm_anova", "partial_eta_squared"
        else:
            why.append("a condition fails the normality check: Friedman test")
            res = pg.friedman(long, dv="__v", within="__g", subject=sid)
            stat, df = float(res["Q"].iloc[0]), float(res["ddof1"].iloc[0])
            p = first(res, "p_unc")
            g = float(res["W"].iloc[0])
            test, ename = "friedman", "kendall_w"
        ci = None
        notes.append("no interval is computed for this effect size")
        what = "means " + ", ".join(f"{lv} {wide[lv].mean():.4g}" for lv in levels)
    return Comparison(
        test=test, why=tuple(why), statistic=stat, df=df, p_value=p, effect_name=ename,
        effect=float(g), ci=ci,
        sentence=sentence(value, group, test, p, ename, g, ci, alpha, confidence, what),
        groups=groups, checks=pd.DataFrame(checks, columns=_CHECKS), posthoc=None,
        value=value, group=group, paired=True, data_kind=kind, alpha=alpha,
        confidence=confidence, notes=tuple(notes))
