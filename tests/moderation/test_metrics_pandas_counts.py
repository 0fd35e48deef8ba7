"""Issue 19: ``metrics`` on a pandas frame counts the raw label combinations first.

The fast path (:mod:`sixsigma.moderation._counts`) must give the table of the general path
and of DuckDB, bit for bit, on frames shaped as teams' exports are ("Y"/"N" flags, NaN and
None, rows out of order, text dates), and raise the general path's errors, naming the
column and the first bad row of the whole frame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import DomainError, MissingValueError
from sixsigma.moderation import AuditSchema, _counts, quality

LABELS = ["spam", "no_violation", "adult", "hate_speech"]


def export(n: int = 3000, seed: int = 19) -> pd.DataFrame:
    """Audit records as an export has them: text dates, Y/N flags, None and NaN, unsorted."""
    rng = np.random.default_rng(seed)
    stamps = (pd.Timestamp("2026-02-23") + pd.to_timedelta(rng.integers(0, 40 * 86400, n),
                                                           unit="s"))
    text = stamps.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    text[rng.random(n) < 0.1] = stamps[:1].strftime("%Y-%m-%dT%H:%M:%SZ")[0]
    text[rng.random(n) < 0.1] = "2026-03-05"
    dec = rng.choice(LABELS, n)
    qa = np.where(rng.random(n) < 0.8, dec, rng.choice(LABELS, n)).astype(object)
    qa[rng.random(n) < 0.2] = None
    qa[rng.random(n) < 0.05] = np.nan
    appealed = rng.choice(np.array(["Y", "N", None, np.nan], dtype=object), n,
                          p=[0.2, 0.7, 0.05, 0.05])
    overturned = np.where(appealed == "Y", rng.choice(["Y", "N"], n), None)
    turnaround = rng.exponential(10_000, n)
    turnaround[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "decided_at": text, "queue": rng.choice(["a", "b", None], n, p=[0.5, 0.4, 0.1]),
        "decision": dec, "qa_decision": qa, "appealed": appealed,
        "appeal_overturned": overturned, "turnaround_seconds": turnaround,
    })


def general(monkeypatch: pytest.MonkeyPatch, call: Callable[[], Any]) -> Any:
    """``call()`` with the fast path switched off (the general path on the whole frame)."""
    with monkeypatch.context() as m:
        m.setattr(quality, "pandas_day_counts", lambda *a, **k: None)
        return call()


def fast_only(monkeypatch: pytest.MonkeyPatch, call: Callable[[], Any]) -> Any:
    """``call()`` failing if the general path runs on the whole frame."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the general path ran")

    with monkeypatch.context() as m:
        m.setattr(quality, "_standardize", refuse)
        return call()


ARGS: dict[str, Any] = {"by": "queue", "grain": "week", "sla_seconds": 14_400}


def test_export_shapes_equal_duckdb_and_general_path(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    frame = export()
    got = fast_only(monkeypatch, lambda: ss.moderation.metrics(frame, **ARGS))
    pd.testing.assert_frame_equal(
        got, general(monkeypatch, lambda: ss.moderation.metrics(frame, **ARGS)),
        check_exact=True)
    path = tmp_path / "export.parquet"
    frame.to_parquet(path, index=False)
    on_duckdb = ss.moderation.metrics(ss.read(str(path)), **ARGS)
    pd.testing.assert_frame_equal(got, on_duckdb, check_exact=True)
    relation = ss.moderation.metrics(duckdb.connect().from_df(frame.astype(
        {c: "str" for c in ("decided_at", "queue", "decision", "qa_decision", "appealed",
                            "appeal_overturned")})), **ARGS)
    pd.testing.assert_frame_equal(got, relation, check_exact=True)
    assert set(got.metric) >= {"accuracy", "appeal_overturn", "sla_attainment", "f1"}


def _variants() -> dict[str, Callable[[pd.DataFrame], pd.DataFrame]]:
    def datetimes(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(decided_at=pd.to_datetime(f.decided_at.str.replace("T", " ")
                                                  .str.rstrip("Z"), format="ISO8601"))

    def object_bool_flags(f: pd.DataFrame) -> pd.DataFrame:
        flags = f.appealed.map({"Y": True, "N": False}).astype(object)
        flags[f.appealed.isna()] = None
        return f.assign(appealed=flags)

    def float_flags(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(appealed=f.appealed.map({"Y": 1.0, "N": 0.0}),
                        appeal_overturned=f.appeal_overturned.map({"Y": 1, "N": 0})
                        .astype("Int64"))

    def nullable_bool(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(appealed=f.appealed.map({"Y": True, "N": False}).astype("boolean"))

    def categorical(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(decision=f.decision.astype("category"),
                        qa_decision=f.qa_decision.astype("category"))

    def object_text(f: pd.DataFrame) -> pd.DataFrame:
        return f.astype({"decision": object, "qa_decision": object, "decided_at": object})

    def arrow_text(f: pd.DataFrame) -> pd.DataFrame:
        return f.astype({"decision": "string[pyarrow]", "qa_decision": "string[pyarrow]",
                         "decided_at": pd.ArrowDtype(__import__("pyarrow").string())})

    def padded_dates(f: pd.DataFrame) -> pd.DataFrame:   # the general path decides
        return f.assign(decided_at=" " + f.decided_at.astype(str))

    def old_date(f: pd.DataFrame) -> pd.DataFrame:       # outside 1678-2261: general path
        return f.assign(decided_at=f.decided_at.where(f.index != 7, "1492-10-12 10:00"))

    def mixed_flags(f: pd.DataFrame) -> pd.DataFrame:    # 1, True, "y": the general path
        flags = f.appealed.astype(object).copy()
        flags[:5] = [1, True, "y", 0.0, False]
        return f.assign(appealed=flags)

    return {f.__name__: f for f in (datetimes, object_bool_flags, float_flags, nullable_bool,
                                    categorical, object_text, arrow_text, padded_dates,
                                    old_date, mixed_flags)}


# shapes the fast path leaves to the general path (on the whole frame)
GENERAL = {"padded_dates", "old_date", "mixed_flags"}


@pytest.mark.parametrize("variant", list(_variants()))
def test_fast_path_equals_general_path(variant: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _variants()[variant](export(1500, seed=len(variant)))
    run = (lambda c: c()) if variant in GENERAL else (lambda c: fast_only(monkeypatch, c))
    for args in (ARGS, {"grain": "day", "which": ["accuracy", "audited", "precision"]},
                 {"grain": "all", "by": ["queue"], "sla_seconds": 3600}):
        got = run(lambda a=args: ss.moderation.metrics(frame, **a))
        expected = general(monkeypatch, lambda a=args: ss.moderation.metrics(frame, **a))
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_schema_recoding_and_error_types(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = export(1200).rename(columns={"decision": "label", "qa_decision": "qa"})
    frame["label"] = frame["label"].replace({"spam": "SPAM", "no_violation": "NONE"})
    frame["qa"] = frame["qa"].replace({"spam": "SPAM", "no_violation": "NONE"})
    frame.loc[frame.qa.isna(), "qa"] = ""
    frame["error_type"] = ss.moderation.classify_errors(
        frame.label.replace({"SPAM": "spam", "NONE": "no_violation"}),
        frame.qa.replace({"SPAM": "spam", "NONE": "no_violation", "": None}))
    frame["error_type"] = frame["error_type"].fillna("")
    schema = AuditSchema(columns={"decision": "label", "qa_decision": "qa"},
                         labels={"SPAM": "spam"}, no_violation=["NONE"],
                         not_audited=["", None])
    got = fast_only(monkeypatch, lambda: ss.moderation.metrics(frame, schema=schema, **ARGS))
    expected = general(monkeypatch, lambda: ss.moderation.metrics(frame, schema=schema,
                                                                  **ARGS))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    bad = frame.copy()
    row = int(np.flatnonzero((bad.error_type == "").to_numpy() & bad.qa.ne("").to_numpy()
                             & (bad.label == bad.qa).to_numpy())[700])
    bad.loc[row, "error_type"] = "over_enforcement"
    with pytest.raises(DomainError, match=f"'error_type' at row {row} "):
        ss.moderation.metrics(bad, schema=schema, **ARGS)


def _bad(kind: str) -> tuple[pd.DataFrame, type[Exception], str]:
    frame = export(2000)
    row = 1234
    if kind == "label":
        frame.loc[row, "decision"] = "spamm"
        return frame, DomainError, f"unknown label 'spamm' at row {row} (1 row in all)"
    if kind == "flag":
        frame.loc[[row, row + 5], "appealed"] = "maybe"
        return frame, DomainError, f"'maybe' at row {row} (2 rows in all)"
    if kind == "date":
        frame.loc[row, "decided_at"] = "2026-02-30 10:00:00"
        return frame, DomainError, f"cannot be parsed at row {row}: '2026-02-30 10:00:00'"
    if kind == "hour":
        frame.loc[row, "decided_at"] = "2026-03-02 24:00:00"
        return frame, DomainError, f"cannot be parsed at row {row}"
    if kind == "missing date":
        frame.loc[row, "decided_at"] = None
        return frame, MissingValueError, f"'decided_at' is missing at row {row}"
    assert kind == "missing decision"
    frame.loc[row, "decision"] = np.nan
    return frame, MissingValueError, f"missing label at row {row}"


@pytest.mark.parametrize("kind", ["label", "flag", "date", "hour", "missing date",
                                  "missing decision"])
def test_bad_input_raises_the_general_paths_error(kind: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    frame, error, text = _bad(kind)
    with pytest.raises(error) as fast:
        ss.moderation.metrics(frame, **ARGS)
    assert text in str(fast.value)
    with pytest.raises(error) as slow:
        general(monkeypatch, lambda: ss.moderation.metrics(frame, **ARGS))
    assert str(fast.value) == str(slow.value)


def test_representatives_cover_every_combination() -> None:
    frame = export(5000)
    key = _counts._Key(len(frame))
    for name in ("queue", "decision", "qa_decision", "appealed"):
        assert _counts._add_column(key, frame[name], flag=name == "appealed") is False
    rows, weights = key.rows()
    assert weights.sum() == len(frame)
    combos = frame[["queue", "decision", "qa_decision", "appealed"]].astype(object).fillna(
        "<missing>").value_counts()
    assert len(rows) == len(combos)
    got = frame.iloc[rows][["queue", "decision", "qa_decision", "appealed"]].astype(
        object).fillna("<missing>")
    assert [combos[tuple(r)] for r in got.itertuples(index=False)] == weights.tolist()
