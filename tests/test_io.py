"""ss.read: CSV and Parquet through DuckDB, with clear errors naming the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import ColumnError, InputError, ParameterError

pytest.importorskip("duckdb")


@pytest.fixture
def raw(rng) -> pd.DataFrame:
    day = np.repeat(pd.date_range("2026-03-01", periods=10, freq="D").to_numpy(), 250)
    return pd.DataFrame({"day": day, "is_error": (rng.random(day.size) < 0.06).astype(int)})


def _expected(raw):
    agg = raw.groupby("day").is_error.agg(["sum", "size"]).reset_index()
    return ss.spc.laney_p(agg, defectives="sum", size="size", label="day", rules="nelson")


def test_parquet_glob_and_directory(tmp_path, raw):
    pytest.importorskip("pyarrow")
    for k, rows in enumerate(np.array_split(np.arange(len(raw)), 3)):
        raw.iloc[rows].to_parquet(tmp_path / f"part-{k}.parquet")
    want = _expected(raw)
    for source in (str(tmp_path / "*.parquet"), tmp_path):
        got = ss.spc.laney_p(ss.read(source), defectives="is_error", label="day",
                             rules="nelson")
        np.testing.assert_allclose(got.statistic, want.statistic)
        np.testing.assert_allclose(got.ucl, want.ucl)
        assert got.violations == want.violations


def test_csv_file(tmp_path, raw):
    raw.to_csv(tmp_path / "audits.csv", index=False)
    got = ss.spc.p_chart(ss.read(tmp_path / "audits.csv"), defectives="is_error", label="day")
    assert got.n.tolist() == [250.0] * 10


def test_glob_matching_nothing(tmp_path):
    with pytest.raises(InputError, match=r"no file matches '.*nothing-\*\.parquet'"):
        ss.read(tmp_path / "nothing-*.parquet")
    with pytest.raises(InputError, match="there is no file"):
        ss.read(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="holds no .parquet file"):
        ss.read(tmp_path)


def test_column_missing_in_one_file(tmp_path, raw):
    raw.to_csv(tmp_path / "a.csv", index=False)
    raw.drop(columns="is_error").to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(ColumnError, match=r"'.*b\.csv' lacks column 'is_error', unlike "
                                          r"'.*a\.csv'"):
        ss.read(tmp_path / "*.csv")


def test_mixed_types_across_files(tmp_path, raw):
    raw.to_csv(tmp_path / "a.csv", index=False)
    raw.assign(is_error=np.where(raw.is_error == 1, "err", "ok")).to_csv(tmp_path / "b.csv",
                                                                       index=False)
    with pytest.raises(InputError, match=r"column 'is_error' is VARCHAR in '.*b\.csv' but "
                                         r"BIGINT in '.*a\.csv'"):
        ss.read(tmp_path / "*.csv")


def test_unknown_format_and_bad_settings(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(InputError, match="cannot tell CSV from Parquet"):
        ss.read(tmp_path / "a.json")
    with pytest.raises(ParameterError, match="memory_limit must be a size"):
        ss.io.configure(memory_limit="")
    with pytest.raises(ParameterError, match="threads must be at least 1"):
        ss.io.configure(threads=0)


def test_a_file_larger_than_the_memory_limit_completes(tmp_path):
    pytest.importorskip("pyarrow")
    gen = np.random.default_rng(1)
    rows = 3_000_000
    frame = pd.DataFrame({
        "day": gen.integers(0, 60, rows),
        "queue": gen.integers(0, 40, rows),
        "market": gen.integers(0, 30, rows),
        "item": np.arange(rows),
        "is_error": (gen.random(rows) < 0.05).astype(np.int64),
    })
    path = tmp_path / "big.parquet"
    frame.to_parquet(path, compression=None)
    assert path.stat().st_size > 2 * 12 * 2**20  # twice the memory limit below
    try:
        ss.io.configure(memory_limit="12MB", temp_directory=tmp_path / "spill")
        got = ss.spc.laney_p(ss.read(path), defectives="is_error", label="day")
        scan = ss.rootcause.segment_scan(ss.read(path), defectives="is_error",
                                         dimensions=["queue", "market"])
    finally:
        ss.io.reset()
    want = frame.groupby("day").is_error.agg(["sum", "size"])
    np.testing.assert_allclose(got.statistic, (want["sum"] / want["size"]).to_numpy())
    assert scan.segments.n.max() <= rows
