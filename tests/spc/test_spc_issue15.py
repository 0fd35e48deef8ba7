"""Issue 15 (spc parts): EWMA on varying n, dispersion summaries, Laney sigma_z < 1, runs
about the median on g/t charts, ARL of nelson_8, staged summaries, rule parameters and
probability limits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss


def _alternating(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = np.tile([5, 10], 15)
    keys = np.repeat(np.arange(sizes.size), sizes)
    return pd.DataFrame({"g": keys, "x": rng.normal(50.0, 2.0, keys.size)})


def test_ewma_exact_limits_on_varying_sizes() -> None:
    data = _alternating()
    lam, L = 0.2, 3.0
    chart = ss.spc.ewma(data, value="x", subgroup="g", lam=lam, L=L)
    assert chart.conventions["ewma_limits"] == "exact"
    n = data.groupby("g").size().to_numpy().astype(float)
    sigma = chart.sigma
    # the direct sum: Var(z_t) = sigma^2 lam^2 sum_j (1-lam)^(2(t-j)) / n_j
    expect = np.empty(n.size)
    for t in range(n.size):
        total = sum((1 - lam) ** (2 * (t - j)) / n[j] for j in range(t + 1))
        expect[t] = sigma * lam * np.sqrt(total)
    np.testing.assert_allclose(chart.se, expect, rtol=1e-12)
    np.testing.assert_allclose(chart.ucl - chart.center, L * expect, rtol=1e-12)
    qcc = ss.spc.ewma(data, value="x", subgroup="g", lam=lam, L=L, varying_n="qcc")
    assert qcc.conventions["ewma_limits"] == "qcc"
    ratio = chart.se[-10:] / qcc.se[-10:]
    assert 0.15 < np.max(np.abs(ratio - 1)) < 0.18   # 15-18 % apart on alternating sizes
    assert any("qcc" in note for note in qcc.notes)
    back = ss.from_dict(json.loads(json.dumps(chart.to_dict(), allow_nan=False)))
    assert back.conventions == chart.conventions


def test_ewma_constant_sizes_unchanged() -> None:
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"g": np.repeat(np.arange(12), 4), "x": rng.normal(0, 1, 48)})
    a = ss.spc.ewma(data, value="x", subgroup="g")
    b = ss.spc.ewma(data, value="x", subgroup="g", varying_n="qcc")
    np.testing.assert_array_equal(a.se, b.se)


def test_dispersion_summaries_show_their_own_centre() -> None:
    x = [116.0, 118.5, 115.2, 117.9, 116.4, 114.8, 117.1, 116.0, 118.2, 115.5]
    pair = ss.spc.imr({"x": x}, value="x")
    mr_bar = float(np.mean(np.abs(np.diff(x))))
    assert f"center {mr_bar:.6g}," in pair.dispersion.summary()
    assert f"center {np.mean(x):.6g}," not in pair.dispersion.summary()
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"g": np.repeat(np.arange(10), 5), "x": rng.normal(100, 2, 50)})
    s = ss.spc.xbar_s(data, value="x", subgroup="g").dispersion
    assert f"center {s.center[0]:.6g}," in s.summary()


def test_staged_summary_and_payload_carry_each_stage() -> None:
    ds = ss.datasets.load("daily_audits")
    chart = ss.spc.laney_p(ds.audits, defectives="errors", size="audited", label="day",
                           stage=ds.changes)
    text = chart.summary()
    first, second = chart.stages
    assert f"center: {first.center:.6g} -> {second.center:.6g}" in text
    assert f"per-unit sigma (laney): {first.sigma:.6g} -> {second.sigma:.6g}" in text
    assert "sigma_z: " in text and " -> " in text.split("sigma_z: ")[1]
    payload = json.loads(json.dumps(chart.to_dict(), allow_nan=False))
    assert len(payload["stage"]) == len(chart)
    assert payload["stage"][0] == "baseline" and payload["stage"][-1] == second.name
    assert ss.from_dict(payload) == chart
    assert chart.to_frame()["stage"].iloc[-1] == second.name
