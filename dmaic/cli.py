"""The ``sixsigma`` command: the library's analyses, reports and monitoring from a shell.

Every analysis command reads a CSV or Parquet file (or a glob of them) lazily through
DuckDB (:func:`sixsigma.read`), prints a summary (``--json``: the result's ``to_dict()``
as strict JSON on stdout) and writes an HTML report with ``--html OUT``.

Exit codes: 0 ok; 1 ``monitor`` found the new data out of control (with ``--state``: a
new alert), or ``screen`` found an urgent series; 2 bad input (a
one-line message on stderr: a missing file or column, an invalid project document, any
error sixsigma or dmaic raise on purpose). Any other exception is a bug and propagates.

This module parses and dispatches only: the chart functions come from the registry
``sixsigma.spc.CHARTS``, the pages from :mod:`sixsigma.report`, the storyboard from
:mod:`dmaic.report` and the monitoring from :mod:`dmaic.monitor`.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

from dmaic.errors import DmaicError
from sixsigma.errors import SixSigmaError
from sixsigma.spc.rules import ALL_RULES, RULE_SETS

__all__ = ["app", "main"]


class _OneLineErrors(TyperGroup):
    """The command group: a usage error is one line on stderr and exit code 2.

    typer (click) would print a six-line box; here every failure, usage errors included,
    reads ``sixsigma: error: <command>: <message>``.
    """

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        except NoArgsIsHelpError as e:
            print(e.format_message())  # noqa: T201 - the help asked for by no arguments
            sys.exit(2)
        except ClickException as e:
            ctx, names = getattr(e, "ctx", None), list[str]()
            while ctx is not None and ctx.parent is not None:
                names.insert(0, str(ctx.info_name))
                ctx = ctx.parent
            command = " ".join(["sixsigma", *names])
            message = " ".join(e.format_message().split()).rstrip(".")
            sys.stderr.write(f"sixsigma: error: {' '.join(names) or 'usage'}: {message}; "
                             f"see '{command} --help'.\n")
            sys.exit(2)
        except typer.Abort:
            sys.stderr.write("sixsigma: error: aborted\n")
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(name="sixsigma", no_args_is_help=True, add_completion=False,
                  cls=_OneLineErrors, pretty_exceptions_enable=False,
                  help="Lean Six Sigma analyses, reports and DMAIC projects.")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

File = Annotated[Path, typer.Argument(help="CSV or Parquet file (or a glob).")]
Html = Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]



def _fail(message: str) -> NoReturn:
    err.print(f"sixsigma: error: {' '.join(str(message).split())}", markup=False)
    raise typer.Exit(2)


def _names(paths: Sequence[Path | str]) -> str:
    return ", ".join(f"'{p}'" for p in paths) or "the input"


def _duckdb_reason(error: Exception) -> str:
    """The one line of a DuckDB error that says what is wrong with the file."""
    text = str(error)
    low = text.lower()
    if "utf-8" in low or "unicode" in low:
        return "not UTF-8 text (save it as UTF-8 CSV)"
    if "parquet" in low and ("magic" in low or "too small" in low or "not a parquet" in low):
        return "not a Parquet file"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else type(error).__name__
    for prefix in ("Invalid Input Error: ", "IO Error: ", "Conversion Error: ",
                   "Binder Error: ", "Parser Error: "):
        first = first.removeprefix(prefix)
    return first


@contextmanager
def _guard(what: str, *paths: Path | str) -> Iterator[None]:
    """Turn bad input into a one-line message naming the user's files and exit code 2.

    Bad input is any error of :mod:`sixsigma.errors` and :mod:`dmaic.errors`, an invalid
    project document (pydantic's ValidationError), a file that cannot be opened, read by
    DuckDB or decoded, and a document nested too deeply.
    """
    try:
        import duckdb

        duck_error: type[Exception] = duckdb.Error
    except ImportError:  # pragma: no cover - duckdb is a dependency
        duck_error = SixSigmaError
    try:
        with err.status(what):
            yield
    except (SixSigmaError, DmaicError) as e:
        _fail(str(e))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        _fail(f"invalid project document: {loc}: {first['msg']} ({e.error_count()} error(s))")
    except duck_error as e:
        _fail(f"cannot read {_names(paths)}: {_duckdb_reason(e)}.")
    except UnicodeError as e:
        where = f" (byte {e.start})" if isinstance(e, UnicodeDecodeError) else ""
        _fail(f"cannot read {_names(paths)}: not UTF-8 text{where}.")
    except RecursionError:
        _fail(f"cannot read {_names(paths)}: the document is nested too deeply.")
    except OSError as e:
        _fail(f"{e.strerror or e}: {e.filename or _names(paths)}")


def _read(path: Path) -> Any:
    import sixsigma as ss

    return ss.read(str(path))


def _write(writer: Callable[[Any, Path], Any], result: Any, html: Path) -> None:
    """Write a report; an error names the user's ``--html`` path, not a temporary file."""
    try:
        writer(result, html)
    except OSError as e:
        _fail(f"cannot write the report to '{html}': {e.strerror or e}.")


def _emit(result: Any, as_json: bool, html: Path | None,
          writer: Callable[[Any, Path], Any] | None = None) -> None:
    if html is not None:
        from sixsigma.report import analysis_report

        _write(writer or (lambda r, p: analysis_report(r, p)), result, html)
    if as_json:
        out.print(json.dumps(result.to_dict(), allow_nan=False), markup=False)
    else:
        out.print(result.summary(), markup=False)
        if html is not None:
            out.print(f"report: {html}", markup=False)


def _options(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v is not None}


@app.command()
def demo(out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path(
        "demo-output")) -> None:
    """Run the whole DMAIC demo case and write the storyboard and reports."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dmaic import demo as demo_case

    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"demo: --out '{out_dir}' is a file, not a directory.")
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("starting", total=len(demo_case.STEPS))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=demo_case.STEPS.index(name))

        with _guard("running the demo", out_dir):
            files = demo_case.main(out_dir, progress=step)
        bar.update(task, description="done", completed=len(demo_case.STEPS))
    out.print("Wrote:", markup=False)
    for f in files:
        out.print(f"  {f}", markup=False)
    out.print(f"Open {out_dir / 'storyboard.html'} in a browser: the whole case, charter to "
              "control plan.", markup=False)
    out.print(f"Try: sixsigma monitor {out_dir / 'project.yaml'} "
              f"{out_dir / 'monitor_new_days.csv'}", markup=False)


def _chart_kinds() -> str:
    import sixsigma as ss

    return ", ".join(ss.spc.CHARTS)


_RULES_HELP = ("Run rules: a set (" + ", ".join(RULE_SETS) + ") or rule ids separated by "
               "commas: " + ", ".join(ALL_RULES) + ".")

Schema = Annotated[Path | None, typer.Option(
    "--schema", help="Audit-export schema (YAML, sixsigma.moderation.AuditSchema): the file "
    "is standardized first; raw audit rows then chart the QA error flag 'qa_error' by 'day'.")]


def _rules(rules: str | None) -> str | list[str] | None:
    if rules is None or rules in RULE_SETS:
        return rules
    ids = [r.strip() for r in rules.split(",") if r.strip()]
    unknown = [r for r in ids if r not in ALL_RULES]
    if unknown or not ids:
        _fail(f"--rules: unknown rule {', '.join(map(repr, unknown)) or repr(rules)}; "
              f"{_RULES_HELP[0].lower()}{_RULES_HELP[1:]}")
    return ids


def _audit_rows(data: Any, schema_path: Path) -> Any:
    """The export standardized by its schema; audited rows only, with the flag ``qa_error``.

    ``day`` (the decision time floored to the day) is added when the export has none.

    ``qa_error`` is 1 where QA's verdict differs from the moderator's decision: one row per
    audited item, ready for a p chart of raw records (``--defectives qa_error``).
    """
    import narwhals as nw

    from sixsigma import moderation

    mod: Any = moderation  # AuditSchema and standardize: issue 14 (real exports)
    schema = mod.AuditSchema.from_yaml(schema_path)
    frame = nw.from_native(mod.standardize(data, schema))
    names = frame.collect_schema().names() if hasattr(frame, "collect_schema") else []
    if "day" not in names and "decided_at" in names:
        frame = frame.with_columns(day=nw.col("decided_at").dt.truncate("1d"))
    if "decision" not in names or "qa_decision" not in names:
        return frame.to_native()
    return frame.filter(~nw.col("qa_decision").is_null()).with_columns(
        qa_error=(nw.col("decision") != nw.col("qa_decision")).cast(nw.Int64)).to_native()


def _stage_file(path: Path) -> Any:
    """A change log (CSV: a date column and a stage-name column) as the ``stage=`` table."""
    import pandas as pd

    try:
        log = pd.read_csv(path, encoding="utf-8")
    except (ValueError, pd.errors.ParserError) as e:  # EmptyDataError is a ValueError
        _fail(f"--stage-file '{path}': not a CSV change log ({' '.join(str(e).split())}).")
    if log.shape[1] < 2 or log.empty:
        _fail(f"--stage-file '{path}': a change log needs a date column and a stage-name "
              f"column with one row per change; got columns {list(log.columns)} and "
              f"{len(log)} row(s).")
    dates = pd.to_datetime(log.iloc[:, 0], errors="coerce")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        _fail(f"--stage-file '{path}': column {log.columns[0]!r}, row {row + 1}: "
              f"{log.iloc[row, 0]!r} is not a date.")
    return pd.DataFrame({"date": dates, "event": log.iloc[:, 1].astype(str)})


#: What the y axis of each chart plots, from the columns the command line was given.
def _axis(kind: str, given: dict[str, Any]) -> str:
    value, defectives = given.get("value"), given.get("defectives")
    count, size = given.get("count"), given.get("size")
    if kind in ("p", "laney_p"):
        return f"{defectives} per {size} (proportion)" if size else f"{defectives} rate"
    if kind == "np":
        return f"{defectives} (count)" + (f" of {size}" if size else "")
    if kind == "c":
        return f"{count} (count)"
    if kind in ("u", "laney_u"):
        return f"{count} per {size}" if size else f"{count} per row"
    if kind in ("xbar_r", "xbar_s"):
        return f"mean {value} per {given.get('subgroup')}"
    if kind in ("ewma", "cusum"):
        return f"{kind.upper()} of {value}" if value else kind.upper()
    return str(value or kind)


_CHART_NAMES = {"p": "p", "np": "np", "c": "c", "u": "u", "laney_p": "Laney p\u2032",
                "laney_u": "Laney u\u2032", "imr": "Individuals", "xbar_r": "X\u0304-R",
                "xbar_s": "X\u0304-S", "ewma": "EWMA", "cusum": "CUSUM", "run": "Run",
                "g": "g", "t": "t"}


@app.command()
def chart(
    kind: Annotated[str, typer.Argument(help="The chart (sixsigma.spc.CHARTS): p, np, c, u, "
                                             "laney_p, laney_u, imr, xbar_r, xbar_s, ...")],
    file: File,
    value: Annotated[str | None, typer.Option(help="Measurement column.")] = None,
    defectives: Annotated[str | None, typer.Option(
        help="Defectives column: counts per row with --size, or a 0/1 flag per audited "
             "item (raw rows, grouped by --label) without it.")] = None,
    size: Annotated[str | None, typer.Option(help="Subgroup-size column.")] = None,
    count: Annotated[str | None, typer.Option(help="Defect-count column.")] = None,
    subgroup: Annotated[str | None, typer.Option(help="Subgroup column.")] = None,
    label: Annotated[str | None, typer.Option(help="Point-label column (a day).")] = None,
    stage: Annotated[str | None, typer.Option(help="Stage column.")] = None,
    stage_file: Annotated[Path | None, typer.Option(
        "--stage-file", help="Change log CSV (a date column, a stage-name column): limits "
                             "per stage, a new stage from each date.")] = None,
    schema: Schema = None,
    title: Annotated[str | None, typer.Option(help="Report and chart title.")] = None,
    rules: Annotated[str | None, typer.Option(help=_RULES_HELP)] = None,
    html: Html = None, as_json: Json = False,
) -> None:
    """Control chart of a column (p, np, c, u, laney_p, laney_u, imr, xbar_r, ...).

    The chart function comes from the registry ``sixsigma.spc.CHARTS``; the options it
    takes and needs are read from its signature. Raw audit rows (one row per audited item):
    ``--defectives FLAG --label day`` without ``--size``, or ``--schema`` for an export.
    """
    import sixsigma as ss

    func = ss.spc.CHARTS.get(kind)
    if func is None:
        _fail(f"chart: unknown kind {kind!r}; choose one of {_chart_kinds()}.")
    if stage is not None and stage_file is not None:
        _fail("chart: give --stage or --stage-file, not both.")
    params = inspect.signature(func).parameters
    if schema is not None:
        if "defectives" in params and defectives is None and count is None:
            defectives = "qa_error"
        if "label" in params and label is None and subgroup is None:
            label = "day"
    given = _options(value=value, defectives=defectives, size=size, count=count,
                     subgroup=subgroup, label=label, stage=stage, rules=_rules(rules))
    missing = [f"--{n}" for n, p in list(params.items())[1:]
               if p.default is inspect.Parameter.empty and n not in given]
    if missing:
        _fail(f"chart {kind}: {' and '.join(missing)} required.")
    extra = [f"--{n}" for n in given if n not in params]
    if extra:
        _fail(f"chart {kind}: {', '.join(extra)} not an option of this chart.")
    paths = [file] + [p for p in (schema, stage_file) if p is not None]
    with _guard(f"computing the {kind} chart", *paths):
        if stage_file is not None:
            if "stage" not in params:
                _fail(f"chart {kind}: --stage-file not an option of this chart.")
            given["stage"] = _stage_file(stage_file)
        data = _read(file)
        if schema is not None:
            data = _audit_rows(data, schema)
        result = func(data, **given)
        from sixsigma.report import chart_report

        axis = _axis(kind, given)
        heading = title or f"{_CHART_NAMES.get(kind, kind)} chart of {axis}"
        _emit(result, as_json, html, lambda r, p: chart_report(
            r, p, title=heading, subtitle=f"{file}", ylabel=axis))


@app.command()
def capability(
    file: File,
    value: Annotated[str, typer.Option(help="Measurement column.")],
    lsl: Annotated[float | None, typer.Option(help="Lower spec limit.")] = None,
    usl: Annotated[float | None, typer.Option(help="Upper spec limit.")] = None,
    target: Annotated[float | None, typer.Option(help="Target.")] = None,
    subgroup: Annotated[str | None, typer.Option(help="Subgroup column.")] = None,
    method: Annotated[str, typer.Option(help="normal or percentile (ISO 22514-2).")] = "normal",
    html: Html = None, as_json: Json = False,
) -> None:
    """Process capability (Cp, Cpk, Pp, Ppk ...) of a column against its specification."""
    import sixsigma as ss

    if method not in ("normal", "percentile"):
        _fail(f"capability: --method must be 'normal' or 'percentile'; got {method!r}.")
    with _guard("computing capability", file):
        data = _read(file)
        result: Any
        if method == "normal":
            result = ss.capability.capability(data, value, lsl=lsl, usl=usl, target=target,
                                              subgroup=subgroup)
        else:
            result = ss.capability.percentile_capability(data, value, lsl=lsl, usl=usl)
        _emit(result, as_json, html)


@app.command()
def pareto(
    file: File,
    category: Annotated[str, typer.Option(help="Category column.")],
    weight: Annotated[str | None, typer.Option(help="Weight column (summed).")] = None,
    by: Annotated[str | None, typer.Option(help="Stratify by this column.")] = None,
    html: Html = None, as_json: Json = False,
) -> None:
    """Pareto table of a category column: largest first, with the vital few."""
    import sixsigma as ss

    with _guard("computing the Pareto table", file):
        _emit(ss.pareto.pareto(_read(file), category, weight=weight, by=by), as_json, html)


@app.command()
def agreement(
    file: File,
    item: Annotated[str, typer.Option(help="Item column.")],
    rater: Annotated[str, typer.Option(help="Rater column.")],
    rating: Annotated[str, typer.Option(help="Rating column.")],
    standard: Annotated[str | None, typer.Option(help="Known-standard column.")] = None,
    trial: Annotated[str | None, typer.Option(help="Trial column.")] = None,
    html: Html = None, as_json: Json = False,
) -> None:
    """Attribute agreement of raters (Minitab's tables, kappas, per-rater coaching)."""
    import sixsigma as ss

    with _guard("computing agreement", file):
        result = ss.msa.attribute_agreement(_read(file), item=item, rater=rater,
                                            rating=rating, standard=standard, trial=trial)
        _emit(result, as_json, html)


@app.command()
def flow(
    events: Annotated[Path, typer.Argument(help="Event log (CSV or Parquet).")],
    case: Annotated[str, typer.Option(help="Case column.")] = "case_id",
    activity: Annotated[str, typer.Option(help="Activity column.")] = "activity",
    timestamp: Annotated[str, typer.Option(help="Timestamp column.")] = "timestamp",
    html: Html = None, as_json: Json = False,
) -> None:
    """Discover the process map (directly-follows graph) of an event log."""
    import sixsigma.flow as ssflow

    with _guard("discovering the process map", events):
        pm = ssflow.discover(_read(events), case, activity, timestamp)
        from sixsigma.report import flow_report

        _emit(pm, as_json, html, lambda r, p: flow_report(r, p))


@app.command()
def hotspots(
    events: Annotated[Path, typer.Argument(help="Event log (CSV or Parquet).")],
    audits: Annotated[Path, typer.Argument(help="Audit records (CSV or Parquet).")],
    case: Annotated[str, typer.Option(help="Case column of the event log.")] = "case_id",
    activity: Annotated[str, typer.Option(help="Activity column.")] = "activity",
    timestamp: Annotated[str, typer.Option(help="Timestamp column.")] = "timestamp",
    item: Annotated[str, typer.Option(help="Item column of the audits (joins the case).")
                    ] = "item_id",
    error_type: Annotated[str, typer.Option(help="Error-type column of the audits (empty "
                                                 "when correct).")] = "error_type",
    decision_activity: Annotated[str, typer.Option(
        help="The activity at which the audited decision is taken.")] = "decision",
    by: Annotated[str | None, typer.Option(help="Audit column splitting each step.")] = None,
    rank_by: Annotated[str, typer.Option(help="excess, defects, cost, centrality.")] = "excess",
    html: Html = None, as_json: Json = False,
) -> None:
    """Rank process steps and flows by the defects they introduce."""
    import sixsigma.flow as ssflow

    with _guard("ranking hotspots", events, audits):
        log = _read(events)
        pm = ssflow.discover(log, case, activity, timestamp, variants=False)
        result = ssflow.hotspots(log, _read(audits), case=case, activity=activity,
                                 timestamp=timestamp, item=item, error_type=error_type,
                                 decision_activity=decision_activity, by=by or (),
                                 rank_by=rank_by,  # type: ignore[arg-type]
                                 process_map=pm)
        from sixsigma.report import hotspots_report

        _emit(result, as_json, html, lambda r, p: hotspots_report(r, p, process_map=pm))


@app.command()
def report(
    project: Annotated[Path, typer.Argument(help="Project file (YAML or JSON).")],
    out_file: Annotated[Path | None, typer.Option("--out", help="HTML file to write.")] = None,
) -> None:
    """Write the DMAIC storyboard of a project."""
    import dmaic
    from dmaic.report import report as write_report

    target = out_file or project.with_suffix(".html")
    with _guard("writing the storyboard", project):
        loaded = dmaic.load(project)
        _write(lambda p, t: write_report(p, t), loaded, target)
    out.print(f"storyboard: {target}", markup=False)


def _keys(by: str | None, option: str = "--by") -> list[str]:
    keys = [k.strip() for k in (by or "").split(",") if k.strip()]
    if not keys:
        _fail(f"{option}: give one or more column names separated by commas.")
    return keys


def _go_live_file(path: Path) -> Any:
    """A go-live table (CSV: a unit column and a date column) as ``go_live=``."""
    import pandas as pd

    try:
        table = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as e:
        _fail(f"--go-live '{path}': not a CSV of unit,date ({' '.join(str(e).split())}).")
    if table.shape[1] < 2 or table.empty:
        _fail(f"--go-live '{path}': a go-live table needs a unit column and a date column, "
              f"one row per unit; got columns {list(table.columns)} and {len(table)} row(s).")
    dates = pd.to_datetime(table.iloc[:, 1].replace("", None), errors="coerce")
    bad = dates.isna() & table.iloc[:, 1].ne("")
    if bad.any():
        row = int(bad.to_numpy().argmax())
        _fail(f"--go-live '{path}': column {table.columns[1]!r}, row {row + 1}: "
              f"{table.iloc[row, 1]!r} is not a date.")
    return {u: (None if pd.isna(d) else d) for u, d in zip(table.iloc[:, 0], dates,
                                                            strict=True)}


def _with_dates(data: Any, label: str) -> Any:
    """The data as pandas with ``label`` as datetime64 when it holds dates.

    DuckDB reads a CSV date column as ``datetime.date`` objects, which
    :func:`sixsigma.rollout.track` cannot compare with its go-live timestamps.
    """
    import narwhals.stable.v2 as nw
    import pandas as pd

    frame = nw.from_native(data)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    native = frame.to_pandas()
    if label in native.columns and native[label].dtype == object:
        converted = pd.to_datetime(native[label], errors="coerce")
        if converted.notna().sum() == native[label].notna().sum():
            native[label] = converted
    return native


def _number(value: Any) -> float | None:
    """A finite float, or None."""
    import math

    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _plan_rollout(project: Any, data: Any) -> Any:
    """The project's roll-out plan tracked on the new data (``dmaic.rollouts``)."""
    import importlib

    rollouts: Any = importlib.import_module("dmaic.rollouts")
    label = rollouts.rollout_columns(project).get("label")
    return rollouts.rollout_status(project, _with_dates(data, label) if label else data)


def _print_alerts(lines: list[tuple[str, bool]]) -> None:
    for text, known in lines:
        out.print(f"  {'known' if known else 'NEW  '} {text}", markup=False)


@app.command()
def monitor(
    project: Annotated[Path, typer.Argument(help="Project file with a control plan.")],
    newdata: Annotated[Path, typer.Argument(help="New data (CSV or Parquet).")],
    ctq: Annotated[str | None, typer.Option(help="Check only this CTQ.")] = None,
    defectives: Annotated[str | None, typer.Option(
        help="Defectives column of the new data (replaces the recorded one); without "
             "--size, a 0/1 flag per audited item: raw rows grouped by --label.")] = None,
    count: Annotated[str | None, typer.Option(help="Defect-count column (as --defectives).")
                     ] = None,
    value: Annotated[str | None, typer.Option(help="Measurement column.")] = None,
    size: Annotated[str | None, typer.Option(help="Subgroup-size column.")] = None,
    label: Annotated[str | None, typer.Option(help="Point-label column (a day).")] = None,
    by: Annotated[str | None, typer.Option(
        help="Segment keys (comma-separated): check each segment against its own frozen "
             "limits, from a baseline screen stored as evidence.")] = None,
    evidence: Annotated[str | None, typer.Option(
        help="With --by: the id of the baseline screen (when the project has several).")
                        ] = None,
    state: Annotated[Path | None, typer.Option(
        "--state", help="JSON file of the alerts already raised: they are reported as known "
                        "and only a new alert exits 1; the file is updated.")] = None,
    go_live: Annotated[Path | None, typer.Option(
        "--go-live", help="Roll-out: CSV of unit,date (the unit is the one --by key); "
                          "reports the change per unit (sixsigma.rollout.track).")] = None,
    html: Annotated[Path | None, typer.Option(
        "--html", help="With --by: the screen report of the new data; with a roll-out (the "
                       "project's plan or --go-live): the roll-out page.")] = None,
    schema: Schema = None,
    as_json: Json = False,
) -> None:
    """Check new data against the project's frozen limits; exit 1 when out of control.

    The recorded columns are used unless given: raw audit rows (one row per audited item)
    take ``--defectives FLAG --label day`` (no ``--size``) or ``--schema SCHEMA.yaml``.
    ``--by KEYS`` checks each segment against a baseline screen stored as evidence;
    ``--state FILE`` remembers alerts so that a rerun exits 1 only on a new one;
    ``--go-live FILE`` (or the control plan's roll-out plan, ``control.rollout``) adds the
    roll-out verdict per unit.
    """
    import dmaic
    from dmaic.monitor import load_state, monitor_project, monitor_segments, save_state
    from sixsigma.report.render import fmt

    columns: dict[str, str | None] = dict(_options(
        defectives=defectives, count=count, value=value, size=size, label=label))
    if schema is not None:
        columns.setdefault("defectives", "qa_error")
        columns.setdefault("label", "day")
    if ("defectives" in columns or "count" in columns) and size is None:
        columns["size"] = None  # raw rows: one per audited item
    if go_live is not None and by is None:
        _fail("monitor: --go-live needs --by UNIT (the unit column of the new data).")
    if evidence is not None and by is None:
        _fail("monitor: --evidence goes with --by.")
    keys = _keys(by) if by is not None else []
    if go_live is not None and len(keys) != 1:
        _fail(f"monitor: --go-live needs exactly one --by key (the unit); got {by!r}.")
    paths = [project, newdata] + [p for p in (schema, state, go_live) if p is not None]
    known: set[str] = set()
    with _guard("checking the new data", *paths):
        if state is not None:
            known = load_state(state)
        loaded = dmaic.load(project)
        data = _read(newdata)
        if schema is not None:
            data = _audit_rows(data, schema)
        if by is None:
            result: Any = monitor_project(loaded, data, ctq=ctq, columns=columns or None)
            raised = {a.key(ch.ctq) for ch in result.checks for a in ch.alerts}
        else:
            result = monitor_segments(loaded, data, by=keys, columns=columns or None,
                                      evidence=evidence)
            raised = {a.key for a in result.alerts}
        rollout = None
        if go_live is not None:
            import sixsigma as ss

            rolled = _go_live_file(go_live)
            screen_ = result.screen
            params: dict[str, str | None] = {
                k: str(v) for k, v in loaded.evidence[result.evidence].parameters.items()
                if k in ("defectives", "size", "label") and v is not None}
            params.update({k: v for k, v in columns.items()
                           if k in ("defectives", "size", "label")})
            flag = params.get("defectives")
            if flag is None:
                _fail("monitor: --go-live needs the defectives column (--defectives).")
            day = params.get("label") or str(screen_.label)
            rollout = ss.rollout.track(_with_dates(data, day), flag, size=params.get("size"),
                                       label=day,
                                       unit=keys[0], go_live=rolled,
                                       direction=screen_.direction)
        elif getattr(loaded.control, "rollout", None) is not None:
            rollout = _plan_rollout(loaded, data)
    if html is not None and by is None and rollout is None:
        _fail("monitor: --html goes with --by or a roll-out (a plan or --go-live).")
    if html is not None:
        if rollout is not None:
            from sixsigma.report import rollout_report

            _write(lambda r, p: rollout_report(r, p, title="Roll-out"), rollout, html)
        else:
            from sixsigma.report import screen_report

            _write(lambda r, p: screen_report(r, p, title="Monitoring by segment"),
                   result.screen, html)
    new_alerts = raised - known
    if as_json:
        doc = result.to_dict(known) if by is not None else result.to_dict()
        if by is None:
            for c in doc["checks"]:
                for a in c["alerts"]:
                    a["known"] = f"{c['ctq']}|{a['label']}" in known
        doc["new_alerts"] = len(new_alerts)
        if rollout is not None:
            doc["rollout"] = rollout.to_dict()
        out.print(json.dumps(doc, allow_nan=False, default=str), markup=False)
    elif by is None:
        for ch in result.checks:
            alerts = ch.alerts
            status = "in control" if ch.in_control else \
                f"OUT OF CONTROL ({len(alerts)} point(s))"
            out.print(f"{ch.ctq}: {ch.chart.chart} chart, {len(ch.chart)} points: {status}",
                      markup=False)
            _print_alerts([(f"alert {fmt(a.label)}: {a.value:.4g} ({', '.join(a.rules)})",
                            a.key(ch.ctq) in known) for a in alerts])
    else:
        t = result.screen.table
        bad = int((t["signals"].to_numpy() > 0).sum())
        out.print(f"{len(t)} segment(s) by {', '.join(keys)} against baseline "
                  f"{result.evidence!r}: {bad} with alerts; {len(result.alerts)} alert(s), "
                  f"{len(new_alerts)} new", markup=False)
        _print_alerts([(f"{' / '.join(map(str, a.segment))} {fmt(a.label)}: {a.value:.4g} "
                        f"({', '.join(a.rules)})", a.key in known) for a in result.alerts])
        if result.unknown:
            out.print(f"  not judged (no baseline limits): "
                      f"{', '.join(' / '.join(map(str, s)) for s in result.unknown)}",
                      markup=False)
    if rollout is not None and not as_json:
        out.print(f"roll-out per {rollout.unit}:", markup=False)
        for rec in rollout.table.to_dict("records"):
            d, lo, hi = (_number(rec.get(k)) for k in ("change", "ci_low", "ci_high"))
            change = "" if d is None else f" change {d:+.4f} [{fmt(lo, '+.4f')}, " \
                f"{fmt(hi, '+.4f')}]"
            out.print(f"  {rec['unit']}: {rec['verdict']}{change}", markup=False)
        est = rollout.pooled.estimate
        out.print(f"  pooled (MH): {'undefined' if est is None else f'{est:+.4f}'}",
                  markup=False)
    if html is not None and not as_json:
        out.print(f"report: {html}", markup=False)
    if state is not None:
        with _guard("saving the monitor state", state):
            save_state(state, known | raised)
    if new_alerts if state is not None else raised:
        raise typer.Exit(1)


@app.command()
def screen(
    file: File,
    by: Annotated[str, typer.Option(help="Series keys, comma-separated (queue,policy,market).")],
    label: Annotated[str, typer.Option(help="Point-label column (a day).")],
    defectives: Annotated[str | None, typer.Option(
        help="Defectives column: counts per row with --size, or a 0/1 flag per audited item "
             "(raw rows) without it.")] = None,
    size: Annotated[str | None, typer.Option(help="Subgroup-size column.")] = None,
    value: Annotated[str | None, typer.Option(help="Measurement column (I-MR per series).")
                     ] = None,
    target: Annotated[float | None, typer.Option(help="Target rate or value: assurance "
                                                      "per series and the goal plot.")] = None,
    direction: Annotated[str, typer.Option(help="lower or higher: which way is better.")
                         ] = "lower",
    chart_kind: Annotated[str, typer.Option("--chart", help="auto, p or laney_p.")] = "auto",
    rules: Annotated[str | None, typer.Option(help=_RULES_HELP)] = None,
    fdr: Annotated[float, typer.Option(help="False-discovery rate across series.")] = 0.05,
    recent: Annotated[int, typer.Option(help="How many of the latest labels are recent.")
                      ] = 7,
    top: Annotated[int, typer.Option(help="Print at most this many urgent rows.")] = 20,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    html: Html = None, as_json: Json = False,
) -> None:
    """Screen every series at once; print the urgent ones; exit 1 when any is urgent.

    A series is urgent when its shift survives the false-discovery-rate control across
    series (``q_value <= --fdr``) and a rule fires in its last ``--recent`` labels.
    Exit code 1 then (for schedulers), 0 otherwise.
    """
    import sixsigma as ss
    from sixsigma.report.render import fmt, fmt_p

    if (defectives is None) == (value is None):
        _fail("screen: give --defectives (rates) or --value (measurements), one of them.")
    keys = _keys(by)
    with _guard("screening the series", file):
        result = ss.spc.screen(_read(file), by=keys, label=label, **_options(
            defectives=defectives, size=size, value=value, target=target,
            rules=_rules(rules)), direction=direction, chart=chart_kind, fdr=fdr,
            recent=recent)
        if html is not None:
            from sixsigma.report import screen_report

            _write(lambda r, p: screen_report(r, p, title=title), result, html)
    t = result.table
    urgent = t[t["flagged"].to_numpy(dtype=bool) & t["recent_signal"].to_numpy(dtype=bool)]
    if as_json:
        out.print(json.dumps(result.to_dict(), allow_nan=False), markup=False)
    else:
        out.print(result.summary(), markup=False)
        out.print(f"urgent (q <= {fdr:g} and a signal in the last {recent} labels): "
                  f"{len(urgent)}", markup=False)
        for r in urgent.head(top).itertuples(index=False):
            rec = r._asdict()
            name = " / ".join(str(getattr(r, k, rec.get(k))) for k in keys)
            extra = f", assurance {rec['assurance']}" if "assurance" in rec else ""
            out.print(f"  {name}: {rec['chart']}, centre {fmt(rec['center'], '.4g')}, recent "
                      f"{fmt(rec['recent_rate'], '.4g') if 'recent_rate' in rec else '-'}, "
                      f"last signal {fmt(rec['last_signal'])} ({rec['last_rule']}), "
                      f"q {fmt_p(rec['q_value'])}{extra}", markup=False)
        if len(urgent) > top:
            out.print(f"  ... {len(urgent) - top} more (--top, --html)", markup=False)
        if html is not None:
            out.print(f"report: {html}", markup=False)
    if len(urgent):
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the console script (``sixsigma``)."""
    import matplotlib

    matplotlib.use("Agg")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
