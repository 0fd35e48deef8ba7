"""A team's own QA export, read through an AuditSchema: issue 14, Build items 1 and 2.

The export below is written here, in a foreign vocabulary (not the shipped data): text
dates, HATE/HARASSMENT/NONE/ADULT/SPAM labels, "" for "not audited", Y/N and ""/0/1 flags.
Every figure `metrics` gives is checked against counts done by hand in pandas.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InputError,
    MissingValueError,
    ParameterError,
)
from sixsigma.moderation import AuditSchema, classify_errors, metrics, standardize

duckdb = pytest.importorskip("duckdb")

LABELS = {"HATE": "hate_speech", "HARASSMENT": "harassment", "ADULT": "adult",
          "SPAM": "spam"}
VOCAB = ["HATE", "HARASSMENT", "NONE", "ADULT", "SPAM"]


@pytest.fixture
def schema() -> AuditSchema:
    return AuditSchema(
        columns={"decided_at": "review_date", "decision": "policy_label",
                 "qa_decision": "qa_label", "region": "site",
                 "appeal_overturned": "overturned", "turnaround_seconds": "tat_sec"},
        no_violation=["NONE"],
        not_audited=["", None],
        labels=LABELS,
        true_values=["1", "Y"],
        false_values=["0", "N"],
    )


@pytest.fixture
def export() -> pd.DataFrame:
    rng = np.random.default_rng(14)
    n = 600
    day = rng.integers(0, 5, n)
    minute = rng.integers(0, 24 * 60, n)
    stamps = pd.Timestamp("2026-03-02") + pd.to_timedelta(day, "D") + pd.to_timedelta(
        minute, "min")
    # half the rows give only the date, half an ISO datetime with the T
    review_date = np.where(rng.random(n) < 0.5, stamps.strftime("%Y-%m-%d"),
                           stamps.strftime("%Y-%m-%dT%H:%M:%S"))
    decision = rng.choice(VOCAB, n, p=[0.2, 0.15, 0.4, 0.15, 0.1])
    # QA mostly agrees; 10 % are not audited ("")
    flip = rng.random(n) < 0.2
    qa = np.where(flip, rng.choice(VOCAB, n), decision).astype(object)
    qa[rng.random(n) < 0.1] = ""
    appealed = np.where(rng.random(n) < 0.3, "Y", "N")
    overturned = np.where(appealed == "Y", np.where(rng.random(n) < 0.4, "1", "0"), "")
    return pd.DataFrame({
        "review_date": review_date,
        "policy_label": decision,
        "qa_label": qa,
        "moderator_id": rng.choice([f"m{k:02d}" for k in range(12)], n),
        "queue": rng.choice(["hate", "spam", "adult"], n),
        "site": rng.choice(["DUB", "MNL", "AUS"], n),
        "appealed": appealed,
        "overturned": overturned,
        "tat_sec": rng.integers(60, 7200, n).astype(float),
    })


def _by_hand(export: pd.DataFrame) -> pd.DataFrame:
    """numerator/denominator per (period, queue, metric, policy), counted in plain pandas."""
    e = export.assign(period=pd.to_datetime(export.review_date.str[:10]))
    dec = e.policy_label.map(lambda v: LABELS.get(v, "no_violation"))
    qa = e.qa_label.map(lambda v: None if v == "" else LABELS.get(v, "no_violation"))
    audited = qa.notna()
    nv = "no_violation"
    ind = pd.DataFrame({
        "period": e.period, "queue": e.queue, "records": 1,
        "audited": audited,
        "correct": audited & (dec == qa),
        "over": audited & (dec != nv) & (qa == nv),
        "under": audited & (dec == nv) & qa.notna() & (qa != nv),
        "wrong": audited & (dec != nv) & (qa != nv) & (dec != qa),
        "appealed": e.appealed == "Y",
        "overturned": (e.appealed == "Y") & (e.overturned == "1"),
        "timed": True,
        "within": e.tat_sec <= 3600,
    })
    for p in ss.moderation.POLICIES:
        ind[f"tp:{p}"] = audited & (dec == p) & (qa == p)
        ind[f"pred:{p}"] = audited & (dec == p)
        ind[f"actual:{p}"] = audited & (qa == p)
    g = ind.groupby(["period", "queue"]).sum().reset_index()
    rows = []
    simple = {"audited": ("audited", "records"), "accuracy": ("correct", "audited"),
              "over_enforcement": ("over", "audited"),
              "under_enforcement": ("under", "audited"),
              "wrong_policy": ("wrong", "audited"),
              "appeal_overturn": ("overturned", "appealed"),
              "sla_attainment": ("within", "timed")}
    for metric, (num, den) in simple.items():
        rows.append(g[["period", "queue"]].assign(metric=metric, policy=None,
                                                  numerator=g[num], denominator=g[den]))
    for p in ss.moderation.POLICIES:
        for metric, den in (("precision", f"pred:{p}"), ("recall", f"actual:{p}")):
            rows.append(g[["period", "queue"]].assign(metric=metric, policy=p,
                                                      numerator=g[f"tp:{p}"],
                                                      denominator=g[den]))
    out = pd.concat(rows, ignore_index=True)
    out[["numerator", "denominator"]] = out[["numerator", "denominator"]].astype(float)
    return out


def _compare(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ["period", "queue", "metric", "policy"]
    got = got[got.metric != "f1"]
    assert len(got) == len(want)
    merged = want.merge(got, on=keys, how="left", suffixes=("_hand", ""),
                        validate="one_to_one")
    np.testing.assert_array_equal(merged.numerator, merged.numerator_hand)
    np.testing.assert_array_equal(merged.denominator, merged.denominator_hand)


def _fix_policy(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(policy=frame.policy.astype(object).where(frame.policy.notna(), None))


# -- the export read on pandas, DuckDB, a CSV file and polars -------------------------


def test_metrics_equal_hand_counts_on_pandas(export, schema):
    got = metrics(export, by="queue", grain="day", schema=schema, sla_seconds=3600)
    _compare(_fix_policy(got), _fix_policy(_by_hand(export)))


def test_metrics_equal_hand_counts_on_duckdb(export, schema):
    relation = duckdb.sql("select * from export")
    got = metrics(relation, by="queue", grain="day", schema=schema, sla_seconds=3600)
    _compare(_fix_policy(got), _fix_policy(_by_hand(export)))


def test_metrics_equal_hand_counts_on_a_csv_read_by_duckdb(export, schema, tmp_path):
    path = tmp_path / "qa_export.csv"
    export.to_csv(path, index=False)
    relation = ss.read(path)     # DuckDB guesses: "" -> NULL, overturned as numbers
    got = metrics(relation, by="queue", grain="day", schema=schema, sla_seconds=3600)
    _compare(_fix_policy(got), _fix_policy(_by_hand(export)))


def test_metrics_equal_hand_counts_on_polars(export, schema):
    pl = pytest.importorskip("polars")
    got = metrics(pl.from_pandas(export).lazy(), by="queue", grain="day", schema=schema,
                  sla_seconds=3600)
    _compare(_fix_policy(got), _fix_policy(_by_hand(export)))


def test_metrics_equal_hand_counts_on_spark(export, schema):
    pytest.importorskip("pyspark", reason="pyspark is not installed (extra: spark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (java not on PATH and JAVA_HOME unset)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("sixsigma-schema")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    frame = session.createDataFrame(export)
    got = metrics(frame, by="queue", grain="day", schema=schema, sla_seconds=3600)
    _compare(_fix_policy(got), _fix_policy(_by_hand(export)))
    bad = export.copy()
    bad.loc[[3, 10], "policy_label"] = "ADULTS"
    bad.loc[8, "appealed"] = "maybe"
    with pytest.raises(DomainError, match=r"'ADULTS' \(2 rows in all\)(.|\n)*'maybe'"):
        standardize(session.createDataFrame(bad), schema)


def test_standardize_returns_the_same_kind_and_canonical_values(export, schema):
    out = standardize(export, schema)
    assert isinstance(out, pd.DataFrame)
    assert {"decided_at", "decision", "qa_decision", "region", "appeal_overturned",
            "turnaround_seconds", "queue", "moderator_id"} <= set(out.columns)
    assert str(out.decided_at.dtype).startswith("datetime64")
    assert set(out.decision) == {"hate_speech", "harassment", "no_violation", "adult", "spam"}
    assert out.qa_decision.isna().sum() == (export.qa_label == "").sum()
    assert out.appealed.dtype == "boolean" and out.appealed.sum() == (export.appealed == "Y").sum()
    assert out.appeal_overturned.isna().sum() == (export.overturned == "").sum()
    first = export.review_date.iloc[0]
    assert out.decided_at.iloc[0] == pd.Timestamp(first)

    lazy = standardize(duckdb.sql("select * from export"), schema)
    assert isinstance(lazy, duckdb.DuckDBPyRelation)      # lazy stays lazy
    back = lazy.df()
    pd.testing.assert_series_equal(back.decision, out.decision, check_dtype=False)
    assert (back.appealed.astype(bool) == out.appealed.astype(bool)).all()


def test_the_schema_round_trips_through_yaml(schema, tmp_path):
    path = schema.to_yaml(tmp_path / "schema.yaml")
    again = AuditSchema.from_yaml(path)
    assert again == schema
    assert AuditSchema.from_dict(schema.to_dict()) == schema
    assert None in again.not_audited and "" in again.not_audited


def test_a_hand_written_yaml_schema(tmp_path, export):
    path = tmp_path / "team.yaml"
    path.write_text(
        "columns:\n  decided_at: review_date\n  decision: policy_label\n"
        "  qa_decision: qa_label\n  appeal_overturned: overturned\n"
        "no_violation: [NONE]\nnot_audited: ['', null]\n"
        "labels: {HATE: hate_speech, HARASSMENT: harassment, ADULT: adult, SPAM: spam}\n"
        "true_values: [yes, 1, Y]\nfalse_values: [no, 0, N]\n", encoding="utf-8")
    schema = AuditSchema.from_yaml(path)
    assert schema.true_values == ("true", "1", "Y")  # YAML 1.1 read `yes` as True
    m = metrics(export, grain="all", schema=schema, which="appeal_overturn")
    assert m.numerator.iloc[0] == ((export.appealed == "Y") & (export.overturned == "1")).sum()


@pytest.mark.parametrize("text, problem", [
    ("a: &x [1]\nlabels: *x\n", "anchors"),
    ("no_violation: [NONE]\nno_violation: [NV]\n", "duplicate key 'no_violation'"),
    ("columns: [1, 2\n", "line"),
])
def test_unsafe_or_broken_yaml_is_refused(tmp_path, text, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        AuditSchema.from_yaml(path)


def test_schema_parameters_are_checked():
    with pytest.raises(ParameterError, match="'decison' is not a canonical column"):
        AuditSchema(columns={"decison": "x"})
    with pytest.raises(ParameterError, match="not a policy"):
        AuditSchema(labels={"HATE": "hate"})
    with pytest.raises(ParameterError, match="two meanings"):
        AuditSchema(no_violation="NONE", not_audited=["NONE"])
    with pytest.raises(ParameterError, match="both true and false"):
        AuditSchema(true_values=["y"], false_values=["Y"])
    with pytest.raises(ParameterError, match="unknown field 'colums'"):
        AuditSchema.from_dict({"colums": {}})


def test_a_schema_file_with_a_bad_field_is_named(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text("labels: {HATE: hate}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"from_yaml: '.*team.yaml': 'labels' recodes "
                                             r"'HATE' to 'hate'"):
        AuditSchema.from_yaml(path)
    with pytest.raises(InputError, match="cannot read"):
        AuditSchema.from_yaml(tmp_path / "missing.yaml")


def test_appeal_overturn_asked_without_appeal_columns(export, schema):
    with pytest.raises(ParameterError, match="appeal_overturn needs the columns 'appealed' "
                                             "and 'overturned'"):
        metrics(export.drop(columns="overturned"), schema=schema, which="appeal_overturn")
    m = metrics(export.drop(columns="overturned"), grain="all", schema=schema)
    assert "appeal_overturn" not in set(m.metric)


# -- every problem in one message ------------------------------------------------------


def test_one_message_lists_every_unknown_label(export, schema):
    bad = export.copy()
    bad.loc[[3, 10, 11], "policy_label"] = "ADULTS"
    bad.loc[7, "policy_label"] = "hate"
    bad.loc[[5, 9], "qa_label"] = "N/A"
    bad.loc[8, "appealed"] = "maybe"
    bad.loc[12, "review_date"] = "yesterday"
    with pytest.raises(DomainError) as info:
        standardize(bad, schema)
    msg = str(info.value)
    assert "the export has 5 problems" in msg
    assert "column 'policy_label' has the unknown label 'ADULTS' at row 3 (3 rows in all)" in msg
    assert "column 'policy_label' has the unknown label 'hate' at row 7 (1 row in all)" in msg
    assert "column 'qa_label' has the unknown label 'N/A' at row 5 (2 rows in all)" in msg
    assert "column 'appealed' has the value 'maybe' at row 8 (1 row in all)" in msg
    assert "column 'review_date' has a timestamp that cannot be parsed at row 12: 'yesterday'" \
        in msg
    # the same problems through metrics, and on DuckDB (counts; no row positions there)
    with pytest.raises(DomainError, match="'ADULTS' at row 3"):
        metrics(bad, schema=schema)
    with pytest.raises(DomainError) as lazy:
        metrics(duckdb.sql("select * from bad"), schema=schema, which=["accuracy"])
    msg = str(lazy.value)
    assert "'ADULTS' (3 rows in all)" in msg and "'hate' (1 row in all)" in msg
    assert "'N/A' (2 rows in all)" in msg and "'yesterday'" in msg
    assert "appealed" not in msg          # accuracy does not read the appeal columns


def test_without_the_schema_nothing_is_guessed(export):
    with pytest.raises(DomainError) as info:
        metrics(export.rename(columns={"policy_label": "decision", "qa_label": "qa_decision",
                                       "review_date": "decided_at"}), which="accuracy")
    msg = str(info.value)
    for label in ("'HATE'", "'NONE'", "'ADULT'", "''"):
        assert f"unknown label {label}" in msg


def test_missing_decisions_and_mapped_columns(export, schema):
    with pytest.raises(MissingValueError, match="column 'policy_label' has a missing label at "
                                                "row 4"):
        standardize(export.assign(policy_label=export.policy_label.where(
            export.index != 4, None)), schema)
    with pytest.raises(ColumnError, match="column 'tat_sec' is not in the data"):
        standardize(export.drop(columns="tat_sec"), schema)


def test_a_date_format(export, schema):
    stamps = pd.to_datetime(export.review_date, format="ISO8601")
    local = export.assign(review_date=stamps.dt.strftime("%d/%m/%Y %H:%M"))
    dated = schema.replace(date_format="%d/%m/%Y %H:%M")
    want = metrics(export, grain="day", schema=schema, which="accuracy")
    got = metrics(local, grain="day", schema=dated, which="accuracy")
    pd.testing.assert_frame_equal(got, want)
    got_lazy = metrics(duckdb.sql("select * from local"), grain="day", schema=dated,
                       which="accuracy")
    np.testing.assert_array_equal(got_lazy.denominator, want.denominator)
    with pytest.raises(DomainError, match=r"column 'review_date' has a timestamp that cannot "
                                          r"be parsed at row 2: '2026-03-02'"):
        metrics(local.assign(review_date=local.review_date.where(local.index != 2,
                                                                 "2026-03-02")),
                schema=dated, which="accuracy")


# -- classify_errors never guesses -----------------------------------------------------


def test_classify_errors_excludes_unaudited_rows(export, schema):
    got = classify_errors(export.policy_label, export.qa_label, schema=schema)
    unaudited = (export.qa_label == "").to_numpy()
    assert all(v is None for v in got[unaudited])
    assert not any(v is None for v in got[~unaudited])
    hand = _by_hand(export)
    wrong = hand[hand.metric == "wrong_policy"].numerator.sum()
    assert (got == "wrong_policy").sum() == wrong


def test_classify_errors_raises_on_unknown_labels(export, schema):
    with pytest.raises(DomainError) as info:
        classify_errors(export.policy_label, export.qa_label)   # no schema: canonical only
    msg = str(info.value)
    assert "column 'policy_label' has the unknown label 'NONE'" in msg
    assert "column 'qa_label' has the unknown label ''" in msg
    with pytest.raises(DomainError, match="unknown label 'PORN' at row 1"):
        classify_errors(["HATE", "PORN"], ["HATE", "HATE"], schema=schema)


# -- metrics: which=, flags of any kind ------------------------------------------------


def test_which_as_a_string_is_one_metric(export, schema):
    one = metrics(export, grain="all", schema=schema, which="accuracy")
    assert one.metric.tolist() == ["accuracy"]
    pd.testing.assert_frame_equal(one, metrics(export, grain="all", schema=schema,
                                               which=["accuracy"]))


def test_accuracy_does_not_read_malformed_appeal_columns(export, schema):
    broken = export.assign(appealed=7, overturned="banana", tat_sec="soon")
    want = metrics(export, grain="all", schema=schema, which=["accuracy"])
    got = metrics(broken, grain="all", schema=schema, which=["accuracy"])
    pd.testing.assert_frame_equal(got, want)
    got = metrics(duckdb.sql("select * from broken"), grain="all", schema=schema,
                  which=["accuracy"])
    assert got.numerator.tolist() == want.numerator.tolist()
    with pytest.raises(DomainError, match="column 'overturned' has the value 'banana'"):
        metrics(broken, grain="all", schema=schema, which=["appeal_overturn"])


@pytest.mark.parametrize("appealed, overturned", [
    ([1, 1, 0, 1], [1.0, 0.0, np.nan, 1.0]),              # 0/1 int with float + NaN
    ([True, True, False, True], ["yes", "no", "", "YES"]),  # text spellings
    (["1", "1", "0", "1"], ["1", "0", None, "1"]),
    ([1.0, 1.0, 0.0, 1.0], [True, False, None, True]),     # object column
])
def test_flags_of_every_kind(appealed, overturned):
    data = pd.DataFrame({"decided_at": ["2026-01-05"] * 4, "decision": "spam",
                         "qa_decision": "spam", "appealed": appealed,
                         "appeal_overturned": pd.Series(overturned, dtype=object)
                         if any(isinstance(v, bool) for v in overturned) else overturned})
    m = metrics(data, grain="all", which="appeal_overturn")
    assert (m.numerator.iloc[0], m.denominator.iloc[0]) == (2, 3)
    if data.appeal_overturned.dtype != object:   # DuckDB takes typed columns only
        duck = metrics(duckdb.sql("select * from data"), grain="all", which="appeal_overturn")
        assert (duck.numerator.iloc[0], duck.denominator.iloc[0]) == (2, 3)


def test_no_violation_comes_from_the_schema():
    data = {"decided_at": ["2026-01-05"] * 3, "decision": ["OK", "spam", "OK"],
            "qa_decision": ["OK", "OK", "spam"]}
    m = metrics(data, grain="all", schema=AuditSchema(no_violation="OK"),
                which=["accuracy", "over_enforcement", "under_enforcement"])
    assert m.numerator.tolist() == [1, 1, 1]


def test_by_an_export_name_gives_the_canonical_column(export, schema):
    m = metrics(export, by="site", grain="all", schema=schema, which="accuracy")
    assert "region" in m.columns and sorted(m.region) == ["AUS", "DUB", "MNL"]
    pd.testing.assert_frame_equal(m, metrics(export, by="region", grain="all", schema=schema,
                                             which="accuracy"))


def test_other_label_and_date_kinds():
    pl = pytest.importorskip("polars")
    data = pd.DataFrame({"decided_at": ["2026-01-05T10:00:00Z", "2026-01-05 11:00",
                                        "2026-01-06"],
                         "decision": pd.Categorical(["spam", "no_violation", "adult"]),
                         "qa_decision": ["spam", "spam", None]})
    want = metrics(data, grain="day", which=["audited", "accuracy"])
    assert want.numerator.tolist() == [2, 1, 0, 0]
    for native in (pl.from_pandas(data), duckdb.sql("select * from data")):
        got = metrics(native, grain="day", which=["audited", "accuracy"])
        assert got.numerator.tolist() == want.numerator.tolist()
    with pytest.raises(DomainError, match="row 0: '2026-01-05T10:00:00[+]02:00'"):
        metrics(data.assign(decided_at=["2026-01-05T10:00:00+02:00", "2026-01-05",
                                        "2026-02-30"]), which="accuracy")
    with pytest.raises(DomainError, match="row 2: '2026-02-30'"):
        metrics(data.assign(decided_at=["2026-01-05", "2026-01-05", "2026-02-30"]),
                which="accuracy")
