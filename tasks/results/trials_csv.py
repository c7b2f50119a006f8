"""trials.csv rows: one planned trial with its response, in the columns of
tasks.results.export.TRIAL_COLUMNS, written fast for studies of millions of trials."""
from __future__ import annotations

import csv
from datetime import datetime, timezone

from audio.headphone_eq import filter_of_procedure
from tasks.results.trial_records import TrialRecord


# the cells of a row in five groups, in TRIAL_COLUMNS order (checked by check_columns)
SESSION_COLUMNS = ("study", "participant", "session_id", "cohort_index", "take_home", "headphone_filter")
PLAN_COLUMNS = ("position", "block", "kind", "catch_of")
RUN_COLUMNS = ("variant", "item_id", "rotate_id", "unique_id", "task", "category", "sub_category", "options", "answer",
               "answer_letter", "shuffled_seg_order")
RESPONSE_COLUMNS = ("answered", "chosen_letter", "chosen_text", "is_correct", "rt_ms", "n_replays", "presented_at",
                    "answered_at", "uncalibrated", "attenuation_db", "level_db_spl", "paused_ms", "rt_interrupted")
WITHHELD_COLUMNS = ("withheld", "withheld_reason")


def check_columns(trial_columns) -> None:
    """The groups must be exactly the documented columns, in order: a column added to one and
    not the other would shift every cell after it."""
    groups = SESSION_COLUMNS + PLAN_COLUMNS + RUN_COLUMNS + RESPONSE_COLUMNS + WITHHELD_COLUMNS
    if tuple(trial_columns) != groups:
        raise RuntimeError(f"trials.csv columns {list(trial_columns)} do not match the cells written {list(groups)}")


def session_cells(rec: TrialRecord) -> list:
    """The trials.csv cells that a session's rows share (study .. take_home)."""
    return [rec.study.name, rec.participant.code, rec.session.id, rec.session.cohort_index, rec.session.take_home,
            filter_of_procedure(rec.session.level_procedure)]


def plan_cells(rec: TrialRecord) -> list:
    """The trials.csv cells of the planned trial's place in the session (position .. catch_of)."""
    t = rec.trial
    return [t.position, t.block, t.kind, "" if t.catch_of is None else t.catch_of]


def run_cells(rec: TrialRecord) -> list:
    """The trials.csv cells of the run itself (variant .. shuffled_seg_order)."""
    t = rec.trial
    return [t.variant, t.item_id, t.rotate_id, t.unique_id, t.task, t.category, t.sub_category or "",
            " | ".join(rec.presented_options()), t.answer, t.answer_letter, t.shuffled_seg_order or ""]


def response_cells(rec: TrialRecord) -> list:
    """The trials.csv cells of the response (answered .. rt_interrupted)."""
    r = rec.response
    if r is None:
        return [False, "", "", False, "", "", "", "", "", "", "", "", ""]
    return [True, r.chosen_letter or "", r.chosen_text or "", bool(r.is_correct), "" if r.rt_ms is None else r.rt_ms,
            r.n_replays, iso_utc(r.presented_at), iso_utc(r.answered_at), r.uncalibrated, r.attenuation_db,
            "" if r.level_db_spl is None else r.level_db_spl, r.paused_ms, bool(r.rt_interrupted)]


def withheld_cells(rec: TrialRecord) -> list:
    """The trials.csv cells of a withheld trial (withheld, withheld_reason)."""
    reason = rec.trial.withheld_reason
    return [reason is not None, reason or ""]


def trial_cells(shared: list, rec: TrialRecord) -> list:
    """One trials.csv row as a list in TRIAL_COLUMNS order (``shared``: session_cells)."""
    return shared + plan_cells(rec) + run_cells(rec) + response_cells(rec) + withheld_cells(rec)


class CsvRows:
    """trials.csv written with the csv module's own quoting, but the cells that a run shares
    across every participant (variant .. shuffled_seg_order) rendered once per distinct run,
    and the session's cells once per session: most of a row's text is then reused."""

    def __init__(self, f):
        self._f = f
        self._text = ""
        self._render = csv.writer(self, lineterminator="")  # renders one row into self._text
        self._runs: dict[tuple, str] = {}

    def write(self, text: str) -> None:  # the csv writer's target
        self._text = text

    def cells_text(self, cells: list) -> str:
        self._render.writerow(cells)
        return self._text

    def header(self, trial_columns) -> None:
        check_columns(trial_columns)
        self._f.write(self.cells_text(list(trial_columns)) + "\r\n")

    def row(self, shared_text: str, rec: TrialRecord) -> None:
        t = rec.trial
        key = (t.variant, t.item_id, t.rotate_id, t.options_json, t.answer, t.answer_letter)
        run_text = self._runs.get(key)
        if run_text is None:
            run_text = self._runs[key] = self.cells_text(run_cells(rec))
        self._f.write("".join((shared_text, ",", self.cells_text(plan_cells(rec)), ",", run_text, ",",
                               self.cells_text(response_cells(rec)), ",", self.cells_text(withheld_cells(rec)),
                               "\r\n")))


def trial_row(rec: TrialRecord) -> dict:
    """One trials.csv row by column name."""
    groups = SESSION_COLUMNS + PLAN_COLUMNS + RUN_COLUMNS + RESPONSE_COLUMNS + WITHHELD_COLUMNS
    return dict(zip(groups, trial_cells(session_cells(rec), rec)))


def iso_utc(value: datetime | str | None) -> str:
    """A stored UTC time in ISO 8601 with its offset, as the table's datetime type reads it
    back (naive values are UTC). Text as SQLite stores it ("2026-01-02 03:04:05.678901",
    read straight from the driver) is rewritten without parsing."""
    if not value:
        return ""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            fraction = value[19:]
            return f"{value[:10]}T{value[11:19]}{'' if fraction == '.000000' else fraction}+00:00"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


class TrialLines(CsvRows):
    """The trials.csv cells of a run and of a place in the plan for the plain rows of
    tasks.study.records.session_batches, rendered once each (as CsvRows.row renders them) and reused
    (tasks.results.export_rows puts the lines together)."""

    def __init__(self, f, options_of):
        from tasks.study.records import PT_AT, R_AT

        super().__init__(f)
        self._options_of = options_of  # plain row -> the decoded options (checked)
        self._plans: dict[tuple, str] = {}
        self._choices: dict[tuple, str] = {}
        self.unanswered = self.cells_text(response_cells(_NoResponse))
        self.not_withheld = self.cells_text(withheld_cells(_NoResponse))
        self.withheld_at = PT_AT["withheld_reason"]
        self.plan_slice = slice(PT_AT["position"], PT_AT["catch_of"] + 1)
        self.run_slice = slice(PT_AT["variant"], PT_AT["shuffled_seg_order"] + 1)
        self.choice_slice = slice(R_AT["chosen_letter"], R_AT["is_correct"] + 1)
        if [PT_AT[c] for c in PLAN_COLUMNS] != list(range(self.plan_slice.start, self.plan_slice.stop)) or \
                [PT_AT[c] for c in ("variant", "item_id", "rotate_id", "unique_id", "task", "category",
                                    "sub_category", "options_json", "answer", "answer_letter",
                                    "shuffled_seg_order")] != list(range(self.run_slice.start, self.run_slice.stop)) \
                or [R_AT[c] for c in ("chosen_letter", "chosen_text", "is_correct")] != \
                list(range(self.choice_slice.start, self.choice_slice.stop)):
            raise RuntimeError("the stored columns are not in the order trials.csv reads them")

    def run_text(self, v: tuple) -> str:
        key = v[self.run_slice]
        text = self._runs.get(key)
        if text is None:
            (variant, item_id, rotate_id, unique_id, task, category, sub_category, _options_json, answer,
             answer_letter, shuffled_seg_order) = key
            text = self._runs[key] = self.cells_text([
                variant, item_id, rotate_id, unique_id, task, category, sub_category or "",
                " | ".join(self._options_of(v)), answer, answer_letter, shuffled_seg_order or ""])
        return text

    def withheld_text(self, v: tuple) -> str:
        """The withheld cells of a plain row (the same text for every trial played)."""
        reason = v[self.withheld_at]
        return self.not_withheld if reason is None else self.cells_text([True, reason])

    def plan_text(self, v: tuple) -> str:
        key = v[self.plan_slice]
        plan = self._plans.get(key)
        if plan is None:
            position, block, kind, catch_of = key
            plan = self._plans[key] = self.cells_text([position, block, kind, "" if catch_of is None else catch_of])
        return plan


class _NoTrial:
    withheld_reason = None


class _NoResponse:
    response = None
    trial = _NoTrial
