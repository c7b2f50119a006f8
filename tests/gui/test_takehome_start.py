"""Take-home start through the app's launcher (gui/launch.py) with a real package, a real SQLite
file and the JACK dummy output: the first screen is on screen while the start-up work is still
running on its worker, and the flow's welcome replaces it when the work is done; without an
output the first screen says what to do, and Retry with a device present goes on to the welcome."""
import threading

import pytest
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import save_screenshot
from tests.gui.test_takehome_gui import lab_package
from tests.support.gui_harness import lab_context

pytestmark = pytest.mark.jack


@pytest.fixture
def opened(tmp_path, jack_server):
    """The home computer's context and output (closed afterwards); open_context hands it out."""
    made = {}

    def open_context(progress=None, should_cancel=None):
        made["ctx"] = lab_context(tmp_path / "home-data", tmp_path / "home.sqlite3", "home-laptop", with_audio=False)
        return made["ctx"]

    yield made, open_context
    audio = made.get("audio")
    if audio is not None:
        audio.presenter.engine.close()


def photograph(qtbot, window, name: str) -> None:
    """A 1280x720 screenshot (make screenshots) of the window, as the other take-home screens."""
    window.showNormal()
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280, timeout=5000)
    save_screenshot(window, f"{name}-1280x720")


def real_output(made, ctx):
    from tasks.presentation.presenter import build_audio

    made["audio"] = build_audio(ctx.db, ctx.settings, "home-laptop")
    return made["audio"], ""


def test_the_first_screen_is_shown_while_the_start_up_work_runs(qtbot, tmp_path, dataset_dir, opened):
    from gui.launch import Launcher

    made, open_context = opened
    _lab, package = lab_package(tmp_path, dataset_dir, "H101", texts=False)
    sentinel = threading.Event()  # the output is not opened before the test has seen the first screen
    audio_started = threading.Event()

    def open_audio(ctx, progress=None, should_cancel=None, rescan=False):
        audio_started.set()
        assert sentinel.wait(60), "the test never released the output"
        return real_output(made, ctx)

    launcher = Launcher(QApplication.instance(), open_context, open_audio, package)
    launcher.start()
    first = launcher.start_window
    qtbot.addWidget(first)
    qtbot.waitUntil(first.isVisible, timeout=5000)
    assert first.current == "preparing" and first.waiting.title.text() == "Getting your study ready"
    qtbot.waitUntil(audio_started.is_set, timeout=30000)  # after the first paint: the database is open
    assert launcher.takehome is None and any(w.isRunning() for w in launcher.workers)  # the work goes on
    assert first.isVisible()
    photograph(qtbot, first, "takehome-preparing")
    sentinel.set()
    qtbot.waitUntil(lambda: launcher.takehome is not None and launcher.takehome.window is not None, timeout=60000)
    flow = launcher.takehome.window
    qtbot.addWidget(flow)
    assert flow.current == "welcome" and flow.isVisible() and not first.isVisible()
    launcher.wait()


def test_no_output_says_what_to_do_and_retry_with_a_device_goes_on(qtbot, tmp_path, dataset_dir, opened):
    from gui.launch import Launcher

    made, open_context = opened
    _lab, package = lab_package(tmp_path, dataset_dir, "H102", texts=False)
    calls: list[bool] = []

    def open_audio(ctx, progress=None, should_cancel=None, rescan=False):
        calls.append(rescan)
        if len(calls) == 1:  # no device yet: what main.py's open_audio reports when the list is empty
            return None, "no output device found"
        return real_output(made, ctx)  # the headphones are plugged in now

    launcher = Launcher(QApplication.instance(), open_context, open_audio, package)
    launcher.start()
    first = launcher.start_window
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: first.current == "no output", timeout=30000)
    screen = first.no_output
    assert screen.title.text() == "No sound output"
    body = screen.body.text()
    assert "Plug in your headphones" in body and "sound settings" in body and "Press Retry" in body
    assert first.reason.text() == "What the computer reported: no output device found"
    retry = screen.primary
    assert retry.text() == "Retry (Enter)" and retry.isEnabled()
    photograph(qtbot, first, "takehome-no-output")
    retry.click()
    qtbot.waitUntil(lambda: launcher.takehome is not None and launcher.takehome.window is not None, timeout=60000)
    flow = launcher.takehome.window
    qtbot.addWidget(flow)
    assert calls == [False, True]  # Retry looked again, with the device list read anew
    assert flow.current == "welcome" and not first.isVisible()
    launcher.wait()


def test_the_localization_check_a_package_asks_for_has_its_hrtf_read_on_the_worker(qtbot, tmp_path, dataset_dir,
                                                                                   opened, monkeypatch):
    """prepare_package (the worker's part) reads the HRTF at the output's rate when the package asks
    for the localization check, and only then; the flow's screening then ends with that check,
    and showing the flow (the GUI thread's part) reads no HRTF."""
    from db.engine import open_database
    from gui.app import TakeHome
    from gui.takehome.start import prepare_package
    from tasks.dataset.loader import load_dataset
    from tasks.study.plan import Protocol
    from tasks.study.studies import open_study
    from tasks.takehome.packages import make_package

    made, open_context = opened
    lab, ds = open_database(tmp_path / "lab.sqlite3"), load_dataset(dataset_dir)
    open_study(lab, ds, "home", Protocol(variants=["sr", "tr"], items_per_group=1, practice_per_block=0, seed=3))
    with_check = make_package(lab, ds, "home", "H103", tmp_path / "with.zip", "test", screening={"localization": True})
    without = make_package(lab, ds, "home", "H104", tmp_path / "without.zip", "test")
    ctx = open_context()
    ctx.audio = real_output(made, ctx)[0]
    rate = ctx.audio.presenter.choice.sample_rate_hz

    prepared = prepare_package(ctx, with_check)
    assert prepared.hrirs is not None and prepared.hrirs.sample_rate_hz == rate
    assert prepare_package(ctx, with_check, hrtf=False).hrirs is None  # a screening given by the caller

    def no_hrtf_here(*_args, **_kwargs):
        raise AssertionError("an HRTF read on the GUI thread")

    monkeypatch.setattr("audio.hrtf.load_hrtf", no_hrtf_here)
    takehome = TakeHome(ctx, None, with_check, out_dir=tmp_path / "out")
    takehome.show(prepared)
    qtbot.addWidget(takehome.window)
    assert [t.name for t in takehome.screening(5)] == ["antiphase", "huggins", "localization"]

    plain = prepare_package(ctx, without)
    assert plain.hrirs is None
    takehome = TakeHome(ctx, None, without, out_dir=tmp_path / "out2")
    takehome.show(plain)
    qtbot.addWidget(takehome.window)
    assert [t.name for t in takehome.screening(5)] == ["antiphase", "huggins"]
