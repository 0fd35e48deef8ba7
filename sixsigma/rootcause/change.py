"""What changed: the change of a defect rate split into mix and rate effects per segment.

The overall rate of a period is the volume-weighted mean of the segment rates,
``R = sum_i w_i r_i`` (``w_i`` the segment's share of the volume). Between two periods,

``R1 - R0 = sum_i (w1_i - w0_i)(r0_i + r1_i)/2  +  sum_i (r1_i - r0_i)(w0_i + w1_i)/2``

exactly: the first sum is the **mix effect** (volume moved between segments of different
rates), the second the **rate effect** (segments got better or worse). This is the
symmetric two-factor decomposition of Kitagawa (1955) and Das Gupta (1993, ch. 2): each
factor's effect is evaluated at the average of the other factor over the two periods, so
no period is privileged and no interaction term is left over.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from sixsigma._aggregate import check_group_keys
from sixsigma._frames import as_table, show
from sixsigma._result import Result, jsonable
from sixsigma.errors import InsufficientDataError, ParameterError
from sixsigma.rootcause.counts import check_dimensions, count_cells
from sixsigma.rootcause.evidence import evidence_record

__all__ = ["ChangeDecomposition", "explain_change"]

_SIDE = "__ss_side"


@dataclass(frozen=True, eq=False, repr=False)
class ChangeDecomposition(Result, kind="explain_change"):
    """The result of :func:`explain_change`.

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per (dimension, segment): ``dimension`` (a dimension name, or the
        dimensions joined by ``" x "`` for the cross-classification), ``segment``,
        ``filter``, ``n_before``, ``n_after``, ``defects_before``, ``defects_after``,
        ``share_before``, ``share_after`` (volume shares w0, w1), ``rate_before``,
        ``rate_after``, ``mix_effect``, ``rate_effect``, ``total_effect`` (their sum), and
        ``present`` (``"both"``, ``"before only"``, ``"after only"``). Within each
        dimension the rows are sorted by ``|total_effect|``, largest first; the effects of
        each dimension add up to :attr:`total_change`.
    by_dimension : pandas.DataFrame
        Per dimension: ``mix_effect``, ``rate_effect`` (sums over its segments) and
        ``total`` (= total_change up to floating-point rounding).
    rate_before, rate_after : float
        The overall defect rates of the two periods.
    total_change : float
        ``rate_after - rate_before``.
    """

    segments: pd.DataFrame
    by_dimension: pd.DataFrame
    cells: pd.DataFrame
    defectives: str
    period: str
    dimensions: tuple[str, ...]
    before: tuple[Any, ...]
    after: tuple[Any, ...]
    n_before: float
    n_after: float
    rate_before: float
    rate_after: float
    total_change: float
    method: str = "Kitagawa (1955) / Das Gupta (1993) symmetric two-factor decomposition"

    def __post_init__(self) -> None:
        for name in ("segments", "by_dimension", "cells"):
            object.__setattr__(self, name, getattr(self, name).copy())
        for name in ("dimensions", "before", "after"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        super().__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """The per-segment decomposition (a copy)."""
        return self.segments.copy()

    def summary(self) -> str:
        """A short text summary (rounded for display only)."""
        lines = [
            f"{self.defectives} rate {self.rate_before:.4%} -> {self.rate_after:.4%} "
            f"({self.total_change * 100:+.3f} points)",
        ]
        for name, mix, rate in zip(self.by_dimension["dimension"],
                                   self.by_dimension["mix_effect"],
                                   self.by_dimension["rate_effect"], strict=True):
            top = self.segments[self.segments["dimension"] == name].iloc[0]
            lines.append(
                f"  by {name}: mix {float(mix) * 100:+.3f}, rate {float(rate) * 100:+.3f} "
                f"points; largest: {top['segment']} ({float(top['total_effect']) * 100:+.3f})"
            )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_evidence(self) -> dict[str, Any]:
        """An evidence record (see :mod:`sixsigma.rootcause.evidence`)."""
        parts = []
        for row in self.by_dimension.itertuples():
            top = self.segments[self.segments["dimension"] == row.dimension].iloc[0]
            parts.append(f"by {row.dimension}, {top['segment']} contributes "
                         f"{top['total_effect'] * 100:+.2f} points")
        description = (
            f"Change of the {self.defectives} rate between {self.period} "
            f"{_show_values(self.before)} and {_show_values(self.after)}: "
            f"{self.total_change * 100:+.2f} points; " + "; ".join(parts) + "."
        )
        figures = {
            "rate_before": self.rate_before, "rate_after": self.rate_after,
            "total_change": self.total_change,
            "by_dimension": jsonable(self.by_dimension.to_dict(orient="records")),
            "top_segments": jsonable(
                self.segments.groupby("dimension", sort=False).head(3)
                .drop(columns=["filter"]).to_dict(orient="records")),
        }
        parameters = {"defectives": self.defectives, "period": self.period,
                      "dimensions": list(self.dimensions), "before": list(self.before),
                      "after": list(self.after), "method": self.method}
        return evidence_record(self.kind, description, self.cells, figures, parameters)


def _show_values(values: tuple[Any, ...]) -> str:
    shown = [str(pd.Timestamp(v).date()) if isinstance(v, pd.Timestamp | np.datetime64)
             else str(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{shown[0]}..{shown[-1]} ({len(shown)} values)"


def _as_values(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset
                                                         | np.ndarray | pd.Index):
        return (value,)
    return tuple(value)


def decompose(n0: Any, d0: Any, n1: Any, d1: Any) -> pd.DataFrame:
    """Mix and rate effects of segments with counts (n0, d0) before and (n1, d1) after.

    A segment present in one period only (n = 0 in the other) has no rate there; its rate
    in the missing period is taken equal to its rate in the other, so its whole
    contribution (+w1 r1 for a new segment, -w0 r0 for a vanished one) is a mix effect.

    Examples
    --------
    >>> t = decompose([50, 50], [5, 10], [80, 20], [8, 6])
    >>> float(round(t["mix_effect"].sum() + t["rate_effect"].sum(), 12))
    -0.01
    """
    n0, d0, n1, d1 = (np.asarray(a, dtype=np.float64) for a in (n0, d0, n1, d1))
    w0 = n0 / n0.sum()
    w1 = n1 / n1.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        r0 = d0 / n0
        r1 = d1 / n1
    only_before = n1 == 0
    only_after = n0 == 0
    r0f = np.where(only_after, r1, r0)
    r1f = np.where(only_before, r0, r1)
    mix = (w1 - w0) * (r0f + r1f) / 2.0
    rate = (r1f - r0f) * (w0 + w1) / 2.0
    present = np.where(only_before, "before only", np.where(only_after, "after only", "both"))
    return pd.DataFrame({
        "n_before": n0, "n_after": n1, "defects_before": d0, "defects_after": d1,
        "share_before": w0, "share_after": w1,
        "rate_before": np.where(only_after, np.nan, r0),
        "rate_after": np.where(only_before, np.nan, r1),
        "mix_effect": mix, "rate_effect": rate, "total_effect": mix + rate,
        "present": present,
    })


def explain_change(
    data: Any,
    defectives: str,
    period: str,
    dimensions: list[str] | tuple[str, ...],
    *,
    before: Any,
    after: Any,
    size: str | None = None,
    joint: bool = True,
) -> ChangeDecomposition:
    """Split the change of the defect rate between two periods into mix and rate effects.

    Parameters
    ----------
    data : dataframe
        Raw records (one row per unit, ``defectives`` 0/1 or boolean) or counts
        (``size=``);
        any frame narwhals reads. One group-by over ``period`` and all the dimensions runs
        where the data live.
    defectives : str
        The defective column (see :func:`segment_scan`).
    period : str
        The column that says which period a row belongs to (a week, a day, a label).
    dimensions : list of str
        The segmentations to decompose over; each gets its own exact decomposition.
    before, after : value or list of values
        The value(s) of ``period`` that form each period.
    size : str, optional
        The units behind each row (pre-aggregated counts).
    joint : bool
        Also decompose over the cross-classification of all the dimensions (with two or
        more dimensions), dimension name ``"a x b x ..."``.

    Returns
    -------
    ChangeDecomposition

    Raises
    ------
    sixsigma.errors.InsufficientDataError
        A period has no rows.
    sixsigma.errors.ParameterError
        ``before`` and ``after`` share a value.

    Notes
    -----
    Kitagawa-Das Gupta decomposition: with volume shares w and rates r,
    mix_i = (w1_i - w0_i)(r0_i + r1_i)/2 and rate_i = (r1_i - r0_i)(w0_i + w1_i)/2; for
    every dimension, sum_i (mix_i + rate_i) = R1 - R0 exactly (up to floating-point
    rounding). Segments present in one period only contribute a pure mix effect
    (see :func:`decompose`).

    References
    ----------
    Kitagawa, E.M. (1955). Components of a difference between two rates. *JASA* 50,
    1168-1194. Das Gupta, P. (1993). *Standardization and Decomposition of Rates: A User's
    Manual*. U.S. Bureau of the Census, P23-186.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"week": [1, 1, 2, 2], "queue": ["a", "b", "a", "b"],
    ...                      "errors": [5, 10, 8, 6], "audited": [50, 50, 80, 20]})
    >>> ch = ss.rootcause.explain_change(rows, "errors", "week", ["queue"], before=1, after=2,
    ...                                  size="audited")
    >>> round(ch.total_change, 4)
    -0.01
    >>> ch.segments[["segment", "mix_effect", "rate_effect"]].round(4).values.tolist()
    [['queue=b', -0.075, 0.035], ['queue=a', 0.03, 0.0]]
    """
    caller = "explain_change"
    dims = check_dimensions(dimensions, caller)
    if not isinstance(joint, bool | np.bool_):
        raise ParameterError(f"{caller}: the 'joint' parameter must be True or False; got "
                             f"{joint!r}.")
    if period in dims:
        raise ParameterError(f"{caller}: period column {period!r} cannot also be a dimension.")
    b_vals, a_vals = _as_values(before), _as_values(after)
    if not b_vals or not a_vals:
        raise ParameterError(f"{caller}: before and after must each name at least one value "
                             f"of {period!r}.")
    common = set(map(repr, b_vals)) & set(map(repr, a_vals))
    if common:
        raise ParameterError(f"{caller}: before and after share the value(s) "
                             f"{', '.join(sorted(common))}; the periods must not overlap.")
    table = as_table(data, caller=caller)
    table.require(period, defectives, size, *dims)
    check_group_keys(table, [period])  # before the filter: a missing period is refused
    table.frame = table.frame.filter(nw.col(period).is_in([*b_vals, *a_vals]))
    cells = count_cells(table, defectives, (period, *dims), size, min_levels=1)
    frame = cells.frame
    key = frame[period]
    is_before = key.isin(b_vals).to_numpy()
    is_after = key.isin(a_vals).to_numpy()
    for vals, mask, name in ((b_vals, is_before, "before"), (a_vals, is_after, "after")):
        if not mask.any():
            raise InsufficientDataError(
                f"{caller}: the {name} period is empty: column {period!r} has no row with "
                f"{' or '.join(show(v) for v in vals)}."
            )
    frame = frame.assign(**{_SIDE: np.where(is_before, 0, 1)})
    n0_tot = float(frame.loc[is_before, "n"].sum())
    n1_tot = float(frame.loc[is_after, "n"].sum())
    r0 = float(frame.loc[is_before, "defects"].sum()) / n0_tot
    r1 = float(frame.loc[is_after, "defects"].sum()) / n1_tot
    total = r1 - r0
    groupings: list[tuple[str, ...]] = [(d,) for d in dims]
    if joint and len(dims) > 1:
        groupings.append(dims)
    tables = []
    summary = []
    for group in groupings:
        wide = (frame.groupby([*group, _SIDE], dropna=False, sort=True)[["n", "defects"]].sum()
                .unstack(_SIDE, fill_value=0.0))
        n0 = wide[("n", 0)].to_numpy() if ("n", 0) in wide else np.zeros(len(wide))
        n1 = wide[("n", 1)].to_numpy() if ("n", 1) in wide else np.zeros(len(wide))
        d0 = wide[("defects", 0)].to_numpy() if ("defects", 0) in wide else np.zeros(len(wide))
        d1 = wide[("defects", 1)].to_numpy() if ("defects", 1) in wide else np.zeros(len(wide))
        part = decompose(n0, d0, n1, d1)
        idx = wide.index.to_frame(index=False)
        name = " x ".join(group)
        filters = [dict(zip(group, (_plain(v) for v in row), strict=True))
                   for row in idx.itertuples(index=False, name=None)]
        part.insert(0, "filter", filters)
        part.insert(0, "segment", [" & ".join(f"{k}={v}" for k, v in f.items())
                                   for f in filters])
        part.insert(0, "dimension", name)
        part = part.iloc[np.argsort(-part["total_effect"].abs().to_numpy(), kind="stable")]
        tables.append(part)
        summary.append({"dimension": name, "mix_effect": math.fsum(part["mix_effect"]),
                        "rate_effect": math.fsum(part["rate_effect"]),
                        "total": math.fsum([*part["mix_effect"], *part["rate_effect"]])})
    segments = pd.concat(tables, ignore_index=True)
    notes = []
    one_sided = segments[(segments["present"] != "both")
                         & (segments["dimension"].isin(dims))]
    if len(one_sided):
        notes.append(f"{len(one_sided)} segment(s) present in one period only: their whole "
                     "contribution is counted as mix")
    return ChangeDecomposition(
        segments=segments, by_dimension=pd.DataFrame(summary), cells=frame.drop(
            columns=[_SIDE]), defectives=defectives, period=period, dimensions=dims, before=b_vals,
        after=a_vals, n_before=n0_tot, n_after=n1_tot, rate_before=r0, rate_after=r1,
        total_change=total, notes=tuple(notes),
    )


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v

