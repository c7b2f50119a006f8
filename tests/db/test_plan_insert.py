"""A session's plan stored in one bulk insert (on PostgreSQL as one JSON parameter the server
turns into rows) comes back exactly as it was given, whatever its text holds."""
from __future__ import annotations

from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Participant, Session, Study
from db.repo import PLAN_COLUMNS

TEXTS = ['plain', 'quote " and \' and \\ backslash', "line\nbreak\ttab", "ünïcödé ✓ 音", '{"json": [1, "x"]}',
         "%s %(x)s {}", "\\u0000 not a nul", "  spaces  "]


def _row(n: int) -> dict:
    text = TEXTS[n % len(TEXTS)]
    return {"position": n, "block": n // 4, "kind": ("test", "practice", "catch")[n % 3],
            "catch_of": n - 1 if n % 3 == 2 else None, "break_before": n % 5 == 0, "variant": "pc",
            "item_id": f"pc_{text}", "rotate_id": n % 4, "unique_id": f"pc_{n}@{n % 4}", "task": text,
            "category": "c", "sub_category": None if n % 2 else text, "options_json": '["a", "b \\"c\\""]',
            "answer": text, "answer_letter": "<A>", "shuffled_seg_order": "2-0-1" if n % 2 else None,
            "withheld_reason": text if n == 7 else None}


def test_a_plan_with_any_text_round_trips(lab_db):
    engine = open_database(lab_db)
    rows = [_row(n) for n in range(3 * len(TEXTS))]
    with DbSession(engine) as s:
        study = repo.add_study(s, Study(name="s", dataset_root="/d", dataset_fingerprint="f", protocol_json="{}"))
        participant = repo.add_participant(s, Participant(code="P001"))
        session = repo.add_session(s, Session(study_id=study.id, participant_id=participant.id, cohort_index=0,
                                              plan_seed=1, app_version="t"), [dict(r) for r in rows])
        stored = repo.planned_trials(s, session.id)
    assert [{c: getattr(t, c) for c in PLAN_COLUMNS if c != "session_id"} for t in stored] == rows
    assert {t.session_id for t in stored} == {session.id}
    engine.dispose()
