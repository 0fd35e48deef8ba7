"""Fixtures: the bundled example case, and the same case with every gate's evidence attached."""

from __future__ import annotations

import pytest
from _cases import build_complete, example_text
from _typed import CASE_CLASSES, typed

import dmaic

_COMPLETE: list[dmaic.Project] = []


@pytest.fixture
def complete() -> dmaic.Project:
    """A fresh copy of the complete case (built once per session)."""
    if not typed(*CASE_CLASSES):
        pytest.skip("needs ControlChart, SigmaMetrics and FleissKappa derived from the "
                    "sixsigma result base")
    if not _COMPLETE:
        _COMPLETE.append(build_complete())
    return _COMPLETE[0].model_copy(deep=True)


@pytest.fixture
def example() -> dmaic.Project:
    return dmaic.loads(example_text())
