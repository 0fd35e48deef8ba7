r"""Export a process map as text: Graphviz DOT and Mermaid flowcharts.

Labels are escaped for each language: DOT quoted strings escape ``\`` and ``"``; Mermaid
labels are wrapped in double quotes with ``"`` written as ``#quot;`` and node ids are
replaced by safe identifiers (``n0``, ``n1``, ...), so any step name can be exported.
"""

from __future__ import annotations

from collections.abc import Mapping

from sixsigma.flow.processmap import ProcessMap

__all__ = ["to_dot", "to_mermaid"]


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _mermaid_label(text: str) -> str:
    safe = (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))
    return f'"{safe}"'


def _edge_label(d: Mapping[str, object]) -> str:
    c = d.get("count")
    if isinstance(c, int | float) and c == c:
        return f"{c:g}"
    p = d.get("probability")
    return f"{float(p):.3g}" if isinstance(p, int | float) else ""


def _node_label(name: str, d: Mapping[str, object]) -> str:
    c = d.get("count")
    if isinstance(c, int | float) and c == c:
        return f"{name}\n{c:g}"
    return name


def to_dot(pm: ProcessMap, *, name: str = "process", rankdir: str = "LR") -> str:
    r"""The map as a Graphviz DOT digraph (nodes labelled with counts, edges with counts).

    Parameters
    ----------
    pm : ProcessMap
    name : str
        Graph name.
    rankdir : str
        Graphviz layout direction (``"LR"``: left to right).

    Returns
    -------
    str

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap, to_dot
    >>> pm = ProcessMap.from_spec({"start": "a", "steps": {"a": {}, 'say "hi"': {}},
    ...     "flows": [{"source": "a", "target": 'say "hi"', "probability": 1.0}]})
    >>> print(to_dot(pm))
    digraph "process" {
      rankdir=LR;
      node [shape=box, style=rounded];
      "a" [label="a"];
      "say \"hi\"" [label="say \"hi\""];
      "a" -> "say \"hi\"" [label="1"];
    }
    """
    lines = [f"digraph {_dot_quote(name)} {{", f"  rankdir={rankdir};",
             "  node [shape=box, style=rounded];"]
    for n, d in pm.graph.nodes(data=True):
        lines.append(f"  {_dot_quote(str(n))} [label={_dot_quote(_node_label(str(n), d))}];")
    for u, v, d in pm.graph.edges(data=True):
        label = _edge_label(d)
        attr = f" [label={_dot_quote(label)}]" if label else ""
        lines.append(f"  {_dot_quote(str(u))} -> {_dot_quote(str(v))}{attr};")
    lines.append("}")
    return "\n".join(lines)


def to_mermaid(pm: ProcessMap, *, direction: str = "LR") -> str:
    """The map as a Mermaid flowchart (safe ids, quoted and escaped labels).

    Examples
    --------
    >>> from sixsigma.flow import ProcessMap, to_mermaid
    >>> pm = ProcessMap.from_spec({"start": "a", "steps": {"a": {}, "b <x>": {}},
    ...     "flows": [{"source": "a", "target": "b <x>", "probability": 1.0}]})
    >>> print(to_mermaid(pm))
    flowchart LR
      n0["a"]
      n1["b #lt;x#gt;"]
      n0 -->|"1"| n1
    """
    ids = {n: f"n{i}" for i, n in enumerate(pm.graph.nodes)}
    lines = [f"flowchart {direction}"]
    for n, d in pm.graph.nodes(data=True):
        label = _node_label(str(n), d).replace("\n", " (") + (
            ")" if "\n" in _node_label(str(n), d) else "")
        lines.append(f"  {ids[n]}[{_mermaid_label(label)}]")
    for u, v, d in pm.graph.edges(data=True):
        label = _edge_label(d)
        arrow = f" -->|{_mermaid_label(label)}| " if label else " --> "
        lines.append(f"  {ids[u]}{arrow}{ids[v]}")
    return "\n".join(lines)
