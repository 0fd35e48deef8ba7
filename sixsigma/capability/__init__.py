"""Process capability: normal-theory indices, non-normal methods and sigma metrics.

* :func:`capability`: Cp, Cpk, Cpm (within sigma, from the matching control chart) and
  Pp, Ppk (overall sigma) with confidence intervals, PPM and a normality check.
* :func:`percentile_capability`, :func:`fit_distributions` (module ``distributions``):
  capability of non-normal data by the ISO 22514-2 percentile method on the best-fitting
  distribution.
* :func:`boxcox_capability`, :func:`johnson_capability` (module ``transforms``): capability
  after a Box-Cox or Johnson transformation.
* :func:`binomial_capability`, :func:`poisson_capability` (module ``attributes``): Minitab's
  capability report for a defective rate or a defect rate per unit, with the chart.
* :func:`sigma_metrics`, :func:`sigma_level`, :func:`rolled_throughput_yield`: DPU, DPO,
  DPMO, yields and the process sigma level.
"""

from sixsigma.capability.attributes import (
    BinomialCapability,
    PoissonCapability,
    binomial_capability,
    poisson_capability,
)
from sixsigma.capability.distributions import (
    DistributionFit,
    PercentileCapability,
    fit_distributions,
    percentile_capability,
)
from sixsigma.capability.indices import (
    Capability,
    capability,
    capability_indices,
    capability_intervals,
)
from sixsigma.capability.normality import NormalityTest, normality_test
from sixsigma.capability.sigma import (
    RolledYield,
    SigmaMetrics,
    dpmo_from_sigma,
    rolled_throughput_yield,
    sigma_level,
    sigma_metrics,
)
from sixsigma.capability.transforms import (
    TransformedCapability,
    boxcox_capability,
    johnson_capability,
)

__all__ = [
    "BinomialCapability",
    "Capability",
    "DistributionFit",
    "NormalityTest",
    "PercentileCapability",
    "PoissonCapability",
    "RolledYield",
    "SigmaMetrics",
    "TransformedCapability",
    "binomial_capability",
    "boxcox_capability",
    "capability",
    "capability_indices",
    "capability_intervals",
    "dpmo_from_sigma",
    "fit_distributions",
    "johnson_capability",
    "normality_test",
    "percentile_capability",
    "poisson_capability",
    "rolled_throughput_yield",
    "sigma_level",
    "sigma_metrics",
]
