"""A horizontal table header with a row of group labels above the column labels, each group
spanning its columns (the leaderboard's pc / tr / sr groups above Range, Sensitivity, MA ...)."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader, QWidget

GROUP_PADDING_PX = 16  # room on either side of a group label, in total


class GroupedHeader(QHeaderView):
    """``groups``: (label, number of columns spanned), left to right, covering every column.
    The upper half of each section draws its group's label over the group's whole span (each
    section paints the part of the span it covers); the lower half is the ordinary label."""

    def __init__(self, groups: Sequence[tuple[str, int]], parent: QWidget | None = None):
        super().__init__(Qt.Horizontal, parent)
        self.groups = [(str(label), int(n)) for label, n in groups]
        if any(n < 1 for _label, n in self.groups):
            raise ValueError("every group spans at least one column")
        self.setSectionsClickable(False)
        self.setDefaultAlignment(Qt.AlignCenter)

    def span(self, group: int) -> tuple[int, int]:
        """First and last logical column of a group."""
        first = sum(n for _label, n in self.groups[:group])
        return first, first + self.groups[group][1] - 1

    def group_of(self, logical: int) -> int:
        for g in range(len(self.groups)):
            first, last = self.span(g)
            if first <= logical <= last:
                return g
        raise IndexError(f"column {logical} is in no group (the groups cover {self.span(len(self.groups) - 1)[1] + 1})")

    def group_width(self, group: int) -> int:
        first, last = self.span(group)
        return sum(self.sectionSize(c) for c in range(first, last + 1))

    def label_width(self, group: int) -> int:
        return self.fontMetrics().horizontalAdvance(self.groups[group][0]) + GROUP_PADDING_PX

    def fit_groups(self) -> None:
        """Widen the columns of a group whose label is wider than they are together (call after
        the columns were sized to their contents), so that no group label is clipped."""
        for g in range(len(self.groups)):
            missing = self.label_width(g) - self.group_width(g)
            if missing <= 0:
                continue
            first, last = self.span(g)
            n = last - first + 1
            for k, c in enumerate(range(first, last + 1)):
                self.resizeSection(c, self.sectionSize(c) + missing // n + (1 if k < missing % n else 0))

    def sectionSizeFromContents(self, logical: int) -> QSize:
        size = super().sectionSizeFromContents(logical)
        return QSize(size.width(), size.height() * 2)

    def paintSection(self, painter, rect: QRect, logical: int) -> None:
        half = rect.height() // 2
        painter.save()
        lower = QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half)
        super().paintSection(painter, lower, logical)
        painter.restore()
        if logical >= self.count():
            return
        g = self.group_of(logical)
        first, last = self.span(g)
        left = self.sectionViewportPosition(first)
        right = self.sectionViewportPosition(last) + self.sectionSize(last)
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = QRect(left, rect.top(), right - left, half)
        option.text = self.groups[g][0]
        option.textAlignment = Qt.AlignCenter
        option.section = logical
        option.position = QStyleOptionHeader.SectionPosition.OnlyOneSection
        painter.save()
        painter.setClipRect(QRect(rect.left(), rect.top(), rect.width(), half))
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
        painter.restore()
