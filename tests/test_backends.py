"""Every analysis that aggregates gives the same answer on pandas, polars, DuckDB and Spark.

The aggregation of raw records is written once with narwhals and runs where the data live;
these tests hold each back end to the pandas result on the same records. Spark runs in
local mode and is skipped, with the reason, only where Java or pyspark is missing.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss


@pytest.fixture(scope="module")
def audits() -> pd.DataFrame:
    ds = ss.datasets.load("policy_update")
    frame = ds.audits[ds.audits.day < "2026-02-15"].reset_index(drop=True)
    frame["is_error"] = (frame.error_type != "").astype(int)
    frame["tenure_band"] = np.where(frame.tenure_days < 30, "<30", "30+")
    return frame


@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (extra: spark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark tests need Java (java not on PATH and JAVA_HOME unset)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("sixsigma-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    assert pyspark.__version__
    yield session
    session.stop()


BACKENDS = ["polars", "polars_lazy", "duckdb", "spark"]


@pytest.fixture(params=BACKENDS)
def convert(request, tmp_path_factory):
    name = request.param
    if name.startswith("polars"):
        pl = pytest.importorskip("polars")
        return (lambda df: pl.from_pandas(df).lazy()) if name == "polars_lazy" else \
            pl.from_pandas
    if name == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        pytest.importorskip("pyarrow")

        def via_parquet(df: pd.DataFrame):
            path = tmp_path_factory.mktemp("parquet") / "audits.parquet"
            df.to_parquet(path)
            assert duckdb.__version__
            return ss.read(path)
        return via_parquet
    session = request.getfixturevalue("spark")

    def to_spark(df: pd.DataFrame):
        return session.createDataFrame(df)
    return to_spark


def _same_chart(a, b):
    np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-12)
    np.testing.assert_allclose(a.n, b.n)
    np.testing.assert_allclose(a.ucl, b.ucl, rtol=1e-12)
    assert pd.to_datetime(a.labels).equals(pd.to_datetime(b.labels))
    assert a.violations == b.violations


def test_attribute_charts_from_raw_records(audits, convert):
    cols = audits[["day", "is_error", "severity"]]
    data = convert(cols)
    for fn, kw in ((ss.spc.p_chart, {"defectives": "is_error"}),
                   (ss.spc.laney_p, {"defectives": "is_error"}),
                   (ss.spc.np_chart, {"defectives": "is_error"}),
                   (ss.spc.u_chart, {"count": "severity"}),
                   (ss.spc.laney_u, {"count": "severity"})):
        want = fn(cols, label="day", rules="nelson", **kw)
        got = fn(data, label="day", rules="nelson", **kw)
        _same_chart(got, want)


def test_moderation_metrics(audits, convert):
    cols = audits[["decided_at", "queue", "decision", "qa_decision", "appealed",
                   "appeal_overturned", "turnaround_seconds"]].copy()
    cols["appeal_overturned"] = cols.appeal_overturned.astype("boolean")
    want = ss.moderation.metrics(cols, by="queue", grain="week", sla_seconds=14_400)
    got = ss.moderation.metrics(convert(cols), by="queue", grain="week", sla_seconds=14_400)
    keys = ["period", "queue", "metric", "policy", "numerator", "denominator"]
    pd.testing.assert_frame_equal(got[keys].reset_index(drop=True),
                                  want[keys].reset_index(drop=True), check_dtype=False)
    np.testing.assert_allclose(got.estimate, want.estimate, equal_nan=True)


def test_segment_scan(audits, convert):
    cols = audits[["queue", "market", "tenure_band", "is_error"]]
    dims = ["queue", "market", "tenure_band"]
    want = ss.rootcause.segment_scan(cols, defectives="is_error", dimensions=dims)
    got = ss.rootcause.segment_scan(convert(cols), defectives="is_error", dimensions=dims)
    cols_cmp = ["n", "defects", "rate", "p_value", "excess_defects", "significant"]
    pd.testing.assert_frame_equal(got.segments[cols_cmp].reset_index(drop=True),
                                  want.segments[cols_cmp].reset_index(drop=True),
                                  check_dtype=False)
    assert [f for f in got.segments["filter"]] == [f for f in want.segments["filter"]]


def test_pareto(audits, convert):
    errors = audits.loc[audits.error_type != "", ["error_type", "severity"]]
    want = ss.pareto.pareto(errors, "error_type", weight="severity")
    got = ss.pareto.pareto(convert(errors), "error_type", weight="severity")
    pd.testing.assert_frame_equal(got.table.reset_index(drop=True),
                                  want.table.reset_index(drop=True), check_dtype=False)
