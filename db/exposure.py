"""Exposure records, written while a session runs so that a crash loses (almost) none.

One ``ExposureRecord`` row per sitting (one opening of a session's window), UPDATED after
every playback with the sitting's cumulative figures. Why one updated row and not one row per
trial: a row keeps the meaning it always had (the cumulative exposure of one sitting; a
session's exposure is the sum of its rows, which the take-home bundle copies as they are);
because the values are cumulative, a write that fails (a locked or full disk) is made good by
the next one; and the table does not grow with trials x replays (per-trial levels are stored
with each response). Each write commits before it returns (WAL, synchronous=FULL).
"""
from __future__ import annotations

import math
from typing import Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session as DbSession, select

from db.engine import DatabaseFileError, describe_db_error
from db.models import ExposureRecord, utc_now


def save_exposure(engine: Engine, session_id: int, record_id: int | None, *, played_s: float,
                  leq_db_a: float | None, dose_pa2h: float, daily_dose_percent: float, trials: int,
                  uncalibrated_trials: int) -> int:
    """Create (``record_id`` None) or update the sitting's row with cumulative figures and
    commit; returns the row's id. Raises DatabaseFileError with a clear message."""
    leq = leq_db_a if leq_db_a is not None and math.isfinite(leq_db_a) else None
    values = dict(played_s=float(played_s), leq_db_a=leq, dose_pa2h=float(dose_pa2h),
                  daily_dose_percent=float(daily_dose_percent), trials=int(trials),
                  uncalibrated_trials=int(uncalibrated_trials))
    with DbSession(engine) as s:
        try:
            row = s.get(ExposureRecord, record_id) if record_id is not None else None
            if row is None:
                row = ExposureRecord(session_id=session_id, **values)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                row.at = utc_now()
            s.add(row)
            s.commit()
            s.refresh(row)
            return int(row.id)
        except SQLAlchemyError as exc:
            s.rollback()
            raise DatabaseFileError(describe_db_error(engine, exc) + "; the exposure was not saved yet") from None


def exposure_records(engine: Engine, session_id: int) -> Sequence[ExposureRecord]:
    """The session's exposure rows, one per sitting, oldest first."""
    with DbSession(engine) as s:
        return s.exec(select(ExposureRecord).where(ExposureRecord.session_id == session_id)
                      .order_by(ExposureRecord.id)).all()
