"""Every msa result round-trips through its JSON payload (the Result base contract).

Each result is built from tests/data files or the bundled calibration data, then
``json.dumps(to_dict(), allow_nan=False)`` works, ``from_dict`` returns the same type, and
the payload of the rebuilt result equals the original payload.
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_round_trip

import sixsigma as ss
from sixsigma import msa
from sixsigma._result import Result, registry
from sixsigma.msa import (
    agreement,
    auditors,
    correction,
    gage,
    kappa,
    kendall,
    krippendorff,
    rounds,
)


def load(name: str) -> pd.DataFrame:
    return pd.read_csv(Path(__file__).parents[1] / "data" / f"{name}.csv")


@pytest.fixture(scope="module")
def calibration() -> pd.DataFrame:
    return ss.datasets.load("policy_update").calibration


def _results(cal: pd.DataFrame) -> dict[str, Result]:
    anxiety = load("anxiety")
    wide = anxiety.pivot(index="subject", columns="rater", values="rating")
    wide.columns = ["r1", "r2", "r3"]
    diagnoses = load("diagnoses")
    counts = pd.crosstab(diagnoses["patient"], diagnoses["category_label"]).to_numpy()
    session = cal[cal["round"] == cal["round"].max()]
    first = cal[cal["trial"] == 1]
    nested = load("thermal_impedance").assign(
        part=lambda d: d["part"].astype(str) + "-" + d["operator"].astype(str))
    return {
        "cohen": msa.cohen_kappa(wide, "r1", "r2", weights="quadratic"),
        "cohen_undefined": msa.cohen_kappa({"a": ["x"] * 4, "b": ["x"] * 4}, "a", "b"),
        "fleiss": msa.fleiss_kappa(diagnoses, "patient", "rater", "category_label"),
        "fleiss_stats": kappa.fleiss_from_counts(counts),
        "krippendorff": msa.krippendorff_alpha(anxiety, "subject", "rater", "rating",
                                               level="ordinal", n_boot=50, seed=1),
        "krippendorff_no_boot": msa.krippendorff_alpha(anxiety, "subject", "rater", "rating",
                                                       n_boot=0),
        "kendall": msa.kendall_w(anxiety, "subject", "rater", "rating"),
        "agreement": msa.attribute_agreement(session, "item_id", "rater", "rating",
                                             standard="standard", trial="trial"),
        "agreement_ordinal": msa.attribute_agreement(
            session, "item_id", "rater", "severity", standard="standard_severity",
            trial="trial", ordinal=True),
        "agreement_no_standard": msa.attribute_agreement(session[session["trial"] == 1],
                                                         "item_id", "rater", "rating"),
        "gage": msa.gage_rr(load("ss_data_rr"), "part", "operator", "time1",
                            tolerance=(0.7, 1.8)),
        "gage_nested": msa.gage_rr(nested, "part", "operator", "impedance", design="nested"),
        "gage_calibration": msa.gage_rr(session, "item_id", "rater", "severity", tolerance=3),
        "series": msa.agreement_by_round(first, "round", "item_id", "rater", "rating"),
        "series_alpha": msa.agreement_by_round(first, "round", "item_id", "rater", "rating",
                                               statistic="krippendorff", n_boot=50),
        "comparison": msa.compare_rounds(first, "round", "item_id", "rater", "rating",
                                         first=3, second=4),
        "auditors": msa.auditor_accuracy(
            cal, "rater", "rating", "standard", by="round",
            positive=["hate_speech", "harassment", "violent_extremism", "spam", "adult"]),
        "corrected": msa.corrected_rate(40, 800, 0.9, 0.96, sensitivity_n=120,
                                        specificity_n=300),
        "corrected_clipped": msa.corrected_rate(3, 800, 0.9, 0.96),
    }


@pytest.fixture(scope="module")
def results(calibration) -> dict[str, Result]:
    return _results(calibration)


def test_every_msa_result_class_is_covered(results):
    modules = (agreement, auditors, correction, gage, kappa, kendall, krippendorff, rounds)
    classes = {cls for m in modules for _, cls in inspect.getmembers(m, inspect.isclass)
               if issubclass(cls, Result) and cls is not Result and cls.__module__ == m.__name__}
    assert classes == {type(r) for r in results.values()}
    for cls in classes:
        assert registry()[cls.kind] is cls


@pytest.mark.parametrize("name", [
    "cohen", "cohen_undefined", "fleiss", "fleiss_stats", "krippendorff",
    "krippendorff_no_boot", "kendall", "agreement", "agreement_ordinal",
    "agreement_no_standard", "gage", "gage_nested", "gage_calibration", "series",
    "series_alpha", "comparison", "auditors", "corrected", "corrected_clipped"])
def test_round_trip(results, name):
    r = results[name]
    assert_round_trip(r)
    assert isinstance(r.summary(), str) and "<" in r._repr_html_()
    assert isinstance(r.to_frame(), pd.DataFrame)
    assert repr(r).startswith(f"<{type(r).__name__}")


def test_undefined_figures_are_none_with_a_note(results):
    c = results["cohen_undefined"]
    assert c.kappa is None and c.ci is None
    assert any("kappa is undefined" in n for n in c.notes)
    again = ss.from_dict(c.to_dict())
    assert again.kappa is None and again.notes[: len(c.notes)] == c.notes
    a = results["krippendorff_no_boot"]
    assert a.ci is None and any("n_boot=0" in n for n in a.notes)
    g = results["gage_nested"]
    assert g.interaction_p_value is None and any("nested" in n for n in g.notes)


def test_intervals_are_named_ci(results):
    for name in ("cohen", "fleiss", "krippendorff", "comparison"):
        r = results[name]
        assert isinstance(r.ci, tuple) and len(r.ci) == 2
        frame = r.to_frame()
        assert {"ci_low", "ci_high"} <= set(frame.columns)
        assert not {"lower", "upper"} & set(frame.columns)
    aa = results["agreement"]
    for t in ("within", "vs_standard", "between", "all_vs_standard", "by_rater"):
        assert {"ci_low", "ci_high"} <= set(getattr(aa, t).columns)
    assert {"ci_low", "ci_high"} <= set(results["series"].to_frame().columns)


def test_fields_hold_no_kind_or_own_notes():
    for cls in (msa.CohenKappa, msa.FleissKappa, kappa.FleissStats, msa.KrippendorffAlpha,
                msa.KendallW, msa.AttributeAgreement, msa.GageRR, msa.AgreementSeries,
                msa.RoundComparison):
        names = [f.name for f in dataclasses.fields(cls)]
        assert "kind" not in names and names.count("notes") == 1


def test_arrays_are_read_only(results):
    s = results["series"]
    with pytest.raises(ValueError):
        s.ci_low[0] = 0.0
    assert np.isfinite(s.estimate).all()
