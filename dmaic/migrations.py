"""Migrations of project files from older schema versions to the current one.

Each migration takes the parsed document (plain dicts and lists) of version ``n`` and
returns that of version ``n + 1``; :func:`migrate` chains them. A file without
``schema_version`` is read as version 1.

Version 1 (the first draft of the format, early 2026) differed from version 2 in three ways:

* the current stage was called ``stage``; version 2 calls it ``phase``;
* a CTQ said ``lower_is_better: true | false``; version 2 says
  ``direction: "lower" | "higher"`` (and allows it to be missing while drafting);
* there was no ``revision``; version 2 starts migrated files at revision 0.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from dmaic.errors import MigrationError
from dmaic.model.project import SCHEMA_VERSION

__all__ = ["MIGRATIONS", "migrate"]

Document = dict[str, Any]


def v1_to_v2(doc: Document) -> Document:
    """``stage`` -> ``phase``; CTQ ``lower_is_better`` -> ``direction``; add ``revision``."""
    out = copy.deepcopy(doc)
    if "stage" in out:
        out["phase"] = out.pop("stage")
    define = out.get("define")
    ctqs = define.get("ctqs") if isinstance(define, dict) else None
    for ctq in ctqs if isinstance(ctqs, list) else []:
        if isinstance(ctq, dict) and "lower_is_better" in ctq:
            flag = ctq.pop("lower_is_better")
            if flag is not None:
                ctq["direction"] = "lower" if flag else "higher"
    out.setdefault("revision", 0)
    out["schema_version"] = 2
    return out


#: ``MIGRATIONS[n]`` turns a version-n document into a version n+1 document.
MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: v1_to_v2}


def migrate(doc: Document, *, source: str = "document") -> Document:
    """Bring a parsed project document to the current schema version.

    Parameters
    ----------
    doc : dict
        The parsed file.
    source : str
        Name used in error messages (the file path).

    Returns
    -------
    dict
        A new document at :data:`dmaic.model.SCHEMA_VERSION`; ``doc`` is not modified.

    Raises
    ------
    MigrationError
        The version is not an integer, is newer than this dmaic, or has no migration.

    Examples
    --------
    >>> from dmaic.migrations import migrate
    >>> old = {"schema_version": 1, "title": "t", "stage": "measure",
    ...        "define": {"ctqs": [{"id": "e", "name": "Error rate", "lower_is_better": True}]}}
    >>> new = migrate(old)
    >>> new["schema_version"], new["phase"], new["define"]["ctqs"][0]["direction"]
    (2, 'measure', 'lower')
    """
    version = doc.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise MigrationError(f"load: {source} has schema_version {version!r}; expected an "
                             "integer.")
    if version > SCHEMA_VERSION:
        raise MigrationError(f"load: {source} has schema_version {version}, newer than the "
                             f"{SCHEMA_VERSION} this dmaic reads; upgrade dmaic.")
    out = doc
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise MigrationError(f"load: {source} has schema_version {version}, which cannot "
                                 "be migrated.")
        out = step(out)
        version = out["schema_version"]
    return out
