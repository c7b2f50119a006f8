"""What the participant window and the console read about a session's course, on a real SQLite
file: withheld trials skipped by cursor, resume and progress; the level check due again after a
pause for it (or a crash before it); the pause reason for the console; practice counted apart;
variants without practice named with the reason."""
import json

from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol, practice_shortfall
from tasks.study.runner import SessionRunner, follows_practice, progress_counts
from tasks.study.pauses import level_check_pause_detail, needs_level_check, pause_reason
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tests.support.factories import sr_items, tr_items, write_dataset


def session_with(tmp_path, protocol):
    engine = open_database(tmp_path / "lab.sqlite3")
    ds = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(2), tr=tr_items(1)))
    study = open_study(engine, ds, "s", protocol)
    session = start_or_resume(engine, ds, study, "P001", "test")
    return engine, ds, session


def test_withheld_trials_are_skipped_by_cursor_resume_and_counted_in_progress(tmp_path):
    engine, _, session = session_with(tmp_path, Protocol(variants=["sr"], items_per_group=1, practice_per_block=2))
    runner = SessionRunner(engine, session.id)
    runner.begin()
    first = runner.next_trial()
    assert first.kind == "practice"
    p = runner.progress()
    assert (p.total, p.practice_total, p.test_total, p.done) == (5, 2, 3, 0)
    runner.answer(first, first.answer_letter)
    second = runner.next_trial()
    after = runner.withhold(second, "over the safety ceiling: 92.0 dB SPL > 85.0 dB SPL")
    assert after.position == second.position + 1
    p = runner.progress()
    assert (p.answered, p.withheld, p.practice_done, p.test_done) == (1, 1, 2, 0)
    assert progress_counts(engine, session.id) == p  # the cached count equals a fresh one
    # the withheld practice trial takes no number: practice shown 1 of 1, the first question 1 of 3
    assert (p.practice_withheld, p.shown_count(True), p.shown_count(False)) == (1, (2, 1), (1, 3))
    # withholding again changes nothing
    runner.withhold(second, "again")
    assert runner.progress() == p
    # a new runner (a resumed session) starts after the withheld trial, and so does the raw query
    resumed = SessionRunner(engine, session.id)
    assert resumed.next_trial().position == after.position
    with DbSession(engine) as s:
        assert repo.next_unanswered(s, session.id).position == after.position
        events = [(a.event, a.detail) for a in repo.audit_log(s, session.id)]
    assert ("withheld", f"trial at position {second.position}: over the safety ceiling: 92.0 dB SPL > 85.0 dB SPL") \
        in events
    # withholding the last trials completes the session
    t = resumed.next_trial()
    while t is not None:
        t = resumed.withhold(t, "over the safety ceiling")
    assert resumed.session().status == "completed"
    p = resumed.progress()
    assert (p.answered, p.withheld, p.done, p.total) == (1, 4, 5, 5)
    assert p.shown_count(False) == (1, 0) and p.shown_count(True) == (2, 1)  # no question was shown


def test_level_check_is_due_again_after_a_pause_for_it_and_after_a_crash_before_it(tmp_path):
    engine, _, session = session_with(tmp_path, Protocol(variants=["sr"], items_per_group=1, practice_per_block=0))
    runner = SessionRunner(engine, session.id)
    runner.begin()
    assert not needs_level_check(engine, session.id)  # not screened yet: screening comes first
    with DbSession(engine) as s:
        repo.audit(s, "screening", "[]", session.id)
    assert needs_level_check(engine, session.id)  # the program stopped between screening and level check
    with DbSession(engine) as s:
        repo.audit(s, "level_check", json.dumps({"answer": "too quiet"}), session.id)
    runner.pause(level_check_pause_detail("too quiet"))
    assert needs_level_check(engine, session.id)
    reason = pause_reason(engine, session.id)
    assert reason.startswith('level check: the participant answered "too quiet"') and "runs again" in reason
    runner.begin()  # resumed
    assert pause_reason(engine, session.id) is None  # running, not paused
    with DbSession(engine) as s:
        repo.audit(s, "level_check", json.dumps({"answer": "comfortable"}), session.id)
    assert not needs_level_check(engine, session.id)
    runner.pause("left by the experimenter")
    assert pause_reason(engine, session.id) == "left by the experimenter"
    assert not needs_level_check(engine, session.id)


def test_practice_over_is_due_once_per_change_from_practice_to_test(tmp_path):
    engine, _, session = session_with(tmp_path, Protocol(variants=["sr", "tr"], items_per_group=1,
                                                         practice_per_block=1))
    with DbSession(engine) as s:
        trials = repo.planned_trials(s, session.id)
    due = [t.position for t in trials if follows_practice(engine, t)]
    expected = [t.position for prev, t in zip(trials, trials[1:]) if prev.kind == "practice" and t.kind != "practice"]
    assert due == expected and len(due) == 1  # tr: all its items are tested, so no practice there


def test_variants_without_practice_are_named_with_the_reason(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(2), tr=tr_items(1)))
    short = practice_shortfall(ds, Protocol(variants=["sr", "tr", "tr_cap"], items_per_group=1, practice_per_block=2))
    assert set(short) == {"tr", "tr_cap"}
    assert short["tr"].startswith("tr: no practice instead of 2: 5 of the dataset's 5 tr items are tested")
    assert "sr" not in practice_shortfall(ds, Protocol(variants=["sr"], items_per_group=1, practice_per_block=3))
    assert practice_shortfall(ds, Protocol(variants=["sr"], items_per_group=1, practice_per_block=4))["sr"] \
        .startswith("sr: only 3 practice trials instead of 4")
    assert practice_shortfall(ds, Protocol(variants=["sr", "tr"], practice_per_block=0)) == {}
