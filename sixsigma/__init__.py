"""sixsigma: root-cause analysis and process improvement in the Lean Six Sigma tradition.

>>> import sixsigma as ss
>>> chart = ss.spc.p_chart({"errors": [4, 6, 5], "audited": [100, 100, 100]},
...                        defectives="errors", size="audited")
>>> float(chart.center[0])
0.05
"""

from sixsigma import (
    capability,
    constants,
    datasets,
    errors,
    flow,
    hypothesis,
    io,
    moderation,
    msa,
    pareto,
    plot,
    provenance,
    rollout,
    rootcause,
    sampling,
    spc,
    targets,
)
from sixsigma._result import Result, from_dict
from sixsigma.io import read

__version__ = "0.1.0"

__all__ = [
    "Result",
    "__version__",
    "capability",
    "constants",
    "datasets",
    "errors",
    "flow",
    "from_dict",
    "hypothesis",
    "io",
    "moderation",
    "msa",
    "pareto",
    "plot",
    "provenance",
    "read",
    "rollout",
    "rootcause",
    "sampling",
    "spc",
    "targets",
]
