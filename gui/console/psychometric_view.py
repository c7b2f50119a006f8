"""The Results page's Psychometric tab: the report's psychometric thresholds table and one figure
per dimension (humans vs models, data points and fitted curves), then the thresholds of the
study's adaptive blocks (the rows of thresholds.csv). Each part says why when it has nothing to
show. The figures are PNG bytes made by a child process (tasks.analysis.page_data), scaled down
to the width available, never enlarged; the whole tab scrolls vertically only."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

# thresholds.csv's columns shown, with their headers
ADAPTIVE_COLUMNS = (("participant", "Participant"), ("dimension", "Dimension"), ("unit", "Unit"),
                    ("procedure", "Procedure"), ("threshold", "Threshold"), ("ci", "95% CI"),
                    ("n_trials", "Trials"), ("target_percent_correct", "% correct aimed at"),
                    ("completed", "Completed"))


def _label(text: str = "", name: str | None = None, heading: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if heading:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _table(name: str) -> QTableWidget:
    table = QTableWidget(0, 0)
    table.setObjectName(name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, headers: list[str], rows: list[tuple[str, ...]]) -> None:
    """Rows of text; the table is as tall as its rows (the tab scrolls, not the table)."""
    table.setUpdatesEnabled(False)
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    table.setWordWrap(False)  # one line a row (a long note is cut at the edge; its tooltip is whole)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(i, j, item)
    table.resizeRowsToContents()
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(i) for i in range(len(rows)))
    table.setFixedHeight(height)
    table.setVisible(bool(rows))
    table.setUpdatesEnabled(True)


def adaptive_cells(row: dict) -> tuple[str, ...]:
    """One thresholds.csv row as the table shows it: the CI as one cell."""
    ci = f"[{row['ci_low']}, {row['ci_high']}]" if row["ci_low"] != "" else "–"
    values = dict(row, ci=ci, threshold=row["threshold"] or "–", completed="yes" if row["completed"] else "no")
    return tuple(str(values[key]) for key, _header in ADAPTIVE_COLUMNS)


class PsychometricView(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("psychometricView")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.message = _label(name="psychometricMessage")
        self.table = _table("psychometricThresholds")
        self.note = _label(name="psychometricNote")
        self.adaptive_message = _label(name="adaptiveMessage")
        self.adaptive_table = _table("adaptiveThresholds")
        inner = QWidget()
        self.column = QVBoxLayout(inner)
        self.column.addWidget(_label(self.tr("Psychometric functions of the perception grid"), heading=True))
        self.column.addWidget(self.message)
        self.column.addWidget(self.table)
        self.column.addWidget(self.note)
        self.figure_column = QVBoxLayout()
        self.column.addLayout(self.figure_column)
        self.column.addWidget(_label(self.tr("Adaptive blocks: thresholds (as in thresholds.csv)"), heading=True))
        self.column.addWidget(self.adaptive_message)
        self.column.addWidget(self.adaptive_table)
        self.column.addStretch(1)
        self.setWidget(inner)
        # name -> (the figure as rendered, the label showing it scaled), in the report's order
        self.figures: dict[str, tuple[QPixmap, QLabel]] = {}
        self.captions: dict[str, str] = {}
        self.set_message(self.tr("Not computed yet."))

    def _clear_figures(self) -> None:
        while self.figure_column.count():
            widget = self.figure_column.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.figures, self.captions = {}, {}

    def set_message(self, text: str) -> None:
        """Nothing to show (computing, an error): both parts say so."""
        self._clear_figures()
        for table in (self.table, self.adaptive_table):
            _fill(table, [], [])
        self.message.setText(text)
        self.note.setText("")
        self.adaptive_message.setText(text)
        self.message.setVisible(True)
        self.adaptive_message.setVisible(True)

    def show_report(self, psycho) -> None:
        """psycho: tasks.analysis.page_data.PagePsychometric."""
        self._clear_figures()
        self.message.setText(psycho.missing)
        self.message.setVisible(bool(psycho.missing))
        _fill(self.table, psycho.columns, psycho.rows)
        self.note.setText(psycho.note)
        for f in psycho.figures:
            pixmap = QPixmap()
            if not pixmap.loadFromData(f.png, "PNG"):
                self.figure_column.addWidget(_label(self.tr("The figure {name} could not be read.").format(name=f.name)))
                continue
            drawn = self.tr("Drawn: {who}.").format(who=", ".join(f.responders)) if f.responders else ""
            caption = f"{f.caption}. {drawn}".strip()
            image = QLabel()
            image.setObjectName(f"figure-{f.name}")
            image.setAlignment(Qt.AlignLeft | Qt.AlignTop)
            self.figure_column.addWidget(_label(caption, "figureCaption"))
            self.figure_column.addWidget(image)
            self.figures[f.name] = (pixmap, image)
            self.captions[f.name] = caption
        self._fit()
        self.adaptive_message.setText(psycho.adaptive_missing)
        self.adaptive_message.setVisible(bool(psycho.adaptive_missing))
        _fill(self.adaptive_table, [self.tr(h) for _k, h in ADAPTIVE_COLUMNS],
              [adaptive_cells(r) for r in psycho.adaptive_rows])

    def available_width(self) -> int:
        margins = self.widget().layout().contentsMargins()
        return max(50, self.viewport().width() - margins.left() - margins.right())

    def _fit(self) -> None:
        ratio = self.devicePixelRatioF()
        for pixmap, image in self.figures.values():
            width_px = min(pixmap.width(), int(self.available_width() * ratio))  # never enlarged
            shown = pixmap if width_px == pixmap.width() else pixmap.scaledToWidth(width_px, Qt.SmoothTransformation)
            shown.setDevicePixelRatio(ratio)
            image.setPixmap(shown)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()
