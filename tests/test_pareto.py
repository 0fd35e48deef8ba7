"""Pareto tables and the before/after comparison.

Expected numbers are counted by hand in each test; the chi-square statistic and
Haberman's (1973) adjusted standardized residuals are computed here by their formulas
(E = row x col / N; r = (O - E) / sqrt(E (1 - row/N)(1 - col/N))).
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from sixsigma import pareto as pa  # noqa: E402
from sixsigma.errors import (  # noqa: E402
    ColumnError,
    DomainError,
    InsufficientDataError,
    MissingValueError,
    NonNumericError,
    ParameterError,
)
from sixsigma.plot.pareto import pareto_chart  # noqa: E402


def records(counts: dict[str, int], **extra) -> pd.DataFrame:
    cats = [c for c, k in counts.items() for _ in range(k)]
    return pd.DataFrame({"type": cats, **extra})


def test_counts_percent_and_vital_few():
    res = pa.pareto(records({"a": 50, "b": 30, "c": 15, "d": 5}), "type")
    t = res.table
    assert t["category"].tolist() == ["a", "b", "c", "d"]
    assert t["count"].tolist() == [50, 30, 15, 5]
    assert t["percent"].tolist() == pytest.approx([50, 30, 15, 5])
    assert t["cum_percent"].tolist() == pytest.approx([50, 80, 95, 100])
    assert res.vital_few == ["a", "b"]          # 80 % reached exactly at b
    assert pa.pareto(records({"a": 50, "b": 30, "c": 15, "d": 5}), "type",
                     threshold=0.9).vital_few == ["a", "b", "c"]
    json.dumps(res.to_dict(), allow_nan=False)


def test_ties_are_ordered_by_name():
    res = pa.pareto(records({"zeta": 3, "alpha": 3, "mid": 5, "beta": 3}), "type")
    assert res.table["category"].tolist() == ["mid", "alpha", "beta", "zeta"]


def test_zero_counts_and_single_category():
    res = pa.pareto(records({"over": 4}), "type",
                    categories=["under", "over", "wrong"])
    assert res.table["category"].tolist() == ["over", "under", "wrong"]
    assert res.table["count"].tolist() == [4, 0, 0]
    assert res.vital_few == ["over"]
    single = pa.pareto(records({"only": 7}), "type")
    assert single.table["cum_percent"].tolist() == [100.0] and single.vital_few == ["only"]


def test_weights_severity():
    data = records({"over": 3, "under": 2}, sev=[1, 1, 1, 4, 4])
    res = pa.pareto(data, "type", weight="sev")
    assert res.table["category"].tolist() == ["under", "over"]   # 8 vs 3
    assert res.table["count"].tolist() == [8.0, 3.0]
    assert res.table["records"].tolist() == [2, 3]
    assert res.total == 11.0


def test_other_folding():
    data = records({"a": 60, "b": 25, "c": 6, "d": 5, "e": 4})
    folded = pa.pareto(data, "type", other_below=0.07)
    assert folded.table["category"].tolist() == ["a", "b", "other"]
    assert folded.table["count"].tolist() == [60, 25, 15]
    assert folded.table["cum_percent"].iloc[-1] == pytest.approx(100.0)
    top = pa.pareto(data, "type", top=3, other_label="rest")
    assert top.table["category"].tolist() == ["a", "b", "c", "rest"]
    assert top.vital_few == ["a", "b"]


def test_stratified():
    data = pd.DataFrame({"type": ["x", "x", "y", "y", "y", "z"],
                         "queue": ["q2", "q1", "q1", "q1", "q2", "q2"]})
    res = pa.pareto(data, "type", by="queue")
    assert list(res.table.columns[:2]) == ["queue", "category"]
    assert res.tables["q1"]["category"].tolist() == ["y", "x"]
    assert res.tables["q2"]["category"].tolist() == ["x", "y", "z"]
    assert res.tables["q2"]["percent"].sum() == pytest.approx(100.0)
    assert res.vital_few == ["y", "x"]               # pooled: y 3, x 2, z 1
    assert res.vital_few_by == {"q1": ["y", "x"], "q2": ["x", "y", "z"]}   # y alone 67 %


def test_polars_and_duckdb_inputs():
    data = records({"a": 5, "b": 2}, sev=[1.0] * 5 + [3.0] * 2)
    pl = pytest.importorskip("polars")
    assert pa.pareto(pl.from_pandas(data), "type", weight="sev").table["count"].tolist() \
        == [6.0, 5.0]
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.from_df(data)
    assert pa.pareto(rel, "type").table["count"].tolist() == [5.0, 2.0]


def test_bad_input():
    with pytest.raises(DomainError, match=r"column 'sev' .* row 1"):
        pa.pareto(records({"a": 2}, sev=[1.0, -2.0]), "type", weight="sev")
    with pytest.raises(MissingValueError, match="row 1"):
        pa.pareto(pd.DataFrame({"type": ["a", None, "b"]}), "type")
    with pytest.raises(InsufficientDataError, match="no rows"):
        pa.pareto(pd.DataFrame({"type": pd.Series([], dtype=str)}), "type")
    with pytest.raises(ColumnError, match="'kind'"):
        pa.pareto(records({"a": 1}), "kind")
    with pytest.raises(DomainError, match="total is zero"):
        pa.pareto(records({"a": 2}, sev=[0.0, 0.0]), "type", weight="sev")
    with pytest.raises(NonNumericError, match="row 0"):
        pa.pareto(records({"a": 2}, sev=["x", "y"]), "type", weight="sev")
    with pytest.raises(ParameterError, match="threshold"):
        pa.pareto(records({"a": 1}), "type", threshold=80)
    with pytest.raises(ParameterError, match="top"):
        pa.pareto(records({"a": 1}), "type", top=0)


def test_compare_by_hand_3x2():
    before = records({"over": 30, "under": 20, "wrong": 10})
    after = records({"over": 15, "under": 25, "wrong": 20})
    res = pa.compare_pareto(before, after, "type")
    obs = np.array([[30.0, 15.0], [20.0, 25.0], [10.0, 20.0]])   # rows over, under, wrong
    n, row, col = obs.sum(), obs.sum(1, keepdims=True), obs.sum(0)
    exp = row * col / n
    chi2 = ((obs - exp) ** 2 / exp).sum()
    assert res.statistic == pytest.approx(chi2, rel=1e-12)
    assert res.dof == 2 and res.correction == "none"
    assert res.p_value == pytest.approx(stats.chi2.sf(chi2, 2), rel=1e-12)
    adj = (obs - exp) / np.sqrt(exp * (1 - row / n) * (1 - col / n))
    t = res.table.set_index("category")
    assert t.loc[["over", "under", "wrong"], "residual_after"].to_numpy() == \
        pytest.approx(adj[:, 1], rel=1e-12)
    assert t.loc["over", "residual_before"] == pytest.approx(adj[0, 0], rel=1e-12)
    # |r| = 2.887 for over and 2.0 for wrong: both beyond 1.96
    assert res.moved == ["over", "wrong"]
    assert t.loc["over", "direction"] == "down" and t.loc["wrong", "direction"] == "up"
    assert pa.compare_pareto(before, after, "type", adjust="bonferroni").moved == ["over"]
    json.dumps(res.to_dict(), allow_nan=False)


def test_compare_2x2_uses_yates():
    before, after = records({"a": 30, "b": 20}), records({"a": 10, "b": 40})
    res = pa.compare_pareto(before, after, "type")
    obs = np.array([[30.0, 10.0], [20.0, 40.0]])
    exp = obs.sum(1, keepdims=True) * obs.sum(0) / obs.sum()
    yates = ((np.abs(obs - exp) - 0.5) ** 2 / exp).sum()
    assert res.correction == "yates"
    assert res.statistic == pytest.approx(yates, rel=1e-12)


def test_compare_frequency_weights_and_severity():
    before = pd.DataFrame({"type": ["a", "b"], "n": [30, 20]})
    after = pd.DataFrame({"type": ["a", "b"], "n": [10, 40]})
    freq = pa.compare_pareto(before, after, "type", weight="n", weight_is_frequency=True)
    assert freq.tested_on == "weight"
    assert freq.table.set_index("category")["after"].to_dict() == {"a": 10.0, "b": 40.0}
    sev = pa.compare_pareto(before, after, "type", weight="n")
    assert sev.tested_on == "records" and "after_weighted" in sev.table


def test_compare_bad_input():
    with pytest.raises(InsufficientDataError, match="two categories"):
        pa.compare_pareto(records({"a": 3}), records({"a": 4}), "type")
    with pytest.raises(InsufficientDataError, match="no rows"):
        pa.compare_pareto(records({"a": 3, "b": 1}), records({}), "type")
    with pytest.raises(DomainError, match="whole number"):
        pa.compare_pareto(pd.DataFrame({"type": ["a", "b"], "n": [1.5, 2]}),
                          pd.DataFrame({"type": ["a", "b"], "n": [1, 2]}), "type",
                          weight="n", weight_is_frequency=True)


def test_pareto_chart_artists():
    res = pa.pareto(records({"a": 50, "b": 30, "c": 15, "d": 5}), "type")
    ax = pareto_chart(res)
    bars = [p for p in ax.patches]
    assert [b.get_height() for b in bars] == [50, 30, 15, 5]
    right = [a for a in ax.figure.axes if a is not ax][0]
    cum = [line for line in right.lines if line.get_gid() == "cumulative"][0]
    assert list(cum.get_ydata()) == pytest.approx([50, 80, 95, 100])
    cut = [line for line in right.lines if line.get_gid() == "cutoff"][0]
    assert list(cut.get_ydata()) == [80.0, 80.0]
    vital = [line for line in right.lines if line.get_gid() == "vital-few"][0]
    assert list(vital.get_xdata()) == [1.5, 1.5]
    strat = pa.pareto(pd.DataFrame({"type": ["x", "y", "y"], "q": ["a", "a", "b"]}), "type",
                      by="q")
    assert "q = b" in pareto_chart(strat, stratum="b").get_title()
    with pytest.raises(ParameterError):
        pareto_chart(strat, stratum="zzz")


# -- issue 14: NaN is missing, weights are numbers, nothing overflows, no foreign errors --------

def test_float_nan_category_is_missing_like_null():
    import polars as pl

    with pytest.raises(MissingValueError, match="'c'.*row 1"):
        pa.pareto(pl.DataFrame({"c": [1.0, float("nan"), 1.0, 2.0]}), "c")
    with pytest.raises(MissingValueError, match="'b'.*row 1"):
        pa.pareto(pl.DataFrame({"c": ["a", "b", "a"], "b": [1.0, float("nan"), 1.0]}), "c", by="b")
    with pytest.raises(MissingValueError, match="'w'.*row 1"):
        pa.pareto(pl.DataFrame({"c": ["a", "b", "a"], "w": [1.0, float("nan"), 1.0]}), "c",
               weight="w")
    with pytest.raises(MissingValueError, match="'c'.*row 1"):
        pa.compare_pareto(pl.DataFrame({"c": [1.0, float("nan"), 2.0]}),
                       pl.DataFrame({"c": [1.0, 2.0, 2.0]}), "c")


@pytest.mark.parametrize("weight", [
    pd.Series(["1", "2", "3"]), pd.Series(pd.Categorical([1, 2, 3])),
    pd.Series(["1", "x", "3"]),
], ids=["numeric text", "categorical", "text"])
def test_text_or_categorical_weight_is_non_numeric(weight):
    data = pd.DataFrame({"c": ["a", "b", "a"], "w": weight})
    with pytest.raises(NonNumericError, match="'w'.*row"):
        pa.pareto(data, "c", weight="w")
    with pytest.raises(NonNumericError, match="'w'.*row"):
        pa.compare_pareto(data, data, "c", weight="w")


def test_overflowing_weights_are_refused():
    import warnings

    data = pd.DataFrame({"c": ["a", "b", "a", "b"], "w": [1e308] * 4})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DomainError, match="'w'.*row 0"):
            pa.pareto(data, "c", weight="w")
        with pytest.raises(DomainError, match="'w'"):
            pa.compare_pareto(data, data, "c", weight="w", weight_is_frequency=True)


def test_structural_problems_raise_sixsigma_errors():
    from sixsigma.errors import InputError

    with pytest.raises(ColumnError, match="'c'"):
        pa.pareto(pd.DataFrame([["a", "b"]], columns=["c", "c"]), "c")
    with pytest.raises(InputError, match="'c'.*'w'"):
        pa.pareto({"c": ["a", "b"], "w": [1]}, "c")
    with pytest.raises(InputError, match="'c'.*row 0.*row 1"):
        pa.pareto(pd.DataFrame({"c": [1, "1", "a", 2]}), "c")
    with pytest.raises(InsufficientDataError):
        pa.pareto(pd.DataFrame({"c": pd.Series([], dtype=str)}), "c")
    with pytest.raises(ParameterError, match="'threshold'"):
        pa.pareto(pd.DataFrame({"c": ["a"]}), "c", threshold=float("nan"))
    one = pa.pareto(pd.DataFrame({"c": ["a"]}), "c")
    assert one.table["count"].tolist() == [1.0] and one.vital_few == ["a"]
