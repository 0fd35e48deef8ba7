"""Tests of the demo (python -m sixsigma.demo)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from sixsigma import datasets, demo  # noqa: E402
from sixsigma.datasets import Dataset  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert demo.main(["--out", str(out)]) == 0
    return out


def test_writes_the_three_files(output):
    assert sorted(p.name for p in output.iterdir()) == ["index.html", "laney_p_chart.png",
                                                        "p_chart.png"]


@pytest.mark.parametrize("name", ["p_chart.png", "laney_p_chart.png"])
def test_images_are_real_pngs(output, name):
    data = (output / name).read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000
    with Image.open(output / name) as image:
        image.verify()
    with Image.open(output / name) as image:
        assert image.size == (1100, 462)  # 10 x 4.2 inches at 110 dpi


def test_html_embeds_both_images_and_the_stages(output):
    page = (output / "index.html").read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == 2
    files = {(output / n).read_bytes() for n in ("p_chart.png", "laney_p_chart.png")}
    assert {base64.b64decode(e) for e in embedded} == files
    assert "baseline" in page
    assert "Policy update: hate speech v3" in page
    assert "sigma_z" in page
    assert "rose from" in page and "(2026-03-26)" in page
    assert "Nelson 1" in page
    assert "<script" not in page.lower()


def test_prints_the_paths(tmp_path, capsys):
    demo.main(["--out", str(tmp_path / "new" / "dir")])
    printed = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[-1] for p in printed] == ["p_chart.png", "laney_p_chart.png",
                                                       "index.html"]


def test_event_names_are_escaped():
    base = datasets.load("daily_audits")
    evil = "<script>alert('x')</script>"
    crafted = Dataset(audits=base.audits, truth=base.truth,
                      changes=pd.DataFrame({"date": [pd.Timestamp("2026-03-26")],
                                            "event": [evil]}))
    p, laney = demo.build_charts(crafted)
    assert laney.stages[-1].name == evil
    page = demo.render_html(crafted, p, laney, {"p": b"png", "laney": b"png"})
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_importing_the_demo_sets_no_backend():
    code = ("import sys, sixsigma.demo; assert 'matplotlib' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_runs_as_a_module(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sixsigma.demo", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "index.html").exists()
