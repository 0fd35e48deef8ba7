"""The dispatcher: look at the data, hand it to the test that fits."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._aggregate import DEFECTIVES, N, check_group_keys, group_counts
from sixsigma._frames import Table, as_table, show
from sixsigma._params import check_confidence
from sixsigma.errors import InsufficientDataError, ParameterError
from sixsigma.hypothesis._shared import check_columns, data_kind, read_values, two_levels
from sixsigma.hypothesis.numeric import independent_numbers, paired_numbers
from sixsigma.hypothesis.proportions import (
    independent_proportions,
    paired_proportions,
    proportions_from_counts,
)
from sixsigma.hypothesis.result import Comparison

__all__ = ["compare"]


def compare(
    data: Any,
    value: str | None = None,
    group: str | None = None,
    *,
    paired: bool = False,
    subject: str | None = None,
    defectives: str | None = None,
    size: str | None = None,
    event: Any = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> Comparison:
    """Choose and run the hypothesis test that fits the data, with effect size and post-hoc.

    Parameters
    ----------
    data : dataframe
        Long format: one row per observation (any frame narwhals reads, collected to
        pandas: the assistant is meant for samples, not for millions of rows); or, with
        ``defectives=``, counts per row (read where the data live, one group-by).
    value : str
        The outcome: numbers (continuous values or counts), 0/1 or boolean (a proportion),
        a two-level text outcome (``"error"``/``"ok"``: a proportion too), or text
        categories. Its kind is checked before a test is chosen: NaN, inf and text meaning
        "no value" (``"n/a"``, ``""``, ``"NaN"``) are refused, a column mixing numbers and
        text is refused, text holding numbers (``"12.5"``) is read as numbers.
    group : str
        The column whose values define the groups compared.
    paired : bool
        The same subjects are measured in every group.
    subject : str, optional
        With ``paired``: the column identifying the subject. Without it, observations are
        paired in their order of appearance within each group.
    defectives : str, optional
        Counts instead of rows: the number of defective units of each row (with ``size``),
        or a 0/1 column (without). Rows of the same group are summed. Not with ``value``.
    size : str, optional
        With ``defectives``: the units behind each row.
    event : optional
        For a two-level outcome, the value counted (default: 1/True for 0/1 and booleans,
        the rarer level for text, ties broken by sorted order). The test and p-value do
        not depend on it; the rates and the sign of the risk difference do.
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
        A missing value or group (NaN, None, ``"n/a"``...), naming the column and row.
    sixsigma.errors.DomainError
        An infinite value.
    sixsigma.errors.NonNumericError
        An outcome column mixing numbers and text.

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
    pairwise two-proportion z with Holm's correction after a chi-square test. The formulas
    live in :mod:`sixsigma._stats.effects`. A two-level outcome takes one path whatever its
    coding (0/1, booleans, two text labels, counts): two-proportion z, or Fisher's exact
    test when an expected cell is below 5.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"site": ["A"] * 40 + ["B"] * 40,
    ...                    "seconds": np.r_[rng.normal(60, 8, 40), rng.normal(70, 8, 40)]})
    >>> res = ss.hypothesis.compare(df, "seconds", "site")
    >>> res.test, res.effect_name
    ('welch_t', 'hedges_g')

    Counts per period (defectives and size per row):

    >>> daily = pd.DataFrame({"period": ["before"] * 3 + ["after"] * 3,
    ...                       "errors": [1, 0, 0, 3, 2, 2], "audited": [10, 10, 10, 9, 8, 8]})
    >>> r = ss.hypothesis.compare(daily, defectives="errors", size="audited", group="period")
    >>> r.test, round(r.p_value, 4)
    ('fisher_exact', 0.0175)
    """
    caller = "compare"
    alpha = check_confidence(alpha, caller=caller, name="alpha")
    confidence = check_confidence(confidence, caller=caller)
    if not isinstance(paired, bool | np.bool_):
        raise ParameterError(f"{caller}: the 'paired' parameter must be True or False; got "
                             f"{show(paired)}.")
    group = check_columns(group, value, defectives, groups="groups", caller=caller)
    table = as_table(data, caller=caller)
    with warnings.catch_warnings():
        # scipy, pandas and pingouin warnings never reach the user: the checks below refuse
        # the data they would warn about, and the result's notes say what matters
        warnings.simplefilter("ignore")
        if defectives is not None:
            if paired:
                raise ParameterError(f"{caller}: paired=True needs one row per subject "
                                     "(value=), not counts.")
            return _compare_counts(table, defectives, size, group, event, alpha, confidence)
        if value is None:
            raise ParameterError(f"{caller}: the 'value' parameter must name the outcome "
                                 "column (or pass defectives= and size= for counts); got None.")
        if size is not None:
            raise ParameterError(f"{caller}: size= goes with defectives= (counts), not with "
                                 "value=.")
        return _compare_rows(table, value, group, paired, subject, event, alpha, confidence)


def _levels(values: pd.Series) -> list[Any]:
    levels = list(pd.unique(values))
    try:
        return sorted(levels)
    except TypeError:
        return levels


def _enough_groups(levels: list[Any], group: str) -> None:
    if len(levels) < 2:
        raise InsufficientDataError(
            f"compare: column {group!r} has {len(levels)} group "
            f"({', '.join(show(v) for v in levels)}); a comparison needs at least two.")


def _compare_counts(table: Table, defectives: str, size: str | None, group: str, event: Any,
                    alpha: float, confidence: float) -> Comparison:
    if event is not None:
        raise ParameterError("compare: event= does not apply to counts (defectives= counts "
                             "the events).")
    counts = group_counts(table, defectives, [group], size=size)
    levels = _levels(counts[group])
    _enough_groups(levels, group)
    counts = counts.set_index(group).reindex(levels)
    n = counts[N].to_numpy(dtype=np.float64)
    x = counts[DEFECTIVES].to_numpy(dtype=np.float64)
    what = (f"{defectives!r} defectives of {size!r} units per row" if size is not None
            else f"{defectives!r} is 0/1 (one row per unit)")
    why = [f"counts: {what} (a proportion); {len(levels)} independent groups"]
    return proportions_from_counts(levels, n, x, defectives, group, alpha, confidence, why)


def _compare_rows(table: Table, value: str, group: str, paired: bool, subject: str | None,
                  event: Any, alpha: float, confidence: float) -> Comparison:
    caller = "compare"
    cols = [value, group] + ([subject] if subject is not None else [])
    table.require(*cols)
    check_group_keys(table, [c for c in cols if c != value])
    frame = table.eager(*cols).to_pandas().reset_index(drop=True)
    values = read_values(frame, value, caller)
    levels = _levels(frame[group])
    _enough_groups(levels, group)
    two = two_levels(values, event, value, caller)
    if two is None and event is not None:
        raise ParameterError(f"{caller}: the 'event' parameter applies to a two-level "
                             f"outcome; {value!r} has {values.nunique()} distinct values.")
    if two is not None:
        coded, event, both = two
        frame = frame.assign(**{value: coded})
        if values.dtype == bool or data_kind(values) == "proportion":
            why0 = f"{value!r} is 0/1 (a proportion)"
        else:
            why0 = (f"{value!r} has two levels ({show(both[0])}, {show(both[1])}): the rate "
                    f"of {show(event)} (a proportion)")
        if paired:
            return paired_proportions(frame, value, group, subject, levels, "proportion",
                                      alpha, confidence, event=event, why0=why0)
        return independent_proportions(
            frame, value, group, levels, "proportion", alpha, confidence, event=event,
            why0=f"{why0}; {len(levels)} independent groups")
    frame = frame.assign(**{value: values})
    kind = data_kind(values)
    if kind == "categorical":
        if paired:
            return paired_proportions(frame, value, group, subject, levels, kind, alpha,
                                      confidence)
        return independent_proportions(frame, value, group, levels, kind, alpha, confidence)
    x = values.to_numpy(dtype=np.float64)
    frame[value] = x
    g = frame[group].to_numpy()
    samples = [x[g == lv] for lv in levels]
    small = [lv for lv, s in zip(levels, samples, strict=True) if s.size < 3]
    if small:
        raise InsufficientDataError(
            f"{caller}: group {show(small[0])} of column {group!r} has fewer than 3 values; "
            "each group needs at least 3 to check normality.")
    if paired:
        return paired_numbers(frame, value, group, subject, levels, kind, alpha, confidence)
    return independent_numbers(frame, value, group, levels, samples, kind, alpha, confidence)
