"""The Study page's design and session length: the design (shared: everyone the same items;
cover: each participant a share, the cohort answers every run K times; docs/cover-design.md),
K and the lab's session length M, and the estimated length of one session (or one share) under
the protocol in force, with a warning when it exceeds M.

The estimate (tasks/study/session_time.estimate_protocol, the estimator of the take-home
welcome screen and of the cover shares; for a cover study the first share as assignment would
make it, tasks/cover/assign.first_share_estimate) plans one participant and reads every clip's duration, which takes seconds on
the full dataset: it runs on a worker (a LatestJob), newest form wins."""
from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from gui.common.widgets import CheckedSpinBox, JobStrip, show_error, with_note
from gui.common.workers import LatestJob
from tasks.cover.assign import first_share_estimate
from tasks.dataset.loader import Cancelled
from tasks.study.plan import DESIGNS, PlanError, Protocol
from tasks.study.studies import StudyError
from tasks.study.session_time import SETUP_ALLOWANCE_S, SessionEstimate, estimate_protocol, study_rts_ms

DESIGN_LABELS = {"shared": "Shared: every participant the same test items",
                 "cover": "Cover: a share each; the cohort answers every run K times"}


def session_length(engine, dataset, protocol: Protocol, study_id: int | None, progress, should_cancel) -> SessionEstimate:
    """On a worker: the study's stored response times (if a study is open), then the estimate."""
    progress(0, 2, "response times")
    rts = study_rts_ms(engine, study_id) if study_id is not None else []
    progress(1, 2, "planning and reading clip durations")
    if protocol.design == "cover":
        estimate = first_share_estimate(dataset, protocol, rts)
    else:
        estimate = estimate_protocol(dataset, protocol, rts, should_cancel)
    progress(2, 2, "done")
    return estimate


def _minutes(seconds: float) -> str:
    return f"{seconds / 60.0:.0f}" if seconds >= 600 else f"{seconds / 60.0:.1f}"


class DesignBox(QGroupBox):
    changed = Signal()  # a field changed: the page recomputes its counts and this estimate
    estimated = Signal(object)  # SessionEstimate shown

    def __init__(self, engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.setTitle(self.tr("Design and session length"))
        self.setObjectName("designBox")
        defaults = Protocol()
        self.design = QComboBox()
        self.design.setObjectName("design")
        for value in DESIGNS:
            self.design.addItem(self.tr(DESIGN_LABELS[value]), value)
        self.responses_per_run = CheckedSpinBox()
        self.responses_per_run.setObjectName("responsesPerRun")
        self.responses_per_run.setRange(1, 1000)
        self.responses_per_run.setValue(defaults.responses_per_run)
        self.session_minutes = CheckedSpinBox()
        self.session_minutes.setObjectName("sessionMinutes")
        self.session_minutes.setRange(1, 24 * 60)
        self.session_minutes.setSuffix(" min")
        self.session_minutes.setValue(int(defaults.session_minutes))
        self.length = QLabel()
        self.length.setObjectName("sessionLength")
        self.length.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("sessionWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("QLabel#sessionWarning { color: #b3261e; font-weight: bold; }")
        self.warning.setVisible(False)
        self.job = LatestJob(self)
        self.job.succeeded.connect(self.show_estimate)
        self.job.failed.connect(lambda msg: self.length.setText(self.tr("Session length not estimated: {why}.")
                                                                .format(why=msg)))
        self.job.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.progress = JobStrip(self.job)
        # the wrapped notes below the form, not as spanning form rows: a form row gave them the
        # height of fewer lines than they wrap to, and their last lines were drawn clipped
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.tr("&Design"), self.design)
        form.addRow(self.tr("Answers per run (K)"), with_note(self.responses_per_run))
        form.addRow(self.tr("Session length allowed (M)"), with_note(self.session_minutes))
        layout.addLayout(form)
        layout.addWidget(self.length)
        layout.addWidget(self.warning)
        layout.addWidget(self.progress)
        self.design.currentIndexChanged.connect(self._enable)
        for spin in (self.responses_per_run, self.session_minutes):
            spin.valueChanged.connect(self.changed)
        self.estimate: SessionEstimate | None = None
        self._enable()

    def _enable(self) -> None:
        self.responses_per_run.setEnabled(self.design.currentData() == "cover")
        self.changed.emit()

    def fields(self) -> dict:
        return dict(design=self.design.currentData(), responses_per_run=self.responses_per_run.value(),
                    session_minutes=float(self.session_minutes.value()))

    def show_protocol(self, protocol: Protocol) -> list[str]:
        """Fill the box from a (stored) protocol; the fields whose value the box cannot show."""
        self.design.setCurrentIndex(max(0, self.design.findData(protocol.design)))
        outside = []
        for spin, label, value in ((self.responses_per_run, "answers per run", protocol.responses_per_run),
                                   (self.session_minutes, "session minutes", protocol.session_minutes)):
            spin.setValue(int(round(value)))
            if spin.value() != value:
                outside.append(f"{label} {value:g}")
        self._enable()
        return outside

    def recompute(self, dataset, protocol: Protocol | None, study_id: int | None) -> None:
        """Estimate the session of ``protocol`` on a worker (None: no dataset or no valid protocol)."""
        if dataset is None or protocol is None:
            self.job.cancel()
            self.estimate = None
            self.length.setText(self.tr("Load a dataset to see how long a session takes.") if dataset is None
                                else self.tr("No session length: the protocol cannot be planned (see above)."))
            self.warning.setVisible(False)
            return
        self.minutes_allowed = protocol.session_minutes
        self.responses = protocol.responses_per_run
        self.job.start(self.tr("Estimating the session length…"), session_length, self.engine, dataset, protocol,
                       study_id, user_errors=(Cancelled, PlanError, StudyError, OSError))

    def show_estimate(self, est: SessionEstimate) -> None:
        self.estimate = est
        if est.answers_measured:
            answers = self.tr("{s:.1f} s per answer: the median response time of {n} answered trials").format(
                s=est.answer_s, n=est.answers_measured)
        else:
            answers = self.tr("{s:g} s per answer: a fixed allowance until the study has answered trials").format(
                s=est.answer_s)
        parts = self.tr("{sound} min of sound, {answers}; set-up {setup:g} min; breaks: {breaks}").format(
            sound=_minutes(est.sound_s), answers=answers, setup=SETUP_ALLOWANCE_S / 60.0, breaks=est.breaks)
        if est.unmeasured_trials:
            parts += self.tr("; {n} trials with a clip that could not be measured").format(n=est.unmeasured_trials)
        if est.share_of is None:
            text = self.tr("One session: about {m} min ({n} trials: {parts}).").format(
                m=_minutes(est.total_s), n=est.trials, parts=parts)
        else:
            shares = math.ceil(est.share_of * self.responses / max(1, est.test_trials))
            text = self.tr("One share: about {m} min of at most {limit:g} ({t} of the {all} test units, {n} trials "
                           "in all: {parts}). Every unit answered {k} times: about {p} participants.").format(
                m=_minutes(est.total_s), limit=self.minutes_allowed, t=est.test_trials, all=est.share_of,
                n=est.trials, parts=parts, k=self.responses, p=shares)
        self.length.setText(text)
        over = est.total_s > self.minutes_allowed * 60.0
        self.warning.setVisible(over)
        if over:
            self.warning.setText(self.tr(
                "Longer than the {limit:g} min a session may last: choose fewer items per sub-category or "
                "variants, the cover design, or a longer session length.").format(limit=self.minutes_allowed)
                if est.share_of is None else self.tr(
                "Even one test trial with the set-up and practice is longer than the {limit:g} min a session may "
                "last: lower the practice or raise the session length.").format(limit=self.minutes_allowed))
        self.estimated.emit(est)

    def shutdown(self) -> None:
        self.job.shutdown()
