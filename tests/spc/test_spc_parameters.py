"""Issue 14 item 3 (spc): parameters checked and named, data problems named, no warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import sixsigma as ss
from sixsigma.errors import (
    DomainError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
    ZeroVarianceError,
)

X = {"x": [5.0, 6.0, 5.5, 6.2, 5.8, 6.1, 5.9, 6.0]}
P = {"d": [3, 5, 4, 6, 2, 4], "n": [100] * 6}


@pytest.mark.parametrize(("call", "name"), [
    (lambda: ss.spc.imr(X, value="x", nsigmas=np.nan), "nsigmas"),
    (lambda: ss.spc.imr(X, value="x", center=np.nan), "center"),
    (lambda: ss.spc.imr(X, value="x", sigma=np.nan), "sigma"),
    (lambda: ss.spc.imr(X, value="x", sigma=0.0), "sigma"),
    (lambda: ss.spc.imr(X, value="x", sigma=-1.0), "sigma"),
    (lambda: ss.spc.ewma(X, value="x", target=np.nan), "target"),
    (lambda: ss.spc.cusum(X, value="x", target=np.nan), "target"),
    (lambda: ss.spc.cusum(X, value="x", h=np.inf), "h"),
    (lambda: ss.spc.p_chart(P, defectives="d", size="n", center=0), "center"),
    (lambda: ss.spc.p_chart(P, defectives="d", size="n", center=1), "center"),
    (lambda: ss.spc.p_chart(P, defectives="d", size="n", center=np.nan), "center"),
    (lambda: ss.spc.u_chart(P, count="d", size="n", center=0), "center"),
    (lambda: ss.spc.c_chart(P, count="d", center=0.0), "center"),
    (lambda: ss.spc.g_chart(P, value="d", center=0.0), "center"),
])
def test_bad_parameter_is_named(call: object, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ParameterError, match=f"'{name}' parameter") as info:
            call()  # type: ignore[operator]
    assert "shows no variation" not in str(info.value)


def test_g_chart_overflow_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DomainError, match=r"row 1 .*1e\+308"):
            ss.spc.g_chart({"g": [3.0, 1e308, 2.0, 5.0]}, value="g")


@pytest.mark.parametrize("fn", [ss.spc.xbar_r, ss.spc.xbar_s])
def test_xbar_on_empty_frame(fn: object) -> None:
    empty = pd.DataFrame({"x": pd.Series([], dtype=float), "g": pd.Series([], dtype=int)})
    with pytest.raises(InsufficientDataError, match="no rows"):
        fn(empty, value="x", subgroup="g")  # type: ignore[operator]


@pytest.mark.parametrize("fn", [ss.spc.laney_p, ss.spc.laney_u])
def test_laney_zero_rate_raises_without_warning(fn: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ZeroVarianceError):
            fn({"d": [0, 0, 0, 0], "n": [10] * 4}, "d", "n")  # type: ignore[operator]


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("fn", ["p", "np", "laney_p", "u"])
def test_raw_records_with_float_nan_name_the_missing_value(fn: str, lazy: bool) -> None:
    frame = pl.DataFrame({"day": [1, 1, 2, 2, 3, 3], "e": [0.0, float("nan"), 1, 0, 0, 1]})
    data = frame.lazy() if lazy else frame
    call = {"p": ss.spc.p_chart, "np": ss.spc.np_chart, "laney_p": ss.spc.laney_p,
            "u": ss.spc.u_chart}[fn]
    with pytest.raises(MissingValueError, match="missing value") as info:
        call(data, "e", label="day")
    assert "no variation" not in str(info.value)
    assert ("row 1" in str(info.value)) or ("day=1" in str(info.value))


def test_no_python_reprs_in_messages() -> None:
    import datetime as dt

    frame = pd.DataFrame({"day": [dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 1)],
                          "x": [1.0, 2.0]})
    with pytest.raises(ss.errors.OrderError) as info:
        ss.spc.imr(frame, value="x", label="day")
    assert "datetime.datetime" not in str(info.value)
    assert "2026-01-01" in str(info.value)
    with pytest.raises(DomainError) as err:
        ss.spc.g_chart({"g": np.array([1.0, 2.0, -5.0, 3.0])}, value="g")
    assert "np.float64" not in str(err.value)
