"""Design-based rates: ss.sampling.estimate / prevalence against samplics and by hand."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sixsigma as ss
from sixsigma.errors import (
    ColumnError,
    DomainError,
    InsufficientDataError,
    MissingValueError,
    ParameterError,
)


def _design(seed: int = 7, n: int = 900) -> pd.DataFrame:
    """Four strata with unequal weights; domains cut across strata, 'c' absent from s4."""
    rng = np.random.default_rng(seed)
    st = rng.choice(["s1", "s2", "s3", "s4"], n, p=[0.4, 0.3, 0.2, 0.1])
    dom = rng.choice(["a", "b", "c"], n)
    dom[(st == "s4") & (dom == "c")] = "a"
    dom[(st == "s3") & (dom == "b")] = "a"
    w = {"s1": 50.0, "s2": 12.0, "s3": 4.0, "s4": 2.5}
    weight = np.array([w[s] for s in st]) * rng.uniform(0.8, 1.25, n)
    p = {"s1": 0.01, "s2": 0.03, "s3": 0.08, "s4": 0.2}
    y = rng.binomial(1, [p[s] for s in st])
    return pd.DataFrame({"error": y, "stratum": st, "queue": dom, "w": weight})


def _samplics():
    samplics = pytest.importorskip("samplics")
    return samplics


def _oracle(df: pd.DataFrame, *, domain: bool, fpc: dict | None = None, prop: bool = False):
    samplics = _samplics()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = samplics.TaylorEstimator(samplics.PopParam.prop if prop else
                                       samplics.PopParam.mean)
        kwargs = {"fpc": fpc} if fpc is not None else {}
        est.estimate(y=df["error"].to_numpy(), samp_weight=df["w"].to_numpy(),
                     stratum=df["stratum"].to_numpy(),
                     domain=df["queue"].to_numpy() if domain else None, **kwargs)
    return est


def test_domains_equal_samplics():
    df = _design()
    assert not ((df.stratum == "s4") & (df.queue == "c")).any()
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="queue")
    oracle = _oracle(df, domain=True)
    t = r.table.set_index("queue")
    assert list(t.index) == ["a", "b", "c"]
    for d in "abc":
        assert t.loc[d, "estimate"] == pytest.approx(oracle.point_est[d], rel=1e-10)
        assert t.loc[d, "se"] == pytest.approx(oracle.stderror[d], rel=1e-8)
    assert t["n"].tolist() == df.groupby("queue").size().tolist()


def test_domains_with_fpc_equal_samplics():
    df = _design(seed=11)
    sizes = {"s1": 20000, "s2": 3500, "s3": 800, "s4": 250}
    n_h = df.groupby("stratum").size()
    fpc = {s: 1 - n_h[s] / sizes[s] for s in sizes}
    oracle = _oracle(df, domain=True, fpc=fpc)
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="queue",
                             population=sizes)
    col = ss.sampling.estimate(df.assign(N=df.stratum.map(sizes)), "error", weight="w",
                               strata="stratum", by="queue", population="N")
    assert r.fpc and col.fpc
    pd.testing.assert_frame_equal(r.table, col.table)
    t = r.table.set_index("queue")
    for d in "abc":
        assert t.loc[d, "estimate"] == pytest.approx(oracle.point_est[d], rel=1e-10)
        assert t.loc[d, "se"] == pytest.approx(oracle.stderror[d], rel=1e-8)
    plain = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="queue")
    assert (t["se"].to_numpy() < plain.table["se"].to_numpy()).all()
    assert np.allclose(t["estimate"], plain.table["estimate"], rtol=0, atol=0)


def test_whole_sample_logit_interval_equals_samplics():
    df = _design(seed=3)
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum", method="logit")
    oracle = _oracle(df, domain=False, prop=True)
    assert r.estimate == pytest.approx(oracle.point_est[1], rel=1e-10)
    assert r.se == pytest.approx(oracle.stderror[1], rel=1e-8)
    assert r.ci[0] == pytest.approx(oracle.lower_ci[1], rel=1e-8)
    assert r.ci[1] == pytest.approx(oracle.upper_ci[1], rel=1e-8)


def _svyciprop_beta(p, var, n, df, level=0.95):
    """R survey 4.x svyciprop(method="beta"), transcribed (Lumley 2010 §2.4)."""
    alpha = 1 - level
    n_eff = p * (1 - p) / var if var > 0 else n
    n_eff = n_eff * (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, df)) ** 2
    lo = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1) if p > 0 else 0.0
    hi = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return lo, hi


def test_beta_interval_korn_graubard_per_domain():
    df = _design()
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="queue")
    assert r.method == "beta"
    for _, row in r.table.iterrows():
        sub = df[df.queue == row["queue"]]
        dof = len(sub) - sub.stratum.nunique()      # degf of the domain (R: subset design)
        lo, hi = _svyciprop_beta(row["estimate"], row["se"] ** 2, row["n"], dof)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-9)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-9)


def test_beta_interval_defined_at_zero():
    df = pd.DataFrame({"error": [0] * 40, "stratum": ["a"] * 20 + ["b"] * 20,
                       "w": [3.0] * 20 + [1.0] * 20})
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum")
    assert r.estimate == 0 and r.se == 0
    lo, hi = _svyciprop_beta(0.0, 0.0, 40, 38)
    assert r.ci == (0.0, pytest.approx(hi, rel=1e-12))
    assert 0 < r.ci[1] < 0.12
    assert np.isnan(r.table["deff"].iloc[0])
    assert any("effective size" in n for n in r.notes)
    logit = ss.sampling.estimate(df, "error", weight="w", strata="stratum", method="logit")
    assert np.isnan(logit.ci[0]) and any("logit" in n for n in logit.notes)


@pytest.mark.parametrize("method", ["beta", "wilson", "logit", "wald"])
def test_interval_methods_contain_estimate(method):
    df = _design()
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="queue",
                             method=method)
    t = r.table
    assert (t.ci_low <= t.estimate).all() and (t.estimate <= t.ci_high).all()
    assert ((t.ci_low >= 0) & (t.ci_high <= 1)).all()


def test_wilson_on_effective_size():
    df = _design(seed=5)
    r = ss.sampling.estimate(df, "error", weight="w", strata="stratum", method="wilson")
    p, se, n = r.estimate, r.se, len(df)
    n_eff = p * (1 - p) / se**2
    t = stats.t.ppf(0.975, n - 4)
    centre = (p + t * t / (2 * n_eff)) / (1 + t * t / n_eff)
    half = t / (1 + t * t / n_eff) * np.sqrt(p * (1 - p) / n_eff + t * t / (4 * n_eff**2))
    assert r.ci == (pytest.approx(centre - half, rel=1e-12), pytest.approx(centre + half,
                                                                           rel=1e-12))


def test_srs_without_weights():
    y = np.r_[np.ones(7), np.zeros(193)]
    r = ss.sampling.estimate({"e": y}, "e")
    p = 7 / 200
    assert r.estimate == pytest.approx(p, rel=1e-15)
    assert r.se == pytest.approx(np.sqrt(p * (1 - p) / 199), rel=1e-12)
    assert r.table["deff"].iloc[0] == pytest.approx(1.0, rel=1e-12)
    f = ss.sampling.estimate({"e": y}, "e", population=1000)
    assert f.se == pytest.approx(np.sqrt(p * (1 - p) / 199 * (1 - 200 / 1000)), rel=1e-12)
    # Clopper-Pearson on n* = p(1-p)/var = n - 1 (as svyciprop on a simple random sample)
    m = 199
    lo = stats.beta.ppf(0.025, p * m, (1 - p) * m + 1)
    hi = stats.beta.ppf(0.975, p * m + 1, (1 - p) * m)
    assert r.ci == (pytest.approx(lo, rel=1e-12), pytest.approx(hi, rel=1e-12))


def test_weighted_differs_from_unweighted_where_design_says():
    # the high-risk queue is audited 20x as often: the raw rate over-states the error rate
    rng = np.random.default_rng(1)
    low = rng.binomial(1, 0.01, 400)
    high = rng.binomial(1, 0.20, 400)
    df = pd.DataFrame({"error": np.r_[low, high], "queue": ["low"] * 400 + ["high"] * 400,
                       "w": [95_000 / 400] * 400 + [5_000 / 400] * 400})
    weighted = ss.sampling.estimate(df, "error", weight="w", strata="queue")
    raw = ss.sampling.estimate(df, "error", strata="queue")
    stratified = 0.95 * low.mean() + 0.05 * high.mean()
    assert weighted.estimate == pytest.approx(stratified, rel=1e-12)
    assert raw.estimate == pytest.approx(df.error.mean(), rel=1e-12)
    assert raw.estimate > 3 * weighted.estimate
    assert not (weighted.ci[0] <= raw.estimate <= weighted.ci[1])
    assert any("No weights" in n for n in raw.notes)


def test_coverage_of_default_interval_at_half_a_percent():
    # stratified, unequal weights, fixed n = 600, overall rate 0.49 %; 400 seeded replicates,
    # estimated in one call: replicate r is the domain r, its strata (r, h) its own
    rng = np.random.default_rng(20261206)
    sizes = np.array([50_000, 30_000, 20_000])
    rates = np.array([0.002, 0.005, 0.0125])
    truth = float(np.sum(sizes * rates) / sizes.sum())
    n_h, reps = 200, 400
    h = np.tile(np.repeat([0, 1, 2], n_h), reps)
    rep = np.repeat(np.arange(reps), 3 * n_h)
    df = pd.DataFrame({"e": rng.binomial(1, rates[h]), "s": rep * 3 + h, "rep": rep,
                       "w": (sizes / n_h)[h]})
    r = ss.sampling.estimate(df, "e", weight="w", strata="s", by="rep")
    t = r.table
    covered = ((t.ci_low <= truth) & (truth <= t.ci_high)).mean()
    assert covered >= 0.93
    # the stacked call equals estimating each replicate on its own
    for k in (0, 7):
        one = ss.sampling.estimate(df[df.rep == k], "e", weight="w", strata="s")
        assert one.ci == (pytest.approx(t.ci_low[k], rel=1e-12),
                          pytest.approx(t.ci_high[k], rel=1e-12))
    wald = ss.sampling.estimate(df, "e", weight="w", strata="s", by="rep", method="wald").table
    assert ((wald.ci_low <= truth) & (truth <= wald.ci_high)).mean() < covered


def test_lonely_stratum_named_and_options():
    df = _design(seed=2)
    lonely = pd.concat([df, pd.DataFrame({"error": [1], "stratum": ["s9"], "queue": ["a"],
                                          "w": [5.0]})], ignore_index=True)
    with pytest.raises(InsufficientDataError, match=r"stratum 's9' of column 'stratum'"):
        ss.sampling.estimate(lonely, "error", weight="w", strata="stratum")
    cert = ss.sampling.estimate(lonely, "error", weight="w", strata="stratum",
                                lonely_psu="certainty")
    remove = ss.sampling.estimate(lonely, "error", weight="w", strata="stratum",
                                  lonely_psu="remove")
    adjust = ss.sampling.estimate(lonely, "error", weight="w", strata="stratum",
                                  lonely_psu="adjust")
    assert cert.lonely_psu == "certainty" and any("'s9'" in n for n in cert.notes)
    assert cert.se == remove.se < adjust.se
    # unit-level reference: u = w (y - p) / sum(w); the lonely stratum contributes nothing
    p = cert.estimate
    u = lonely.w * (lonely.error - p) / lonely.w.sum()
    var = sum(len(g) / (len(g) - 1) * ((g - g.mean()) ** 2).sum()
              for _, g in u.groupby(lonely.stratum) if len(g) > 1)
    assert cert.se == pytest.approx(np.sqrt(var), rel=1e-10)
    # adjust: the lonely unit's u centred at the grand mean (0): u = w (y - p) / sum(w)
    u = 5.0 * (1 - adjust.estimate) / lonely.w.sum()
    assert adjust.se**2 == pytest.approx(cert.se**2 + u**2, rel=1e-10)


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "match"),
    [
        ({"w": -1.0}, {}, DomainError, r"column 'w' must be > 0.*row 4"),
        ({"w": 0.0}, {}, DomainError, r"column 'w' must be > 0.*row 4"),
        ({"w": np.nan}, {}, MissingValueError, r"column 'w' has a missing value at row 4"),
        ({"w": np.inf}, {}, DomainError, r"column 'w' has an infinite value at row 4"),
        ({"error": 2}, {}, DomainError, r"column 'error'.*row 4"),
        ({"stratum": None}, {}, MissingValueError, r"column 'stratum'.*row 4"),
    ],
)
def test_bad_rows_named(change, kwargs, error, match):
    df = _design()
    df["w"] = df["w"].astype(float)
    df["stratum"] = df["stratum"].astype(object)
    for col, value in change.items():
        df.loc[4, col] = value
    with pytest.raises(error, match=match):
        ss.sampling.estimate(df, "error", weight="w", strata="stratum", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"confidence": 1.2}, ParameterError, "'confidence' parameter"),
        ({"method": "clopper"}, ParameterError, "'method' parameter"),
        ({"lonely_psu": "skip"}, ParameterError, "'lonely_psu' parameter"),
        ({"by": ["queue", "queue"]}, ParameterError, "'by' parameter"),
        ({"weight": "nope"}, ColumnError, "column 'nope'"),
        ({"population": {"s1": 10**6}}, ParameterError, "no size for stratum 's2'"),
        ({"population": {"s1": 10**6, "s2": 10**6, "s3": 10, "s4": 10**6}}, DomainError,
         r"population of stratum 's3' \(10\) is smaller"),
        ({"population": 10**6}, ParameterError, "'population' parameter"),
        ({"strata": "w"}, ParameterError, "two roles"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    df = _design()
    args = {"weight": "w", "strata": "stratum"} | kwargs
    with pytest.raises(error, match=match):
        ss.sampling.estimate(df, "error", **args)


def test_population_column_must_be_constant_per_stratum():
    df = _design().assign(N=10_000)
    df.loc[5, "N"] = 20_000
    with pytest.raises(DomainError, match="one population size per stratum"):
        ss.sampling.estimate(df, "error", weight="w", strata="stratum", population="N")


def test_backends_agree():
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    df = _design()
    ref = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="queue").table
    got_pl = ss.sampling.estimate(pl.from_pandas(df), "error", weight="w", strata="stratum",
                                  by="queue").table
    pd.testing.assert_frame_equal(ref, got_pl, check_exact=False, rtol=1e-12)
    con = duckdb.connect()
    rel = con.from_df(df)
    got_db = ss.sampling.estimate(rel, "error", weight="w", strata="stratum",
                                  by="queue").table
    pd.testing.assert_frame_equal(ref, got_db, check_exact=False, rtol=1e-12)
    bad = df.assign(w=df.w.where(df.index != 3, -2.0))
    with pytest.raises(DomainError, match="column 'w'"):
        ss.sampling.estimate(con.from_df(bad), "error", weight="w", strata="stratum")


def test_prevalence_share_of_views():
    rng = np.random.default_rng(4)
    n = 500
    bucket = rng.choice(["low", "mid", "high"], n, p=[0.5, 0.3, 0.2])
    pi = pd.Series(bucket).map({"low": 0.001, "mid": 0.01, "high": 0.2}).to_numpy()
    views = rng.integers(0, 5000, n).astype(float)
    y = rng.binomial(1, pd.Series(bucket).map({"low": 0.002, "mid": 0.05, "high": 0.4}))
    df = pd.DataFrame({"bad": y, "bucket": bucket, "views": views, "w": 1 / pi})
    r = ss.sampling.prevalence(df, "bad", views="views", weight="w", strata="bucket")
    vw = views / pi
    assert r.measure == "prevalence"
    assert r.estimate == pytest.approx(np.sum(vw * y) / np.sum(vw), rel=1e-12)
    same = ss.sampling.estimate(df.assign(vw=vw), "bad", weight="vw", strata="bucket")
    assert r.se == pytest.approx(same.se, rel=1e-12)
    items = ss.sampling.prevalence(df, "bad", weight="w", strata="bucket")
    assert items.estimate == pytest.approx(np.sum(y / pi) / np.sum(1 / pi), rel=1e-12)
    with pytest.raises(DomainError, match="column 'views' must be >= 0"):
        ss.sampling.prevalence(df.assign(views=-views), "bad", views="views")


def test_round_trip():
    audits = ss.datasets.load("policy_update").audits
    sample = audits.assign(error=(audits.decision != audits.qa_decision).astype(int))
    r = ss.sampling.estimate(sample, "error", strata="queue", by="policy")
    for result in (r, ss.sampling.estimate(sample, "error")):
        d = result.to_dict()
        json.dumps(d, allow_nan=False)
        back = ss.from_dict(d)
        assert type(back) is type(result)
        assert back.to_dict() == d
    assert "Design-based rate" in r.summary()


def test_lazy_polars_and_by_the_strata():
    pl = pytest.importorskip("polars")
    df = _design()
    lazy = ss.sampling.estimate(pl.from_pandas(df).lazy(), "error", weight="w",
                                strata="stratum")
    eager = ss.sampling.estimate(df, "error", weight="w", strata="stratum")
    assert lazy.estimate == pytest.approx(eager.estimate, rel=1e-12)
    assert lazy.se == pytest.approx(eager.se, rel=1e-12)
    bad = pl.from_pandas(df.assign(w=df.w.where(df.index != 3, -2.0))).lazy()
    with pytest.raises(DomainError, match=r"column 'w'.*-2\.0"):
        ss.sampling.estimate(bad, "error", weight="w", strata="stratum")
    per = ss.sampling.estimate(df, "error", weight="w", strata="stratum", by="stratum").table
    for _, row in per.iterrows():
        g = df[df.stratum == row["stratum"]]
        assert row["estimate"] == pytest.approx(np.average(g.error, weights=g.w), rel=1e-12)
