"""Participants page: pseudonymous codes, age band, hearing self-report, consent."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget, QHeaderView,
)
from sqlalchemy import func
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import AuditLog, Participant, Session, utc_now
from gui.common.context import AppContext, ConsoleState
from gui.common.widgets import local_time
from tasks.study.codes import code_problem

AGE_BANDS = ["", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
HEARING = ["", "normal", "mild difficulty", "hearing loss", "hearing aid or implant", "prefer not to say"]


def next_code(existing: list[str]) -> str:
    numbers = [int(c[1:]) for c in existing if c.startswith("P") and c[1:].isdigit()]
    return f"P{(max(numbers) + 1) if numbers else 1:03d}"


def home_consents(s: DbSession) -> dict[int, object]:
    """{participant id: when consent was first given at home}: a take-home participant agrees in
    the take-home app, which records an audit entry "consent" in its session; the lab has it
    once the returned bundle is imported (tasks.takehome.importing)."""
    rows = s.exec(select(Session.participant_id, func.min(AuditLog.at))
                  .join(Session, AuditLog.session_id == Session.id)
                  .where(AuditLog.event == "consent", Session.take_home == True)  # noqa: E712
                  .group_by(Session.participant_id)).all()
    return dict(rows)


class ParticipantsPage(QWidget):
    def __init__(self, ctx: AppContext, state: ConsoleState, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state = ctx, state
        self.code = QLineEdit()
        self.code.setObjectName("participantCode")
        self.age = QComboBox()
        self.age.addItems(AGE_BANDS)
        self.hearing = QComboBox()
        self.hearing.addItems(HEARING)
        self.consent = QCheckBox(self.tr("The participant has given informed consent"))
        self.consent.setObjectName("consent")
        self.consent.toggled.connect(self._consent_toggled)
        self.add_button = QPushButton(self.tr("&Add participant"))
        self.add_button.setObjectName("addParticipant")
        self.add_button.clicked.connect(self.add)
        self.message = QLabel()
        self.message.setObjectName("participantMessage")
        self.message.setWordWrap(True)
        box = QGroupBox(self.tr("New participant (a code only: never a name or e-mail)"))
        form = QFormLayout(box)
        form.addRow(self.tr("&Code"), self.code)
        form.addRow(self.tr("Age band"), self.age)
        form.addRow(self.tr("Hearing (self-report)"), self.hearing)
        form.addRow(self.consent)
        form.addRow(self.add_button, self.message)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Age band"), self.tr("Hearing"),
                                              self.tr("Consent")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(box)
        left.addStretch(1)
        layout.addLayout(left, 1)
        layout.addWidget(self.table, 2)
        self.refresh()
        # participants come also from the Sessions page (a take-home package for a new code, an
        # imported bundle with the consent given at home)
        state.participantsChanged.connect(self.refresh)

    def refresh(self) -> None:
        with DbSession(self.ctx.db) as s:  # columns, not objects: a few ms for hundreds of people
            people = s.exec(select(Participant.id, Participant.code, Participant.age_band,
                                   Participant.hearing_self_report, Participant.consent_confirmed_at)
                            .order_by(Participant.id)).all()
            at_home = home_consents(s)
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(people))
        for row, (pid, code, age_band, hearing, consent_at) in enumerate(people):
            for col, value in enumerate([code, age_band or "", hearing or "",
                                         self.consent_text(consent_at, at_home.get(pid))]):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.setUpdatesEnabled(True)
        self.code.setText(next_code([p[1] for p in people]))

    def consent_text(self, in_lab, at_home) -> str:
        """Where and when consent was given: in the lab (ticked on this page), at home (agreed in
        the take-home app), or both; empty when neither is recorded."""
        given = []
        if in_lab is not None:
            given.append(self.tr("lab, {time}").format(time=local_time(in_lab)))
        if at_home is not None:
            given.append(self.tr("at home, {time}").format(time=local_time(at_home)))
        return "; ".join(given)

    def _consent_toggled(self, checked: bool) -> None:
        """A request to confirm consent is answered by ticking the box: the message goes."""
        if checked and self.message.text() == self.tr("Confirm consent first."):
            self.message.clear()

    def reset_form(self) -> None:
        """Empty every answer so that nothing of one person is carried over to the next."""
        self.age.setCurrentIndex(0)
        self.hearing.setCurrentIndex(0)
        self.consent.setChecked(False)
        self.message.clear()

    def add(self) -> None:
        code = self.code.text().strip()
        if code_problem(code):
            self.message.setText(self.tr("Use a code such as P007: letters, digits, '.', '_' or '-' "
                                         "(no spaces, no names, no e-mail)."))
            return
        if not self.consent.isChecked():
            self.message.setText(self.tr("Confirm consent first."))
            return
        with DbSession(self.ctx.db) as s:
            if repo.get_participant(s, code) is not None:
                self.message.setText(self.tr("{code} exists already.").format(code=code))
                return
            repo.add_participant(s, Participant(code=code, age_band=self.age.currentText() or None,
                                                hearing_self_report=self.hearing.currentText() or None,
                                                consent_confirmed_at=utc_now()))
        self.reset_form()
        self.message.setText(self.tr("{code} added.").format(code=code))
        self.state.participantsChanged.emit()  # this page refreshes on it, as the others do
