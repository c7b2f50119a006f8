"""One figure of the report on a page: its caption, who is drawn, and the picture (PNG bytes
made by a child process) scaled down to the width available; vertical scrolling only."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget


class FigureView(QScrollArea):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"figure-{name}")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName("figureCaption")
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.image.setObjectName("figureImage")
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(self.caption)
        column.addWidget(self.image)
        column.addStretch(1)
        self.setWidget(inner)
        self.pixmap = QPixmap()  # the figure as rendered; what is shown is scaled from it
        self.responders: tuple[str, ...] = ()

    def set_message(self, text: str) -> None:
        """No picture: say why (computing, nothing to draw, an error)."""
        self.pixmap = QPixmap()
        self.responders = ()
        self.image.clear()
        self.caption.setText(text)

    def set_figure(self, png: bytes, caption: str, responders: tuple[str, ...]) -> bool:
        """Show the picture; False (and a message) when the bytes are not a picture."""
        pixmap = QPixmap()
        if not pixmap.loadFromData(png, "PNG"):
            self.set_message(self.tr("The figure {name} could not be read.").format(name=self.name))
            return False
        self.pixmap, self.responders = pixmap, tuple(responders)
        drawn = self.tr("Drawn: {who}.").format(who=", ".join(responders)) if responders else ""
        self.caption.setText(f"{caption}. {drawn}".strip())
        self._fit()
        return True

    def available_width(self) -> int:
        margins = self.widget().layout().contentsMargins()
        return max(50, self.viewport().width() - margins.left() - margins.right())

    def _fit(self) -> None:
        if self.pixmap.isNull():
            return
        ratio = self.devicePixelRatioF()
        width_px = min(self.pixmap.width(), int(self.available_width() * ratio))  # never enlarged
        shown = self.pixmap if width_px == self.pixmap.width() else \
            self.pixmap.scaledToWidth(width_px, Qt.SmoothTransformation)
        shown.setDevicePixelRatio(ratio)
        self.image.setPixmap(shown)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()
