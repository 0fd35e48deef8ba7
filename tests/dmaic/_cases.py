"""Builders of test projects: the bundled example case, and the case with all its evidence."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pandas as pd

import dmaic
import sixsigma as ss
from dmaic.model import FrozenLimits
from sixsigma.capability import sigma_metrics
from sixsigma.msa import fleiss_kappa

EXAMPLE = resources.files("dmaic").joinpath("examples/policy_update_case.yaml")


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def pvalue_result(p_value: float, kind: str = "hypothesis_test") -> dict:
    return {"kind": kind, "test": "two-proportion z", "p_value": p_value}


def post_update() -> pd.DataFrame:
    audits = ss.datasets.load("daily_audits").audits
    return audits[audits["day"] >= "2026-03-26"].reset_index(drop=True)


def calibration(agreement: float, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = np.array(["hate_speech", "harassment", "violent_extremism", "no_violation"])
    golden = rng.choice(labels, size=40)
    frames = []
    for rater in ["a", "b", "c", "d"]:
        wrong = rng.random(40) > agreement
        other = np.array([rng.choice(labels[labels != g]) for g in golden])
        frames.append(pd.DataFrame({"item_id": np.arange(40), "rater": rater,
                                    "rating": np.where(wrong, other, golden)}))
    return pd.concat(frames, ignore_index=True)


def staged(post: pd.DataFrame, pilot_rate: float, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = rng.integers(500, 700, 28)
    pilot = pd.DataFrame({"day": pd.date_range("2026-05-11", periods=28), "audited": n,
                          "wrong_policy": rng.binomial(n, pilot_rate)})
    return pd.concat([post[["day", "audited", "wrong_policy"]].assign(period="baseline"),
                      pilot.assign(period="pilot")], ignore_index=True)


def build_complete() -> dmaic.Project:
    """The example case with the evidence of every gate attached (all gates pass)."""
    p = dmaic.loads(example_text())
    post = post_update()
    for ctq, column in [("wrong_policy", "wrong_policy"), ("errors", "errors")]:
        params = {"defectives": column, "size": "audited", "label": "day"}
        p.attach(f"baseline_{ctq}", ss.spc.laney_p(post, **params), data=post,
                 parameters=params)
        p.attach(f"capability_{ctq}", sigma_metrics(int(post[column].sum()),
                                                    int(post["audited"].sum())), data=post)
    cal = calibration(0.95)
    p.attach("qa_calibration", fleiss_kappa(cal, item="item_id", rater="rater",
                                            rating="rating"), data=cal)
    p.attach("tenure_test", pvalue_result(1e-6))
    p.attach("routing_test", pvalue_result(0.6))
    data = staged(post, 0.008)
    params = {"defectives": "wrong_policy", "size": "audited", "label": "day",
              "stage": "period"}
    p.attach("pilot_chart", ss.spc.laney_p(data, **params), data=data, parameters=params)
    p.attach("pilot_test", pvalue_result(1e-4))
    p.set("improve.pilot.result", {"ctq": "wrong_policy_rate", "before": 0.0123,
                                   "after": 0.008, "test": "pilot_test",
                                   "chart": "pilot_chart"})
    day = dt.date(2026, 6, 12)
    p.set("control.plan.0.limits",
          FrozenLimits.from_chart("pilot_chart", p.evidence["pilot_chart"], day))
    p.set("control.plan.1.limits",
          FrozenLimits.from_chart("baseline_errors", p.evidence["baseline_errors"], day))
    p.set("control.handover.on", dt.date(2026, 6, 26))
    p.set("control.handover.accepted", True)
    return p


