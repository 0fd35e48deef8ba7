"""Reference datasets copied into tests/data (see tests/data/README.md for their sources)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).parent / "data"


def load(name: str) -> pd.DataFrame:
    """A reference dataset from tests/data, by file stem."""
    return pd.read_csv(DATA / f"{name}.csv")
