"""Auditor accuracy against gold items or adjudicated re-audits (QA as a measurement system).

Each row is one judgement of one item by one auditor: the auditor's ``verdict`` and the
``reference`` (the gold label, or the adjudicated outcome of a blind re-audit), as 0/1
"violating" flags or as labels with ``positive=`` naming the violating ones. Per auditor:
sensitivity (violating items flagged), specificity (non-violating items passed) and
accuracy, each with its exact (Clopper-Pearson) interval, and a test of each auditor's
accuracy against the rest of the team (Fisher's exact test, Benjamini-Hochberg across
auditors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import Table, first_row, show
from sixsigma._params import check_confidence, check_number
from sixsigma._result import Result
from sixsigma._stats import bh, clopper_pearson
from sixsigma._stats.proportions import fisher_two_sided
from sixsigma.errors import DomainError, InsufficientDataError, MissingValueError, ParameterError
from sixsigma.msa._common import check_labels, key_column, load

__all__ = ["AuditorAccuracy", "auditor_accuracy"]

FIGURES = ("sensitivity", "specificity", "accuracy")


@dataclass(frozen=True, eq=False, repr=False)
class AuditorAccuracy(Result, kind="auditor_accuracy"):
    """Per-auditor sensitivity, specificity and accuracy against a reference.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per (by groups,) auditor and figure ("sensitivity", "specificity",
        "accuracy"), with successes, n, estimate, ci_low, ci_high (Clopper-Pearson). An
        estimate with n = 0 (an auditor who saw no violating item has no sensitivity) is
        NaN, with a note.
    by_auditor : pandas.DataFrame
        One row per (by groups,) auditor: n, positives (violating reference items),
        sensitivity, specificity, accuracy, rest_accuracy (the other auditors in the same
        group), difference, p_value (two-sided Fisher exact, auditor vs the rest), q_value
        (Benjamini-Hochberg across all rows), flagged (q_value <= fdr) and direction
        ("below" / "above" the rest, or "" when not flagged).
    positive : tuple or None
        The labels counted as violating (None: 0/1 flags).
    by : tuple of str
    confidence, fdr : float
    n_judgements : int
    """

    table: pd.DataFrame
    by_auditor: pd.DataFrame
    positive: tuple[Any, ...] | None = None
    by: tuple[str, ...] = ()
    confidence: float = 0.95
    fdr: float = 0.05
    n_judgements: int = 0

    @property
    def flagged(self) -> pd.DataFrame:
        """The rows of :attr:`by_auditor` whose accuracy differs from the rest."""
        return self.by_auditor[self.by_auditor["flagged"]].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The tidy :attr:`table`."""
        return self.table.copy()

    def summary(self) -> str:
        """A short text summary."""
        b = self.by_auditor
        lines = [f"Auditor accuracy: {len(b)} auditor rows, {self.n_judgements} judgements; "
                 f"accuracy {b['accuracy'].min():.3f} to {b['accuracy'].max():.3f}"]
        for _, row in self.flagged.iterrows():
            where = "".join(f"{k}={row[k]!s}, " for k in self.by)
            lines.append(f"  flagged: {where}{row['auditor']!s} accuracy {row['accuracy']:.3f} "
                         f"vs rest {row['rest_accuracy']:.3f} (q = {row['q_value']:.3g})")
        if self.flagged.empty:
            lines.append(f"  no auditor differs from the rest at FDR {self.fdr:g}")
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _flags(table: Table, column: str, positive: tuple[Any, ...] | None) -> NDArray[np.bool_]:
    """A verdict or reference column as booleans (True = violating)."""
    caller = table.caller
    values = table.raw(column)
    series = pd.Series(values, copy=False)
    missing = series.isna().to_numpy()
    if missing.any():
        i = first_row(missing)
        raise MissingValueError(f"{caller}: column {column!r} has a missing value at row {i}; "
                                "drop the unjudged rows first.")
    check_labels(values, column, caller=caller)
    if positive is not None:
        return np.asarray(series.isin(list(positive)).to_numpy(), dtype=bool)
    if values.dtype == bool:
        return np.asarray(values, dtype=bool)
    numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(numeric, (0.0, 1.0))
    if bad.any():
        i = first_row(bad)
        raise DomainError(f"{caller}: column {column!r} must hold 0/1 (or true/false) "
                          f"violating flags; row {i} holds {show(values[i])}. For labels, "
                          "name the violating ones with positive=.")
    out: NDArray[np.bool_] = numeric == 1.0
    return out


def _positive(positive: Any, caller: str) -> tuple[Any, ...] | None:
    if positive is None:
        return None
    if isinstance(positive, str) or not isinstance(positive, Sequence | set | frozenset):
        return (positive,)
    out = tuple(positive)
    if not out:
        raise ParameterError(f"{caller}: the 'positive' parameter must name at least one "
                             "violating label; got an empty list.")
    return out


def auditor_accuracy(
    data: Any,
    auditor: str,
    verdict: str,
    reference: str,
    *,
    positive: Any = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    fdr: float = 0.05,
) -> AuditorAccuracy:
    """Each auditor's sensitivity, specificity and accuracy against gold or adjudication.

    Parameters
    ----------
    data : dataframe or dict
        One row per judgement: an item judged by an auditor.
    auditor, verdict, reference : str
        Columns: who judged, their verdict, and the reference judgement (gold label, or
        the adjudicated outcome of a blind re-audit).
    positive : label or list of labels, optional
        The verdict/reference labels that mean "violating". Without it both columns must
        be 0/1 (or boolean) violating flags.
    by : str or list of str, optional
        Report per auditor within these groups (policy, calibration round); each auditor
        is then tested against the other auditors of the same group.
    confidence : float
        Level of the Clopper-Pearson intervals.
    fdr : float
        False-discovery rate at which an auditor is flagged (Benjamini-Hochberg q-value).

    Returns
    -------
    AuditorAccuracy

    Raises
    ------
    sixsigma.errors.ColumnError, MissingValueError, DomainError, InputError
        A missing column; a missing verdict or reference; a flag that is not 0/1 without
        ``positive=``; labels such as 1 and "1" mixed in one column.
    sixsigma.errors.InsufficientDataError
        Fewer than two rows, or fewer than two auditors (in every group).
    sixsigma.errors.ParameterError
        ``positive=`` naming labels found in neither column; a bad confidence or fdr.

    Notes
    -----
    sensitivity = TP / (TP + FN), specificity = TN / (TN + FP), accuracy =
    (TP + TN) / n, with Clopper & Pearson (1934) intervals. Each auditor's accuracy is
    compared with that of the other auditors in the group by the two-sided Fisher exact
    test of the 2x2 table (auditor vs rest x correct vs wrong; Agresti 2013, section 3.5),
    and the p-values are adjusted by Benjamini & Hochberg (1995) across all rows.

    Examples
    --------
    >>> d = {"auditor": ["a"] * 4 + ["b"] * 4,
    ...      "verdict": [1, 1, 0, 0, 1, 0, 0, 0], "gold": [1, 1, 0, 0, 1, 1, 0, 0]}
    >>> r = ss.msa.auditor_accuracy(d, "auditor", "verdict", "gold")
    >>> r.by_auditor[["auditor", "sensitivity", "specificity", "accuracy"]].values.tolist()
    [['a', 1.0, 1.0, 1.0], ['b', 0.5, 1.0, 0.75]]
    """
    caller = "auditor_accuracy"
    confidence = check_confidence(confidence, caller=caller)
    fdr = check_number(fdr, "fdr", caller=caller, low=0.0, high=1.0, low_open=True)
    pos = _positive(positive, caller)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    table = load(data, caller, auditor, verdict, reference, *keys, min_rows=2)
    who = key_column(table, auditor)
    groups = [key_column(table, k) for k in keys]
    v = _flags(table, verdict, pos)
    ref = _flags(table, reference, pos)
    if pos is not None and not (v.any() or ref.any()):
        shown = ", ".join(show(p) for p in pos[:6])
        raise ParameterError(f"{caller}: none of the positive= labels ({shown}) occurs in "
                             f"column {verdict!r} or {reference!r}; check their spelling.")
    frame = pd.DataFrame({f"__g{j}": g for j, g in enumerate(groups)})
    frame["auditor"] = who
    frame["n"] = 1
    frame["positives"] = ref.astype(np.int64)
    frame["true_pos"] = (v & ref).astype(np.int64)
    frame["true_neg"] = (~v & ~ref).astype(np.int64)
    gcols = [f"__g{j}" for j in range(len(groups))]
    counts = frame.groupby([*gcols, "auditor"], sort=True, observed=True).sum().reset_index()
    if gcols:
        group_tot = counts.groupby(gcols, sort=False, observed=True)[
            ["n", "true_pos", "true_neg"]].transform("sum")
        n_in_group = counts.groupby(gcols, sort=False, observed=True)["auditor"].transform(
            "size").to_numpy()
    else:
        group_tot = counts[["n", "true_pos", "true_neg"]].sum().to_frame().T.loc[
            [0] * len(counts)].reset_index(drop=True)
        n_in_group = np.full(len(counts), len(counts))
    if (n_in_group < 2).all():
        raise InsufficientDataError(f"{caller}: column {auditor!r} names a single auditor"
                                    + (" in every group" if gcols else "") +
                                    "; accuracy is compared with the rest of the team.")
    n = counts["n"].to_numpy(dtype=float)
    npos = counts["positives"].to_numpy(dtype=float)
    nneg = n - npos
    tp = counts["true_pos"].to_numpy(dtype=float)
    tn = counts["true_neg"].to_numpy(dtype=float)
    correct = tp + tn
    tot_n = group_tot["n"].to_numpy(dtype=float)
    tot_c = (group_tot["true_pos"] + group_tot["true_neg"]).to_numpy(dtype=float)
    rest_n = tot_n - n
    with np.errstate(divide="ignore", invalid="ignore"):
        sens = np.where(npos > 0, tp / np.where(npos > 0, npos, 1), np.nan)
        spec = np.where(nneg > 0, tn / np.where(nneg > 0, nneg, 1), np.nan)
        acc = correct / n
        rest_acc = np.where(rest_n > 0, (tot_c - correct) / np.where(rest_n > 0, rest_n, 1),
                            np.nan)
    testable = rest_n > 0
    p = np.full(len(counts), np.nan)
    if testable.any():
        p[testable] = fisher_two_sided(correct[testable], n[testable], tot_c[testable],
                                       tot_n[testable])
    q = np.full(len(counts), np.nan)
    if testable.any():
        q[testable] = bh(p[testable])
    flagged = np.where(testable, q <= fdr, False)
    direction = np.where(flagged, np.where(acc < rest_acc, "below", "above"), "")
    names = {g: k for g, k in zip(gcols, keys, strict=True)}
    by_auditor = counts[[*gcols, "auditor"]].rename(columns=names).assign(
        n=n.astype(np.int64), positives=npos.astype(np.int64), sensitivity=sens,
        specificity=spec, accuracy=acc, rest_accuracy=rest_acc, difference=acc - rest_acc,
        p_value=p, q_value=q, flagged=flagged.astype(bool), direction=direction)
    parts = []
    for name, k, m in (("sensitivity", tp, npos), ("specificity", tn, nneg),
                       ("accuracy", correct, n)):
        lo, hi = clopper_pearson(k, m, confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = np.where(m > 0, k / np.where(m > 0, m, 1), np.nan)
        parts.append(counts[[*gcols, "auditor"]].rename(columns=names).assign(
            figure=name, successes=k.astype(np.int64), n=m.astype(np.int64), estimate=est,
            ci_low=lo, ci_high=hi))
    tidy = pd.concat(parts, ignore_index=True)
    order = [*keys, "auditor"]
    tidy["figure"] = pd.Categorical(tidy["figure"], categories=list(FIGURES), ordered=True)
    tidy = tidy.sort_values([*order, "figure"], kind="stable").reset_index(drop=True)
    tidy["figure"] = tidy["figure"].astype(str)
    notes: list[str] = []
    for label, m in (("sensitivity", npos), ("specificity", nneg)):
        none = by_auditor.loc[m == 0, "auditor"].tolist()
        if none:
            kind = "violating" if label == "sensitivity" else "non-violating"
            notes.append(f"{label} is undefined (NaN) for {', '.join(str(a) for a in none[:6])}"
                         f"{' ...' if len(none) > 6 else ''}: no {kind} reference items")
    alone = by_auditor.loc[~testable, "auditor"].tolist()
    if alone:
        notes.append(f"p_value is undefined (NaN) for {', '.join(str(a) for a in alone[:6])}: "
                     "the only auditor in their group")
    return AuditorAccuracy(
        table=tidy, by_auditor=by_auditor.reset_index(drop=True), positive=pos,
        by=tuple(keys), confidence=confidence, fdr=fdr, n_judgements=int(len(who)),
        notes=tuple(notes),
    )
