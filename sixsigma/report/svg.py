"""Matplotlib figures as inline SVG: self-contained, text kept as text, ids made unique.

Figures are drawn on :class:`matplotlib.figure.Figure` objects created here (never through
pyplot, so no global figure or backend state is touched) inside an ``rc_context`` that

* writes text as SVG ``<text>`` elements (``svg.fonttype = "none"``): smaller files, text
  that can be selected and searched, and no glyph outlines; matplotlib escapes the text
  (``&lt;`` ...), so a category name from the data cannot inject markup;
* turns mathtext off (``text.parse_math = False``): a label such as ``"$5 and $6"`` from
  the data is drawn literally instead of failing to parse;
* fixes the hash salt of the clip-path ids, so the same figure gives the same SVG.

:func:`to_svg` strips the XML prologue and DOCTYPE and prefixes every ``id`` (and every
reference to it) with a per-figure prefix, so that several figures inlined in one HTML
document never share an id.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["RC", "figure", "to_svg"]

#: The matplotlib settings every report figure is drawn and saved with.
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sixsigma-report",
    "text.parse_math": False,
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "figure.dpi": 72,
}

_COUNTER = itertools.count(1)
_ID = re.compile(r'\bid="([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")
_HREF = re.compile(r'href="#([^"]+)"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


@contextmanager
def figure(width: float = 9.0, height: float = 4.0) -> Iterator[Figure]:
    """A new matplotlib Figure (inches) drawn with the report settings :data:`RC`.

    Examples
    --------
    >>> from sixsigma.report.svg import figure, to_svg
    >>> with figure(4, 3) as fig:
    ...     ax = fig.subplots()
    ...     _ = ax.set_title("a <b> & c")
    ...     svg = to_svg(fig)
    >>> svg.startswith("<svg"), "a &lt;b&gt; &amp; c" in svg
    (True, True)
    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        yield Figure(figsize=(width, height), layout="constrained")


def to_svg(fig: Figure, *, prefix: str | None = None) -> str:
    """Render a figure to an SVG string for inlining in HTML.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (drawn with :func:`figure`, or any figure).
    prefix : str, optional
        Prefix of the element ids; a fresh ``f<n>-`` by default.

    Returns
    -------
    str
        ``<svg ...>...</svg>`` without the XML prologue and metadata, with unique ids.
        The ``width`` and ``height`` attributes are kept (in pt) and a ``viewBox`` lets CSS
        scale it.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = _METADATA.sub("", text[text.index("<svg"):], count=1)
    tag = prefix if prefix is not None else f"f{next(_COUNTER)}-"
    text = _ID.sub(lambda m: f'id="{tag}{m.group(1)}"', text)
    text = _URL.sub(lambda m: f"url(#{tag}{m.group(1)})", text)
    return _HREF.sub(lambda m: f'href="#{tag}{m.group(1)}"', text)
