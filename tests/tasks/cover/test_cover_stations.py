"""Eight stations enrolling into one cover study at once on the private PostgreSQL server
(threads, each a station with its own journal, until the study is covered): every unit ends with
exactly K answers from K participants, nobody gets two units of one item, and no share is longer
than the study's session length."""
from __future__ import annotations

import threading

import pytest

from db.engine import open_database
from db.outbox import Outbox
from tasks.cover.units import cover_units
from tasks.dataset.loader import load_dataset
from tasks.labserver.station import simulate_station
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tests.support.cover_checks import cover_facts, share_estimates
from tests.support.cover_shape import write_cover_shape

pytestmark = pytest.mark.slow

STATIONS = 8
PROTOCOL = Protocol(mode="full-robust", design="cover", responses_per_run=2, session_minutes=12,
                    practice_per_block=1, catch_every=10, seed=4)


def test_eight_stations_fill_one_cover_study_without_passing_k(pg_url, tmp_path):
    ds = load_dataset(write_cover_shape(tmp_path / "ds", n_pc=40, n_tr=20, n_sr=12))
    engine = open_database(pg_url)
    errors: list[BaseException] = []
    barrier = threading.Barrier(STATIONS)

    def station(n: int) -> None:
        outbox = Outbox(tmp_path / f"outbox-{n}.sqlite3")
        try:
            barrier.wait()
            simulate_station(engine, ds, PROTOCOL, None, Observer("random"), "test", f"booth{n}", outbox, "cover",
                             wait_s=30)
        except BaseException as exc:  # reported below, with the station that raised it
            errors.append(exc)
        finally:
            outbox.close()

    threads = [threading.Thread(target=station, args=(n,)) for n in range(STATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with engine.connect() as conn:
        study_id = conn.exec_driver_sql("SELECT id FROM study WHERE name = 'cover'").scalar_one()
        stations = conn.exec_driver_sql("SELECT COUNT(DISTINCT station) FROM session").scalar_one()
    facts = cover_facts(engine, study_id, PROTOCOL.mode)
    units = {u.key for u in cover_units(ds, PROTOCOL)}
    assert set(facts["answers"]) == units and set(facts["answers"].values()) == {2}
    assert facts["participants_per_unit"] == {2: len(units)}
    assert facts["items_given_twice"] == 0
    assert stations > 1
    assert max(share_estimates(engine, study_id, ds)) <= PROTOCOL.session_minutes * 60
