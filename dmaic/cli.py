"""The ``sixsigma`` command: the library's analyses, reports and monitoring from a shell.

Every analysis command reads a CSV or Parquet file (or a glob of them) lazily through
DuckDB (:func:`sixsigma.read`), prints a summary (``--json``: the result's ``to_dict()``
as strict JSON on stdout) and writes an HTML report with ``--html OUT``.

Exit codes: 0 ok; 1 ``monitor`` found the new data out of control; 2 bad input (a
one-line message on stderr: a missing file or column, an invalid project document, any
error sixsigma or dmaic raise on purpose). Any other exception is a bug and propagates.

This module parses and dispatches only: the chart functions come from the registry
``sixsigma.spc.CHARTS``, the pages from :mod:`sixsigma.report`, the storyboard from
:mod:`dmaic.report` and the monitoring from :mod:`dmaic.monitor`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from dmaic.errors import DmaicError
from sixsigma.errors import SixSigmaError

__all__ = ["app", "main"]

app = typer.Typer(name="sixsigma", no_args_is_help=True, add_completion=False,
                  help="Lean Six Sigma analyses, reports and DMAIC projects.")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

File = Annotated[Path, typer.Argument(help="CSV or Parquet file (or a glob).")]
Html = Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]



def _fail(message: str) -> NoReturn:
    err.print(f"sixsigma: error: {' '.join(str(message).split())}", markup=False)
    raise typer.Exit(2)


@contextmanager
def _guard(what: str) -> Iterator[None]:
    """Turn deliberate errors (bad input) into a one-line message and exit code 2.

    Deliberate errors are those of :mod:`sixsigma.errors` and :mod:`dmaic.errors`, an invalid
    project document (pydantic's ValidationError) and a file that cannot be opened.
    """
    try:
        with err.status(what):
            yield
    except (SixSigmaError, DmaicError) as e:
        _fail(str(e))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        _fail(f"invalid project document: {loc}: {first['msg']} ({e.error_count()} error(s))")
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        _fail(f"{e.strerror}: {e.filename}")


def _read(path: Path) -> Any:
    import sixsigma as ss

    return ss.read(str(path))


def _emit(result: Any, as_json: bool, html: Path | None,
          writer: Callable[[Any, Path], Any] | None = None) -> None:
    if html is not None:
        from sixsigma.report import analysis_report

        (writer or (lambda r, p: analysis_report(r, p)))(result, html)
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

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:
        task = bar.add_task("starting", total=len(demo_case.STEPS))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=demo_case.STEPS.index(name))

        with _guard("running the demo"):
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


@app.command()
def chart(
    kind: Annotated[str, typer.Argument(help="The chart (sixsigma.spc.CHARTS): p, np, c, u, "
                                             "laney_p, laney_u, imr, xbar_r, xbar_s, ...")],
    file: File,
    value: Annotated[str | None, typer.Option(help="Measurement column.")] = None,
    defectives: Annotated[str | None, typer.Option(help="Defectives column.")] = None,
    size: Annotated[str | None, typer.Option(help="Subgroup-size column.")] = None,
    count: Annotated[str | None, typer.Option(help="Defect-count column.")] = None,
    subgroup: Annotated[str | None, typer.Option(help="Subgroup column.")] = None,
    label: Annotated[str | None, typer.Option(help="Point-label column (a day).")] = None,
    stage: Annotated[str | None, typer.Option(help="Stage column.")] = None,
    rules: Annotated[str | None, typer.Option(help="nelson, western_electric, anhoj.")] = None,
    html: Html = None, as_json: Json = False,
) -> None:
    """Control chart of a column (p, np, c, u, laney_p, laney_u, imr, xbar_r, ...).

    The chart function comes from the registry ``sixsigma.spc.CHARTS``; the options it
    takes and needs are read from its signature.
    """
    import sixsigma as ss

    func = ss.spc.CHARTS.get(kind)
    if func is None:
        _fail(f"chart: unknown kind {kind!r}; choose one of {_chart_kinds()}.")
    params = inspect.signature(func).parameters
    given = _options(value=value, defectives=defectives, size=size, count=count,
                     subgroup=subgroup, label=label, stage=stage, rules=rules)
    missing = [f"--{n}" for n, p in list(params.items())[1:]
               if p.default is inspect.Parameter.empty and n not in given]
    if missing:
        _fail(f"chart {kind}: {' and '.join(missing)} required.")
    extra = [f"--{n}" for n in given if n not in params]
    if extra:
        _fail(f"chart {kind}: {', '.join(extra)} not an option of this chart.")
    with _guard(f"computing the {kind} chart"):
        result = func(_read(file), **given)
        from sixsigma.report import chart_report

        _emit(result, as_json, html, lambda r, p: chart_report(r, p))


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
    with _guard("computing capability"):
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

    with _guard("computing the Pareto table"):
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

    with _guard("computing agreement"):
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

    with _guard("discovering the process map"):
        pm = ssflow.discover(_read(events), case, activity, timestamp)
        from sixsigma.report import flow_report

        _emit(pm, as_json, html, lambda r, p: flow_report(r, p))


@app.command()
def hotspots(
    events: Annotated[Path, typer.Argument(help="Event log (CSV or Parquet).")],
    audits: Annotated[Path, typer.Argument(help="Audit records (CSV or Parquet).")],
    by: Annotated[str | None, typer.Option(help="Audit column splitting each step.")] = None,
    rank_by: Annotated[str, typer.Option(help="excess, defects, cost, centrality.")] = "excess",
    html: Html = None, as_json: Json = False,
) -> None:
    """Rank process steps and flows by the defects they introduce."""
    import sixsigma.flow as ssflow

    with _guard("ranking hotspots"):
        log = _read(events)
        pm = ssflow.discover(log, "case_id", "activity", "timestamp", variants=False)
        result = ssflow.hotspots(log, _read(audits), by=by or (), rank_by=rank_by,  # type: ignore[arg-type]
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

    with _guard("writing the storyboard"):
        target = out_file or project.with_suffix(".html")
        write_report(dmaic.load(project), target)
    out.print(f"storyboard: {target}", markup=False)


@app.command()
def monitor(
    project: Annotated[Path, typer.Argument(help="Project file with a control plan.")],
    newdata: Annotated[Path, typer.Argument(help="New data (CSV or Parquet).")],
    ctq: Annotated[str | None, typer.Option(help="Check only this CTQ.")] = None,
    as_json: Json = False,
) -> None:
    """Check new data against the project's frozen limits; exit 1 when out of control."""
    import dmaic
    from dmaic.monitor import monitor_project
    from sixsigma.report.render import fmt

    with _guard("checking the new data"):
        result = monitor_project(dmaic.load(project), _read(newdata), ctq=ctq)
    if as_json:
        out.print(json.dumps(result.to_dict(), allow_nan=False), markup=False)
    else:
        for ch in result.checks:
            alerts = ch.alerts
            state = "in control" if ch.in_control else f"OUT OF CONTROL ({len(alerts)} point(s))"
            out.print(f"{ch.ctq}: {ch.chart.chart} chart, {len(ch.chart)} points: {state}",
                      markup=False)
            for a in alerts:
                out.print(f"  alert {fmt(a.label)}: {a.value:.4g} ({', '.join(a.rules)})",
                          markup=False)
    if not result.in_control:
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the console script (``sixsigma``)."""
    import matplotlib

    matplotlib.use("Agg")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
