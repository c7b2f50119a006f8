"""Each session's screening sequence comes from a seed of its own, drawn with ``secrets`` and
stored (real SQLite files): two sessions with the same id in two databases (a lab session and a
home session both numbered 1) get different sequences, the stored seed reproduces the sequence,
asking again (a resumed screening) gives the same seed, and older records without a seed stay
readable (their sequence came from the session id)."""
import json

import numpy as np
import pytest
from sqlmodel import Session as DbSession

from audio.screening import antiphase_test, huggins_test
from db import repo
from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol
from tasks.study.screening_records import SEED_EVENT, read_screening, screening_seed, stored_seed
from tests.support.factories import pc_items, write_dataset


def database(folder, name: str):
    """A database with one simulated session, numbered 1."""
    ds = load_dataset(write_dataset(folder / f"{name}-ds", pc=pc_items(per_sub=1), tr=[], sr=[]))
    engine = open_database(folder / f"{name}.sqlite3")
    simulate(engine, ds, Protocol(variants=["pc"], practice_per_block=0), 1, Observer("perfect"), "test",
             study_name="pilot")
    return engine


def answer_order(seed: int) -> tuple:
    return (tuple(t.correct_index for t in antiphase_test(seed).trials),
            tuple(t.correct_index for t in huggins_test(seed).trials))


@pytest.fixture
def engines(tmp_path):
    made = [database(tmp_path, name) for name in ("lab", "home", "lab2", "home2")]
    yield made
    for e in made:
        e.dispose()


def test_same_session_id_in_two_databases_gets_different_sequences(engines):
    seeds = [screening_seed(e, 1) for e in engines]
    assert len(set(seeds)) == len(seeds) and all(0 <= s < 2 ** 63 for s in seeds)
    # the Huggins noise differs with the seed; the answer order (90 x 90 possible orders per
    # session) is not the same in all four sessions
    lab, home = huggins_test(seeds[0]), huggins_test(seeds[1])
    assert not np.array_equal(lab.trials[0].intervals[0], home.trials[0].intervals[0])
    assert len({answer_order(s) for s in seeds}) > 1


def test_the_stored_seed_reproduces_the_sequence_and_a_resume_gets_the_same(engines):
    engine = engines[0]
    assert stored_seed(engine, 1) is None
    seed = screening_seed(engine, 1)
    assert stored_seed(engine, 1) == seed
    assert screening_seed(engine, 1) == seed  # the screening starting again after a pause or a crash
    with DbSession(engine) as s:
        rows = [a for a in repo.audit_log(s, 1) if a.event == SEED_EVENT]
    assert len(rows) == 1 and json.loads(rows[0].detail) == {"seed": seed}
    first, again = huggins_test(seed), huggins_test(stored_seed(engine, 1))
    assert [t.correct_index for t in first.trials] == [t.correct_index for t in again.trials]
    assert all(np.array_equal(a, b) for x, y in zip(first.trials, again.trials) for a, b in zip(x.intervals, y.intervals))


def test_records_with_and_without_a_seed_are_read(engines):
    engine = engines[0]
    old = [{"test": "antiphase", "correct": 6, "trials": 6, "passed": True}]
    with DbSession(engine) as s:
        repo.audit(s, "screening", json.dumps(old), 1)
    (outcome,) = read_screening(engine)
    assert outcome.seed == 1 and outcome.passed  # before seeds were stored: the session id was the seed
    new = [{**old[0], "seed": 12345678901234567}]
    with DbSession(engine) as s:
        repo.audit(s, "screening", json.dumps(new), 1)
    (outcome,) = read_screening(engine)
    assert outcome.seed == 12345678901234567
