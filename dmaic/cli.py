"""The ``sixsigma`` command: the library's analyses, reports and monitoring from a shell.

Every analysis command reads a CSV or Parquet file (or a glob of them) lazily through
DuckDB (:func:`sixsigma.read`), prints a summary (``--json``: the result's ``to_dict()``
as strict JSON on stdout) and writes an HTML report with ``--html OUT``.

Exit codes: 0 ok; 1 ``monitor`` found the new data out of control; 2 bad input (a
one-line message on stderr: a missing file or column, an invalid project document, any
error sixsigma or dmaic raise on purpose). Any other exception is a bug and propagates.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from sixsigma.errors import SixSigmaError

__all__ = ["app", "main", "monitor_project"]

app = typer.Typer(name="sixsigma", no_args_is_help=True, add_completion=False,
                  help="Lean Six Sigma analyses, reports and DMAIC projects.")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

File = Annotated[Path, typer.Argument(help="CSV or Parquet file (or a glob).")]
Html = Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

CHARTS = {"imr": "imr", "xbar_r": "xbar_r", "xbar_s": "xbar_s", "p": "p_chart",
          "np": "np_chart", "c": "c_chart", "u": "u_chart", "laney_p": "laney_p",
          "laney_u": "laney_u", "ewma": "ewma", "cusum": "cusum", "run": "run_chart"}
_NEEDS = {"imr": ("value",), "xbar_r": ("value", "subgroup"), "xbar_s": ("value", "subgroup"),
          "p": ("defectives",), "np": ("defectives",), "laney_p": ("defectives", "size"),
          "c": ("count",), "u": ("count", "size"), "laney_u": ("count", "size"),
          "ewma": ("value",), "cusum": ("value",), "run": ("value",)}


def _fail(message: str) -> NoReturn:
    err.print(f"sixsigma: error: {' '.join(str(message).split())}", markup=False)
    raise typer.Exit(2)


@contextmanager
def _guard(what: str) -> Iterator[None]:
    """Turn deliberate errors (bad input) into a one-line message and exit code 2."""
    try:
        with err.status(what):
            yield
    except SixSigmaError as e:
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
        from dmaic.report import analysis_report

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


@app.command()
def chart(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(CHARTS)}.")],
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
    """Control chart of a column (p, np, c, u, laney_p, laney_u, imr, xbar_r, ...)."""
    import sixsigma as ss

    if kind not in CHARTS:
        _fail(f"chart: unknown kind {kind!r}; choose one of {', '.join(CHARTS)}.")
    given = {"value": value, "defectives": defectives, "size": size, "count": count,
             "subgroup": subgroup}
    missing = [f"--{n}" for n in _NEEDS[kind] if given[n] is None]
    if missing:
        _fail(f"chart {kind}: {' and '.join(missing)} required.")
    func = getattr(ss.spc, CHARTS[kind])
    opts = _options(**{k: v for k, v in given.items() if k in _NEEDS[kind] or (
        k == "size" and kind in ("p", "np"))}, label=label, stage=stage, rules=rules)
    if kind in ("ewma", "cusum") and label is not None:
        opts.pop("label")
    with _guard(f"computing the {kind} chart"):
        result = func(_read(file), **opts)
        from dmaic.report import chart_report

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
    rater: Annotated[str, typer.Option(help="Rater (appraiser) column.")],
    rating: Annotated[str, typer.Option(help="Rating column.")],
    standard: Annotated[str | None, typer.Option(help="Known-standard column.")] = None,
    trial: Annotated[str | None, typer.Option(help="Trial column.")] = None,
    html: Html = None, as_json: Json = False,
) -> None:
    """Attribute agreement of raters (Minitab's tables, kappas, per-rater coaching)."""
    import sixsigma as ss

    with _guard("computing agreement"):
        result = ss.msa.attribute_agreement(_read(file), item=item, appraiser=rater,
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
        from dmaic.report import flow_report

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
        from dmaic.report import hotspots_report

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


def _frozen_chart(project: Any, item: Any, data: Any) -> Any:
    from dmaic.errors import EvidenceError
    from dmaic.report.rebuild import frozen_template

    ev = project.evidence.get(item.limits.evidence)
    chart = None if ev is None or ev.result is None else (
        ev.result.get("location") if ev.kind == "chart_pair" else ev.result)
    if not isinstance(chart, dict) or not ev.function or not ev.function.startswith("sixsigma."):
        raise EvidenceError(f"monitor: the limits of {item.ctq!r} come from evidence "
                            f"{item.limits.evidence!r}, which is not an attached sixsigma "
                            "control chart with its function recorded.")
    module, _, name = ev.function.rpartition(".")
    func = getattr(importlib.import_module(module), name)
    stage = dict(chart["stages"][-1])
    stage.update(center=item.limits.center)
    if item.limits.sigma is not None:
        stage.update(sigma=item.limits.sigma)
    params = {k: v for k, v in ev.parameters.items()
              if k not in ("stage", "phase1", "exclude", "revise", "limits", "center", "sigma")}
    return func(data, **params, limits=frozen_template(str(chart["chart"]), stage))


def monitor_project(project: Any, data: Any, ctq: str | None = None) -> dict[str, Any]:
    """Check new data against every frozen limit of a project's control plan.

    Each control-plan line with frozen limits names the evidence (a chart) they were frozen
    from; its sixsigma function is run on ``data`` with the recorded parameters (columns,
    rules) and ``limits=`` the frozen stage (centre, sigma and, for Laney charts, sigma_z).

    Returns
    -------
    dict
        ``in_control`` and one entry per line in ``checks``: ``ctq``, ``chart``,
        ``evidence``, ``points``, ``center``, ``in_control``, ``alerts`` (label, value,
        rules of each flagged point).
    """
    from dmaic.errors import EvidenceError
    from sixsigma._result import jsonable

    items = [i for i in project.control.plan if i.limits is not None
             and (ctq is None or i.ctq == ctq)]
    if not items:
        raise EvidenceError("monitor: the project has no control-plan line with frozen limits"
                            + (f" for CTQ {ctq!r}." if ctq else "."))
    checks = []
    for item in items:
        c = _frozen_chart(project, item, data)
        c = c.location if hasattr(c, "location") else c
        frame = c.to_frame()
        flagged = frame[frame["out_of_control"]]
        checks.append({
            "ctq": item.ctq, "chart": c.chart, "evidence": item.limits.evidence,
            "points": len(c), "center": float(c.center[0]) if len(c) else None,
            "in_control": bool(c.in_control),
            "alerts": [{"label": jsonable(r.label), "value": jsonable(float(r.statistic)),
                        "rules": str(r.rules).split(",")}
                       for r in flagged.itertuples()],
        })
    return {"in_control": all(ch["in_control"] for ch in checks), "checks": checks}


@app.command()
def monitor(
    project: Annotated[Path, typer.Argument(help="Project file with a control plan.")],
    newdata: Annotated[Path, typer.Argument(help="New data (CSV or Parquet).")],
    ctq: Annotated[str | None, typer.Option(help="Check only this CTQ.")] = None,
    as_json: Json = False,
) -> None:
    """Check new data against the project's frozen limits; exit 1 when out of control."""
    import dmaic
    from dmaic.report.render import fmt

    with _guard("checking the new data"):
        result = monitor_project(dmaic.load(project), _read(newdata), ctq)
    if as_json:
        out.print(json.dumps(result, allow_nan=False), markup=False)
    else:
        for ch in result["checks"]:
            state = "in control" if ch["in_control"] else f"OUT OF CONTROL ({len(ch['alerts'])} " \
                                                          "point(s))"
            out.print(f"{ch['ctq']}: {ch['chart']} chart, {ch['points']} points: {state}",
                      markup=False)
            for a in ch["alerts"]:
                out.print(f"  alert {fmt(a['label'])}: {a['value']:.4g} ({', '.join(a['rules'])})",
                          markup=False)
    if not result["in_control"]:
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the console script (``sixsigma``)."""
    import matplotlib

    matplotlib.use("Agg")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
