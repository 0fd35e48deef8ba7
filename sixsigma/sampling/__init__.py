"""QA audit design: how many items to audit, where, and what the audits can detect.

* :func:`sample_size_proportion`, :func:`margin_of_error`: estimate a rate (accuracy,
  error rate) within a margin (Cochran 1977; Wilson 1927 as an option).
* :func:`allocate`: split a daily audit budget across queues or markets (proportional,
  Neyman, equal; minimum per stratum) and report the margin each stratum achieves.
* :func:`power_two_proportions`, :func:`sample_size_two_proportions`: detect a change in an
  error rate between two periods (Cohen's arcsine method; Fleiss' formula as an option).
* :func:`estimate`, :func:`prevalence`: the design-based error rate or prevalence of a
  weighted, stratified sample, with its linearised standard error, design effect and
  interval (Korn-Graubard by default), per domain.
* :func:`allocate_by_score`: split an audit budget across score buckets to minimise the
  variance of a prevalence or error-rate estimate, with the gain over simple random sampling.
* :func:`pchart_arl`, :func:`pchart_detectable_shift`: what a daily p chart with n audits
  detects, from its exact binomial average run length.
"""

from sixsigma.sampling.allocation import Allocation, allocate
from sixsigma.sampling.buckets import ScoreAllocation, allocate_by_score
from sixsigma.sampling.estimation import Estimate, estimate, prevalence
from sixsigma.sampling.pchart import DetectableShift, pchart_arl, pchart_detectable_shift
from sixsigma.sampling.power import (
    TwoProportionPower,
    power_two_proportions,
    sample_size_two_proportions,
)
from sixsigma.sampling.proportion import margin_of_error, sample_size_proportion

__all__ = [
    "Allocation",
    "DetectableShift",
    "Estimate",
    "ScoreAllocation",
    "TwoProportionPower",
    "allocate",
    "allocate_by_score",
    "estimate",
    "margin_of_error",
    "pchart_arl",
    "pchart_detectable_shift",
    "prevalence",
    "power_two_proportions",
    "sample_size_proportion",
    "sample_size_two_proportions",
]
