"""The tables. Participants are pseudonymous codes: no name or e-mail field exists anywhere.

A planned trial carries a snapshot of what was presented (options in presented order, the
answer, categories), so that exports and scores never need the dataset again and cannot drift
when the dataset changes.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

# 1: the first release. 2: session.next_position, a cursor on the first unanswered trial.
# 3: response.paused_ms and response.rt_interrupted (time the response clock stood still);
#    planned_trial.withheld_reason (a trial never played, e.g. over the safety ceiling).
# 4: adaptive_block and adaptive_trial (threshold blocks, tasks.adaptive).
# 5: session.station (the station that runs it), unique (study_id, cohort_index), the station
#    table (when each station was last heard of and how many answers it still has to deliver).
# 6: calibration.headphone_filter (the headphone equalization a calibration was measured with).
# 7: session.lease_holder and session.lease_until: the window that runs a session and until when
#    its lease holds (renewed while it runs); db.leases, tasks.study.ownership.
SCHEMA_VERSION = 7


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SchemaInfo(SQLModel, table=True):
    __tablename__ = "schema_info"
    id: int = Field(default=1, primary_key=True)
    version: int


class Study(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    dataset_root: str
    dataset_fingerprint: str
    protocol_json: str  # tasks.study.plan.Protocol as JSON
    created_at: datetime = Field(default_factory=utc_now)


class Participant(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)  # pseudonymous, e.g. "P007"
    age_band: Optional[str] = None  # e.g. "25-34"
    hearing_self_report: Optional[str] = None  # e.g. "normal", "mild loss", "hearing aid"
    consent_confirmed_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utc_now)


class Device(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    station: str  # host name of the computer
    host_api: str
    name: str
    sample_rate_hz: int
    channel_map_json: str = "[0, 1]"
    created_at: datetime = Field(default_factory=utc_now)


class Calibration(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="device.id", index=True)
    transducer: str  # e.g. "Sennheiser HD 650"
    channel: int  # output channel, 0-based
    reference_frequency_hz: float = 1000.0
    reference_dbfs: float
    measured_db_spl: float
    retspl_table: str = "TDH-39"
    equipment: str = ""  # sound level meter, coupler / artificial ear
    # the headphone equalization in force when measured (audio.headphone_eq label; "" = none)
    headphone_filter: str = ""
    measured_by: str = ""  # initials or staff code
    measured_at: datetime = Field(default_factory=utc_now)


class Session(SQLModel, table=True):
    # one session per counterbalancing position of a study, however many stations enrol at once
    __table_args__ = (UniqueConstraint("study_id", "cohort_index", name="uq_session_study_cohort"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    cohort_index: int  # position in the study's counterbalancing order
    plan_seed: int
    device_id: Optional[int] = Field(default=None, foreign_key="device.id")
    transducer: Optional[str] = None
    calibration_ids: str = "[]"  # JSON list of calibration ids in force
    uncalibrated: bool = True
    take_home: bool = False
    # how the level was set: "calibrated", "uncalibrated default", "comfortable level (take-home)"
    level_procedure: str = "uncalibrated default"
    import_key: Optional[str] = Field(default=None, unique=True)  # "<package id>" for imported take-home data
    app_version: str
    # planned, running, paused, completed, aborted; released: a cover share given up by the
    # experimenter, its unanswered trials back in the pool (tasks.cover.release)
    status: str = "planned"
    # A lower bound on the position of the first unanswered planned trial: every trial before it
    # is answered. Moved forward in the same transaction as each answer, so that finding the next
    # trial starts here instead of at the beginning of the plan. Responses added by other paths
    # (take-home imports) leave it behind, never ahead, so it stays a true lower bound.
    next_position: int = 0
    station: Optional[str] = Field(default=None, index=True)  # the station's name (lab server); None: this computer
    started_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utc_now)
    # "<station>/<token>" of the participant window running the session (None: no window holds
    # it), and until when that lease holds unless renewed (db.leases): answers from any other
    # holder are refused; after it lapses, another station may take the session over explicitly
    lease_holder: Optional[str] = None
    lease_until: Optional[datetime] = None


class PlannedTrial(SQLModel, table=True):
    __tablename__ = "planned_trial"
    __table_args__ = (UniqueConstraint("session_id", "position"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    position: int  # 0-based order within the session
    block: int
    kind: str = "test"  # test, practice, catch
    catch_of: Optional[int] = None  # position of the trial a catch trial repeats
    break_before: bool = False
    variant: str  # pc, tr, tr_uncut, tr_cap, sr, sr_ch, pc_sp, pc_nsp
    item_id: str
    rotate_id: int
    unique_id: str  # f"{item_id}@{rotate_id}"
    task: str
    category: str
    sub_category: Optional[str] = None
    options_json: str  # options as presented
    answer: str
    answer_letter: str
    shuffled_seg_order: Optional[str] = None
    # Set when the trial was withheld instead of played (e.g. "over the safety ceiling: ..."):
    # it gets no response, the cursor passes it, and it is never scored. Kept on the planned
    # trial rather than as a Response row so that every response stays an answer (scores,
    # counts and kit files read responses without a filter).
    withheld_reason: Optional[str] = None


class Response(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    planned_trial_id: int = Field(foreign_key="planned_trial.id", unique=True)  # never recorded twice
    session_id: int = Field(foreign_key="session.id", index=True)
    chosen_letter: Optional[str] = None  # "<B>"; None when no valid answer was given
    chosen_text: Optional[str] = None
    is_correct: bool
    rt_ms: Optional[float] = None  # from the last stimulus onset, monotonic clock
    n_replays: int = 0
    presented_at: Optional[datetime] = None
    answered_at: datetime = Field(default_factory=utc_now)
    uncalibrated: bool = True
    attenuation_db: float = 0.0  # applied by the safety ceiling
    level_db_spl: Optional[float] = None
    # time the response clock stood still (pause dialog, lost focus) between the last onset and
    # the choice; rt_ms excludes it. rt_interrupted: the trial was interrupted while shown.
    # (database defaults too, as the v2 -> v3 migration adds them: a row written without them,
    # by any older path, reads "no pause recorded")
    paused_ms: float = Field(default=0.0, sa_column_kwargs={"server_default": "0.0"})
    rt_interrupted: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class ExposureRecord(SQLModel, table=True):
    __tablename__ = "exposure_record"
    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    at: datetime = Field(default_factory=utc_now)
    played_s: float
    leq_db_a: Optional[float] = None  # A-weighted equivalent level over the played time, louder ear
    dose_pa2h: float = 0.0  # A-weighted sound exposure
    daily_dose_percent: float = 0.0  # 100 % = 85 dB(A) for 8 h
    trials: int = 0
    uncalibrated_trials: int = 0


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: Optional[int] = Field(default=None, foreign_key="session.id", index=True)
    at: datetime = Field(default_factory=utc_now)
    event: str  # created, started, paused, resumed, completed, aborted, error, migrated
    detail: str = ""


class Setting(SQLModel, table=True):
    """Station settings as JSON values; the keys and their defaults are declared once in
    db.settings.DEFAULTS."""

    key: str = Field(primary_key=True)
    value_json: str


class TakeHomePackage(SQLModel, table=True):
    """A study package made for one participant to run at home; its key signs the results."""

    __tablename__ = "take_home_package"
    package_id: str = Field(primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    cohort_index: int
    key_hex: str  # HMAC-SHA256 key shared with the package, to check the results bundle
    created_at: datetime = Field(default_factory=utc_now)
    imported_at: Optional[datetime] = None


class AdaptiveBlock(SQLModel, table=True):
    """One adaptive threshold block of a session (tasks.adaptive): its dimension, procedure and
    settings, and the threshold estimate with its 95 % interval after every trial."""

    __tablename__ = "adaptive_block"
    __table_args__ = (UniqueConstraint("session_id", "dimension"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    block_index: int  # order among the session's adaptive blocks
    dimension: str  # pitch, loudness, duration, azimuth, elevation, distance
    unit: str  # of every level of the block: cents, dB, ms, deg, m
    procedure: str  # quest+, 2down1up, 3down1up
    settings_json: str  # tasks.adaptive.procedures.AdaptiveSettings as JSON
    status: str = "running"  # running, completed
    n_trials: int = 0
    threshold: Optional[float] = None
    ci_low: Optional[float] = None
    ci_high: Optional[float] = None
    target_p_correct: Optional[float] = None  # the proportion correct the threshold stands for
    updated_at: datetime = Field(default_factory=utc_now)


class AdaptiveTrial(SQLModel, table=True):
    """One answered adaptive trial. Stored (with the block's estimate) in one transaction before
    the next level is chosen; the block resumes by replaying these rows in trial order."""

    __tablename__ = "adaptive_trial"
    __table_args__ = (UniqueConstraint("block_id", "trial_index"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    block_id: int = Field(foreign_key="adaptive_block.id", index=True)
    trial_index: int  # 0-based within the block
    level_asked: float  # the difference the procedure asked for, in the block's unit
    level_played: float  # the difference the stimulus carried (what the procedure was updated with)
    stimulus_json: str  # the synthesized pair's parameters (tasks.adaptive.stimuli)
    options_json: str  # options as presented
    answer_letter: str
    chosen_letter: Optional[str] = None  # None: no valid answer (counted wrong)
    is_correct: bool
    state_json: str  # the procedure's state after this trial (next level, estimate, ...)
    rt_ms: Optional[float] = None
    presented_at: Optional[datetime] = None
    answered_at: datetime = Field(default_factory=utc_now)
    uncalibrated: bool = True
    attenuation_db: float = 0.0
    level_db_spl: Optional[float] = None


class Station(SQLModel, table=True):
    """A station of a lab server as the console sees it: when it was last heard of and how many
    answers its offline journal still held then (0: up to date; more: catching up)."""

    name: str = Field(primary_key=True)
    seen_at: datetime = Field(default_factory=utc_now)
    pending_answers: int = 0
    last_error: str = ""
