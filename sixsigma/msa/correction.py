"""Error rates corrected for the auditor's own errors (misclassification correction).

A QA audit is a measurement: the auditor flags a truly wrong decision with probability
Se (sensitivity) and passes a truly right one with probability Sp (specificity). The
observed error rate then estimates p Se + (1 - p)(1 - Sp), not p. :func:`corrected_rate`
inverts this (Rogan & Gladen 1978) with an interval that accounts for how Se and Sp were
known: estimated from gold items (Lang & Reiczigel 2014) or taken as constants (the Wilson
interval mapped through the correction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sixsigma._params import check_confidence, check_number
from sixsigma._result import Result
from sixsigma._stats.binomial import lang_reiczigel, rogan_gladen, wilson_mapped
from sixsigma._stats.intervals import wilson
from sixsigma.errors import ParameterError

__all__ = ["CorrectedRate", "corrected_rate"]


@dataclass(frozen=True, eq=False, repr=False)
class CorrectedRate(Result, kind="corrected_rate"):
    """An error rate corrected for the auditor's sensitivity and specificity.

    Attributes
    ----------
    rate : float
        The Rogan-Gladen estimate (p_obs + Sp - 1) / (Se + Sp - 1), clipped to [0, 1]
        (a note says when it was clipped).
    ci : tuple of float or None
        Its interval (``method``); None with a note when undefined.
    unclipped : float
        The Rogan-Gladen value before clipping (can fall outside [0, 1] by chance).
    observed : float
        The observed rate defectives / size; ``observed_ci`` its Wilson interval.
    defectives, size : int
    sensitivity, specificity : float
    sensitivity_n, specificity_n : int or None
        Sizes of the gold samples Se and Sp were estimated from (None: known constants).
    method : str
        "lang_reiczigel" (Se or Sp estimated) or "wilson_mapped" (both known).
    confidence : float
    """

    rate: float
    ci: tuple[float, float] | None
    unclipped: float
    observed: float
    observed_ci: tuple[float, float]
    defectives: int
    size: int
    sensitivity: float
    specificity: float
    sensitivity_n: int | None = None
    specificity_n: int | None = None
    method: str = "wilson_mapped"
    confidence: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """Two rows, observed and corrected: rate, ci_low, ci_high."""
        low, high = self.ci if self.ci is not None else (np.nan, np.nan)
        return pd.DataFrame({
            "figure": ["observed", "corrected"],
            "rate": [self.observed, self.rate],
            "ci_low": [self.observed_ci[0], low],
            "ci_high": [self.observed_ci[1], high],
            "method": ["wilson", self.method],
        })

    def summary(self) -> str:
        """A short text summary."""
        low, high = self.ci if self.ci is not None else (np.nan, np.nan)
        lines = [
            f"Observed rate {self.observed:.4f} ({self.defectives}/{self.size}); "
            f"corrected for auditor Se {self.sensitivity:.3f}, Sp {self.specificity:.3f}: "
            f"{self.rate:.4f}, {self.confidence:.0%} CI ({low:.4f}, {high:.4f}) "
            f"[{self.method}]"
        ]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _count(value: Any, name: str, caller: str, low: float) -> int:
    return int(check_number(value, name, caller=caller, low=low, integer=True))


def _sample_n(value: Any, name: str, caller: str) -> int | None:
    if value is None:
        return None
    return _count(value, name, caller, 1)


def corrected_rate(
    defectives: int,
    size: int,
    sensitivity: float,
    specificity: float,
    *,
    sensitivity_n: int | None = None,
    specificity_n: int | None = None,
    confidence: float = 0.95,
) -> CorrectedRate:
    """The true error rate behind an observed one, given the auditor's Se and Sp.

    Parameters
    ----------
    defectives, size : int
        Items the auditors flagged as errors, and items audited.
    sensitivity : float
        P(auditor flags | the decision was wrong), e.g. from gold items.
    specificity : float
        P(auditor passes | the decision was right).
    sensitivity_n, specificity_n : int, optional
        The number of truly wrong (for Se) and truly right (for Sp) gold items the two
        were estimated from. Give them whenever Se and Sp are estimates: the interval then
        carries their uncertainty (Lang & Reiczigel 2014). Omitted, the value is taken as
        known exactly; with both omitted the interval is the Wilson interval of the
        observed rate mapped through the correction.
    confidence : float
        Level of the interval.

    Returns
    -------
    CorrectedRate

    Raises
    ------
    sixsigma.errors.ParameterError
        Se + Sp <= 1 (the audit is no better than chance, and the correction is undefined
        or reverses the rate), a value outside [0, 1], counts that are not whole numbers,
        defectives > size.

    Notes
    -----
    Rogan, W.J. & Gladen, B. (1978), *Am. J. Epidemiol.* 107, 71-76:
    p = (p_obs + Sp - 1) / (Se + Sp - 1), clipped to [0, 1]. Lang, Zs. & Reiczigel, J.
    (2014), "Confidence limits for prevalence of disease adjusted for estimated sensitivity
    and specificity", *Prev. Vet. Med.* 113, 13-22: see
    :func:`sixsigma._stats.binomial.lang_reiczigel`.

    Examples
    --------
    >>> r = ss.msa.corrected_rate(80, 1000, 0.9, 0.95)
    >>> round(r.rate, 4)   # (0.08 + 0.95 - 1) / (0.9 + 0.95 - 1) = 0.03 / 0.85
    0.0353
    """
    caller = "corrected_rate"
    confidence = check_confidence(confidence, caller=caller)
    size_i = _count(size, "size", caller, 1)
    k = _count(defectives, "defectives", caller, 0)
    if k > size_i:
        raise ParameterError(f"{caller}: the 'defectives' parameter must be at most size "
                             f"({size_i}); got {k}.")
    se = check_number(sensitivity, "sensitivity", caller=caller, low=0.0, high=1.0)
    sp = check_number(specificity, "specificity", caller=caller, low=0.0, high=1.0)
    if se + sp <= 1.0:
        raise ParameterError(
            f"{caller}: sensitivity + specificity must exceed 1; got {se:g} + {sp:g} = "
            f"{se + sp:g}. An audit with Se + Sp <= 1 is no better than chance, so its "
            "rate cannot be corrected."
        )
    n_se = _sample_n(sensitivity_n, "sensitivity_n", caller)
    n_sp = _sample_n(specificity_n, "specificity_n", caller)
    p_obs = k / size_i
    raw = float(rogan_gladen(p_obs, se, sp))
    rate = min(1.0, max(0.0, raw))
    notes: list[str] = []
    if raw < 0:
        notes.append(f"the Rogan-Gladen estimate {raw:.4g} is below 0 (fewer flags than the "
                     "auditor's false-positive rate 1 - Sp alone explains); rate clipped to 0")
    elif raw > 1:
        notes.append(f"the Rogan-Gladen estimate {raw:.4g} is above 1; rate clipped to 1")
    if n_se is None and n_sp is None:
        method = "wilson_mapped"
        lo, hi = wilson_mapped(k, size_i, se, sp, confidence)
    else:
        method = "lang_reiczigel"
        lo, hi = lang_reiczigel(k, size_i, se, sp,
                                np.inf if n_se is None else n_se,
                                np.inf if n_sp is None else n_sp, confidence)
    ci: tuple[float, float] | None = (float(lo), float(hi))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        ci = None
        notes.append("ci is undefined: after the Lang-Reiczigel adjustment of the small "
                     "gold samples, Se + Sp is no longer above 1")
    ow_lo, ow_hi = wilson(k, size_i, confidence)
    return CorrectedRate(
        rate=rate, ci=ci, unclipped=raw, observed=p_obs,
        observed_ci=(float(ow_lo), float(ow_hi)), defectives=k, size=size_i,
        sensitivity=se, specificity=sp, sensitivity_n=n_se, specificity_n=n_sp,
        method=method, confidence=confidence, notes=tuple(notes),
    )
