"""Tests of sixsigma.plot.control_chart: the Axes artists are inspected, never the pixels."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sixsigma as ss  # noqa: E402
from sixsigma.errors import ParameterError  # noqa: E402
from sixsigma.plot.charts import (  # noqa: E402
    MAX_ANNOTATIONS,
    MAX_MARKER_POINTS,
    SIGNAL_COLOR,
    _rule_label,
)


def lines(ax, gid):
    return [line for line in ax.lines if line.get_gid() == gid]


def texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


def one(ax, gid):
    found = lines(ax, gid)
    assert len(found) == 1, f"expected one {gid!r} line, found {len(found)}"
    return found[0]


@pytest.fixture
def audits() -> pd.DataFrame:
    """30 days of audits: sizes 100-400 (so some lower limits are absent), a spike on day 20,
    and a change of the error rate from day 15 (2026-01-16)."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2026-01-01", periods=30, freq="D")
    audited = np.tile([100, 400, 250], 10)
    rate = np.where(np.arange(30) < 15, 0.05, 0.08)
    errors = rng.binomial(audited, rate)
    errors[20] = int(0.3 * audited[20])
    return pd.DataFrame({"day": days, "audited": audited, "errors": errors})


@pytest.fixture
def changes() -> pd.DataFrame:
    return pd.DataFrame({"date": [pd.Timestamp("2026-01-16")], "event": ["Policy v2"]})


@pytest.fixture
def p(audits, changes) -> ss.spc.ControlChart:
    return ss.spc.p_chart(audits, defectives="errors", size="audited", label="day",
                          rules="nelson", stage=changes)


# -- import hygiene ---------------------------------------------------------------------------
def test_import_sixsigma_does_not_import_matplotlib():
    code = ("import sys, sixsigma, sixsigma.plot, sixsigma.datasets; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- a p chart with dates, stages, variable limits and signals --------------------------------
def test_returns_a_new_axes_not_the_current_one(p):
    current = plt.figure()
    ax = ss.plot.control_chart(p)
    assert ax.figure is not current


def test_draws_into_the_given_axes(p):
    _, ax = plt.subplots()
    assert ss.plot.control_chart(p, ax=ax) is ax


def test_statistic_has_one_marker_per_point(p):
    ax = ss.plot.control_chart(p)
    stat = one(ax, "statistic")
    assert len(stat.get_xdata()) == len(p)
    np.testing.assert_array_equal(stat.get_ydata(), p.statistic)
    assert stat.get_marker() == "o"


def test_limit_lines_are_stepped_and_keep_nan_gaps(p):
    assert np.isnan(p.lcl).any() and np.isfinite(p.lcl).any()  # the fixture needs both
    ax = ss.plot.control_chart(p)
    for gid, values in (("ucl", p.ucl), ("lcl", p.lcl), ("center", p.center)):
        line = one(ax, gid)
        np.testing.assert_array_equal(line.get_ydata(), values)  # NaN where absent
        assert line.get_drawstyle() == "steps-mid"


def test_zone_lines_at_one_and_two_standard_errors(p):
    ax = ss.plot.control_chart(p)
    zones = lines(ax, "zone")
    assert len(zones) == 4
    with np.errstate(invalid="ignore"):
        for line, k in zip(zones, (-2, -1, 1, 2), strict=True):
            expected = p.center + k * p.se
            expected = np.where(expected < 0, np.nan, expected)
            np.testing.assert_allclose(line.get_ydata(), expected)
            assert line.get_linestyle() == ":"
    assert lines(ss.plot.control_chart(p, zones=False), "zone") == []


def test_signals_are_red_markers_at_exactly_the_violation_indices(p):
    assert p.violation_index.size  # the spike on day 20 at least
    ax = ss.plot.control_chart(p)
    signals = one(ax, "signals")
    flagged = np.unique(p.violation_index)
    np.testing.assert_array_equal(signals.get_xdata(), p.labels[flagged])
    np.testing.assert_array_equal(signals.get_ydata(), p.statistic[flagged])
    assert signals.get_linestyle() == "None"
    assert signals.get_markerfacecolor() == SIGNAL_COLOR


def test_annotations_name_the_rules_of_each_flagged_point(p):
    ax = ss.plot.control_chart(p)
    expected = []
    for i in np.unique(p.violation_index).tolist():
        rules = [r.removeprefix("nelson_") for r, j in
                 zip(p.violation_rule.tolist(), p.violation_index.tolist(), strict=True)
                 if j == i]
        expected.append(",".join(rules))
    assert [t.get_text() for t in texts(ax, "signal-label")] == expected
    assert "1" in expected  # the spike is beyond the upper limit
    assert texts(ss.plot.control_chart(p, annotate=False), "signal-label") == []


def test_stage_boundaries_and_names(p):
    assert [s.name for s in p.stages] == ["baseline", "Policy v2"]
    ax = ss.plot.control_chart(p)
    boundary = one(ax, "stage-boundary")
    start = p.stages[1].start
    x0 = boundary.get_xdata()[0]
    # halfway between the last point of the first stage and the first of the second
    assert mdates.date2num(p.labels[start - 1]) < mdates.date2num(x0) \
        < mdates.date2num(p.labels[start])
    assert [t.get_text().strip() for t in texts(ax, "stage-name")] == ["baseline", "Policy v2"]


def test_single_stage_draws_no_stage_lines(audits):
    chart = ss.spc.p_chart(audits, defectives="errors", size="audited", label="day")
    ax = ss.plot.control_chart(chart)
    assert lines(ax, "stage-boundary") == [] and texts(ax, "stage-name") == []


def test_date_labels_give_a_date_axis(p):
    ax = ss.plot.control_chart(p)
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator)
    assert one(ax, "statistic").get_xdata().dtype.kind == "M"


def test_titles_and_labels(audits, p):
    ax = ss.plot.control_chart(p)
    assert ax.get_title() == "p chart"
    assert ax.get_ylabel() == "Proportion"
    assert ss.plot.control_chart(p, title="Errors").get_title() == "Errors"
    laney = ss.spc.laney_p(audits, defectives="errors", size="audited", label="day")
    title = ss.plot.control_chart(laney).get_title()
    assert title.startswith("Laney p' chart")
    assert f"sigma_z = {laney.stages[-1].extra['sigma_z']:.2f}" in title


def test_the_plot_does_not_change_the_chart(p):
    before = p.to_frame()
    ss.plot.control_chart(p)
    pd.testing.assert_frame_equal(p.to_frame(), before)


# -- other label kinds, phases, rules ---------------------------------------------------------
def test_phase_two_boundary():
    x = np.r_[np.random.default_rng(1).normal(10, 1, 30)]
    chart = ss.spc.imr(x, phase1=20).location
    ax = ss.plot.control_chart(chart)
    line = one(ax, "phase2-boundary")
    assert line.get_xdata()[0] == pytest.approx(20.5)  # labels 1..30: between 20 and 21
    assert [t.get_text().strip() for t in texts(ax, "phase2-label")] == ["Phase II"]
    assert ax.get_xlabel() == "Observation"


def test_text_labels_are_thinned_tick_labels():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"lot": np.repeat([f"lot-{i:02d}" for i in range(40)], 4),
                       "v": rng.normal(5, 1, 160)})
    top, bottom = ss.plot.control_chart(ss.spc.xbar_r(df, value="v", subgroup="lot"))
    ticks = [t.get_text() for t in bottom.get_xticklabels()]
    assert 2 <= len(ticks) <= 13
    assert ticks[0] == "lot-00" and set(ticks) <= {f"lot-{i:02d}" for i in range(40)}
    np.testing.assert_array_equal(one(top, "statistic").get_xdata(), np.arange(40.0))


@pytest.mark.parametrize(("rule", "text"), [
    ("nelson_1", "1"), ("nelson_8", "8"), ("we_2", "W 2"), ("anhoj_run", "A run"),
    ("anhoj_crossings", "A cross"), ("cusum_upper", "C+"), ("cusum_lower", "C-"),
])
def test_rule_labels(rule, text):
    assert _rule_label(rule) == text


def test_western_electric_annotation():
    x = [10.0, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 30, 10, 11]
    chart = ss.spc.imr(x, rules="we_1").location
    ax = ss.plot.control_chart(chart)
    assert [t.get_text() for t in texts(ax, "signal-label")] == ["W 1"]


def test_run_chart_has_no_zones_and_no_limits():
    chart = ss.spc.run_chart([3.0, 4, 5, 4, 3, 4, 5, 6, 4, 3, 4, 5])
    ax = ss.plot.control_chart(chart)
    assert lines(ax, "zone") == [] and lines(ax, "ucl") == [] and lines(ax, "lcl") == []
    assert ax.get_title() == "Run chart"


# -- pairs and CUSUM -------------------------------------------------------------------------
def test_pair_returns_two_axes_sharing_x():
    pair = ss.spc.imr([10.0, 11, 9, 10, 12, 11, 10, 9, 11, 10, 12, 9])
    top, bottom = ss.plot.control_chart(pair)
    assert top.figure is bottom.figure
    assert top.get_shared_x_axes().joined(top, bottom)
    assert top.get_ylabel() == "Individual value" and bottom.get_ylabel() == "Moving range"
    assert len(one(top, "statistic").get_xdata()) == len(pair.location)
    np.testing.assert_array_equal(one(bottom, "ucl").get_ydata(), pair.dispersion.ucl)
    assert top.get_legend() is not None and bottom.get_legend() is None


def test_pair_into_given_axes_and_bad_axes_arguments():
    pair = ss.spc.imr([10.0, 11, 9, 10, 12, 11, 10, 9, 11, 10, 12, 9])
    _, given = plt.subplots(2, 1)
    assert ss.plot.control_chart(pair, axes=(given[0], given[1])) == (given[0], given[1])
    with pytest.raises(ParameterError, match="axes="):
        ss.plot.control_chart(pair, ax=given[0])
    with pytest.raises(ParameterError, match="ax="):
        ss.plot.control_chart(pair.location, axes=(given[0], given[1]))
    with pytest.raises(ParameterError, match="ControlChart"):
        ss.plot.control_chart([1, 2, 3])  # type: ignore[arg-type]


def test_cusum_draws_both_sums_and_plus_minus_h():
    chart = ss.spc.cusum([0.0, 0.5, -0.2, 1.8, 2.1, 1.9, 2.2, 2.0, -3, -3, -3, -3, -3],
                         target=0, sigma=1)
    ax = ss.plot.control_chart(chart)
    np.testing.assert_array_equal(one(ax, "cusum-upper").get_ydata(), chart.upper)
    np.testing.assert_array_equal(one(ax, "cusum-lower").get_ydata(), -chart.lower)
    levels = sorted(line.get_ydata()[0] for line in lines(ax, "decision-interval"))
    assert levels == [-chart.h, chart.h]
    assert one(ax, "center").get_ydata()[0] == 0
    assert lines(ax, "zone") == []
    signals = one(ax, "signals")
    np.testing.assert_array_equal(signals.get_xdata(), chart.labels[chart.violation_index])
    up = chart.violation_rule == "cusum_upper"
    expected = np.where(up, chart.upper[chart.violation_index],
                        -chart.lower[chart.violation_index])
    np.testing.assert_array_equal(signals.get_ydata(), expected)
    assert {"C+", "C-"} == {t.get_text() for t in texts(ax, "signal-label")}


# -- large charts ------------------------------------------------------------------------------
def test_large_chart_plain_line_and_at_most_200_annotations():
    x = np.random.default_rng(3).normal(size=MAX_MARKER_POINTS + 5_000)
    chart = ss.spc.imr(x, rules="nelson").location
    flagged = np.unique(chart.violation_index)
    assert flagged.size > MAX_ANNOTATIONS
    ax = ss.plot.control_chart(chart)
    stat = one(ax, "statistic")
    assert stat.get_marker() in (None, "None", "", "none")
    assert len(stat.get_xdata()) == len(chart)
    assert len(one(ax, "signals").get_xdata()) == flagged.size
    labels = texts(ax, "signal-label")
    assert len(labels) == MAX_ANNOTATIONS
    # constant limits are drawn with a handful of vertices, at the right level
    ucl = one(ax, "ucl")
    assert len(ucl.get_ydata()) < 10
    assert np.all(ucl.get_ydata() == chart.ucl[0])
    ax.figure.canvas.draw()


def test_ax_is_keyword_only_and_the_module_does_not_shadow_the_function():
    import importlib
    import inspect

    params = inspect.signature(ss.plot.control_chart).parameters
    assert params["ax"].kind is inspect.Parameter.KEYWORD_ONLY
    assert callable(ss.plot.control_chart)
    assert importlib.import_module("sixsigma.plot.charts").control_chart is ss.plot.control_chart


def test_g_chart_draws_the_median_its_runs_are_judged_about():
    rng = np.random.default_rng(3)
    g = ss.spc.g_chart({"g": rng.geometric(1 / 21, 40) - 1.0}, value="g")
    ax = ss.plot.control_chart(g)
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == "median"]
    assert len(lines) == 1
    assert np.allclose(np.asarray(lines[0].get_ydata(), dtype=float),
                       g.stages[0].extra["median"])
    p = ss.spc.p_chart({"d": [3, 5, 4, 6], "n": [100] * 4}, "d", "n")
    assert not [ln for ln in ss.plot.control_chart(p).get_lines() if ln.get_gid() == "median"]
