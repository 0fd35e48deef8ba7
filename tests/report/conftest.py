"""Fixtures of the report tests: the demo output, injected payloads, a headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent.parent / "artifacts"


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory):
    from dmaic import demo

    out = tmp_path_factory.mktemp("demo-output")
    demo.main(out)
    return out


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _install() -> str:
    """Install Debian's chromium and chromium-driver (root only); return the log tail."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "not root or no apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log = []
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        log.append(done.stderr[-500:])
        if done.returncode:
            break
    return " | ".join(log)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by selenium; installed when missing, else skipped."""
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is not installed (dev extra)")
    found = _chromium()
    if found is None:
        log = _install()
        found = _chromium()
        if found is None:
            pytest.skip(f"Chromium could not be installed (apt-get install chromium "
                        f"chromium-driver): {log}")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}"):
        options.add_argument(flag)
    options.binary_location = found[0]
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
