"""Root-cause analysis: where defects concentrate, what changed, and who stands out.

* :func:`segment_scan`: the segments (one dimension or a pair) whose defect rate stands out,
  tested against the rest with false-discovery control, with explain-away;
* :func:`explain_change`: a change of the overall defect rate split exactly into mix and
  rate effects per segment (Kitagawa 1955; Das Gupta 1993);
* :func:`funnel`: funnel-plot limits for many units, with Spiegelhalter's overdispersion
  adjustment.

Every result converts to an evidence record (``result.to_evidence()``) that a DMAIC root
cause can cite (:mod:`sixsigma.rootcause.evidence`). The test assistant that says which
test proves a cause is :func:`sixsigma.hypothesis.compare`.
"""

from sixsigma.rootcause.change import ChangeDecomposition, explain_change
from sixsigma.rootcause.evidence import evidence_record
from sixsigma.rootcause.funnels import Funnel, funnel
from sixsigma.rootcause.scan import SegmentScan, segment_scan

__all__ = [
    "ChangeDecomposition",
    "Funnel",
    "SegmentScan",
    "evidence_record",
    "explain_change",
    "funnel",
    "segment_scan",
]
