"""Simulated audit records with known causes, shared by the root-cause tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

QUEUES = np.array(["hate_speech", "harassment", "spam", "violent_extremism", "adult"])
MARKETS = {"NA": ["US", "CA"], "EMEA": ["DE", "FR", "GB"], "APAC": ["IN", "JP"],
           "LATAM": ["BR", "MX"]}
TENURE = np.array(["<30", "30-180", ">180"])
LANGS = np.array(["en", "de", "pt", "ja"])


def simulate(n: int, seed: int, causes: dict[tuple[tuple[str, str], ...], float] | None = None,
             base: float = 0.05) -> pd.DataFrame:
    """Records with dimensions queue, region, market (nested), tenure_band, language.

    ``causes`` maps a segment (pairs of (dimension, value)) to an added defect probability.
    """
    rng = np.random.default_rng(seed)
    markets = np.array([m for r in MARKETS for m in MARKETS[r]])
    regions = np.array([r for r in MARKETS for _ in MARKETS[r]])
    mi = rng.integers(0, markets.size, n)
    df = pd.DataFrame({
        "queue": QUEUES[rng.integers(0, QUEUES.size, n)],
        "region": regions[mi],
        "market": markets[mi],
        "tenure_band": TENURE[rng.integers(0, TENURE.size, n)],
        "language": LANGS[rng.integers(0, LANGS.size, n)],
    })
    p = np.full(n, base)
    for segment, extra in (causes or {}).items():
        mask = np.ones(n, dtype=bool)
        for dim, value in segment:
            mask &= (df[dim] == value).to_numpy()
        p[mask] += extra
    df["is_error"] = (rng.random(n) < p).astype(np.int64)
    return df
