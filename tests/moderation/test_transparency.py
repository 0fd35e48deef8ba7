"""ss.moderation.transparency: DSA-style figures, the CSV and the data fingerprint."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.errors import DomainError, ParameterError
from sixsigma.moderation import TRANSPARENCY_COLUMNS
from sixsigma.provenance import fingerprint

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _hand() -> pd.DataFrame:
    return pd.DataFrame({
        "decided_at": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07",
                                      "2026-01-08", "2026-02-02", "2026-02-03"]),
        "moderator_id": ["system", "m1", "m2", "system", "m1", "m1"],
        "decision": ["spam", "spam", "no_violation", "adult", "spam", "spam"],
        "qa_decision": ["spam", "no_violation", "spam", "adult", "spam", None],
        "appealed": [True, True, False, False, True, False],
        "appeal_overturned": [False, True, None, None, None, None],
        "turnaround_seconds": [10.0, 300.0, 500.0, 20.0, 100.0, 200.0],
        "reported": [1, 1, 1, 0, 0, 1],
    })


def _row(t, period, policy, means):
    tab = t.table
    hit = tab[(tab.period == pd.Timestamp(period)) & (tab.policy == policy)
              & (tab.means == means)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_hand_counts():
    t = ss.moderation.transparency(_hand(), "month", notice="reported")
    jan = _row(t, "2026-01-01", "all", "all")
    assert (jan.decisions, jan.actions, jan.notices, jan.complaints, jan.reversals) == \
        (4, 3, 3, 2, 1)
    assert jan.reversal_rate == 0.5
    assert jan.median_seconds_to_action == 20.0        # actions: 10, 300, 20
    auto = _row(t, "2026-01-01", "all", "automated")
    assert (auto.actions, auto.audited, auto.precision) == (2, 2, 1.0)
    human = _row(t, "2026-01-01", "spam", "human")
    assert (human.actions, human.precision) == (1, 0.0)
    # recall of spam in January: QA found spam on rows 0 and 2; automation caught row 0
    spam_auto = _row(t, "2026-01-01", "spam", "automated")
    assert spam_auto.recall == 0.5
    feb = _row(t, "2026-02-01", "all", "all")
    assert (feb.actions, feb.audited, feb.complaints, feb.complaints_decided) == (2, 1, 1, 0)
    assert np.isnan(feb.reversal_rate)
    assert list(t.table.columns) == list(TRANSPARENCY_COLUMNS)


def test_totals_add_up_on_bundled_data():
    audits = ss.datasets.load("policy_update").audits
    t = ss.moderation.transparency(audits, "quarter")
    tab = t.table
    fine = tab[(tab.policy != "all") & (tab.means != "all")]
    total = tab[(tab.policy == "all") & (tab.means == "all")]
    assert fine.actions.sum() == total.actions.sum() == (audits.decision != "no_violation").sum()
    assert total.complaints.sum() == audits.appealed.sum()
    assert total.reversals.sum() == audits.appeal_overturned.fillna(False).sum()


def test_fingerprint_on_every_row():
    data = _hand()
    t = ss.moderation.transparency(data, "all")
    assert t.fingerprint == fingerprint(data)
    assert set(t.table.fingerprint) == {str(fingerprint(data))}


def test_csv_reads_back_equal(tmp_path):
    t = ss.moderation.transparency(ss.datasets.load("policy_update").audits, "month")
    path = t.to_csv(tmp_path / "dsa.csv")
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == len(t.table) + 1 and b"\n" not in raw.replace(b"\r\n", b"")
    back = pd.read_csv(path, parse_dates=["period"])
    expected = t.table.copy()
    expected["notices"] = expected["notices"].astype(float)
    back["notices"] = back["notices"].astype(float)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


def test_csv_quotes_minimal(tmp_path):
    data = _hand()
    data["decision"] = data["decision"].replace({"spam": "spam, scams"})
    schema = ss.moderation.AuditSchema(labels={"spam, scams": "spam"})
    t = ss.moderation.transparency(data, "all", schema=schema)
    text = t.to_csv(tmp_path / "x.csv").read_text(encoding="utf-8")
    assert text.startswith("period,policy,means,")


def test_every_column_is_defined_in_the_docs():
    page = (DOCS / "transparency.md").read_text(encoding="utf-8")
    for name in TRANSPARENCY_COLUMNS:
        assert re.search(rf"`{name}`", page), name


def test_design_based_with_weights():
    audits = ss.datasets.load("policy_update").audits
    plain = ss.moderation.transparency(audits, "all")
    ones = ss.moderation.transparency(audits.assign(w=1.0), "all", weight="w")
    a = plain.table.set_index(["policy", "means"])
    b = ones.table.set_index(["policy", "means"])
    # equal weights: the same point estimates
    np.testing.assert_allclose(b.precision, a.precision, rtol=1e-12)
    np.testing.assert_allclose(b.recall, a.recall, rtol=1e-12)
    # weighted: the design-based precision of automated actions equals sampling.estimate
    rng = np.random.default_rng(0)
    w = audits.assign(w=rng.uniform(1, 5, len(audits)))
    t = ss.moderation.transparency(w, "all", weight="w")
    got = t.table.set_index(["policy", "means"]).loc[("all", "automated")]
    auto = w[(w.moderator_id == "system") & (w.decision != "no_violation")
             & w.qa_decision.notna()]
    want = ss.sampling.estimate(auto.assign(ok=(auto.decision == auto.qa_decision)
                                            .astype(int)), "ok", weight="w")
    assert got.precision == pytest.approx(want.estimate)
    assert t.weight == "w"


def test_bad_inputs():
    data = _hand()
    data.loc[2, "turnaround_seconds"] = -5.0
    with pytest.raises(DomainError, match=r"'turnaround_seconds'.*row 2"):
        ss.moderation.transparency(data, "month")
    with pytest.raises(ParameterError, match="'period'"):
        ss.moderation.transparency(_hand(), "fortnight")
    with pytest.raises(ParameterError, match="weight="):
        ss.moderation.transparency(_hand(), "month", strata="moderator_id")
    bad = _hand().assign(reported=[1, 2, 0, 0, 0, 0])
    with pytest.raises(DomainError, match=r"'reported'.*row 1"):
        ss.moderation.transparency(bad, "month", notice="reported")


def test_round_trip():
    t = ss.moderation.transparency(_hand(), "month", notice="reported")
    d = t.to_dict()
    json.dumps(d, allow_nan=False)
    back = ss.from_dict(d)
    assert type(back) is type(t)
    assert back.to_dict() == d


@pytest.mark.parametrize("backend", ["polars", "polars_lazy", "pyarrow", "duckdb"])
def test_backends_give_the_same_figures(backend):
    audits = ss.datasets.load("policy_update").audits
    if backend == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        data = duckdb.from_df(audits)
    elif backend == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        data = pa.Table.from_pandas(audits)
    else:
        pl = pytest.importorskip("polars")
        data = pl.from_pandas(audits)
        if backend == "polars_lazy":
            data = data.lazy()
    cols = ["actions", "complaints", "reversals", "median_seconds_to_action", "precision",
            "recall"]
    want = ss.moderation.transparency(audits, "month").table
    got = ss.moderation.transparency(data, "month").table
    np.testing.assert_allclose(got[cols].astype(float), want[cols].astype(float))
    assert ss.moderation.appeals(data).funnel.equals(ss.moderation.appeals(audits).funnel)
