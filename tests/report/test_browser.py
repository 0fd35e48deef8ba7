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
