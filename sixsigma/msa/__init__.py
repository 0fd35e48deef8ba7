"""Measurement-system analysis: attribute agreement and gage R&R.

Attribute agreement: Cohen's and Fleiss' kappa, Krippendorff's alpha, Kendall's W,
Minitab-style agreement tables, agreement over calibration rounds. Gage R&R: crossed and
nested ANOVA. QA as a measurement system: auditor accuracy against gold items, and error
rates corrected for the auditors' own errors.

Data are long format, one row per rating or measurement, with column names passed as
keywords (``item=``, ``rater=``, ``rating=``), as in :mod:`pingouin`.
"""

from sixsigma.msa.agreement import AttributeAgreement, attribute_agreement
from sixsigma.msa.auditors import AuditorAccuracy, auditor_accuracy
from sixsigma.msa.correction import CorrectedRate, corrected_rate
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
    "AuditorAccuracy",
    "CohenKappa",
    "CorrectedRate",
    "DawidSkene",
    "FleissKappa",
    "GageRR",
    "KendallW",
    "KrippendorffAlpha",
    "RoundComparison",
    "agreement_by_round",
    "attribute_agreement",
    "auditor_accuracy",
    "cohen_kappa",
    "dawid_skene",
    "compare_rounds",
    "corrected_rate",
    "fleiss_kappa",
    "gage_rr",
    "kendall_w",
    "krippendorff_alpha",
]
