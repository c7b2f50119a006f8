"""thresholds.csv: one row per adaptive block (participant, dimension, unit, procedure,
threshold with its 95 % interval, trials), described by thresholds.columns.json. Written by
export only when the database holds adaptive blocks."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db.models import AdaptiveBlock, Participant, Session, Study

COLUMNS = {
    "participant": "pseudonymous participant code",
    "dimension": "pitch, loudness, duration, azimuth, elevation or distance",
    "unit": "unit of threshold, ci_low and ci_high: cents (pitch), dB (loudness), ms (duration), "
            "deg (azimuth, elevation), m (distance); all are differences between the two sounds of a trial",
    "procedure": "quest+ (QUEST+, Weibull threshold), 2down1up or 3down1up (transformed up-down staircase)",
    "threshold": "estimated threshold; QUEST+: posterior median of the Weibull threshold; staircase: geometric "
                 "mean of the last reversals at the final step; empty if too few trials",
    "ci_low": "lower end of the 95 % interval (QUEST+: posterior 2.5 % point; staircase: t-interval of the "
              "reversal logs, one value per peak-valley pair)",
    "ci_high": "upper end of the 95 % interval",
    "n_trials": "trials answered in the block",
    "target_percent_correct": "the percent correct the threshold stands for in this two-alternative task "
                              "(QUEST+ 80.3 with a 2 % lapse; 2-down-1-up 70.7; 3-down-1-up 79.4)",
    "completed": "1 when the block reached its stopping rule, 0 when it was interrupted",
    "study": "study name",
}


def _number(x: float | None, digits: int = 4) -> str:
    return "" if x is None else f"{x:.{digits}g}" if abs(x) < 1e-3 else f"{round(x, digits)}"


def threshold_rows(engine: Engine, study_name: str | None = None) -> list[dict]:
    with DbSession(engine) as s:
        query = (select(AdaptiveBlock, Participant.code, Study.name)
                 .where(AdaptiveBlock.session_id == Session.id, Session.participant_id == Participant.id,
                        Session.study_id == Study.id)
                 .order_by(Study.name, Participant.code, AdaptiveBlock.block_index))
        if study_name is not None:
            query = query.where(Study.name == study_name)
        found = s.exec(query).all()
    return [{"participant": code, "dimension": b.dimension, "unit": b.unit, "procedure": b.procedure,
             "threshold": _number(b.threshold), "ci_low": _number(b.ci_low), "ci_high": _number(b.ci_high),
             "n_trials": b.n_trials,
             "target_percent_correct": "" if b.target_p_correct is None else round(100 * b.target_p_correct, 1),
             "completed": int(b.status == "completed"), "study": name}
            for b, code, name in found]


def write_thresholds(engine: Engine, out_dir: Path, study_name: str | None = None) -> int:
    """Write thresholds.csv and its sidecar when there are adaptive blocks; returns the rows."""
    rows = threshold_rows(engine, study_name)
    if not rows:
        return 0
    with open(Path(out_dir) / "thresholds.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (Path(out_dir) / "thresholds.columns.json").write_text(
        json.dumps({"file": "thresholds.csv", "rows": "one per adaptive block", "columns": COLUMNS}, indent=2) + "\n",
        encoding="utf-8")
    return len(rows)
