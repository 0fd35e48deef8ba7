"""Rewrite the shipped scenario files: ``python -m sixsigma.datasets._make_scenarios [NAME ...]``.

Generates each scenario with :data:`sixsigma.datasets.shipped.SHIPPED` and writes its folder
(tables, change log, truth, datasheet); see :mod:`sixsigma.datasets.shipped`.
"""

from __future__ import annotations

import sys

from sixsigma.datasets.shipped import write_scenarios

if __name__ == "__main__":
    for path in write_scenarios(names=tuple(sys.argv[1:]) or None):
        print(path)
