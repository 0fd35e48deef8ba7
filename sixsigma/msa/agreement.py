"""Attribute agreement analysis: Minitab's four tables plus coaching breakdowns.

The breakdowns by category and by rater tell a calibration lead which policies are
ambiguous and whom to coach on what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sixsigma._frames import first_row, show
from sixsigma._params import check_confidence, choice
from sixsigma._result import Result
from sixsigma._stats import clopper_pearson, wilson
from sixsigma.errors import InputError, InsufficientDataError, MissingValueError, ParameterError
from sixsigma.msa._common import category_order, codes, key_column, load, rating_column
from sixsigma.msa.kappa import fleiss_from_counts, p_value
from sixsigma.msa.kendall import concordance, tau_b

__all__ = ["AttributeAgreement", "attribute_agreement"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
OVERALL = "overall"


@dataclass(frozen=True, eq=False, repr=False)
class AttributeAgreement(Result, kind="attribute_agreement"):
    """The tables of an attribute agreement analysis (Minitab's layout).

    Assessment-agreement tables (columns rater, n_inspected, n_matched, percent, ci_low,
    ci_high; percent and exact Clopper-Pearson bounds in %):

    * ``within``: items on which all of an appraiser's trials agree (None without trials).
    * ``vs_standard``: items on which all of an appraiser's trials agree with the standard.
    * ``between``: items on which all appraisers' trials agree (None with one appraiser).
    * ``all_vs_standard``: items on which all appraisers' trials agree with the standard.

    Each has a ``*_kappa`` table (rater, category -- "overall" first -- kappa,
    se_kappa, z, p_value; se under H0, p for kappa > 0 as Minitab's "P(vs > 0)") and, for
    ordinal ratings, a ``*_kendall`` table (W with chi2, df, p_value for within/between;
    tau_b with the standard for the vs-standard tables).

    Breakdowns: ``by_category`` (kappa per category, lowest first: the ambiguous policies;
    with the standard, each category's recall), ``by_rater`` (accuracy against the standard
    with a Wilson interval, kappa, weakest category and most common confusion, lowest
    accuracy first: whom to coach on what; ci_low, ci_high bound the accuracy),
    ``confusion`` (rater, standard, rating, count; see :meth:`confusion_matrix`).
    """

    within: pd.DataFrame | None
    within_kappa: pd.DataFrame | None
    within_kendall: pd.DataFrame | None
    vs_standard: pd.DataFrame | None
    vs_standard_kappa: pd.DataFrame | None
    vs_standard_kendall: pd.DataFrame | None
    between: pd.DataFrame | None
    between_kappa: pd.DataFrame | None
    between_kendall: pd.DataFrame | None
    all_vs_standard: pd.DataFrame | None
    all_vs_standard_kappa: pd.DataFrame | None
    all_vs_standard_kendall: pd.DataFrame | None
    by_category: pd.DataFrame
    by_rater: pd.DataFrame | None
    confusion: pd.DataFrame | None
    categories: tuple[Any, ...] = ()
    raters: tuple[Any, ...] = ()
    n_items: int = 0
    n_trials: int = 1
    ordinal: bool = False
    confidence: float = 0.95
    accuracy_interval: str = "wilson"
    by_category_basis: str = "between"

    TABLES: ClassVar[tuple[str, ...]] = ("within", "vs_standard", "between", "all_vs_standard")

    def to_frame(self) -> pd.DataFrame:
        """The assessment-agreement tables stacked, with a ``table`` column."""
        parts = [getattr(self, t).assign(table=t) for t in self.TABLES
                 if getattr(self, t) is not None]
        frame = pd.concat(parts, ignore_index=True)
        out: pd.DataFrame = frame[["table"] + [c for c in frame.columns if c != "table"]]
        return out

    def kappa_frame(self) -> pd.DataFrame:
        """The kappa tables stacked, with a ``table`` column."""
        parts = [getattr(self, f"{t}_kappa").assign(table=t) for t in self.TABLES
                 if getattr(self, f"{t}_kappa") is not None]
        frame = pd.concat(parts, ignore_index=True)
        out: pd.DataFrame = frame[["table"] + [c for c in frame.columns if c != "table"]]
        return out

    def confusion_matrix(self, rater: Any = None) -> pd.DataFrame:
        """Counts of (standard, rating) over all trials: rows standard, columns rating.

        Parameters
        ----------
        rater : optional
            One rater (appraiser); default all together.
        """
        if self.confusion is None:
            raise ParameterError("confusion_matrix: the analysis had no standard= column.")
        c = self.confusion
        if rater is not None:
            if rater not in set(c["rater"]):
                raise ParameterError(f"confusion_matrix: unknown rater {rater!r}.")
            c = c[c["rater"] == rater]
        wide = c.pivot_table(index="standard", columns="rating", values="count", aggfunc="sum",
                             fill_value=0, sort=False)
        order = list(self.categories)
        return wide.reindex(index=order, columns=order, fill_value=0).astype(int)

    def summary(self) -> str:
        """A short text summary."""
        lines = [f"Attribute agreement: {len(self.raters)} appraiser(s), {self.n_items} "
                 f"items, {self.n_trials} trial(s), {len(self.categories)} categories"]
        for t in self.TABLES:
            frame = getattr(self, t)
            kap = getattr(self, f"{t}_kappa")
            if frame is None or kap is None:
                continue
            overall = kap[kap["category"] == OVERALL]
            for (_, row), (_, krow) in zip(frame.iterrows(), overall.iterrows(), strict=True):
                lines.append(f"  {t:<16} {str(row['rater']):<12} {row['percent']:6.2f}% "
                             f"({row['ci_low']:.2f}, {row['ci_high']:.2f})  kappa "
                             f"{krow['kappa']:.3f}")
        worst = self.by_category.iloc[0]
        lines.append(f"  lowest kappa: {worst['category']!s} ({worst['kappa']:.3f})")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
def _assessment(name: Sequence[Any], matched: Any, n: Any, confidence: float) -> pd.DataFrame:
    matched = np.asarray(matched, dtype=float)
    n = np.asarray(n, dtype=float)
    lo, hi = clopper_pearson(matched, n, confidence, one_sided_extremes=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(n > 0, 100.0 * matched / np.where(n > 0, n, 1), np.nan)
    return pd.DataFrame({"rater": list(name), "n_inspected": n.astype(int),
                         "n_matched": matched.astype(int), "percent": pct,
                         "ci_low": 100.0 * lo, "ci_high": 100.0 * hi})


def _onehot(codes_: IntArray, k: int) -> FloatArray:
    out: FloatArray = np.eye(k)[codes_]
    return out


def _kappa_rows(name: Any, kappas: list[tuple[float, float, FloatArray, float]],
                cats: Sequence[Any]) -> pd.DataFrame:
    """Rows of a kappa table from one or several (kappa, se0, kappa_j, se0_j) tuples.

    Several are averaged, with se = sqrt(sum se^2) / count (Minitab's average over trials).
    """
    t = len(kappas)
    kap = float(np.mean([k[0] for k in kappas]))
    se = float(np.sqrt(np.sum([k[1] ** 2 for k in kappas])) / t)
    kj = np.mean(np.stack([k[2] for k in kappas]), axis=0)
    sej = float(np.sqrt(np.sum([k[3] ** 2 for k in kappas])) / t)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = kap / se if se > 0 else float("nan")
        zj = kj / sej
    frame = pd.DataFrame({
        "rater": name,
        "category": [OVERALL, *cats],
        "kappa": [kap, *kj.tolist()],
        "se_kappa": [se] + [sej] * len(cats),
        "z": [z, *zj.tolist()],
    })
    frame["p_value"] = [p_value(float(v), "greater") for v in frame["z"]]
    return frame


def _fleiss_tuple(counts: FloatArray) -> tuple[float, float, FloatArray, float]:
    st = fleiss_from_counts(counts)
    kappa = float("nan") if st.kappa is None else st.kappa
    return kappa, st.se0, st.kappa_j, st.se0_j


def _kendall_row(name: Any, scores: FloatArray) -> dict[str, Any]:
    w, chi2, df, p = concordance(scores)
    return {"rater": name, "w": w, "chi2": chi2, "df": df, "p_value": p}


def attribute_agreement(
    data: Any,
    item: str,
    rater: str,
    rating: str,
    standard: str | None = None,
    trial: str | None = None,
    *,
    categories: Sequence[Any] | None = None,
    ordinal: bool = False,
    confidence: float = 0.95,
    accuracy_interval: Literal["wilson", "exact"] = "wilson",
    missing_standard: Literal["error", "drop"] = "error",
) -> AttributeAgreement:
    """Attribute agreement analysis with Minitab's tables and coaching breakdowns.

    Parameters
    ----------
    data : dataframe or dict
        One row per rating (rater x item x trial).
    item, rater, rating : str
        Columns: the item (sample) rated, who rated it, the category given.
    standard : str, optional
        Column of the known standard (golden label) of each item (the same on every row
        of an item). Enables the vs-standard tables and the per-rater breakdown.
    trial : str, optional
        Column numbering each appraiser's repeated ratings of an item. Required for the
        within-appraiser (repeatability) table, which needs at least two trials.
    categories : sequence, optional
        Declared categories, in order; a rating or standard outside them raises
        :class:`~sixsigma.errors.DomainError`. Default: the observed ones (numbers sorted
        numerically).
    ordinal : bool
        The categories are ordered: adds Kendall's W (within, between) and Kendall's
        tau-b with the standard.
    confidence : float
        Level of every interval.
    accuracy_interval : {"wilson", "exact"}
        Interval of each rater's accuracy in ``by_rater``: Wilson score or Clopper-Pearson.
    missing_standard : {"error", "drop"}
        A missing standard raises :class:`~sixsigma.errors.MissingValueError`; "drop"
        leaves those items out of the vs-standard tables only (recorded in ``notes``).

    Returns
    -------
    AttributeAgreement

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        ``trial=`` given with a single trial; a single appraiser with no trial and no
        standard (nothing to compare).
    sixsigma.errors.InputError
        An appraiser who rated an item twice without ``trial=``; an unbalanced design
        (a missing appraiser x item x trial rating); a standard that differs between
        the rows of one item.
    sixsigma.errors.DomainError, MissingValueError, ColumnError

    Notes
    -----
    Follows Minitab's Attribute Agreement Analysis (methods and formulas): # matched counts
    items where all the ratings concerned agree; the percent has an exact binomial
    (Clopper-Pearson) interval. Kappa is Fleiss' (1971): within an appraiser the trials are
    the raters; between appraisers every appraiser x trial is a rater; against the standard
    each trial and the standard form a pair of raters and the kappas are averaged over
    trials (and over appraisers for "all appraisers"), with se = sqrt(sum se_t^2) / T.
    Standard errors are the null ones of Fleiss, Nee & Landis (1979) and the p-values
    one-sided, P(kappa > 0), as Minitab prints. Kendall's W has the tie correction;
    Kendall's tau-b with the standard is averaged over trials. With one appraiser the
    between tables are None (noted); without ``trial=`` the within tables are None.

    Examples
    --------
    >>> d = {"item": [1, 2, 3] * 2, "rater": ["ann"] * 3 + ["bob"] * 3,
    ...      "rating": ["ok", "bad", "ok", "ok", "bad", "bad"],
    ...      "standard": ["ok", "bad", "ok"] * 2}
    >>> r = ss.msa.attribute_agreement(d, "item", "rater", "rating", standard="standard")
    >>> r.vs_standard[["rater", "n_matched"]].to_numpy().tolist()
    [['ann', 3], ['bob', 2]]
    >>> int(r.between["n_matched"].iloc[0])   # items 1 and 2
    2
    """
    caller = "attribute_agreement"
    confidence = check_confidence(confidence, caller=caller)
    choice(accuracy_interval, "accuracy_interval", ("wilson", "exact"), caller=caller)
    choice(missing_standard, "missing_standard", ("error", "drop"), caller=caller)
    table = load(data, caller, item, rater, rating, standard, trial, min_rows=2)
    items = key_column(table, item)
    apps = key_column(table, rater)
    trials = key_column(table, trial) if trial is not None else np.zeros(items.size, int)
    values = table.raw(rating)
    std_raw = rating_column(table, standard) if standard is not None else None
    if items.size == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    pool = values if std_raw is None else np.concatenate(
        [values, std_raw[~pd.Series(std_raw, copy=False).isna().to_numpy()]])
    cats = category_order(pool, categories, caller=caller)
    k = len(cats)
    code = codes(values, cats, rating, caller=caller)
    i_code, i_keys = pd.factorize(pd.Series(items, copy=False), sort=True)
    a_code, a_keys = pd.factorize(pd.Series(apps, copy=False), sort=True)
    t_code, t_keys = pd.factorize(pd.Series(trials, copy=False), sort=True)
    n_i, n_a, n_t = len(i_keys), len(a_keys), len(t_keys)
    notes: list[str] = []

    flat = (a_code * n_i + i_code) * n_t + t_code
    dup = pd.Series(flat).duplicated().to_numpy()
    if dup.any():
        j = first_row(dup)
        hint = ("; pass trial= to analyse repeated ratings" if trial is None
                else f" in trial {show(trials[j])}")
        raise InputError(f"{caller}: appraiser {show(apps[j])} rated item {show(items[j])} more "
                         f"than once (row {j}){hint}.")
    if trial is not None and n_t < 2:
        raise InsufficientDataError(
            f"{caller}: within-appraiser agreement needs at least two trials per item, but "
            f"column {trial!r} has a single trial ({show(t_keys[0])}); drop trial= to skip "
            "the within-appraiser table."
        )
    if flat.size != n_a * n_i * n_t:
        have = np.zeros(n_a * n_i * n_t, dtype=bool)
        have[flat] = True
        miss = first_row(~have)
        a_m, rest = divmod(miss, n_i * n_t)
        i_m, t_m = divmod(rest, n_t)
        what = f" in trial {show(t_keys[t_m])}" if trial is not None else ""
        raise InputError(f"{caller}: the study must be balanced; appraiser {show(a_keys[a_m])} "
                         f"has no rating of item {show(i_keys[i_m])}{what}.")
    if n_a < 2 and trial is None and standard is None:
        raise InsufficientDataError(
            f"{caller}: column {rater!r} names a single appraiser and there is neither "
            "trial= nor standard=, so there is nothing to compare."
        )
    grid = np.empty(n_a * n_i * n_t, dtype=np.int64)
    grid[flat] = code
    r = grid.reshape(n_a, n_i, n_t)             # r[a, i, t] category code

    # standard per item --------------------------------------------------------------
    s_code: IntArray | None = None
    keep = np.ones(n_i, dtype=bool)
    if standard is not None and std_raw is not None:
        miss_s = pd.Series(std_raw, copy=False).isna().to_numpy()
        if miss_s.any() and missing_standard == "error":
            j = first_row(miss_s)
            raise MissingValueError(
                f"{caller}: column {standard!r} has a missing standard at row {j} (item "
                f"{show(items[j])}); fill it, or pass missing_standard='drop' to leave such "
                "items out of the vs-standard tables."
            )
        pos = np.flatnonzero(~miss_s)
        sc = codes(std_raw[pos], cats, standard, caller=caller, positions=pos)
        first = np.full(n_i, -1, dtype=np.int64)
        first[i_code[pos][::-1]] = sc[::-1]
        incons = first[i_code[pos]] != sc
        if incons.any():
            j = int(pos[first_row(incons)])
            raise InputError(f"{caller}: item {show(items[j])} has two different standards in "
                             f"column {standard!r} (row {j}); one golden label per item.")
        keep = first >= 0
        if not keep.all():
            notes.append(f"{int((~keep).sum())} item(s) without a standard left out of the "
                         "vs-standard tables")
        if not keep.any():
            raise InsufficientDataError(f"{caller}: no item has a standard in {standard!r}.")
        s_code = first
    a_names = list(a_keys)

    # within ---------------------------------------------------------------------------
    within = within_kappa = within_kendall = None
    if n_t >= 2:
        matched = (r == r[:, :, :1]).all(axis=2).sum(axis=1)
        within = _assessment(a_names, matched, np.full(n_a, n_i), confidence)
        within_kappa = pd.concat([
            _kappa_rows(a_names[a], [_fleiss_tuple(_onehot(r[a], k).sum(axis=1))], cats)
            for a in range(n_a)], ignore_index=True)
        if ordinal:
            within_kendall = pd.DataFrame([_kendall_row(a_names[a], r[a].T.astype(float))
                                           for a in range(n_a)])
    else:
        notes.append("no trial= column: the within-appraiser tables are not computed")

    # between --------------------------------------------------------------------------
    between = between_kappa = between_kendall = None
    all_r = r.transpose(1, 0, 2).reshape(n_i, n_a * n_t)      # items x (appraiser, trial)
    if n_a >= 2:
        matched_b = (all_r == all_r[:, :1]).all(axis=1).sum()
        between = _assessment(["all"], [matched_b], [n_i], confidence)
        between_kappa = _kappa_rows("all", [_fleiss_tuple(_onehot(all_r, k).sum(axis=1))],
                                    cats)
        if ordinal:
            between_kendall = pd.DataFrame([_kendall_row("all", all_r.T.astype(float))])
    else:
        notes.append("a single appraiser: the between-appraiser tables are not computed")

    # vs standard ------------------------------------------------------------------------
    vs = vs_kappa = vs_kendall = None
    all_vs = all_vs_kappa = all_vs_kendall = None
    by_rater = confusion = None
    if s_code is not None:
        rk, sk = r[:, keep, :], s_code[keep]
        n_k = int(keep.sum())
        hit = rk == sk[None, :, None]
        vs = _assessment(a_names, hit.all(axis=2).sum(axis=1), np.full(n_a, n_k), confidence)
        s_hot = _onehot(sk, k)
        pair = {(a, t): _fleiss_tuple(_onehot(rk[a, :, t], k) + s_hot)
                for a in range(n_a) for t in range(n_t)}
        vs_kappa = pd.concat([_kappa_rows(a_names[a], [pair[a, t] for t in range(n_t)], cats)
                              for a in range(n_a)], ignore_index=True)
        taus = np.array([[tau_b(rk[a, :, t], sk) for t in range(n_t)] for a in range(n_a)])
        if ordinal:
            vs_kendall = pd.DataFrame({"rater": a_names, "tau_b": taus.mean(axis=1)})
        if n_a >= 2:
            all_vs = _assessment(["all"], [hit.all(axis=(0, 2)).sum()], [n_k], confidence)
            all_vs_kappa = _kappa_rows("all", list(pair.values()), cats)
            if ordinal:
                all_vs_kendall = pd.DataFrame({"rater": ["all"], "tau_b": [taus.mean()]})
        confusion, by_rater = _rater_breakdown(rk, sk, a_names, cats, vs_kappa, within,
                                               confidence, accuracy_interval)

    # by category ----------------------------------------------------------------------
    src: pd.DataFrame | None
    if between_kappa is not None:
        basis, src = "between", between_kappa
    elif vs_kappa is not None:
        basis, src = "vs_standard", vs_kappa
    else:
        basis, src = "within", within_kappa
    assert src is not None
    per_cat = src[src["category"] != OVERALL].groupby("category", sort=False).agg(
        kappa=("kappa", "mean"), se_kappa=("se_kappa", "mean"))
    per_cat = per_cat.reindex(cats)
    by_category = per_cat.reset_index().rename(columns={"index": "category"})
    with np.errstate(divide="ignore", invalid="ignore"):
        by_category["z"] = by_category["kappa"] / by_category["se_kappa"]
    by_category["p_value"] = [p_value(float(v), "greater") for v in by_category["z"]]
    counts_all = np.bincount(r.ravel(), minlength=k)
    by_category["share_of_ratings"] = counts_all / counts_all.sum()
    if s_code is not None:
        rk, sk = r[:, keep, :], s_code[keep]
        n_std = np.bincount(sk, minlength=k)
        correct = np.bincount(sk, weights=(rk == sk[None, :, None]).sum(axis=(0, 2)),
                              minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            recall = np.where(n_std > 0, correct / np.maximum(n_std * n_a * n_t, 1), np.nan)
        by_category["n_items_standard"] = n_std
        by_category["recall"] = recall
    by_category = by_category.sort_values("kappa", kind="stable", na_position="last")
    by_category = by_category.reset_index(drop=True)

    return AttributeAgreement(
        within=within, within_kappa=within_kappa, within_kendall=within_kendall,
        vs_standard=vs, vs_standard_kappa=vs_kappa, vs_standard_kendall=vs_kendall,
        between=between, between_kappa=between_kappa, between_kendall=between_kendall,
        all_vs_standard=all_vs, all_vs_standard_kappa=all_vs_kappa,
        all_vs_standard_kendall=all_vs_kendall, by_category=by_category, by_rater=by_rater,
        confusion=confusion, categories=tuple(cats), raters=tuple(a_names), n_items=n_i,
        n_trials=n_t, ordinal=bool(ordinal), confidence=confidence,
        accuracy_interval=accuracy_interval, by_category_basis=basis, notes=tuple(notes),
    )


def _rater_breakdown(
    rk: IntArray, sk: IntArray, names: list[Any], cats: Sequence[Any],
    vs_kappa: pd.DataFrame, within: pd.DataFrame | None, confidence: float, interval: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Confusion counts per appraiser and the ranked per-rater accuracy table."""
    n_a, n_i, n_t = rk.shape
    k = len(cats)
    s_full = np.broadcast_to(sk[None, :, None], rk.shape)
    a_idx = np.broadcast_to(np.arange(n_a)[:, None, None], rk.shape)
    flat = (a_idx * k + s_full) * k + rk
    cube = np.bincount(flat.ravel(), minlength=n_a * k * k).reshape(n_a, k, k)
    a_g, s_g, r_g = np.meshgrid(np.arange(n_a), np.arange(k), np.arange(k), indexing="ij")
    confusion = pd.DataFrame({
        "rater": np.asarray(names, dtype=object)[a_g.ravel()],
        "standard": np.asarray(list(cats), dtype=object)[s_g.ravel()],
        "rating": np.asarray(list(cats), dtype=object)[r_g.ravel()],
        "count": cube.ravel(),
    })
    confusion = confusion[confusion["count"] > 0].reset_index(drop=True)
    n = np.full(n_a, n_i * n_t)
    correct = np.trace(cube, axis1=1, axis2=2)
    if interval == "wilson":
        lo, hi = wilson(correct, n, confidence)
    else:
        lo, hi = clopper_pearson(correct, n, confidence, one_sided_extremes=True)
    row_tot = cube.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(row_tot > 0, np.diagonal(cube, axis1=1, axis2=2)
                          / np.maximum(row_tot, 1), np.inf)
    weakest = recall.argmin(axis=1)
    off = cube.copy()
    off[:, np.arange(k), np.arange(k)] = 0
    top = off.reshape(n_a, -1).argmax(axis=1)
    has_err = off.reshape(n_a, -1).max(axis=1) > 0
    cat_arr = np.asarray(list(cats), dtype=object)
    overall = vs_kappa[vs_kappa["category"] == OVERALL].set_index("rater")["kappa"]
    frame = pd.DataFrame({
        "rater": names,
        "n_ratings": n,
        "n_correct": correct,
        "accuracy": correct / n,
        "ci_low": lo,
        "ci_high": hi,
        "kappa_vs_standard": overall.reindex(names).to_numpy(),
        "weakest_category": cat_arr[weakest],
        "weakest_recall": recall[np.arange(n_a), weakest],
        "top_confusion": np.where(
            has_err,
            [f"{cat_arr[t // k]!s} -> {cat_arr[t % k]!s}" for t in top], ""),
        "top_confusion_count": np.where(has_err, off.reshape(n_a, -1).max(axis=1), 0),
    })
    if within is not None:
        frame["consistency"] = within["percent"].to_numpy() / 100.0
    frame = frame.sort_values(["accuracy", "kappa_vs_standard"], kind="stable")
    return confusion, frame.reset_index(drop=True)
