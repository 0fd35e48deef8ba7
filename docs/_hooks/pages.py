"""MkDocs hook that assembles the documentation site around the guide pages.

Run by ``mkdocs build`` (``hooks:`` in ``mkdocs.yml``); nothing here is committed output.

- **API reference**: one page per public module, generated from the package walk: every
  non-private direct submodule of ``sixsigma`` and ``dmaic``, and every module a public
  module names in its ``__all__`` (so a module added on another branch gets its page as
  soon as it exists). Each page renders the module's ``__all__`` with mkdocstrings.
- **Changelog and datasheets**: ``CHANGELOG.md``, ``datasets/README.md`` and the bundled
  datasets' ``README.md`` files become pages; their links into the repository are
  rewritten to the site's pages (or left as plain text where the target is not a page).
- **Figures**: every image a guide page shows is made during the build, by the page's own
  examples (a page whose image is not in ``docs/`` has its python blocks run once, in a
  temporary directory) or by a generator in ``figures.py``.
- **Navigation**: the guide in reading order, then the reference pages.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pkgutil
import posixpath
import re
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import figures  # noqa: E402

PACKAGES = ("sixsigma", "dmaic")
# Reading order of the guide; pages not listed here follow in alphabetical order.
GUIDE_ORDER = (
    "spc", "capability", "pareto", "msa", "qa-measurement", "moderation", "sampling",
    "rootcause", "hypothesis", "flow", "targets", "rollout", "dmaic", "reports", "cli",
)
REFERENCE_PAGES = ("architecture",)

LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)", re.M)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s#]+)\)")
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


# ----------------------------------------------------------------------------- modules
def public_modules() -> list[str]:
    """Return the public modules of both packages, in a stable order."""
    found: list[str] = []

    def add(name: str) -> None:
        if name in found or any(p.startswith("_") for p in name.split(".")):
            return
        try:
            module = importlib.import_module(name)
        except ImportError:
            return
        found.append(name)
        for member in getattr(module, "__all__", ()):
            value = getattr(module, member, None)
            if isinstance(value, types.ModuleType) and value.__name__.startswith(name + "."):
                add(value.__name__)

    for package in PACKAGES:
        add(package)
        root = importlib.import_module(package)
        for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
            add(f"{package}.{info.name}")
    return found


def _is_module_file(module: str, name: str) -> bool:
    """Tell whether ``module`` is a package with a submodule called ``name``."""
    path = getattr(importlib.import_module(module), "__path__", None)
    return bool(path) and any(info.name == name for info in pkgutil.iter_modules(path))


def api_path(module: str) -> str:
    """Return the site path of a module's API page."""
    return f"api/{module}.md"


def api_page(module: str, modules: list[str]) -> str:
    """Return the markdown of a module's API page."""
    mod = importlib.import_module(module)
    names = list(getattr(mod, "__all__", ()))
    submodules = [n for n in names if isinstance(getattr(mod, n, None), types.ModuleType)
                  and f"{module}.{n}" in modules]
    members = [n for n in names if n not in submodules and not n.startswith("__")]
    # A function that has the name of a submodule of its package (dmaic.report.storyboard):
    # griffe resolves the name to the submodule, so render the function by its own path.
    shadowed = [n for n in members if _is_module_file(module, n)]
    members = [n for n in members if n not in shadowed]
    lines = [f"# `{module}`", ""]
    lines += [f"::: {module}", "    options:", "      show_root_heading: false",
              "      show_root_toc_entry: false"]
    if members:
        lines.append("      members:")
        lines += [f"        - {n}" for n in members]
    else:
        lines.append("      members: false")
    lines.append("")
    for n in shadowed:
        value = getattr(mod, n)
        lines += [f"::: {value.__module__}.{value.__qualname__}", "    options:",
                  "      show_root_heading: true", "      show_root_full_path: false", ""]
    dunder = [n for n in names if n.startswith("__") and n not in submodules]
    if dunder:
        lines += ["", "Also exported: " + ", ".join(f"`{n}`" for n in dunder) + ".", ""]
    if submodules:
        lines += ["", "## Submodules", ""]
        here = posixpath.dirname(api_path(module))
        for n in submodules:
            target = posixpath.relpath(api_path(f"{module}.{n}"), here)
            lines.append(f"- [`{n}`]({target}): `{module}.{n}`")
        lines.append("")
    return "\n".join(lines)


def api_index(modules: list[str]) -> str:
    """Return the markdown of the API reference's entry page."""
    lines = ["# API reference", "",
             "One page per public module, generated from the docstrings at build time. "
             "Each page shows the names the module exports (its `__all__`), with their "
             "signatures and the published convention each follows.", ""]
    for package in PACKAGES:
        lines += [f"## `{package}`", ""]
        for m in modules:
            if m == package or m.startswith(package + "."):
                doc = (importlib.import_module(m).__doc__ or "").strip().splitlines()
                first = doc[0].rstrip(".") if doc else ""
                target = posixpath.relpath(api_path(m), "api")
                lines.append(f"- [`{m}`]({target})" + (f": {first}" if first else ""))
        lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- links
def rewrite_links(text: str, source: str, dest: str, pages: dict[str, str]) -> str:
    """Point the relative links of ``source`` (a repository path) at the site's pages.

    ``pages`` maps repository paths to site paths; a link into ``docs/`` keeps its target
    (mkdocs validates it). A link to a repository file that is not a page keeps its text and
    loses its target; a link to nothing is kept, so the strict build fails on it. Fenced code
    is left alone.
    """
    src_dir = posixpath.dirname(source)
    dest_dir = posixpath.dirname(dest)

    def fix(match: re.Match[str]) -> str:
        bang, label, target = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        repo_path = posixpath.normpath(posixpath.join(src_dir, path))
        site = pages.get(repo_path)
        if site is None and repo_path.startswith("docs/"):
            site = repo_path[len("docs/"):]  # a page or file of the site: mkdocs checks it
        if site is None:
            if not (ROOT / repo_path).exists():
                return match.group(0)  # broken in the repository too: let the build say so
            return label if not bang else match.group(0)  # a repository file, not a page
        new = posixpath.relpath(site, dest_dir or ".") + (f"#{anchor}" if anchor else "")
        return f"{bang}[{label}]({new})"

    parts = FENCE.split(text)
    # FENCE.split keeps the delimiters: [text, fence, code, fence, text, ...]
    out, inside, k = [], False, 0
    while k < len(parts):
        piece = parts[k]
        if piece in ("```", "~~~"):
            out.append(piece)
            inside = not inside
        else:
            out.append(piece if inside else LINK.sub(fix, piece))
        k += 1
    return "".join(out)


def datasheets() -> dict[str, str]:
    """Map the datasheets' repository paths to their site paths."""
    sheets = {"datasets/README.md": "datasets/index.md",
              "sixsigma/datasets/README.md": "datasets/bundled.md"}
    for readme in sorted((ROOT / "sixsigma" / "datasets").glob("*/README.md")):
        sheets[readme.relative_to(ROOT).as_posix()] = f"datasets/{readme.parent.name}.md"
    return sheets


# ----------------------------------------------------------------------------- figures
def guide_pages() -> list[str]:
    """Return the guide pages (``docs/*.md``) in reading order, the entry page first."""
    names = sorted(p.stem for p in DOCS.glob("*.md"))
    ordered = [n for n in ("index", *GUIDE_ORDER) if n in names]
    ordered += [n for n in names if n not in ordered and n not in REFERENCE_PAGES]
    return ordered


def make_figures(out: Path) -> dict[str, Path]:
    """Make every image the guide pages show; return site path -> file made."""
    made: dict[str, Path] = {}
    for page in guide_pages():
        text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
        wanted = [src for src in IMAGE.findall(text) if "://" not in src]
        run_page = False
        for src in wanted:
            if src in figures.GENERATORS:
                target = out / src
                target.parent.mkdir(parents=True, exist_ok=True)
                figures.GENERATORS[src](target)
                made[src] = target
            elif not (DOCS / src).exists():
                run_page = True
        if run_page:
            made.update(_run_examples(page, text, wanted, out))
    return made


def _run_examples(page: str, text: str, wanted: list[str], out: Path) -> dict[str, Path]:
    """Run a page's python blocks once in a fresh directory; collect the images it shows."""
    workdir = out / f"_run_{page}"
    workdir.mkdir(parents=True)
    namespace: dict[str, Any] = {}
    previous = os.getcwd()
    os.chdir(workdir)
    try:
        import matplotlib

        matplotlib.use("Agg")
        with contextlib.redirect_stdout(io.StringIO()):
            for k, code in enumerate(BLOCK.findall(text)):
                exec(compile(code, f"{page}.md[block {k}]", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(previous)
        import matplotlib.pyplot as plt

        plt.close("all")
    made = {}
    for src in wanted:
        produced = workdir / src
        if not produced.exists():
            raise RuntimeError(f"docs/{page}.md shows {src!r} but its examples do not make it")
        made[src] = produced
    return made


# ----------------------------------------------------------------------------- events
_STATE: dict[str, Any] = {}


def on_config(config: Any) -> Any:
    """Compute the module list and the navigation."""
    modules = public_modules()
    _STATE["modules"] = modules
    _STATE["sheets"] = datasheets()
    guide = [{_title(DOCS / f"{p}.md"): f"{p}.md"} for p in guide_pages() if p != "index"]
    api: list[Any] = [{"Overview": "api/index.md"}]
    for package in PACKAGES:
        api.append({package: [{m: api_path(m)} for m in modules
                              if m == package or m.startswith(package + ".")]})
    sheets = [{"Overview" if site == "datasets/index.md" else _title(ROOT / repo): site}
              for repo, site in _STATE["sheets"].items()]
    config["nav"] = [
        {"Home": "index.md"},
        {"Guide": guide},
        {"Architecture": "architecture.md"},
        {"API reference": api},
        {"Datasets": sheets},
        {"Changelog": "changelog.md"},
    ]
    return config


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().replace("`", "")
    return path.stem


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and figures to the site."""
    modules: list[str] = _STATE["modules"]
    sheets: dict[str, str] = _STATE["sheets"]
    pages = {f"docs/{p}.md": f"{p}.md" for p in guide_pages()}
    pages |= {"docs/architecture.md": "architecture.md", "CHANGELOG.md": "changelog.md"}
    pages |= sheets
    _STATE["pages"] = pages

    def add(path: str, content: str | bytes) -> None:
        old = files.get_file_from_path(path)
        if old is not None:
            files.remove(old)
        files.append(File.generated(config, path, content=content))

    add("api/index.md", api_index(modules))
    for m in modules:
        add(api_path(m), api_page(m, modules))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    add("changelog.md", rewrite_links(changelog, "CHANGELOG.md", "changelog.md", pages))
    for repo, site in sheets.items():
        text = (ROOT / repo).read_text(encoding="utf-8")
        add(site, rewrite_links(text, repo, site, pages))

    tmp = tempfile.TemporaryDirectory(prefix="sixsigma-docs-")
    _STATE["tmp"] = tmp  # removed when the build ends
    for site, made in make_figures(Path(tmp.name)).items():
        add(site, made.read_bytes())
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point the guide pages' links into the repository at the site's pages."""
    src = page.file.src_uri
    if page.file.generated_by is None and "/" not in src:
        return rewrite_links(markdown, f"docs/{src}", src, _STATE["pages"])
    return markdown


def on_post_build(config: Any) -> None:
    """Remove the temporary figure directory."""
    tmp = _STATE.pop("tmp", None)
    if tmp is not None:
        tmp.cleanup()
