"""The Results page shows the human-vs-model report: the report's figures with every imported
model, the leaderboard under grouped pc / tr / sr headers without sideways scrolling at
1280x720, Export report, and errors as messages. Real SQLite files, a simulated cohort, model
results in the kit's layout, offscreen Qt; the figures are drawn in child processes."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession

from db import repo
from gui.console.window import ConsoleWindow
from gui.console.results_page import FIGURE_TABS
from tasks.analysis.figures import HUMAN_COLOR, MODEL_COLORS
from tasks.analysis.page_data import FIGURES
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.scoring.metrics import LEADERBOARD_COLUMNS
from tests.gui.conftest import save_screenshot
from tests.tasks.analysis.cohorts import model_workdir, robust, small_dataset

MODELS = ("model-a", "model-b")
SLOW_MS = 180000  # the figures: a child process, the bootstrap (B = 2000), matplotlib


def study_with_models(ctx, tmp_path, participants: int):
    """A simulated cohort in the app's database, and two models' infer_results.jsonl files in the
    kit's layout (<work_dir>/<model>/<alias>/), answered on the same dataset."""
    ds = small_dataset(tmp_path / "ds")
    simulate(ctx.db, ds, robust(seed=5), participants, Observer("psychometric"), "test", study_name="lab")
    model_workdir(tmp_path, ds, Observer("psychometric", accuracy=0.45), MODELS[0])
    return model_workdir(tmp_path, ds, Observer("random"), MODELS[1])


def results_page(qtbot, ctx, work):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with DbSession(ctx.db) as s:
        window.state.study = repo.get_study(s, "lab")
    window.show()
    page = window.results_page
    page.models_dir.setText(str(work) if work else "")
    return window, page


def show_and_wait(qtbot, window, page):
    with qtbot.waitSignal(page.figure_job.idle, timeout=SLOW_MS):
        window.show_page("results")
    QApplication.processEvents()


def color_pixels(image: QImage, color: str) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    argb = rows[:, :image.width() * 4].view(np.uint32)
    return int(np.count_nonzero((argb & 0xFFFFFF) == (QColor(color).rgb() & 0xFFFFFF)))


def photograph(window, page, tab: str, name: str) -> None:
    page.tabs.setCurrentIndex([page.tabs.tabText(i) for i in range(page.tabs.count())].index(tab))
    QApplication.processEvents()
    save_screenshot(window, name)


def test_the_page_shows_every_model_beside_the_humans_under_grouped_headers(qtbot, ctx, tmp_path):
    work = study_with_models(ctx, tmp_path, participants=12)
    window, page = results_page(qtbot, ctx, work)
    show_and_wait(qtbot, window, page)
    assert page.figures is not None and page.figures.models == list(MODELS)

    # every figure of the report is on the page, one tab each; the bars draw humans and both models
    assert FIGURE_TABS == tuple(name for name, _caption in FIGURES)
    for name in FIGURE_TABS:
        assert not page.figure_views[name].pixmap.isNull(), page.figure_views[name].caption.text()
    bars = page.figure_views["bars_categories"]
    assert bars.responders == ("Human (mean of participants)",) + MODELS
    assert all(m in bars.caption.text() for m in MODELS)
    image = bars.pixmap.toImage()
    for color in (HUMAN_COLOR, MODEL_COLORS[0], MODEL_COLORS[1]):  # the bars' fills, one colour per responder
        assert color_pixels(image, color) > 1000, color
    assert page.figure_views["human_vs_model"].responders[1:] == MODELS
    # shown no wider than the tab (no sideways scrolling), never enlarged
    for view in page.figure_views.values():
        assert 0 < view.image.pixmap().width() <= view.available_width()

    # the leaderboard: the models' rows, the groups above the columns, nothing clipped
    board = page.board
    names = [board.verticalHeaderItem(i).toolTip() for i in range(board.rowCount())]
    assert names[2:4] == list(MODELS)
    header = board.header
    assert [label for label, _n in header.groups] == ["Foundational Perception (pc)", "Temporal (tr)",
                                                      "Spatial (sr)", "All"]
    temporal = header.span(1)
    assert [LEADERBOARD_COLUMNS[c][1] for c in range(temporal[0], temporal[1] + 1)] == ["Continuous", "Discrete", "OA"]
    assert all(LEADERBOARD_COLUMNS[c][2] == "sr" for c in range(header.span(2)[0], header.span(2)[1] + 1))
    assert board.horizontalScrollBar().maximum() == 0  # the whole table fits the page's width
    assert header.length() <= board.viewport().width()
    metrics = board.fontMetrics()
    for g in range(len(header.groups)):
        assert header.group_width(g) >= header.label_width(g), header.groups[g]
    for j in range(board.columnCount()):
        texts = [board.horizontalHeaderItem(j).text()] + [board.item(i, j).text() for i in range(board.rowCount())]
        widest = max(metrics.horizontalAdvance(line) for t in texts for line in t.split("\n"))
        assert widest < board.columnWidth(j), (j, texts)
    vmetrics = board.verticalHeader().fontMetrics()
    for i in range(board.rowCount()):
        assert all(vmetrics.horizontalAdvance(line) < board.verticalHeader().width()
                   for line in board.verticalHeaderItem(i).text().split("\n"))
        assert "…" not in board.verticalHeaderItem(i).text()
    # the human mean's interval is the report's crossed one; exact values in the tooltip
    low, high = page.figures.human_boot_ci["pc_range"]
    assert board.item(0, 0).text().split("\n")[1] == f"[{low:.0f}, {high:.0f}]"
    assert f"crossed interval (people and items sampled) {low:.2f} to {high:.2f}" in board.item(0, 0).toolTip()
    assert "method of moments" in page.board_note.text()

    photograph(window, page, "Leaderboard", "console-results-leaderboard")
    photograph(window, page, "Categories", "console-results-categories")
    photograph(window, page, "Human vs models", "console-results-human-vs-models")
    photograph(window, page, "Item analysis", "console-results-items")


def test_export_report_writes_report_html_with_every_figure_and_offers_to_open_it(qtbot, ctx, tmp_path):
    work = study_with_models(ctx, tmp_path, participants=3)
    window, page = results_page(qtbot, ctx, work)
    show_and_wait(qtbot, window, page)
    opened = []
    page.open_url = lambda url: opened.append(url) or True  # instead of starting the system's browser
    out = tmp_path / "report"
    steps = []
    with qtbot.waitSignal(page.tasks.finished, timeout=SLOW_MS):
        page.export_report(str(out))
        page.tasks.worker.progressed.connect(lambda done, total, label: steps.append((done, total)))
        assert page.tasks.isVisible()  # the progress strip while it writes
    html = (out / "report.html").read_text(encoding="utf-8")
    for f in page.figures.figures:  # every figure the page shows is in the report
        assert f'data-figure="{f.name}"' in html, f.name
        assert (out / f"{f.name}.png").is_file() and (out / f"{f.name}.pdf").is_file()
    assert all(m in html for m in MODELS)
    assert page.report_row.isVisible() and str(out / "report.html") in page.report_note.text()
    assert steps and steps[-1][0] == steps[-1][1]
    photograph(window, page, "Participants", "console-results-report-written")
    page.open_report_button.click()
    assert opened == [QUrl.fromLocalFile(str(out / "report.html"))]
    assert ctx.settings.get("last_export_folder") == str(out)  # the Export dialog's folder, remembered


def error_boxes(page):
    return [w for w in page.findChildren(object) if getattr(w, "objectName", lambda: "")() == "errorBox"]


def test_errors_of_the_computation_reach_the_page_as_messages(qtbot, ctx, tmp_path):
    study_with_models(ctx, tmp_path, participants=2)
    missing = tmp_path / "no-such-models"
    window, page = results_page(qtbot, ctx, missing)
    show_and_wait(qtbot, window, page)
    for view in page.figure_views.values():  # the figures name the folder; no traceback
        text = view.caption.text()
        assert f"{missing}: not a folder of model results" in text and "Traceback" not in text
        assert view.pixmap.isNull()
    assert page.board.rowCount() > 0  # the leaderboard is still shown

    # the report cannot be written where a file stands: said in a message box and on the page
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    page.models_dir.setText("")
    with qtbot.waitSignal(page.tasks.finished, timeout=SLOW_MS):
        page.export_report(str(blocker))
    boxes = error_boxes(page)
    assert boxes and "cannot write the report to" in boxes[-1].text() and str(blocker) in boxes[-1].text()
    assert "Traceback" not in boxes[-1].text()
    assert page.report_note.text().startswith("No report written: cannot write the report to")
    assert not page.open_report_button.isEnabled() and blocker.read_text() == "not a folder"


def test_grouped_header_spans_its_columns_and_widens_a_group_for_its_label(qtbot):
    import pytest
    from PySide6.QtWidgets import QTableWidget

    from gui.console.grouped_header import GroupedHeader

    table = QTableWidget(1, 3)
    header = GroupedHeader([("A rather long group label", 2), ("B", 1)], table)
    table.setHorizontalHeader(header)
    table.setHorizontalHeaderLabels(["x", "y", "z"])
    qtbot.addWidget(table)
    table.resize(600, 200)
    table.show()
    for c in range(3):
        header.resizeSection(c, 20)
    assert header.span(0) == (0, 1) and header.span(1) == (2, 2)
    assert [header.group_of(c) for c in range(3)] == [0, 0, 1]
    assert header.group_width(0) < header.label_width(0)  # narrower than its label...
    alone = header.sectionSize(2)  # (at least the style's minimum section size)
    header.fit_groups()
    assert header.group_width(0) >= header.label_width(0)  # ...widened, the two columns alike
    assert abs(header.sectionSize(0) - header.sectionSize(1)) <= 1
    assert header.sectionSize(2) == max(alone, header.label_width(1))  # "B": only as wide as its label needs
    assert header.sizeHint().height() >= 2 * header.fontMetrics().height()  # room for both rows
    with pytest.raises(IndexError):
        header.group_of(3)
    with pytest.raises(ValueError):
        GroupedHeader([("empty", 0)])
