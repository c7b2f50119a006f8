"""The export's rows put together from cached pieces: what a run and a choice contribute to a
trials.csv line and to an infer_results.jsonl line is rendered once per distinct run and
choice (a few tens of thousands in a study of millions of responses), what a place in the plan
contributes once per place; per row only the response's own values are written.

The bytes are those of tasks.results.trials_csv.CsvRows.row and of
``json.dumps(TrialRecord.kit_record(), ensure_ascii=False) + "\\n"`` (tests/tasks/results/test_export.py).
"""
from __future__ import annotations

from tasks.results.kit_lines import KitLines
from tasks.study.records import PT_AT, R_AT
from tasks.scoring.metrics import RunResult
from tasks.results.trials_csv import TrialLines


class Piece:
    """What one run with one choice (or no response) contributes to an export row."""
    __slots__ = ("run_key", "choice_key", "csv_text", "kit_head", "run", "chance")

    def __init__(self, run_key: tuple, choice_key: tuple, csv_text: str, kit_head: str | None, run: RunResult | None,
                 chance: RunResult | None = None):
        self.run_key = run_key  # the row's run columns (variant .. shuffled_seg_order)
        self.choice_key = choice_key  # the row's chosen_letter, chosen_text, is_correct
        self.csv_text = csv_text  # trials.csv cells variant .. is_correct (or .. level_db_spl, unanswered)
        self.kit_head = kit_head  # the kit line up to shuffled_seg_order and its ", "
        self.run = run  # the scoring result of the run (shared)
        self.chance = chance  # the run with the expected credit of guessing (1 / number of options)


class ExportRows:
    def __init__(self, lines: TrialLines, kit: KitLines):
        self._lines = lines
        self._kit = kit
        self._options_of = kit.options_of
        self._pieces: dict[tuple, Piece] = {}  # by all the run's and choice's columns
        # by a short key (item_id, rotate_id, chosen_letter, is_correct, answered): hashing it is cheap,
        # and the caller checks the piece's full columns (a hand-edited row with the same short key
        # and other texts gets its own piece through piece())
        self.by_short_key: dict[tuple, Piece] = {}
        self.short_at = (PT_AT["item_id"], PT_AT["rotate_id"], R_AT["chosen_letter"], R_AT["is_correct"])
        self._runs: dict[tuple, RunResult] = {}  # one shared result per distinct run and outcome
        self._chances: dict[tuple, RunResult] = {}  # one per distinct run: its expected credit of guessing
        self.run_slice = lines.run_slice
        self.choice_slice = lines.choice_slice
        self.tail_slice = slice(R_AT["rt_ms"], R_AT["level_db_spl"] + 1)
        if list(range(self.tail_slice.start, self.tail_slice.stop)) != [R_AT[c] for c in (
                "rt_ms", "n_replays", "presented_at", "answered_at", "uncalibrated", "attenuation_db",
                "level_db_spl")]:
            raise RuntimeError("the stored response columns are not in the order trials.csv reads them")

    def piece(self, v: tuple, answered: bool) -> Piece:
        """The piece of a row, made on first use."""
        run_key, choice_key = v[self.run_slice], v[self.choice_slice]
        key = (run_key, choice_key, answered)
        found = self._pieces.get(key)
        if found is None:
            found = self._pieces[key] = self._make(v, run_key, choice_key, answered)
        self.by_short_key.setdefault(tuple(v[i] for i in self.short_at) + (answered,), found)
        return found

    def _make(self, v: tuple, run_key: tuple, choice_key: tuple, answered: bool) -> Piece:
        run_text = self._lines.run_text(v)
        if not answered:
            found = Piece(run_key, choice_key, f"{run_text},{self._lines.unanswered}", None, None)
        else:
            chosen_letter, chosen_text, is_correct = choice_key
            choice = self._lines.cells_text([True, chosen_letter or "", chosen_text or "", bool(is_correct)])
            result_key = (v[PT_AT["variant"]], v[PT_AT["item_id"]], v[PT_AT["rotate_id"]], v[PT_AT["category"]],
                          v[PT_AT["sub_category"]], bool(is_correct))
            run = self._runs.get(result_key)
            if run is None:
                run = self._runs[result_key] = RunResult(*result_key)
            n_options = len(self._options_of(v))
            chance_key = result_key[:-1] + (1.0 / n_options if n_options else None,)
            chance = self._chances.get(chance_key)
            if chance is None:
                chance = self._chances[chance_key] = RunResult(*chance_key)
            found = Piece(run_key, choice_key, f"{run_text},{choice}", self._kit.head(v), run, chance)
        return found
