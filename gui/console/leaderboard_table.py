"""The leaderboard on the Results page: the paper's columns under their pc / tr / sr groups
(GroupedHeader), each cell the value and its 95% interval on a second line, sized so that the
whole table fits the page's width at 1280x720 (no sideways scrolling): a row name wider than
ROW_NAME_MAX_PX goes on two lines (then "…" if still too long), intervals are shown to whole
points; every cell and row name has its full text, to two decimals, in a tooltip."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem, QWidget

from gui.console.grouped_header import GroupedHeader
from tasks.scoring.metrics import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS

# the header's groups: the paper's three datasets and the overall mean
GROUPS = (("Foundational Perception (pc)", 3), ("Temporal (tr)", 3), ("Spatial (sr)", 4), ("All", 1))
ROW_NAME_MAX_PX = 210


def two_lines(text: str, metrics, max_px: int) -> str:
    """``text`` as it fits in max_px: one line, else broken at the last space that lets the first
    line fit, the second line shortened with "…" when it is still too wide."""
    if metrics.horizontalAdvance(text) <= max_px:
        return text
    cut = [k for k, ch in enumerate(text) if ch == " " and metrics.horizontalAdvance(text[:k]) <= max_px]
    if not cut:
        return metrics.elidedText(text, Qt.ElideRight, max_px)
    first, rest = text[:cut[-1]], text[cut[-1] + 1:]
    return first + "\n" + metrics.elidedText(rest, Qt.ElideRight, max_px)


class LeaderboardTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(LEADERBOARD_COLUMNS), parent)
        self.setObjectName("leaderboard")
        self.header = GroupedHeader(GROUPS, self)
        self.setHorizontalHeader(self.header)
        self.setHorizontalHeaderLabels([h for _k, h, _a, _c in LEADERBOARD_COLUMNS])
        for j, (_key, header, alias, category) in enumerate(LEADERBOARD_COLUMNS):
            self.horizontalHeaderItem(j).setToolTip(
                f"{alias} {header}: {category}" if category else
                self.tr("{alias} {header}: the dataset's total").format(alias=alias, header=header) if alias else
                self.tr("MA: the mean of the pc, tr and sr totals"))
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setWordWrap(False)
        self.full_names: list[str] = []

    def show_rows(self, rows, boot_ci: dict[str, tuple[float, float]] | None = None) -> None:
        """rows: tasks.results.compare.LeaderRow in order. The human mean's interval is the crossed
        one (participants and items, method of moments) when ``boot_ci`` has it (as in report.html),
        else its t interval; the
        tooltip gives both, to two decimals."""
        boot_ci = boot_ci or {}
        self.setRowCount(len(rows))
        self.full_names = [r.name + (f" (n={r.n})" if r.n else "") for r in rows]
        metrics = self.verticalHeader().fontMetrics()
        for i, (r, name) in enumerate(zip(rows, self.full_names)):
            label = QTableWidgetItem(two_lines(name, metrics, ROW_NAME_MAX_PX))
            label.setToolTip(name)
            self.setVerticalHeaderItem(i, label)
            for j, key in enumerate(LEADERBOARD_KEYS):
                self.setItem(i, j, self._cell(r, key, boot_ci.get(key) if r.kind == "human-mean" else None))
        self.resizeColumnsToContents()
        self.header.fit_groups()
        self.resizeRowsToContents()

    def _cell(self, row, key: str, boot: tuple[float, float] | None) -> QTableWidgetItem:
        v, t_ci = row.values.get(key), row.ci.get(key)
        if v is None:
            item = QTableWidgetItem("–")
            item.setToolTip(self.tr("{row}: no data for this column").format(row=row.name))
            return item
        shown = boot or t_ci
        item = QTableWidgetItem(f"{v:.1f}" + (f"\n[{shown[0]:.0f}, {shown[1]:.0f}]" if shown else ""))
        tip = [f"{row.name}: {v:.2f}"]
        if boot:
            tip.append(self.tr("95% crossed interval (people and items sampled) {lo:.2f} to {hi:.2f}").format(
                lo=boot[0], hi=boot[1]))
        if t_ci:
            tip.append(self.tr("95% t interval {lo:.2f} to {hi:.2f}").format(lo=t_ci[0], hi=t_ci[1]))
        item.setToolTip("\n".join(tip))
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        return item
