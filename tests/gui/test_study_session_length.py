"""The Study page's design fields and session length (gui/console/design_box.py): the estimate of
the protocol in force against a simulated session, the median response time once the study has
answers, the warning above the session length, and a cover study's share."""
import pytest
from PySide6.QtWidgets import QApplication

from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol
from tasks.study.session_time import ANSWER_ALLOWANCE_S
from tasks.study.studies import study_protocol
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import open_console
from tests.support.timed_dataset import write_timed_dataset
from tests.tasks.study.test_session_time_protocol import simulated_session_s


@pytest.fixture
def timed_window(qtbot, ctx, tmp_path):
    root = write_timed_dataset(tmp_path / "timed")
    window = open_console(qtbot, ctx, root)
    return window, window.study_page


def estimate_after(qtbot, page, change=lambda: None):
    """The estimate the box shows once the newest job (started by ``change``) is done."""
    with qtbot.waitSignal(page.design.estimated, timeout=20000):
        change()
    qtbot.waitUntil(lambda: not page.design.job.busy, timeout=20000)
    return page.design.estimate


def test_the_estimate_matches_a_simulated_session_and_uses_its_answer_times(qtbot, ctx, timed_window):
    window, page = timed_window
    page.protocol.setCurrentText("full-robust")
    est = estimate_after(qtbot, page, lambda: page.items_per_group.setValue(0))
    assert est.answers_measured == 0 and est.answer_s == ANSWER_ALLOWANCE_S
    assert "a fixed allowance" in page.design.length.text()
    page.study_name.setText("timed")
    page.open_study()
    study = window.state.study
    protocol = study_protocol(study)
    assert protocol.mode == "full-robust" and protocol.design == "shared"
    simulate(ctx.db, window.state.dataset, protocol, 2, Observer("perfect"), "test", study_name="timed")
    est = estimate_after(qtbot, page, page.update_counts)
    assert est.answers_measured > 0
    assert "median response time of" in page.design.length.text()
    clips_s, played_s, n = simulated_session_s(ctx.db, window.state.dataset, study.id)
    assert est.trials == n
    assert est.trial_time_s == pytest.approx(clips_s, rel=0.15)


def test_a_long_session_is_warned_about_and_a_cover_share_fits(qtbot, ctx, timed_window):
    window, page = timed_window
    page.protocol.setCurrentText("full-robust")
    page.items_per_group.setValue(0)
    est = estimate_after(qtbot, page, lambda: page.design.session_minutes.setValue(10))
    assert est.total_s > 10 * 60 and est.share_of is None
    assert page.design.warning.isVisible() and "Longer than the 10 min" in page.design.warning.text()
    assert not page.design.responses_per_run.isEnabled()  # K means something only in a cover study
    page.design.responses_per_run.setValue(2)
    share = estimate_after(qtbot, page, lambda: page.design.design.setCurrentIndex(page.design.design.findData("cover")))
    assert page.design.responses_per_run.isEnabled()
    assert share.share_of == est.test_trials and share.test_trials < est.test_trials and share.total_s <= 10 * 60
    assert not page.design.warning.isVisible()
    assert "One share: about" in page.design.length.text() and "answered 2 times" in page.design.length.text()
    page.study_name.setText("cover")
    page.open_study()
    stored = study_protocol(window.state.study)
    assert (stored.design, stored.responses_per_run, stored.session_minutes) == ("cover", 2, 10.0)
    # the field refuses what the protocol would (validated like the other fields)
    page.design.session_minutes.lineEdit().setText("0")
    assert page.design.session_minutes.value() >= 1


def test_a_stored_design_fills_the_form(qtbot, ctx, timed_window):
    window, page = timed_window
    from tasks.study.studies import open_study

    open_study(ctx.db, window.state.dataset, "stored", Protocol(design="cover", responses_per_run=4,
                                                                  session_minutes=45))
    page.study_name.setText("stored")
    page.open_study()
    assert page.design.design.currentData() == "cover"
    assert page.design.responses_per_run.value() == 4 and page.design.session_minutes.value() == 45


def test_screenshot_of_a_cover_study_and_of_the_warning(qtbot, ctx, timed_window):
    window, page = timed_window
    page.protocol.setCurrentText("full-robust")
    page.items_per_group.setValue(0)
    estimate_after(qtbot, page, lambda: page.design.session_minutes.setValue(10))
    QApplication.processEvents()
    save_screenshot(window, "console-study-session-warning")
    page.design.design.setCurrentIndex(page.design.design.findData("cover"))
    page.study_name.setText("cover")
    estimate_after(qtbot, page, page.open_study)
    QApplication.processEvents()
    save_screenshot(window, "console-study-cover")
