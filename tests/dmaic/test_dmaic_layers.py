"""dmaic's own modules import each other without a circle, and no sixsigma private module.

Every import counts, at module level, inside functions and under ``TYPE_CHECKING``: a
module that imports another only inside a function still depends on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dmaic

PACKAGE = Path(dmaic.__file__).parent
#: The modules of the project model, its evidence, store and tollgates (not the reports,
#: the command line or the demo, which sit above them).
OWN = ("__init__.py", "_base.py", "errors.py", "evidence.py", "migrations.py", "store.py",
       "tollgates.py", "types.py", "model")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _files() -> list[Path]:
    out: list[Path] = []
    for name in OWN:
        p = PACKAGE / name
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


def _imports(path: Path) -> set[str]:
    """Every module named by an import in ``path`` (``from a import b`` names a and a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in _files()}
    return {m: {n for n in _imports(p) if n in modules and n != m}
            for m, p in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_graph_sees_the_modules():
    graph = _graph()
    assert {"dmaic", "dmaic.model.project", "dmaic.store", "dmaic.tollgates",
            "dmaic.evidence", "dmaic.errors"} <= set(graph)
    assert "dmaic.model.project" in graph["dmaic.store"]
    assert "dmaic.evidence" in graph["dmaic.model.project"]


def test_no_import_circle_among_the_model_modules():
    assert _cycle(_graph()) is None


def test_the_model_imports_neither_store_nor_tollgates():
    graph = _graph()
    model = [m for m in graph if m.startswith("dmaic.model")]
    assert all(not graph[m] & {"dmaic.store", "dmaic.tollgates", "dmaic.migrations"}
               for m in model)


def test_errors_and_types_sit_below_everything():
    graph = _graph()
    assert not graph["dmaic.errors"] and not graph["dmaic.types"]


def test_no_sixsigma_private_module():
    offenders = {_module(p): sorted(n for n in _imports(p) if n.startswith("sixsigma.")
                                    and any(part.startswith("_")
                                            for part in n.split(".")[1:]))
                 for p in _files()}
    assert {m: v for m, v in offenders.items() if v} == {}


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
