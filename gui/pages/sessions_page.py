"""Sessions page: start, resume and abort sessions; the status of each."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import Participant, Session as SessionRow, Study
from gui.context import AppContext, ConsoleState
from gui.widgets import show_error
from tasks.plan import PlanError
from tasks.sessions import DatasetChangedError, SessionRunner, StudyError, start_or_resume


class SessionsPage(QWidget):
    def __init__(self, ctx: AppContext, state: ConsoleState, open_participant_window: Callable[[int], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state = ctx, state
        self.open_participant_window = open_participant_window
        self.participant = QComboBox()
        self.participant.setObjectName("sessionParticipant")
        self.start_button = QPushButton(self.tr("&Start or resume session"))
        self.start_button.setObjectName("startSession")
        self.start_button.clicked.connect(self.start)
        self.abort_button = QPushButton(self.tr("A&bort selected"))
        self.abort_button.clicked.connect(self.abort_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Participant:")))
        top.addWidget(self.participant, 1)
        top.addWidget(self.start_button)
        top.addWidget(self.abort_button)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("sessionsTable")
        self.table.setHorizontalHeaderLabels([self.tr("Session"), self.tr("Study"), self.tr("Participant"),
                                              self.tr("Status"), self.tr("Progress"), self.tr("Started"),
                                              self.tr("Ended")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        for sig in (state.participantsChanged, state.sessionsChanged, state.studyChanged):
            sig.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        with DbSession(self.ctx.db) as s:
            codes = [p.code for p in s.exec(select(Participant).order_by(Participant.id)).all()]
            sessions = s.exec(select(SessionRow).order_by(SessionRow.id)).all()
            studies = {st.id: st.name for st in s.exec(select(Study)).all()}
            people = {p.id: p.code for p in s.exec(select(Participant)).all()}
            progress = {x.id: (repo.count_answered(s, x.id), len(repo.planned_trials(s, x.id))) for x in sessions}
        current = self.participant.currentText()
        self.participant.clear()
        self.participant.addItems(codes)
        if current in codes:
            self.participant.setCurrentText(current)
        self.table.setRowCount(len(sessions))
        for row, x in enumerate(sessions):
            done, total = progress[x.id]
            cells = [str(x.id), studies.get(x.study_id, "?"), people.get(x.participant_id, "?"), x.status,
                     f"{done}/{total}", x.started_at.strftime("%Y-%m-%d %H:%M") if x.started_at else "",
                     x.ended_at.strftime("%Y-%m-%d %H:%M") if x.ended_at else ""]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def start(self) -> None:
        study, ds = self.state.study, self.state.dataset
        code = self.participant.currentText()
        if study is None or ds is None:
            show_error(self, self.tr("Session"), self.tr("Open a study on the Study page first."))
            return
        if not code:
            show_error(self, self.tr("Session"), self.tr("Add a participant first."))
            return
        try:
            session = start_or_resume(self.ctx.db, ds, study, code, self.ctx.app_version,
                                      **(self.ctx.audio.session_fields() if self.ctx.audio else {}))
        except (DatasetChangedError, PlanError, StudyError) as exc:
            show_error(self, self.tr("Session"), str(exc))
            return
        if session.status == "completed":
            self.message.setText(self.tr("{code} has completed this study.").format(code=code))
            return
        self.state.sessionsChanged.emit()
        self.open_participant_window(session.id)

    def abort_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if not rows:
            return
        session_id = int(self.table.item(rows.pop(), 0).text())
        answer = QMessageBox.question(self, self.tr("Abort session"),
                                      self.tr("Abort session {id}? Its answers stay stored.").format(id=session_id))
        if answer == QMessageBox.Yes:
            SessionRunner(self.ctx.db, session_id).abort("by the experimenter")
            self.refresh()
