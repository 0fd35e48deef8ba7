"""The hypothesis-test assistant: the right test for the data, and why.

:func:`compare` looks at the data (what kind of values, how many groups, paired or not,
normal or not, equal variances or not), picks the test an experienced analyst would pick,
runs it with pingouin, adds the post-hoc tests when there are more than two groups, and
reports the test, the reasons for choosing it, an effect size with its interval, and one
plain-language sentence. The decision table (DMAIC Analyze; Minitab's Assistant follows
the same logic):

==============  ========  ======  ===================================  ======================
values          groups    paired  test                                 effect size
==============  ========  ======  ===================================  ======================
0/1, boolean    2         no      two-proportion z (Fisher if small)   risk difference
0/1, boolean    2         yes     McNemar (exact binomial)             paired risk difference
categories      any       no      chi-square of independence           Cramer's V
numbers         2         no      Welch t / Mann-Whitney               Hedges' g / rank-biserial
numbers         2         yes     paired t / Wilcoxon signed-rank      Hedges' g / rank-biserial
numbers         3+        no      ANOVA / Welch ANOVA / Kruskal-Wallis eta-squared
numbers         3+        yes     repeated-measures ANOVA / Friedman   partial eta-sq. / W
==============  ========  ======  ===================================  ======================

Numbers (continuous values and counts) take the parametric test when every group (the
differences, when paired) passes Shapiro-Wilk at ``alpha`` (D'Agostino-Pearson above 5000
values, where Shapiro-Wilk's p-value is not reliable); three or more groups then take the
classic ANOVA when Levene's test (median-centred, Brown-Forsythe 1974) finds no difference
in variances, Welch's ANOVA otherwise. Two independent groups always take Welch's t when
normal: it loses almost nothing when the variances are equal (Delacre et al. 2017).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats

from sixsigma._frames import as_table, show
from sixsigma._result import html_table, jsonable
from sixsigma.errors import InsufficientDataError, MissingValueError, ParameterError
from sixsigma._stats import wilson as wilson_interval
from sixsigma._stats.proportions import MIN_EXPECTED, fisher_two_sided
from sixsigma.rootcause.evidence import evidence_record

if TYPE_CHECKING:
    from types import ModuleType


def _pg() -> ModuleType:
    """Return pingouin, imported on first use (it loads matplotlib; sixsigma must not)."""
    import importlib

    return importlib.import_module("pingouin")

__all__ = ["Comparison", "compare", "cramers_v_interval", "eta_squared_interval",
           "newcombe_interval"]

FloatArray = NDArray[np.float64]


# ---------------------------------------------------------------------------------------
# effect-size intervals


def newcombe_interval(x1: float, n1: float, x2: float, n2: float,
                      confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval of p1 - p2 (Newcombe 1998, method 10).

    Examples
    --------
    >>> low, high = newcombe_interval(56, 70, 48, 80)   # Newcombe (1998), Table II, (a)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
    """
    l1, u1 = (float(v) for v in wilson_interval(x1, n1, confidence))
    l2, u2 = (float(v) for v in wilson_interval(x2, n2, confidence))
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    return (d - float(np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
            d + float(np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)))


def _invert(cdf: Any, observed: float, target: float) -> float:
    """Smallest noncentrality lam >= 0 with cdf(observed, lam) <= target (cdf falls in lam)."""
    if cdf(observed, 0.0) <= target:
        return 0.0
    hi = max(10.0, 2.0 * observed)
    while cdf(observed, hi) > target:
        hi *= 2.0
    return float(optimize.brentq(lambda lam: cdf(observed, lam) - target, 0.0, hi,
                                 xtol=1e-10))


def eta_squared_interval(f: float, df1: float, df2: float,
                         confidence: float = 0.95) -> tuple[float, float]:
    """Interval of eta-squared by inverting the noncentral F (Steiger 2004).

    The noncentrality bounds lam are converted with eta^2 = lam / (lam + N),
    N = df1 + df2 + 1 (one-way design).

    Examples
    --------
    >>> low, high = eta_squared_interval(5.0, 2, 27)
    >>> 0 < low < 0.27 < high < 1
    True
    """
    a = (1 - confidence) / 2
    n = df1 + df2 + 1

    def cdf(x: float, lam: float) -> float:
        return float(stats.f.cdf(x, df1, df2) if lam == 0 else stats.ncf.cdf(x, df1, df2, lam))

    lo = _invert(cdf, f, 1 - a)
    hi = _invert(cdf, f, a)
    return lo / (lo + n), hi / (hi + n)


def cramers_v_interval(chi2: float, df: float, n: float, k: float,
                       confidence: float = 0.95) -> tuple[float, float]:
    """Interval of Cramer's V by inverting the noncentral chi-square (Smithson 2003).

    V = sqrt(lam / (n (k - 1))), k = min(rows, columns), clipped to 1.
    """
    a = (1 - confidence) / 2

    def cdf(x: float, lam: float) -> float:
        return float(stats.chi2.cdf(x, df) if lam == 0 else stats.ncx2.cdf(x, df, lam))

    lo = _invert(cdf, chi2, 1 - a)
    hi = _invert(cdf, chi2, a)
    return (min(1.0, float(np.sqrt(lo / (n * (k - 1))))),
            min(1.0, float(np.sqrt(hi / (n * (k - 1))))))


def _rank_biserial_interval(r: float, se: float, confidence: float) -> tuple[float, float]:
    z = stats.norm.isf((1 - confidence) / 2)
    r = float(np.clip(r, -0.9999999, 0.9999999))
    return float(np.tanh(np.arctanh(r) - z * se)), float(np.tanh(np.arctanh(r) + z * se))


# ---------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    test : str
        The test run (``"welch_t"``, ``"mann_whitney"``, ``"paired_t"``, ``"wilcoxon"``,
        ``"anova"``, ``"welch_anova"``, ``"kruskal"``, ``"rm_anova"``, ``"friedman"``,
        ``"two_proportion_z"``, ``"fisher_exact"``, ``"mcnemar"``, ``"chi_square"``).
    why : tuple of str
        The reasons, in the order the decisions were taken.
    statistic, df, p_value : float
        The test's statistic, degrees of freedom (NaN when none) and p-value.
    effect_name : str
        ``"hedges_g"``, ``"rank_biserial"``, ``"eta_squared"``, ``"epsilon_squared"``,
        ``"partial_eta_squared"``, ``"kendall_w"``, ``"risk_difference"``, ``"cramers_v"``.
    effect, effect_low, effect_high : float
        The effect size and its interval (NaN bounds where no interval is defined).
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
    """

    test: str
    why: tuple[str, ...]
    statistic: float
    df: float
    p_value: float
    effect_name: str
    effect: float
    effect_low: float
    effect_high: float
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
    notes: tuple[str, ...] = ()
    kind: str = field(default="compare")

    def to_frame(self) -> pd.DataFrame:
        """One row: the test, statistic, p-value and effect size."""
        return pd.DataFrame([{
            "test": self.test, "statistic": self.statistic, "df": self.df,
            "p_value": self.p_value, "effect_name": self.effect_name, "effect": self.effect,
            "effect_low": self.effect_low, "effect_high": self.effect_high,
            "significant": self.p_value <= self.alpha, "why": "; ".join(self.why),
        }])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (NaN as None)."""
        return {
            "kind": self.kind, "test": self.test, "why": list(self.why),
            "statistic": jsonable(self.statistic), "df": jsonable(self.df),
            "p_value": jsonable(self.p_value), "effect_name": self.effect_name,
            "effect": jsonable(self.effect), "effect_low": jsonable(self.effect_low),
            "effect_high": jsonable(self.effect_high), "sentence": self.sentence,
            "value": self.value, "group": self.group, "paired": self.paired,
            "data_kind": self.data_kind, "alpha": self.alpha, "confidence": self.confidence,
            "notes": list(self.notes),
            "groups": jsonable(self.groups.to_dict(orient="records")),
            "checks": jsonable(self.checks.to_dict(orient="records")),
            "posthoc": None if self.posthoc is None else jsonable(
                self.posthoc.to_dict(orient="records")),
        }

    def summary(self) -> str:
        """A short text summary."""
        lines = [f"{self.test}: {self.sentence}"]
        lines += [f"  why: {w}" for w in self.why]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(self.to_frame(), caption=self.sentence)

    def __repr__(self) -> str:
        return f"<Comparison {self.test}: p = {self.p_value:.3g}>"

    def to_evidence(self) -> dict[str, Any]:
        """An evidence record (see :mod:`sixsigma.rootcause.evidence`)."""
        figures = {"test": self.test, "statistic": self.statistic, "df": self.df,
                   "p_value": self.p_value, "effect_name": self.effect_name,
                   "effect": self.effect, "effect_low": self.effect_low,
                   "effect_high": self.effect_high,
                   "groups": jsonable(self.groups.to_dict(orient="records"))}
        parameters = {"value": self.value, "group": self.group, "paired": self.paired,
                      "alpha": self.alpha, "confidence": self.confidence,
                      "why": list(self.why)}
        return evidence_record(self.kind, self.sentence, self.groups, figures, parameters)


# ---------------------------------------------------------------------------------------
# helpers


def _kind(values: pd.Series) -> str:
    if values.dtype == bool:
        return "proportion"
    if not pd.api.types.is_numeric_dtype(values):
        return "categorical"
    arr = values.to_numpy(dtype=np.float64)
    uniq = np.unique(arr)
    if np.isin(uniq, (0.0, 1.0)).all():
        return "proportion"
    if (arr >= 0).all() and (np.mod(arr, 1) == 0).all():
        return "count"
    return "continuous"


def _normal(x: FloatArray, alpha: float) -> tuple[bool, float, float, str]:
    """Normality check of one sample: (passed, statistic, p, method)."""
    pg = _pg()
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


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _z_crit(confidence: float) -> float:
    return float(stats.norm.isf((1 - confidence) / 2))


# ---------------------------------------------------------------------------------------
# compare


def compare(
    data: Any,
    value: str,
    group: str,
    paired: bool = False,
    *,
    subject: str | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> Comparison:
    """Choose and run the hypothesis test that fits the data, with effect size and post-hoc.

    Parameters
    ----------
    data : dataframe
        Long format: one row per observation. Any frame narwhals reads (collected to
        pandas: the assistant is meant for samples, not for millions of rows).
    value : str
        The outcome: numbers (continuous values or counts), 0/1 or boolean (a proportion),
        or text categories.
    group : str
        The column whose values define the groups compared.
    paired : bool
        The same subjects are measured in every group.
    subject : str, optional
        With ``paired``: the column identifying the subject. Without it, observations are
        paired in their order of appearance within each group.
    alpha : float
        Level of the assumption checks and of the sentence's "significant".
    confidence : float
        Level of the effect-size interval.

    Returns
    -------
    Comparison

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        Fewer than two groups, or a group with fewer than three values (numbers).
    sixsigma.errors.MissingValueError
        A missing value or group.

    Notes
    -----
    Effect sizes and their intervals: Hedges' g with the Hedges-Olkin (1985) interval
    (pingouin.compute_esci); rank-biserial correlation with a Fisher-z interval and the
    standard errors of the R package effectsize, sqrt((n1 + n2 + 1)/(3 n1 n2)) for two
    samples and sqrt(n(n+1)(2n+1)/6)/(n(n+1)/2) for matched pairs; eta-squared
    (SS_between/SS_total) with Steiger's (2004) noncentral-F interval; for Kruskal-Wallis,
    epsilon-squared of the ranks H/(n-1) (Kelley 1935; Tomczak & Tomczak 2014) with the
    noncentral-F interval of the one-way ANOVA on ranks; Cramer's V with the
    noncentral chi-square interval (Smithson 2003); risk difference with Newcombe's (1998)
    hybrid score interval. Post-hoc tests: Tukey HSD after ANOVA, Games-Howell after
    Welch's ANOVA, pairwise Mann-Whitney with Holm's correction after Kruskal-Wallis,
    pairwise two-proportion z with Holm's correction after a chi-square test.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"site": ["A"] * 40 + ["B"] * 40,
    ...                    "seconds": np.r_[rng.normal(60, 8, 40), rng.normal(70, 8, 40)]})
    >>> res = ss.rootcause.compare(df, "seconds", "site")
    >>> res.test, res.effect_name
    ('welch_t', 'hedges_g')
    """
    caller = "compare"
    if not 0 < alpha < 1:
        raise ParameterError(f"{caller}: alpha must be in (0, 1); got {alpha!r}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"{caller}: confidence must be in (0, 1); got {confidence!r}.")
    table = as_table(data, caller=caller)
    cols = [value, group] + ([subject] if subject is not None else [])
    table.require(*cols)
    frame = table.eager(*cols).to_pandas().reset_index(drop=True)
    for name in cols:
        miss = frame[name].isna().to_numpy()
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            raise MissingValueError(f"{caller}: column {name!r} has a missing value at row "
                                    f"{i}; drop those rows first.")
    levels = list(pd.unique(frame[group]))
    try:
        levels = sorted(levels)
    except TypeError:
        pass
    if len(levels) < 2:
        raise InsufficientDataError(
            f"{caller}: column {group!r} has {len(levels)} group "
            f"({', '.join(show(v) for v in levels)}); a comparison needs at least two.")
    kind = _kind(frame[value])
    if kind in ("proportion", "categorical"):
        if paired:
            return _paired_proportions(frame, value, group, subject, levels, kind, alpha,
                                       confidence)
        return _proportions(frame, value, group, levels, kind, alpha, confidence)
    x = frame[value].to_numpy(dtype=np.float64)
    g = frame[group].to_numpy()
    samples = [x[g == lv] for lv in levels]
    small = [lv for lv, s in zip(levels, samples, strict=True) if s.size < 3]
    if small:
        raise InsufficientDataError(
            f"{caller}: group {show(small[0])} of column {group!r} has fewer than 3 values; "
            "each group needs at least 3 to check normality.")
    if paired:
        return _paired_numbers(frame, value, group, subject, levels, kind, alpha, confidence)
    return _numbers(frame, value, group, levels, samples, kind, alpha, confidence)


def _numbers(frame: pd.DataFrame, value: str, group: str, levels: list[Any],
             samples: list[FloatArray], kind: str, alpha: float,
             confidence: float) -> Comparison:
    pg = _pg()
    why = [f"{value!r} holds {'counts' if kind == 'count' else 'continuous values'}; "
           f"{len(levels)} independent groups"]
    checks = []
    normal_all = True
    for lv, s in zip(levels, samples, strict=True):
        ok, w, p, method = _normal(s, alpha)
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
                           float(res["p_val"].iloc[0]) if "p_val" in res else
                           float(res["p-val"].iloc[0]))
            g = float(pg.compute_effsize(x, y, eftype="hedges"))
            lo, hi = (float(v) for v in pg.compute_esci(g, x.size, y.size, eftype="cohen",
                                                        confidence=confidence,
                                                        decimals=12))
            test, ename = "welch_t", "hedges_g"
            what = f"mean {levels[0]} {x.mean():.4g} vs {levels[1]} {y.mean():.4g}"
        else:
            why.append("two groups, not normal: Mann-Whitney U test")
            res = pg.mwu(x, y)
            stat, df = float(res["U_val"].iloc[0] if "U_val" in res else
                             res["U-val"].iloc[0]), float("nan")
            p = float(res["p_val"].iloc[0] if "p_val" in res else res["p-val"].iloc[0])
            r = float(res["RBC"].iloc[0])
            se = float(np.sqrt((x.size + y.size + 1) / (3 * x.size * y.size)))
            lo, hi = _rank_biserial_interval(r, se, confidence)
            g = r
            test, ename = "mann_whitney", "rank_biserial"
            what = f"median {levels[0]} {np.median(x):.4g} vs {levels[1]} {np.median(y):.4g}"
    else:
        n_tot = sum(s.size for s in samples)
        grand = np.concatenate(samples).mean()
        ssb = sum(s.size * (s.mean() - grand) ** 2 for s in samples)
        sst = float(((np.concatenate(samples) - grand) ** 2).sum())
        k = len(samples)
        if normal_all:
            if equal_var:
                why.append("normal groups with equal variances: one-way ANOVA, Tukey HSD")
                res = pg.anova(frame, dv=value, between=group, detailed=True)
                stat = float(res["F"].iloc[0])
                df = float(res["DF"].iloc[0])
                p = float(res["p_unc"].iloc[0] if "p_unc" in res else res["p-unc"].iloc[0])
                posthoc = pg.pairwise_tukey(frame, dv=value, between=group)
                test = "anova"
            else:
                why.append("normal groups, unequal variances (Levene): Welch's ANOVA, "
                           "Games-Howell")
                res = pg.welch_anova(frame, dv=value, between=group)
                stat = float(res["F"].iloc[0])
                df = float(res["ddof1"].iloc[0])
                p = float(res["p_unc"].iloc[0] if "p_unc" in res else res["p-unc"].iloc[0])
                posthoc = pg.pairwise_gameshowell(frame, dv=value, between=group)
                test = "welch_anova"
            g = float(ssb / sst) if sst > 0 else 0.0
            f_classic = (ssb / (k - 1)) / ((sst - ssb) / (n_tot - k)) if sst > ssb else np.inf
            lo, hi = eta_squared_interval(float(f_classic), k - 1, n_tot - k, confidence)
            ename = "eta_squared"
        else:
            why.append("groups not normal: Kruskal-Wallis H test, pairwise Mann-Whitney "
                       "with Holm's correction")
            res = pg.kruskal(frame, dv=value, between=group)
            stat = float(res["H"].iloc[0])
            df = float(res["ddof1"].iloc[0])
            p = float(res["p_unc"].iloc[0] if "p_unc" in res else res["p-unc"].iloc[0])
            posthoc = pg.pairwise_tests(frame, dv=value, between=group, parametric=False,
                                        padjust="holm")
            g = stat / (n_tot - 1)
            ranks = stats.rankdata(np.concatenate(samples))
            sizes = np.cumsum([0] + [s.size for s in samples])
            rgrand = ranks.mean()
            rssb = sum((sizes[i + 1] - sizes[i]) * (ranks[sizes[i]:sizes[i + 1]].mean()
                                                    - rgrand) ** 2 for i in range(k))
            rsst = float(((ranks - rgrand) ** 2).sum())
            f_rank = (rssb / (k - 1)) / ((rsst - rssb) / (n_tot - k)) if rsst > rssb else 1e9
            lo, hi = eta_squared_interval(float(f_rank), k - 1, n_tot - k, confidence)
            test, ename = "kruskal", "epsilon_squared"
        what = ", ".join(f"{lv} {s.mean() if normal_all else np.median(s):.4g}"
                         for lv, s in zip(levels, samples, strict=True))
        what = ("means " if normal_all else "medians ") + what
    sentence = _sentence(value, group, test, stat, p, ename, g, lo, hi, alpha, confidence,
                         what)
    return Comparison(
        test=test, why=tuple(why), statistic=stat, df=df, p_value=p, effect_name=ename,
        effect=float(g), effect_low=lo, effect_high=hi, sentence=sentence, groups=groups,
        checks=pd.DataFrame(checks), posthoc=posthoc, value=value, group=group, paired=False,
        data_kind=kind, alpha=alpha, confidence=confidence)


def _pairs(frame: pd.DataFrame, value: str, group: str, subject: str | None,
           levels: list[Any]) -> tuple[pd.DataFrame, list[str]]:
    """Wide table: one row per subject, one column per group."""
    notes: list[str] = []
    if subject is None:
        sizes = frame.groupby(group, sort=False).size()
        if sizes.nunique() != 1:
            raise InsufficientDataError(
                f"compare: paired=True without subject= pairs rows by order within each "
                f"group, but the groups of {group!r} have different sizes "
                f"({', '.join(f'{k}: {v}' for k, v in sizes.items())}); pass subject=.")
        frame = frame.assign(__subject=frame.groupby(group, sort=False).cumcount())
        subject = "__subject"
    wide = frame.pivot_table(index=subject, columns=group, values=value, aggfunc="first",
                             observed=True)
    wide = wide[levels]
    complete = wide.dropna()
    if len(complete) < len(wide):
        notes.append(f"{len(wide) - len(complete)} subject(s) without a value in every group "
                     "were left out")
    return complete, notes


def _paired_numbers(frame: pd.DataFrame, value: str, group: str, subject: str | None,
                    levels: list[Any], kind: str, alpha: float,
                    confidence: float) -> Comparison:
    pg = _pg()
    wide, notes = _pairs(frame, value, group, subject, levels)
    n = len(wide)
    if n < 3:
        raise InsufficientDataError(f"compare: only {n} complete pairs; at least 3 needed.")
    why = [f"{value!r} holds {'counts' if kind == 'count' else 'continuous values'}; "
           f"{len(levels)} paired groups ({n} subjects)"]
    checks = []
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": [n] * len(levels),
                           "mean": wide.mean().to_numpy(), "sd": wide.std(ddof=1).to_numpy(),
                           "median": wide.median().to_numpy()})
    posthoc = None
    if len(levels) == 2:
        x = wide[levels[0]].to_numpy(dtype=np.float64)
        y = wide[levels[1]].to_numpy(dtype=np.float64)
        ok, w, p_n, method = _normal(x - y, alpha)
        checks.append({"check": f"normality of differences ({method})", "group": "all",
                       "statistic": w, "p_value": p_n, "passed": ok})
        if ok:
            why.append("the paired differences pass the normality check: paired t test")
            res = pg.ttest(x, y, paired=True)
            stat, df = float(res["T"].iloc[0]), float(res["dof"].iloc[0])
            p = float(res["p_val"].iloc[0] if "p_val" in res else res["p-val"].iloc[0])
            g = float(pg.compute_effsize(x, y, paired=True, eftype="hedges"))
            lo, hi = (float(v) for v in pg.compute_esci(g, n, n, paired=True, eftype="cohen",
                                                        confidence=confidence, decimals=12))
            test, ename = "paired_t", "hedges_g"
        else:
            why.append("the paired differences are not normal: Wilcoxon signed-rank test")
            res = pg.wilcoxon(x, y)
            stat = float(res["W_val"].iloc[0] if "W_val" in res else res["W-val"].iloc[0])
            df = float("nan")
            p = float(res["p_val"].iloc[0] if "p_val" in res else res["p-val"].iloc[0])
            g = float(res["RBC"].iloc[0])
            se = float(np.sqrt(n * (n + 1) * (2 * n + 1) / 6) / (n * (n + 1) / 2))
            lo, hi = _rank_biserial_interval(g, se, confidence)
            test, ename = "wilcoxon", "rank_biserial"
        what = f"mean difference {float((x - y).mean()):.4g}"
    else:
        sid = "__subject_id"
        long = wide.rename_axis(sid).reset_index().melt(id_vars=[sid], var_name="__g",
                                                        value_name="__v")
        normal_all = True
        for lv in levels:
            ok, w, p_n, method = _normal(wide[lv].to_numpy(dtype=np.float64), alpha)
            checks.append({"check": f"normality ({method})", "group": str(lv),
                           "statistic": w, "p_value": p_n, "passed": ok})
            normal_all &= ok
        if normal_all:
            why.append("every condition passes the normality check: repeated-measures ANOVA")
            res = pg.rm_anova(long, dv="__v", within="__g", subject=sid, detailed=True)
            stat, df = float(res["F"].iloc[0]), float(res["DF"].iloc[0])
            p = float(res["p_unc"].iloc[0] if "p_unc" in res else res["p-unc"].iloc[0])
            ss_eff = float(res["SS"].iloc[0])
            ss_err = float(res["SS"].iloc[1])
            g = ss_eff / (ss_eff + ss_err)
            lo, hi = float("nan"), float("nan")
            test, ename = "rm_anova", "partial_eta_squared"
        else:
            why.append("a condition fails the normality check: Friedman test")
            res = pg.friedman(long, dv="__v", within="__g", subject=sid)
            stat, df = float(res["Q"].iloc[0]), float(res["ddof1"].iloc[0])
            p = float(res["p_unc"].iloc[0] if "p_unc" in res else res["p-unc"].iloc[0])
            g = float(res["W"].iloc[0])
            lo, hi = float("nan"), float("nan")
            test, ename = "friedman", "kendall_w"
        notes.append("no interval is computed for this effect size")
        what = "means " + ", ".join(f"{lv} {wide[lv].mean():.4g}" for lv in levels)
    sentence = _sentence(value, group, test, stat, p, ename, g, lo, hi, alpha, confidence,
                         what)
    return Comparison(
        test=test, why=tuple(why), statistic=stat, df=df, p_value=p, effect_name=ename,
        effect=float(g), effect_low=lo, effect_high=hi, sentence=sentence, groups=groups,
        checks=pd.DataFrame(checks, columns=["check", "group", "statistic", "p_value",
                                             "passed"]),
        posthoc=posthoc, value=value, group=group, paired=True, data_kind=kind, alpha=alpha,
        confidence=confidence, notes=tuple(notes))


def _as01(values: pd.Series) -> FloatArray:
    return np.asarray(values.astype(np.float64).to_numpy(), dtype=np.float64)


def _proportions(frame: pd.DataFrame, value: str, group: str, levels: list[Any], kind: str,
                 alpha: float, confidence: float) -> Comparison:
    pg = _pg()
    checks: list[dict[str, Any]] = []
    posthoc = None
    notes: list[str] = []
    if kind == "proportion":
        y = _as01(frame[value])
        gcol = frame[group].to_numpy()
        n = np.array([(gcol == lv).sum() for lv in levels], dtype=np.float64)
        x = np.array([y[gcol == lv].sum() for lv in levels], dtype=np.float64)
        groups = pd.DataFrame({"group": [str(v) for v in levels], "n": n, "defects": x,
                               "rate": x / n})
        why = [f"{value!r} is 0/1 (a proportion); {len(levels)} independent groups"]
    else:
        why = [f"{value!r} holds categories; {len(levels)} independent groups"]
        groups = (frame.groupby(group, sort=True)[value].agg(["size", "nunique"])
                  .reset_index().rename(columns={group: "group", "size": "n",
                                                 "nunique": "categories"}))
        groups["group"] = groups["group"].astype(str)
    if kind == "proportion" and len(levels) == 2:
        tot = x.sum() / n.sum()
        expected = np.minimum.reduce([n * tot, n * (1 - tot)]).min()
        checks.append({"check": "smallest expected cell (Cochran: >= 5)", "group": "all",
                       "statistic": float(expected), "p_value": float("nan"),
                       "passed": bool(expected >= MIN_EXPECTED)})
        r = x / n
        diff = float(r[0] - r[1])
        lo, hi = newcombe_interval(x[0], n[0], x[1], n[1], confidence)
        if expected >= MIN_EXPECTED:
            why.append("two groups, every expected cell >= 5: two-proportion z test (pooled)")
            se = np.sqrt(tot * (1 - tot) * (1 / n[0] + 1 / n[1]))
            stat = float(diff / se) if se > 0 else 0.0
            p = float(2 * stats.norm.sf(abs(stat)))
            test = "two_proportion_z"
        else:
            why.append("two groups, an expected cell < 5 (Cochran): Fisher's exact test")
            p = float(fisher_two_sided(np.array([x[0]]), np.array([n[0]]),
                                       np.array([x.sum()]), np.array([n.sum()]))[0])
            stat = float("nan")
            test = "fisher_exact"
        sentence = _sentence(value, group, test, stat, p, "risk_difference", diff, lo, hi,
                             alpha, confidence,
                             f"rate {levels[0]} {r[0]:.2%} vs {levels[1]} {r[1]:.2%}")
        return Comparison(
            test=test, why=tuple(why), statistic=stat, df=float("nan"), p_value=p,
            effect_name="risk_difference", effect=diff, effect_low=lo, effect_high=hi,
            sentence=sentence, groups=groups, checks=pd.DataFrame(checks), posthoc=None,
            value=value, group=group, paired=False, data_kind=kind, alpha=alpha,
            confidence=confidence)
    with warnings.catch_warnings():
        # pingouin warns about low counts; the Cochran check below reports it on the result
        warnings.simplefilter("ignore", UserWarning)
        res_expected, _, res_stats = pg.chi2_independence(frame, x=group, y=value,
                                                          correction=False)
    row = res_stats[res_stats["test"] == "pearson"].iloc[0]
    stat, df, p = float(row["chi2"]), float(row["dof"]), float(row["pval"])
    small = float((res_expected.to_numpy() < MIN_EXPECTED).mean())
    checks.append({"check": "share of expected cells < 5 (Cochran: <= 20 %)", "group": "all",
                   "statistic": small, "p_value": float("nan"), "passed": small <= 0.2})
    if small > 0.2:
        notes.append(f"{small:.0%} of the expected cells are below 5: the chi-square "
                     "approximation is doubtful (Cochran 1954); merge sparse categories")
    why.append("more than two groups or categories: chi-square test of independence")
    n_tot = float(len(frame))
    k = float(min(res_expected.shape))
    v = float(np.sqrt(stat / (n_tot * (k - 1)))) if k > 1 else 0.0
    lo, hi = cramers_v_interval(stat, df, n_tot, k, confidence)
    if kind == "proportion":
        why.append("post-hoc: pairwise two-proportion z tests with Holm's correction")
        rows = []
        for i in range(len(levels)):
            for j in range(i + 1, len(levels)):
                pool = (x[i] + x[j]) / (n[i] + n[j])
                se = np.sqrt(pool * (1 - pool) * (1 / n[i] + 1 / n[j]))
                zz = float((x[i] / n[i] - x[j] / n[j]) / se) if se > 0 else 0.0
                rows.append({"A": str(levels[i]), "B": str(levels[j]),
                             "diff": float(x[i] / n[i] - x[j] / n[j]), "z": zz,
                             "p_unc": float(2 * stats.norm.sf(abs(zz)))})
        posthoc = pd.DataFrame(rows)
        posthoc["p_holm"] = pg.multicomp(posthoc["p_unc"].to_numpy(), method="holm")[1]
    what = ("rates " + ", ".join(f"{g} {float(r):.2%}" for g, r in
                                 zip(groups["group"], groups["rate"], strict=True))
            if kind == "proportion" else f"{len(levels)} groups")
    sentence = _sentence(value, group, "chi_square", stat, p, "cramers_v", v, lo, hi, alpha,
                         confidence, what)
    return Comparison(
        test="chi_square", why=tuple(why), statistic=stat, df=df, p_value=p,
        effect_name="cramers_v", effect=v, effect_low=lo, effect_high=hi, sentence=sentence,
        groups=groups, checks=pd.DataFrame(checks), posthoc=posthoc, value=value,
        group=group, paired=False, data_kind=kind, alpha=alpha, confidence=confidence,
        notes=tuple(notes))


def _paired_proportions(frame: pd.DataFrame, value: str, group: str, subject: str | None,
                        levels: list[Any], kind: str, alpha: float,
                        confidence: float) -> Comparison:
    if kind != "proportion" or len(levels) != 2:
        raise ParameterError(
            "compare: paired comparisons of categories are supported for a 0/1 outcome in "
            f"two groups (McNemar); {value!r} by {group!r} has {len(levels)} groups of "
            f"{kind} values.")
    wide, notes = _pairs(frame, value, group, subject, levels)
    a = wide[levels[0]].astype(np.float64).to_numpy()
    b = wide[levels[1]].astype(np.float64).to_numpy()
    n = float(a.size)
    n10 = float(((a == 1) & (b == 0)).sum())
    n01 = float(((a == 0) & (b == 1)).sum())
    why = [f"{value!r} is 0/1 (a proportion); 2 paired groups ({int(n)} subjects)",
           "paired proportions: McNemar's test (exact binomial on the discordant pairs)"]
    disc = n10 + n01
    p = float(stats.binomtest(int(n10), int(disc), 0.5).pvalue) if disc > 0 else 1.0
    diff = (n10 - n01) / n
    se = float(np.sqrt(max(disc - (n10 - n01) ** 2 / n, 0.0)) / n)
    zc = _z_crit(confidence)
    lo, hi = diff - zc * se, diff + zc * se
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": [n, n],
                           "defects": [a.sum(), b.sum()], "rate": [a.mean(), b.mean()]})
    notes.append("interval: Wald interval of a paired difference of proportions (Agresti "
                 "2013, §11.1)")
    sentence = _sentence(value, group, "mcnemar", disc, p, "risk_difference", diff, lo, hi,
                         alpha, confidence,
                         f"rate {levels[0]} {a.mean():.2%} vs {levels[1]} {b.mean():.2%}")
    return Comparison(
        test="mcnemar", why=tuple(why), statistic=float(n10), df=float("nan"), p_value=p,
        effect_name="risk_difference", effect=float(diff), effect_low=float(lo),
        effect_high=float(hi), sentence=sentence, groups=groups,
        checks=pd.DataFrame(columns=["check", "group", "statistic", "p_value", "passed"]),
        posthoc=None, value=value, group=group, paired=True, data_kind=kind, alpha=alpha,
        confidence=confidence, notes=tuple(notes))


_NAMES = {
    "welch_t": "Welch's t test", "mann_whitney": "Mann-Whitney U test",
    "paired_t": "paired t test", "wilcoxon": "Wilcoxon signed-rank test",
    "anova": "one-way ANOVA", "welch_anova": "Welch's ANOVA", "kruskal": "Kruskal-Wallis test",
    "rm_anova": "repeated-measures ANOVA", "friedman": "Friedman test",
    "two_proportion_z": "two-proportion z test", "fisher_exact": "Fisher's exact test",
    "mcnemar": "McNemar's test", "chi_square": "chi-square test of independence",
}
_EFFECTS = {
    "hedges_g": "Hedges' g", "rank_biserial": "rank-biserial r", "eta_squared": "eta-squared",
    "epsilon_squared": "epsilon-squared", "partial_eta_squared": "partial eta-squared",
    "kendall_w": "Kendall's W", "risk_difference": "risk difference",
    "cramers_v": "Cramer's V",
}


def _sentence(value: str, group: str, test: str, stat: float, p: float, ename: str,
              effect: float, lo: float, hi: float, alpha: float, confidence: float,
              what: str) -> str:
    verdict = "differs significantly" if p <= alpha else "does not differ significantly"
    ci = ("" if not (np.isfinite(lo) and np.isfinite(hi))
          else f" ({confidence:.0%} CI {lo:.3g} to {hi:.3g})")
    return (f"{value} {verdict} between the groups of {group} ({_NAMES[test]}, {_fmt_p(p)}, "
            f"alpha = {alpha:g}); {what}; {_EFFECTS[ename]} = {effect:.3g}{ci}.")
