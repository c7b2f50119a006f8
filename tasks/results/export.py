"""Exports: the model kit's layout for each participant and the pooled cohort, plus a tidy
trial-level CSV with a JSON sidecar. Never personal data: participants appear by code only.

Layout (STARBENCH.md section 5); each study's folder is a work_dir of the kit:
  <out>/<study>/human-<code>/<variant>/infer_results.jsonl, performance.json
  <out>/<study>/human-<code>/performance_summary_<variants joined by +>.csv
  <out>/<study>/human-<study>/...  the pooled cohort: every participant's runs as one responder
  <out>/<study>/human-majority/...  with majority=True: per run the answer most participants gave
  <out>/<study>/human-draw-<j>/...  cover studies: per unit its j-th answer received (tasks.cover.draws)
  <out>/trials.csv, <out>/trials.columns.json
  <out>/screening.csv, <out>/screening.columns.json  (tasks/results/screening_csv.py)
Practice and catch trials are left out of the kit files (they are in trials.csv).
"""
from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db.models import Calibration, Study
from tasks.adaptive.thresholds_csv import write_thresholds
from tasks.analysis.majority import add_majority_folders
from tasks.cover.draws import add_draw_folders
from tasks.cover.scores import add_cover_rows
from tasks.results.atomic_dir import staged_dir
from tasks.results.kit_writer import WRITE_BUFFER_BYTES, KitWriter, write_pieces
from tasks.results.screening_csv import write_screening
from tasks.dataset.paths import inside_folder, path_component
from tasks.results.trial_records import ExportError, SessionOf
from tasks.results.compare_input import HumanInputs, StudyInput
from tasks.results.export_rows import ExportRows
from tasks.results.kit_lines import KitLines, json_value
from tasks.study.records import (PT_AT, R_AT, OptionsCache, PlainOptions, StudySessions, read_snapshot,
                                 session_batches, study_sessions)
from tasks.results.trials_csv import TrialLines, iso_utc, session_cells
from tasks.scoring.metrics import leaderboard_row
from tasks.study.studies import study_protocol


TRIAL_COLUMNS: dict[str, str] = {
    "study": "study name",
    "participant": "pseudonymous participant code",
    "session_id": "session number in the database",
    "cohort_index": "the participant's position in the study's counterbalancing order",
    "take_home": "true when the session ran at home on the participant's own equipment",
    "headphone_filter": "the headphone equalization filter the session played through (file, SHA-256, band); "
                        "empty when none",
    "position": "0-based position of the trial in the session plan",
    "block": "0-based block number (one block per variant, in protocol order)",
    "kind": "test, practice (with feedback, not scored) or catch (a repeat of an earlier trial)",
    "catch_of": "for catch trials, the position of the trial it repeats",
    "variant": "presentation variant: pc, tr, tr_uncut, tr_cap, sr, sr_ch, pc_sp, pc_nsp",
    "item_id": "the dataset item id",
    "rotate_id": "the run of the item (option rotation for pc/sr, clip permutation for tr)",
    "unique_id": "item_id@rotate_id, as in the model evaluation",
    "task": "task name from the dataset",
    "category": "category from the dataset",
    "sub_category": "sub-category from the dataset (empty when the item has none)",
    "options": "the options as presented, in letter order, joined by ' | '",
    "answer": "the correct option text",
    "answer_letter": "the correct letter as presented, e.g. <B>",
    "shuffled_seg_order": "tr: the original segment played as clip 1, 2, 3, e.g. 2-3-1",
    "answered": "true when a response is stored",
    "chosen_letter": "the letter chosen, e.g. <B>; empty when none",
    "chosen_text": "the option text chosen",
    "is_correct": "true when chosen_letter equals answer_letter",
    "rt_ms": "response time in milliseconds from the last stimulus onset (monotonic clock)",
    "n_replays": "how many times the participant replayed a sound",
    "presented_at": "UTC time the trial was presented (ISO 8601)",
    "answered_at": "UTC time the answer was stored (ISO 8601)",
    "uncalibrated": "true when the output level was not calibrated in dB SPL for this response",
    "attenuation_db": "attenuation applied by the safety ceiling, dB",
    "level_db_spl": "presentation level in dB SPL when calibrated",
    "paused_ms": "time in milliseconds the response clock stood still between the last onset and the choice "
                 "(pause or PIN dialog open, participant window not in focus); not part of rt_ms",
    "rt_interrupted": "true when the trial was interrupted (pause or PIN dialog, window lost focus) while it was "
                      "shown: its rt_ms excludes paused_ms but the participant's attention was broken",
    "withheld": "true when the trial was withheld: never played and never answered (e.g. its level would exceed "
                "the safety ceiling); such trials are not answers and are not in the scores or the kit files",
    "withheld_reason": "why the trial was withheld (empty when it was not)",
}


@dataclass
class Attenuation:
    """Answered trials that the safety ceiling attenuated, and by how much (dB)."""
    trials: int = 0
    max_db: float = 0.0
    sum_db: float = 0.0

    def add(self, attenuation_db: float | None) -> None:
        if attenuation_db and attenuation_db > 0:
            self.trials += 1
            self.max_db = max(self.max_db, attenuation_db)
            self.sum_db += attenuation_db

    def to_json(self) -> dict:
        return {"trials_attenuated": self.trials, "attenuation_db_max": round(self.max_db, 2),
                "attenuation_db_mean": round(self.sum_db / self.trials, 2) if self.trials else 0.0}

    def describe(self) -> str:
        if not self.trials:
            return "no trial attenuated by the safety ceiling"
        j = self.to_json()
        return (f"{self.trials} trials attenuated by the safety ceiling (max {j['attenuation_db_max']:.2f} dB, "
                f"mean {j['attenuation_db_mean']:.2f} dB)")


@dataclass
class ExportResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    participants: int = 0
    responses: int = 0
    attenuation: dict[str, Attenuation] = field(default_factory=dict)  # by study name
    withheld: dict[str, int] = field(default_factory=dict)  # withheld trials by study name


def export(engine: Engine, out_dir: Path, app_version: str, study_name: str | None = None,
           majority: bool = False, inputs: HumanInputs | None = None,
           also: Callable[[Path], object] | None = None) -> ExportResult:
    """The export; with ``inputs``, also what the comparison needs (tasks.results.compare.write_compare),
    filled from the same read and the same scoring: the same as collect_human_inputs gives. With
    ``majority``, a human-majority/ folder beside the participants (tasks.analysis.majority).
    ``also(folder)`` writes more files into the export's folder before it is put in place.

    The folder is written as a hidden sibling and renamed into place at the end
    (tasks.results.atomic_dir): ``out_dir`` is the whole export or what it was before."""
    out_dir = Path(out_dir)
    try:
        with staged_dir(out_dir, "trials.csv") as stage:
            groups = study_sessions(engine, study_name)
            result = _export(engine, stage.path, app_version, study_name, groups, inputs)
            if inputs is not None:
                add_cover_rows(engine, inputs)
            if majority:
                add_majority_folders(engine, stage.path, study_name)
            add_draw_folders(engine, stage.path, [g.study for g in groups if g.sessions])
            result.files = sorted(p for p in stage.path.rglob("*") if p.is_file())
            if also is not None:
                also(stage.path)
        result.out_dir = out_dir
        result.files = [stage.final(p) for p in result.files]
        return result
    except OSError as exc:
        where = exc.filename or out_dir
        raise ExportError(f"cannot write the export to {where}: {exc.strerror or exc}. "
                          "Choose another folder; the database is unchanged.") from None


def _export(engine: Engine, out_dir: Path, app_version: str, study_name: str | None, groups: list[StudySessions],
            inputs: HumanInputs | None) -> ExportResult:
    """One pass over the stored trials of ``groups`` (study_sessions of study_name): each row goes
    to trials.csv, and each answered test trial to its participant's and its study's kit folders,
    as it is read."""
    result = ExportResult(out_dir)
    options_of = PlainOptions(OptionsCache())
    response_id, kind_at, position_at = R_AT["id"], PT_AT["kind"], PT_AT["position"]
    responses = 0
    withheld_at, paused_at, interrupted_at = PT_AT["withheld_reason"], R_AT["paused_ms"], R_AT["rt_interrupted"]
    studies: dict[str, Study] = {}
    sessions_seen: set[tuple] = set()
    with open(out_dir / "trials.csv", "w", newline="", encoding="utf-8", buffering=WRITE_BUFFER_BYTES) as f, \
            read_snapshot(engine) as conn:
        lines = TrialLines(f, options_of)
        lines.header(TRIAL_COLUMNS)
        withheld_text, lines_withheld = lines.withheld_text, lines.not_withheld
        rows = ExportRows(lines, KitLines(options_of))
        run_slice, choice_slice, plan_slice = rows.run_slice, rows.choice_slice, lines.plan_slice
        short_get, piece_of, tail_slice, render = rows.by_short_key.get, rows.piece, rows.tail_slice, lines._render.writerow
        item_at, rotate_at, letter_at, correct_at = rows.short_at
        plans_get, plan_of, write_csv = lines._plans.get, lines.plan_text, f.write
        chance = None if inputs is None else inputs.chance
        kit_lines: list[str] = []  # a batch's answered test trials, written per batch (write_pieces)
        kit_pieces: list = []
        kit_add, piece_add = kit_lines.append, kit_pieces.append
        study_folders: dict[str, str] = {}  # folder name -> the study exported into it
        for g in groups:
            name = g.study.name
            study_dir = inside_folder(out_dir, path_component(name))
            if study_folders.setdefault(study_dir.name, name) != name:
                raise ExportError(f"studies {study_folders[study_dir.name]!r} and {name!r} would share the folder "
                                  f"{study_dir.name}; rename one of them")
            last = g.last_session_of()
            attenuation = Attenuation()
            withheld = 0
            with ExitStack() as files:
                pooled = KitWriter(inside_folder(study_dir, f"human-{path_component(name)}"), files)
                writers: dict[str, KitWriter] = {}  # open until the participant's last session
                # kit folder name -> whose it is: two names made the same by path_component must not share one
                folders = {f"human-{path_component(name)}": "the pooled study results"}
                scored_codes: dict[str, tuple] = {}  # in order of first appearance -> (performances, runs)
                for i, session in enumerate(g.sessions):
                    participant = g.participants[session.participant_id]
                    code = participant.code
                    shared = None
                    for batch in session_batches(conn, session.id):
                        if shared is None:
                            if inputs is not None:
                                inputs.any_trials = True
                            shared = lines.cells_text(session_cells(SessionOf(g.study, session, participant)))
                            session_part = KitLines.session_part(code, session.id)
                            end_part = KitLines.end_part(session.take_home)
                            studies.setdefault(name, g.study)
                            sessions_seen.add((session.id, participant.code, session.uncalibrated,
                                               session.take_home, session.status))
                        for v in batch:
                            answered = v[response_id] is not None
                            piece = short_get((v[item_at], v[rotate_at], v[letter_at], v[correct_at], answered))
                            if piece is None or piece.run_key != v[run_slice] or piece.choice_key != v[choice_slice]:
                                piece = piece_of(v, answered)
                            plan = plans_get(v[plan_slice])
                            if plan is None:
                                plan = plan_of(v)
                            held = lines_withheld if v[withheld_at] is None else withheld_text(v)
                            if not answered:
                                withheld += v[withheld_at] is not None
                                write_csv(f"{shared},{plan},{piece.csv_text},{held}\r\n")
                                continue
                            (rt_ms, n_replays, presented_at, answered_at, uncalibrated, attenuation_db,
                             level_db_spl) = v[tail_slice]
                            render(("" if rt_ms is None else rt_ms, n_replays, iso_utc(presented_at),
                                    iso_utc(answered_at), True if uncalibrated else False, attenuation_db,
                                    "" if level_db_spl is None else level_db_spl, v[paused_at],
                                    True if v[interrupted_at] else False))
                            write_csv(f"{shared},{plan},{piece.csv_text},{lines._text},{held}\r\n")
                            responses += 1
                            if attenuation_db and attenuation_db > 0:
                                attenuation.add(attenuation_db)
                            if v[kind_at] != "test":
                                continue
                            position = v[position_at]
                            kit_add("".join((
                                piece.kit_head, session_part,
                                str(position) if type(position) is int else json_value(position), ', "rt_ms": ',
                                float.__repr__(rt_ms) if type(rt_ms) is float and rt_ms - rt_ms == 0.0
                                else json_value(rt_ms), ', "n_replays": ',
                                str(n_replays) if type(n_replays) is int else json_value(n_replays),
                                ', "uncalibrated": ', "true" if uncalibrated else "false", end_part)))
                            piece_add(piece)
                        if kit_lines:
                            writer = writers.get(code)
                            if writer is None:
                                folder = f"human-{path_component(code)}"
                                if folder in folders:
                                    raise ExportError(
                                        f"study {name!r}: participant {code!r} and "
                                        f"{folders[folder]} would share the folder {folder}; rename one of them")
                                folders[folder] = f"participant {code!r}"
                                writer = writers[code] = KitWriter(inside_folder(study_dir, folder), files)
                                scored_codes[code] = ()
                            write_pieces(kit_lines, kit_pieces, (writer, pooled), chance)
                            kit_lines.clear()
                            kit_pieces.clear()
                    if last[session.participant_id] == i and code in writers:
                        done = writers.pop(code)
                        scored_codes[code] = (done.finish(), done.runs)
                for code, writer in writers.items():
                    scored_codes[code] = (writer.finish(), writer.runs)
                pooled_performances = pooled.finish()
            if inputs is not None and scored_codes:
                inputs.studies[name] = StudyInput(
                    participant_rows=[leaderboard_row(perfs) for perfs, _runs in scored_codes.values()],
                    participant_codes=list(scored_codes),
                    participant_runs=[runs for _perfs, runs in scored_codes.values()],
                    pooled_performances=pooled_performances)
            result.participants += len(scored_codes)
            result.responses = responses
            if name in studies:
                result.attenuation[name] = attenuation
                result.withheld[name] = withheld
    (out_dir / "trials.columns.json").write_text(
        json.dumps(sidecar(engine, studies, sessions_seen, result.attenuation, app_version, result.withheld), indent=2,
                   ensure_ascii=False), encoding="utf-8")
    write_screening(engine, out_dir, study_name)
    write_thresholds(engine, out_dir, study_name)
    result.files = sorted(p for p in out_dir.rglob("*") if p.is_file())
    return result


def sidecar(engine: Engine, studies: dict[str, Study], sessions: set[tuple], attenuation: dict[str, Attenuation],
            app_version: str, withheld: dict[str, int] | None = None) -> dict:
    with DbSession(engine) as s:
        calibrations = [c.model_dump(mode="json") for c in s.exec(select(Calibration)).all()]
    return {
        "description": "One row per planned trial of every session in trials.csv; unanswered trials have answered=false.",
        "columns": TRIAL_COLUMNS,
        "app_version": app_version,
        "studies": {
            name: {"dataset_root": st.dataset_root, "dataset_fingerprint_sha256": st.dataset_fingerprint,
                   "protocol": json.loads(study_protocol(st).to_json())}
            for name, st in studies.items()
        },
        "safety_ceiling_attenuation": {
            "description": "answered trials whose stimulus the safety ceiling attenuated, per study: how many, "
                           "and the largest and mean attenuation in dB over those trials",
            **{name: a.to_json() for name, a in attenuation.items()},
        },
        "withheld_trials": {
            "description": "trials withheld instead of played (e.g. over the safety ceiling), per study: they are "
                           "in trials.csv with withheld=true and their reason, and not in the kit files or scores",
            **{name: n for name, n in (withheld or {}).items()},
        },
        "calibrations": calibrations,
        "sessions": [
            {"session_id": sid, "participant": code, "uncalibrated": unc, "take_home": th, "status": status}
            for sid, code, unc, th, status in sorted(sessions)
        ],
        "personal_data": "none: participants are pseudonymous codes; no names or e-mail addresses are stored",
    }
