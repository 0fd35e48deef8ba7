"""The synthetic moderation operation: queues, markets and the roster of moderators.

These tables are the fixed "world" of :func:`sixsigma.datasets.generate_moderation`; a
scenario only changes probabilities and multipliers on top of them (see
:mod:`sixsigma.datasets.scenarios`). Every number here is documented in
``datasets/README.md``.

* :data:`QUEUES`: one row per work queue (= policy area): its share of the decisions, the
  prevalence of violating content, the L1 error rate of an experienced moderator, the
  classifier's auto-action probabilities, the escalation rate and the median handle time.
* :data:`MARKETS`: one row per market, nested in a region, with its language, its share of
  the decisions and its UTC offset (used for shift hours).
* :func:`make_roster`: the moderators, each in one queue and one market, with a hire day,
  a persistent error propensity and a speed factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MARKETS",
    "NO_VIOLATION",
    "POLICIES",
    "QUEUES",
    "REGIONS",
    "Market",
    "Queue",
    "Roster",
    "make_roster",
]

NO_VIOLATION = "no_violation"


@dataclass(frozen=True)
class Queue:
    """A work queue; its name is also the policy area it reviews."""

    name: str
    share: float  # share of all decisions
    prevalence: float  # share of items QA judges violating
    error_rate: float  # L1 error probability of an experienced, average moderator
    auto_violating: float  # P(classifier auto-actions | violating)
    auto_benign: float  # P(classifier auto-actions | not violating)
    escalation: float  # P(L1 escalates to L2 | human review)
    handle_median: float  # seconds, experienced moderator


QUEUES: tuple[Queue, ...] = (
    Queue("hate_speech", 0.25, 0.55, 0.065, 0.00, 0.00, 0.08, 95.0),
    Queue("harassment", 0.22, 0.50, 0.075, 0.00, 0.00, 0.05, 110.0),
    Queue("spam", 0.25, 0.70, 0.030, 0.55, 0.02, 0.01, 40.0),
    Queue("violent_extremism", 0.10, 0.45, 0.050, 0.30, 0.01, 0.15, 140.0),
    Queue("adult", 0.18, 0.60, 0.040, 0.40, 0.02, 0.02, 60.0),
)
POLICIES: tuple[str, ...] = tuple(q.name for q in QUEUES)


@dataclass(frozen=True)
class Market:
    """A market, nested in a region, with one language."""

    name: str
    region: str
    language: str
    share: float
    utc_offset_hours: float


MARKETS: tuple[Market, ...] = (
    Market("US", "NA", "en", 0.22, -5.0),
    Market("CA", "NA", "en", 0.04, -5.0),
    Market("GB", "EMEA", "en", 0.08, 0.0),
    Market("DE", "EMEA", "de", 0.08, 1.0),
    Market("FR", "EMEA", "fr", 0.06, 1.0),
    Market("IN", "APAC", "hi", 0.14, 5.5),
    Market("JP", "APAC", "ja", 0.08, 9.0),
    Market("BR", "LATAM", "pt", 0.18, -3.0),
    Market("MX", "LATAM", "es", 0.12, -6.0),
)
REGIONS: tuple[str, ...] = ("NA", "EMEA", "APAC", "LATAM")

#: Moderators per (queue, market) cell on day 0 scale with the cell's share of the work.
ROSTER_SIZE = 300
#: New hires, as a share of the cell's initial staff, hired on days spread over the period.
NEW_HIRE_SHARE = 0.5
#: Standard deviation of a moderator's persistent error propensity (logit scale).
MODERATOR_SD = 0.35
#: Standard deviation of a moderator's log speed factor.
SPEED_SD = 0.2


@dataclass(frozen=True)
class Roster:
    """The moderators, sorted by cell (queue, market) and, within a cell, by hire day.

    ``cell_start[c]`` is the first moderator of cell ``c = queue * len(MARKETS) + market``;
    ``active[c, d]`` the number of its moderators hired on or before day ``d``.
    """

    hire_day: NDArray[np.int64]  # day index of the hire (negative: before the period)
    propensity: NDArray[np.float64]  # logit shift of the error probability
    speed: NDArray[np.float64]  # multiplier of the handle time
    cell_start: NDArray[np.int64]
    active: NDArray[np.int64]  # shape (cells, days)

    @property
    def size(self) -> int:
        """Number of moderators."""
        return int(self.hire_day.size)


def make_roster(rng: np.random.Generator, days: int) -> Roster:
    """Draw the moderators of every (queue, market) cell.

    Each cell has at least two moderators hired before the period (so that someone works
    every day) plus new hires whose hire days are uniform over the period. Tenure at the
    start of the period is 30 days plus a lognormal with median 330 days.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream.
    days : int
        Length of the period in days.

    Returns
    -------
    Roster
        The moderators and, per cell and day, how many have been hired.

    Examples
    --------
    >>> roster = make_roster(np.random.default_rng(0), days=90)
    >>> bool(roster.active.min() >= 2), roster.active.shape
    (True, (45, 90))
    """
    q_share = np.array([q.share for q in QUEUES])
    m_share = np.array([m.share for m in MARKETS])
    existing = np.maximum(2, np.rint(ROSTER_SIZE * np.outer(q_share, m_share))).astype(np.int64)
    existing = existing.ravel()
    hires = np.rint(NEW_HIRE_SHARE * existing).astype(np.int64)
    per_cell = existing + hires
    cell = np.repeat(np.arange(per_cell.size), per_cell)
    first = np.concatenate([[0], np.cumsum(per_cell)[:-1]])
    rank = np.arange(cell.size) - first[cell]
    is_new = rank >= existing[cell]
    before = -(30 + np.rint(rng.lognormal(np.log(330.0), 0.7, cell.size))).astype(np.int64)
    during = rng.integers(0, max(days, 1), cell.size)
    hire_day = np.where(is_new, during, before)
    order = np.lexsort((hire_day, cell))  # within a cell, earliest hire first
    hire_day = hire_day[order]
    propensity = rng.normal(0.0, MODERATOR_SD, cell.size)
    speed = rng.lognormal(0.0, SPEED_SD, cell.size)
    day_index = np.arange(days)
    hired = hire_day[:, None] <= day_index[None, :]
    active = np.add.reduceat(hired.astype(np.int64), first, axis=0)
    return Roster(hire_day=hire_day, propensity=propensity, speed=speed,
                  cell_start=first.astype(np.int64), active=active)
