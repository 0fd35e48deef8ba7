"""Issue 14 for capability: bad inputs raise the specific sixsigma error naming the column
(and row) or the parameter, and no numpy/scipy/pandas warning reaches the user."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import sixsigma as ss
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
    ZeroVarianceError,
)

C = ss.capability
X = np.abs(np.random.default_rng(0).normal(10.0, 1.0, 40))

STUDIES = {
    "capability": lambda d, **k: C.capability(d, "v", **k),
    "percentile": lambda d, **k: C.percentile_capability(
        d, "v", **{a: b for a, b in k.items() if a in ("lsl", "usl")}),
    "boxcox": lambda d, **k: C.boxcox_capability(d, "v", **k),
    "johnson": lambda d, **k: C.johnson_capability(d, "v", **k),
}

BAD_DATA = [
    ("empty", pd.DataFrame({"v": pd.Series([], dtype=float)}), InsufficientDataError, "'v'"),
    ("one row", pd.DataFrame({"v": [10.0]}), InsufficientDataError, "'v'"),
    ("constant", pd.DataFrame({"v": [10.0] * 20}), ZeroVarianceError, "'v'"),
    ("polars NaN", pl.DataFrame({"v": [*X[:20], float("nan")]}), MissingValueError,
     "'v'.*row 20"),
    ("polars null", pl.DataFrame({"v": [*X[:20], None]}), MissingValueError, "'v'.*row 20"),
    ("inf", pd.DataFrame({"v": [*X[:20], math.inf]}), DomainError, "'v'.*row 20"),
    ("1e308", pd.DataFrame({"v": [*X[:20], 1e308]}), DomainError, "'v'.*row 20"),
    ("huge", pd.DataFrame({"v": X * 1e306}), DomainError, "'v'.*row 0"),
    ("numeric text", pd.DataFrame({"v": [str(v) for v in X]}), NonNumericError, "'v'.*row 0"),
    ("categorical", pd.DataFrame({"v": pd.Categorical(X)}), NonNumericError, "'v'"),
    ("bool", pd.DataFrame({"v": [True, False] * 10}), NonNumericError, "'v'"),
    ("duplicate columns", pd.DataFrame([[1.0, 2.0]] * 20, columns=["v", "v"]), ColumnError,
     "'v'"),
    ("wrong column", pd.DataFrame({"w": X}), ColumnError, "'v'"),
    ("ragged dict", {"v": [1.0, 2.0], "w": [1.0]}, InputError, "'v'"),
]


@pytest.mark.parametrize("study", sorted(STUDIES))
@pytest.mark.parametrize(("case", "data", "error", "pattern"), BAD_DATA,
                         ids=[c[0] for c in BAD_DATA])
def test_bad_data(study, case, data, error, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=pattern):
            STUDIES[study](data, lsl=5.0, usl=15.0)


BAD_PARAMETERS = [
    ({"target": math.nan}, "target"), ({"lsl": math.inf}, "lsl"),
    ({"usl": -math.inf}, "usl"), ({"lsl": math.nan}, "lsl"),
    ({"confidence": 1.5}, "confidence"), ({"confidence": 0.0}, "confidence"),
    ({"confidence": math.nan}, "confidence"),
]


@pytest.mark.parametrize("study", ["capability", "boxcox", "johnson"])
@pytest.mark.parametrize(("kwargs", "name"), BAD_PARAMETERS,
                         ids=[n + str(k) for k, n in BAD_PARAMETERS])
def test_bad_parameters(study, kwargs, name):
    spec = {"lsl": 5.0, "usl": 15.0, **kwargs}
    with pytest.raises(ParameterError, match=f"'{name}'"):
        STUDIES[study](pd.DataFrame({"v": X}), **spec)


def test_subgroup_nan_key_is_missing():
    data = pl.DataFrame({"v": X[:20], "g": [1.0, float("nan")] * 10})
    with pytest.raises(MissingValueError, match="'g'.*row 1"):
        C.capability(data, "v", lsl=5, usl=15, subgroup="g")


def test_kernels_check_their_parameters():
    with pytest.raises(ParameterError, match="'mean'"):
        C.capability_indices(math.nan, 1.0, 0.0, 1.0)
    with pytest.raises(ParameterError, match="'sigma'"):
        C.capability_indices(0.5, 0.0, 0.0, 1.0)
    with pytest.raises(ParameterError, match="'confidence'"):
        C.capability_intervals({"cp": 1.0}, 10, confidence=1.2)
    with pytest.raises(ParameterError, match="'n'"):
        C.capability_intervals({"cp": 1.0}, 1)
    with pytest.raises(ParameterError, match="'shift'"):
        C.sigma_level(100.0, shift=math.nan)
    with pytest.raises(ParameterError, match="'shift'"):
        C.dpmo_from_sigma(4.0, shift=math.inf)
    with pytest.raises(DomainError, match="NaN"):
        C.dpmo_from_sigma(math.nan)
    with pytest.raises(ParameterError, match="'shift'"):
        C.sigma_metrics(3, 100, shift=math.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DomainError, match="2\\^53"):
            C.sigma_metrics(1e308, 1e308)


def test_normality_test_checks_values_and_notes_undefined_tests():
    with pytest.raises(MissingValueError, match="row 2"):
        C.normality_test([1.0, 2.0, math.nan, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DomainError):
            C.normality_test([1e308, -1e308, *X[:20]])
    with pytest.raises(ParameterError, match="'alpha'"):
        C.normality_test(X, alpha=2.0)
    flat = C.normality_test([1.0] * 20)
    assert flat.ad_p_value is None and any("equal" in n for n in flat.notes)
    small = C.normality_test([1.0, 2.0, 4.0])
    assert small.ad_p_value is None and any("Anderson-Darling" in n for n in small.notes)


ATTRIBUTE = {"binomial": C.binomial_capability, "poisson": C.poisson_capability}
BAD_COUNTS = [
    ("polars NaN", pl.DataFrame({"d": [1.0, float("nan"), 2.0], "n": [10, 10, 10]}),
     MissingValueError, "'d'.*row 1"),
    ("empty", pd.DataFrame({"d": pd.Series([], dtype=float), "n": pd.Series([], dtype=float)}),
     InsufficientDataError, "capability"),
    ("duplicate columns", pd.DataFrame([[1, 10, 1]] * 3, columns=["d", "n", "d"]), ColumnError,
     "'d'"),
    ("1e308", pd.DataFrame({"d": [1e308, 1e308], "n": [1e308, 1e308]}), DomainError,
     "'d'.*row 0"),
    ("text counts", pd.DataFrame({"d": ["1", "2"], "n": [10, 10]}), NonNumericError,
     "'d'.*row 0"),
    ("categorical counts", pd.DataFrame({"d": pd.Categorical([1, 2]), "n": [10, 10]}),
     NonNumericError, "'d'"),
    ("size 0", pd.DataFrame({"d": [0, 1], "n": [0, 10]}), DomainError, "'n'.*row 0"),
]


@pytest.mark.parametrize("kind", sorted(ATTRIBUTE))
@pytest.mark.parametrize(("case", "data", "error", "pattern"), BAD_COUNTS,
                         ids=[c[0] for c in BAD_COUNTS])
def test_attribute_capability_bad_data(kind, case, data, error, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=pattern):
            ATTRIBUTE[kind](data, "d", "n")


def test_messages_show_plain_numbers():
    with pytest.raises(DomainError) as err:
        C.sigma_metrics(np.float64(-5.0), 100)
    assert "np.float64" not in str(err.value) and "-5.0" in str(err.value)
    with pytest.raises(DomainError) as err:
        C.sigma_level(np.array([np.nan]))
    assert "np." not in str(err.value)
    with pytest.raises(InputError) as err:
        ss.pareto.pareto(pd.DataFrame({"c": [np.int64(1), "1"]}, dtype=object), "c")
    assert "np." not in str(err.value)
