"""Every command on bad files, as separate processes: exit code 2 and one line on stderr.

Issue 14, item 5: a binary file, a non-UTF-8 file, a fake Parquet file, a directory and a
missing path give ``sixsigma: error: ...`` on one line, naming the user's own path, and exit
code 2 (never a DuckDB, decoding or recursion traceback). Usage errors too.

Each case runs in its own process: one driver process imports the command once and forks a
child per case (the machine is shared; a fresh interpreter per case would take minutes),
and one case runs through ``python -m dmaic.cli`` as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("typer")
pytest.importorskip("rich")

ROOT = Path(__file__).resolve().parents[2]

DRIVER = textwrap.dedent("""
    import json, os, sys
    import matplotlib
    matplotlib.use("Agg")
    import duckdb, pandas, sixsigma, sixsigma.flow, dmaic
    from dmaic.cli import main
    cases = json.loads(sys.argv[1])
    results = []
    for k, argv in enumerate(cases):
        err = os.path.join(sys.argv[2], f"case{k}.err")
        pid = os.fork()
        if pid == 0:
            fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 2)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            sys.argv = ["sixsigma", *argv]
            code = 0
            try:
                main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 99
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        with open(err, encoding="utf-8", errors="replace") as f:
            results.append({"argv": argv, "code": os.waitstatus_to_exitcode(status),
                            "stderr": f.read()})
    print(json.dumps(results))
""")


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    rng = np.random.default_rng(0)
    for name in ("binary.csv", "binary.yaml"):
        (d / name).write_bytes(rng.bytes(4000))
    for name in ("latin1.csv", "latin1.yaml"):
        (d / name).write_bytes("day,errors,audited\n1,3,\xe9t\xe9\n".encode("latin-1"))
    (d / "fake.parquet").write_bytes(b"PAR1 not really parquet")
    (d / "folder").mkdir()
    (d / "folder" / "notes.txt").write_text("x", encoding="utf-8")
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    (d / "deep.yaml").write_text(deep, encoding="utf-8")
    pd.DataFrame({"day": range(1, 21), "errors": [3] * 20, "audited": [100] * 20}).to_csv(
        d / "daily.csv", index=False)
    return d


def _commands(path: str, project: str) -> list[list[str]]:
    """Every command with ``path`` where it reads data and ``project`` as its project."""
    return [
        ["chart", "p", path, "--defectives", "errors", "--size", "audited"],
        ["chart", "imr", path, "--value", "errors", "--html", "out.html"],
        ["capability", path, "--value", "x", "--usl", "1"],
        ["pareto", path, "--category", "c"],
        ["agreement", path, "--item", "i", "--rater", "r", "--rating", "g"],
        ["flow", path],
        ["hotspots", path, path],
        ["report", project],
        ["monitor", project, path],
    ]


def _run(cases: list[list[str]], tmp: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(cases), str(tmp)],
                          cwd=tmp, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _one_line(result: dict, *names: str) -> None:
    lines = result["stderr"].splitlines()
    assert result["code"] == 2, result
    assert len(lines) == 1, result
    assert lines[0].startswith("sixsigma: error: "), result
    assert "Traceback" not in lines[0] and ".tmp" not in lines[0], result
    for name in names:
        assert name in lines[0], (name, result)


def test_every_command_on_bad_files_exits_2_with_one_line(bad, tmp_path):
    kinds = {"binary": ("binary.csv", "binary.yaml"), "non-UTF-8": ("latin1.csv", "latin1.yaml"),
             "fake Parquet": ("fake.parquet", "deep.yaml"),
             "directory": ("folder", "folder"), "missing": ("missing.csv", "missing.yaml")}
    cases, named = [], []
    for data, project in kinds.values():
        for argv in _commands(str(bad / data), str(bad / project)):
            cases.append(argv)
            named.append(str(bad / (project if argv[0] in ("report", "monitor") else data)))
    cases += [["demo", "--out", str(bad / "binary.csv")],
              ["demo", "--out", str(bad / "latin1.csv")]]
    named += [str(bad / "binary.csv"), str(bad / "latin1.csv")]
    results = _run(cases, tmp_path)
    assert len(results) == len(cases) == 5 * 9 + 2
    for result, name in zip(results, named, strict=True):
        _one_line(result, name)


def test_usage_errors_and_report_paths_are_one_line(bad, tmp_path):
    daily = str(bad / "daily.csv")
    blocked = bad / "binary.csv" / "report.html"       # its parent is a file
    cases = [["chart", "p"],                                        # missing argument
             ["chart", "p", daily, "--defectives", "errors", "--bogus"],   # unknown option
             ["chartt", daily],                                     # unknown command
             ["capability", daily, "--value", "errors", "--usl", "x"],     # bad number
             ["chart", "p", daily, "--defectives", "errors", "--size", "audited",
              "--rules", "nelson_9"],
             ["chart", "p", daily, "--defectives", "errors", "--size", "audited",
              "--html", str(blocked)],
             ["chart", "p", daily, "--defectives", "errors", "--size", "audited",
              "--stage-file", str(bad / "latin1.csv")],
             ["chart", "p", daily, "--defectives", "errors", "--size", "audited",
              "--stage-file", str(bad / "binary.csv")]]
    results = _run(cases, tmp_path)
    for result in results[:4]:
        _one_line(result, "--help")
    _one_line(results[4], "nelson_9", "nelson_8", "anhoj_crossings")
    _one_line(results[5], str(blocked))
    _one_line(results[6], str(bad / "latin1.csv"))
    _one_line(results[7], str(bad / "binary.csv"))


def test_the_installed_command_prints_one_line(bad):
    proc = subprocess.run([sys.executable, "-m", "dmaic.cli", "pareto", str(bad / "folder"),
                           "--category", "c"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and str(bad / "folder") in proc.stderr
