"""The page model of every report and its rendering with Jinja2 (autoescaped).

A report is a :class:`Page`: a title, lead sentences and a list of :class:`Section` s, each
with paragraphs, key figures (:class:`Fact`), charts (:class:`Chart`, inline SVG) and
tables (:class:`Table`). The one template set (``templates/*.html.j2``, read with
:mod:`importlib.resources`, so they work from a wheel) turn it into one self-contained HTML
file: the stylesheet is inline, the charts are inline SVG, nothing is fetched from
elsewhere, and a print stylesheet gives a clean PDF from the browser's "Save as PDF".

Every string from the data (category names, notes, titles) is escaped by Jinja2's
autoescaping; only the SVG produced by matplotlib (whose text matplotlib escapes) is
marked safe, in :class:`Chart`.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import numpy as np
import pandas as pd
from markupsafe import Markup

_MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?$")

__all__ = ["Chart", "Fact", "Page", "Section", "Table", "fmt", "render", "table", "write"]


@dataclass(frozen=True)
class Chart:
    """A chart: inline SVG (trusted: made by :func:`sixsigma.report.svg.to_svg`), a caption."""

    svg: str
    caption: str = ""

    @property
    def markup(self) -> Markup:
        """The SVG marked safe for the template."""
        return Markup(self.svg)  # noqa: S704 - matplotlib output, its text is escaped


@dataclass(frozen=True)
class Table:
    """A table of display strings; ``numeric`` right-aligns a column."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    numeric: Sequence[bool] = ()
    more: str = ""


@dataclass(frozen=True)
class Fact:
    """A key figure: label, value, and an optional state (``"good"``, ``"bad"``)."""

    label: str
    value: str
    state: str = ""


@dataclass(frozen=True)
class Section:
    """A part of a report (``level`` 2 or 3 gives its heading level)."""

    title: str
    paragraphs: Sequence[str] = ()
    facts: Sequence[Fact] = ()
    charts: Sequence[Chart] = ()
    tables: Sequence[Table] = ()
    notes: Sequence[str] = ()
    level: int = 2
    anchor: str = ""
    badge: Fact | None = None


@dataclass(frozen=True)
class Page:
    """A whole report."""

    title: str
    subtitle: str = ""
    lead: Sequence[str] = ()
    sections: Sequence[Section] = ()
    footer: str = ""
    toc: bool = False
    kind: str = "analysis"
    meta: Mapping[str, str] = field(default_factory=dict)


def fmt(value: Any, spec: str = ".4g") -> str:
    """Format a value for display: numbers with ``spec``, NaN/None as an en dash.

    Examples
    --------
    >>> from sixsigma.report.render import fmt
    >>> fmt(0.012345), fmt(None), fmt(float("nan")), fmt(12, ","), fmt("a"), fmt(True)
    ('0.01235', '–', '–', '12', 'a', 'yes')
    >>> fmt("2026-05-12T00:00:00"), fmt("2026-05-12T08:30:00")
    ('2026-05-12', '2026-05-12T08:30:00')
    """
    if value is None or value is pd.NaT:
        return "\u2013"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return format(int(value), "," if spec in (",", ".4g") else spec)
    if isinstance(value, float | np.floating):
        v = float(value)
        return "\u2013" if math.isnan(v) else format(v, spec)
    if isinstance(value, pd.Timestamp | _dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return "\u2013"
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    text = str(value)
    return text[:10] if _MIDNIGHT.match(text) else text


def fmt_p(value: Any) -> str:
    """A p-value (or q-value) for display: "< 0.001" below 0.001, else three decimals.

    Never ``0`` nor ``4.399e-302``: the exact value stays in the result and its JSON.

    Examples
    --------
    >>> from sixsigma.report.render import fmt_p
    >>> fmt_p(0.0), fmt_p(4.399e-302), fmt_p(0.0175), fmt_p(None), fmt_p(1.0)
    ('< 0.001', '< 0.001', '0.018', '–', '1.000')
    """
    if value is None or isinstance(value, bool | np.bool_):
        return "\u2013" if value is None else fmt(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return fmt(value)
    if math.isnan(v):
        return "\u2013"
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


#: Column and figure names that hold p-values (shown with :func:`fmt_p`).
P_VALUE_NAMES = frozenset({"p", "q", "p_value", "q_value", "pvalue", "qvalue", "p-value",
                           "q-value", "p_adjusted", "adjusted_p", "p_adj", "fisher_p",
                           "chi2_p", "p_value_adjusted"})


def is_p_value(name: Any) -> bool:
    """True for a column or figure name that holds p-values (``p_value``, ``q_value``...)."""
    text = str(name).lower()
    return text in P_VALUE_NAMES or text.endswith(("_p_value", "_q_value", "_pvalue"))


def pct(value: Any, digits: int = 2) -> str:
    """A share as a percentage (``0.0123`` -> ``"1.23 %"``); None/NaN as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    return f"{100.0 * float(value):.{digits}f} %"


def table(frame: pd.DataFrame, *, columns: Sequence[str] | None = None,
          formats: Mapping[str, Callable[[Any], str]] | None = None, caption: str = "",
          max_rows: int = 25, headers: Mapping[str, str] | None = None) -> Table:
    """A :class:`Table` from a DataFrame: the first ``max_rows`` rows, values formatted.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : sequence of str, optional
        Columns shown, in order (default all; missing ones are skipped).
    formats : mapping, optional
        Column -> function giving the display string (default :func:`fmt`).
    caption : str
    max_rows : int
        Rows shown; a note says how many more there are.
    headers : mapping, optional
        Column -> header text.
    """
    cols = [c for c in (columns if columns is not None else list(frame.columns))
            if c in frame.columns]
    shown = frame.head(max_rows)
    formats = formats or {}
    rows = [[formats.get(c, fmt_p if is_p_value(c) else fmt)(v)
             for c, v in zip(cols, record, strict=True)]
            for record in shown[cols].itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
        frame[c]) for c in cols]
    more = f"{len(frame) - max_rows} more rows not shown" if len(frame) > max_rows else ""
    names = [(headers or {}).get(c, c.replace("_", " ")) for c in cols]
    return Table(columns=names, rows=rows, caption=caption, numeric=numeric, more=more)


def _template_source(name: str) -> str:
    path = resources.files("sixsigma.report").joinpath("templates").joinpath(name)
    return path.read_text(encoding="utf-8")


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the reports: autoescape on, undefined names an error."""
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FunctionLoader(_template_source), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        _ENV.filters["pct"] = pct
        _ENV.filters["fmt"] = fmt
        _ENV.globals["words"] = words
    return _ENV


_BREAKABLE = re.compile(r"\S*[-/\u2010-\u2014]\S*")


def words(text: Any) -> markupsafe.Markup:
    """A table cell's text, escaped, with each word holding a hyphen or slash kept whole.

    A browser may break a line after ``-`` or ``/`` even when the stylesheet keeps words
    whole (``2026-05-`` / ``08``); such words are wrapped in ``<span class="w">``
    (``white-space: nowrap``). Other text is escaped as it is.

    Examples
    --------
    >>> from sixsigma.report.render import words
    >>> str(words("wrong-policy <b> 2026-05-08"))
    '<span class="w">wrong-policy</span> &lt;b&gt; <span class="w">2026-05-08</span>'
    """
    value = str(text)
    out, last = [], 0
    for m in _BREAKABLE.finditer(value):
        out.append(str(markupsafe.escape(value[last:m.start()])))
        out.append(f'<span class="w">{markupsafe.escape(m.group(0))}</span>')
        last = m.end()
    out.append(str(markupsafe.escape(value[last:])))
    return markupsafe.Markup("".join(out))


def render(page: Page, template: str = "page.html.j2") -> str:
    """Render a :class:`Page` to a self-contained HTML document.

    Examples
    --------
    >>> from sixsigma.report.render import Page, Section, render
    >>> html = render(Page(title="<b>Errors</b>", sections=[Section(title="A & B")]))
    >>> "&lt;b&gt;Errors&lt;/b&gt;" in html, "A &amp; B" in html, "<b>Errors" in html
    (True, True, False)
    """
    import sixsigma

    return environment().get_template(template).render(
        page=page, version=sixsigma.__version__,
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def write(html: str, path: str | os.PathLike[str]) -> Path:
    """Write a report (UTF-8), creating the parent directory; returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out
