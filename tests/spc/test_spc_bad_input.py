"""Bad input: each a specific sixsigma.errors exception naming the column and first bad row."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    OrderError,
    ParameterError,
    SixSigmaError,
    ZeroVarianceError,
)

AUDITS = pd.DataFrame({"day": [1, 2, 3, 4], "errors": [3, 5, 4, 6], "audited": [100] * 4})
OBS = pd.DataFrame({"x": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0], "g": [1, 1, 2, 2, 3, 3]})

# every public chart, called on good data; the bad-input tests below reuse these calls
CALLS = {
    "imr": lambda d: ss.spc.imr(d, value="x"),
    "xbar_r": lambda d: ss.spc.xbar_r(d, value="x", subgroup="g"),
    "xbar_s": lambda d: ss.spc.xbar_s(d, value="x", subgroup="g"),
    "ewma": lambda d: ss.spc.ewma(d, value="x"),
    "cusum": lambda d: ss.spc.cusum(d, value="x"),
    "run_chart": lambda d: ss.spc.run_chart(d, value="x"),
    "t_chart": lambda d: ss.spc.t_chart(d, value="x"),
    "g_chart": lambda d: ss.spc.g_chart(d, value="x"),
}
COUNT_CALLS = {
    "p_chart": lambda d: ss.spc.p_chart(d, defectives="errors", size="audited"),
    "np_chart": lambda d: ss.spc.np_chart(d, defectives="errors", size="audited"),
    "u_chart": lambda d: ss.spc.u_chart(d, count="errors", size="audited"),
    "laney_p": lambda d: ss.spc.laney_p(d, defectives="errors", size="audited"),
    "laney_u": lambda d: ss.spc.laney_u(d, count="errors", size="audited"),
    "c_chart": lambda d: ss.spc.c_chart(d, count="errors"),
}


@pytest.mark.parametrize("name", CALLS)
def test_good_data_works(name):
    CALLS[name](OBS)


@pytest.mark.parametrize("name", CALLS)
def test_missing_column(name):
    with pytest.raises(ColumnError, match=rf"{name}: column 'x' is not in the data.*'y'"):
        CALLS[name](OBS.rename(columns={"x": "y"}))


@pytest.mark.parametrize("name", COUNT_CALLS)
def test_missing_count_column(name):
    with pytest.raises(ColumnError, match=rf"{name}: column 'errors' is not in the data"):
        COUNT_CALLS[name](AUDITS.drop(columns="errors"))


@pytest.mark.parametrize("name", CALLS)
def test_nan_names_column_and_row(name):
    bad = OBS.assign(x=[1.0, 2.0, np.nan, 2.0, 3.0, 4.0])
    with pytest.raises(MissingValueError, match=r"column 'x' has a missing value .* row 2"):
        CALLS[name](bad)


@pytest.mark.parametrize("name", {**CALLS, **COUNT_CALLS})
def test_non_numeric_names_row(name):
    if name in CALLS:
        bad = OBS.assign(x=["1.0", "2", "n/a", "2", "3", "4"])
        col = "x"
    else:
        bad = AUDITS.assign(errors=[3, 5, "four", 6])
        col = "errors"
    with pytest.raises(NonNumericError, match=rf"column '{col}' must be numeric; row 2 holds"):
        ({**CALLS, **COUNT_CALLS})[name](bad)


@pytest.mark.parametrize("name", COUNT_CALLS)
def test_negative_count(name):
    with pytest.raises(DomainError, match=r"column 'errors' holds counts, but row 1 is negative"):
        COUNT_CALLS[name](AUDITS.assign(errors=[3, -5, 4, 6]))


@pytest.mark.parametrize("name", COUNT_CALLS)
def test_fractional_count(name):
    with pytest.raises(DomainError, match=r"row 3 is not a whole number"):
        COUNT_CALLS[name](AUDITS.assign(errors=[3, 5, 4, 6.5]))


@pytest.mark.parametrize("name", ["p_chart", "np_chart", "laney_p"])
def test_defectives_above_size(name):
    with pytest.raises(DomainError, match=r"'errors' \(150\) exceeds column 'audited' "
                                          r"\(100\) at row 2"):
        COUNT_CALLS[name](AUDITS.assign(errors=[3, 5, 150, 6]))


@pytest.mark.parametrize("name", ["p_chart", "np_chart", "u_chart", "laney_p", "laney_u"])
def test_size_zero(name):
    with pytest.raises(DomainError, match=r"column 'audited' must be greater than 0; row 1"):
        COUNT_CALLS[name](AUDITS.assign(audited=[100, 0, 100, 100]))


@pytest.mark.parametrize("name", ["imr", "ewma", "cusum", "run_chart", "t_chart", "g_chart"])
def test_fewer_than_two_points(name):
    with pytest.raises(InsufficientDataError, match="at least 2 points"):
        CALLS[name](pd.DataFrame({"x": [5.0]}))


def test_fewer_than_two_subgroups():
    with pytest.raises(InsufficientDataError, match="at least 2 points"):
        ss.spc.xbar_r(OBS[OBS.g == 1], value="x", subgroup="g")
    with pytest.raises(InsufficientDataError):
        ss.spc.p_chart(AUDITS.head(1), defectives="errors", size="audited")


def test_empty_data():
    with pytest.raises(InsufficientDataError):
        ss.spc.imr(pd.DataFrame({"x": np.array([], dtype=float)}), value="x")


@pytest.mark.parametrize("name", ["imr", "xbar_r", "xbar_s", "ewma", "cusum", "t_chart"])
def test_zero_variance(name):
    with pytest.raises(ZeroVarianceError, match=r"column 'x' shows no variation"):
        CALLS[name](OBS.assign(x=7.0))


def test_zero_defects_gives_zero_width_limits():
    with pytest.raises(ZeroVarianceError, match="column 'errors' shows no variation"):
        ss.spc.p_chart(AUDITS.assign(errors=0), defectives="errors", size="audited")


def test_xbar_r_rejects_subgroups_of_one():
    data = OBS.assign(g=[1, 1, 2, 3, 3, 4])
    with pytest.raises(DomainError, match=r"subgroup 2 \(column 'g', row 2\) has a single"):
        ss.spc.xbar_r(data, value="x", subgroup="g")


def test_missing_subgroup_key():
    with pytest.raises(MissingValueError, match="column 'g' has a missing subgroup key at row 3"):
        ss.spc.xbar_r(OBS.assign(g=[1, 1, 2, None, 3, 3]), value="x", subgroup="g")


@pytest.mark.parametrize("lam", [0.0, -0.1, 1.5, float("nan")])
def test_lam_outside_unit_interval(lam):
    with pytest.raises(ParameterError,
                       match=r"the 'lam' parameter must be (in \(0, 1\]|a finite number)"):
        ss.spc.ewma(OBS, value="x", lam=lam)


@pytest.mark.parametrize("h", [0.0, -1.0, float("nan")])
def test_h_not_positive(h):
    with pytest.raises(ParameterError, match=r"the 'h' parameter must be (> 0|a finite number)"):
        ss.spc.cusum(OBS, value="x", h=h)


def test_bad_parameters():
    with pytest.raises(ParameterError, match=r"the 'k' parameter must be >= 0"):
        ss.spc.cusum(OBS, value="x", k=-0.5)
    with pytest.raises(ParameterError, match=r"the 'L' parameter must be > 0"):
        ss.spc.ewma(OBS, value="x", L=0)
    with pytest.raises(ParameterError, match=r"the 'sigma' parameter must be > 0"):
        ss.spc.ewma(OBS, value="x", sigma=0.0)
    with pytest.raises(ParameterError, match="unknown rule"):
        ss.spc.imr(OBS, value="x", rules="nelsen")
    with pytest.raises(ParameterError, match="sigma_method"):
        ss.spc.xbar_r(OBS, value="x", subgroup="g", sigma_method="sbar_c4")  # type: ignore
    with pytest.raises(ParameterError, match="center= only"):
        ss.spc._engine  # noqa: B018 - module is importable
        ss.spc.attributes._sigma_not_allowed(1.0, "p_chart")
    with pytest.raises(ParameterError, match=r"the 'center' parameter must be in \(0, 1\)"):
        ss.spc.p_chart(AUDITS, defectives="errors", size="audited", center=1.5)
    with pytest.raises(ParameterError, match="phase1=9 must be between 2"):
        ss.spc.p_chart(AUDITS, defectives="errors", size="audited", phase1=9)
    with pytest.raises(ParameterError, match="exclude= names 99"):
        ss.spc.p_chart(AUDITS, defectives="errors", size="audited", label="day", exclude=[99])
    with pytest.raises(ParameterError, match=r"the 'nsigmas' parameter must be > 0"):
        ss.spc.imr(OBS, value="x", nsigmas=0)


def test_value_required_for_a_table():
    with pytest.raises(ParameterError, match="value= is required"):
        ss.spc.imr(OBS)


def test_two_dimensional_array():
    with pytest.raises(SixSigmaError, match="one-dimensional"):
        ss.spc.imr(np.ones((3, 3)))


def test_unreadable_data():
    with pytest.raises(SixSigmaError, match="cannot read data of type object"):
        ss.spc.imr(object())


def test_unsorted_and_duplicated_labels():
    with pytest.raises(OrderError, match=r"column 'day' must be sorted .* row 2 \(1\)"):
        ss.spc.p_chart(AUDITS.assign(day=[2, 3, 1, 4]), defectives="errors", size="audited",
                       label="day")
    with pytest.raises(OrderError, match=r"row 2 repeats 2"):
        ss.spc.p_chart(AUDITS.assign(day=[1, 2, 2, 4]), defectives="errors", size="audited",
                       label="day")


def test_raw_records_must_be_zero_or_one():
    raw = pd.DataFrame({"day": [1, 1, 2, 2, 3, 3], "bad": [0, 1, 0, 2, 1, 0]})
    # validated by the one group-count layer (sixsigma._aggregate.group_counts)
    with pytest.raises(DomainError, match=r"'bad' must be 0/1 .*row 3 \(2\) is not"):
        ss.spc.p_chart(raw, defectives="bad", label="day")
    with pytest.raises(MissingValueError, match=r"'bad' has a missing value.* at row 2"):
        ss.spc.p_chart(raw.assign(bad=[0, 1, None, 0, 1, 0]), defectives="bad", label="day")
    with pytest.raises(ParameterError, match="give size="):
        ss.spc.p_chart(raw, defectives="bad")


def test_raw_records_in_a_lazy_frame_name_the_value():
    duckdb = pytest.importorskip("duckdb")
    raw = pd.DataFrame({"day": [1, 1, 2, 2, 3, 3], "bad": [0, 1, 0, -1, 1, 0]})
    rel = duckdb.connect().from_df(raw)
    with pytest.raises(DomainError, match=r"'bad' must be 0/1 .*the row with day=2 \(holding -1"):
        ss.spc.p_chart(rel, defectives="bad", label="day")
    counts = pd.DataFrame({"day": [1, 1, 2, 2, 3, 3], "defects": [0, 1, 0, -1, 1, 0]})
    with pytest.raises(DomainError, match=r"the group day=2 holds a negative value"):
        ss.spc.u_chart(duckdb.connect().from_df(counts), count="defects", label="day")


def test_errors_are_builtin_exceptions_too():
    with pytest.raises(KeyError):
        ss.spc.imr(OBS, value="nope")
    with pytest.raises(ValueError):
        ss.spc.ewma(OBS, value="x", lam=2)
    with pytest.raises(TypeError):
        ss.spc.imr(OBS.assign(x="a"), value="x")


EDGE_CASES = [
    lambda: ss.spc.p_chart({"d": [0, 0, 1, 0], "n": [10, 10, 10, 10]}, defectives="d",
                           size="n", rules="nelson"),
    lambda: ss.spc.np_chart({"d": [1, 0, 0, 0], "n": [1, 1, 1, 1]}, defectives="d", size="n"),
    lambda: ss.spc.laney_p({"d": [5, 5, 5, 6], "n": [100] * 4}, defectives="d", size="n",
                           rules="nelson"),
    lambda: ss.spc.imr([1.0, 1.0, 1.0, 2.0], rules="nelson"),
    lambda: ss.spc.xbar_s({"x": [1.0, 1, 1, 2, 2, 3], "g": [1, 1, 1, 2, 2, 2]}, value="x",
                          subgroup="g", rules="nelson"),
    lambda: ss.spc.run_chart([1.0, 1.0, 1.0, 1.0, 2.0], rules="anhoj"),
    lambda: ss.spc.t_chart([0.001, 50.0, 0.002, 40.0], rules="nelson"),
    lambda: ss.spc.g_chart([0, 0, 0, 3], rules="nelson"),
    lambda: ss.spc.cusum([1.0, 1.0, 1.0, 2.0], fir=True),
    lambda: ss.spc.ewma([1.0, 1.0, 1.0, 2.0]),
]


@pytest.mark.parametrize("case", range(len(EDGE_CASES)))
def test_no_runtime_warning_escapes(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            EDGE_CASES[case]()
        except SixSigmaError:
            pass
