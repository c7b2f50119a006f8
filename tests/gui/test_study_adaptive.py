"""The Study page's adaptive blocks: the dimensions, procedure and stopping rule chosen in the
form are written into the study's stored Protocol, a reopened study shows its stored adaptive
settings, the count line mentions the blocks, and a study without them stores the protocol it
stored before. Offscreen Qt on a real SQLite file."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession

from db import repo
from tasks.study.plan import Protocol
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import open_console


def study_page(qtbot, ctx):
    window = open_console(qtbot, ctx)
    return window, window.study_page


def stored_protocol(ctx, name: str) -> Protocol:
    with DbSession(ctx.db) as s:
        return Protocol.from_json(repo.get_study(s, name).protocol_json)


def test_the_adaptive_settings_are_written_into_the_protocol_and_shown_again(qtbot, ctx):
    window, page = study_page(qtbot, ctx)
    box = page.adaptive
    assert not box.procedure.isEnabled()  # nothing to set before a dimension is chosen
    assert "adaptive" not in page.counts.text()
    box.boxes["azimuth"].setChecked(True)
    box.boxes["pitch"].setChecked(True)
    box.procedure.setCurrentIndex(box.procedure.findData("3down1up"))
    box.max_trials.setValue(50)
    box.ci_ratio.setValue(0.5)
    box.min_trials.setValue(25)
    assert box.procedure.isEnabled() and box.min_trials.isEnabled()
    assert ("; then 2 adaptive blocks (pitch, azimuth; 3-down-1-up staircase, at most 50 trials each, fewer once "
            "CI width / threshold ≤ 0.5 (from trial 25))") in page.counts.text()
    page.study_name.setText("thresholds")
    page.open_study()
    assert page.study_status.text().startswith("Created study 'thresholds' with this protocol.")
    stored = stored_protocol(ctx, "thresholds")
    assert (stored.adaptive_dimensions, stored.adaptive_procedure, stored.adaptive_max_trials,
            stored.adaptive_stop_ci_width_ratio, stored.adaptive_min_trials) == (["pitch", "azimuth"], "3down1up",
                                                                                  50, 0.5, 25)
    from tests.support.gui_harness import settle_layouts

    def notes_fit() -> bool:  # the layout gives the new, longer notes their height
        settle_layouts()
        return all(n.height() >= n.heightForWidth(n.width()) for n in (page.in_force, page.counts, page.study_status))

    qtbot.waitUntil(notes_fit, timeout=2000)
    save_screenshot(window, "console-study-adaptive")

    # another study without adaptive blocks: the form is changed, then the first study reopened
    page.study_name.setText("plain")
    for dim in ("azimuth", "pitch"):
        box.boxes[dim].setChecked(False)
    box.procedure.setCurrentIndex(box.procedure.findData("quest+"))  # no dimension: not stored
    page.open_study()
    plain = stored_protocol(ctx, "plain")
    assert plain == Protocol.from_json(plain.to_json()) and plain.adaptive_dimensions == []
    with DbSession(ctx.db) as s:
        assert "adaptive" not in repo.get_study(s, "plain").protocol_json  # stored as before adaptive blocks
    assert "adaptive" not in page.counts.text()

    page.study_name.setText("thresholds")
    box.max_trials.setValue(80)  # no dimension chosen: the protocol does not carry it
    page.seed.setValue(page.seed.value() + 1)  # a change the stored study does not take
    page.open_study()
    assert "stored protocol stays in force and the form now shows it" in page.study_status.text()
    assert box.dimensions() == ["pitch", "azimuth"] and box.procedure.currentData() == "3down1up"
    assert (box.max_trials.value(), box.ci_ratio.value(), box.min_trials.value()) == (50, 0.5, 25)
    assert page.current_protocol().to_json() == stored.to_json()
    assert "2 adaptive blocks (pitch, azimuth; 3-down-1-up staircase, at most 50 trials" in page.counts.text()


def test_a_study_opened_at_startup_shows_its_stored_adaptive_settings(qtbot, ctx):
    # a study made elsewhere (the command line) with QUEST+ on distance and staircase step rules
    window, page = study_page(qtbot, ctx)
    made = Protocol(variants=["pc"], adaptive_dimensions=["distance"], adaptive_procedure="quest+",
                    adaptive_max_trials=40, adaptive_start_step_factor=1.5)
    from tasks.study.studies import open_study

    study = open_study(ctx.db, window.state.dataset, "distance", made)
    window.state.set_study(study)
    QApplication.processEvents()
    assert page.adaptive.dimensions() == ["distance"] and page.adaptive.procedure.currentData() == "quest+"
    assert page.adaptive.max_trials.value() == 40
    assert page.current_protocol() == made  # the step rule the form does not edit is kept
    assert "1 adaptive block (distance; QUEST+, at most 40 trials each)" in page.counts.text()
