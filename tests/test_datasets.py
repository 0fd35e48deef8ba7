"""Tests of the bundled datasets (sixsigma.datasets)."""

from __future__ import annotations

import dataclasses
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma import datasets
from sixsigma.datasets._make_daily_audits import main as write_files
from sixsigma.datasets._make_daily_audits import make_changes, make_daily_audits
from sixsigma.errors import ParameterError

COLUMNS = ["day", "audited", "errors", "over_enforcement", "under_enforcement",
           "wrong_policy", "median_handle_seconds"]


def test_list():
    assert "daily_audits" in datasets.list()


def test_load_daily_audits_columns_and_dtypes():
    ds = datasets.load("daily_audits")
    frame = ds.audits
    assert list(frame.columns) == COLUMNS
    assert frame.shape == (120, 7)
    assert frame["day"].dtype.kind == "M"
    for column in COLUMNS[1:-1]:
        assert frame[column].dtype == np.int64, column
    assert frame["median_handle_seconds"].dtype == np.float64
    assert frame["day"].iloc[0] == pd.Timestamp("2026-01-05")
    assert (frame["day"].diff().iloc[1:] == pd.Timedelta(days=1)).all()
    assert ds.events is None


def test_daily_audits_is_consistent():
    frame = datasets.load("daily_audits").audits
    parts = frame[["over_enforcement", "under_enforcement", "wrong_policy"]].sum(axis=1)
    assert (parts == frame["errors"]).all()
    assert (frame["errors"] <= frame["audited"]).all()
    assert frame["audited"].between(350, 700).all()
    weekend = frame["day"].dt.day_of_week >= 5
    assert frame.loc[weekend, "audited"].max() < frame.loc[~weekend, "audited"].min()


def test_change_log_and_truth():
    ds = datasets.load("daily_audits")
    assert ds.changes is not None
    assert list(ds.changes.columns) == ["date", "event"]
    assert ds.changes["date"].dtype.kind == "M"
    assert ds.changes.iloc[0].tolist() == [pd.Timestamp("2026-03-26"),
                                           "Policy update: hate speech v3"]
    assert ds.truth[0] == {"cause": "policy update", "metric": "error rate",
                           "from_day": "2026-03-26", "before": 0.05, "after": 0.07}


def test_the_injected_shift_is_in_the_data():
    ds = datasets.load("daily_audits")
    frame = ds.audits
    after = frame["day"] >= pd.Timestamp(ds.truth[0]["from_day"])
    assert after.sum() == 40
    before_rate = frame.loc[~after, "errors"].sum() / frame.loc[~after, "audited"].sum()
    after_rate = frame.loc[after, "errors"].sum() / frame.loc[after, "audited"].sum()
    assert before_rate == pytest.approx(0.05, abs=0.005)
    assert after_rate == pytest.approx(0.07, abs=0.005)


def test_daily_audits_are_overdispersed():
    ds = datasets.load("daily_audits")
    chart = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
                           stage=ds.changes)
    assert [s.name for s in chart.stages] == ["baseline", "Policy update: hate speech v3"]
    assert all(1.2 < s.extra["sigma_z"] < 2.0 for s in chart.stages)


def test_generator_reproduces_the_shipped_files():
    folder = resources.files("sixsigma.datasets")
    with folder.joinpath("daily_audits.csv").open("r", encoding="utf-8") as handle:
        shipped = pd.read_csv(handle)
    pd.testing.assert_frame_equal(make_daily_audits(), shipped)
    with folder.joinpath("changes.csv").open("r", encoding="utf-8") as handle:
        pd.testing.assert_frame_equal(make_changes(), pd.read_csv(handle))


def test_generator_writes_identical_bytes(tmp_path):
    folder = resources.files("sixsigma.datasets")
    for path in write_files(tmp_path):
        assert path.read_bytes() == folder.joinpath(path.name).read_bytes(), path.name


def test_loads_are_independent_copies():
    first = datasets.load("daily_audits")
    first.audits.loc[0, "errors"] = -1
    assert datasets.load("daily_audits").audits.loc[0, "errors"] >= 0


def test_dataset_is_frozen():
    ds = datasets.load("daily_audits")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.audits = pd.DataFrame()  # type: ignore[misc]


@pytest.mark.parametrize("name", ["daily_audit", "", "DAILY_AUDITS", None])
def test_unknown_name(name):
    with pytest.raises(ParameterError, match="available: .*'daily_audits'") as info:
        datasets.load(name)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
