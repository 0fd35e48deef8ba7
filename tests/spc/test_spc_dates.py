"""Issue 14 item 2: date-like text labels are parsed once, checked for order, grouped in time."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import InputError, OrderError

DAYS = [f"2026-01-{d:02d}" for d in range(1, 13)]
X = [5.0, 6.0, 5.5, 6.2, 5.8, 6.1, 7.5, 8.0, 7.6, 7.9, 8.2, 7.7]


def test_text_dates_become_datetimes() -> None:
    chart = ss.spc.imr({"day": DAYS, "x": X}, value="x", label="day").location
    assert np.issubdtype(chart.labels.dtype, np.datetime64)
    assert str(chart.labels[0])[:10] == "2026-01-01"


@pytest.mark.parametrize("chart", ["imr", "p", "c", "ewma", "g"])
def test_unsorted_text_dates_raise_naming_the_row(chart: str) -> None:
    days = DAYS.copy()
    days[4], days[5] = days[5], days[4]
    data = {"day": days, "x": X, "d": [1] * 12, "n": [10] * 12}
    with pytest.raises(OrderError, match=r"row 5 \(2026-01-05\)"):
        if chart == "imr":
            ss.spc.imr(data, value="x", label="day")
        elif chart == "p":
            ss.spc.p_chart(data, defectives="d", size="n", label="day")
        elif chart == "c":
            ss.spc.c_chart(data, count="d", label="day")
        elif chart == "ewma":
            ss.spc.ewma(data, value="x", label="day")
        else:
            ss.spc.g_chart(data, value="x", label="day")


def test_duplicated_text_datetimes_raise() -> None:
    days = [f"2026-01-{d:02d}T08:00" for d in range(1, 13)]
    days[7] = "2026-01-07 08:00:00"   # the same time as row 6, spelled differently
    with pytest.raises(OrderError, match="row 7"):
        ss.spc.imr({"day": days, "x": X}, value="x", label="day")


def test_raw_records_are_ordered_by_parsed_date() -> None:
    # text order would put "2026-01-10" before "2026-01-9T..." and both before "2026-01-09"
    rows = pd.DataFrame({
        "day": ["2026-01-10", "2026-01-09", "2026-01-08T00:00", "2026-01-10", "2026-01-08"] * 4,
        "err": [0, 1, 0, 1, 1] * 4,
        "x": np.arange(20.0),
    })
    p = ss.spc.p_chart(rows, defectives="err", label="day")
    assert [str(v)[:10] for v in p.labels] == ["2026-01-08", "2026-01-09", "2026-01-10"]
    assert p.n.tolist() == [8.0, 4.0, 8.0]   # the two spellings of Jan 8 are one point
    xb = ss.spc.xbar_r(rows.iloc[[1, 3, 6, 8, 11, 13]], value="x", subgroup="day").location
    assert [str(v)[:10] for v in xb.labels] == ["2026-01-09", "2026-01-10"]
    u = ss.spc.u_chart(rows, count="err", label="day")
    assert np.issubdtype(u.labels.dtype, np.datetime64)


def test_change_log_with_text_dates() -> None:
    data = {"day": DAYS, "x": X}
    log = pd.DataFrame({"date": ["2026-01-07"], "event": ["new policy"]})
    chart = ss.spc.imr(data, value="x", label="day", stage=log).location
    assert [s.name for s in chart.stages] == ["baseline", "new policy"]
    assert chart.stages[1].start == 6
    by_dict = ss.spc.imr(data, value="x", label="day", stage={"2026-01-07": "new policy"})
    assert by_dict.location.stages[1].start == 6
    unnamed = ss.spc.imr(data, value="x", label="day",
                         stage=pd.DataFrame({"date": ["2026-01-07"]})).location
    assert unnamed.stages[1].name == "from 2026-01-07"


def test_mixed_naive_and_aware_times_are_refused() -> None:
    days = [f"2026-01-{d:02d}T08:00" for d in range(1, 13)]
    days[3] = "2026-01-04T08:00+02:00"
    with pytest.raises(InputError, match=r"time zone.*row 3"):
        ss.spc.imr({"day": days, "x": X}, value="x", label="day")
    stamps = [dt.datetime(2026, 1, d) for d in range(1, 13)]
    stamps[2] = dt.datetime(2026, 1, 3, tzinfo=dt.UTC)
    frame = pd.DataFrame({"day": pd.Series(stamps, dtype=object), "x": X})
    with pytest.raises(InputError, match=r"row 2") as info:
        ss.spc.imr(frame, value="x", label="day")
    assert "datetime.datetime" not in str(info.value)


def test_plain_text_labels_are_left_alone() -> None:
    chart = ss.spc.imr({"batch": list("BADCEFGHIJKL"), "x": X}, value="x", label="batch")
    assert chart.location.labels[0] == "B"
