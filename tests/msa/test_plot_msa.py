"""Tests of sixsigma.plot.msa: the Axes artists are inspected, never the pixels."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sixsigma import msa  # noqa: E402
from sixsigma.errors import ParameterError  # noqa: E402
from sixsigma.plot.msa import (  # noqa: E402
    agreement_by_appraiser,
    agreement_rounds,
    gage_rr_components,
    kappa_by_category,
)


def load(name: str) -> pd.DataFrame:
    """A reference dataset copied into tests/data (see its README for the source)."""
    return pd.read_csv(Path(__file__).parents[1] / "data" / f"{name}.csv")


@pytest.fixture
def aa():
    ratings = {("A", 1): "gbg", ("A", 2): "gbb", ("B", 1): "gbg", ("B", 2): "ggg"}
    rows = [(a, i + 1, t, r[i], "gbg"[i]) for (a, t), r in ratings.items() for i in range(3)]
    d = pd.DataFrame(rows, columns=["appraiser", "item", "trial", "rating", "standard"])
    return msa.attribute_agreement(d, "item", "appraiser", "rating", standard="standard",
                                   trial="trial")


def by_gid(ax, gid):
    return [a for a in [*ax.lines, *ax.collections, *ax.patches] if a.get_gid() == gid]


def test_agreement_by_appraiser(aa):
    ax = agreement_by_appraiser(aa)
    (pts,) = by_gid(ax, "percent")
    assert pts.get_ydata().tolist() == pytest.approx(aa.vs_standard["percent"].tolist())
    (bars,) = by_gid(ax, "interval")
    seg = bars.get_segments()
    assert seg[0][:, 1].tolist() == pytest.approx(
        [aa.vs_standard["ci_low"].iloc[0], aa.vs_standard["ci_high"].iloc[0]])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    assert agreement_by_appraiser(aa, table="within").get_title() == "Within appraisers"


def test_agreement_by_appraiser_missing_table(aa):
    d = load("anxiety").rename(columns={"rater": "appraiser"})
    r = msa.attribute_agreement(d, "subject", "appraiser", "rating")
    with pytest.raises(ParameterError, match="no 'vs_standard' table"):
        agreement_by_appraiser(r)


def test_kappa_by_category_on_both_results(aa):
    ax = kappa_by_category(aa)
    bars = by_gid(ax, "kappa")
    assert len(bars) == 2
    assert [b.get_width() for b in bars] == pytest.approx(aa.by_category["kappa"].tolist())
    assert len(by_gid(ax, "threshold")) == 2
    f = msa.fleiss_kappa(load("diagnoses"), "patient", "rater", "category_label")
    ax2 = kappa_by_category(f)
    widths = [b.get_width() for b in by_gid(ax2, "kappa")]
    assert widths == pytest.approx(sorted(f.by_category["kappa"]))
    # the lowest (most ambiguous) category is drawn at the top
    top = max(ax2.get_yticklabels(), key=lambda t: t.get_position()[1]).get_text()
    assert top in {"Depression", "Personality_Disorder"}


def test_gage_components():
    g = msa.gage_rr(load("ss_data_rr"), "part", "operator", "time1", tolerance=1.1)
    ax = gage_rr_components(g)
    study = by_gid(ax, "bars-pct_study_var")
    assert [b.get_height() for b in study] == pytest.approx(
        g.components.loc[["gage_rr", "repeatability", "reproducibility", "part"],
                         "pct_study_var"].tolist())
    assert len(by_gid(ax, "bars-pct_tolerance")) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "% Contribution", "% Study Var", "% Tolerance"]


def test_agreement_rounds_and_given_axes():
    d = pd.DataFrame({"round": [1] * 6 + [2] * 6, "item": [1, 1, 2, 2, 3, 3] * 2,
                      "rater": ["a", "b"] * 6, "rating": list("xxyyxyxxyyxx")})
    s = msa.agreement_by_round(d, "round", "item", "rater", "rating")
    _, ax = plt.subplots()
    out = agreement_rounds(s, ax=ax)
    assert out is ax
    (line,) = by_gid(ax, "estimate")
    assert np.allclose(line.get_ydata(), s.estimate)


def _ten_raters():
    rng = np.random.default_rng(3)
    raters = [f"reviewer_{i:02d}" for i in range(1, 11)]
    std = rng.choice(["allow", "remove", "escalate"], size=12)
    rows = [(r, i, t, std[i] if rng.random() < 0.8 else "allow", std[i])
            for r in raters for i in range(12) for t in (1, 2)]
    d = pd.DataFrame(rows, columns=["rater", "item", "trial", "rating", "standard"])
    return msa.attribute_agreement(d, "item", "rater", "rating", standard="standard",
                                   trial="trial")


def _boxes_overlap(ax):
    fig = ax.get_figure()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_ten_rater_ids_do_not_overlap():
    """Issue 15 item 14: ten reviewer ids on the x axis stay readable."""
    r = _ten_raters()
    ax = agreement_by_appraiser(r)
    assert len(ax.get_xticklabels()) == 10
    assert not _boxes_overlap(ax)
    # on a small axes the labels are turned, not left on top of each other
    fig, small = plt.subplots(figsize=(4, 3))
    agreement_by_appraiser(r, ax=small)
    assert not _boxes_overlap(small)
    # few short ids stay flat
    fig, ax2 = plt.subplots()
    r2 = msa.attribute_agreement(
        pd.DataFrame({"rater": ["a"] * 3 + ["b"] * 3, "item": [1, 2, 3] * 2,
                      "rating": list("xyxxyy"), "standard": list("xyx") * 2}),
        "item", "rater", "rating", standard="standard")
    agreement_by_appraiser(r2, ax=ax2)
    assert {t.get_rotation() for t in ax2.get_xticklabels()} == {0.0}


def test_kappa_reference_lines_have_a_legend(aa):
    """Issue 15 item 14: the 0.40/0.75 lines are explained in a legend."""
    ax = kappa_by_category(aa)
    legend = ax.get_legend()
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("0.40" in t and "poor" in t for t in texts)
    assert any("0.75" in t and "good" in t for t in texts)


def test_auditor_rounds():
    import sixsigma as ss
    from sixsigma.plot.msa import auditor_rounds

    cal = ss.datasets.load("policy_update").calibration
    viol = ["hate_speech", "harassment", "violent_extremism", "spam", "adult"]
    r = msa.auditor_accuracy(cal, "rater", "rating", "standard", positive=viol, by="round")
    ax = auditor_rounds(r)
    assert len([a for a in ax.lines if str(a.get_gid()).startswith("auditor-")]) == 8
    (team,) = by_gid(ax, "team")
    acc = (cal["rating"].isin(viol) == cal["standard"].isin(viol)).groupby(cal["round"]).mean()
    assert team.get_ydata().tolist() == pytest.approx(acc.tolist())
    (flag,) = by_gid(ax, "flagged")
    below = r.by_auditor[r.by_auditor["direction"] == "below"]
    assert flag.get_ydata().tolist() == pytest.approx(below["accuracy"].tolist())
    assert ax.get_legend() is not None
    with pytest.raises(ParameterError, match="by="):
        auditor_rounds(msa.auditor_accuracy(cal, "rater", "rating", "standard", positive=viol))
    with pytest.raises(ParameterError, match="'figure'"):
        auditor_rounds(r, figure="kappa")
