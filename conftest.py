"""Doctest namespace: ``np`` and ``ss`` are available in every docstring example."""

import numpy as np
import pytest

import sixsigma as ss


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict) -> None:
    doctest_namespace["np"] = np
    doctest_namespace["ss"] = ss
