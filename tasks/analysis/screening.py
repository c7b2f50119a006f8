"""Point 7 of the report: headphone-screening results per participant (read by
tasks.study.screening_records, the one reader of the audit log) and who the exclusion switch leaves out."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from tasks.study.screening_records import failed_participants, read_screening


@dataclass
class Screening:
    table: pd.DataFrame  # one row per participant, session and test
    failed: dict[str, list[str]]  # participant code -> failed tests (this study)
    excluded: list[str]  # codes left out of the whole report (empty unless the switch is on)

    def statement(self, exclude_failed: bool, n_analysed: int) -> str:
        """The sentence the report prints about screening and exclusions."""
        screened = self.table["participant"].nunique() if len(self.table) else 0
        text = (f"{screened} participant{'s' if screened != 1 else ''} with a headphone-screening record, "
                f"{len(self.failed)} failed at least one test. ")
        if exclude_failed:
            text += (f"Participants who failed screening are excluded from every number of this report "
                     f"({len(self.excluded)} excluded: {', '.join(self.excluded) or 'none'}); ")
        else:
            text += "No participant is excluded for screening (the exclusion switch is off); "
        return text + f"{n_analysed} participant{'s' if n_analysed != 1 else ''} analysed."


def screening(engine: Engine, study: str, exclude_failed: bool) -> Screening:
    outcomes = read_screening(engine, study)
    failed = {code: tests for (_s, code), tests in failed_participants(outcomes).items()}
    rows = [{"participant": o.participant_code, "session_id": o.session_id, "test": o.test,
             "correct": o.n_correct, "trials": o.n_trials, "passed": o.passed,
             "excluded": exclude_failed and o.participant_code in failed} for o in outcomes]
    table = pd.DataFrame.from_records(rows, columns=["participant", "session_id", "test", "correct", "trials",
                                                     "passed", "excluded"])
    return Screening(table, failed, sorted(failed) if exclude_failed else [])
