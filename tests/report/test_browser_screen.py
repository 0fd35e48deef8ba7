"""The screen report and the roll-out page in a real browser (headless Chromium)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sixsigma as ss
from sixsigma.datasets.many_series import generate_many_series
from sixsigma.report import rollout_report, screen_report


def _open(driver, path):
    driver.get_log("browser")
    driver.get(path.resolve().as_uri())
    return driver.execute_script("return document.readyState")


@pytest.fixture(scope="module")
def screen_page(tmp_path_factory):
    data = generate_many_series(seed=0, queues=5, policies=6, markets=10).audits
    s = ss.spc.screen(data, defectives="errors", size="audited", label="day",
                      by=["queue", "policy", "market"], target=0.06)
    path = tmp_path_factory.mktemp("screen") / "screen.html"
    screen_report(s, path)
    return s, path


def _column(browser, index):
    return browser.execute_script(
        "return [...document.querySelectorAll('#series tbody tr')].map("
        f"r => r.cells[{index}].getAttribute('data-v'));")


def test_screen_report_renders_300_series_and_sorts(browser, screen_page):
    s, path = screen_page
    assert len(s.table) == 300
    assert _open(browser, path) == "complete"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('.card svg.spark')].map(s => {"
        "const r = s.getBoundingClientRect(); return [r.width, r.height];});")
    assert len(sizes) == 300 and all(w > 100 and h > 30 for w, h in sizes)
    assert browser.execute_script("return document.querySelectorAll('#series tbody tr')"
                                  ".length") == 300
    timing = browser.execute_script(
        "const t = performance.getEntriesByType('navigation')[0];"
        "return t.loadEventEnd - t.startTime;")
    assert 0 < timing < 3000, timing
    heads = browser.execute_script(
        "return [...document.querySelectorAll('#series thead th')].map(h => h.textContent);")
    col = heads.index("center")
    browser.execute_script(f"document.querySelectorAll('#series thead th')[{col}].click();")
    up = [float(v) for v in _column(browser, col)]
    assert up == sorted(up) and up != [float(v) for v in s.table["center"]]
    browser.execute_script(f"document.querySelectorAll('#series thead th')[{col}].click();")
    down = [float(v) for v in _column(browser, col)]
    assert down == sorted(up, reverse=True)
    name = heads.index("market")
    browser.execute_script(f"document.querySelectorAll('#series thead th')[{name}].click();")
    markets = _column(browser, name)
    assert markets == sorted(markets)
    # filter by a key: the cards and rows of other series are hidden
    shown = browser.execute_script(
        "const s = document.querySelector('select[data-key=\"0\"]'); s.value = 'q2';"
        "s.dispatchEvent(new Event('change'));"
        "return [document.querySelectorAll('.card:not(.hidden)').length,"
        "document.querySelectorAll('#series tbody tr:not(.hidden)').length];")
    assert shown == [60, 60]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_rollout_page_renders(browser, tmp_path):
    rng = np.random.default_rng(0)
    days = pd.date_range("2026-01-01", periods=60)
    go = {"A": "2026-01-25", "B": "2026-02-05", "C": None}
    data = pd.DataFrame([{"region": u, "day": d, "audited": 300, "errors": int(rng.binomial(
        300, 0.1 - 0.03 * (g is not None and d >= pd.Timestamp(g))))}
        for u, g in go.items() for d in days])
    r = ss.rollout.track(data, "errors", size="audited", label="day", unit="region",
                         go_live=go)
    path = tmp_path / "rollout.html"
    rollout_report(r, path)
    assert _open(browser, path) == "complete"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    n = browser.execute_script("return [document.querySelectorAll('svg.spark').length,"
                               "document.querySelectorAll('svg.forest').length];")
    assert n == [3, 1]
