"""Pictures of every take-home participant screen at 1280x720 and 1920x1080, for docs/screenshots.

Run with STARLAB_SCREENSHOT_DIR=docs/screenshots to refresh the committed pictures (the
screenshots command selects the tests named ``screenshots``); otherwise they go to a temporary
folder. Each screen is also checked for clipped text: every visible label, button and line of a
page must fit inside the window at both sizes."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit

from tests.gui.conftest import save_screenshot
from tests.gui.test_session_jack import short_screening
from tests.support.gui_harness import lab_context
from tests.gui.test_takehome_gui import activate, enter, lab_package

pytestmark = pytest.mark.jack

SIZES = ((1280, 720), (1920, 1080))


@pytest.fixture
def home(tmp_path, jack_server):
    ctx = lab_context(tmp_path / "home-data", tmp_path / "home.sqlite3", "home-laptop", allow_attenuation=True)
    yield ctx
    ctx.audio.presenter.engine.close()


def clipped(window) -> list[str]:
    """Visible text widgets that do not fit inside the window, or whose text needs more room
    than they were given (a label cut off at the bottom, a button narrower than its text)."""
    problems = []
    inside = window.rect()
    for w in window.findChildren(QLabel) + window.findChildren(QAbstractButton) + window.findChildren(QLineEdit):
        if not w.isVisible() or not w.isVisibleTo(window):
            continue
        text = w.text()
        if not text:
            continue
        top_left = w.mapTo(window, w.rect().topLeft())
        bottom_right = w.mapTo(window, w.rect().bottomRight())
        if not (inside.contains(top_left) and inside.contains(bottom_right)):
            problems.append(f"{w.objectName() or type(w).__name__} {text[:30]!r}: outside the window")
            continue
        hint = w.minimumSizeHint() if isinstance(w, QAbstractButton) else w.sizeHint()
        if isinstance(w, QAbstractButton) and w.height() + 1 < max(w.minimumHeight(), hint.height()):
            problems.append(f"{w.objectName() or 'button'} {text[:30]!r}: squeezed to {w.height()} px high")
            continue
        if isinstance(w, QLabel) and w.wordWrap():
            need = w.heightForWidth(w.width())
            if need > w.height() + 2:
                problems.append(f"{w.objectName() or 'label'} {text[:30]!r}: {w.height()} px high, needs {need}")
        elif isinstance(w, QAbstractButton) and hint.width() > w.width() + 2:
            problems.append(f"{w.objectName() or 'button'} {text[:30]!r}: {w.width()} px wide, needs {hint.width()}")
    for edit in window.findChildren(QPlainTextEdit):  # shown whole: no scrolling away of any part
        if edit.isVisible() and edit.document().size().height() * edit.fontMetrics().lineSpacing() > \
                edit.viewport().height() + 2:
            problems.append(f"{edit.objectName()}: its text does not fit")
    return problems


def shoot(flow, name: str) -> None:
    from tests.support.gui_harness import settle_layouts
    from tests.support.waiting import wait_until

    def settled() -> bool:  # after the layout's next pass (a page that fits its content to the width)
        settle_layouts()
        return not clipped(flow)

    width, height = flow.width(), flow.height()
    try:
        wait_until(settled, 2.0, pause=lambda s: QTest.qWait(round(s * 1000)))
    except TimeoutError:
        raise AssertionError((name, width, height, clipped(flow))) from None
    save_screenshot(flow, f"{name}-{width}x{height}")


@pytest.mark.parametrize("width, height", SIZES)
def test_screenshots_takehome_screens(qtbot, tmp_path, dataset_dir, home, width, height):
    """The whole run at one window size from the start (as on a screen of that size: the
    trial screen sizes its options when a question appears)."""
    from gui.app import TakeHome
    from gui.participant.play_indicator import ANSWER, PLAYING
    from gui.takehome.screens import HEARD_RIGHT_WAY

    _lab_db, package = lab_package(tmp_path, dataset_dir, "H003", texts=True)
    takehome = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back",
                        open_url=lambda url: None)
    takehome.start()
    flow = takehome.window
    qtbot.addWidget(flow)
    flow.setWindowState(Qt.WindowNoState)
    flow.setGeometry(0, 0, width, height)
    qtbot.waitUntil(lambda: (flow.width(), flow.height()) == (width, height), timeout=3000)
    activate(qtbot, flow)
    shoot(flow, "takehome-welcome")
    enter(qtbot, flow, "information")
    shoot(flow, "takehome-information")
    enter(qtbot, flow, "consent")
    flow.screens["consent"].check.setChecked(True)
    shoot(flow, "takehome-consent")
    enter(qtbot, flow, "output")
    output = flow.screens["output"]
    output.play.click()
    qtbot.waitUntil(lambda: output.answers[HEARD_RIGHT_WAY].isEnabled(), timeout=10000)  # the sound has ended
    output.answers[HEARD_RIGHT_WAY].click()
    shoot(flow, "takehome-output")
    enter(qtbot, flow, "level")
    level = flow.screens["level"]
    qtbot.waitUntil(lambda: level.indicator.state == ANSWER, timeout=15000)
    level.select(0)
    shoot(flow, "takehome-level")
    qtbot.keyClick(flow, Qt.Key_Return)
    qtbot.waitUntil(lambda: flow.current == "participant", timeout=5000)

    participant = flow.participant
    taken = set()
    for _ in range(200):
        if flow.current == "end":
            break
        if participant.stack.currentWidget() is participant.message:
            title = participant.message.title.text()
            if title == "Thank you!":  # the flow replaces it with its end screen at once
                break
            name = {"Headphone check": "takehome-screening-intro", "Ready": "takehome-ready"}.get(title)
            if name and name not in taken:
                shoot(flow, name)
                taken.add(name)
            qtbot.keyClick(participant, Qt.Key_Return)
            qtbot.waitUntil(lambda: flow.current == "end" or participant.stack.currentWidget() is not participant.message
                            or participant.message.title.text() != title, timeout=10000)
            continue
        trial = participant.trial
        three_clips = len(participant.current_question.clip_labels) == 3
        screening = "takehome-ready" not in taken  # the checks come before "Ready"
        name = ("takehome-screening" if screening else
                "takehome-trial-temporal" if three_clips else "takehome-trial")
        if name not in taken and three_clips and not screening:
            qtbot.waitUntil(lambda: trial.indicator.sync() or trial.indicator.state == PLAYING, timeout=15000)
            shoot(flow, "takehome-trial-listening")
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        trial.select(0)
        if name not in taken:
            shoot(flow, name)
            taken.add(name)
        qtbot.keyClick(participant, Qt.Key_Return)
    qtbot.waitUntil(lambda: flow.current == "end", timeout=10000)
    shoot(flow, "takehome-end")
    assert {"takehome-screening-intro", "takehome-screening", "takehome-ready", "takehome-trial",
            "takehome-trial-temporal"} <= taken
