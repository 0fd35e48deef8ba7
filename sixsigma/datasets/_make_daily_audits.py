"""Generator of the built-in ``daily_audits`` dataset (run once; kept to regenerate it).

Run ``python -m sixsigma.datasets._make_daily_audits`` to rewrite ``daily_audits.csv`` and
``changes.csv`` next to this file. The output depends only on :data:`SEED`, so running it
again reproduces the shipped files byte for byte (a test checks this in memory).

What is injected (see ``README.md`` in this folder):

* 120 days of QA audits from 2026-01-05; 540-700 audits on weekdays, 350-450 at weekends.
* A true daily error rate of 5% with day-to-day overdispersion: the logit of each day's
  rate is normal around logit(0.05) with standard deviation :data:`LOGIT_SD`, so the
  binomial limits of a plain p chart are too narrow and Laney's p' chart is the one to read.
* From day 80 (2026-03-26, "Policy update: hate speech v3") the rate rises to 7%, most of
  the increase being over-enforcement; the median handle time rises by about 9 seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["CHANGES", "SEED", "make_changes", "make_daily_audits", "main"]

SEED = 20260105
START = "2026-01-05"
DAYS = 120
SHIFT_DAY = 80  # 2026-03-26
LOGIT_SD = 0.2
RATE_BEFORE, RATE_AFTER = 0.05, 0.07
# Shares of over-enforcement, under-enforcement and wrong-policy errors.
MIX_BEFORE = (0.45, 0.35, 0.20)
MIX_AFTER = (0.57, 0.26, 0.17)
HANDLE_BEFORE, HANDLE_AFTER = 95.0, 104.0
CHANGES = (("2026-03-26", "Policy update: hate speech v3"),)


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def make_daily_audits(seed: int = SEED) -> pd.DataFrame:
    """Build the ``daily_audits`` table (``day`` as ISO text, as in the CSV file).

    Parameters
    ----------
    seed : int
        Seed of the numpy random generator.

    Returns
    -------
    pandas.DataFrame
        Columns ``day, audited, errors, over_enforcement, under_enforcement,
        wrong_policy, median_handle_seconds``; one row per day.

    Examples
    --------
    >>> frame = make_daily_audits()
    >>> frame.shape, frame["day"].iloc[80]
    ((120, 7), '2026-03-26')
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, periods=DAYS, freq="D")
    weekend = days.day_of_week.to_numpy() >= 5
    audited = np.where(weekend, rng.integers(350, 451, DAYS), rng.integers(540, 701, DAYS))

    after = np.arange(DAYS) >= SHIFT_DAY
    base = np.where(after, _logit(RATE_AFTER), _logit(RATE_BEFORE))
    logit = base + rng.normal(0.0, LOGIT_SD, DAYS)
    rate = 1.0 / (1.0 + np.exp(-logit))
    errors = rng.binomial(audited, rate)

    split = np.array([rng.multinomial(e, MIX_AFTER if a else MIX_BEFORE)
                      for e, a in zip(errors.tolist(), after.tolist(), strict=True)])
    handle = np.where(after, HANDLE_AFTER, HANDLE_BEFORE) + np.where(weekend, 4.0, 0.0)
    handle = np.round(handle + rng.normal(0.0, 3.0, DAYS), 1)

    return pd.DataFrame({
        "day": days.strftime("%Y-%m-%d"),
        "audited": audited.astype(np.int64),
        "errors": errors.astype(np.int64),
        "over_enforcement": split[:, 0].astype(np.int64),
        "under_enforcement": split[:, 1].astype(np.int64),
        "wrong_policy": split[:, 2].astype(np.int64),
        "median_handle_seconds": handle.astype(np.float64),
    })


def make_changes() -> pd.DataFrame:
    """Build the change log (``date`` as ISO text, ``event``) that goes with the audits.

    Returns
    -------
    pandas.DataFrame
        One row per change: columns ``date`` and ``event``.

    Examples
    --------
    >>> make_changes()["event"].tolist()
    ['Policy update: hate speech v3']
    """
    return pd.DataFrame(list(CHANGES), columns=["date", "event"])


def main(folder: Path | None = None) -> list[Path]:
    """Write ``daily_audits.csv`` and ``changes.csv`` into ``folder`` (default: here).

    Parameters
    ----------
    folder : pathlib.Path, optional
        Target directory; the package's ``datasets`` folder by default.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(__file__).parent if folder is None else folder
    audits, changes = out / "daily_audits.csv", out / "changes.csv"
    make_daily_audits().to_csv(audits, index=False, lineterminator="\n")
    make_changes().to_csv(changes, index=False, lineterminator="\n")
    return [audits, changes]


if __name__ == "__main__":
    for path in main():
        print(path)
