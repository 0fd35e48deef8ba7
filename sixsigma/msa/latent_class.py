"""Dawid-Skene: true labels and rater confusion matrices without a gold standard.

Dawid, A. P. and Skene, A. M. (1979), "Maximum likelihood estimation of observer
error-rates using the EM algorithm", Applied Statistics 28(1), 20-28. Every item has an
unknown true class z with prior pi_c; rater r, shown an item of class c, gives class g with
probability theta_r[c, g] (the rater's confusion matrix, rows true, columns given). EM
alternates

- E-step: the posterior of each item's class, proportional to
  pi_c * prod over the item's labels of theta_r[c, g];
- M-step: pi_c = mean posterior of class c; theta_r[c, g] = (expected count of items of
  class c to which r gave g + s) / (expected count of items of class c rated by r + k s),
  with s the additive ``smoothing`` pseudo-count (s = 0 is the maximum-likelihood step).

The start is the vote share of each class on each item (the soft majority vote of
Dawid & Skene section 3, also crowd-kit's start), followed by an M-step. The iterations stop
when the mean log-likelihood per label changes by less than ``tol``; a last E-step makes the
posteriors those of the returned parameters. Everything runs on integer codes with sparse
item x (rater, given class) matrices: no Python loop over items or labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from sixsigma._frames import as_table, first_row, show
from sixsigma._params import check_number, choice
from sixsigma._result import Result
from sixsigma.errors import InputError, InsufficientDataError, MissingValueError
from sixsigma.msa._common import category_order, codes, key_column

__all__ = ["DawidSkene", "dawid_skene"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Floor of every probability before its logarithm (crowd-kit's ``_EPS`` clip), so that a
#: class never seen keeps a finite log-likelihood.
FLOOR = 1e-10
DUPLICATES = ("raise", "average")


@dataclass(frozen=True, eq=False, repr=False)
class DawidSkene(Result, kind="dawid_skene"):
    """Dawid-Skene latent-class estimates.

    Attributes
    ----------
    confusion : dict
        Rater -> DataFrame (rows: true class, columns: given class) of P(given | true);
        each row sums to 1.
    priors : pandas.Series
        Class prior probabilities pi_c (sum to 1).
    posterior : pandas.DataFrame
        Item x class posterior probabilities (rows sum to 1), items in sorted order.
    labels : pandas.Series
        The most probable class of each item (ties go to the earlier class in
        ``categories``).
    table : pandas.DataFrame
        One row per rater: ``rater``, ``n_labels`` and ``accuracy`` (sum over c of
        pi_c theta_r[c, c], the rater's expected share of correct labels).
    iterations : int
        EM cycles run.
    converged : bool
        Whether the change in mean log-likelihood per label fell below ``tol`` within
        ``max_iter`` cycles.
    log_likelihood : float
        Observed-data log-likelihood at the returned parameters (natural log).
    smoothing : float
        Pseudo-count added to every cell of each rater's confusion counts.
    """

    confusion: dict[Any, pd.DataFrame]
    priors: pd.Series
    posterior: pd.DataFrame
    labels: pd.Series
    table: pd.DataFrame
    categories: tuple[Any, ...]
    iterations: int
    converged: bool
    log_likelihood: float
    n_items: int
    n_raters: int
    n_labels: int
    smoothing: float = 0.01
    max_iter: int = 100
    tol: float = 1e-6
    duplicates: str = "raise"
    start: str = "vote_share"

    def to_frame(self) -> pd.DataFrame:
        """One row per rater: rater, n_labels, accuracy."""
        return self.table.copy()

    def summary(self) -> str:
        """A short text summary."""
        state = "converged" if self.converged else "did not converge"
        pri = ", ".join(f"{show(c)}: {p:.3f}" for c, p in self.priors.items())
        lines = [f"Dawid-Skene on {self.n_labels} labels of {self.n_items} items by "
                 f"{self.n_raters} raters, {len(self.categories)} classes: {state} after "
                 f"{self.iterations} EM cycles (tol {self.tol:g}, smoothing {self.smoothing:g})",
                 f"  priors: {pri}"]
        for row in self.table.itertuples(index=False):
            lines.append(f"  rater {show(row[0])}: {row[1]} labels, accuracy {row[2]:.3f}")
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _factorize(values: NDArray[Any]) -> tuple[IntArray, NDArray[Any]]:
    """Integer codes and keys, keys sorted when they can be (else in order of appearance)."""
    try:
        code, keys = pd.factorize(values, sort=True)
    except TypeError:
        code, keys = pd.factorize(values, sort=False)
    return np.asarray(code, dtype=np.int64), np.asarray(keys)


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _check_missing(
    items: NDArray[Any], raters: NDArray[Any], missing: NDArray[np.bool_], *,
    item: str, rater: str, rating: str, caller: str,
) -> None:
    """Refuse missing ratings; name a rater or an item left with no label at all."""
    for keys, name, what in ((raters, rater, "rater"), (items, item, "item")):
        code, uniq = _factorize(keys)
        labelled = np.bincount(code, weights=(~missing).astype(float), minlength=len(uniq))
        empty = labelled[code] == 0
        if empty.any():
            i = first_row(empty)
            raise InsufficientDataError(
                f"{caller}: {what} {show(keys[i])} (column {name!r}) has no labels: every one "
                f"of its rows, the first at row {i}, has a missing {rating!r}. Drop it or give "
                "it labels.")
    i = first_row(missing)
    raise MissingValueError(f"{caller}: column {rating!r} has a missing rating at row {i}; "
                            "Dawid-Skene needs a label on every row: drop those rows first.")


def dawid_skene(
    data: Any,
    item: str,
    rater: str,
    rating: str,
    *,
    categories: Sequence[Any] | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    smoothing: float = 0.01,
    duplicates: Literal["raise", "average"] = "raise",
) -> DawidSkene:
    """True classes and per-rater confusion matrices by EM (Dawid & Skene 1979).

    Parameters
    ----------
    data : dataframe or dict
        Long format, one row per label: the item, the rater, the class given.
    item, rater, rating : str
        Columns: the item labelled, the rater, the class given.
    categories : sequence, optional
        The classes in order (the order breaks ties between equally probable classes);
        default the observed ones, sorted. A rating outside them raises DomainError.
    max_iter : int
        Most EM cycles.
    tol : float
        Stop when the mean log-likelihood per label changes by less than this.
    smoothing : float
        Pseudo-count s >= 0 added to every cell of each rater's expected confusion counts
        (a Dirichlet(1 + s) prior: the M-step is the posterior mode), so that raters with
        few labels and classes a rater never gave keep finite, non-zero probabilities.
        0 is plain maximum likelihood (probabilities are then floored at 1e-10, as in
        crowd-kit).
    duplicates : {"raise", "average"}
        A rater labelling an item more than once: "raise" refuses it; "average" gives
        each of that rater's m labels on the item weight 1/m, so the rater counts once.

    Returns
    -------
    DawidSkene
        ``.confusion`` (rater -> true x given), ``.priors``, ``.posterior`` (item x
        class), ``.labels``, ``.table`` (per rater: labels, expected accuracy),
        ``.iterations``, ``.converged``, ``.smoothing``.

    Raises
    ------
    sixsigma.errors.MissingValueError
        A missing item, rater or rating.
    sixsigma.errors.InsufficientDataError
        No rows, or a rater or an item whose every rating is missing.
    sixsigma.errors.InputError
        A rater who labelled an item twice (with ``duplicates="raise"``).
    sixsigma.errors.DomainError
        A rating outside ``categories``.
    sixsigma.errors.ParameterError
        max_iter < 1, tol <= 0, smoothing < 0, an unknown ``duplicates``.

    Notes
    -----
    Agreement with crowd-kit's ``DawidSkene`` (tests/data/dawid_skene_reference.md): the
    same start (vote shares, then an M-step), E-step and M-step, priors unsmoothed, ties to
    the first class. Differences: crowd-kit floors zero counts at 1e-10 instead of adding a
    pseudo-count (``smoothing=0`` reproduces it), stops on its evidence lower bound with
    tol 1e-5 and returns the posteriors of the last E-step (one M-step behind its
    confusion matrices); here the stop is on the log-likelihood and a final E-step makes
    posteriors and parameters consistent.

    Examples
    --------
    >>> d = {"item":  [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
    ...      "rater": ["a", "b", "c"] * 4,
    ...      "label": ["spam", "spam", "ham", "ham", "ham", "ham",
    ...                "spam", "spam", "spam", "ham", "spam", "ham"]}
    >>> r = ss.msa.dawid_skene(d, "item", "rater", "label")
    >>> r.labels.tolist()
    ['spam', 'ham', 'spam', 'ham']
    >>> r.converged, r.n_labels
    (True, 12)
    >>> r.table.round(2)          # rater c calls half the spam "ham"
      rater  n_labels  accuracy
    0     a         4      0.99
    1     b         4      0.75
    2     c         4      0.75
    >>> r.confusion["c"].loc["spam"].round(2).tolist()   # P(given | true spam)
    [0.5, 0.5]
    """
    caller = "dawid_skene"
    max_iter = int(check_number(max_iter, "max_iter", caller=caller, low=1, integer=True))
    tol = float(check_number(tol, "tol", caller=caller, low=0, low_open=True))
    smoothing = float(check_number(smoothing, "smoothing", caller=caller, low=0))
    choice(duplicates, "duplicates", DUPLICATES, caller=caller)

    table = as_table(data, caller=caller)
    table.require(item, rater, rating)
    items = key_column(table, item)
    raters = key_column(table, rater)
    values = table.raw(rating)
    if values.size == 0:
        raise InsufficientDataError(f"{caller}: the data have no rows.")
    # factorize first (missing ratings get -1), then code the few distinct values: the
    # first row of each distinct value is the row an error names
    v_code, v_uniq = pd.factorize(values)
    missing = v_code < 0
    if missing.any():
        _check_missing(items, raters, missing, item=item, rater=rater, rating=rating,
                       caller=caller)
    uniq = np.asarray(v_uniq)
    cats = category_order(uniq, categories, caller=caller)
    firsts = np.flatnonzero(~pd.Series(v_code, copy=False).duplicated().to_numpy())
    given = codes(uniq, cats, rating, caller=caller, positions=firsts)[v_code]
    k = len(cats)
    i_code, i_keys = _factorize(items)
    r_code, r_keys = _factorize(raters)
    n_items, n_raters, n = len(i_keys), len(r_keys), int(values.size)

    pair = i_code * n_raters + r_code
    seen = pd.Series(pair, copy=False).duplicated().to_numpy()
    weight = np.ones(n)
    notes: list[str] = []
    if seen.any():
        if duplicates == "raise":
            j = first_row(seen)
            raise InputError(
                f"{caller}: rater {show(raters[j])} (column {rater!r}) labelled item "
                f"{show(items[j])} (column {item!r}) more than once (row {j}); pass "
                "duplicates='average' to count each rater once per item.")
        pair_code = np.unique(pair, return_inverse=True)[1]
        weight = 1.0 / np.bincount(pair_code)[pair_code]
        notes.append(f"{int(seen.sum())} repeated (item, rater) labels were averaged: each "
                     "of a rater's m labels on an item has weight 1/m.")

    # items x (rater, given) weights: E-step sums and M-step counts are products with it
    col = r_code * k + given
    design = sparse.csr_matrix((weight, (i_code, col)), shape=(n_items, n_raters * k))
    design.sum_duplicates()
    design.sort_indices()
    design_t = design.T.tocsr()

    def m_step(post: FloatArray) -> tuple[FloatArray, FloatArray]:
        # counts[r, g, c]: expected number of items of true class c to which r gave g
        counts = np.asarray(design_t @ post).reshape(n_raters, k, k) + smoothing
        counts = np.maximum(counts, FLOOR)
        theta = counts / counts.sum(axis=1, keepdims=True)      # P(given g | true c)
        priors = post.mean(axis=0)
        return priors, theta

    def e_step(priors: FloatArray, theta: FloatArray) -> tuple[FloatArray, float]:
        log_theta = np.log(np.maximum(theta, FLOOR)).reshape(n_raters * k, k)
        joint = np.asarray(design @ log_theta) + np.log(np.maximum(priors, FLOOR))
        top = joint.max(axis=1, keepdims=True)
        scaled = np.exp(joint - top)
        total = scaled.sum(axis=1, keepdims=True)
        loglik = float((np.log(total) + top).sum())
        return scaled / total, loglik

    # start: each item's vote shares (the soft majority vote)
    votes = np.bincount(i_code * k + given, weights=weight,
                        minlength=n_items * k).reshape(n_items, k)
    post = votes / votes.sum(axis=1, keepdims=True)
    priors, theta = m_step(post)
    converged = False
    previous = -np.inf
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is a result
        post, loglik = e_step(priors, theta)
        priors, theta = m_step(post)
        if abs(loglik - previous) / n < tol:
            converged = True
            break
        previous = loglik
    post, loglik = e_step(priors, theta)
    if not converged:
        notes.append(f"EM did not converge within max_iter={max_iter} cycles (tol {tol:g}); "
                     "the estimates are those of the last cycle.")

    cat_index = pd.Index(cats)
    item_index = pd.Index(i_keys, name=item)
    true_idx = pd.Index(cats, name="true")
    given_idx = pd.Index(cats, name="given")
    confusion = {
        _scalar(r_keys[r]): pd.DataFrame(theta[r].T, index=true_idx, columns=given_idx)
        for r in range(n_raters)
    }
    label_codes = post.argmax(axis=1)
    per_rater = np.bincount(r_code, minlength=n_raters)
    accuracy = (priors[None, :] * np.diagonal(theta, axis1=1, axis2=2)).sum(axis=1)
    return DawidSkene(
        confusion=confusion,
        priors=pd.Series(priors, index=cat_index, name="prior"),
        posterior=pd.DataFrame(post, index=item_index, columns=cat_index),
        labels=pd.Series(cat_index.take(label_codes).to_numpy(), index=item_index,
                         name=rating),
        table=pd.DataFrame({"rater": r_keys, "n_labels": per_rater,
                            "accuracy": accuracy}),
        categories=tuple(_scalar(c) for c in cats),
        iterations=int(iterations), converged=converged, log_likelihood=loglik,
        n_items=n_items, n_raters=n_raters, n_labels=n,
        smoothing=smoothing, max_iter=max_iter, tol=tol, duplicates=duplicates,
        notes=tuple(notes),
    )
