"""Every capability and Pareto result survives ``to_dict`` -> JSON -> ``ss.from_dict``.

Built from the bundled moderation data and the reference data in tests/data; the payload
is strict JSON, comes back as the same type, and writes the same payload again.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_round_trip
from refdata import load

import sixsigma as ss
from sixsigma._result import Result


@pytest.fixture(scope="module")
def audits() -> Any:
    return ss.datasets.load("baseline").audits


def _human(audits: pd.DataFrame) -> Any:
    return audits[audits["handle_seconds"] > 0].head(400)


def _rings() -> Any:
    rings = load("pistonrings")
    return rings[rings["phase"] == "trial"]


BUILDERS: dict[str, Any] = {
    "capability_subgroups": lambda a: ss.capability.capability(
        _rings(), "diameter_mm", 73.95, 74.05, target=74.0, subgroup="subgroup"),
    "capability_dates": lambda a: ss.capability.capability(
        _human(a), "handle_seconds", usl=300.0, subgroup="day"),
    "capability_one_spec": lambda a: ss.capability.capability(
        _human(a)["handle_seconds"].to_numpy(), usl=300.0),
    "percentile": lambda a: ss.capability.percentile_capability(
        _human(a), "handle_seconds", usl=300.0),
    "boxcox": lambda a: ss.capability.boxcox_capability(
        _human(a), "handle_seconds", usl=300.0, subgroup="day"),
    "johnson": lambda a: ss.capability.johnson_capability(
        _human(a), "handle_seconds", usl=300.0),
    "normality": lambda a: ss.capability.normality_test(_human(a)["handle_seconds"]),
    "sigma_metrics": lambda a: ss.capability.sigma_metrics(
        int((a["error_type"] != "").sum()), len(a), defectives=int((a["error_type"] != "")
                                                                  .sum())),
    "sigma_metrics_zero": lambda a: ss.capability.sigma_metrics(0, 500, interval="exact"),
    "rolled_yield": lambda a: ss.capability.rolled_throughput_yield(
        {"review": 0.95, "qa": 0.98, "appeal": 0.99}),
    "capability_cpm_minitab": lambda a: ss.capability.capability(
        _rings(), "diameter_mm", 73.95, 74.05, target=74.02, subgroup="subgroup",
        cpm_method="minitab"),
    "binomial": lambda a: ss.capability.binomial_capability(
        ss.datasets.load("daily_audits").audits, "errors", "audited", "day", target=0.06),
    "binomial_raw": lambda a: ss.capability.binomial_capability(
        a.assign(err=(a["error_type"] != "").astype(int)), "err", label="day"),
    "poisson": lambda a: ss.capability.poisson_capability(
        ss.datasets.load("daily_audits").audits, "errors", "audited", "day", target=0.05),
    "pareto": lambda a: ss.pareto.pareto(a[a["error_type"] != ""], "error_type"),
    "pareto_weighted_by": lambda a: ss.pareto.pareto(
        a[a["error_type"] != ""], "error_type", weight="severity", by="region", top=3),
    "pareto_comparison": lambda a: ss.pareto.compare_pareto(
        a[(a["error_type"] != "") & (a["day"] < a["day"].median())],
        a[(a["error_type"] != "") & (a["day"] >= a["day"].median())], "policy"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_round_trip(name: str, audits: pd.DataFrame) -> None:
    result = BUILDERS[name](audits)
    assert isinstance(result, Result)
    again = assert_round_trip(result)
    again.summary()
    again._repr_html_()


def test_every_result_class_is_covered(audits: pd.DataFrame) -> None:
    kinds = {type(BUILDERS[name](audits)).kind for name in BUILDERS}
    ours = {kind for kind, cls in ss._result.registry().items()
            if cls.__module__.startswith(("sixsigma.capability", "sixsigma.pareto"))}
    assert ours <= kinds


def test_capability_chart_is_rebuilt_equal(audits: pd.DataFrame) -> None:
    result = BUILDERS["capability_dates"](audits)
    again = ss.from_dict(json.loads(json.dumps(result.to_dict())))
    assert isinstance(again, ss.capability.Capability)
    assert again.chart.location.sigma == result.chart.location.sigma == result.sigma_within
    assert np.array_equal(again.chart.location.statistic, result.chart.location.statistic)
    assert list(again.chart.location.labels) == list(result.chart.location.labels)
    assert again.groups is not None and result.groups is not None
    assert np.array_equal(again.groups, result.groups)
