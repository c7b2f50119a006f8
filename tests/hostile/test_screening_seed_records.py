"""Hand-edited screening seeds (real SQLite file): an unreadable seed row or a seed in a screening
record that is not a non-negative integer is refused with the session named; nothing is guessed."""
import json

import pytest
from sqlmodel import Session as DbSession

from db import repo
from tasks.study.screening_records import SEED_EVENT, ScreeningRecordError, read_screening, screening_seed
from tests.tasks.study.test_screening_seed import database


@pytest.mark.parametrize("detail", ["not json", "{}", '{"seed": -3}', '{"seed": "12"}', '{"seed": true}', "[1]"])
def test_a_damaged_seed_row_is_refused_naming_the_session(tmp_path, detail):
    engine = database(tmp_path, "lab")
    with DbSession(engine) as s:
        repo.audit(s, SEED_EVENT, detail, 1)
    with pytest.raises(ScreeningRecordError, match="screening seed of session 1"):
        screening_seed(engine, 1)
    engine.dispose()


@pytest.mark.parametrize("seed", [-1, "7", 1.5, True])
def test_a_screening_record_with_a_bad_seed_is_refused(tmp_path, seed):
    engine = database(tmp_path, "lab")
    with DbSession(engine) as s:
        repo.audit(s, "screening", json.dumps([{"test": "antiphase", "correct": 6, "trials": 6, "passed": True,
                                                "seed": seed}]), 1)
    with pytest.raises(ScreeningRecordError, match="session 1, entry 0: field 'seed'"):
        read_screening(engine)
    engine.dispose()
