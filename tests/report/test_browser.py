"""The demo storyboard in a real browser (headless Chromium), and the injection test."""

from __future__ import annotations

import base64

from _payloads import IMG, SCRIPT

import dmaic
import sixsigma as ss
from dmaic.report import report as write_storyboard
from sixsigma.report import pareto_report


def _open(driver, path):
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(path.resolve().as_uri())
    return driver.execute_script("return document.readyState")


def test_demo_storyboard_renders(browser, demo_output, artifacts):
    page = demo_output / "storyboard.html"
    assert page.stat().st_size < 5_000_000
    assert _open(browser, page) == "complete"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    timing = browser.execute_script(
        "const t = performance.getEntriesByType('navigation')[0];"
        "return {load: t.loadEventEnd - t.startTime, dom: t.domComplete - t.startTime};")
    assert 0 < timing["load"] < 2000, timing
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('figure.chart svg')].map(s => {"
        "const r = s.getBoundingClientRect(); return [r.width, r.height];});")
    assert len(sizes) == page.read_text(encoding="utf-8").count("<svg") >= 8
    assert all(w > 100 and h > 50 for w, h in sizes), sizes
    height = browser.execute_script("return document.documentElement.scrollHeight")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1280, "height": min(height, 16000), "scale": 0.5}})
    target = artifacts / "storyboard.png"
    target.write_bytes(base64.b64decode(shot["data"]))
    print(f"\nscreenshot: {target}; load {timing['load']:.0f} ms; {len(sizes)} charts")
    assert target.stat().st_size > 10_000


def test_injected_text_never_runs(browser, tmp_path):
    names = [SCRIPT, IMG, "ok"]
    data = {"type": [names[0]] * 5 + [names[1]] * 3 + ["ok"] * 2}
    pareto_report(ss.pareto.pareto(data, "type"), tmp_path / "pareto.html", title=SCRIPT,
                  subtitle=IMG)
    project = dmaic.Project(title=f"Title {SCRIPT}")
    project.set("analyze.root_causes", [{"id": "rc", "statement": IMG, "category": "People",
                                         "notes": SCRIPT}])
    project.set("define.charter.problem_statement", IMG)
    project.attach("errors", ss.pareto.pareto(data, "type"), description=f"{SCRIPT} {IMG}")
    write_storyboard(project, tmp_path / "storyboard.html")
    for name, title in (("pareto.html", SCRIPT), ("storyboard.html", f"Title {SCRIPT}")):
        _open(browser, tmp_path / name)
        state = browser.execute_script(
            "return {title: document.title, pwned: window.__pwned === undefined ? null : "
            "window.__pwned, images: document.images.length, scripts: "
            "document.scripts.length, text: document.body.innerText,"
            "svgText: [...document.querySelectorAll('svg text')].map(t => t.textContent)};")
        assert state["title"] == title            # the payload did not rewrite it
        assert state["pwned"] is None
        assert state["images"] == 0 and state["scripts"] == 0
        assert SCRIPT in state["text"] and IMG in state["text"]   # shown literally
        assert any(SCRIPT in t for t in state["svgText"])          # inside the chart too
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


# -- issue 15 item 15: words stay whole; screenshots of the storyboard and the chart report --
_BROKEN_WORDS = """
const broken = [];
for (const cell of document.querySelectorAll('td, th')) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /\\S+/g;
    let m;
    while ((m = re.exec(node.textContent)) !== null) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                             .map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
}
return broken;
"""


def _chart_page(tmp_path):
    from typer.testing import CliRunner

    from dmaic.cli import app

    ds = ss.datasets.load("daily_audits")
    ds.audits.to_csv(tmp_path / "daily.csv", index=False)
    ds.changes.to_csv(tmp_path / "changes.csv", index=False)
    page = tmp_path / "chart.html"
    done = CliRunner().invoke(app, [
        "chart", "laney_p", str(tmp_path / "daily.csv"), "--defectives", "errors", "--size",
        "audited", "--label", "day", "--stage-file", str(tmp_path / "changes.csv"),
        "--rules", "nelson", "--html", str(page)])
    assert done.exit_code == 0, done.stderr
    return page


def _screenshot(driver, target):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 0.5}})
    target.write_bytes(base64.b64decode(shot["data"]))
    assert target.stat().st_size > 10_000
    return target


def test_no_cell_breaks_inside_a_word_and_screenshots(browser, demo_output, tmp_path):
    pages = {"storyboard": demo_output / "storyboard.html", "chart": _chart_page(tmp_path)}
    try:
        for width in (1280, 700):               # a desktop and a narrow window
            browser.set_window_size(width, 1000)
            for name, page in pages.items():
                assert _open(browser, page) == "complete"
                cells = browser.execute_script("return document.querySelectorAll('td').length")
                assert cells > 5, name
                broken = browser.execute_script(_BROKEN_WORDS)
                assert broken == [], (name, width, broken[:20])
                zero_p = browser.execute_script(
                    "return [...document.querySelectorAll('table')].flatMap(t => {"
                    "const h = [...t.querySelectorAll('th')].map(x => x.textContent.trim());"
                    "const k = h.findIndex(x => /^[pq][- ]value$/i.test(x));"
                    "return k < 0 ? [] : [...t.querySelectorAll('tr')].map("
                    "r => r.children[k] ? r.children[k].textContent.trim() : '')"
                    ".filter(v => /^0(\\.0+)?$|e-/.test(v));});")
                assert zero_p == [], (name, zero_p)
                shot = _screenshot(browser, tmp_path / f"{name}-{width}.png")
                errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
                assert errors == [], (name, errors)
                print(f"\nscreenshot: {shot}")
    finally:
        browser.set_window_size(1280, 1000)
    page = pages["chart"].read_text(encoding="utf-8")
    assert "errors per audited" in page and "Control chart</h1>" not in page
