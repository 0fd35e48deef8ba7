"""Issue 14: the validation boundary, for every public function at once.

A registry, built from every public module's ``__all__`` (modules under ``sixsigma`` with no
``_``-prefixed part): each public **function** has an entry saying how to call it on small
good data and which columns and parameters it takes, or why the battery does not apply
(it takes the library's own objects, not user data). A public function missing from the
registry fails :func:`test_registry_covers_public_functions`.

The battery of bad inputs is applied to each entry wherever it makes sense (empty frame, one
row, all-NaN column, inf, text in a numeric column, bool column, negative counts,
defectives > size, size 0, duplicated columns, wrong column name, mixed-type columns, mixed
naive/aware timestamps, unsorted text dates, duplicate labels, 1e308, constant data,
non-frame inputs, polars with nulls and NaN, categorical dtype, MultiIndex columns, absurd
parameters). Each case asserts the specific :mod:`sixsigma.errors` type and that the message
names the column or parameter (and the row where one exists), with warnings as errors.

:func:`test_summary` prints the count (cases tried, handled) and lists the failures.
Known failures are ``xfail(strict=True)`` entries in :data:`KNOWN`, with the owner area.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

import sixsigma
from sixsigma import errors as E
from sixsigma.datasets import Dataset

# ---------------------------------------------------------------------------------------------
# small good data
# ---------------------------------------------------------------------------------------------

RNG = np.random.default_rng(14)
DAYS = pd.date_range("2026-01-05", periods=30, freq="D")


def measures() -> pd.DataFrame:
    """30 measurements in 6 subgroups of 5, one day each, two groups of 15."""
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "value": np.round(rng.normal(10.0, 1.0, 30), 3),
        "subgroup": np.repeat(np.arange(1, 7), 5),
        "day": DAYS,
        "group": np.repeat(["a", "b"], 15),
    })


def counts() -> pd.DataFrame:
    """20 days of counts: defectives of size, defects of size."""
    rng = np.random.default_rng(2)
    return pd.DataFrame({
        "day": DAYS[:20],
        "defectives": rng.integers(2, 12, 20),
        "size": np.full(20, 100),
        "count": rng.integers(1, 15, 20),
        "gap": rng.integers(1, 40, 20),
    })


def units() -> pd.DataFrame:
    """Counts per unit (funnel)."""
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "unit": [f"u{i:02d}" for i in range(20)],
        "defectives": rng.integers(2, 12, 20),
        "size": rng.integers(80, 200, 20),
    })


def records() -> pd.DataFrame:
    """240 raw records, one unit each: a 0/1 flag and three keys."""
    rng = np.random.default_rng(4)
    n = 240
    seg = rng.choice(["s1", "s2", "s3"], n)
    flag = (rng.random(n) < np.where(seg == "s1", 0.35, 0.1)).astype(int)
    return pd.DataFrame({
        "flag": flag,
        "seg": seg,
        "region": rng.choice(["r1", "r2"], n),
        "period": np.repeat(["before", "after"], n // 2),
        "day": np.repeat(DAYS[:12], n // 12),
    })


def categories() -> pd.DataFrame:
    return pd.DataFrame({
        "category": ["spam", "hate", "adult", "violence", "other", "spam", "hate", "spam"],
        "weight": [40.0, 25.0, 12.0, 8.0, 3.0, 6.0, 2.0, 4.0],
    })


def raters() -> pd.DataFrame:
    """Two raters on 30 items (Cohen's kappa)."""
    rng = np.random.default_rng(5)
    a = rng.choice(["x", "y", "z"], 30)
    b = np.where(rng.random(30) < 0.7, a, rng.choice(["x", "y", "z"], 30))
    return pd.DataFrame({"a": a, "b": b})


def ratings(rounds: int = 1) -> pd.DataFrame:
    """Long ratings: 12 items x 3 raters (x rounds), with a standard."""
    rng = np.random.default_rng(6)
    rows = []
    for r in range(1, rounds + 1):
        truth = rng.integers(1, 4, 12)
        for i in range(12):
            for rater in ("r1", "r2", "r3"):
                rating = truth[i] if rng.random() < 0.8 else rng.integers(1, 4)
                rows.append((r, f"i{i:02d}", rater, int(rating), int(truth[i])))
    return pd.DataFrame(rows, columns=["round", "item", "rater", "rating", "std"])


def auditors() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ref = rng.choice(["viol", "ok"], 90)
    verdict = np.where(rng.random(90) < 0.85, ref, np.where(ref == "ok", "viol", "ok"))
    return pd.DataFrame({"auditor": np.tile(["q1", "q2", "q3"], 30), "verdict": verdict,
                         "reference": ref})


def gage() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    rows = []
    parts = rng.normal(10, 2, 10)
    for p in range(10):
        for o in ("A", "B", "C"):
            for _ in range(2):
                rows.append((f"p{p}", o, round(parts[p] + rng.normal(0, 0.3), 3)))
    return pd.DataFrame(rows, columns=["part", "operator", "value"])


def strata() -> pd.DataFrame:
    return pd.DataFrame({"stratum": ["a", "b", "c"], "size": [600, 300, 100],
                         "p": [0.1, 0.2, 0.05]})


def buckets() -> pd.DataFrame:
    return pd.DataFrame({"bucket": ["low", "mid", "high"], "size": [5000, 2000, 500],
                         "rate": [0.01, 0.1, 0.5]})


def series() -> pd.DataFrame:
    """20 days of counts for two series 'a' and 'b' (screening, targets, roll-outs)."""
    rng = np.random.default_rng(9)
    return pd.DataFrame({
        "day": np.tile(DAYS[:20], 2),
        "q": np.repeat(["a", "b"], 20),
        "n": np.full(40, 200),
        "d": rng.integers(4, 20, 40),
    })


def weighted() -> pd.DataFrame:
    """Raw audit records on 12 days with a design weight (weighted p chart)."""
    rng = np.random.default_rng(10)
    n = 240
    return pd.DataFrame({
        "day": np.repeat(DAYS[:12], n // 12),
        "w": np.where(rng.random(n) < 0.7, 20.0, 2.0),
        "error": (rng.random(n) < 0.1).astype(int),
    })


@cache
def _chart() -> Any:
    return sixsigma.spc.p_chart(counts(), "defectives", "size", "day")


@cache
def _dataset() -> Dataset:
    return sixsigma.datasets.load("baseline")


def audits() -> pd.DataFrame:
    return _dataset().audits.head(200).reset_index(drop=True).copy()


def events() -> pd.DataFrame:
    ev = _dataset().events
    assert ev is not None
    ids = ev["case_id"].drop_duplicates().head(40)
    return ev[ev["case_id"].isin(ids)].reset_index(drop=True).copy()


def flow_audits() -> pd.DataFrame:
    ev = events()
    au = _dataset().audits
    return au[au["item_id"].isin(ev["case_id"])].reset_index(drop=True).copy()


# ---------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------

#: parameter kinds and their absurd values
ABSURD: dict[str, list[Any]] = {
    "confidence": [2.0, 0.0, 1.0, math.nan, -0.5],
    "alpha": [0.0, 1.0, math.nan, -0.1],
    "prob": [math.nan, -0.1, 1.5, math.inf],  # a proportion in [0, 1]
    "positive": [math.nan, math.inf, -1.0, 0.0],
    "finite": [math.nan, math.inf, -math.inf],
    "count": [math.nan, -1, 0, 1.5, math.inf],  # a whole number >= 1
    "nonneg": [math.nan, math.inf, -1.0],
    "whole": [math.nan, math.inf, -1, 1.5],  # a whole number >= 0
    "level": [0.0, math.nan, -0.1, 1.5],  # a level in (0, 1]
    "real": [math.nan],  # any number, infinities included
    "text": [5, None],
    "rules": [5, "no_such_rule"],
    "integral": [math.nan, math.inf, 1.5],  # a whole number (documented clamping below)
}


@dataclass
class Entry:
    """How to call one public function, and what its columns and parameters are.

    ``call(data, **params)`` calls it on ``data`` (``data()`` builds good data); for
    data-independent helpers ``data`` is None and ``call(**params)``.
    """

    call: Callable[..., Any]
    data: Callable[[], Any] | None = None
    numeric: tuple[str, ...] = ()        # measurements: finite numbers
    counts: tuple[str, ...] = ()         # whole numbers >= 0
    pair: tuple[str, str] | None = None  # (defectives, size): defectives <= size, size >= 1
    flags: tuple[str, ...] = ()          # 0/1 or boolean, one row per unit
    keys: tuple[str, ...] = ()           # grouping / label columns
    time: str | None = None              # one row per point: sorted, unique time labels
    params: dict[str, str] = field(default_factory=dict)  # name -> ABSURD kind
    constant: type[Exception] | None = None  # constant statistic column: this error
    one_row: bool = True                 # one row: a result or InsufficientData/ZeroVariance
    frames: bool = True                  # the data battery applies (a frame argument)
    exempt: str = ""                     # why the battery does not apply
    missing_ok: tuple[str, ...] = ()     # keys where a missing value has a meaning
    bool_ok: tuple[Any, ...] = ()        # a boolean numeric column is read as 0/1 data
    huge_ok: bool = False                # 1e308 is a valid value (no sums of squares)
    text_numbers_ok: bool = False        # numbers stored as text (or categorical) read as
    #                                      numbers, consistently (hypothesis outcomes)
    mixed_ok: bool = False               # keys may mix kinds that never print alike (1, "x")
    size0_ok: bool = False               # rows are summed per group: a row of size 0 adds
    #                                      nothing (a group of size 0 is left out with a note)
    param_errors: tuple[type[Exception], ...] = (E.ParameterError,)

    def columns(self) -> tuple[str, ...]:
        cols = (*self.numeric, *self.counts, *(self.pair or ()), *self.flags, *self.keys)
        return cols + ((self.time,) if self.time else ())


def X(reason: str) -> Entry:
    """An exempt entry: the function takes library objects or internal arrays."""
    return Entry(call=lambda: None, frames=False, exempt=reason)


OK = OK_ = "result"  # the expected outcome: a result, no warning


@cache
def _csv_file() -> str:
    import tempfile
    folder = tempfile.mkdtemp(prefix="ss-registry-")
    path = f"{folder}/m.csv"
    measures().to_csv(path, index=False)
    return path


RESULT = "takes a result object of this library, not user data"
PMAP = "takes a ProcessMap built by the library"
INTERNAL = "an internal helper on validated arrays (exported for the library's own modules)"
GENERATOR = "a step of the synthetic data generator (rng and library records)"
REPORT = "renders library objects to HTML/SVG"

M = "sixsigma."
S = sixsigma

REGISTRY: dict[str, Entry] = {
    # ---- spc -------------------------------------------------------------------------------
    "spc.attributes.p_chart": Entry(
        lambda d, **k: S.spc.p_chart(d, "defectives", "size", "day", **k), counts,
        pair=("defectives", "size"), time="day",
        params={"nsigmas": "positive", "center": "prob"}),
    "spc.attributes.np_chart": Entry(
        lambda d, **k: S.spc.np_chart(d, "defectives", "size", "day", **k), counts,
        pair=("defectives", "size"), time="day", params={"nsigmas": "positive"}),
    "spc.attributes.laney_p": Entry(
        lambda d, **k: S.spc.laney_p(d, "defectives", "size", "day", **k), counts,
        pair=("defectives", "size"), time="day", params={"nsigmas": "positive"},
        constant=E.ZeroVarianceError),
    "spc.attributes.u_chart": Entry(
        lambda d, **k: S.spc.u_chart(d, "count", "size", "day", **k), counts,
        counts=("count",), numeric=("size",), time="day", params={"nsigmas": "positive",
                                                      "center": "nonneg"}),
    "spc.attributes.laney_u": Entry(
        lambda d, **k: S.spc.laney_u(d, "count", "size", "day", **k), counts,
        counts=("count",), numeric=("size",), time="day", params={"nsigmas": "positive"},
        constant=E.ZeroVarianceError),
    "spc.attributes.c_chart": Entry(
        lambda d, **k: S.spc.c_chart(d, "count", "day", **k), counts, counts=("count",),
        time="day", params={"nsigmas": "positive", "center": "nonneg"}),
    "spc.rare.g_chart": Entry(
        lambda d, **k: S.spc.g_chart(d, "gap", "day", **k), counts, counts=("gap",),
        time="day", params={"nsigmas": "positive", "center": "nonneg"}),
    "spc.rare.t_chart": Entry(
        lambda d, **k: S.spc.t_chart(d, "gap", "day", **k), counts, numeric=("gap",),
        time="day", params={"nsigmas": "positive"}, constant=E.ZeroVarianceError),
    "spc.variables.imr": Entry(
        lambda d, **k: S.spc.imr(d, "value", "day", **k), measures, numeric=("value",),
        time="day", params={"nsigmas": "positive", "center": "finite", "sigma": "positive"},
        constant=E.ZeroVarianceError),
    "spc.variables.run_chart": Entry(
        lambda d, **k: S.spc.run_chart(d, "value", "day", **k), measures, numeric=("value",),
        time="day"),
    "spc.variables.xbar_r": Entry(
        lambda d, **k: S.spc.xbar_r(d, "value", "subgroup", **k), measures,
        numeric=("value",), keys=("subgroup",),
        params={"nsigmas": "positive", "center": "finite", "sigma": "positive"},
        constant=E.ZeroVarianceError),
    "spc.variables.xbar_s": Entry(
        lambda d, **k: S.spc.xbar_s(d, "value", "subgroup", **k), measures,
        numeric=("value",), keys=("subgroup",),
        params={"nsigmas": "positive", "center": "finite", "sigma": "positive"},
        constant=E.ZeroVarianceError),
    "spc.timeweighted.cusum": Entry(
        lambda d, **k: S.spc.cusum(d, "value", label="day", **k), measures,
        numeric=("value",), time="day",
        params={"h": "positive", "k": "nonneg", "target": "finite", "sigma": "positive"},
        constant=E.ZeroVarianceError),
    "spc.timeweighted.ewma": Entry(
        lambda d, **k: S.spc.ewma(d, "value", label="day", **k), measures,
        numeric=("value",), time="day",
        params={"lam": "prob", "L": "positive", "target": "finite", "sigma": "positive"},
        constant=E.ZeroVarianceError),
    "spc.arl.in_control_arl": Entry(
        lambda **k: S.spc.in_control_arl(**{"rules": "nelson_1", "runs": 20, **k}),
        frames=False,
        params={"runs": "count", "max_length": "count", "rules": "rules"}),
    "spc.arl.simulate_run_lengths": Entry(
        lambda **k: S.spc.arl.simulate_run_lengths(**{"rules": "nelson_1", "runs": 20,
                                                      **k}),
        frames=False, params={"runs": "count", "max_length": "count", "rules": "rules"}),
    "spc.anhoj.anhoj_limits": Entry(lambda **k: S.spc.anhoj.anhoj_limits(**{"n_useful": 20,
                                                                          **k}),
                                    frames=False, params={"n_useful": "integral"}),
    "spc.screening.screen": Entry(
        lambda d, **k: S.spc.screen(d, defectives="d", size="n", label="day", by="q", **k),
        series, pair=("d", "n"), keys=("q",),
        params={"fdr": "alpha", "target": "prob", "recent": "count"}),
    "spc.screening.laney_threshold": Entry(
        lambda **k: S.spc.screening.laney_threshold(**{"points": 20, **k}), frames=False,
        params={"points": "count"}),
    "spc.screening.limit_assurance": Entry(
        lambda **k: S.spc.screening.limit_assurance(
            **{"lcl": [0.01, 0.02], "ucl": [0.08, 0.09], "target": 0.05,
               "direction": "lower", **k}),
        frames=False, params={"target": "finite", "direction": "text"}),
    "spc.screening.shift_p_value": Entry(
        lambda **k: S.spc.screening.shift_p_value(**{"stat": [1.2], "points": [20], **k}),
        frames=False, params={"nodes": "count"}),
    "spc.weighted.weighted_p": Entry(
        lambda d, **k: S.spc.weighted_p(d, "error", "w", label="day", **k), weighted,
        flags=("error",), numeric=("w",),
        params={"nsigmas": "positive", "confidence": "confidence"}),
    "spc.weighted.correct_rates": X(INTERNAL + " (takes caller=)"),
    "spc.rules.rule_params": X(INTERNAL + " (takes caller=)"),
    "spc.anhoj.signals": X(INTERNAL),
    "spc.rules.find_violations": X(INTERNAL),
    "spc.rules.resolve_rules": X(INTERNAL),
    "spc.sigma.median_mr": X(INTERNAL),
    "spc.sigma.moving_ranges": X(INTERNAL),
    "spc.sigma.mrbar_d2": X(INTERNAL),
    "spc.sigma.pooled_sd_c4": X(INTERNAL),
    "spc.sigma.rbar_d2": X(INTERNAL),
    "spc.sigma.sbar_c4": X(INTERNAL),
    # ---- capability ------------------------------------------------------------------------
    "capability.indices.capability": Entry(
        lambda d, **k: S.capability.capability(d, "value", **{"lsl": 6.0, "usl": 14.0, **k}),
        measures, numeric=("value",),
        params={"confidence": "confidence", "lsl": "finite", "usl": "finite",
                "target": "finite"},
        constant=E.ZeroVarianceError),
    "capability.distributions.percentile_capability": Entry(
        lambda d, **k: S.capability.percentile_capability(
            d, "value", **{"lsl": 6.0, "usl": 14.0, **k}),
        measures, numeric=("value",), params={"lsl": "finite", "usl": "finite"},
        constant=E.ZeroVarianceError),
    "capability.distributions.fit_distributions": Entry(
        lambda d, **k: S.capability.fit_distributions(d, "value", **k), measures,
        numeric=("value",), constant=E.ZeroVarianceError),
    "capability.transforms.boxcox_capability": Entry(
        lambda d, **k: S.capability.boxcox_capability(
            d, "value", **{"lsl": 6.0, "usl": 14.0, **k}),
        measures, numeric=("value",),
        params={"confidence": "confidence", "lsl": "finite", "lam": "finite"},
        constant=E.ZeroVarianceError),
    "capability.transforms.johnson_capability": Entry(
        lambda d, **k: S.capability.johnson_capability(
            d, "value", **{"lsl": 6.0, "usl": 14.0, **k}),
        measures, numeric=("value",), params={"confidence": "confidence", "usl": "finite"},
        constant=E.ZeroVarianceError),
    "capability.attributes.binomial_capability": Entry(
        lambda d, **k: S.capability.binomial_capability(d, "defectives", "size", **k), counts,
        pair=("defectives", "size"), params={"confidence": "confidence", "target": "prob"}),
    "capability.attributes.poisson_capability": Entry(
        lambda d, **k: S.capability.poisson_capability(d, "count", "size", **k), counts,
        counts=("count",), numeric=("size",),
        params={"confidence": "confidence", "target": "nonneg"}),
    "capability.normality.normality_test": Entry(
        lambda **k: S.capability.normality_test(measures()["value"].to_numpy(), **k),
        frames=False, params={"alpha": "alpha"}),
    "capability.normality.ad_statistic": X(INTERNAL),
    "capability.normality.ad_normal_p_value": Entry(
        lambda **k: S.capability.normality.ad_normal_p_value(**{"a2": 0.5, "n": 20, **k}),
        frames=False, params={"a2": "nonneg", "n": "count"}),
    "capability.indices.capability_indices": Entry(
        lambda **k: S.capability.capability_indices(
            **{"mean": 10.0, "sigma": 1.0, "lsl": 6.0, "usl": 14.0, **k}),
        frames=False, params={"mean": "finite", "sigma": "positive", "lsl": "finite"}),
    "capability.indices.capability_intervals": Entry(
        lambda **k: S.capability.capability_intervals(
            **{"indices": {"cp": 1.2, "cpk": 1.1, "pp": 1.2, "ppk": 1.1}, "n": 30, **k}),
        frames=False, params={"n": "count", "confidence": "confidence"}),
    "capability.sigma.dpmo_from_sigma": Entry(
        lambda **k: S.capability.dpmo_from_sigma(**{"level": 4.0, **k}), frames=False,
        params={"level": "real", "shift": "finite"},
        param_errors=(E.ParameterError, E.DomainError)),
    "capability.sigma.sigma_level": Entry(
        lambda **k: S.capability.sigma_level(**{"dpmo": 6210.0, **k}), frames=False,
        params={"dpmo": "nonneg", "shift": "finite"},
        param_errors=(E.ParameterError, E.DomainError)),
    "capability.sigma.sigma_metrics": Entry(
        lambda **k: S.capability.sigma_metrics(**{"count": 12, "units": 1000, **k}),
        frames=False, params={"count": "nonneg", "units": "count",
                              "opportunities": "positive", "confidence": "confidence"},
        param_errors=(E.ParameterError, E.DomainError)),
    "capability.sigma.rolled_throughput_yield": Entry(
        lambda **k: S.capability.rolled_throughput_yield(**{"yields": [0.9, 0.95], **k}),
        frames=False, params={"yields": "text"}),
    # ---- constants -------------------------------------------------------------------------
    "constants.c4": Entry(lambda **k: S.constants.c4(**{"n": 5, **k}), frames=False,
                          params={"n": "count"}),
    "constants.d2": Entry(lambda **k: S.constants.d2(**{"n": 5, **k}), frames=False,
                          params={"n": "count"}),
    "constants.d3": Entry(lambda **k: S.constants.d3(**{"n": 5, **k}), frames=False,
                          params={"n": "count"}),
    # ---- pareto ----------------------------------------------------------------------------
    "pareto.pareto": Entry(
        lambda d, **k: S.pareto.pareto(d, "category", "weight", **k), categories,
        numeric=("weight",), keys=("category",), huge_ok=True,
        params={"threshold": "prob", "other_below": "prob"}),
    "pareto.compare_pareto": Entry(
        lambda d, **k: S.pareto.compare_pareto(d, categories(), "category", "weight",
                                               weight_is_frequency=True, **k),
        categories, counts=("weight",), keys=("category",), params={"alpha": "alpha"}),
    # ---- hypothesis ------------------------------------------------------------------------
    "hypothesis.assistant.compare": Entry(
        lambda d, **k: S.hypothesis.compare(d, "value", "group", **k), measures,
        numeric=("value",), keys=("group",), bool_ok=(OK_,),
        params={"alpha": "alpha", "confidence": "confidence"}, one_row=True,
        text_numbers_ok=True),
    "hypothesis.targets.one_sample": Entry(
        lambda d, **k: S.hypothesis.one_sample(d, "value", **{"target": 10.0, **k}),
        measures, numeric=("value",),
        params={"target": "finite", "alpha": "alpha", "confidence": "confidence"},
        constant=E.ZeroVarianceError, bool_ok=(OK_, E.ParameterError),
        text_numbers_ok=True),
    "hypothesis.targets.equivalence": Entry(
        lambda d, **k: S.hypothesis.equivalence(d, "value", "group",
                                                **{"margin": 1.0, **k}),
        measures, numeric=("value",), keys=("group",),
        params={"margin": "positive", "alpha": "alpha"}, constant=E.ZeroVarianceError,
        bool_ok=(OK_,), text_numbers_ok=True),
    "hypothesis.numeric.independent_numbers": X(INTERNAL),
    "hypothesis.numeric.normality": X(INTERNAL),
    "hypothesis.numeric.paired_numbers": X(INTERNAL),
    "hypothesis.proportions.independent_proportions": X(INTERNAL),
    "hypothesis.proportions.paired_proportions": X(INTERNAL),
    "hypothesis.proportions.proportions_from_counts": X(INTERNAL),
    "hypothesis.result.sentence": X(INTERNAL),
    # ---- rootcause -------------------------------------------------------------------------
    "rootcause.scan.segment_scan": Entry(
        lambda d, **k: S.rootcause.segment_scan(d, "flag", ["seg", "region"], **k), records,
        flags=("flag",), keys=("seg", "region"),
        params={"alpha": "alpha", "confidence": "confidence", "max_depth": "count",
                "min_expected": "nonneg", "descend_share": "prob"}),
    "rootcause.funnels.funnel": Entry(
        lambda d, **k: S.rootcause.funnel(d, "defectives", "unit", size="size", **k), units,
        pair=("defectives", "size"), keys=("unit",), size0_ok=True,
        params={"target": "prob", "winsor": "prob"}),
    "rootcause.change.explain_change": Entry(
        lambda d, **k: S.rootcause.explain_change(d, "flag", "period", ["seg"],
                                                  before="before", after="after", **k),
        records, flags=("flag",), keys=("seg", "period")),
    "rootcause.counts.count_cells": X(INTERNAL),
    "rootcause.evidence.canonical": X(INTERNAL),
    "rootcause.evidence.evidence_record": X(INTERNAL),
    "rootcause.funnels.binomial_limit": X(INTERNAL),
    # ---- msa -------------------------------------------------------------------------------
    "msa.kappa.cohen_kappa": Entry(
        lambda d, **k: S.msa.cohen_kappa(d, "a", "b", **k), raters, mixed_ok=True, keys=("a", "b"),
        params={"confidence": "confidence"}),
    "msa.kappa.fleiss_kappa": Entry(
        lambda d, **k: S.msa.fleiss_kappa(d, "item", "rater", "rating", **k), ratings,
        mixed_ok=True, keys=("item", "rater", "rating"), params={"confidence": "confidence"}),
    "msa.kendall.kendall_w": Entry(
        lambda d, **k: S.msa.kendall_w(d, "item", "rater", "rating", **k), ratings,
        mixed_ok=True, keys=("item", "rater", "rating")),
    "msa.krippendorff.krippendorff_alpha": Entry(
        lambda d, **k: S.msa.krippendorff_alpha(d, "item", "rater", "rating",
                                                **{"n_boot": 50, **k}),
        ratings, mixed_ok=True, keys=("item", "rater", "rating"), missing_ok=("rating",),
        params={"confidence": "confidence", "n_boot": "whole"}),
    "msa.agreement.attribute_agreement": Entry(
        lambda d, **k: S.msa.attribute_agreement(d, "item", "rater", "rating", "std", **k),
        ratings, mixed_ok=True, keys=("item", "rater", "rating", "std"),
        params={"confidence": "confidence"}),
    "msa.rounds.agreement_by_round": Entry(
        lambda d, **k: S.msa.agreement_by_round(d, "round", "item", "rater", "rating",
                                                **{"n_boot": 50, **k}),
        lambda: ratings(2), mixed_ok=True, keys=("round", "item", "rater", "rating"),
        params={"confidence": "confidence", "n_boot": "whole"}),
    "msa.rounds.compare_rounds": Entry(
        lambda d, **k: S.msa.compare_rounds(d, "round", "item", "rater", "rating", first=1,
                                            second=2, **{"n_boot": 50, **k}),
        lambda: ratings(2), mixed_ok=True, keys=("round", "item", "rater", "rating"),
        params={"confidence": "confidence", "n_boot": "whole"}),
    "msa.auditors.auditor_accuracy": Entry(
        lambda d, **k: S.msa.auditor_accuracy(d, "auditor", "verdict", "reference",
                                              **{"positive": "viol", **k}),
        auditors, mixed_ok=True, keys=("auditor", "verdict", "reference"),
        params={"confidence": "confidence", "fdr": "level"}),
    "msa.gage.gage_rr": Entry(
        lambda d, **k: S.msa.gage_rr(d, "part", "operator", "value", **k), gage,
        numeric=("value",), keys=("part", "operator"),
        params={"study_multiplier": "positive", "tolerance": "positive"},
        constant=E.ZeroVarianceError),
    "msa.correction.corrected_rate": Entry(
        lambda **k: S.msa.corrected_rate(**{"defectives": 30, "size": 200,
                                            "sensitivity": 0.9, "specificity": 0.95, **k}),
        frames=False, params={"defectives": "nonneg", "size": "count",
                              "sensitivity": "prob", "specificity": "prob",
                              "confidence": "confidence"}),
    "msa.latent_class.dawid_skene": Entry(
        lambda d, **k: S.msa.dawid_skene(d, "item", "rater", "rating", **k), ratings,
        mixed_ok=True, keys=("item", "rater", "rating"),
        params={"max_iter": "count", "tol": "positive", "smoothing": "nonneg"}),
    "msa.kappa.fleiss_from_counts": X(INTERNAL),
    "msa.kendall.concordance": X(INTERNAL),
    "msa.kendall.tau_b": X(INTERNAL),
    "msa.krippendorff.alpha_from_counts": X(INTERNAL),
    # ---- moderation ------------------------------------------------------------------------
    "moderation.quality.metrics": Entry(
        lambda d, **k: S.moderation.metrics(d, **{"which": "accuracy", **k}), audits,
        keys=("decision", "qa_decision"), missing_ok=("qa_decision",),
        params={"confidence": "confidence", "sla_seconds": "positive"}),
    "moderation.validate.validate_audits": Entry(
        lambda d, **k: S.moderation.validate_audits(d, **k), audits,
        keys=("decision", "qa_decision"), missing_ok=("qa_decision",)),
    "moderation.adapter.standardize": Entry(
        lambda d, **k: S.moderation.standardize(d, **k), audits,
        keys=("decision", "qa_decision"), missing_ok=("qa_decision",)),
    "moderation.classify.classify_errors": Entry(
        lambda **k: S.moderation.classify_errors(
            **{"decision": ["spam", "no_violation"], "qa_decision": ["spam", "spam"], **k}),
        frames=False, params={"decision": "text"},
        param_errors=(E.ParameterError, E.InputError)),
    "moderation.appeal.appeals": Entry(
        lambda d, **k: S.moderation.appeals(d, **k), audits,
        keys=("decision",), params={"confidence": "confidence", "min_audits": "whole"}),
    "moderation.dsa.transparency": Entry(
        lambda d, **k: S.moderation.transparency(d, "month", **k), audits,
        keys=("decision",), params={"confidence": "confidence"}),
    "moderation.schema.rename_map": X(INTERNAL),
    # ---- targets, roll-outs ----------------------------------------------------------------
    "targets.propose": Entry(
        lambda d, **k: S.targets.propose(d, "d", size="n", label="day", by="q", **k), series,
        pair=("d", "n"), keys=("q",), size0_ok=True,
        params={"confidence": "confidence", "min_n": "whole"}),
    "targets.assurance": Entry(
        lambda **k: S.targets.assurance(**{"chart": _chart(), "target": 0.1, **k}),
        frames=False, params={"target": "finite", "direction": "text"}),
    "rollout.track": Entry(
        lambda d, **k: S.rollout.track(d, "d", size="n", label="day", unit="q",
                                       go_live={"a": DAYS[0]}, **k),
        series, pair=("d", "n"), keys=("q",), size0_ok=True,
        params={"confidence": "confidence", "fdr": "alpha"}),
    "rollout.mantel_haenszel_rd": Entry(
        lambda **k: S.rollout.mantel_haenszel_rd(
            **{"x1": [11, 16], "n1": [36, 20], "x0": [10, 22], "n0": [37, 32], **k}),
        frames=False, params={"confidence": "confidence"}),
    # ---- sampling --------------------------------------------------------------------------
    "sampling.allocation.allocate": Entry(
        lambda d, **k: S.sampling.allocate(d, **{"total": 100, **k}), strata,
        counts=("size",), keys=("stratum",),
        params={"total": "count", "confidence": "confidence", "minimum": "nonneg"}),
    "sampling.buckets.allocate_by_score": Entry(
        lambda d, **k: S.sampling.allocate_by_score(d, **{"budget": 300, **k}), buckets,
        counts=("size",), keys=("bucket",), numeric=("rate",),
        params={"budget": "count", "confidence": "confidence"}),
    "sampling.estimation.estimate": Entry(
        lambda d, **k: S.sampling.estimate(d, "flag", strata="seg", **k), records,
        flags=("flag",), keys=("seg",), params={"confidence": "confidence"}),
    "sampling.estimation.prevalence": Entry(
        lambda d, **k: S.sampling.prevalence(d, "flag", by="region", **k), records,
        flags=("flag",), keys=("region",), params={"confidence": "confidence"}),
    "sampling.pchart.pchart_arl": Entry(
        lambda **k: S.sampling.pchart_arl(**{"p0": 0.05, "p1": 0.08, "n": 200, **k}),
        frames=False, params={"p0": "prob", "n": "count", "nsigmas": "positive"}),
    "sampling.pchart.pchart_detectable_shift": Entry(
        lambda **k: S.sampling.pchart_detectable_shift(
            **{"p0": 0.05, "n": 200, "days": 10, **k}),
        frames=False, params={"p0": "prob", "n": "count", "days": "positive",
                              "nsigmas": "positive"}),
    "sampling.power.power_two_proportions": Entry(
        lambda **k: S.sampling.power_two_proportions(**{"p1": 0.05, "p2": 0.08,
                                                        "n1": 500, **k}),
        frames=False, params={"p1": "prob", "n1": "count", "alpha": "alpha"}),
    "sampling.power.sample_size_two_proportions": Entry(
        lambda **k: S.sampling.sample_size_two_proportions(**{"p1": 0.05, "p2": 0.08, **k}),
        frames=False, params={"p1": "prob", "power": "alpha", "alpha": "alpha",
                              "ratio": "positive"}),
    "sampling.proportion.margin_of_error": Entry(
        lambda **k: S.sampling.margin_of_error(**{"p": 0.1, "n": 400, **k}), frames=False,
        params={"p": "prob", "n": "count", "confidence": "confidence",
                "population": "count"}),
    "sampling.proportion.sample_size_proportion": Entry(
        lambda **k: S.sampling.sample_size_proportion(**{"p": 0.1, "margin": 0.02, **k}),
        frames=False, params={"p": "prob", "margin": "positive", "confidence": "confidence",
                              "population": "count"}),
    # ---- flow ------------------------------------------------------------------------------
    "flow.discovery.discover": Entry(
        lambda d, **k: S.flow.discover(d, **k), events,
        mixed_ok=True, keys=("case_id", "activity"), time=None),
    "flow.defects.hotspots": Entry(
        lambda d, **k: S.flow.hotspots(d, flow_audits(), **k), events,
        mixed_ok=True, keys=("case_id", "activity")),
    "flow.defects.escapes": Entry(
        lambda d, **k: S.flow.escapes(d, flow_audits(), **k), events,
        mixed_ok=True, keys=("case_id", "activity")),
    "flow.defects.attribute": Entry(
        lambda d, **k: S.flow.defects.attribute(d, flow_audits(), **k), events,
        mixed_ok=True, keys=("case_id", "activity")),
    "flow.analysis.back_edges": X(PMAP),
    "flow.analysis.bottlenecks": X(PMAP),
    "flow.analysis.cycle_efficiency": X(PMAP),
    "flow.analysis.rework_loops": X(PMAP),
    "flow.analysis.yields": X(PMAP),
    "flow.export.to_dot": X(PMAP),
    "flow.export.to_mermaid": X(PMAP),
    "flow.markov_chain.defect_flow": X(PMAP),
    "flow.markov_chain.markov": X(PMAP),
    "flow.markov_chain.transition_matrix": X(PMAP),
    # ---- provenance, io, datasets ----------------------------------------------------------
    "provenance.fingerprint": Entry(lambda d, **k: S.provenance.fingerprint(d, **k),
                                    measures, one_row=True),
    "io.read": Entry(lambda **k: S.io.read(**{"path": _csv_file(), **k}),
                     frames=False, params={"path": "text"}),
    "io.configure": Entry(lambda **k: S.io.configure(**k), frames=False,
                          params={"threads": "count"}),
    "io.connection": X("no arguments: returns the shared DuckDB connection"),
    "io.reset": X("no arguments: closes the shared DuckDB connection"),
    "datasets.load": Entry(lambda **k: S.datasets.load(**{"name": "baseline", **k}),
                           frames=False, params={"name": "text"}),
    "datasets.list": X("no arguments"),
    "datasets.generator.generate_moderation": Entry(
        lambda **k: S.datasets.generate_moderation(
            **{"days": 3, "daily_volume": 200, "events": False, "calibration": False, **k}),
        frames=False, params={"days": "count", "daily_volume": "count",
                              "audit_rate": "prob", "seed": "whole", "scenario": "text"}),
    "datasets.many_series.generate_many_series": Entry(
        lambda **k: S.datasets.many_series.generate_many_series(
            **{"days": 10, "queues": 1, "policies": 1, "markets": 2, "shifts": 1, **k}),
        frames=False, params={"seed": "whole", "days": "count", "markets": "count"}),
    "datasets.qa_design.generate_qa_design": Entry(
        lambda **k: S.datasets.qa_design.generate_qa_design(
            **{"days": 4, "daily_volume": 500, "audits_per_day": 40, "design_change_day": 2,
               "gold_per_day": 2, "calibration_items": 20, **k}),
        frames=False, params={"seed": "whole", "days": "count", "daily_volume": "count"}),
    "datasets.rollouts.generate_rollout": Entry(
        lambda **k: S.datasets.rollouts.generate_rollout(
            **{"days": 57, "daily_volume": 20, **k}),
        frames=False, params={"seed": "whole", "days": "count", "audit_rate": "prob"}),
    "datasets.scenarios.get_scenario": X(GENERATOR),
    "datasets.audits.audit_frame": X(GENERATOR),
    "datasets.audits.item_ids": X(GENERATOR),
    "datasets.audits.sample_items": X(GENERATOR),
    "datasets.audits.sort_items": X(GENERATOR),
    "datasets.audits.strings": X(GENERATOR),
    "datasets.calibration.calibration_exercise": X(GENERATOR),
    "datasets.calibration.round_dates": X(GENERATOR),
    "datasets.events.event_log": X(GENERATOR),
    "datasets.population.make_roster": X(GENERATOR),
    "datasets.shipped.read_scenario": X(GENERATOR),
    "datasets.shipped.scenario_texts": X(GENERATOR),
    "datasets.shipped.write_scenarios": X(GENERATOR),
    "datasets.truth.expected_rates": X(GENERATOR),
    "datasets.truth.moderation_truth": X(GENERATOR),
    # ---- results, plots, reports -----------------------------------------------------------
    "_result.from_dict": X("rebuilds a result from its to_dict() payload"),
    **{f"plot.{m}.{f}": X(RESULT) for m, fs in {
        "capability": ("attribute_capability_report", "capability_histogram",
                       "capability_sixpack", "histogram_bins"),
        "charts": ("control_chart",), "flow": ("layout", "process_map"),
        "msa": ("agreement_by_appraiser", "agreement_rounds", "auditor_rounds",
                "gage_rr_components", "kappa_by_category"),
        "pareto": ("pareto_chart",), "rootcause": ("funnel_plot", "segment_bars"),
    }.items() for f in fs},
    **{f"report.{m}.{f}": X(REPORT) for m, fs in {
        "pages": ("agreement_report", "analysis_report", "capability_report", "chart_report",
                  "flow_report", "hotspots_report", "pareto_report"),
        "render": ("fmt", "render", "table", "write"),
        "sections": ("hotspots", "process_map", "sections"), "svg": ("figure", "to_svg"),
        "rollouts": ("forest_svg", "rollout_report", "rollout_sections"),
        "screening": ("assurance_icon", "goal_plot_svg", "screen_report", "sparkline",
                      "variation_icon"),
    }.items() for f in fs},
}


def public_functions() -> dict[str, Callable[..., Any]]:
    """Every function in the ``__all__`` of a public module, by defining module + name."""
    found: dict[str, Callable[..., Any]] = {}
    names = [sixsigma.__name__] + [
        m.name for m in pkgutil.walk_packages(sixsigma.__path__, M)
        if not any(part.startswith("_") for part in m.name.split("."))]
    for name in names:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, None)
            if inspect.isfunction(obj) and obj.__module__.startswith(M):
                found[f"{obj.__module__.removeprefix(M)}.{obj.__name__}"] = obj
    return found


# ---------------------------------------------------------------------------------------------
# the battery
# ---------------------------------------------------------------------------------------------



@dataclass
class Case:
    func: str
    name: str
    make: Callable[[], Any] | None  # the (bad) data; None: data-independent
    params: dict[str, Any]
    expect: tuple[Any, ...]  # error types (or OK)
    names: tuple[str, ...]  # the message must name one of these ...
    row: int | None = None  # ... and this row

    @property
    def id(self) -> str:
        return f"{self.func}:{self.name}"


def _with(make: Callable[[], pd.DataFrame], fn: Callable[[pd.DataFrame], Any]
          ) -> Callable[[], Any]:
    def build() -> Any:
        return fn(make())
    return build


def _set(col: str, row: int, value: Any, dtype: Any = None) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        s = df[col].astype(object if dtype is None else dtype)
        s.iloc[row] = value
        df[col] = s
        return df
    return fn


def _col(col: str, values: Callable[[pd.Series], Any]) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        df[col] = values(df[col])
        return df
    return fn


def _polars(fn: Callable[[pd.DataFrame], pd.DataFrame] | None = None, *, col: str,
            value: Any) -> Callable[[pd.DataFrame], Any]:
    def build(df: pd.DataFrame) -> Any:
        out = pl.from_pandas(df if fn is None else fn(df))
        vals = out[col].to_list()
        vals[2] = value
        return out.with_columns(pl.Series(col, vals, dtype=pl.Float64, strict=False))
    return build


DATA_ERRORS = (E.InsufficientDataError, E.ZeroVarianceError)


def data_cases(func: str, e: Entry) -> Iterator[Case]:
    assert e.data is not None
    make = e.data
    cols = e.columns()
    some = cols or tuple(make().columns)
    first = some[0]
    yield Case(func, "good data", make, {}, (OK,), ())
    yield Case(func, "empty frame", _with(make, lambda d: d.iloc[:0]), {},
               (E.InsufficientDataError,), some)
    # too little data as a whole: no column or row to name
    yield Case(func, "one row", _with(make, lambda d: d.iloc[:1].copy()), {},
               (OK, *DATA_ERRORS) if e.one_row else DATA_ERRORS, ())
    yield Case(func, "non-frame int", lambda: 5, {}, (E.InputError,), ("data", "int"))
    yield Case(func, "non-frame str", lambda: "value", {}, (E.InputError,), ("data", "str"))
    yield Case(func, "non-frame 2-D array", lambda: np.ones((3, 3)), {}, (E.InputError,),
               ("array", "shape"))
    yield Case(func, "ragged dict", _with(make, lambda d: {
        **{c: d[c].tolist() for c in d.columns}, first: d[first].tolist()[:-1]}), {},
               (E.InputError,), (first,))
    yield Case(func, "MultiIndex columns", _with(make, lambda d: d.set_axis(
        pd.MultiIndex.from_tuples([("k", c) for c in d.columns]), axis=1)), {},
               (E.InputError,), ("multi-level",))
    yield Case(func, f"duplicated column {first!r}", _with(
        make, lambda d: pd.concat([d, d[[first]]], axis=1)), {}, (E.ColumnError,), (first,))
    if not cols:  # the function reads every column: no name to get wrong
        return
    yield Case(func, f"wrong column name {first!r}", _with(
        make, lambda d: d.rename(columns={first: first + "_x"})), {}, (E.ColumnError,),
               (first,))
    numbers = (*(e.pair or ()), *e.counts, *e.numeric)
    for c in (*numbers, *e.flags):
        yield Case(func, f"all-NaN {c!r}", _with(make, _col(c, lambda s: np.nan)), {},
                   (E.MissingValueError,), (c,), 0)
        yield Case(func, f"inf in {c!r}", _with(make, _set(c, 2, math.inf, float)), {},
                   (E.DomainError,), (c,), 2)
        yield Case(func, f"text in {c!r}", _with(make, _set(c, 2, "abc")), {},
                   (E.NonNumericError,), (c,), 2)
        as_text = (OK,) if e.text_numbers_ok else (E.NonNumericError,)
        yield Case(func, f"numbers as text in {c!r}", _with(
            make, _col(c, lambda s: s.astype(str))), {}, as_text,
                   () if e.text_numbers_ok else (c,), 0)
        yield Case(func, f"mixed text/number {c!r}", _with(
            make, _mixed(c)), {},
                   (OK,) if e.text_numbers_ok else (E.InputError,),
                   () if e.text_numbers_ok else (c,), 2)
        yield Case(func, f"polars null in {c!r}", _with(make, _polars(col=c, value=None)), {},
                   (E.MissingValueError,), (c,), 2)
        yield Case(func, f"polars NaN in {c!r}", _with(make, _polars(col=c, value=math.nan)),
                   {}, (E.MissingValueError,), (c,), 2)
        yield Case(func, f"categorical {c!r}", _with(
            make, _col(c, lambda s: s.astype("category"))), {}, as_text,
                   () if e.text_numbers_ok else (c,))
    for c in numbers:
        yield Case(func, f"bool {c!r}", _with(make, _col(c, lambda s: s > s.median())), {},
                   e.bool_ok or (E.NonNumericError,), () if e.bool_ok else (c,))
        yield Case(func, f"1e308 in {c!r}", _with(make, _set(c, 2, 1e308, float)), {},
                   (OK, E.DomainError) if e.huge_ok else (E.DomainError,), (c,), 2)
        yield Case(func, f"constant {c!r}", _with(make, _col(c, lambda s: s.iloc[0])), {},
                   (e.constant,) if e.constant and c == numbers[0] else (OK,), (c,))
    for c in (*e.counts, *(e.pair or ())):
        yield Case(func, f"negative count in {c!r}", _with(make, _set(c, 2, -1)), {},
                   (E.DomainError,), (c,), 2)
        yield Case(func, f"fractional count in {c!r}", _with(make, _set(c, 2, 2.5, float)), {},
                   (E.DomainError,), (c,), 2)
    if e.pair:
        d, n = e.pair
        yield Case(func, "defectives > size", _with(make, _col(d, lambda s: s.where(
            s.index != 2, 1000))), {}, (E.DomainError,), (d,), 2)
        yield Case(func, "size 0", _with(make, lambda df: _set(n, 2, 0)(_set(d, 2, 0)(df))),
                   {}, (OK, E.DomainError) if e.size0_ok else (E.DomainError,), (n,), 2)
    for c in e.flags:
        yield Case(func, f"bool flag {c!r}", _with(make, _col(c, lambda s: s.astype(bool))),
                   {}, (OK,), ())
        yield Case(func, f"flag 2 in {c!r}", _with(make, _set(c, 2, 2, int)), {},
                   (E.DomainError,), (c,), 2)
    for c in e.keys:
        miss = (OK, E.MissingValueError) if c in e.missing_ok else (E.MissingValueError,)
        yield Case(func, f"missing key in {c!r}", _with(make, _set(c, 2, None)), {},
                   miss, (c,), 2)
        yield Case(func, f"NaN key in {c!r}", _with(make, _set(c, 2, math.nan)), {},
                   miss, (c,), 2)
        yield Case(func, f"mixed-type key {c!r}", _with(make, _mixed_key(c)), {},
                   (OK, E.InputError) if e.mixed_ok else (E.InputError,), (c,), 2)
        yield Case(func, f"categorical key {c!r}", _with(
            make, _col(c, lambda s: s.astype("category"))), {}, (OK,), ())
        yield Case(func, f"polars null key in {c!r}", _with(make, _polars_key(c)), {},
                   miss, (c,), 2)
    if e.time:
        t = e.time
        yield Case(func, f"duplicate labels in {t!r}", _with(make, _dup_label(t)), {},
                   (E.OrderError,), (t,), 3)
        yield Case(func, f"unsorted text dates in {t!r}", _with(make, _text_dates(t, True)),
                   {}, (E.OrderError,), (t,), 3)
        yield Case(func, f"sorted text dates in {t!r}", _with(make, _text_dates(t, False)),
                   {}, (OK,), ())
        yield Case(func, f"mixed naive/aware timestamps in {t!r}", _with(make, _naive_aware(t)),
                   {}, (E.InputError,), (t,), 2)


def _mixed(c: str) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        s = df[c].astype(object)
        s.iloc[2] = str(s.iloc[2])
        df[c] = s
        return df
    return fn


def _mixed_key(c: str) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        s = df[c].astype(object)
        s.iloc[2] = 1 if isinstance(s.iloc[0], str) else "1"
        df[c] = s
        return df
    return fn


def _polars_key(c: str) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> Any:
        out = pl.from_pandas(df)
        vals = out[c].to_list()
        vals[2] = None
        return out.with_columns(pl.Series(c, vals, dtype=out[c].dtype))
    return fn


def _dup_label(t: str) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        s = df[t].copy()
        s.iloc[3] = s.iloc[2]
        df[t] = s
        return df
    return fn


def _text_dates(t: str, swap: bool) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        s = pd.to_datetime(df[t]).dt.strftime("%Y-%m-%d").astype(object)
        if swap:
            s.iloc[2], s.iloc[3] = s.iloc[3], s.iloc[2]
        df[t] = s
        return df
    return fn


def _naive_aware(t: str) -> Callable[[pd.DataFrame], Any]:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        s = pd.Series(list(pd.to_datetime(df[t])), dtype=object)
        s.iloc[2] = pd.Timestamp(s.iloc[2]).tz_localize("UTC")
        df[t] = s
        return df
    return fn


def param_cases(func: str, e: Entry) -> Iterator[Case]:
    make = e.data if e.frames else None
    if not e.frames:
        yield Case(func, "good parameters", None, {}, (OK,), ())
    for name, kind in e.params.items():
        for value in ABSURD[kind]:
            yield Case(func, f"{name}={value!r}", make, {name: value}, e.param_errors,
                       (name,))


def all_cases() -> list[Case]:
    out: list[Case] = []
    for func, e in REGISTRY.items():
        if e.exempt:
            continue
        if e.frames:
            out.extend(data_cases(func, e))
        out.extend(param_cases(func, e))
    return out


CASES = all_cases()

#: Known failures: case id -> "<owner area>: <what>". Each is xfail(strict=True).
KNOWN: dict[str, str] = {
}


def _row_named(message: str, row: int) -> bool:
    return f"row {row}" in message or f"rows {row}" in message or "row position" in message


@cache
def run_case(case_id: str) -> str | None:
    """None when the case is handled, else what happened (readable)."""
    case = next(c for c in CASES if c.id == case_id)
    call = REGISTRY[case.func].call
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            if case.make is None:
                call(**case.params)
            else:
                data = case.make()
                call(data, **case.params)
        except Exception as err:  # noqa: BLE001 - the point is to see what escapes
            got = f"{type(err).__module__}.{type(err).__name__}: {' '.join(str(err).split())}"
            errors = tuple(x for x in case.expect if x is not OK)
            if not errors or not isinstance(err, errors):
                return f"expected {_expected(case)}; got {got[:300]}"
            msg = str(err)
            if case.names and not any(n.lower() in msg.lower() for n in case.names):
                return f"message does not name {' or '.join(map(repr, case.names))}: {got[:300]}"
            if case.row is not None and not _row_named(msg, case.row):
                return f"message does not name row {case.row}: {got[:300]}"
            return None
    if OK in case.expect:
        return None
    return f"expected {_expected(case)}; got a result"


def _expected(case: Case) -> str:
    return " or ".join("a result" if x is OK else x.__name__ for x in case.expect)


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_registry_covers_public_functions() -> None:
    found = public_functions()
    missing = sorted(set(found) - set(REGISTRY))
    assert not missing, f"public functions missing from the registry: {missing}"
    stale = sorted(set(REGISTRY) - set(found))
    assert not stale, f"registry entries that are no public function: {stale}"


def _param(case: Case) -> Any:
    marks = []
    if case.id in KNOWN:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[case.id]))
    return pytest.param(case.id, id=case.id, marks=marks)


@pytest.mark.parametrize("case_id", [_param(c) for c in CASES])
def test_bad_input(case_id: str) -> None:
    failure = run_case(case_id)
    assert failure is None, f"{case_id}: {failure}"


def _summary() -> tuple[int, dict[str, str]]:
    failures = {c.id: f for c in CASES if (f := run_case(c.id)) is not None}
    return len(CASES), failures


def test_known_failures_are_current() -> None:
    """KNOWN lists exactly the failing cases (a fixed case must leave KNOWN)."""
    _, failures = _summary()
    fixed = sorted(set(KNOWN) - set(failures))
    new = {k: v for k, v in failures.items() if k not in KNOWN}
    assert not fixed, f"fixed, remove from KNOWN: {fixed}"
    assert not new, "new failures:\n" + "\n".join(f"{k}: {v}" for k, v in new.items())


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Print and check the count: cases tried, handled (every failure is a KNOWN xfail)."""
    tried, failures = _summary()
    handled = tried - len(failures)
    exempt = sum(1 for e in REGISTRY.values() if e.exempt)
    by_area: dict[str, int] = {}
    for k in failures:
        area = KNOWN.get(k, "new").split(":")[0]
        by_area[area] = by_area.get(area, 0) + 1
    with capsys.disabled():
        print(f"\nbad-input registry: {len(REGISTRY)} functions ({exempt} exempt), "
              f"{tried} cases tried, {handled} handled, {len(failures)} known failures "
              f"({', '.join(f'{a} {n}' for a, n in sorted(by_area.items()))})")
    assert tried == len(CASES) > 0
    assert set(failures) == set(KNOWN), "KNOWN is stale: see test_known_failures_are_current"
    assert handled == tried - len(KNOWN)
