"""Dawid-Skene (ss.msa.dawid_skene): crowd-kit agreement, recovery, bad input, round trip.

Reference values: tests/data/dawid_skene_crowdkit_*.csv, made by
tests/data/make_dawid_skene_reference.py with crowd-kit 1.4.2 (provenance in
tests/data/dawid_skene_reference.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    return pd.read_csv(DATA / "dawid_skene_labels.csv")


@pytest.fixture(scope="module")
def fitted(labels: pd.DataFrame) -> ss.msa.DawidSkene:
    return ss.msa.dawid_skene(labels, "item", "rater", "label")


def _long(path: str) -> pd.DataFrame:
    return pd.read_csv(DATA / path, keep_default_na=False)


def _diagonals(result: ss.msa.DawidSkene) -> pd.Series:
    return pd.Series({(w, c): result.confusion[w].loc[c, c]
                      for w in result.confusion for c in result.categories})


# -- agreement with crowd-kit -----------------------------------------------------------------
@pytest.mark.parametrize("smoothing", [0.01, 0.0])
def test_labels_agree_with_crowdkit(labels: pd.DataFrame, smoothing: float) -> None:
    r = ss.msa.dawid_skene(labels, "item", "rater", "label", smoothing=smoothing)
    ck = pd.read_csv(DATA / "dawid_skene_crowdkit_labels.csv", index_col="item")["label"]
    assert len(ck) == r.n_items == 2000
    agree = (r.labels == ck.reindex(r.labels.index)).mean()
    assert agree >= 0.98


@pytest.mark.parametrize(("smoothing", "within"), [(0.01, 0.02), (0.0, 0.01)])
def test_confusion_diagonals_agree_with_crowdkit(
    labels: pd.DataFrame, smoothing: float, within: float
) -> None:
    r = ss.msa.dawid_skene(labels, "item", "rater", "label", smoothing=smoothing)
    ck = _long("dawid_skene_crowdkit_confusion.csv")
    diag = ck[ck.true == ck.given].set_index(["rater", "true"])["p"]
    mine = _diagonals(r)
    assert len(diag) == len(mine) == 40
    assert np.abs(mine - diag.reindex(mine.index)).max() < within
    priors = ck[ck.rater == "prior"].set_index("true")["p"]
    np.testing.assert_allclose(r.priors.to_numpy(), priors.reindex(r.priors.index), atol=2e-3)


# -- recovery of the simulated truth ----------------------------------------------------------
def test_recovers_known_confusion_matrices(labels: pd.DataFrame, fitted: ss.msa.DawidSkene) -> None:
    truth = _long("dawid_skene_truth.csv")
    true_items = labels.groupby("item")["truth"].first()
    assert (fitted.labels == true_items.reindex(fitted.labels.index)).mean() > 0.93
    # each cell within 4 binomial standard errors (n: labels the rater gave on items of
    # that true class) plus a little for the estimation of the truth itself
    n_rc = labels.groupby(["rater", "truth"]).size()
    checked = 0
    cells = truth[truth.rater != "prior"]
    for rater, true, given, p in zip(cells.rater.tolist(), cells.true.tolist(),
                                     cells.given.tolist(), cells.p.tolist(), strict=True):
        est = float(fitted.confusion[rater].loc[true, given])
        n = int(n_rc.get((rater, true), 0))
        if n < 10:   # a sparse rater that saw (almost) no item of this class
            continue
        checked += 1
        se = float(np.sqrt(max(p * (1 - p), 0.01) / n))
        assert abs(est - p) < 4 * se + 0.02, (rater, true, given, p, est)
    assert checked >= 140
    pri = truth[truth.rater == "prior"].set_index("true")["p"]
    np.testing.assert_allclose(fitted.priors.to_numpy(), pri.reindex(fitted.priors.index),
                               atol=0.03)


def test_recovers_accuracy_on_a_larger_simulation() -> None:
    rng = np.random.default_rng(7)
    n_items, k, acc = 5000, 3, np.array([0.9, 0.8, 0.7, 0.6, 0.55])
    truth = rng.integers(0, k, n_items)
    items = np.repeat(np.arange(n_items), acc.size)
    raters = np.tile(np.arange(acc.size), n_items)
    right = rng.random(items.size) < acc[raters]
    wrong = (truth[items] + rng.integers(1, k, items.size)) % k
    given = np.where(right, truth[items], wrong)
    r = ss.msa.dawid_skene({"i": items, "r": raters, "y": given}, "i", "r", "y")
    est = np.array([np.diag(r.confusion[j].to_numpy()).mean() for j in range(acc.size)])
    np.testing.assert_allclose(est, acc, atol=0.02)
    assert r.converged and r.categories == (0, 1, 2)
    assert (r.labels.to_numpy() == truth).mean() > 0.9


# -- behaviour --------------------------------------------------------------------------------
def test_shapes_and_probabilities(fitted: ss.msa.DawidSkene) -> None:
    r = fitted
    assert r.converged and 1 <= r.iterations < r.max_iter
    assert r.posterior.shape == (2000, 4) and list(r.posterior.columns) == list(r.categories)
    np.testing.assert_allclose(r.posterior.sum(axis=1), 1.0)
    np.testing.assert_allclose(r.priors.sum(), 1.0)
    for frame in r.confusion.values():
        assert frame.index.name == "true" and frame.columns.name == "given"
        np.testing.assert_allclose(frame.sum(axis=1), 1.0)
    assert (r.labels == r.posterior.idxmax(axis=1)).all()
    assert r.smoothing == 0.01 and r.n_labels == 7109 and r.n_raters == 10
    assert r.table["n_labels"].sum() == r.n_labels
    assert "smoothing 0.01" in r.summary()
    assert list(r.to_frame().columns) == ["rater", "n_labels", "accuracy"]
    assert "<table" in r._repr_html_()


def test_deterministic_and_row_order_free(labels: pd.DataFrame, fitted: ss.msa.DawidSkene) -> None:
    shuffled = labels.sample(frac=1.0, random_state=3).reset_index(drop=True)
    again = ss.msa.dawid_skene(shuffled, "item", "rater", "label")
    pd.testing.assert_series_equal(again.labels, fitted.labels)
    pd.testing.assert_frame_equal(again.posterior, fitted.posterior, atol=1e-12, rtol=0)
    assert ss.msa.dawid_skene(labels, "item", "rater", "label") == fitted


def test_ties_go_to_the_first_class() -> None:
    d = {"item": [1, 1, 2, 2], "rater": ["a", "b", "a", "b"], "y": ["x", "w", "w", "x"]}
    r = ss.msa.dawid_skene(d, "item", "rater", "y")
    np.testing.assert_allclose(r.posterior.to_numpy(), 0.5)
    assert r.labels.tolist() == ["w", "w"]
    r = ss.msa.dawid_skene(d, "item", "rater", "y", categories=["x", "w"])
    assert r.labels.tolist() == ["x", "x"]


def test_single_label_items_and_sparse_raters() -> None:
    d = {"item": [1, 1, 1, 2, 2, 2, 3, 4], "rater": ["a", "b", "c", "a", "b", "c", "a", "d"],
         "y": [1, 1, 0, 0, 0, 0, 1, 0]}
    r = ss.msa.dawid_skene(d, "item", "rater", "y")
    assert np.isfinite(r.posterior.to_numpy()).all()
    np.testing.assert_allclose(r.posterior.sum(axis=1), 1.0)
    assert r.labels.loc[3] == 1   # one label, from an otherwise reliable rater
    assert np.isfinite(r.confusion["d"].to_numpy()).all()
    assert (r.confusion["d"].to_numpy() > 0).all()   # smoothing keeps unseen cells open


def test_declared_category_never_given() -> None:
    d = {"item": [1, 1, 2, 2], "rater": ["a", "b", "a", "b"], "y": ["x", "x", "w", "w"]}
    r = ss.msa.dawid_skene(d, "item", "rater", "y", categories=["w", "x", "z"])
    assert r.posterior.shape == (2, 3) and r.labels.tolist() == ["x", "w"]
    assert r.priors["z"] < 1e-9


def test_duplicates_averaged() -> None:
    d = {"item": [1, 1, 1, 2, 2], "rater": ["a", "a", "b", "a", "b"], "y": [1, 0, 1, 0, 0]}
    with pytest.raises(InputError, match=r"rater 'a' \(column 'rater'\) labelled item 1 .*row 1"):
        ss.msa.dawid_skene(d, "item", "rater", "y")
    r = ss.msa.dawid_skene(d, "item", "rater", "y", duplicates="average")
    assert r.n_labels == 5 and r.duplicates == "average"
    assert any("averaged" in n for n in r.notes)
    assert r.labels.tolist() == [1, 0]


def test_not_converged_is_noted(labels: pd.DataFrame) -> None:
    r = ss.msa.dawid_skene(labels, "item", "rater", "label", max_iter=2)
    assert not r.converged and r.iterations == 2
    assert any("did not converge" in n for n in r.notes)


def test_input_kinds_agree(labels: pd.DataFrame, fitted: ss.msa.DawidSkene) -> None:
    pl = pytest.importorskip("polars")
    r = ss.msa.dawid_skene(pl.from_pandas(labels), "item", "rater", "label")
    assert r == fitted


# -- bad input --------------------------------------------------------------------------------
def test_missing_rating_refused() -> None:
    d = {"item": [1, 1, 2, 2], "rater": ["a", "b", "a", "b"], "y": [1, None, 0, 0]}
    with pytest.raises(MissingValueError, match=r"column 'y' has a missing rating at row 1"):
        ss.msa.dawid_skene(d, "item", "rater", "y")


def test_rater_with_no_labels_refused() -> None:
    d = {"item": [1, 1, 2, 2, 1], "rater": ["a", "b", "a", "b", "c"],
         "y": [1.0, 1.0, 0.0, 0.0, np.nan]}
    with pytest.raises(InsufficientDataError, match=r"rater 'c' \(column 'rater'\) has no "
                       r"labels.*row 4"):
        ss.msa.dawid_skene(d, "item", "rater", "y")


def test_item_with_no_labels_refused() -> None:
    d = {"item": [1, 1, 2, 2, 3], "rater": ["a", "b", "a", "b", "a"],
         "y": ["x", "x", "w", "w", None]}
    with pytest.raises(InsufficientDataError, match=r"item 3 \(column 'item'\) has no "
                       r"labels.*row 4"):
        ss.msa.dawid_skene(d, "item", "rater", "y")


def test_missing_keys_and_columns() -> None:
    d = {"item": [1, None], "rater": ["a", "b"], "y": [1, 1]}
    with pytest.raises(MissingValueError, match=r"column 'item' has a missing value at row 1"):
        ss.msa.dawid_skene(d, "item", "rater", "y")
    with pytest.raises(ColumnError, match="'who'"):
        ss.msa.dawid_skene(d, "item", "who", "y")
    with pytest.raises(InsufficientDataError, match="no rows"):
        ss.msa.dawid_skene({"item": [], "rater": [], "y": []}, "item", "rater", "y")


def test_rating_outside_categories() -> None:
    d = {"item": [1, 1], "rater": ["a", "b"], "y": ["x", "q"]}
    with pytest.raises(DomainError, match=r"column 'y' holds 'q' at row 1"):
        ss.msa.dawid_skene(d, "item", "rater", "y", categories=["x", "w"])


@pytest.mark.parametrize(("kw", "name"), [
    ({"max_iter": 0}, "max_iter"), ({"max_iter": 2.5}, "max_iter"), ({"tol": 0}, "tol"),
    ({"smoothing": -1}, "smoothing"), ({"smoothing": np.nan}, "smoothing"),
    ({"duplicates": "sum"}, "duplicates"),
])
def test_bad_parameters(kw: dict[str, object], name: str) -> None:
    d = {"item": [1, 1], "rater": ["a", "b"], "y": ["x", "x"]}
    with pytest.raises(ParameterError, match=f"'{name}'"):
        ss.msa.dawid_skene(d, "item", "rater", "y", **kw)  # type: ignore[arg-type]


# -- round trip -------------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["file", "ints"])
def test_round_trip(source: str, fitted: ss.msa.DawidSkene) -> None:
    if source == "file":
        r = fitted
    else:
        r = ss.msa.dawid_skene({"i": [1, 1, 2, 2, 3], "r": [10, 20, 10, 20, 10],
                                "y": [0, 1, 1, 1, 0]}, "i", "r", "y", max_iter=3)
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is type(r) and back.kind == "dawid_skene"
    assert back.to_dict() == d
    assert back == r
