"""DOT and Mermaid export (escaping) and the drawing (artists inspected, not pixels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sixsigma.errors import ParameterError  # noqa: E402
from sixsigma.flow import ProcessMap, discover, hotspots, to_dot, to_mermaid  # noqa: E402
from sixsigma.plot.flow import layout, process_map  # noqa: E402

from .test_escapes import make  # noqa: E402


def tricky():
    return ProcessMap.from_spec({
        "start": 'say "hi"',
        "steps": {'say "hi"': {}, "a\\b": {}, "x <y> & z": {}},
        "flows": [{"source": 'say "hi"', "target": "a\\b", "probability": 1.0},
                  {"source": "a\\b", "target": "x <y> & z", "probability": 1.0}]})


def test_dot_escapes_quotes_and_backslashes():
    dot = to_dot(tricky())
    assert '"say \\"hi\\"" -> "a\\\\b"' in dot
    assert dot.startswith('digraph "process" {') and dot.endswith("}")


def test_mermaid_uses_safe_ids_and_entities():
    text = to_mermaid(tricky())
    assert 'n0["say #quot;hi#quot;"]' in text
    assert 'n2["x #lt;y#gt; #amp; z"]' in text
    assert "n0 -->" in text and "<" not in text.split("\n", 1)[1]


def test_discovered_labels_carry_counts():
    ev, _ = make()
    pm = discover(ev)
    assert '"ingest" -> "l1" [label="6"]' in to_dot(pm)
    assert '-->|"6"|' in to_mermaid(pm)


def test_layout_is_layered_left_to_right():
    ev, _ = make()
    pos = layout(discover(ev))
    # ingest, l1, then l2 / decision ... ; the rework flow qa_audit -> l1 is not a layer
    assert pos["ingest"][0] == 0 and pos["l1"][0] == 1
    assert pos["decision"][0] > pos["l1"][0] and pos["qa_audit"][0] > pos["decision"][0]


def test_drawing_marks_hotspots_and_widths():
    ev, au = make()
    pm = discover(ev)
    h = hotspots(ev, au, process_map=pm)
    ax = process_map(pm, hotspots=h, top=1)
    assert ax.get_title().startswith("Process map")
    flows = [p for p in ax.patches if p.get_gid() in {"flow", "rework-flow"}]
    assert len(flows) == pm.graph.number_of_edges()
    assert any(p.get_gid() == "rework-flow" for p in flows)  # qa_audit -> l1
    widths = sorted(p.get_linewidth() for p in flows)
    assert widths[-1] > widths[0]
    rings = [c for c in ax.collections if c.get_gid() == "hotspot"]
    assert len(rings) == 1
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "hotspot"]
    assert labels == ["#1"]


def test_drawing_spec_map_on_given_axes():
    _, ax = plt.subplots()
    assert process_map(tricky(), ax=ax) is ax
    with pytest.raises(ParameterError, match="ProcessMap"):
        process_map(pd.DataFrame())  # type: ignore[arg-type]
