"""Damaged station journals (docs/lab-server.md, "A damaged journal"), on a real PostgreSQL lab
server under the station's own role: each journal holds good answers beside a bad one (or is
no journal at all), or good adaptive entries beside a bad one; opening and delivering it raises
nothing, the good answers (and adaptive trials) reach the server once, each bad entry is
quarantined in the journal file with a named reason (never deleted), and no session completes
with an answer missing or stored under another session."""
from __future__ import annotations

import itertools
import json
import math
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.models import AdaptiveBlock, AdaptiveTrial, Response, Session, Station
from db.outbox import Outbox, quarantine_note
from tasks.dataset.loader import load_dataset
from tasks.labserver.station import StationLink
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tests.support.factories import write_dataset
from tests.support.pg_roles import make_lab

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = Protocol(practice_per_block=0)
_codes = itertools.count(1)


@pytest.fixture(scope="module")
def lab(pg_server, tmp_path_factory):
    lab = make_lab(pg_server)
    ds = load_dataset(write_dataset(tmp_path_factory.mktemp("ds")))
    owner = open_database(lab.owner_url())
    open_study(owner, ds, "pilot", PROTOCOL)
    booth1, booth2 = open_database(lab.station_url("booth1")), open_database(lab.station_url("booth2"))
    lab.owner, lab.booth1, lab.ds = owner, booth1, ds
    lab.study = open_study(booth1, ds, "pilot", PROTOCOL)
    lab.other = start_or_resume(booth2, ds, lab.study, "OTHER", "test", station="booth2")  # booth2's session
    yield lab
    for engine in (owner, booth1, booth2):
        engine.dispose()
    lab.drop()


def new_session(lab):
    """A new session of booth1 and its plan."""
    session = start_or_resume(lab.booth1, lab.ds, lab.study, f"J{next(_codes):03d}", "test", station="booth1")
    with DbSession(lab.owner) as s:
        return session, repo.planned_trials(s, session.id), repo.planned_trials(s, lab.other.id)


def answer(trial, **changes) -> dict:
    values = dict(planned_trial_id=trial.id, chosen_letter=trial.answer_letter, chosen_text=None, is_correct=True,
                  rt_ms=512.0, n_replays=0, presented_at=None, uncalibrated=True, attenuation_db=0.0,
                  level_db_spl=None, paused_ms=0.0, rt_interrupted=False,
                  answered_at=datetime.now(timezone.utc).isoformat())
    values.update(changes)
    return values


def our_journal(path: Path, session_id: int, good: list, raw: list[tuple]) -> None:
    """A journal of this version's layout: ``good`` answers as the station writes them, then
    ``raw`` rows (planned_trial_id, session_id, values_json, state) put in by hand."""
    box = Outbox(path)
    box.add(session_id, good)
    box.close()
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO journal (planned_trial_id, session_id, values_json, queued_at, state) "
                    "VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00', ?)", raw)
    con.commit()
    con.close()


def foreign_journal(path: Path, ddl: str, rows: list[tuple], columns: str) -> None:
    con = sqlite3.connect(path)
    con.execute(ddl)
    con.executemany(f"INSERT INTO journal ({columns}) VALUES ({', '.join('?' for _ in columns.split(','))})", rows)
    con.commit()
    con.close()


def case_rows(lab, name, session, plan, theirs):
    """(how to write the journal, the good trials, the reasons expected in quarantine)."""
    good = [answer(plan[0]), answer(plan[1])]
    sid = session.id

    def ours(*raw):
        return lambda path: our_journal(path, sid, good, list(raw))

    bad = plan[2]
    cases = {
        "bad JSON": (ours((bad.id, sid, "{not json", "pending")), ["not valid JSON"]),
        "JSON not an object": (ours((bad.id, sid, "[1, 2]", "pending")), ["not an object"]),
        "unknown column": (ours((bad.id, sid, json.dumps(answer(bad, evil=1)), "pending")), ["unknown column 'evil'"]),
        "missing planned trial": (ours((99_999, sid, json.dumps(answer(bad, planned_trial_id=99_999)), "pending")),
                                  ["does not exist on the server"]),
        "wrong session": (ours((bad.id, theirs[0].session_id, json.dumps(answer(bad)), "pending")),
                          [f"belongs to session {sid}"]),
        "another station's session": (ours((theirs[0].id, theirs[0].session_id, json.dumps(answer(theirs[0])),
                                            "pending")), ["station 'booth2'"]),
        "bad date": (ours((bad.id, sid, json.dumps(answer(bad, answered_at="yesterday")), "pending")),
                     ["not a date and time"]),
        "unknown state": (ours((bad.id, sid, json.dumps(answer(bad)), "sent")), ["unknown state 'sent'"]),
        "NULL answer": (ours((bad.id, sid, json.dumps(answer(bad, is_correct=None)), "pending")),
                        ["is_correct is NULL"]),
        "wrong type": (ours((bad.id, sid, json.dumps(answer(bad, is_correct="yes")), "pending")),
                       ["not true/false"]),
        "text session id": (ours((bad.id, "abc", json.dumps(answer(bad)), "pending")), ["session id 'abc'"]),
        "huge numbers": (ours((bad.id, sid, json.dumps(answer(bad, n_replays=10**30, rt_ms=1e308)), "pending")),
                         ["is not a"]),
        "not finite": (ours((bad.id, sid, json.dumps(answer(bad, rt_ms=math.nan)), "pending")),
                       ["rt_ms = nan is not a finite number"]),
        "huge text": (ours((bad.id, sid, json.dumps(answer(bad, chosen_text="x" * 200_000)), "pending")),
                      ["characters long"]),
        "NUL in text": (ours((bad.id, sid, json.dumps(answer(bad, chosen_text="a\x00b")), "pending")),
                        ["chosen_text"]),
        "id out of range": (ours((2**40, sid, json.dumps(answer(bad, planned_trial_id=2**40)), "pending")),
                            ["out of range"]),
        "another trial named inside": (ours((bad.id, sid, json.dumps(answer(plan[3])), "pending")),
                                       ["names planned trial"]),
        "blob payload": (ours((bad.id, sid, b"\x00\x01binary", "pending")), ["not JSON text"]),
        "withheld entry, reason not text": (ours((bad.id, sid, json.dumps({"withheld_reason": 12, "withheld_at":
                                                                           "2026-01-01T00:00:00+00:00"}), "pending")),
                                            ["withheld_reason = 12 is not text"]),
        "withheld entry, unknown key": (ours((bad.id, sid, json.dumps({"withheld_reason": "x", "is_correct": True,
                                                                       "withheld_at": "2026-01-01T00:00:00"}),
                                              "pending")), ["unknown key 'is_correct' in a withheld trial"]),
        "withheld entry, bad date": (ours((bad.id, sid, json.dumps({"withheld_reason": "x", "withheld_at": "soon"}),
                                           "pending")), ["withheld_at = 'soon' is not a date and time"]),
        "withheld trial": (lambda path: (repo.withhold_trial(lab.booth1, sid, plan[5].id, "over the ceiling"),
                                         ours((plan[5].id, sid, json.dumps(answer(plan[5])), "pending"))(path)),
                           ["was withheld (over the ceiling)"]),
    }
    old = "planned_trial_id INTEGER, session_id INTEGER, values_json TEXT, queued_at TEXT"
    rows = [(g["planned_trial_id"], sid, json.dumps(g), "2026-01-01T00:00:00") for g in good]
    cases.update({
        "old layout without state": (
            lambda path: foreign_journal(path, f"CREATE TABLE journal ({old})", rows,
                                         "planned_trial_id, session_id, values_json, queued_at"),
            ["another layout"]),
        "duplicate entries": (
            lambda path: foreign_journal(path, f"CREATE TABLE journal ({old})",
                                         rows + [(plan[0].id, sid, json.dumps(answer(plan[0], is_correct=False)),
                                                  "2026-01-01T00:00:01")],
                                         "planned_trial_id, session_id, values_json, queued_at"),
            ["another layout", "a second entry for planned trial"]),
        "NULL ids in another layout": (
            lambda path: foreign_journal(path, f"CREATE TABLE journal ({old})",
                                         rows + [(None, None, json.dumps(answer(bad)), None)],
                                         "planned_trial_id, session_id, values_json, queued_at"),
            ["another layout", "planned trial id None"]),
    })
    return cases[name]


GOOD_KEPT = ["bad JSON", "JSON not an object", "unknown column", "missing planned trial", "wrong session",
             "another station's session", "bad date", "unknown state", "NULL answer", "wrong type", "text session id",
             "huge numbers", "not finite", "huge text", "NUL in text", "id out of range", "another trial named inside",
             "blob payload", "withheld entry, reason not text", "withheld entry, unknown key",
             "withheld entry, bad date", "withheld trial", "old layout without state", "duplicate entries", "NULL ids in another layout"]


def delivered_by_station(lab, tmp_path, path: Path) -> Outbox:
    box = Outbox(path)  # a station start: opening the journal, then delivering it
    link = StationLink(lab.booth1, box, "booth1")
    assert link.try_deliver()
    return box


def answers_of(lab, session_id) -> dict[int, bool]:
    with DbSession(lab.owner) as s:
        return {r.planned_trial_id: r.is_correct
                for r in s.exec(select(Response).where(Response.session_id == session_id))}


@pytest.mark.parametrize("name", GOOD_KEPT)
def test_a_damaged_journal_delivers_the_good_answers_and_quarantines_the_bad_with_a_reason(lab, tmp_path, name):
    session, plan, theirs = new_session(lab)
    write, reasons = case_rows(lab, name, session, plan, theirs)
    path = tmp_path / "outbox-booth1.sqlite3"
    write(path)
    their_answers = answers_of(lab, lab.other.id)
    box = delivered_by_station(lab, tmp_path, path)
    assert answers_of(lab, session.id) == {plan[0].id: True, plan[1].id: True}  # the good ones, once, as journalled
    assert answers_of(lab, lab.other.id) == their_answers  # nothing under another session
    quarantined = " | ".join(r[-1] for r in box.quarantined())
    n_quarantined = len(box.quarantined())
    for reason in reasons:
        assert reason in quarantined, quarantined
    assert box.count() == 0
    box.close()
    with DbSession(lab.owner) as s:
        assert s.get(Session, session.id).status != "completed"  # no session completes with an answer missing
        # the console's station status says so, counting every quarantined entry
        assert s.get(Station, "booth1").last_error == quarantine_note(n_quarantined)
    # kept in the journal file (never deleted), and again on the next start, without delivering twice
    again = delivered_by_station(lab, tmp_path, path)
    assert [r[-1] for r in again.quarantined()] == [r for r in quarantined.split(" | ")]
    again.close()
    kept = sorted(p.name for p in tmp_path.iterdir() if ".damaged-" in p.name)
    assert bool(kept) == ("another layout" in reasons[0])  # a file of another layout is kept aside whole


@pytest.mark.parametrize("name, content", [
    ("not a database", b"this is a text file, not a journal\n" * 40),
    ("random bytes", bytes(range(256)) * 64),
    ("a SQLite header and nothing else", b"SQLite format 3\x00" + b"\xff" * 84),
])
def test_a_journal_that_is_no_database_is_kept_aside_and_the_station_starts(lab, tmp_path, name, content):
    path = tmp_path / "outbox-booth1.sqlite3"
    path.write_bytes(content)
    box = delivered_by_station(lab, tmp_path, path)
    (aside,) = [p for p in tmp_path.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == content  # kept as it was
    assert "kept as" in box.opened_note and aside.name in box.opened_note
    assert box.quarantined() and box.count() == 0
    box.close()


def test_a_truncated_journal_gives_what_can_be_read_and_keeps_the_rest_aside(lab, tmp_path):
    session, plan, _ = new_session(lab)
    path = tmp_path / "outbox-booth1.sqlite3"
    box = Outbox(path)
    box.add(session.id, [answer(t, chosen_text="padding " * 200) for t in plan[:8]])
    box._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    box.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    box = delivered_by_station(lab, tmp_path, path)
    stored = answers_of(lab, session.id)
    assert set(stored) <= {t.id for t in plan[:8]} and all(stored.values())
    assert box.opened_note and box.count() == 0
    box.close()


def test_an_empty_file_is_a_new_journal(lab, tmp_path):
    path = tmp_path / "outbox-booth1.sqlite3"
    path.write_bytes(b"")
    box = delivered_by_station(lab, tmp_path, path)
    assert box.opened_note == "" and box.quarantined() == [] and box.count() == 0
    box.close()


@pytest.mark.subprocess
def test_a_station_started_on_a_damaged_journal_runs_and_lab_journal_lists_the_reasons(lab, tmp_path):
    session, plan, theirs = new_session(lab)
    path = tmp_path / "outbox-booth1.sqlite3"
    our_journal(path, session.id, [answer(plan[0])],
                [(plan[1].id, theirs[0].session_id, json.dumps(answer(plan[1])), "pending"),
                 (plan[2].id, session.id, "{broken", "pending")])
    dataset = lab.ds.root
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "simulate", "--dataset", str(dataset), "--db",
                          lab.station_url("booth1"), "--participants", "1", "--station", "booth1", "--outbox",
                          str(path), "--study", "pilot", "--wait-s", "60"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "2 journal entries quarantined" in run.stdout
    listing = subprocess.run([sys.executable, str(ROOT / "main.py"), "lab-journal", "--outbox", str(path)], cwd=ROOT,
                             capture_output=True, text=True)
    assert listing.returncode == 0 and "Traceback" not in listing.stderr
    assert "2 quarantined" in listing.stdout and "not valid JSON" in listing.stdout
    assert f"belongs to session {session.id}" in listing.stdout


ADAPTIVE = Protocol(practice_per_block=0, adaptive_dimensions=["loudness"], adaptive_procedure="2down1up",
                    adaptive_max_trials=4)


def adaptive_journal(lab, path: Path):
    """A session of booth1 in the adaptive study and a journal holding its loudness block as a
    station writes it while the server is away (the block made there, trials 0 and 1); returns
    (session id, trial 1's values, the block entry's values)."""
    from tasks.labserver.adaptive_station import StationAdaptive

    open_study(lab.owner, lab.ds, "adaptive", ADAPTIVE)
    study = open_study(lab.booth1, lab.ds, "adaptive", ADAPTIVE)
    session = start_or_resume(lab.booth1, lab.ds, study, f"J{next(_codes):03d}", "test", station="booth1")
    link = StationLink(lab.booth1, Outbox(path), "booth1")
    link.deliver_on_record = False
    adaptive = StationAdaptive(link, session.id, ADAPTIVE)
    adaptive.on_server = {}  # read before the blocks were made: this station makes the block
    runner = adaptive.next_runner()
    for _ in range(2):
        plan = runner.next_trial()
        runner.record(plan, plan.level_asked, plan.answer_letter, {"unit": plan.unit}, rt_ms=400.0)
    entries = {k: v for _, k, v, _ in link.outbox.adaptive_entries(session.id)}
    link.outbox.close()
    assert sorted(entries) == [-1, 0, 1]
    return session.id, entries[1], entries[-1]


def adaptive_cases(lab, sid, trial, block):
    est = trial["block"]

    def changed(k: int = 2, **kw):
        return json.dumps({**trial, "block": {**est, "n_trials": k + 1}, **kw})

    return {
        "bad JSON": ((sid, "loudness", 2, "{x", "pending"), "not valid JSON"),
        "unknown column": ((sid, "loudness", 2, changed(evil=1), "pending"), "unknown column 'evil' in an adaptive"),
        "letters": ((sid, "loudness", 2, changed(chosen_letter="<C>"), "pending"), "are not <A>/<B>"),
        "correctness not from the letters": ((sid, "loudness", 2, changed(is_correct=not trial["is_correct"]),
                                              "pending"), "does not follow from the letters"),
        "count not the trial's": ((sid, "loudness", 2, changed(block={**est, "n_trials": 7}), "pending"),
                                  "do not fit trial 2"),
        "level not finite": ((sid, "loudness", 2, changed(level_played=math.inf), "pending"),
                             "level_played = inf is not a finite number"),
        "state not JSON": ((sid, "loudness", 2, changed(state_json="{"), "pending"), "state_json"),
        "trial index out of range": ((sid, "loudness", 10**6, changed(), "pending"), "trial index 1000000"),
        "dimension not a name": ((sid, "loud ness; drop", 2, changed(), "pending"), "dimension 'loud ness; drop'"),
        "unknown state": ((sid, "loudness", 2, changed(), "sent"), "unknown state 'sent'"),
        "missing session": ((99_999, "loudness", 2, changed(), "pending"), "session 99999 does not exist"),
        "another station's session": ((lab.other.id, "loudness", 0, changed(0), "pending"), "station 'booth2'"),
        "block entry, before not pairs": ((sid, "pitch", -1, json.dumps({**block, "before": [[1.0, "yes"]]}),
                                           "pending"), "before holds"),
        "block entry, unknown key": ((sid, "pitch", -1, json.dumps({**block, "evil": 1}), "pending"),
                                     "unknown key 'evil' in a block entry"),
        "a block the server lacks": ((sid, "pitch", 0, changed(0), "pending"), "pitch block of session"),
        "a gap before it": ((sid, "loudness", 3, changed(3), "pending"),
                            "holds 2 of the block's 3 earlier trials"),
    }


@pytest.mark.parametrize("name", ["bad JSON", "unknown column", "letters", "correctness not from the letters",
                                  "count not the trial's", "level not finite", "state not JSON",
                                  "trial index out of range", "dimension not a name", "unknown state",
                                  "missing session", "another station's session", "block entry, before not pairs",
                                  "block entry, unknown key", "a block the server lacks", "a gap before it"])
def test_a_damaged_adaptive_entry_is_quarantined_and_the_good_block_arrives(lab, tmp_path, name):
    path = tmp_path / "outbox-booth1.sqlite3"
    sid, trial, block = adaptive_journal(lab, path)
    row, reason = adaptive_cases(lab, sid, trial, block)[name]
    con = sqlite3.connect(path)
    con.execute("INSERT INTO adaptive_journal (session_id, dimension, trial_index, values_json, queued_at, state) "
                "VALUES (?, ?, ?, ?, '2026-01-01T00:00:00+00:00', ?)", row)
    con.commit()
    con.close()
    box = delivered_by_station(lab, tmp_path, path)
    quarantined = " | ".join(r[-1] for r in box.quarantined())
    assert reason in quarantined and len(box.quarantined()) == 1, quarantined
    assert box.count() == 0 and box.adaptive_count("delivered") == 3
    box.close()
    with DbSession(lab.owner) as s:  # the block made on delivery, with the good trials once
        blocks = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == sid)).all()
        assert [(b.dimension, b.n_trials, b.status) for b in blocks] == [("loudness", 2, "running")]
        trials = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == blocks[0].id)).all()
        assert sorted(t.trial_index for t in trials) == [0, 1]
        assert not s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == lab.other.id)).all()
        assert s.get(Session, sid).status != "completed"
    again = delivered_by_station(lab, tmp_path, path)  # kept, and nothing delivered twice
    assert len(again.quarantined()) == 1 and again.count() == 0
    again.close()


def test_adaptive_entries_of_a_journal_of_another_layout_are_carried_over_and_delivered(lab, tmp_path):
    path = tmp_path / "outbox-booth1.sqlite3"
    sid, _trial, _block = adaptive_journal(lab, path)
    con = sqlite3.connect(path)  # an answers table of another layout beside good adaptive entries
    con.execute("DROP TABLE journal")
    con.execute("CREATE TABLE journal (planned_trial_id INTEGER, session_id INTEGER, values_json TEXT)")
    con.commit()
    con.close()
    box = delivered_by_station(lab, tmp_path, path)
    assert "3 adaptive entries" in box.opened_note and box.adaptive_count("delivered") == 3
    box.close()
    with DbSession(lab.owner) as s:
        block = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == sid)).one()
        assert block.n_trials == 2
