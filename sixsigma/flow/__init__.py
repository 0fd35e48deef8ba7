"""Process maps on NetworkX: build or discover the flow, and find where defects arise.

See ``docs/flow.md``. :func:`discover` builds a :class:`ProcessMap` from an event log
(aggregated where the data live, via narwhals); :meth:`ProcessMap.from_spec` from a dict
or YAML spec. The analyses take a map: :func:`markov` (absorbing Markov chain: expected
visits and time per step), :func:`defect_flow` (where a spec's defects are caught or
escape), :func:`yields`, :func:`rework_loops`, :func:`bottlenecks`,
:func:`cycle_efficiency`; :func:`escapes` and :func:`hotspots` join audit records to the
event log; :func:`to_dot` and :func:`to_mermaid` export the map as text.
"""

from sixsigma.flow.analysis import (
    BottleneckResult,
    ReworkResult,
    YieldResult,
    bottlenecks,
    cycle_efficiency,
    rework_loops,
    yields,
)
from sixsigma.flow.defects import EscapeResult, HotspotResult, escapes, hotspots
from sixsigma.flow.discovery import discover
from sixsigma.flow.export import to_dot, to_mermaid
from sixsigma.flow.markov_chain import DefectFlowResult, MarkovResult, defect_flow, markov
from sixsigma.flow.processmap import GraphError, ProcessMap

__all__ = [
    "BottleneckResult",
    "DefectFlowResult",
    "EscapeResult",
    "GraphError",
    "HotspotResult",
    "MarkovResult",
    "ProcessMap",
    "ReworkResult",
    "YieldResult",
    "bottlenecks",
    "cycle_efficiency",
    "defect_flow",
    "discover",
    "escapes",
    "hotspots",
    "markov",
    "rework_loops",
    "to_dot",
    "to_mermaid",
    "yields",
]
