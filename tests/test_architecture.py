"""Layering rules of the code base, checked on the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_sixsigma_never_imports_dmaic():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "sixsigma").rglob("*.py")
                 if any(n == "dmaic" or n.startswith("dmaic.") for n in _imports(p))]
    assert offenders == []


def test_only_plot_and_demo_modules_import_matplotlib():
    allowed = {"plot", "demo.py"}
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "sixsigma").rglob("*.py")
                 if any(n.split(".")[0] == "matplotlib" for n in _imports(p))
                 and not (allowed & set(p.relative_to(ROOT / "sixsigma").parts))]
    assert offenders == []


def test_import_does_not_load_matplotlib():
    code = "import sys, sixsigma; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)
