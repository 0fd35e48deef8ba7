"""Every chart result survives ``to_dict`` -> JSON -> ``ss.from_dict`` as an equal, typed result.

Built from the bundled data (``daily_audits``, the ``baseline`` raw audit records) and the
reference files in tests/data, with datetime, text and integer point labels.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_round_trip
from refdata import load

import sixsigma as ss


def _daily() -> pd.DataFrame:
    audits = ss.datasets.load("daily_audits").audits
    return audits.assign(day_text=audits.day.dt.strftime("%Y-%m-%d"),
                         day_number=np.arange(1, len(audits) + 1))


def _changes() -> pd.DataFrame:
    return ss.datasets.load("daily_audits").changes


def _records() -> pd.DataFrame:
    audits = ss.datasets.load("baseline").audits
    return audits.assign(is_error=audits.error_type.fillna("").ne("").astype(int))


def _gaps(d: pd.DataFrame) -> pd.DataFrame:
    """Items between consecutive under-enforcement days (for the g and t charts)."""
    return pd.DataFrame({"between": d.audited.cumsum()[d.under_enforcement > 8].diff()
                         .dropna().to_numpy()})


CASES: dict[str, Callable[[], Any]] = {
    # attribute charts, datetime labels, with a change log as stages
    "p_chart": lambda: ss.spc.p_chart(_daily(), defectives="errors", size="audited",
                                      label="day", stage=_changes(), rules="nelson"),
    "np_chart": lambda: ss.spc.np_chart(_daily(), defectives="errors", size="audited",
                                        label="day_text"),
    "c_chart": lambda: ss.spc.c_chart(_daily(), count="under_enforcement", label="day_number",
                                      phase1=60),
    "u_chart": lambda: ss.spc.u_chart(_daily(), count="over_enforcement", size="audited",
                                      label="day", revise=True),
    "laney_p": lambda: ss.spc.laney_p(_daily(), defectives="errors", size="audited",
                                      label="day_text", rules="western_electric"),
    "laney_u": lambda: ss.spc.laney_u(_daily(), count="wrong_policy", size="audited",
                                      label="day"),
    # raw records grouped by day where the data live
    "p_chart_raw": lambda: ss.spc.p_chart(_records(), defectives="is_error", label="day"),
    "u_chart_raw": lambda: ss.spc.u_chart(_records(), count="is_error", label="day"),
    # variables charts
    "imr": lambda: ss.spc.imr(_daily(), value="median_handle_seconds", label="day",
                              stage=_changes(), rules="nelson"),
    "imr_text": lambda: ss.spc.imr(_daily(), value="median_handle_seconds", label="day_text",
                                   exclude=["2026-01-06"]),
    "xbar_r": lambda: ss.spc.xbar_r(
        load("pistonrings").assign(trial=lambda d: d.phase.eq("trial")), value="diameter_mm",
        subgroup="subgroup", phase1="trial"),
    "xbar_s": lambda: ss.spc.xbar_s(load("pistonrings"), value="diameter_mm",
                                    subgroup="subgroup", sigma_method="pooled_sd_c4"),
    "run_chart": lambda: ss.spc.run_chart(_daily(), value="median_handle_seconds",
                                          label="day", stage=_changes()),
    # rare events
    "g_chart": lambda: ss.spc.g_chart(_gaps(_daily()), value="between"),
    "t_chart": lambda: ss.spc.t_chart(_gaps(_daily()), value="between"),
    # time-weighted
    "ewma": lambda: ss.spc.ewma(_daily(), value="median_handle_seconds", label="day", lam=0.1),
    "ewma_subgroups": lambda: ss.spc.ewma(load("pistonrings"), value="diameter_mm",
                                          subgroup="subgroup"),
    "cusum": lambda: ss.spc.cusum(_daily(), value="median_handle_seconds", label="day_text",
                                  fir=True),
    "cusum_subgroups": lambda: ss.spc.cusum(load("pistonrings"), value="diameter_mm",
                                            subgroup="subgroup", stage="phase"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_chart_round_trips_through_json(name: str) -> None:
    result = CASES[name]()
    again = assert_round_trip(result)
    charts = list(again) if isinstance(again, ss.spc.ChartPair) else [again]
    originals = list(result) if isinstance(result, ss.spc.ChartPair) else [result]
    for back, chart in zip(charts, originals, strict=True):
        # the arrays come back with their values and read-only
        np.testing.assert_array_equal(back.statistic, chart.statistic)
        np.testing.assert_array_equal(back.lcl, chart.lcl)
        np.testing.assert_array_equal(back.labels, chart.labels)
        assert back.labels.dtype.kind == chart.labels.dtype.kind or (
            back.labels.dtype == object and chart.labels.dtype.kind in "OUT")
        assert not back.ucl.flags.writeable
        assert back.stages == chart.stages or all(
            (a.name, a.start, a.stop) == (b.name, b.start, b.stop)
            for a, b in zip(back.stages, chart.stages, strict=True))
        assert back.violations == chart.violations
        pd.testing.assert_frame_equal(back.to_frame(), chart.to_frame(), check_dtype=False)


def test_kinds_are_registered() -> None:
    registry = ss._result.registry()
    assert registry["control_chart"] is ss.spc.ControlChart
    assert registry["cusum_chart"] is ss.spc.CusumChart
    assert registry["chart_pair"] is ss.spc.ChartPair


@pytest.mark.parametrize("labels", [
    pd.date_range("2026-01-01", periods=8, freq="D"),
    [f"w{k:02d}" for k in range(8)],
    list(range(10, 18)),
])
def test_label_types_round_trip(labels: Any) -> None:
    df = pd.DataFrame({"day": labels, "d": [3, 5, 4, 6, 2, 9, 4, 5], "n": [100] * 8})
    chart = ss.spc.p_chart(df, defectives="d", size="n", label="day")
    again = assert_round_trip(chart)
    assert list(again.labels) == list(chart.labels)
    assert again.labels.dtype.kind == chart.labels.dtype.kind or again.labels.dtype == object


def test_cusum_comes_back_as_a_cusum_chart() -> None:
    chart = ss.spc.cusum([0.0, 0.5, -0.2, 1.8, 2.1, 1.9, 2.2, 2.0], target=0, sigma=1)
    assert chart.to_dict()["kind"] == "cusum_chart"
    again = ss.from_dict(chart.to_dict())
    assert isinstance(again, ss.spc.CusumChart)
    np.testing.assert_array_equal(again.upper, chart.upper)
    assert (again.h, again.k) == (chart.h, chart.k)


def test_undefined_sigma_is_null_with_a_note() -> None:
    chart = ss.spc.run_chart([3.0, 4, 5, 4, 3, 4, 5, 6, 4, 3, 4, 5])
    payload = chart.to_dict()
    assert payload["sigma"] is None
    again = ss.from_dict(payload)
    assert any("sigma" in n for n in again.notes)
    assert np.isnan(again.sigma) and np.isnan(again.stages[0].sigma)
    assert again.summary() == chart.summary()


def test_a_restored_chart_freezes_limits() -> None:
    d = _daily()
    base = ss.spc.p_chart(d.iloc[:60], defectives="errors", size="audited", label="day")
    restored = ss.from_dict(json.loads(json.dumps(base.to_dict())))
    later = d.iloc[60:]
    a = ss.spc.p_chart(later, defectives="errors", size="audited", label="day", limits=base)
    b = ss.spc.p_chart(later, defectives="errors", size="audited", label="day",
                       limits=restored)
    assert a == b
