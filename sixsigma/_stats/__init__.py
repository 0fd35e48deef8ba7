"""Shared statistical kernels: one home per formula.

``intervals``: Wilson, Clopper-Pearson, Newcombe and the two-sided z quantile;
``proportions``: vectorised two-proportion z and Fisher exact tests; ``fdr``:
Benjamini-Hochberg; ``effects``: effect sizes and their intervals. Modules elsewhere in
sixsigma call these; none re-implements them.
"""

from sixsigma._stats.fdr import bh
from sixsigma._stats.intervals import clopper_pearson, newcombe, wilson, z_two_sided

__all__ = ["bh", "clopper_pearson", "newcombe", "wilson", "z_two_sided"]
