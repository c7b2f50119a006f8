"""The participant style sheet: contrast of every text colour on its background in both schemes,
type that grows with the window, and the take-home screens in the dark scheme."""
import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from tests.gui.conftest import save_screenshot


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour like "#1a56c4"."""
    channels = [int(hex_colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_luminance_matches_the_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


# (text role, background role, least ratio): 4.5:1 for text (WCAG AA), 3:1 for the large disc
# glyph and for disabled controls (which WCAG exempts; they must still be legible)
PAIRS = [("text", "background", 4.5), ("text", "surface", 4.5), ("muted", "background", 4.5),
         ("muted", "surface", 4.5), ("on_listen", "listen", 4.5), ("on_answer", "answer", 4.5),
         ("listen", "background", 4.5), ("answer", "background", 4.5), ("listen", "surface", 3.0),
         ("answer", "surface", 3.0), ("disabled_text", "disabled_surface", 3.0)]


@pytest.mark.parametrize("dark", [False, True])
def test_every_text_colour_has_enough_contrast_on_its_background(dark):
    from gui.common.theme import participant_colours

    c = participant_colours(dark)
    low = [(fg, bg, round(contrast(c[fg], c[bg]), 2)) for fg, bg, least in PAIRS if contrast(c[fg], c[bg]) < least]
    assert not low


def test_type_follows_the_window_height_and_the_scheme(qtbot):
    from gui.common.theme import apply_participant_look

    window = QWidget()
    window.setObjectName("participantWindow")
    label = QLabel("Question 1 of 8")
    label.setObjectName("trialTitle")
    body = QLabel("Where is the source?")
    QVBoxLayout(window).addWidget(label)
    window.layout().addWidget(body)
    qtbot.addWidget(window)
    look = apply_participant_look(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    small = body.font().pointSizeF()
    assert small == pytest.approx(15.0, abs=0.1) and label.font().pointSizeF() == pytest.approx(1.5 * small, abs=0.1)
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: body.font().pointSizeF() > small)
    assert body.font().pointSizeF() == pytest.approx(22.5, abs=0.1)
    assert "#f1f3f6" not in window.styleSheet()  # the light scheme (offscreen has no dark system theme)
    look.dark = True
    look.refresh()
    assert "#f1f3f6" in window.styleSheet() and "background: #15171b" in window.styleSheet()


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_screenshots_takehome_dark(qtbot, width, height):
    """The screens without sound in the dark scheme (the flow's pages on their own)."""
    from gui.takehome.screens import HEARD_ONE_SIDE, ConsentScreen, OutputScreen, WelcomeScreen
    from gui.common.theme import apply_participant_look
    from tests.gui.test_takehome_screenshots import clipped
    from tests.support.gui_harness import settle_layouts

    hosts = []  # kept until the end of the test
    for name, screen in (
            ("welcome", WelcomeScreen("pilot", (25, 35), 120, resuming=False)),
            ("consent", ConsentScreen({"format": "markdown", "text": "I **agree** to take part."})),
            ("output", OutputScreen(["system (JACK Audio Connection Kit)", "Speakers (ALSA)"], 0))):
        host = QWidget()
        hosts.append(host)
        host.setObjectName("takeHomeFlow")
        QVBoxLayout(host).addWidget(screen)
        qtbot.addWidget(host)
        look = apply_participant_look(host)
        look.dark = True
        host.resize(width, height)
        host.show()
        qtbot.waitExposed(host)
        if name == "output":
            screen.test_playing()
            screen.test_ended()
            screen.heard(HEARD_ONE_SIDE)
            assert not screen.next.isEnabled() and "plug" in screen.status.text()

        def fits():  # after the layout's next pass (new margins, room for a wrapped note)
            settle_layouts()
            assert not clipped(host), clipped(host)

        qtbot.waitUntil(fits, timeout=2000)
        save_screenshot(host, f"takehome-{name}-dark-{width}x{height}")
