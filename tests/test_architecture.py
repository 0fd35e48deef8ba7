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
    allowed = {"plot", "report"}
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "sixsigma").rglob("*.py")
                 if any(n.split(".")[0] == "matplotlib" for n in _imports(p))
                 and not (allowed & set(p.relative_to(ROOT / "sixsigma").parts))]
    assert offenders == []


def test_import_does_not_load_matplotlib():
    code = "import sys, sixsigma; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the import graph -------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports_of(path: Path, modules: set[str]) -> set[str]:
    """Modules of ours that ``path`` imports, at module level or inside functions alike
    (a lazy import is still a dependency); only ``if TYPE_CHECKING:`` blocks are skipped."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    skipped = {id(n) for node in ast.walk(tree)
               if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
               for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{a.name}" for a in node.names} & modules
            found.update(submodules)
            if len(submodules) < len(node.names):  # names defined in the module itself
                found.add(base)
    return {m for m in found if m in modules and m != me}


def _graph() -> dict[str, set[str]]:
    paths = [p for pkg in ("sixsigma", "dmaic") for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports_of(p, modules) for p in paths}


def test_no_import_cycle_anywhere():
    import networkx as nx

    graph = nx.DiGraph()
    for module, targets in _graph().items():
        graph.add_node(module)
        graph.add_edges_from((module, t) for t in targets)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_dmaic_imports_no_private_sixsigma_module():
    offenders = []
    for p in (ROOT / "dmaic").rglob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "sixsigma" and any(s.startswith("_") for s in parts[1:]):
                    offenders.append(f"{p.relative_to(ROOT)}: {name}")
    assert offenders == []


# -- results ----------------------------------------------------------------------------------
_NOT_RESULTS = {
    # containers and inputs, not analysis results
    "Dataset", "Table", "ErrorType", "ErrorTaxonomy", "AuditSchema", "Violation",
    "DataFingerprint", "Stage",
}


def _public_classes():
    import importlib
    import inspect
    import pkgutil

    import sixsigma

    seen = {}
    for info in pkgutil.walk_packages(sixsigma.__path__, "sixsigma."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if inspect.isclass(obj) and obj.__module__.startswith("sixsigma."):
                seen[obj.__qualname__] = obj
    return seen


def test_every_public_result_class_derives_from_the_base():
    from sixsigma._result import Result, registry

    kinds = registry()
    offenders = []
    for name, cls in _public_classes().items():
        if issubclass(cls, BaseException) or name in _NOT_RESULTS:
            continue
        looks_like_result = any(hasattr(cls, a) for a in ("to_dict", "to_frame", "summary"))
        if not looks_like_result:
            continue
        if not issubclass(cls, Result):
            offenders.append(f"{name}: not a Result")
            continue
        if kinds.get(cls.kind) is not cls:
            offenders.append(f"{name}: kind {cls.kind!r} not registered")
        for method in ("to_dict", "__eq__", "_repr_html_"):
            if getattr(cls, method) is not getattr(Result, method):
                offenders.append(f"{name}: overrides {method}")
    assert offenders == []
