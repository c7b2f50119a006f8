"""A session with adaptive blocks is completed only when its planned trials AND its adaptive
blocks are done; killed during an adaptive block (a real process, SIGKILL) it stays running,
is offered for resumption on its station and continues at the same trial index."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.leases import lease_of
from db.models import AdaptiveBlock, AdaptiveTrial, Session as SessionRow
from tasks.adaptive.blocks import AdaptiveBlockRunner, adaptive_pending, ensure_blocks
from tasks.adaptive.simulated import run_simulated_blocks
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study import ownership
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner, progress_counts
from tasks.study.studies import open_study
from tests.support.factories import write_dataset

ROOT = Path(__file__).resolve().parents[2]
OBSERVER = Observer("psychometric", adaptive_thresholds={"azimuth": 12.0, "pitch": 20.0})
PROTOCOL = Protocol(variants=["pc"], items_per_group=1, practice_per_block=0, adaptive_dimensions=["azimuth", "pitch"],
                    adaptive_procedure="2down1up", adaptive_max_trials=6)


def session_row(engine, session_id):
    with DbSession(engine) as s:
        return s.get(SessionRow, session_id)


def enrol(tmp_path):
    """(database path, engine, session id) of participant P001 enrolled in the adaptive study."""
    dataset = load_dataset(write_dataset(tmp_path / "ds"), check_audio=False)
    path = tmp_path / "lab.sqlite3"
    engine = open_database(path)
    study = open_study(engine, dataset, "adaptive", PROTOCOL)
    return path, engine, start_or_resume(engine, dataset, study, "P001", "test").id


def begun(tmp_path):
    """(engine, session id, its runner begun) in the adaptive study."""
    _, engine, sid = enrol(tmp_path)
    runner = SessionRunner(engine, sid)
    runner.begin()
    return engine, sid, runner


def test_a_session_is_completed_only_after_its_adaptive_blocks(tmp_path):
    engine, sid, runner = begun(tmp_path)
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    p = progress_counts(engine, sid)
    assert p.done == p.total  # every planned trial answered ...
    row = session_row(engine, sid)
    assert row.status == "running" and row.ended_at is None  # ... but not completed: the blocks are next
    assert adaptive_pending(engine, sid)
    run_simulated_blocks(engine, PROTOCOL, OBSERVER, "P001", sid, stop_after=7)  # azimuth done, pitch begun
    assert session_row(engine, sid).status == "running"
    run_simulated_blocks(engine, PROTOCOL, OBSERVER, "P001", sid)
    row = session_row(engine, sid)
    assert row.status == "completed" and row.ended_at is not None and not adaptive_pending(engine, sid)
    with DbSession(engine) as s:
        completed = [a for a in repo.audit_log(s, sid) if a.event == "completed"]
    assert len(completed) == 1 and completed[0].detail == "after the adaptive blocks"


def test_a_session_whose_planned_trials_end_after_its_blocks_completes_with_the_last_answer(tmp_path):
    engine, sid, runner = begun(tmp_path)
    run_simulated_blocks(engine, PROTOCOL, OBSERVER, "P001", sid)  # blocks first (e.g. simulate's order)
    assert session_row(engine, sid).status == "running"
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    assert session_row(engine, sid).status == "completed"


CHILD = textwrap.dedent("""
    import sys, time
    from db.engine import open_database
    from tasks.adaptive.blocks import AdaptiveBlockRunner, ensure_blocks
    from tasks.study import ownership
    from tasks.study.runner import SessionRunner
    from tasks.study.studies import study_protocol
    from db.models import Session, Study
    from sqlmodel import Session as DbSession

    engine, sid = open_database(sys.argv[1]), int(sys.argv[2])
    holder = ownership.new_holder("booth1")
    ownership.claim(engine, sid, holder)
    runner = SessionRunner(engine, sid, holder=holder)
    runner.begin()
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    with DbSession(engine) as s:
        protocol = study_protocol(s.get(Study, s.get(Session, sid).study_id))
    block = ensure_blocks(engine, sid, protocol)[0]
    block_runner = AdaptiveBlockRunner(engine, block.id, holder)
    for _ in range(3):
        plan = block_runner.next_trial()
        block_runner.record(plan, plan.level_asked, plan.answer_letter)
    print("IN BLOCK", flush=True)
    time.sleep(120)
""")


def test_killed_during_an_adaptive_block_the_session_is_offered_and_resumes_at_the_same_trial(tmp_path):
    path, engine, sid = enrol(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(sid)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "IN BLOCK", child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    row = session_row(engine, sid)
    assert row.status == "running" and row.ended_at is None  # not "completed" with its blocks unfinished
    # the station that ran it offers it at once (its process is gone), another station does not
    assert ownership.offered_here(lease_of(row), "booth1")
    assert not ownership.offered_here(lease_of(row), "booth2")
    holder = ownership.new_holder("booth1")
    ownership.claim(engine, sid, holder)
    SessionRunner(engine, sid, holder=holder).begin()
    (first, _second) = ensure_blocks(engine, sid, PROTOCOL)
    resumed = AdaptiveBlockRunner(engine, first.id, holder)
    plan = resumed.next_trial()
    assert (plan.dimension, plan.trial_index) == ("azimuth", 3)  # the same trial index
    resumed.record(plan, plan.level_asked, plan.answer_letter)
    with DbSession(engine) as s:
        rows = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == first.id)
                      .order_by(AdaptiveTrial.trial_index)).all()
        assert [r.trial_index for r in rows] == [0, 1, 2, 3]
        assert s.get(AdaptiveBlock, first.id).status == "running"
