"""Griffe extension: Sphinx cross-reference roles in docstrings, as links to the API pages.

The docstrings are numpydoc and use Sphinx roles (``:func:`p_chart```,
``:class:`~sixsigma.spc.ControlChart```). mkdocstrings reads Markdown, where a role would
show as the literal text ``:func:``. Once a package is loaded, this extension resolves each
role's target in the scope of the object whose docstring holds it and rewrites the role as
an *optional* cross-reference (``<autoref ... optional>``): a link to the target's API page
where the site renders the target, plain code where it does not (a private helper), and
never a warning. A ``:mod:`` role naming a module with its own API page links that page.
The text shown is Sphinx's (``~`` keeps the last component).
"""

from __future__ import annotations

import functools
import html
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import griffe

HERE = Path(__file__).resolve().parent
ROLE = re.compile(r":(?:py:)?(?:func|class|mod|data|meth|attr|exc|obj|const):`([^`]+)`")


def _parts(target: str) -> tuple[str, str]:
    """Return (text shown, target) of a role's content."""
    target = target.strip()
    explicit = re.fullmatch(r"(.+?)\s*<([^>]+)>", target)  # :func:`title <target>`
    if explicit:
        return explicit.group(1), explicit.group(2).lstrip("~")
    if target.startswith("~"):
        return target[1:].rsplit(".", 1)[-1], target[1:]
    return target, target


def _identifier(obj: griffe.Object, target: str) -> str:
    """Resolve ``target`` as written in ``obj``'s docstring to a full path."""
    target = target.removesuffix("()")
    head, _, rest = target.partition(".")
    if head in ("sixsigma", "dmaic"):
        return target
    try:
        base = obj.resolve(head)
    except (griffe.NameResolutionError, griffe.AliasResolutionError, KeyError):
        return target
    return f"{base}.{rest}" if rest else base


def link_roles(text: str, obj: griffe.Object | None = None) -> str:
    """Return ``text`` with every Sphinx role rewritten as an optional cross-reference."""

    def fix(match: re.Match[str]) -> str:
        shown, target = _parts(match.group(1))
        ident = _identifier(obj, target) if obj is not None else target
        code = f"<code>{html.escape(shown)}</code>"
        if ident in _module_pages():  # a module's API page (pages beside each other in api/)
            return f'<a href="{html.escape(ident)}.html">{code}</a>'
        return f'<autoref identifier="{html.escape(ident)}" optional>{code}</autoref>'

    return ROLE.sub(fix, text)


@functools.cache
def _module_pages() -> frozenset[str]:
    """Return the modules that have an API page (the build hook's list)."""
    spec = importlib.util.spec_from_file_location("_sixsigma_docs_pages", HERE / "pages.py")
    assert spec is not None and spec.loader is not None
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    return frozenset(pages.public_modules())


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring of a package as cross-references."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the docstrings once the whole package is loaded (names resolve)."""
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = link_roles(obj.docstring.value, obj)
