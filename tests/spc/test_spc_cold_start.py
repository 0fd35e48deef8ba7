"""Issue 19 (cold start): the charts allocate less, and still own what they keep.

A chart keeps some input columns as they are (the I chart's values, a p chart's sizes, an
np chart's counts). The input is no longer copied wholesale (a dict used to be copied into
a pandas frame), so each kept column is copied once: a chart never changes when the user
writes to the data afterwards. Integer counts are read without a float64 copy; the
numbers are those of the float64 path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.spc import rules as rules_module


def _data(n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1919)
    size = rng.integers(80, 121, n)
    return rng.binomial(size, 0.1), size, rng.normal(10.0, 1.0, n)


def _arrays(chart: object) -> dict[str, np.ndarray]:
    charts = [chart.location, chart.dispersion] if hasattr(chart, "location") else [chart]
    return {f"{c.chart}.{f}": np.array(getattr(c, f), copy=True) for c in charts
            for f in ("statistic", "center", "lcl", "ucl", "se", "n", "labels")}


@pytest.mark.parametrize("kind", ["dict", "pandas", "array"])
def test_imr_does_not_follow_later_writes_to_the_data(kind: str) -> None:
    x = _data()[2]
    data = {"dict": {"x": x}, "pandas": pd.DataFrame({"x": x}), "array": x}[kind]
    pair = ss.spc.imr(data, value=None if kind == "array" else "x", rules="nelson")
    before = _arrays(pair)
    if isinstance(data, pd.DataFrame):
        data.loc[0, "x"] = 1e6
    x[:] = 0.0
    after = _arrays(pair)
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


@pytest.mark.parametrize("chart", ["p_chart", "np_chart", "u_chart", "laney_p"])
@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_attribute_charts_own_their_arrays(chart: str, dtype: type) -> None:
    d, size, _ = _data()
    d, size = d.astype(dtype), size.astype(dtype)
    fn = getattr(ss.spc, chart)
    key = "count" if chart == "u_chart" else "defectives"
    result = fn({"d": d, "n": size}, **{key: "d"}, size="n", rules="nelson")
    before = _arrays(result)
    d[:] = 0
    size[:] = 1
    after = _arrays(result)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)


@pytest.mark.parametrize("chart", ["p_chart", "np_chart", "u_chart", "laney_p", "laney_u"])
def test_integer_counts_give_the_float_results(chart: str) -> None:
    d, size, _ = _data()
    fn = getattr(ss.spc, chart)
    key = "count" if chart in ("u_chart", "laney_u") else "defectives"
    ints = fn({"d": d, "n": size}, **{key: "d"}, size="n", rules="nelson", phase1=300)
    floats = fn({"d": d.astype(float), "n": size.astype(float)}, **{key: "d"}, size="n",
                rules="nelson", phase1=300)
    assert ints.to_dict() == floats.to_dict()


def test_c_chart_integer_counts() -> None:
    d = _data()[0]
    assert ss.spc.c_chart({"d": d}, count="d").to_dict() == \
        ss.spc.c_chart({"d": d.astype(float)}, count="d").to_dict()


def test_rule_blocks_do_not_change_the_signals(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(7).normal(size=3000)
    small = ss.spc.imr(x, rules="nelson").location
    monkeypatch.setattr(rules_module, "_BLOCK", 1 << 20)
    big = ss.spc.imr(x, rules="nelson").location
    np.testing.assert_array_equal(small.violation_index, big.violation_index)
    np.testing.assert_array_equal(small.violation_rule, big.violation_rule)
