"""The dispatcher: look at the data, hand it to the test that fits."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sixsigma._frames import as_table, first_row, show
from sixsigma._params import check_confidence
from sixsigma.errors import InsufficientDataError, MissingValueError
from sixsigma.hypothesis._shared import data_kind
from sixsigma.hypothesis.numeric import independent_numbers, paired_numbers
from sixsigma.hypothesis.proportions import independent_proportions, paired_proportions
from sixsigma.hypothesis.result import Comparison

__all__ = ["compare"]


def compare(
    data: Any,
    value: str,
    group: str,
    *,
    paired: bool = False,
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
    pairwise two-proportion z with Holm's correction after a chi-square test. The formulas
    live in :mod:`sixsigma._stats.effects`.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"site": ["A"] * 40 + ["B"] * 40,
    ...                    "seconds": np.r_[rng.normal(60, 8, 40), rng.normal(70, 8, 40)]})
    >>> res = ss.hypothesis.compare(df, "seconds", "site")
    >>> res.test, res.effect_name
    ('welch_t', 'hedges_g')
    """
    caller = "compare"
    alpha = check_confidence(alpha, caller=caller, name="alpha")
    confidence = check_confidence(confidence, caller=caller)
    table = as_table(data, caller=caller)
    cols = [value, group] + ([subject] if subject is not None else [])
    table.require(*cols)
    frame = table.eager(*cols).to_pandas().reset_index(drop=True)
    for name in cols:
        miss = frame[name].isna().to_numpy()
        if miss.any():
            raise MissingValueError(f"{caller}: column {name!r} has a missing value at row "
                                    f"{first_row(miss)}; drop those rows first.")
    levels = list(pd.unique(frame[group]))
    try:
        levels = sorted(levels)
    except TypeError:
        pass
    if len(levels) < 2:
        raise InsufficientDataError(
            f"{caller}: column {group!r} has {len(levels)} group "
            f"({', '.join(show(v) for v in levels)}); a comparison needs at least two.")
    kind = data_kind(frame[value])
    if kind in ("proportion", "categorical"):
        if paired:
            return paired_proportions(frame, value, group, subject, levels, kind, alpha,
                                      confidence)
        return independent_proportions(frame, value, group, levels, kind, alpha, confidence)
    x = frame[value].to_numpy(dtype=np.float64)
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
