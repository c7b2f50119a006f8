"""The Results page's Psychometric tab: one figure per dimension and the thresholds table for a
study of the built-in bank's perception items (psychometric observers, tasks.simulation.simulate), the
same numbers as report.html; the adaptive blocks' thresholds as export writes them to
thresholds.csv; and a tab that says why when nothing applies. Real SQLite files, offscreen Qt,
the figures drawn in a child process."""
from __future__ import annotations

import csv

from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession

from db import repo
from gui.console.window import ConsoleWindow
from tasks.analysis.report import write_report
from tasks.analysis.tables import cell
from tasks.results.export import export
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.simulation.simulate import simulate
from tests.gui.conftest import save_screenshot
from tests.tasks.analysis.cohorts import small_dataset
from tests.tasks.analysis.psycho_data import bank_dataset

SLOW_MS = 180000  # a child process: the bootstrap, the psychometric fits and matplotlib
SUBS = ("sensitivity_pitch", "sensitivity_azimuth")
OBSERVER = Observer("psychometric", adaptive_thresholds={"azimuth": 12.0, "pitch": 20.0})


def protocol(adaptive: list[str]) -> Protocol:
    return Protocol(mode="full-robust", variants=["pc"], practice_per_block=0, min_run_spacing=1, seed=1,
                    adaptive_dimensions=adaptive, adaptive_procedure="3down1up", adaptive_max_trials=30)


def open_results(qtbot, ctx, study: str):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with DbSession(ctx.db) as s:
        window.state.study = repo.get_study(s, study)
    window.show()
    page = window.results_page
    with qtbot.waitSignal(page.figure_job.idle, timeout=SLOW_MS):
        window.show_page("results")
    page.tabs.setCurrentWidget(page.psychometric)
    QApplication.processEvents()
    return window, page


def cells(table) -> list[list[str]]:
    return [[table.item(i, j).text() for j in range(table.columnCount())] for i in range(table.rowCount())]


def test_the_tab_shows_a_figure_per_dimension_and_the_adaptive_thresholds(qtbot, ctx, tmp_path):
    ds = bank_dataset(tmp_path / "ds", SUBS, scale="small")
    simulate(ctx.db, ds, protocol(["azimuth", "pitch"]), 3, OBSERVER, "test", study_name="lab")
    window, page = open_results(qtbot, ctx, "lab")
    view = page.psychometric

    # one figure per dimension, drawn, with its caption naming who is drawn
    assert list(view.figures) == ["psychometric_pitch", "psychometric_azimuth"]
    for name, (pixmap, image) in view.figures.items():
        assert not pixmap.isNull() and image.pixmap() is not None and not image.pixmap().isNull()
        assert "Drawn: humans (pooled)" in view.captions[name]
    assert not view.message.isVisible()

    # the thresholds table: the report's, cell for cell (threshold of every responder)
    write_report(ctx.db, tmp_path / "report", study_name="lab", n_bootstrap=50)
    with open(tmp_path / "report" / "psychometric_thresholds.csv", newline="", encoding="utf-8") as f:
        report_rows = list(csv.DictReader(f))
    shown = cells(view.table)
    headers = [view.table.horizontalHeaderItem(j).text() for j in range(view.table.columnCount())]
    at = {h: j for j, h in enumerate(headers)}
    assert len(shown) == len(report_rows) == 2 * 4  # pooled + 3 participants, per dimension
    for row, r in zip(shown, report_rows):
        assert (row[at["dimension"]], row[at["unit"]], row[at["responder"]]) == (r["dimension"], r["unit"],
                                                                                 r["responder"])
        assert row[at["threshold [95% CI]"]].split(" ")[0] == cell(float(r["threshold"] or "nan"), 1)
        assert row[at["trials"]] == r["n_trials"]
        # a threshold left out ("--") says why, as the report's CSV does
        assert row[at["note"]] == r["note"] and (r["threshold"] != "" or r["note"] != "")
    assert "halfway between chance and 1" in view.note.text()

    # the adaptive thresholds: the rows of thresholds.csv, in its order, with the same numbers
    export(ctx.db, tmp_path / "export", "test")
    with open(tmp_path / "export" / "thresholds.csv", newline="", encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))
    adaptive = cells(view.adaptive_table)
    assert len(adaptive) == len(csv_rows) == 6
    for row, r in zip(adaptive, csv_rows):
        assert row[:5] == [r["participant"], r["dimension"], r["unit"], r["procedure"], r["threshold"]]
        assert row[5] == f"[{r['ci_low']}, {r['ci_high']}]" and row[6] == r["n_trials"] == "30"
    assert {row[1] for row in adaptive} == {"azimuth", "pitch"} and not view.adaptive_message.isVisible()

    save_screenshot(window, "console-results-psychometric")
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    QApplication.processEvents()
    save_screenshot(window, "console-results-psychometric-adaptive")


def test_the_tab_says_why_when_nothing_applies(qtbot, ctx, tmp_path):
    ds = small_dataset(tmp_path / "ds")  # items without parameters, no adaptive block
    simulate(ctx.db, ds, protocol([]), 2, Observer("perfect"), "test", study_name="lab")
    window, page = open_results(qtbot, ctx, "lab")
    view = page.psychometric
    assert view.figures == {} and view.table.rowCount() == 0 and view.adaptive_table.rowCount() == 0
    assert "no answered perception (pc) item of this study has known differences" in view.message.text()
    assert "No adaptive block in this study" in view.adaptive_message.text()
    assert view.message.isVisible() and view.adaptive_message.isVisible()
    save_screenshot(window, "console-results-psychometric-none")
