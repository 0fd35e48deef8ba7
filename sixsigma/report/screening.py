"""The screen report: hundreds of series on one self-contained page (``sixsigma screen``).

:func:`screen_report` writes one HTML file for a :class:`sixsigma.spc.Screen`:

* **Small multiples.** One card per series, most urgent first: a sparkline control chart
  (inline SVG drawn as a few ``<path>`` elements, no matplotlib, so that 300 series render
  in well under a second), the points beyond the limits and the last signal marked in red,
  the most likely change point as a dashed line, a day without data as a gap, and two
  icons in the style of NHS England's *Making Data Count*:

  - variation: ``~`` grey (common cause: not flagged after FDR), ``H``/``L`` orange (special
    cause, concerning: the shift is in the worse direction), ``H``/``L`` blue (special
    cause, improving);
  - assurance (with a target): ``P`` blue (the process limits lie wholly on the good side
    of the target: it will consistently pass), ``F`` orange (wholly on the bad side: it
    will consistently fail), ``?`` grey (the target lies between the limits: hit and miss).

* **A table** of every series (click a header to sort; numbers sort as numbers) and
  **filters** by each ``by`` key (they hide the cards and rows of other series).
* **A goal plot** (with a target), after JMP's: each series is a point at
  x = centre / target and y = half-width of its process limits / target (the mean over
  its points of UCL - centre; 3 sigma of a rate at the series' own sample sizes, widened by
  sigma_z for Laney's p'). The series whose limits lie wholly below the target sit left of
  the line x + y = 1 (UCL = target); those wholly above sit right of x - y = 1
  (LCL = target); between the lines, the target lies inside the limits (hit and miss). So
  the plot shows the assurance verdict and why: too high a centre (move it) or too wide a
  spread (reduce variation).

The page holds one small inline script (sorting and filtering) and nothing fetched from
elsewhere; every text from the data is escaped.

Examples
--------
>>> import sixsigma as ss
>>> from sixsigma.datasets.many_series import generate_many_series
>>> from sixsigma.report import screen_report
>>> data = generate_many_series(seed=0, queues=2, policies=2, markets=3).audits
>>> s = ss.spc.screen(data, defectives="errors", size="audited", label="day",
...                   by=["queue", "policy", "market"], target=0.06)
>>> html = screen_report(s)
>>> html.count('class="card'), html.count("<script>")
(12, 1)
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import escape

from sixsigma.report.render import fmt, fmt_p

__all__ = ["assurance_icon", "goal_plot_svg", "screen_report", "sparkline",
           "variation_icon"]

Path = str | os.PathLike[str]

_BLUE, _ORANGE, _GREY, _RED = "#1f6fb4", "#e8871e", "#7a8594", "#c0392b"


def _icon(letter: str, colour: str, title: str) -> str:
    return (f'<svg class="icon" width="22" height="22" viewBox="0 0 22 22" role="img">'
            f"<title>{escape(title)}</title>"
            f'<circle cx="11" cy="11" r="10" fill="#fff" stroke="{colour}" stroke-width="2"/>'
            f'<text x="11" y="15" text-anchor="middle" font-size="12" font-weight="700" '
            f'fill="{colour}">{escape(letter)}</text></svg>')


def variation_icon(flagged: bool, worse: bool | None, higher: bool) -> tuple[str, str]:
    """The Making Data Count variation icon: (SVG, name) for one series.

    ``flagged``: the shift survives the FDR; ``worse``: the shift is in the bad direction;
    ``higher``: the recent level is above the centre.
    """
    letter = "H" if higher else "L"
    if not flagged:
        return _icon("~", _GREY, "common cause variation"), "common"
    if worse:
        return _icon(letter, _ORANGE, "special cause: concerning"), "concern"
    return _icon(letter, _BLUE, "special cause: improving"), "improvement"


def assurance_icon(verdict: Any) -> tuple[str, str]:
    """The Making Data Count assurance icon: (SVG, name); empty without a verdict."""
    if verdict == "pass":
        return _icon("P", _BLUE, "assurance: consistently passes the target"), "pass"
    if verdict == "fail":
        return _icon("F", _ORANGE, "assurance: consistently fails the target"), "fail"
    if verdict == "hit_and_miss":
        return _icon("?", _GREY, "assurance: hit and miss the target"), "hit_and_miss"
    return "", ""


def _path(xs: np.ndarray, ys: np.ndarray, breaks: np.ndarray | None = None) -> str:
    """An SVG path through the points; a new segment where ``breaks`` is True or y is NaN."""
    parts: list[str] = []
    move = True
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if not np.isfinite(y):
            move = True
            continue
        if breaks is not None and breaks[i]:
            move = True
        parts.append(f"{'M' if move else 'L'}{x:.1f} {y:.1f}")
        move = False
    return "".join(parts)


def sparkline(index: np.ndarray, stat: np.ndarray, lcl: np.ndarray, ucl: np.ndarray,
              center: np.ndarray, *, span: int, signal: int | None = None,
              change: int | None = None, width: int = 200, height: int = 54) -> str:
    """A minimal control chart as inline SVG: points, centre, limits, signals marked.

    ``index`` is each point's position among the screen's labels (0..span-1): a jump of
    more than one is a missing label and breaks the lines. ``signal`` and ``change`` are
    positions in ``index`` of the last signal and the change point.
    """
    pad = 3.0
    vals = np.concatenate([stat, lcl[np.isfinite(lcl)], ucl[np.isfinite(ucl)]])
    vals = vals[np.isfinite(vals)]
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5

    def x(i: np.ndarray) -> np.ndarray:
        return pad + i * (width - 2 * pad) / max(span - 1, 1)

    def y(v: np.ndarray) -> np.ndarray:
        return height - pad - (v - lo) * (height - 2 * pad) / (hi - lo)

    xs = x(index.astype(float))
    gap = np.r_[False, np.diff(index) > 1]
    out = [f'<svg class="spark" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" aria-hidden="true">']
    out.append(f'<path d="{_path(xs, y(ucl), gap)}" fill="none" stroke="#9aa5b1" '
               'stroke-width="0.8"/>')
    out.append(f'<path d="{_path(xs, y(lcl), gap)}" fill="none" stroke="#9aa5b1" '
               'stroke-width="0.8"/>')
    out.append(f'<path d="{_path(xs, y(center), gap)}" fill="none" stroke="#2e7d32" '
               'stroke-width="0.8"/>')
    if change is not None:
        cx = float(xs[change])
        out.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="0" y2="{height}" stroke="#555" '
                   'stroke-dasharray="2 2" stroke-width="0.8"/>')
    out.append(f'<path d="{_path(xs, y(stat), gap)}" fill="none" stroke="#1d2430" '
               'stroke-width="1"/>')
    beyond = (stat > ucl) | (stat < lcl)
    for i in np.flatnonzero(beyond):
        out.append(f'<circle cx="{xs[i]:.1f}" cy="{y(stat[i:i + 1])[0]:.1f}" r="1.8" '
                   f'fill="{_RED}"/>')
    if signal is not None:
        out.append(f'<circle class="signal" cx="{xs[signal]:.1f}" '
                   f'cy="{y(stat[signal:signal + 1])[0]:.1f}" r="3.2" fill="none" '
                   f'stroke="{_RED}" stroke-width="1.4"/>')
    out.append("</svg>")
    return "".join(out)


def _limits(screen: Any) -> pd.DataFrame:
    """The points with each point's statistic, centre and limits (vectorised over series)."""
    by = list(screen.by)
    table = screen.table[[*by, "chart", "center", "sigma", "sigma_z"]]
    pts = screen.points.merge(table, on=by, how="left", sort=False)
    centre = pts["center"].to_numpy(dtype=float)
    sigma = pts["sigma"].to_numpy(dtype=float)
    if screen.value is not None:
        stat = pts[screen.value].to_numpy(dtype=float)
        half = 3.0 * sigma
        lcl, ucl = centre - half, centre + half
    else:
        n = pts["n"].to_numpy(dtype=float)
        stat = pts["defectives"].to_numpy(dtype=float) / n
        widen = np.where(pts["chart"].to_numpy() == "laney_p",
                         pts["sigma_z"].to_numpy(dtype=float), 1.0)
        half = 3.0 * sigma * widen / np.sqrt(n)
        lcl, ucl = np.maximum(centre - half, 0.0), np.minimum(centre + half, 1.0)
    out: pd.DataFrame = pts.assign(_stat=stat, _lcl=lcl, _ucl=ucl, _center=centre)
    return out


def _key_text(values: Sequence[Any]) -> str:
    return " \u00b7 ".join(str(v) for v in values)


def _sort_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | float | np.integer | np.floating):
        return repr(float(value))
    if isinstance(value, pd.Timestamp | _dt.date):
        return pd.Timestamp(value).isoformat()
    return str(value)


def goal_plot_svg(screen: Any, frame: pd.DataFrame | None = None, *, width: int = 520,
                  height: int = 420) -> str:
    """The goal plot of a screen with a target (inline SVG; see the module docstring)."""
    if screen.target is None or not screen.target:
        return ""
    frame = _limits(screen) if frame is None else frame
    by = list(screen.by)
    half = (frame["_ucl"] - frame["_center"]).groupby(
        [frame[b] for b in by], sort=False).mean()
    t = screen.table.set_index(by)
    target = float(screen.target)
    gx = (t["center"] / target).to_numpy(dtype=float)
    gy = (half.reindex(t.index) / target).to_numpy(dtype=float)
    ok = np.isfinite(gx) & np.isfinite(gy)
    xmax = max(2.0, float(np.nanmax(gx[ok])) * 1.05) if ok.any() else 2.0
    ymax = max(1.0, float(np.nanmax(gy[ok])) * 1.05) if ok.any() else 1.0
    left, bottom, top, right = 52.0, 40.0, 12.0, 12.0
    pw, ph = width - left - right, height - top - bottom

    def px(v: float) -> float:
        return left + v / xmax * pw

    def py(v: float) -> float:
        return top + ph - v / ymax * ph

    lower = screen.direction == "lower"
    good, bad = ("pass", "fail") if lower else ("fail", "pass")
    out = [f'<svg class="goal" width="{width}" height="{height}" viewBox="0 0 {width} '
           f'{height}" role="img"><title>Goal plot</title>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafbfc" '
           'stroke="#dde3ea"/>']
    # x + y = 1 (UCL = target) and x - y = 1 (LCL = target)
    out.append(f'<line x1="{px(0):.1f}" y1="{py(1):.1f}" x2="{px(1):.1f}" y2="{py(0):.1f}" '
               'stroke="#1f6fb4" stroke-width="1.2"/>')
    out.append(f'<line x1="{px(1):.1f}" y1="{py(0):.1f}" x2="{px(min(xmax, 1 + ymax)):.1f}" '
               f'y2="{py(min(ymax, xmax - 1)):.1f}" stroke="#e8871e" stroke-width="1.2"/>')
    out.append(f'<text x="{px(0.05):.1f}" y="{py(0.05):.1f}" font-size="11" '
               f'fill="#1f6fb4">{good}</text>')
    out.append(f'<text x="{px(min(xmax, 1 + ymax) - 0.05):.1f}" y="{py(0.05):.1f}" '
               f'font-size="11" text-anchor="end" fill="#e8871e">{bad}</text>')
    for tick in np.linspace(0, xmax, 5):
        out.append(f'<text x="{px(tick):.1f}" y="{top + ph + 14:.1f}" font-size="10" '
                   f'text-anchor="middle">{tick:.2g}</text>')
    for tick in np.linspace(0, ymax, 5):
        out.append(f'<text x="{left - 4:.1f}" y="{py(tick) + 3:.1f}" font-size="10" '
                   f'text-anchor="end">{tick:.2g}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 6}" font-size="11" '
               'text-anchor="middle">centre / target</text>')
    out.append(f'<text x="12" y="{top + ph / 2:.1f}" font-size="11" text-anchor="middle" '
               f'transform="rotate(-90 12 {top + ph / 2:.1f})">half-width of the limits / '
               "target</text>")
    verdicts = t["assurance"].to_numpy() if "assurance" in t else np.full(len(t), None)
    colour = {"pass": _BLUE, "fail": _ORANGE, "hit_and_miss": _GREY}
    for i in np.flatnonzero(ok):
        name = _key_text(t.index[i] if isinstance(t.index[i], tuple) else (t.index[i],))
        out.append(f'<circle cx="{px(gx[i]):.1f}" cy="{py(gy[i]):.1f}" r="3" fill-opacity='
                   f'"0.7" fill="{colour.get(verdicts[i], _GREY)}"><title>{escape(name)}: '
                   f"centre/target {gx[i]:.3g}, half-width/target {gy[i]:.3g}</title>"
                   "</circle>")
    out.append("</svg>")
    return "".join(out)


_COLUMNS = ("chart", "points", "missing", "center", "sigma_z", "stability", "signals",
            "last_signal", "last_rule", "recent_signal", "change_at", "shift", "p_value",
            "q_value", "flagged", "assurance")

_STYLE = """
:root { --ink: #1d2430; --muted: #5f6b7a; --line: #dde3ea; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: var(--ink); margin: 0; }
main { max-width: 1400px; margin: 0 auto; padding: 1.2rem; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .2rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
.muted { color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: .8rem; margin: .6rem 0; align-items: center; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(215px, 1fr));
        gap: .5rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .4rem; }
.card.flagged { border-color: #e8871e; }
.card .name { font-size: .78rem; font-weight: 600; white-space: nowrap; overflow: hidden;
              text-overflow: ellipsis; }
.card .meta { font-size: .72rem; color: var(--muted); display: flex; gap: .3rem;
              align-items: center; }
.icon { vertical-align: middle; }
table { border-collapse: collapse; font-size: .8rem; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .2rem .4rem; text-align: left;
         white-space: nowrap; }
th { cursor: pointer; background: #f3f6fa; position: sticky; top: 0; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.hidden { display: none; }
@media print { .filters { display: none; } th { position: static; } }
"""

_SCRIPT = """
(function () {
  var table = document.getElementById('series');
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  for (var c = 0; c < heads.length; c++) {
    heads[c].addEventListener('click', (function (col) {
      return function () {
        var th = heads[col];
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        for (var k = 0; k < heads.length; k++) { heads[k].removeAttribute('aria-sort'); }
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var num = th.getAttribute('data-type') === 'num';
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
          if (x === '' && y !== '') { return 1; }
          if (y === '' && x !== '') { return -1; }
          var r = num ? parseFloat(x) - parseFloat(y) : (x < y ? -1 : (x > y ? 1 : 0));
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      };
    })(c));
  }
  var selects = document.querySelectorAll('select[data-key]');
  function apply() {
    var want = {};
    selects.forEach(function (s) { if (s.value) { want[s.getAttribute('data-key')] = s.value; } });
    var only = document.getElementById('only-flagged').checked;
    document.querySelectorAll('[data-series]').forEach(function (el) {
      var show = !only || el.getAttribute('data-flagged') === '1';
      for (var k in want) {
        if (el.getAttribute('data-k-' + k) !== want[k]) { show = false; }
      }
      el.classList.toggle('hidden', !show);
    });
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  document.getElementById('only-flagged').addEventListener('change', apply);
})();
"""


def _attr_keys(by: Sequence[str], values: Sequence[Any]) -> str:
    return " ".join(f'data-k-{i}="{escape(str(v))}"' for i, v in enumerate(values))


def screen_report(screen: Any, path: Path | None = None, *, title: str | None = None,
                  subtitle: str = "") -> str:
    """Write the screen report of a :class:`sixsigma.spc.Screen`; return the HTML.

    Parameters
    ----------
    screen : sixsigma.spc.Screen
    path : str or path, optional
        Where to write the HTML file.
    title, subtitle : str, optional
        The page title (default: "Process screening") and a line under it.
    """
    from sixsigma.report.render import write

    by = list(screen.by)
    t = screen.table.reset_index(drop=True)
    frame = _limits(screen)
    labels = pd.Index(pd.unique(screen.points[screen.label])).sort_values()
    span = len(labels)
    lower = screen.direction == "lower"
    groups = frame.groupby(by, sort=False, dropna=False).indices
    heading = title or "Process screening"
    flagged = t["flagged"].to_numpy(dtype=bool)
    recent = t["recent_signal"].to_numpy(dtype=bool)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="report-kind" content="screen">',
        f"<title>{escape(heading)}</title><style>{_STYLE}</style></head><body><main>",
        f"<header><h1>{escape(heading)}</h1>",
        f'<p class="muted">{escape(subtitle)}</p>' if subtitle else "",
        f'<p class="muted">{len(t)} series by {escape(", ".join(by))}; '
        f"{int(flagged.sum())} flagged after FDR (q \u2264 {screen.fdr:g}); "
        f"{int(recent.sum())} with a signal in the last {screen.recent} labels"
        + (f"; target {fmt(screen.target)} ({'lower' if lower else 'higher'} is better)"
           if screen.target is not None else "") + ".</p></header>",
    ]
    for note in screen.notes:
        parts.append(f'<p class="muted">Note: {escape(note)}</p>')
    # filters
    parts.append('<div class="filters" role="search">')
    for i, b in enumerate(by):
        options = "".join(f'<option value="{escape(str(v))}">{escape(str(v))}</option>'
                          for v in sorted(pd.unique(t[b]).tolist(), key=str))
        parts.append(f'<label>{escape(b)} <select data-key="{i}"><option value="">all'
                     f"</option>{options}</select></label>")
    parts.append('<label><input type="checkbox" id="only-flagged"> flagged only</label>'
                 "</div>")
    # small multiples
    parts.append('<h2 id="series-charts">Series, most urgent first</h2><p class="muted">Each '
                 "card: the rate (line), centre (green), limits (grey), points beyond the "
                 "limits (red dots), the last signal (red ring), the most likely change point "
                 "(dashed); a gap is a label without data. Icons: variation and assurance "
                 "(NHS Making Data Count).</p>")
    parts.append('<div class="grid">')
    pos = {v: i for i, v in enumerate(labels)}
    for r, row in enumerate(t.itertuples(index=False)):
        keys = tuple(getattr(row, b) if b.isidentifier() else t.at[r, b] for b in by)
        idx = groups.get(keys if len(by) > 1 else keys[0])
        rec = t.iloc[r]
        if idx is None or len(idx) == 0:
            continue
        pts = frame.iloc[idx]
        index = np.array([pos[v] for v in pts[screen.label]], dtype=int)
        signal = change = None
        if pd.notna(rec["last_signal"]):
            hit = np.flatnonzero(pts[screen.label].to_numpy() == rec["last_signal"])
            signal = int(hit[0]) if hit.size else None
        if rec["flagged"] and "change_at" in rec and pd.notna(rec["change_at"]):
            hit = np.flatnonzero(pts[screen.label].to_numpy() == rec["change_at"])
            change = int(hit[0]) if hit.size else None
        svg = sparkline(index, pts["_stat"].to_numpy(), pts["_lcl"].to_numpy(),
                        pts["_ucl"].to_numpy(), pts["_center"].to_numpy(), span=span,
                        signal=signal, change=change)
        excess = float(rec["excess"]) if pd.notna(rec.get("excess")) else 0.0
        shift = float(rec["shift"]) if pd.notna(rec.get("shift")) else excess
        higher = shift > 0
        worse = higher if lower else not higher
        v_icon, v_name = variation_icon(bool(rec["flagged"]), worse, higher)
        a_icon, a_name = assurance_icon(rec.get("assurance"))
        name = _key_text(keys)
        parts.append(
            f'<div class="card{" flagged" if rec["flagged"] else ""}" data-series '
            f'data-flagged="{int(bool(rec["flagged"]))}" {_attr_keys(by, keys)}>'
            f'<div class="name" title="{escape(name)}">{escape(name)}</div>{svg}'
            f'<div class="meta">{v_icon}{a_icon}<span>centre {fmt(rec["center"], ".3g")} '
            f'\u00b7 q {fmt_p(rec["q_value"])}</span>'
            f'<span class="hidden">{v_name} {a_name}</span></div></div>')
    parts.append("</div>")
    # goal plot
    if screen.target is not None:
        parts.append('<h2 id="goal-plot">Goal plot</h2><p class="muted">x: centre / target; '
                     "y: half-width of the process limits (UCL \u2212 centre) / target. "
                     "Left of the blue line (UCL = target) the limits lie wholly below the "
                     "target; right of the orange line (LCL = target) wholly above it; "
                     "between them the target lies inside the limits (hit and miss). Far "
                     "right: move the centre; high: reduce the variation.</p>")
        parts.append(goal_plot_svg(screen, frame))
    # table
    cols = [c for c in _COLUMNS if c in t.columns]
    parts.append('<h2 id="series-table">Every series</h2><p class="muted">Click a header '
                 'to sort.</p><div style="overflow-x:auto"><table id="series"><thead><tr>')
    for c in [*by, *cols]:
        numeric = c in t.columns and pd.api.types.is_numeric_dtype(t[c]) \
            and not pd.api.types.is_bool_dtype(t[c])
        parts.append(f'<th data-type="{"num" if numeric else "text"}" scope="col">'
                     f"{escape(c)}</th>")
    parts.append("</tr></thead><tbody>")
    for r in range(len(t)):
        keys = tuple(t.at[r, b] for b in by)
        parts.append(f'<tr data-series data-flagged="{int(bool(t.at[r, "flagged"]))}" '
                     f"{_attr_keys(by, keys)}>")
        for c in [*by, *cols]:
            v = t.at[r, c]
            numeric = isinstance(v, int | float | np.integer | np.floating) \
                and not isinstance(v, bool | np.bool_)
            shown = fmt_p(v) if c in ("p_value", "q_value") else fmt(v, ".4g")
            cls = ' class="num"' if numeric else ""
            parts.append(f'<td{cls} data-v="{escape(_sort_value(v))}">{escape(shown)}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    parts.append(f"<script>{_SCRIPT}</script></main></body></html>")
    html = "\n".join(p for p in parts if p)
    if path is not None:
        write(html, path)
    return html
