"""What the flow results share beyond the :class:`~sixsigma._result.Result` base."""

from __future__ import annotations

from typing import Any

__all__ = ["nan_for_none"]


def nan_for_none(result: Any, *names: str) -> None:
    """Hold an undefined figure as NaN again after :func:`sixsigma.from_dict`.

    The payload writes a NaN figure as null (with a note), so a rebuilt result receives
    None; the analyses and summaries compute with NaN.
    """
    for name in names:
        if getattr(result, name) is None:
            object.__setattr__(result, name, float("nan"))
