"""The Results page's figures (tasks.analysis.page_data) are the report's: same figures, same
responders, same bootstrap intervals as report.html and leaderboard.csv, from the same files."""
from __future__ import annotations

import csv
import re
import struct

import pytest

from tasks.analysis.page_data import FIGURES, dpi_for, page_report
from tasks.analysis.report import write_report
from tasks.analysis.responses import ReportError
from tasks.dataset.loader import Cancelled
from tasks.simulation.observers import Observer
from tasks.scoring.metrics import LEADERBOARD_KEYS
from tests.tasks.analysis.cohorts import cohort_db, model_workdir, small_dataset

B = 200


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def cohort(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("psychometric"), 6)
    model_workdir(tmp_path, ds, Observer("random"), "model-a")
    work = model_workdir(tmp_path, ds, Observer("perfect"), "model-b")
    return engine, work


@pytest.mark.slow
def test_the_page_draws_the_reports_figures_with_its_intervals(cohort, tmp_path):
    engine, work = cohort
    steps = []
    page = page_report(engine, None, work, width_px=700, progress=lambda *a: steps.append(a), n_bootstrap=B)
    summary = write_report(engine, tmp_path / "out", work, n_bootstrap=B)
    assert [f.name for f in page.figures] == summary.figures  # every figure of the report, in its order
    assert page.models == summary.models == ["model-a", "model-b"] and page.missing == {}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for f in page.figures:
        assert f'data-figure="{f.name}"' in html and f"<figcaption>{f.caption}</figcaption>" in html
        assert png_size(f.png) == (f.width_px, f.height_px) and f.width_px <= 700
    bars = next(f for f in page.figures if f.name == "bars_categories")
    assert bars.responders == ("Human (mean of participants)", "model-a", "model-b")
    assert next(f for f in page.figures if f.name == "human_vs_model").responders[1:] == ("model-a", "model-b")
    # the human mean's crossed interval is the one leaderboard.csv holds
    with open(tmp_path / "out" / "leaderboard.csv", newline="", encoding="utf-8") as f:
        human = next(r for r in csv.DictReader(f) if r["kind"] == "human-mean")
    assert set(page.human_boot_ci) == set(LEADERBOARD_KEYS)
    for key, (low, high) in page.human_boot_ci.items():
        assert (low, high) == pytest.approx((float(human[f"{key}_crossed_low"]), float(human[f"{key}_crossed_high"])))
    assert steps[-1][:2] == (steps[-1][1], steps[-1][1]) and len(steps) > 3


def test_without_models_the_contrast_figure_is_missing_with_the_reason(cohort):
    engine, _work = cohort
    page = page_report(engine, "study", None, n_bootstrap=B)
    assert "human_vs_model" not in [f.name for f in page.figures]
    assert "Import models" in page.missing["human_vs_model"]
    assert page.models == [] and len(page.figures) == len(FIGURES) - 1


def test_what_cannot_be_drawn_is_named(cohort, tmp_path):
    engine, _work = cohort
    with pytest.raises(ReportError, match="no study named 'nope'"):
        page_report(engine, "nope", None, n_bootstrap=B)
    with pytest.raises(ReportError, match=re.escape(f"{tmp_path / 'missing'}: not a folder of model results")):
        page_report(engine, None, tmp_path / "missing", n_bootstrap=B)
    with pytest.raises(Cancelled):
        page_report(engine, None, None, should_cancel=lambda: True, n_bootstrap=B)


def test_dpi_keeps_text_legible_and_refuses_nonsense():
    assert dpi_for(10.0, 800) == 80.0
    assert dpi_for(7.0, 2000) == 100.0 and dpi_for(10.0, 100) == 50.0
    with pytest.raises(ValueError):
        dpi_for(0.0, 1000)
