"""Every answered test trial of one study as numpy arrays: participant, run and chosen option per
response, plus one description per run and per item. Read as a stream (tasks.study.records), so a
study of millions of responses holds a few small arrays, never records.

The answers are also given as *labels* that mean the same thing in every run of an item: for
pc and sr the option text (the options are rotated between runs, the texts are not); for the
temporal family the chronological order the answer claims, in original segments ("order 1-2-3"
is the true order), because the clips are permuted between runs and the same text means
different orders in different runs.
"""
from __future__ import annotations

import re
from operator import itemgetter
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.engine import Engine

from tasks.dataset.items import family_of
from tasks.study.records import (PT_AT, OptionsCache, PlainOptions, answer_batches, read_snapshot, study_sessions,
                                 trials_by_id)
from tasks.dataset.runs import letter_index
from tasks.scoring.metrics import RunResult

NO_ANSWER = -1  # chosen option index of a response without a valid answer
_CLIPS = re.compile(r"^\s*clip\s*([1-3])\s*->\s*clip\s*([1-3])\s*->\s*clip\s*([1-3])\s*$", re.IGNORECASE)


class ReportError(Exception):
    """The report cannot be made from this input (named); the database is unchanged."""


@dataclass(frozen=True)
class RunInfo:
    variant: str
    item_id: str
    rotate_id: int
    task: str
    category: str | None
    sub_category: str | None
    options: tuple[str, ...]  # as presented, in letter order
    answer: str
    answer_letter: str
    shuffled_seg_order: str | None
    unique_id: str

    @property
    def answer_index(self) -> int:
        try:
            return letter_index(self.answer_letter)
        except ValueError:
            return NO_ANSWER

    def label(self, option_index: int) -> str:
        """What choosing this option claims, comparable across the runs of the item."""
        text = self.options[option_index]
        if family_of(self.variant) != "tr" or not self.shuffled_seg_order:
            return text
        m = _CLIPS.match(text)
        segments = self.shuffled_seg_order.split("-")
        if m is None or len(segments) != 3:
            return text
        try:
            return "order " + "-".join(segments[int(c) - 1] for c in m.groups())
        except IndexError:
            return text


@dataclass
class Responses:
    """The answered test trials of one study (participants in order of first appearance)."""
    study: str
    codes: list[str]
    runs: list[RunInfo]
    participant: np.ndarray  # per response: index into codes
    run: np.ndarray  # per response: index into runs
    choice: np.ndarray  # per response: chosen option index, NO_ANSWER for none
    correct: np.ndarray  # per response: the stored is_correct
    excluded: list[str] = field(default_factory=list)  # codes left out (failed screening)

    def __post_init__(self) -> None:
        item_of: dict[tuple[str, str], int] = {}
        self.run_item = np.array([item_of.setdefault((r.variant, r.item_id), len(item_of)) for r in self.runs],
                                 dtype=np.int64)
        self.items: list[tuple[str, str]] = list(item_of)  # (variant, item_id)
        self.item = self.run_item[self.run] if len(self.run) else np.zeros(0, dtype=np.int64)
        _ids, first = np.unique(self.run_item, return_index=True)
        self._first_run = first  # per item (ids are 0..I-1, in order): the index of its first run

    @property
    def n_participants(self) -> int:
        return len(self.codes)

    def item_run(self, item: int) -> RunInfo:
        """A run of the item (its first): category, task and key are the item's."""
        return self.runs[int(self._first_run[item])]

    def run_results(self, mask: np.ndarray | None = None) -> list[RunResult]:
        """The responses (all, or those in mask) as the scoring module's run results, in stored
        order; one shared object per distinct (run, correctness), made once per study."""
        table = self.__dict__.get("_results")
        if table is None:
            table = np.empty(2 * len(self.runs), dtype=object)
            for ri, info in enumerate(self.runs):
                for ok in (False, True):
                    table[2 * ri + ok] = RunResult(info.variant, info.item_id, info.rotate_id, info.category,
                                                   info.sub_category, ok)
            self.__dict__["_results"] = table
        run, ok = (self.run, self.correct) if mask is None else (self.run[mask], self.correct[mask])
        return table[2 * run + ok].tolist()

    def chance_results(self) -> list[RunResult]:
        """Each response's expected credit under uniform guessing (1 / number of options)."""
        shared = [RunResult(r.variant, r.item_id, r.rotate_id, r.category, r.sub_category, 1.0 / len(r.options))
                  for r in self.runs]
        return [shared[ri] for ri in self.run.tolist()]

    def labels(self) -> tuple[np.ndarray, list[str]]:
        """Per response the label id of its answer (NO_ANSWER for none), and the label texts
        (made once per study: the item analysis and the agreement both read them)."""
        made = self.__dict__.get("_labels")
        if made is None:
            made = self.__dict__["_labels"] = self._make_labels()
        return made[0].copy(), list(made[1])

    def _make_labels(self) -> tuple[np.ndarray, list[str]]:
        vocab: dict[str, int] = {}
        per_run = [[vocab.setdefault(r.label(k), len(vocab)) for k in range(len(r.options))] for r in self.runs]
        width = max((len(x) for x in per_run), default=1)
        table = np.full((len(self.runs), width + 1), NO_ANSWER, dtype=np.int64)
        for ri, ids in enumerate(per_run):
            table[ri, :len(ids)] = ids
        choice = np.where(self.choice >= 0, self.choice, width)
        return table[self.run, choice], list(vocab)

    def key_labels(self) -> list[str]:
        """Per item the label of the key (from its first run)."""
        out = []
        for k in range(len(self.items)):
            r = self.item_run(k)
            a = r.answer_index
            out.append(r.label(a) if 0 <= a < len(r.options) else r.answer)
        return out


def pick_study(engine: Engine, study_name: str | None) -> str:
    """The study the report is about: the one named, or the only one with sessions."""
    groups = study_sessions(engine, study_name)
    if study_name is not None:
        if not groups:
            raise ReportError(f"no study named {study_name!r} in the database")
        return study_name
    with_sessions = [g.study.name for g in groups if g.sessions]
    if not with_sessions:
        raise ReportError("the database holds no study with sessions: nothing to report")
    if len(with_sessions) > 1:
        raise ReportError(f"the database holds {len(with_sessions)} studies ({', '.join(with_sessions)}): "
                          "choose one with --study")
    return with_sessions[0]


def load_responses(engine: Engine, study_name: str, exclude_codes: set[str] | frozenset = frozenset()) -> Responses:
    """The answered test trials of one study, participants in exclude_codes left out.

    Read in columns (tasks.study.records.answer_batches: planned trial id, run key, chosen
    letter, correctness), each row's run found by a map over the batch; the whole planned trial
    is read only for the first answer of each run (its options and key)."""
    groups = study_sessions(engine, study_name)
    options_of = PlainOptions(OptionsCache())
    run_index: dict[tuple, int] = {}
    runs: list[RunInfo] = []
    code_index: dict[str, int] = {}
    participant, run, letter, correct = [], [], [], []
    letters: dict[str | None, int] = {}
    excluded: list[str] = []
    with read_snapshot(engine) as conn:
        for g in groups:
            for session in g.sessions:
                code = g.participants[session.participant_id].code
                if code in exclude_codes:
                    if code not in excluded:
                        excluded.append(code)
                    continue
                for batch in answer_batches(conn, session.id):
                    if not batch:
                        continue
                    p = code_index.setdefault(code, len(code_index))
                    keys = list(map(_RUN_KEY, batch))
                    found = list(map(run_index.get, keys))
                    if None in found:
                        new = {}  # run key -> planned trial id of its first answer here
                        for key, row, ri in zip(keys, batch, found):
                            if ri is None and key not in new:
                                new[key] = row[0]
                        rows = trials_by_id(conn, list(new.values()))
                        for key, trial_id in new.items():
                            run_index[key] = len(runs)
                            runs.append(_run_info(rows[trial_id], options_of(rows[trial_id])))
                        found = list(map(run_index.__getitem__, keys))
                    participant.append(np.full(len(batch), p, dtype=np.int64))
                    run.append(np.array(found, dtype=np.int64))
                    for chosen in set(map(_CHOSEN, batch)) - letters.keys():
                        letters[chosen] = _letter(chosen)
                    letter.append(np.fromiter(map(letters.__getitem__, map(_CHOSEN, batch)), dtype=np.int64,
                                              count=len(batch)))
                    correct.append(np.fromiter(map(bool, map(_CORRECT, batch)), dtype=bool, count=len(batch)))
    run_arr = _joined(run, np.int64)
    # a letter beyond the run's options is no answer
    n_options = np.array([len(r.options) for r in runs], dtype=np.int64)
    chosen = _joined(letter, np.int64)
    choice = np.where(chosen < n_options[run_arr], chosen, NO_ANSWER) if len(run_arr) else chosen
    return Responses(study_name, list(code_index), runs, _joined(participant, np.int64), run_arr, choice,
                     _joined(correct, bool), excluded)


# in a row of answer_batches: (variant, item_id, rotate_id), chosen_letter, is_correct
_RUN_KEY, _CHOSEN, _CORRECT = itemgetter(1, 2, 3), itemgetter(4), itemgetter(5)


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _letter(chosen: str | None) -> int:
    if not chosen:
        return NO_ANSWER
    try:
        return letter_index(chosen)
    except ValueError:
        return NO_ANSWER


def _run_info(v: tuple, options: list[str]) -> RunInfo:
    def at(name):
        return v[PT_AT[name]]
    return RunInfo(at("variant"), at("item_id"), at("rotate_id"), at("task"), at("category"), at("sub_category"),
                   tuple(options), at("answer"), at("answer_letter"), at("shuffled_seg_order"), at("unique_id"))
