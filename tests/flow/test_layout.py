"""The flow package's layout: no public function has the name of its own submodule."""

from __future__ import annotations

import importlib
import pkgutil
import types

import sixsigma.flow


def test_no_function_shadows_a_submodule():
    for info in pkgutil.iter_modules(sixsigma.flow.__path__):
        importlib.import_module(f"sixsigma.flow.{info.name}")
        value = getattr(sixsigma.flow, info.name, None)
        assert value is None or isinstance(value, types.ModuleType), info.name
    # the public functions keep their names
    assert callable(sixsigma.flow.discover) and callable(sixsigma.flow.escapes)
    assert callable(sixsigma.flow.markov)
