"""Make the Dawid-Skene test data and crowd-kit's reference values for it.

Run once, with a Python that has crowd-kit (a throwaway venv; crowd-kit is not a dependency
of sixsigma and is never installed by ``make test``)::

    python3 -m venv /tmp/ck && /tmp/ck/bin/pip install crowd-kit
    /tmp/ck/bin/python tests/data/make_dawid_skene_reference.py

Writes, next to this script:

- ``dawid_skene_labels.csv``: the seeded simulated set, one row per label: ``item``,
  ``rater``, ``label`` and the simulated ``truth`` of the item;
- ``dawid_skene_truth.csv``: the confusion matrices the raters were simulated with
  (``rater``, ``true``, ``given``, ``p``) and the class priors (rater ``"prior"``);
- ``dawid_skene_crowdkit_labels.csv``: crowd-kit ``DawidSkene`` labels (``item``, ``label``);
- ``dawid_skene_crowdkit_confusion.csv``: crowd-kit's error matrices in long form
  (``rater``, ``true``, ``given``, ``p`` = P(given | true)) and its priors;
- ``dawid_skene_reference.md``: provenance (crowd-kit version, command, date).

The simulation: 2,000 items, 4 classes with priors 0.5/0.25/0.15/0.10; 10 raters, seven
"regular" ones labelling each item with probability 0.5 and three sparse ones with
probability 0.03; every item gets at least one label (a random regular rater when the
draw gave none), so some items have a single label. Rater r's confusion matrix has
diagonal accuracy ACCURACY[r] on every true class and the rest spread over the other
classes by a Dirichlet(1, 1, 1) draw.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261206
N_ITEMS = 2_000
CLASSES = ("abuse", "ok", "spam", "violent")
PRIORS = np.array([0.25, 0.50, 0.15, 0.10])
RATERS = tuple(f"r{j:02d}" for j in range(10))
ACCURACY = np.array([0.92, 0.88, 0.85, 0.80, 0.75, 0.70, 0.65, 0.90, 0.80, 0.60])
RATE = np.array([0.5] * 7 + [0.03] * 3)


def simulate() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The labels and the truth (confusion matrices and priors), seeded."""
    rng = np.random.default_rng(SEED)
    k, m = len(CLASSES), len(RATERS)
    conf = np.zeros((m, k, k))
    for r in range(m):
        for c in range(k):
            off = rng.dirichlet(np.ones(k - 1)) * (1 - ACCURACY[r])
            conf[r, c] = np.insert(off, c, ACCURACY[r])
    truth = rng.choice(k, size=N_ITEMS, p=PRIORS)
    rated = rng.random((N_ITEMS, m)) < RATE
    none = ~rated.any(axis=1)
    rated[np.flatnonzero(none), rng.integers(0, 7, size=int(none.sum()))] = True
    item_idx, rater_idx = np.nonzero(rated)
    u = rng.random(item_idx.size)
    cum = np.cumsum(conf[rater_idx, truth[item_idx]], axis=1)
    given = (u[:, None] > cum).sum(axis=1)
    labels = pd.DataFrame({
        "item": [f"it{i:04d}" for i in item_idx],
        "rater": np.asarray(RATERS)[rater_idx],
        "label": np.asarray(CLASSES)[given],
        "truth": np.asarray(CLASSES)[truth[item_idx]],
    })
    rows = [{"rater": RATERS[r], "true": CLASSES[c], "given": CLASSES[g], "p": conf[r, c, g]}
            for r in range(m) for c in range(k) for g in range(k)]
    rows += [{"rater": "prior", "true": CLASSES[c], "given": "", "p": PRIORS[c]}
             for c in range(k)]
    return labels, pd.DataFrame(rows)


def main() -> None:
    labels, truth = simulate()
    labels.to_csv(HERE / "dawid_skene_labels.csv", index=False)
    truth.to_csv(HERE / "dawid_skene_truth.csv", index=False, float_format="%.17g")

    import crowdkit
    from crowdkit.aggregation import DawidSkene

    data = labels.rename(columns={"item": "task", "rater": "worker"})[
        ["task", "worker", "label"]]
    ds = DawidSkene(n_iter=100)
    ds.fit(data)
    out = ds.labels_.rename("label").rename_axis("item").sort_index()
    out.to_csv(HERE / "dawid_skene_crowdkit_labels.csv")
    err = ds.errors_   # index (worker, given label), columns true label: P(given | true)
    rows = [{"rater": w, "true": c, "given": g, "p": float(err.loc[(w, g), c])}
            for (w, g) in err.index for c in err.columns]
    rows += [{"rater": "prior", "true": c, "given": "", "p": float(ds.priors_[c])}
             for c in ds.priors_.index]
    pd.DataFrame(rows).sort_values(["rater", "true", "given"]).to_csv(
        HERE / "dawid_skene_crowdkit_confusion.csv", index=False, float_format="%.17g")

    n_iter = len(ds.loss_history_)
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    (HERE / "dawid_skene_reference.md").write_text(f"""# Dawid-Skene reference values (crowd-kit)

Made by `tests/data/make_dawid_skene_reference.py` (its docstring describes the simulation),
run once on {today} as

    python3 -m venv /tmp/ck && /tmp/ck/bin/pip install crowd-kit
    /tmp/ck/bin/python tests/data/make_dawid_skene_reference.py

with crowd-kit {crowdkit.__version__} (`crowdkit.aggregation.DawidSkene(n_iter=100)`,
default `tol=1e-5`), pandas {pd.__version__}, numpy {np.__version__}, Python
{sys.version.split()[0]}. crowd-kit ran {n_iter} EM iterations (its loss history length).

Files:

- `dawid_skene_labels.csv`: the seeded simulated labels ({len(labels)} rows,
  {labels['item'].nunique()} items, {labels['rater'].nunique()} raters, seed {SEED}), with the
  simulated truth of each item;
- `dawid_skene_truth.csv`: the simulated confusion matrices P(given | true) and priors;
- `dawid_skene_crowdkit_labels.csv`: crowd-kit's `labels_`;
- `dawid_skene_crowdkit_confusion.csv`: crowd-kit's `errors_` (long form, P(given | true);
  only the given labels a rater used appear, as in crowd-kit) and `priors_`.

crowd-kit's conventions: the start is the vote share of each label on each task
(`MajorityVote().fit_predict_proba`), then an M-step; the M-step sums the task posteriors
per (worker, given label), clips them below at 1e-10 (no pseudo-count) and normalises per
worker and true label; priors are the mean posteriors; it stops when its evidence lower
bound per label gains less than `tol`; labels are `idxmax` of the last E-step's
posteriors (ties to the first label in sorted order).

sixsigma's `ss.msa.dawid_skene` uses the same start, E-step, M-step, unsmoothed priors and
tie rule. It differs in three ways: it adds a pseudo-count `smoothing` (default 0.01) to
every confusion count before the 1e-10 floor (`smoothing=0` is crowd-kit's M-step); it
stops when the log-likelihood per label changes by less than `tol` (default 1e-6) rather
than on the evidence lower bound with 1e-5; and it ends with an E-step, so its posteriors
belong to the returned confusion matrices (crowd-kit's are one M-step behind).
`tests/msa/test_dawid_skene.py` requires >= 98 % label agreement and confusion diagonals
within 0.02 (0.01 with `smoothing=0`); when this file was made: 100 % of labels, largest
diagonal difference 0.016 (default smoothing) and 0.0044 (`smoothing=0`), the largest ones
on the three sparse raters.
""")


if __name__ == "__main__":
    main()
