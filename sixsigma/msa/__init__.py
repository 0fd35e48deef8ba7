"""Measurement-system analysis: attribute agreement and gage R&R.

Attribute agreement: Cohen's and Fleiss' kappa, Krippendorff's alpha, Kendall's W,
Minitab-style agreement tables, agreement over calibration rounds. Gage R&R: crossed and
nested ANOVA.

Data are long format, one row per rating or measurement, with column names passed as
keywords (``item=``, ``rater=``, ``rating=``), as in :mod:`pingouin`.
"""

from sixsigma.msa.agreement import AttributeAgreement, attribute_agreement
from sixsigma.msa.gage import GageRR, gage_rr
from sixsigma.msa.kappa import CohenKappa, FleissKappa, cohen_kappa, fleiss_kappa
from sixsigma.msa.kendall import KendallW, kendall_w
from sixsigma.msa.krippendorff import KrippendorffAlpha, krippendorff_alpha
from sixsigma.msa.latent_class import DawidSkene, dawid_skene
from sixsigma.msa.rounds import (
    AgreementSeries,
    RoundComparison,
    agreement_by_round,
    compare_rounds,
)

__all__ = [
    "AgreementSeries",
    "AttributeAgreement",
    "CohenKappa",
    "DawidSkene", "dawid_skene",
    "FleissKappa",
    "GageRR",
    "KendallW",
    "KrippendorffAlpha",
    "RoundComparison",
    "agreement_by_round",
    "attribute_agreement",
    "cohen_kappa",
    "compare_rounds",
    "fleiss_kappa",
    "gage_rr",
    "kendall_w",
    "krippendorff_alpha",
]
