"""Misclassification-corrected proportions: Rogan-Gladen and its intervals, vectorised.

The one home of these formulas in sixsigma. A rate observed through an imperfect
classifier (an auditor, a test) with sensitivity Se and specificity Sp estimates
p_obs = p Se + (1 - p)(1 - Sp); solving for p gives the Rogan-Gladen (1978) estimator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sixsigma._stats.intervals import wilson, z_two_sided

__all__ = ["lang_reiczigel", "rogan_gladen", "wilson_mapped"]

FloatArray = NDArray[np.float64]


def rogan_gladen(p_obs: Any, sensitivity: Any, specificity: Any) -> FloatArray:
    """Rogan-Gladen (1978) estimate (p_obs + Sp - 1) / (Se + Sp - 1), not clipped.

    Rogan, W.J. & Gladen, B. (1978). Estimating prevalence from the results of a
    screening test. *American Journal of Epidemiology* 107(1), 71-76.

    >>> float(rogan_gladen(0.1, 0.9, 0.95))   # (0.1 + 0.95 - 1) / (0.9 + 0.95 - 1)
    0.058823529411764754
    """
    p = np.asarray(p_obs, dtype=float)
    se = np.asarray(sensitivity, dtype=float)
    sp = np.asarray(specificity, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.asarray((p + sp - 1.0) / (se + sp - 1.0), dtype=float)
    return out


def wilson_mapped(defectives: Any, size: Any, sensitivity: Any, specificity: Any,
                  confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """The Wilson interval of the observed rate mapped through the Rogan-Gladen correction.

    For a sensitivity and specificity known as constants the correction is a monotone
    (increasing, as Se + Sp > 1) map, so it carries the limits of the observed rate's
    interval; the mapped limits are clipped to [0, 1] (Reiczigel, Földi & Ózsvári 2010,
    *Epidemiology and Infection* 138, 1674-1678, who map exact limits the same way).
    """
    low, high = wilson(defectives, size, confidence)
    return (np.clip(rogan_gladen(low, sensitivity, specificity), 0.0, 1.0),
            np.clip(rogan_gladen(high, sensitivity, specificity), 0.0, 1.0))


def lang_reiczigel(
    defectives: Any, size: Any, sensitivity: Any, specificity: Any,
    sensitivity_n: Any = np.inf, specificity_n: Any = np.inf, confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Lang & Reiczigel (2014) interval of the prevalence adjusted for estimated Se and Sp.

    Lang, Zs. & Reiczigel, J. (2014). Confidence limits for prevalence of disease adjusted
    for estimated sensitivity and specificity. *Preventive Veterinary Medicine* 113, 13-22.

    An Agresti-Coull-type adjustment: z^2/2 positives and z^2/2 negatives are added to the
    prevalence sample, one positive and one negative to each validation sample; the
    Rogan-Gladen estimate p' of the adjusted rates gets the delta-method standard error

        se = sqrt(P'(1-P')/n' + Se'(1-Se')/n_se' p'^2 + Sp'(1-Sp')/n_sp' (1-p')^2) / |J'|

    (J' = Se' + Sp' - 1), and the interval is p' + d -/+ z se with the shift
    d = 2 z^2 (p' Se'(1-Se')/n_se' - (1-p') Sp'(1-Sp')/n_sp'), clipped to [0, 1]. This
    follows the authors' script (CI4TruePrevalence, 2013) as published in the
    implementations of Flor et al. (2020, BMC Public Health 20:1135) and R ``testerror``.
    An infinite ``sensitivity_n`` or ``specificity_n`` means a value known exactly: its
    variance and shift terms vanish. Where J' <= 0 the limits are NaN.
    """
    z = z_two_sided(confidence)
    k = np.asarray(defectives, dtype=float)
    n = np.asarray(size, dtype=float)
    se = np.asarray(sensitivity, dtype=float)
    sp = np.asarray(specificity, dtype=float)
    n_se = np.asarray(sensitivity_n, dtype=float)
    n_sp = np.asarray(specificity_n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_adj = n + z * z
        p_adj = (k + z * z / 2.0) / n_adj
        known_se = ~np.isfinite(n_se)
        known_sp = ~np.isfinite(n_sp)
        nse_adj = np.where(known_se, np.inf, n_se + 2.0)
        nsp_adj = np.where(known_sp, np.inf, n_sp + 2.0)
        se_adj = np.where(known_se, se, (se * n_se + 1.0) / nse_adj)
        sp_adj = np.where(known_sp, sp, (sp * n_sp + 1.0) / nsp_adj)
        youden = se_adj + sp_adj - 1.0
        est = (p_adj + sp_adj - 1.0) / youden
        v_se = np.where(known_se, 0.0, se_adj * (1.0 - se_adj) / nse_adj)
        v_sp = np.where(known_sp, 0.0, sp_adj * (1.0 - sp_adj) / nsp_adj)
        se_est = np.sqrt(p_adj * (1.0 - p_adj) / n_adj + v_se * est**2
                         + v_sp * (1.0 - est) ** 2) / np.abs(youden)
        shift = 2.0 * z * z * (est * v_se - (1.0 - est) * v_sp)
        low = np.clip(est + shift - z * se_est, 0.0, 1.0)
        high = np.clip(est + shift + z * se_est, 0.0, 1.0)
    bad = ~(youden > 0)
    return (np.where(bad, np.nan, low).astype(float),
            np.where(bad, np.nan, high).astype(float))
