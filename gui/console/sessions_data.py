"""What the Sessions page's table shows, read on a worker thread (no Qt here).

``sessions_data`` is the page's one adapter to the data path: the sessions with their study,
participant and progress, the participant's screening results and why a paused session is
paused. Progress is two counting queries grouped by session (not one plan per session loaded as
objects), so the table costs the same with 2 or 200 participants. Screening comes from
tasks.study.screening_records (the reader the exports and the report use), pause reasons from
tasks.study.pauses.pause_reasons.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from tasks.dataset.loader import Cancelled


@dataclass(frozen=True)
class SessionLine:
    session_id: int
    study: str
    participant: str
    status: str
    answered: int
    planned: int
    started_at: datetime | None
    ended_at: datetime | None
    screening: str = ""  # the participant's screening in this study, e.g. "antiphase 6/6 pass; huggins 3/6 FAIL"
    pause_reason: str = ""  # why the session is paused (paused sessions only)
    withheld: int = 0  # planned trials never played: over the hearing-safety ceiling
    station: str = ""  # lab server: the station running it and its state, e.g. "booth2 (offline?)"; or AT_HOME
    last_answer_at: datetime | None = None
    design: str = "shared"  # the study's design: a cover session's share can be released
    take_home: bool = False
    # a participant window runs the session now (tasks.study.ownership.live), on lease_station
    lease_live: bool = False
    lease_station: str = ""

    @property
    def release_blocked(self) -> str:
        """Why the share cannot be released ('' when it can): tasks.cover.release's rule."""
        from tasks.cover.release import release_refusal

        return release_refusal(self.session_id, self.design, self.status,
                               self.lease_station if self.lease_live else None)

    @property
    def releasable(self) -> bool:
        return not self.release_blocked

    @property
    def progress_text(self) -> str:
        """"answered/planned", with the trials withheld for safety named (they count as done)."""
        text = f"{self.answered}/{self.planned}"
        return f"{text} ({self.withheld} withheld)" if self.withheld else text


# a running session whose station has not been heard of for this long is shown as perhaps offline
OFFLINE_AFTER_S = 60.0


def _aware(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo is not None else t.replace(tzinfo=timezone.utc)  # SQLite: stored in UTC


def station_text(station: str | None, status: str, last_answer_at: datetime | None, seen_at: datetime | None,
                 pending_answers: int, now: datetime, last_error: str = "") -> str:
    """The Station column: the station's name, and when it matters its state: "catching up (n
    answers)" while it delivers its offline journal, "offline?" when a running session has not
    been heard of for OFFLINE_AFTER_S (the server cannot know more while it is away); then what
    the station reports as wrong (``last_error``: journal entries quarantined)."""
    if not station:
        return ""
    if last_error:  # e.g. journal entries quarantined: the station's own words after its name
        return f"{station_text(station, status, last_answer_at, seen_at, pending_answers, now)}; {last_error}"
    heard = max((t for t in (_aware(last_answer_at), _aware(seen_at)) if t is not None), default=None)
    recent = heard is not None and (now - heard).total_seconds() < OFFLINE_AFTER_S
    if pending_answers and recent:
        return f"{station} (catching up: {pending_answers} answers)"
    if status == "running" and not recent:
        minutes = "" if heard is None else f", last heard {int((now - heard).total_seconds() // 60)} min ago"
        return f"{station} (offline?{minutes})"
    return station


# the Station column of a take-home session: it runs (or ran) on the participant's own computer
AT_HOME = "at home"


@dataclass(frozen=True)
class SessionsTable:
    lines: list[SessionLine]
    warnings: list[str] = field(default_factory=list)  # e.g. a damaged screening record, named

def study_design(protocol_json: str) -> str:
    """The stored protocol's design ("shared" when it names none or cannot be read: the Study page
    says what is wrong with a damaged protocol; here it only decides whether Release is offered)."""
    import json

    try:
        design = json.loads(protocol_json).get("design", "shared")
    except (ValueError, AttributeError):
        return "shared"
    return design if isinstance(design, str) else "shared"


def participant_codes(engine) -> list[str]:
    """The codes for the participant chooser, in the order they were added (a small query)."""
    from sqlmodel import Session as DbSession, select

    from db.models import Participant

    with DbSession(engine) as s:
        return list(s.exec(select(Participant.code).order_by(Participant.id)).all())


def sessions_data(engine, progress, should_cancel) -> SessionsTable:
    from sqlalchemy import func
    from sqlmodel import Session as DbSession, select

    from db.leases import lease_of
    from db.models import Participant, PlannedTrial, Response, Session as SessionRow, Station, Study
    from tasks.study.ownership import live
    from tasks.study.pauses import pause_reasons
    from tasks.study.screening_records import ScreeningRecordError, read_screening, summary_by_participant

    def step(done: int, label: str) -> None:
        if should_cancel():
            raise Cancelled("cancelled")
        progress(done, 5, label)

    with DbSession(engine) as s:
        step(0, "reading sessions")
        sessions = s.exec(select(SessionRow).order_by(SessionRow.id)).all()
        studies, designs = {}, {}
        for sid, name, protocol_json in s.exec(select(Study.id, Study.name, Study.protocol_json)).all():
            studies[sid], designs[sid] = name, study_design(protocol_json)
        people = dict(s.exec(select(Participant.id, Participant.code)).all())
        step(1, "counting planned trials")
        planned = dict(s.exec(select(PlannedTrial.session_id, func.count(PlannedTrial.id))
                              .group_by(PlannedTrial.session_id)).all())
        step(2, "counting answers")
        answered, last_answer = {}, {}
        for sid, n, last in s.exec(select(Response.session_id, func.count(Response.id), func.max(Response.answered_at))
                                   .group_by(Response.session_id)).all():
            answered[sid], last_answer[sid] = n, last
        stations = {r.name: r for r in s.exec(select(Station)).all()}
        withheld = dict(s.exec(select(PlannedTrial.session_id, func.count(PlannedTrial.id))
                               .where(PlannedTrial.withheld_reason.is_not(None))
                               .group_by(PlannedTrial.session_id)).all())
        step(3, "reading screening results and pause reasons")
        warnings = []
        try:
            screening = summary_by_participant(read_screening(engine))
        except ScreeningRecordError as exc:
            screening = {}
            warnings.append(f"Screening results not shown: {exc}.")
        paused = pause_reasons(engine)
        step(4, "listing")
        lines = []
        now = datetime.now(timezone.utc)
        for x in sessions:
            known = stations.get(x.station) if x.station else None
            lease = lease_of(x)
            study, code = studies.get(x.study_id, "?"), people.get(x.participant_id, "?")
            lines.append(SessionLine(x.id, study, code, x.status, answered.get(x.id, 0), planned.get(x.id, 0),
                                     x.started_at, x.ended_at, screening.get((study, code), ""),
                                     paused.get(x.id, "") if x.status == "paused" else "",
                                     withheld.get(x.id, 0),
                                     AT_HOME if x.take_home else
                                     station_text(x.station, x.status, last_answer.get(x.id),
                                                  known.seen_at if known else None,
                                                  known.pending_answers if known else 0, now,
                                                  known.last_error if known else ""),
                                     last_answer.get(x.id), designs.get(x.study_id, "shared"), x.take_home,
                                     x.status == "running" and live(lease, now), lease.holder_station or ""))
    progress(5, 5, "done")
    return SessionsTable(lines, warnings)
