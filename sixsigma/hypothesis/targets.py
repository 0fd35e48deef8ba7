"""One sample against a target, and equivalence of two groups within a margin (TOST).

:func:`one_sample` answers "is accuracy at least 95 %?" (a rate: the exact binomial test,
Clopper-Pearson interval) or "is the mean handle time above 300 s?" (numbers: Student's
one-sample t test). :func:`equivalence` answers "is the new queue no worse and no better
than the old one, within 2 points?": two one-sided tests (Schuirmann 1987) against the
bounds of a stated margin, Welch's t for means, the unpooled z for rates.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sixsigma._aggregate import DEFECTIVES, N, check_group_keys, group_counts
from sixsigma._frames import Table, as_table, show
from sixsigma._params import check_confidence, check_number, choice
from sixsigma.errors import InsufficientDataError, ParameterError, ZeroVarianceError
from sixsigma.hypothesis._shared import check_columns, data_kind, read_values, two_levels
from sixsigma.hypothesis.result import Equivalence, OneSample

__all__ = ["equivalence", "one_sample"]

FloatArray = NDArray[np.float64]

_ALTERNATIVES = ("two-sided", "greater", "less")


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _rate_or_values(table: Table, value: str | None, defectives: str | None,
                    size: str | None, event: Any, caller: str
                    ) -> tuple[str, str, Any, float, float, FloatArray | None, str]:
    """(name, kind, event, n, events, numbers, why) of one sample."""
    if defectives is not None:
        if value is not None:
            raise ParameterError(f"{caller}: pass either value= (one row per observation) "
                                 "or defectives= (counts), not both.")
        if event is not None:
            raise ParameterError(f"{caller}: event= does not apply to counts (defectives= "
                                 "counts the events).")
        tot = group_counts(table, defectives, [], size=size)
        n, x = float(tot[N].iloc[0]), float(tot[DEFECTIVES].iloc[0])
        what = (f"{defectives!r} defectives of {size!r} units" if size is not None
                else f"{defectives!r} is 0/1 (one row per unit)")
        return defectives, "proportion", None, n, x, None, f"counts: {what} (a rate)"
    if size is not None:
        raise ParameterError(f"{caller}: size= goes with defectives= (counts), not value=.")
    name = value if value is not None else table.columns[0]
    if value is None and len(table.columns) != 1:
        raise ParameterError(f"{caller}: the 'value' parameter must name the column tested "
                             f"(the data have {len(table.columns)} columns); got None.")
    table.require(name)
    frame = table.eager(name).to_pandas().reset_index(drop=True)
    values = read_values(frame, name, caller)
    if len(values) == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    two = two_levels(values, event, name, caller)
    if two is not None:
        coded, event, both = two
        if values.dtype == bool or data_kind(values) == "proportion":
            why = f"{name!r} is 0/1 (a rate)"
        else:
            why = (f"{name!r} has two levels ({show(both[0])}, {show(both[1])}): the rate of "
                   f"{show(event)}")
        return name, "proportion", event, float(len(coded)), float(coded.sum()), None, why
    if event is not None:
        raise ParameterError(f"{caller}: the 'event' parameter applies to a two-level "
                             f"outcome; {name!r} has {values.nunique()} distinct values.")
    kind = data_kind(values)
    if kind == "categorical":
        raise ParameterError(
            f"{caller}: {name!r} holds {values.nunique()} text categories; a one-sample test "
            "needs numbers or a two-level outcome (pass the category as a 0/1 column).")
    arr: FloatArray = values.to_numpy(dtype=np.float64)
    what = "counts" if kind == "count" else "continuous values"
    return name, kind, None, float(arr.size), float("nan"), arr, f"{name!r} holds {what}"


def one_sample(
    data: Any,
    value: str | None = None,
    *,
    target: float,
    alternative: str = "two-sided",
    defectives: str | None = None,
    size: str | None = None,
    event: Any = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> OneSample:
    """Test one sample against a target: the exact binomial test (a rate) or the t test.

    Parameters
    ----------
    data : dataframe, dict or 1-D array
        One row per observation (any frame narwhals reads), or counts with
        ``defectives=``; a 1-D array is one column of values.
    value : str, optional
        The column tested: 0/1, booleans or a two-level text outcome (a rate), or numbers.
        Its kind is checked first (NaN, inf, "n/a" refused, as :func:`compare` does).
        Optional when the data have one column.
    target : float
        The rate (strictly between 0 and 1) or the mean tested against.
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis: ``"greater"`` = the rate (mean) is above the target
        (e.g. "accuracy is at least 95 %" is shown by rejecting accuracy <= 95 %).
    defectives, size : str, optional
        Counts instead of rows: the events and the units behind each row (summed).
    event : optional
        For a two-level outcome, the value counted (default 1/True, or the rarer text
        level).
    alpha : float
        Level of the sentence's "significant".
    confidence : float
        Level of the interval (one-sided with a one-sided ``alternative``).

    Returns
    -------
    OneSample

    Notes
    -----
    Exact binomial test (scipy.stats.binomtest; two-sided: the outcomes no more likely than
    the observed one) with the Clopper-Pearson interval; Student's one-sample t test
    (scipy.stats.ttest_1samp) with the t interval of the mean and Cohen's d =
    (mean - target) / sd.

    Examples
    --------
    >>> import pandas as pd
    >>> audits = pd.DataFrame({"correct": [1] * 486 + [0] * 14})
    >>> r = ss.hypothesis.one_sample(audits, "correct", target=0.95, alternative="greater")
    >>> r.test, round(r.estimate, 3), round(r.p_value, 4)
    ('binomial_exact', 0.972, 0.0108)
    """
    caller = "one_sample"
    alpha = check_confidence(alpha, caller=caller, name="alpha")
    confidence = check_confidence(confidence, caller=caller)
    alternative = choice(alternative, "alternative", _ALTERNATIVES, caller=caller)
    target = check_number(target, "target", caller=caller)
    table = as_table(data, caller=caller)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        name, kind, event, n, k, x, why0 = _rate_or_values(table, value, defectives, size,
                                                           event, caller)
        why = [why0]
        side = {"two-sided": "!=", "greater": ">", "less": "<"}[alternative]
        notes: list[str] = []
        if kind == "proportion":
            check_number(target, "target", caller=caller, low=0.0, high=1.0, low_open=True,
                         high_open=True)
            if n <= 0:
                raise InsufficientDataError(f"{caller}: the data have no units.")
            why.append(f"a rate against a target: exact binomial test (H1: rate {side} "
                       f"{target:g})")
            res = stats.binomtest(int(k), int(n), target, alternative=alternative)
            ci_raw = res.proportion_ci(confidence_level=confidence, method="exact")
            estimate = k / n
            ci = (float(ci_raw.low), float(ci_raw.high))
            stat, df, p = k, None, float(res.pvalue)
            test, ename, effect = "binomial_exact", "difference", estimate - target
            shown = f"rate {estimate:.2%} ({int(k)} of {int(n)})"
            tshown = f"{target:.2%}"
            ci_text = f"{ci[0]:.2%} to {ci[1]:.2%}"
            interval = "Clopper-Pearson"
        else:
            assert x is not None
            if x.size < 2:
                raise InsufficientDataError(f"{caller}: column {name!r} has {x.size} value; a "
                                            "t test needs at least 2.")
            sd = float(np.std(x, ddof=1))
            if not sd > 0:
                raise ZeroVarianceError(f"{caller}: column {name!r} shows no variation (every "
                                        f"value is {show(x[0])}); a t test needs some.")
            why.append(f"numbers against a target: one-sample t test (H1: mean {side} "
                       f"{target:g})")
            res_t = stats.ttest_1samp(x, target, alternative=alternative)
            ci_t = res_t.confidence_interval(confidence_level=confidence)
            estimate = float(x.mean())
            lo, hi = _finite_or_none(float(ci_t.low)), _finite_or_none(float(ci_t.high))
            if lo is None or hi is None:
                notes.append("one-sided interval: its other end is unbounded (None)")
            ci = (lo, hi)  # type: ignore[assignment]
            stat, df, p = float(res_t.statistic), float(x.size - 1), float(res_t.pvalue)
            test, ename, effect = "one_sample_t", "cohen_d", (estimate - target) / sd
            shown = f"mean {estimate:.4g} (n = {x.size}, sd {sd:.4g})"
            tshown = f"{target:.4g}"
            ci_text = (f"{'-inf' if lo is None else f'{lo:.4g}'} to "
                       f"{'inf' if hi is None else f'{hi:.4g}'}")
            interval = "t"
    verdict = {"two-sided": "differs significantly from", "greater": "is significantly above",
               "less": "is significantly below"}[alternative]
    if p > alpha:
        verdict = {"two-sided": "does not differ significantly from",
                   "greater": "is not shown to be above",
                   "less": "is not shown to be below"}[alternative]
    sentence = (f"{name}: {shown} {verdict} the target {tshown} ({_fmt_p(p)}, alpha = "
                f"{alpha:g}); {confidence:.0%} {interval} interval {ci_text}.")
    return OneSample(test=test, why=tuple(why), statistic=float(stat), df=df, p_value=p,
                     estimate=float(estimate), target=float(target), alternative=alternative,
                     ci=ci, n=float(n), effect_name=ename, effect=float(effect),
                     sentence=sentence, value=name, data_kind=kind, alpha=alpha,
                     confidence=confidence, event=event, notes=tuple(notes))


def _margin(margin: Any, caller: str) -> tuple[float, float]:
    if isinstance(margin, tuple | list) and len(margin) == 2:
        low = check_number(margin[0], "margin", caller=caller, high=0.0, high_open=True)
        high = check_number(margin[1], "margin", caller=caller, low=0.0, low_open=True)
        return low, high
    m = check_number(margin, "margin", caller=caller, low=0.0, low_open=True)
    return -m, m


def equivalence(
    data: Any,
    value: str | None = None,
    group: str | None = None,
    *,
    margin: float | tuple[float, float],
    order: tuple[Any, Any] | None = None,
    defectives: str | None = None,
    size: str | None = None,
    event: Any = None,
    alpha: float = 0.05,
) -> Equivalence:
    """Equivalence of two groups within a stated margin: two one-sided tests (TOST).

    Parameters
    ----------
    data : dataframe
        One row per observation, or counts with ``defectives=`` (and ``size=``).
    value : str
        The outcome: numbers (difference of means, Welch) or a two-level outcome (difference
        of rates). Checked as :func:`compare` checks it.
    group : str
        The column with exactly two groups.
    margin : float or (float, float)
        The equivalence bounds of the difference: ``m`` means (-m, m); or (low, high) with
        low < 0 < high. For rates, in rate units (0.02 = 2 percentage points).
    order : (first, second), optional
        The difference is first - second (default: the two groups in sorted order).
    defectives, size : str, optional
        Counts instead of rows (events and units per row, summed per group).
    event : optional
        For a two-level outcome, the value counted.
    alpha : float
        Level of each one-sided test; the interval shown is the 1 - 2 alpha interval.

    Returns
    -------
    Equivalence

    Notes
    -----
    Means: t_L = (d - low)/se, t_U = (d - high)/se with se = sqrt(s1^2/n1 + s2^2/n2) and
    Welch-Satterthwaite degrees of freedom; p = max(P(T > t_L), P(T < t_U))
    (statsmodels.stats.weightstats.ttost_ind with usevar="unequal"). Rates: z_L, z_U the
    same with the unpooled se = sqrt(p1(1-p1)/n1 + p2(1-p2)/n2) and the normal
    distribution (statsmodels.stats.proportion.tost_proportions_2indep, method="wald").
    Equivalence at alpha holds exactly when the 1 - 2 alpha interval lies inside the margin
    (Schuirmann 1987).

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> df = pd.DataFrame({"site": ["A"] * 50 + ["B"] * 50,
    ...                    "seconds": np.r_[rng.normal(60, 8, 50), rng.normal(61, 8, 50)]})
    >>> r = ss.hypothesis.equivalence(df, "seconds", "site", margin=5)
    >>> r.test, r.equivalent
    ('tost_welch_t', True)
    """
    caller = "equivalence"
    alpha = check_number(alpha, "alpha", caller=caller, low=0.0, high=0.5, low_open=True,
                         high_open=True)
    low, high = _margin(margin, caller)
    group = check_columns(group, value, defectives, groups="two groups", caller=caller)
    table = as_table(data, caller=caller)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if defectives is not None:
            counts = group_counts(table, defectives, [group], size=size)
            levels = _two(list(counts[group]), order, group, caller)
            counts = counts.set_index(group).reindex(levels)
            n = counts[N].to_numpy(dtype=np.float64)
            x = counts[DEFECTIVES].to_numpy(dtype=np.float64)
            why0 = f"counts: {defectives!r} defectives" + (
                f" of {size!r} units" if size is not None else " (0/1 per row)")
            return _tost_rates(levels, n, x, low, high, alpha, defectives, group, why0, None)
        if value is None:
            raise ParameterError(f"{caller}: the 'value' parameter must name the outcome "
                                 "column (or pass defectives= for counts); got None.")
        table.require(value, group)
        check_group_keys(table, [group])
        frame = table.eager(value, group).to_pandas().reset_index(drop=True)
        values = read_values(frame, value, caller)
        levels = _two(list(pd.unique(frame[group])), order, group, caller)
        g = frame[group].to_numpy()
        two = two_levels(values, event, value, caller)
        if two is not None:
            coded, ev, both = two
            c = coded.to_numpy(dtype=np.float64)
            n = np.array([float((g == lv).sum()) for lv in levels])
            x = np.array([float(c[g == lv].sum()) for lv in levels])
            why0 = (f"{value!r} is 0/1" if data_kind(values) == "proportion" or
                    values.dtype == bool else
                    f"{value!r} has two levels ({show(both[0])}, {show(both[1])}): the rate "
                    f"of {show(ev)}")
            return _tost_rates(levels, n, x, low, high, alpha, value, group, why0, ev)
        if event is not None:
            raise ParameterError(f"{caller}: the 'event' parameter applies to a two-level "
                                 "outcome.")
        if data_kind(values) == "categorical":
            raise ParameterError(f"{caller}: {value!r} holds text categories; equivalence "
                                 "needs numbers or a two-level outcome.")
        v = values.to_numpy(dtype=np.float64)
        samples = [v[g == lv] for lv in levels]
        return _tost_means(levels, samples, low, high, alpha, value, group)


def _two(found: list[Any], order: tuple[Any, Any] | None, group: str,
         caller: str) -> list[Any]:
    levels = list(dict.fromkeys(found))
    if len(levels) != 2:
        raise InsufficientDataError(
            f"{caller}: column {group!r} must have exactly two groups; it has "
            f"{len(levels)} ({', '.join(show(v) for v in levels[:6])}).")
    if order is None:
        try:
            return sorted(levels)
        except TypeError:
            return levels
    if not isinstance(order, tuple | list) or len(order) != 2:
        raise ParameterError(f"{caller}: the 'order' parameter must be (first, second); got "
                             f"{order!r}.")
    out = []
    for want in order:
        match = [lv for lv in levels if lv == want or str(lv) == str(want)]
        if not match:
            raise ParameterError(f"{caller}: the 'order' parameter names {show(want)}, which "
                                 f"is not a group of {group!r}.")
        out.append(match[0])
    if out[0] == out[1]:
        raise ParameterError(f"{caller}: the 'order' parameter names the same group twice.")
    return out


def _verdict(equivalent: bool, d: float, ci: tuple[float, float], low: float, high: float,
             p: float, alpha: float, what: str, rate: bool) -> str:
    def f(v: float) -> str:
        return f"{v:+.2%}" if rate else f"{v:+.4g}"

    core = (f"{what}: difference {f(d)}, {1 - 2 * alpha:.0%} CI {f(ci[0])} to {f(ci[1])}, "
            f"margin {f(low)} to {f(high)}; TOST {_fmt_p(p)}")
    if equivalent:
        return core + f": equivalent within the margin (alpha = {alpha:g})."
    return core + f": equivalence not shown (alpha = {alpha:g})."


def _tost(d: float, se: float, low: float, high: float, alpha: float, dist: Any
          ) -> tuple[float, float, float, float, float, tuple[float, float]]:
    """Two one-sided tests of a difference ``d`` against the margin (low, high).

    ``se`` is its standard error, ``dist`` the reference distribution (frozen scipy).

    Returns the two statistics, their p-values, the TOST p-value (the larger) and the
    1 - 2 alpha interval of the difference.
    """
    s_low, s_high = (d - low) / se, (d - high) / se
    p_low, p_high = float(dist.sf(s_low)), float(dist.cdf(s_high))
    q = float(dist.ppf(1 - alpha))
    return s_low, s_high, p_low, p_high, max(p_low, p_high), (d - q * se, d + q * se)


def _tost_means(levels: list[Any], samples: list[FloatArray], low: float, high: float,
                alpha: float, value: str, group: str) -> Equivalence:
    caller = "equivalence"
    for lv, s in zip(levels, samples, strict=True):
        if s.size < 2:
            raise InsufficientDataError(f"{caller}: group {show(lv)} of {group!r} has "
                                        f"{s.size} value; each group needs at least 2.")
    a, b = samples
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    # an exactly constant group: its variance is 0 (rounding in the mean can leave ~1e-30)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        raise ZeroVarianceError(f"{caller}: column {value!r} shows no variation in either "
                                f"group (every value in {group!r} {show(levels[0])} equals "
                                f"{show(a[0])}, in {show(levels[1])} {show(b[0])}); the "
                                "difference has no standard error.")
    if not se > 0:
        raise ZeroVarianceError(f"{caller}: {value!r} shows no variation in either group; "
                                "the difference has no standard error.")
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    d = float(a.mean() - b.mean())
    t_low, t_high, p_low, p_high, p, ci = _tost(d, se, low, high, alpha, stats.t(df))
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": [a.size, b.size],
                           "mean": [a.mean(), b.mean()],
                           "sd": [a.std(ddof=1), b.std(ddof=1)]}).astype(
                               {"n": np.float64})
    eq = bool(p <= alpha)
    what = f"mean {value} {levels[0]} {a.mean():.4g} vs {levels[1]} {b.mean():.4g}"
    return Equivalence(
        test="tost_welch_t",
        why=(f"{value!r} holds numbers; two independent groups",
             "equivalence of means: two one-sided Welch t tests against the margin"),
        difference=d, first=str(levels[0]), second=str(levels[1]), margin=(low, high),
        ci=ci, statistic_lower=float(t_low), statistic_upper=float(t_high), p_lower=p_low,
        p_upper=p_high, p_value=p, df=float(df), equivalent=eq, groups=groups,
        sentence=_verdict(eq, d, ci, low, high, p, alpha, what, False), value=value,
        group=group, data_kind="continuous", alpha=alpha)


def _tost_rates(levels: list[Any], n: FloatArray, x: FloatArray, low: float, high: float,
                alpha: float, value: str, group: str, why0: str, event: Any) -> Equivalence:
    caller = "equivalence"
    empty = [lv for lv, m in zip(levels, n, strict=True) if m <= 0]
    if empty:
        raise InsufficientDataError(f"{caller}: group {show(empty[0])} of {group!r} has no "
                                    "units (size 0).")
    r = x / n
    se = math.sqrt(float((r * (1 - r) / n).sum()))
    if not se > 0:
        raise ZeroVarianceError(
            f"{caller}: both groups of {group!r} have a rate of 0 or 1 ({r[0]:.0%}, "
            f"{r[1]:.0%}); the unpooled z test has no standard error.")
    d = float(r[0] - r[1])
    z_low, z_high, p_low, p_high, p, ci = _tost(d, se, low, high, alpha, stats.norm())
    groups = pd.DataFrame({"group": [str(v) for v in levels], "n": n, "defects": x,
                           "rate": r})
    eq = bool(p <= alpha)
    what = f"rate {levels[0]} {r[0]:.2%} vs {levels[1]} {r[1]:.2%}"
    notes: tuple[str, ...] = ()
    if (np.minimum(x, n - x) < 5).any():
        notes = ("fewer than 5 events or non-events in a group: the normal approximation "
                 "of the z tests is rough",)
    return Equivalence(
        test="tost_two_proportion_z",
        why=(f"{why0} (a rate); two independent groups",
             "equivalence of rates: two one-sided z tests (unpooled) on the difference"),
        difference=d, first=str(levels[0]), second=str(levels[1]), margin=(low, high),
        ci=ci, statistic_lower=float(z_low), statistic_upper=float(z_high), p_lower=p_low,
        p_upper=p_high, p_value=p, df=None, equivalent=eq, groups=groups,
        sentence=_verdict(eq, d, ci, low, high, p, alpha, what, True), value=value,
        group=group, data_kind="proportion", alpha=alpha, event=event, notes=notes)
