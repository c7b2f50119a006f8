"""report.html in a real browser (Debian's chromium, headless): it renders without console errors,
and printed on A4 portrait no word of any table runs past the page (the leaderboard's last
column was cut off before)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import main
from db.engine import open_database
from tasks.analysis.report import write_report
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tests.support.factories import sr_items, tr_items, write_dataset
from tests.tasks.analysis.cohorts import model_workdir
from tests.tasks.analysis.psycho_data import bank_pc_items

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
A4_WIDTH_PT = 595.28
pytestmark = [pytest.mark.subprocess, pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None or PDFTOTEXT is None,
                                 reason="needs Debian's chromium and poppler-utils (packaging/bootstrap.sh test "
                                        "installs them when run as root)")]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    root = write_dataset(tmp / "ds", pc=bank_pc_items(("sensitivity_pitch", "range_azimuth"), "small"),
                         tr=tr_items(2), sr=sr_items(2))
    db = tmp / "lab.sqlite"
    assert main.main(["simulate", "--db", str(db), "--dataset", str(root), "--participants", "5", "--observer",
                      "psychometric", "--protocol", "full-robust", "--study", "s", "--adaptive", "pitch",
                      "--adaptive-trials", "20", "--observer-threshold", "pitch=300"]) == 0
    dataset = load_dataset(root, check_audio=False)
    models = model_workdir(tmp, dataset, Observer("random"), "a-model-with-a-rather-long-name")
    model_workdir(tmp, dataset, Observer("perfect"), "another-model-of-the-same-sort")
    for name in ("Qwen2.5-Omni-7B-Instruct", "Gemini-2.5-Pro-preview-06-05", "GPT-4o-audio-preview-2025"):
        model_workdir(tmp, dataset, Observer("random"), name)
    out = tmp / "out"
    engine = open_database(db)
    write_report(engine, out, models_dir=models, study_name="s", n_bootstrap=200)
    engine.dispose()
    return out / "report.html"


def test_the_report_renders_without_console_errors(report, tmp_path):
    shot = tmp_path / "report.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,3000", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Failed to load resource" in line]
    assert console == []


def test_the_report_carries_the_adaptive_thresholds_table(report):
    html = report.read_text(encoding="utf-8")
    assert "Adaptive thresholds" in html and "cents" in html
    assert (report.parent / "adaptive_thresholds.csv").exists()


def test_printed_on_a4_portrait_nothing_is_cut(report, tmp_path):
    pdf = tmp_path / "report.pdf"
    done = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    boxes = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">', boxes)
    assert pages and all(abs(float(w) - A4_WIDTH_PT) < 1 for w, _h in pages)  # A4 portrait
    right_edges = [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', boxes)]
    assert right_edges and max(right_edges) <= A4_WIDTH_PT
    text = "".join(re.findall(r">([^<]+)</word>", boxes)).replace("-", "").replace("\u00ad", "")
    # the leaderboard's last column and both models' names are on paper (wrapped, not cut)
    assert "allMA" in text and "anothermodelofthesamesort" in text and "amodelwitharatherlongname" in text
