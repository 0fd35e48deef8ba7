"""False-discovery-rate control across many tests."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = ["bh"]


def bh(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Benjamini-Hochberg (1995) adjusted p-values (q-values), as R's ``p.adjust("BH")``.

    >>> bh(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    if p.size == 0:
        return p.copy()
    return np.asarray(stats.false_discovery_control(p, method="bh"), dtype=np.float64)
