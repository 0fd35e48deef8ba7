"""Which sixsigma result classes derive from the result base yet (issue 13 is converting them).

Tests that need a typed result of a kind are marked with :func:`needs_typed`; once every
class is converted, the marks skip nothing.
"""

from __future__ import annotations

import pytest

import sixsigma as ss


def typed(*classes: type) -> bool:
    """True when every class derives from the result base (it has ``from_dict``)."""
    return all(callable(getattr(cls, "from_dict", None)) for cls in classes)


CASE_CLASSES = (ss.spc.ControlChart, ss.capability.SigmaMetrics, ss.msa.FleissKappa)


def needs_typed(*classes: type) -> pytest.MarkDecorator:
    names = ", ".join(c.__name__ for c in classes)
    return pytest.mark.skipif(not typed(*classes),
                              reason=f"needs {names} derived from the sixsigma result base")


needs_case = needs_typed(*CASE_CLASSES)
"""For tests of the complete example case (charts, sigma metrics, Fleiss' kappa attached)."""
