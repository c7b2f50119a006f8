"""Light and dark palettes that follow the system colour scheme, and the participant screens'
style sheet."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLayout, QWidget


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor(30, 32, 36), QColor(40, 43, 48), QColor(230, 232, 235)
    for role, color in [
        (QPalette.Window, window), (QPalette.WindowText, text), (QPalette.Base, base),
        (QPalette.AlternateBase, window), (QPalette.Text, text), (QPalette.Button, QColor(52, 56, 62)),
        (QPalette.ButtonText, text), (QPalette.Highlight, QColor(64, 128, 220)),
        (QPalette.HighlightedText, QColor(255, 255, 255)), (QPalette.ToolTipBase, window),
        (QPalette.ToolTipText, text), (QPalette.PlaceholderText, QColor(150, 150, 150)),
    ]:
        p.setColor(role, color)
    p.setColor(QPalette.Disabled, QPalette.ButtonText, QColor(120, 120, 120))
    p.setColor(QPalette.Disabled, QPalette.Text, QColor(120, 120, 120))
    return p


def is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if is_dark() else app.style().standardPalette())


def follow_system_theme(app: QApplication) -> None:
    apply_theme(app)
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))


# ---------------------------------------------------------------- participant screens
# The participant's screens (the trial and message screens of gui/participant/window.py, the take-home
# screens of gui/takehome/screens.py) get their own style sheet: large type scaled to the
# window's height (readable at 2 m), generous spacing, one accent colour for "listen" and one
# for "answer". Text colours meet WCAG AA contrast (4.5:1) on their backgrounds in both schemes.
PARTICIPANT_COLOURS = {
    # role: (light, dark)
    "background": ("#f4f5f7", "#15171b"),
    "surface": ("#ffffff", "#1f2329"),
    "text": ("#111418", "#f1f3f6"),
    "muted": ("#434b57", "#b9c0cb"),
    "border": ("#b8bfca", "#4a525e"),
    "listen": ("#1a56c4", "#7db0ff"),  # the play disc and the clip sounding now
    "on_listen": ("#ffffff", "#0b1526"),
    "answer": ("#17683f", "#6fdc9c"),  # the answer state and the chosen option
    "on_answer": ("#ffffff", "#07200f"),
    "disabled_text": ("#6b7380", "#8b93a0"),
    "disabled_surface": ("#e7e9ed", "#262a31"),
}


def participant_colours(dark: bool) -> dict[str, str]:
    return {role: pair[1 if dark else 0] for role, pair in PARTICIPANT_COLOURS.items()}


def participant_base_pt(height_px: int) -> float:
    """Body text size for a window this tall: 1/48 of the height, never under 14 pt (the size
    the participant window has always used)."""
    return max(14.0, height_px / 48.0)


def participant_style_sheet(height_px: int, dark: bool) -> str:
    c = participant_colours(dark)
    pt = participant_base_pt(height_px)
    px = pt * 96.0 / 72.0  # logical pixels of one line of body text, roughly
    disc = int(px * 2.8)
    pad = int(px * 0.6)
    options = ", ".join(f"QPushButton#option{chr(ord('A') + i)}" for i in range(26))
    options_checked = ", ".join(f"QPushButton#option{chr(ord('A') + i)}:checked" for i in range(26))
    options_disabled = ", ".join(f"QPushButton#option{chr(ord('A') + i)}:disabled" for i in range(26))
    return f"""
QWidget {{ font-size: {pt:.1f}pt; color: {c['text']}; }}
#participantWindow, #takeHomeFlow {{ background: {c['background']}; }}
QLabel#trialTitle, QLabel#messageTitle, QLabel#screenTitle {{
    font-size: {pt * 1.5:.1f}pt; font-weight: bold; padding-bottom: {pad}px; }}
QLabel#question {{ font-size: {pt * 1.15:.1f}pt; padding: {pad}px 0px; }}
QLabel#trialContext, QLabel#replaysLeft, QLabel#breakTimer, QLabel#screenNote {{ color: {c['muted']}; }}
QLabel#playingIndicator {{ color: {c['muted']}; font-size: {pt * 0.9:.1f}pt; }}
QLabel#messageBody {{ padding: {pad}px; }}
QTextBrowser#screenText {{ background: {c['surface']}; border: 1px solid {c['border']}; border-radius: 10px;
    padding: {pad}px; }}
QPushButton {{ background: {c['surface']}; border: 2px solid {c['border']}; border-radius: 12px;
    padding: {pad // 2}px {pad * 2}px; min-height: {int(px * 1.4)}px; }}
QPushButton:hover {{ border-color: {c['listen']}; }}
QPushButton:focus {{ border-color: {c['listen']}; }}
QPushButton:disabled {{ color: {c['disabled_text']}; background: {c['disabled_surface']};
    border-color: {c['disabled_surface']}; }}
QPushButton#continue, QPushButton#confirm, QPushButton#primary {{ background: {c['listen']}; color: {c['on_listen']};
    border-color: {c['listen']}; font-weight: bold; padding: {pad}px {pad * 3}px; }}
QPushButton#continue:disabled, QPushButton#confirm:disabled, QPushButton#primary:disabled {{
    color: {c['disabled_text']}; background: {c['disabled_surface']}; border-color: {c['disabled_surface']}; }}
{options} {{ border-radius: 14px; padding-top: {pad // 3}px; padding-bottom: {pad // 3}px; }}
{options_checked} {{ background: {c['answer']}; color: {c['on_answer']}; border-color: {c['answer']};
    font-weight: bold; }}
{options_disabled} {{ color: {c['disabled_text']}; background: {c['disabled_surface']};
    border-color: {c['disabled_surface']}; }}
QProgressBar#sessionProgress {{ background: {c['disabled_surface']}; border: none; border-radius: 4px; }}
QProgressBar#sessionProgress::chunk {{ background: {c['listen']}; border-radius: 4px; }}
QPushButton#playGlyph {{ min-width: {disc}px; max-width: {disc}px; min-height: {disc}px; max-height: {disc}px;
    border-radius: {disc // 2}px; font-size: {pt * 1.8:.1f}pt; padding: 0px;
    border: {max(3, int(px * 0.15))}px solid {c['listen']}; color: {c['listen']}; background: {c['surface']}; }}
QPushButton#playGlyph[state="playing"] {{ background: {c['listen']}; color: {c['on_listen']}; }}
QPushButton#playGlyph[state="answer"] {{ border-color: {c['answer']}; color: {c['answer']}; }}
QPushButton#playGlyph[state="preparing"], QPushButton#playGlyph[state="idle"] {{
    border-color: {c['border']}; color: {c['muted']}; }}
QLabel#playCaption {{ font-size: {pt * 1.1:.1f}pt; font-weight: bold; color: {c['muted']}; }}
QLabel#playCaption[state="playing"] {{ color: {c['listen']}; }}
QLabel#playCaption[state="answer"] {{ color: {c['answer']}; }}
QLabel#clipPill {{ border: 2px solid {c['border']}; border-radius: {int(px * 0.9)}px; padding: {pad // 2}px {pad * 2}px;
    color: {c['muted']}; background: {c['surface']}; }}
QLabel#clipPill[active="true"] {{ background: {c['listen']}; color: {c['on_listen']}; border-color: {c['listen']}; }}
QComboBox {{ padding: {pad // 2}px {pad}px; border: 2px solid {c['border']}; border-radius: 8px;
    background: {c['surface']}; min-height: {int(px * 1.5)}px; }}
QCheckBox, QRadioButton {{ spacing: {pad}px; }}
QCheckBox::indicator {{ width: {int(px)}px; height: {int(px)}px; }}
QLabel#screenHeading {{ font-size: {pt * 1.15:.1f}pt; font-weight: bold; }}
QPlainTextEdit#bundlePath {{ padding: {pad // 2}px {pad}px; border: 2px solid {c['border']}; border-radius: 8px;
    background: {c['surface']}; font-family: "DejaVu Sans Mono", monospace; }}
"""


class ParticipantLook(QObject):
    """Keeps a participant window styled: the sheet follows its height (type readable at 2 m
    on any screen) and the system's light or dark scheme, and its outer margins grow with it."""

    def __init__(self, window: QWidget, margins: bool = True):
        """``margins`` False: the window's own margins are left at zero (its pages have theirs)."""
        super().__init__(window)
        self.window, self.margins = window, margins
        self.dark: bool | None = None  # None: follow the system; True/False: that scheme
        self.applied: tuple[int, bool] | None = None
        window.installEventFilter(self)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        self.refresh()

    def eventFilter(self, watched, event) -> bool:
        # getattr: while the window is being destroyed this object's Python side may be gone first
        if event.type() == QEvent.Type.Resize and watched is getattr(self, "window", None):
            self.refresh()
        return False

    def _scheme_changed(self, _scheme) -> None:
        self.refresh()

    def refresh(self) -> None:
        size = self.window.size()
        # whole points: a resize by a few pixels does not restyle every child
        key = (int(participant_base_pt(size.height())), is_dark() if self.dark is None else self.dark)
        layout = self.window.layout()  # may be set after this object was made
        if layout is not None:
            # the window is sized to the screen; its content must not push it larger (the type
            # grows with the height, so a window that grew would grow again)
            layout.setSizeConstraint(QLayout.SetNoConstraint)
            side, top = (max(24, size.width() // 12), max(12, size.height() // 48)) if self.margins else (0, 0)
            layout.setContentsMargins(side, top, side, top)
        if key != self.applied:
            self.applied = key
            self.window.setStyleSheet(participant_style_sheet(size.height(), key[1]))


def apply_participant_look(window: QWidget, margins: bool = True) -> ParticipantLook:
    window.setAttribute(Qt.WA_StyledBackground, True)
    return ParticipantLook(window, margins)
