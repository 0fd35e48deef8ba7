"""Griffe extension: Sphinx cross-reference roles in docstrings, shown as code.

The docstrings are numpydoc and use Sphinx roles (``:func:`p_chart```,
``:class:`~sixsigma.spc.ControlChart```). mkdocstrings reads Markdown, where a role would
show as the literal text ``:func:``. This extension rewrites each role to a code span of its
target as Sphinx would display it (``~`` keeps the last component), before the docstrings
are parsed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|mod|data|meth|attr|exc|obj|const|term):`([^`]+)`")


def _show(match: re.Match[str]) -> str:
    target = match.group(1).strip()
    explicit = re.fullmatch(r"(.+?)\s*<([^>]+)>", target)  # :func:`title <target>`
    if explicit:
        return f"`{explicit.group(1)}`"
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def plain_roles(text: str) -> str:
    """Return ``text`` with every Sphinx role replaced by a code span."""
    return ROLE.sub(_show, text)


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring as Markdown code spans."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of each object as it is loaded."""
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)
