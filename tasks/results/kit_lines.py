"""infer_results.jsonl lines from the plain rows of tasks.study.records.session_batches, the same
bytes as ``json.dumps(TrialRecord.kit_record(), ensure_ascii=False) + "\\n"``.

A record is the run's fields, the choice, then the session's and the response's own values.
json.dumps of a dict is its items joined by ", " with ": " after each key, so a line can be
put together from pieces: the head (run and choice) is encoded once per distinct run and
choice (tasks.results.export_rows caches it), the session's parts once per session, and only
position, rt_ms, n_replays and uncalibrated are written per row, each as json renders it.
"""
from __future__ import annotations

import json

from tasks.results.kit_format import kit_model_response
from tasks.study.records import PT_AT, R_AT


def json_value(value) -> str:
    """json.dumps(value) for the per-row values: ints and finite floats directly, the rest
    (None, NaN, infinities, text in a hand-edited row) through json itself."""
    kind = type(value)
    if kind is float and value - value == 0.0:
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


class KitLines:
    def __init__(self, options_of):
        self.options_of = options_of  # plain row -> the decoded options (checked)
        self.choice_slice = slice(R_AT["chosen_letter"], R_AT["is_correct"] + 1)

    def head(self, v: tuple) -> str:
        """The record up to shuffled_seg_order, as json.dumps writes it, with the ", " after it."""
        options = self.options_of(v)
        chosen_letter, chosen_text, is_correct = v[self.choice_slice]
        rec = {
            "id": v[PT_AT["item_id"]], "task": v[PT_AT["task"]], "category": v[PT_AT["category"]],
            "sub-category": v[PT_AT["sub_category"]], "options": options, "answer": v[PT_AT["answer"]],
            "answer_letter": v[PT_AT["answer_letter"]], "rotate_id": v[PT_AT["rotate_id"]],
            "prediction": chosen_letter if chosen_letter else "Z",
            "is_correct": bool(is_correct),
            "model_response": kit_model_response(chosen_text, chosen_letter, len(options)),
            "unique_id": v[PT_AT["unique_id"]],
        }
        if v[PT_AT["shuffled_seg_order"]] is not None:
            rec["shuffled_seg_order"] = v[PT_AT["shuffled_seg_order"]]
        return json.dumps(rec, ensure_ascii=False)[:-1] + ", "

    @staticmethod
    def session_part(participant_code: str, session_id: int) -> str:
        """The text between the head and the position's value."""
        return (f'"participant": {json.dumps(participant_code, ensure_ascii=False)}, '
                f'"session_id": {json.dumps(session_id)}, "position": ')

    @staticmethod
    def end_part(take_home: bool) -> str:
        return f', "take_home": {json.dumps(take_home)}}}\n'
