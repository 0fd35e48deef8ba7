"""Run detection shared by the run rules: "K in a row" as a windowed AND of boolean links."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["window_all"]

BoolArray = NDArray[np.bool_]


def window_all(a: BoolArray, m: int) -> BoolArray:
    """``out[i] = a[i - m + 1] & ... & a[i]`` (False for ``i < m - 1``), in O(n log m)."""
    n = a.size
    out: BoolArray | None = None
    off = 0  # out[i] covers a[i - off + 1 .. i]
    p, plen = a, 1  # p[i] covers a[i - plen + 1 .. i]; False for i < plen - 1
    while True:
        if m & 1:
            if out is None:
                out, off = p.copy(), plen
            else:
                out[off:] &= p[: max(n - off, 0)]
                out[:off] = False
                off += plen
        m >>= 1
        if not m:
            break
        q = p.copy()
        q[plen:] &= p[: max(n - plen, 0)]
        q[:plen] = False
        p, plen = q, 2 * plen
    assert out is not None
    return out
