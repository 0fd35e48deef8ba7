"""Shared fixtures: reference data, a seeded generator, doctest namespace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


def load(name: str) -> pd.DataFrame:
    """A reference dataset copied into tests/data (see its README for the source)."""
    return pd.read_csv(DATA / f"{name}.csv")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)
