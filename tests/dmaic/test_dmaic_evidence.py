"""Evidence: attaching results, fingerprints, staleness and re-running."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import polars as pl
import pytest
from _cases import post_update
from _typed import needs_typed

import dmaic
import sixsigma as ss
from dmaic.evidence import Evidence, attach, fingerprint

DATA = {"errors": [4, 6, 5, 7], "audited": [100, 110, 100, 90]}


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "day": pd.date_range("2026-01-05", periods=4),
        "queue": ["spam", "adult", "spam", "hate_speech"],
        "errors": [4, 6, 5, 7],
        "rate": [0.04, 0.0545, 0.05, 0.0778],
        "flag": [True, False, True, True],
    })


# -- fingerprint ----------------------------------------------------------------------------
def test_fingerprint_recipe_by_hand():
    # sha256/pandas-hash-v1 recomputed independently from its documented recipe
    df = pd.DataFrame({"x": [1, 2, 3], "s": ["a", "b", None]})
    h = hashlib.sha256()
    h.update(json.dumps([["x", "int"], ["s", "string"]]).encode())
    h.update((3).to_bytes(8, "little"))
    h.update(pd.util.hash_pandas_object(pd.Series([1, 2, 3], dtype="int64"),
                                        index=False).to_numpy().astype("<u8").tobytes())
    h.update(pd.util.hash_pandas_object(pd.Series(["a", "b", None], dtype=object),
                                        index=False).to_numpy().astype("<u8").tobytes())
    assert fingerprint(df).digest == h.hexdigest()


def test_fingerprint_is_stable_across_processes():
    code = ("import pandas as pd; from dmaic.evidence import fingerprint; "
            "print(fingerprint(pd.DataFrame({'a': [1.5, 2.0], 's': ['x', 'y']})).digest)")
    digests = {subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed}
                              ).stdout.strip() for seed in ("1", "2")}
    here = fingerprint(pd.DataFrame({"a": [1.5, 2.0], "s": ["x", "y"]})).digest
    assert digests == {here}


def test_fingerprint_same_table_in_every_frame_library():
    df = frame()
    expected = fingerprint(df)
    assert fingerprint(pl.from_pandas(df)) == expected
    assert fingerprint({k: df[k].tolist() for k in df.columns}) == expected
    assert fingerprint(df.set_index(pd.Index([10, 11, 12, 13]))) == expected   # index ignored
    assert fingerprint(df.astype({"errors": "int32"})) == expected            # int width
    assert fingerprint(df.assign(day=df["day"].astype("datetime64[us]"))) == expected


@pytest.mark.parametrize("change", [
    lambda df: df.iloc[[1, 0, 2, 3]].reset_index(drop=True),   # row order
    lambda df: df[["queue", "day", "errors", "rate", "flag"]],  # column order
    lambda df: df.rename(columns={"errors": "errs"}),           # a name
    lambda df: df.assign(errors=[4, 6, 5, 8]),                   # one value
    lambda df: df.assign(rate=df["rate"] + 1e-15),               # a float by one ulp or so
    lambda df: df.assign(errors=df["errors"].astype(float)),     # int -> float
    lambda df: df.iloc[:3],                                      # a row dropped
    lambda df: df.assign(queue=["spam", "adult", "spam", None]),  # a missing value
])
def test_fingerprint_detects_changes(change):
    df = frame()
    assert fingerprint(change(df)) != fingerprint(df)


def test_fingerprint_fields():
    fp = fingerprint(frame())
    assert (fp.algorithm, fp.rows, fp.columns) == (
        "sha256/pandas-hash-v1", 4, ["day", "queue", "errors", "rate", "flag"])
    assert len(fp.digest) == 64


# -- attach ---------------------------------------------------------------------------------
@needs_typed(ss.spc.ControlChart)
def test_attach_a_chart():
    chart = ss.spc.p_chart(DATA, defectives="errors", size="audited")
    before = dt.datetime.now(dt.UTC)
    ev = attach(chart, data=DATA, description="test chart", function=ss.spc.p_chart,
                parameters={"defectives": "errors", "size": "audited"},
                data_source="inline")
    assert ev.kind == "control_chart" and not ev.planned
    assert ev.result is chart and ev.record is None
    assert ev.payload == json.loads(json.dumps(chart.to_dict(), allow_nan=False))
    assert ev.result.chart == "p" and ev.result.sigma_method == chart.sigma_method
    assert ev.points == 4 and ev.size == 400                     # units behind the chart
    assert ev.chart.stages[0].center == pytest.approx(22 / 400)   # p-bar = sum d / sum n
    assert ev.function == "sixsigma.spc.attributes.p_chart"
    assert ev.parameters == {"defectives": "errors", "size": "audited"}
    assert ev.created_at is not None and ev.created_at >= before
    assert ev.sixsigma_version == ss.__version__
    assert ev.fingerprint == fingerprint(DATA)


def test_attach_a_mapping():
    ev = attach({"kind": "hypothesis_test", "p_value": 0.004, "detail": {"z": 2.9}})
    assert ev.p_value == 0.004 and ev.number("z") is None and ev.fingerprint is None
    assert ev.points is None and ev.chart is None
    assert ev.result is None and ev.payload is None and not ev.planned
    assert ev.record == {"kind": "hypothesis_test", "p_value": 0.004, "detail": {"z": 2.9}}


@needs_typed(ss.spc.ControlChart)
def test_attach_a_payload_restores_the_typed_result():
    chart = ss.spc.p_chart(DATA, defectives="errors", size="audited")
    ev = attach(json.loads(json.dumps(chart.to_dict())))
    assert type(ev.result) is type(chart) and ev.result == chart and ev.record is None


@needs_typed(ss.spc.ControlChart)
def test_the_typed_result_survives_a_store_round_trip():
    chart = ss.spc.p_chart(DATA, defectives="errors", size="audited")
    project = dmaic.Project(title="t")
    project.attach("chart", chart, data=DATA)
    again = dmaic.loads(dmaic.store.dumps(project, "json"), "json")
    assert again == project
    assert type(again.evidence["chart"].result) is type(chart)
    assert again.evidence["chart"].result == chart


@needs_typed(ss.spc.ControlChart)
def test_a_payload_that_does_not_restore_fails_at_load():
    chart = ss.spc.p_chart(DATA, defectives="errors", size="audited")
    project = dmaic.Project(title="t")
    project.attach("chart", chart)
    text = dmaic.store.dumps(project, "json").replace('"control_chart"', '"no_such_kind"')
    with pytest.raises(dmaic.EvidenceError, match="evidence 'chart'"):
        dmaic.loads(text, "json")


@pytest.mark.parametrize(("result", "kw", "words"), [
    ({"p_value": 0.1}, {}, "no 'kind'"),
    (object(), {}, "typed sixsigma result"),
    ({"kind": "no_such_kind", "schema_version": 1}, {}, "cannot be restored"),
    ({"kind": "t", "x": object()}, {}, "not JSON"),
    ({"kind": "t"}, {"parameters": {"stage": pd.DataFrame({"a": [1]})}}, "parameters"),
])
def test_attach_rejects(result, kw, words):
    with pytest.raises(dmaic.EvidenceError, match=words):
        attach(result, **kw)


def test_nan_in_a_result_becomes_null():
    ev = attach({"kind": "t", "value": float("nan"), "values": [1.0, float("nan")]})
    assert ev.record == {"kind": "t", "value": None, "values": [1.0, None]}


# -- staleness and re-running ---------------------------------------------------------------
def test_is_stale():
    df = frame()
    ev = attach({"kind": "t"}, data=df)
    assert not ev.is_stale(df.copy())
    assert ev.is_stale(df.assign(errors=[4, 6, 5, 9]))
    with pytest.raises(dmaic.EvidenceError, match="without data="):
        attach({"kind": "t"}).is_stale(df)


@needs_typed(ss.spc.ControlChart)
def test_rerun_reproduces_the_result():
    post = post_update()
    params = {"defectives": "wrong_policy", "size": "audited", "label": "day"}
    chart = ss.spc.laney_p(post, **params)
    ev = attach(chart, data=post, function=ss.spc.laney_p, parameters=params)
    again = ev.rerun(post)
    np.testing.assert_array_equal(again.ucl, chart.ucl)
    assert attach(again, data=post, function=ss.spc.laney_p,
                  parameters=params).model_dump(exclude={"created_at"}) == ev.model_dump(
        exclude={"created_at"})


@pytest.mark.parametrize(("function", "words"), [
    (None, "no function"),
    ("os.system", "only sixsigma"),
    ("sixsigma.spc.no_such_chart", "cannot find"),
])
def test_rerun_refuses(function, words):
    ev = Evidence(kind="control_chart", function=function)
    with pytest.raises(dmaic.EvidenceError, match=words):
        ev.rerun({"x": [1]})


def test_project_refresh_and_stale_evidence(complete):
    post = post_update()
    assert complete.stale_evidence(post) == []
    revised = post.assign(wrong_policy=post["wrong_policy"].where(post.index != 0, 0))
    assert complete.stale_evidence(revised) == [
        "baseline_wrong_policy", "baseline_errors", "capability_wrong_policy",
        "capability_errors"]
    old = complete.evidence["baseline_wrong_policy"]
    new = complete.refresh("baseline_wrong_policy", revised)
    assert not new.is_stale(revised)
    assert new.description == old.description and new.function == old.function
    assert new.chart.stages[0].center < old.chart.stages[0].center


@needs_typed(ss.spc.ControlChart)
def test_attach_fills_a_planned_record(example):
    planned = example.evidence["baseline_errors"]
    assert planned.planned
    post = post_update()
    chart = ss.spc.laney_p(post, defectives="errors", size="audited")
    ev = example.attach("baseline_errors", chart, data=post)
    assert ev.description == planned.description
    assert ev.parameters == planned.parameters and ev.function == planned.function
    assert ev.data_source == planned.data_source
    assert example.evidence["baseline_errors"] == ev
    assert ev.result is chart                  # the attached object itself, not a copy


def test_frozen_limits_from_a_chart(complete):
    limits = complete.control.plan[0].limits
    chart = complete.evidence["pilot_chart"].chart
    stage = chart.stages[-1]
    ucl = chart.ucl[stage.start:stage.stop]
    assert limits.center == stage.center and limits.sigma == stage.sigma
    assert limits.ucl == float(np.median(ucl))
    with pytest.raises(dmaic.EvidenceError, match="not an attached control chart"):
        type(limits).from_chart("tenure_test", complete.evidence["tenure_test"])
