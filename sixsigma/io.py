"""Reading files where they lie: CSV and Parquet through DuckDB, lazily.

:func:`read` returns a DuckDB relation over one file, a glob or a directory of Parquet files
without loading it. Every analysis accepts it and pushes its aggregation (per-day counts,
per-segment counts, directly-follows pairs) into DuckDB, pulling back only the aggregate.
:func:`configure` sets DuckDB's memory limit and spill directory, so that data larger than
memory spill to disk instead of failing.
"""

from __future__ import annotations

import glob as _glob
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from sixsigma.errors import ColumnError, InputError, ParameterError

__all__ = ["configure", "connection", "read", "reset"]

_STATE: dict[str, Any] = {"con": None, "settings": {}}
_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".csv.gz", ".tsv", ".txt", ".csv.zst")


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as err:  # pragma: no cover - depends on the install
        raise ImportError("sixsigma.read needs DuckDB: pip install 'sixsigma[duckdb]'") from err
    return duckdb


def connection() -> Any:
    """The DuckDB connection that :func:`read` uses (created on first use)."""
    if _STATE["con"] is None:
        con = _duckdb().connect()
        _apply(con, _STATE["settings"])
        _STATE["con"] = con
    return _STATE["con"]


def _run(con: Any, sql: str) -> list[Any]:
    # fetch to the end: DuckDB keeps the connection busy until a result is complete
    return list(con.execute(sql).fetchall())


def _apply(con: Any, settings: dict[str, Any]) -> None:
    if "memory_limit" in settings:
        limit = str(settings["memory_limit"]).replace("'", "''")
        _run(con, f"SET memory_limit = '{limit}'")
    if "threads" in settings:
        _run(con, f"SET threads = {int(settings['threads'])}")
    if "temp_directory" in settings:
        path = str(settings["temp_directory"]).replace("'", "''")
        _run(con, f"SET temp_directory = '{path}'")
    _run(con, "SET preserve_insertion_order = false")


def configure(
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
) -> None:
    """Set DuckDB's resources for :func:`read` and the analyses that run on its relations.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB memory limit such as ``"500MB"`` or ``"4GB"``. Operators that exceed it spill
        to ``temp_directory`` instead of failing.
    threads : int, optional
        Worker threads (DuckDB's default is the number of cores).
    temp_directory : path, optional
        Where to spill; defaults to a directory under the system temporary directory.

    Examples
    --------
    >>> import sixsigma as ss
    >>> ss.io.configure(memory_limit="1GB")
    >>> ss.io.connection().execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    '953.6 MiB'
    """
    settings = dict(_STATE["settings"])
    if memory_limit is not None:
        if not isinstance(memory_limit, str) or not memory_limit.strip():
            raise ParameterError(f"configure: memory_limit must be a size such as '2GB'; got "
                                 f"{memory_limit!r}.")
        settings["memory_limit"] = memory_limit
        settings.setdefault("temp_directory", Path(tempfile.gettempdir()) / "sixsigma-spill")
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int | float) or not (
                math.isfinite(threads) and threads == int(threads) and threads >= 1):
            raise ParameterError(f"configure: threads must be at least 1 (a whole number); "
                                 f"got {threads!r}.")
        threads = int(threads)
        settings["threads"] = threads
    if temp_directory is not None:
        settings["temp_directory"] = Path(temp_directory)
    _STATE["settings"] = settings
    if _STATE["con"] is not None:
        _apply(_STATE["con"], settings)


def reset() -> None:
    """Forget the settings of :func:`configure` and close the connection."""
    if _STATE["con"] is not None:
        _STATE["con"].close()
    _STATE["con"] = None
    _STATE["settings"] = {}


def _files(path: str | os.PathLike[str]) -> tuple[list[str], str]:
    text = os.fspath(path)
    if os.path.isdir(text):
        pattern = os.path.join(text, "**", "*.parquet")
        files = sorted(_glob.glob(pattern, recursive=True))
        if not files:
            raise InputError(f"read: the directory {text!r} holds no .parquet file.")
        return files, "parquet"
    files = sorted(_glob.glob(text, recursive=True)) if _glob.has_magic(text) else (
        [text] if os.path.exists(text) else [])
    if not files:
        what = "no file matches" if _glob.has_magic(text) else "there is no file"
        raise InputError(f"read: {what} {text!r}.")
    kinds = {"parquet" if f.lower().endswith(_PARQUET) else
             "csv" if f.lower().endswith(_CSV) else "?" for f in files}
    if "?" in kinds or len(kinds) > 1:
        odd = next(f for f in files if not f.lower().endswith(_PARQUET + _CSV)) \
            if "?" in kinds else files[-1]
        raise InputError(f"read: cannot tell CSV from Parquet for {odd!r}; give files ending "
                         "in .csv or .parquet, one format per call.")
    return files, kinds.pop()


def _scan(con: Any, files: list[str], kind: str) -> Any:
    if kind == "parquet":
        return con.read_parquet(files)
    return con.read_csv(files)


def _schema(con: Any, file: str, kind: str) -> dict[str, str]:
    rel = _scan(con, [file], kind)
    return dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))


def read(path: str | os.PathLike[str], *, check_schema: bool = True) -> Any:
    """Open CSV or Parquet files as a lazy DuckDB relation.

    Parameters
    ----------
    path : str or path
        One file, a glob (``"audits/*.parquet"``, ``"logs/**/*.csv"``) or a directory (all
        ``.parquet`` files below it). The format follows the file endings.
    check_schema : bool
        With several files, check that every file has the first file's columns and types,
        and name the first file that does not (one metadata read per file).

    Returns
    -------
    duckdb.DuckDBPyRelation
        A lazy relation: nothing is loaded until an analysis aggregates it.

    Raises
    ------
    InputError
        No file matches, or the format cannot be told from the names.
    ColumnError
        A file lacks a column of the first file, or has one more.
    InputError
        A column's type differs between files.

    Examples
    --------
    >>> import os, tempfile
    >>> import sixsigma as ss
    >>> folder = tempfile.mkdtemp()
    >>> ss.datasets.load("daily_audits").audits.to_csv(os.path.join(folder, "a.csv"),
    ...                                                index=False)
    >>> audits = ss.read(os.path.join(folder, "*.csv"))
    >>> chart = ss.spc.p_chart(audits, defectives="errors", size="audited", label="day")
    >>> len(chart)
    120
    """
    if not isinstance(path, str | os.PathLike) or not os.fspath(path):
        raise ParameterError(f"read: the 'path' parameter must be a file, folder or glob "
                             f"pattern (str or path); got {path!r}.")
    files, kind = _files(path)
    con = connection()
    if check_schema and len(files) > 1:
        first = _schema(con, files[0], kind)
        for file in files[1:]:
            other = _schema(con, file, kind)
            missing = [c for c in first if c not in other]
            extra = [c for c in other if c not in first]
            if missing or extra:
                what = (f"lacks column {missing[0]!r}" if missing
                        else f"has the extra column {extra[0]!r}")
                raise ColumnError(f"read: {file!r} {what}, unlike {files[0]!r}; every file "
                                  "must have the same columns.")
            for col, typ in first.items():
                if other[col] != typ:
                    raise InputError(
                        f"read: column {col!r} is {other[col]} in {file!r} but {typ} in "
                        f"{files[0]!r}; every file must have the same types."
                    )
    return _scan(con, files, kind)
