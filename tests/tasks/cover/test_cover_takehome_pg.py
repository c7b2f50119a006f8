"""Take-home packages and lab enrolments of one cover study at once on the private PostgreSQL
server: a package's share is assigned under the study's enrolment lock like any other, so with
K = 1 no unit is given twice, whether to a package or to a lab session."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from tasks.cover.units import unit_key
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tasks.takehome.packages import make_package
from tests.support.factories import write_dataset

PROTOCOL = Protocol(design="cover", responses_per_run=1, practice_per_block=0, session_minutes=6)


@pytest.mark.pg
def test_packages_and_lab_enrolments_at_once_never_give_a_unit_twice(pg_url, tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    engine = open_database(pg_url)
    study = open_study(engine, ds, "cover-home", PROTOCOL)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def package(code: str) -> None:
        try:
            barrier.wait()
            make_package(engine, ds, "cover-home", code, tmp_path / f"{code}.zip", "test")
        except BaseException as exc:  # reported below
            errors.append(exc)

    def lab(code: str) -> None:
        try:
            barrier.wait()
            start_or_resume(engine, ds, study, code, "test")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=package, args=(c,)) for c in ("H001", "H002")]
    threads += [threading.Thread(target=lab, args=(c,)) for c in ("L001", "L002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the small study may run out for the last comer; nothing else may go wrong
    assert all("is covered" in str(e) or "heard every remaining" in str(e) for e in errors), errors
    given: Counter = Counter()
    with DbSession(engine) as s:
        sessions = repo.sessions_of_study(s, study.id)
        for x in sessions:
            for t in repo.planned_trials(s, x.id):
                if t.kind == "test":
                    given[unit_key(PROTOCOL.mode, t.variant, t.item_id, t.rotate_id)] += 1
    assert len(sessions) == 4 - len(errors) and sum(x.take_home for x in sessions) >= 1
    assert given and max(given.values()) == 1
    engine.dispose()
