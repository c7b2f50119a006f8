"""Adaptive blocks on a station whose lab server goes away (a real PostgreSQL server under the
station's own role, stopped and started again): the blocks run on from memory, each answer (with
the block's estimate) journalled before the next trial; after the restart everything is
delivered once and in order, the block rows equal to what an online run writes for the same
answers, and the session completes; delivered twice, nothing is doubled; a different trial on the
server is kept as a conflict; a station killed (SIGKILL) during an offline block resumes at the
next trial, restarted while the server is still away or back."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import AdaptiveBlock, AdaptiveTrial, AuditLog, PlannedTrial, Response, Session
from db.outbox import Outbox, deliver
from tasks.adaptive.blocks import LETTERS, AdaptiveBlockRunner, ensure_blocks
from tasks.dataset.loader import load_dataset
from tasks.labserver.adaptive_station import NeedsServer, StationAdaptive
from tasks.labserver.station import StationLink
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tests.support.factories import sr_items, write_dataset
from tests.support.pg_roles import make_lab
from tests.tasks.labserver.test_station_offline import STATION_CHILD_START, killed_offline

PROTOCOL = Protocol(variants=["sr"], items_per_group=1, practice_per_block=0, adaptive_dimensions=["loudness", "pitch"],
                    adaptive_procedure="2down1up", adaptive_max_trials=6)
BLOCK = ("block_index", "dimension", "unit", "procedure", "settings_json", "status", "n_trials", "threshold", "ci_low",
         "ci_high", "target_p_correct")
TRIAL = ("trial_index", "level_asked", "level_played", "is_correct", "state_json", "stimulus_json")


def correct(dimension: str, k: int) -> bool:
    """The participant's answers: the same for every run (right, right, wrong, ...)."""
    return (k + (dimension == "pitch")) % 3 != 2


def answer(runner, plan) -> None:
    ok = correct(plan.dimension, plan.trial_index)
    letter = plan.answer_letter if ok else LETTERS[1 - LETTERS.index(plan.answer_letter)]
    runner.record(plan, plan.level_asked, letter, {"unit": plan.unit}, rt_ms=500.0 + plan.trial_index)


@pytest.fixture
def lab(own_pg_server, tmp_path):
    lab = make_lab(own_pg_server, stations=("booth1",))
    ds = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(1)))
    owner = open_database(lab.owner_url())
    open_study(owner, ds, "adaptive", PROTOCOL)
    booth1 = open_database(lab.station_url("booth1"))  # the station's own role: least privilege
    lab.owner, lab.booth1, lab.ds = owner, booth1, ds
    lab.study = open_study(booth1, ds, "adaptive", PROTOCOL)
    yield lab
    owner.dispose()
    booth1.dispose()


def begun(lab, code: str, outbox: Path):
    session = start_or_resume(lab.booth1, lab.ds, lab.study, code, "test", station="booth1")
    link = StationLink(lab.booth1, Outbox(outbox), "booth1")
    link.deliver_on_record = False  # as in the app: delivery is the timer's
    runner = SessionRunner(lab.booth1, session.id, link=link)
    runner.begin()
    return session.id, link, runner


def blocks_of(engine, session_id) -> dict[str, tuple]:
    """dimension -> (the block's columns, its trials' columns in trial order, trial ids)."""
    with DbSession(engine) as s:
        out = {}
        for b in s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session_id)):
            trials = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == b.id)
                            .order_by(AdaptiveTrial.trial_index)).all()
            out[b.dimension] = (tuple(getattr(b, c) for c in BLOCK), [tuple(getattr(t, c) for c in TRIAL) for t in trials],
                                [t.id for t in trials])
        return out


def online_reference(lab, tmp_path) -> dict[str, tuple]:
    """The same answers given by another participant with the server there all along."""
    sid, _link, runner = begun(lab, "ONLINE", tmp_path / "reference-outbox.sqlite3")
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    for block in ensure_blocks(lab.booth1, sid, PROTOCOL):
        block_runner = AdaptiveBlockRunner(lab.booth1, block.id)
        while (plan := block_runner.next_trial()) is not None:
            answer(block_runner, plan)
    return blocks_of(lab.booth1, sid)


@pytest.mark.parametrize("stop_at", ["planned", ("loudness", 2)], ids=["before-the-block", "inside-the-block"])
def test_blocks_run_on_while_the_server_is_away_and_arrive_once_in_order_as_an_online_run_writes_them(
        lab, own_pg_server, tmp_path, stop_at):
    reference = online_reference(lab, tmp_path)
    journal = tmp_path / "outbox-booth1.sqlite3"
    sid, link, runner = begun(lab, "P001", journal)
    adaptive = StationAdaptive(link, sid, PROTOCOL)
    adaptive.load()
    first = runner.next_trial()
    runner.answer(first, first.answer_letter)
    if stop_at == "planned":
        own_pg_server.stop(keep=True)
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    seen = []
    while (block_runner := adaptive.next_runner()) is not None:
        plan = block_runner.next_trial()
        if (plan.dimension, plan.trial_index) == stop_at:
            own_pg_server.stop(keep=True)
        answer(block_runner, plan)  # durable on return: no waiting, no error
        seen.append((plan.dimension, plan.trial_index))
    online = 0 if stop_at == "planned" else 2
    n_adaptive = len(seen) - online
    assert [d for d, _ in seen] == ["loudness"] * 6 + ["pitch"] * 6
    assert link.outbox.adaptive_count() == n_adaptive + 2  # each trial, and what was known of each block
    assert link.try_deliver() is False and link.state == "offline"
    copy = tmp_path / "journal-before-delivery.sqlite3"
    link.outbox.close()
    shutil.copy(journal, copy)  # as if the station died after the server committed, before the journal noted it
    link.outbox = Outbox(journal)

    own_pg_server.start()
    if stop_at == "planned":  # the answers first: the session is not completed while adaptive entries wait
        assert deliver(lab.booth1, link.outbox, "booth1") == 2
        with DbSession(lab.owner) as s:
            assert s.get(Session, sid).status == "running"
    assert link.try_deliver() and link.outbox.count() == 0 and not link.outbox.adaptive_conflicts()
    delivered = blocks_of(lab.owner, sid)
    assert {d: v[:2] for d, v in delivered.items()} == {d: v[:2] for d, v in reference.items()}
    # in order: the server's ids follow the blocks' order and the trials' order
    assert delivered["loudness"][2] + delivered["pitch"][2] == sorted(delivered["loudness"][2] + delivered["pitch"][2])
    with DbSession(lab.owner) as s:
        assert s.get(Session, sid).status == "completed"
        completed = s.exec(select(AuditLog).where(AuditLog.session_id == sid, AuditLog.event == "completed")).all()
        assert len(completed) == 1
        assert len(s.exec(select(Response).where(Response.session_id == sid)).all()) == 3

    again = StationLink(lab.booth1, Outbox(copy), "booth1")  # everything delivered a second time
    assert again.outbox.count() == link.outbox.count("delivered")
    assert again.try_deliver() and again.outbox.count() == 0 and not again.outbox.adaptive_conflicts()
    assert blocks_of(lab.owner, sid) == delivered


def test_a_different_trial_on_the_server_is_kept_as_a_conflict_with_what_follows_in_its_block(
        lab, own_pg_server, tmp_path, capsys):
    sid, link, runner = begun(lab, "P002", tmp_path / "outbox-booth1.sqlite3")
    adaptive = StationAdaptive(link, sid, PROTOCOL)
    adaptive.load()
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    own_pg_server.stop(keep=True)
    block_runner = adaptive.next_runner()
    for _ in range(3):
        answer(block_runner, block_runner.next_trial())
    own_pg_server.start()
    with DbSession(lab.owner) as s:  # trial 0 reached the server by another way meanwhile, differently
        block = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == sid,
                                                   AdaptiveBlock.dimension == "loudness")).one()
        s.add(AdaptiveTrial(block_id=block.id, trial_index=0, level_asked=1.0, level_played=1.0, stimulus_json="{}",
                            options_json="[]", answer_letter="<A>", chosen_letter="<A>", is_correct=True,
                            state_json="{}"))
        s.commit()
    assert link.try_deliver()
    conflicts = link.outbox.adaptive_conflicts()
    assert [(c[1], c[2]) for c in conflicts] == [("loudness", 0), ("loudness", 1), ("loudness", 2)]
    assert "the server holds" in conflicts[0][3] and "kept" in conflicts[0][3]
    trials = blocks_of(lab.owner, sid)["loudness"][1]
    assert [t[:2] for t in trials] == [(0, 1.0)]  # the server's trial kept, nothing added after it
    with DbSession(lab.owner) as s:
        assert s.get(Session, sid).status == "running"
    link.outbox.close()
    import main

    assert main.main(["lab-journal", "--outbox", str(tmp_path / "outbox-booth1.sqlite3")]) == 0
    listing = capsys.readouterr().out
    assert "3 conflicts" in listing and f"conflict: session {sid}, adaptive loudness trial 0: " in listing


CHILD = STATION_CHILD_START + r"""
from tasks.labserver.adaptive_station import StationAdaptive
from tests.tasks.labserver.test_station_offline_adaptive import PROTOCOL, answer
adaptive = StationAdaptive(link, session_id, PROTOCOL)
adaptive.load()
while (trial := runner.next_trial()) is not None:
    runner.answer(trial, trial.answer_letter)
(folder / "ready").touch()
while not (folder / "go").exists():
    time.sleep(0.02)
block = adaptive.next_runner()
for _ in range(3):
    answer(block, block.next_trial())
(folder / "done").write_text(str(link.outbox.adaptive_count()))
time.sleep(600)
"""


@pytest.mark.subprocess
@pytest.mark.parametrize("restart", ["server-away", "server-back", "server-back-journal-undelivered"])
def test_a_station_killed_in_an_offline_block_resumes_it_at_the_next_trial_with_nothing_lost_or_doubled(
        lab, own_pg_server, tmp_path, restart):
    reference = online_reference(lab, tmp_path)
    session = start_or_resume(lab.booth1, lab.ds, lab.study, "P003", "test", station="booth1")
    outbox = tmp_path / "outbox-booth1.sqlite3"
    # three trials, what was known of the two blocks
    assert killed_offline(CHILD, lab.station_url("booth1"), session.id, outbox, tmp_path, own_pg_server) == "5"
    lab.booth1.dispose()  # its connections died with the server
    link = StationLink(lab.booth1, Outbox(outbox), "booth1")
    link.deliver_on_record = False
    adaptive = StationAdaptive(link, session.id, PROTOCOL)
    if restart == "server-back":
        own_pg_server.start()
        SessionRunner(lab.booth1, session.id, link=link).begin()  # delivers first
        assert link.outbox.count() == 0
        adaptive.load()
    elif restart == "server-back-journal-undelivered":  # the server's rows plus the journalled entries
        own_pg_server.start()
        adaptive.load()
        assert link.outbox.count() == 5
    block = adaptive.next_runner()  # server away: from the journal alone
    plan = block.next_trial()
    assert (plan.dimension, plan.trial_index) == ("loudness", 3)
    assert plan.level_asked == reference["loudness"][1][3][1]  # the level an uninterrupted block asks
    while (block := adaptive.next_runner()) is not None:
        answer(block, block.next_trial())
    if restart == "server-away":
        own_pg_server.start()
    assert link.try_deliver() and link.outbox.count() == 0 and not link.outbox.adaptive_conflicts()
    delivered = blocks_of(lab.owner, session.id)
    assert {d: v[:2] for d, v in delivered.items()} == {d: v[:2] for d, v in reference.items()}
    with DbSession(lab.owner) as s:
        assert s.get(Session, session.id).status == "completed"


def test_a_session_whose_blocks_are_on_the_server_only_cannot_resume_them_while_it_is_away(lab, own_pg_server,
                                                                                         tmp_path):
    sid, link, _runner = begun(lab, "P004", tmp_path / "outbox-booth1.sqlite3")
    own_pg_server.stop(keep=True)
    with pytest.raises(NeedsServer) as refused:
        StationAdaptive(link, sid, PROTOCOL).next_runner()
    assert "on the lab server only" in str(refused.value) and "\n" not in str(refused.value)
    own_pg_server.start()


def test_a_block_made_while_the_server_was_away_is_created_on_delivery_and_completes_the_session_last(lab, tmp_path):
    from tasks.study.runner import answer_values

    session = start_or_resume(lab.booth1, lab.ds, lab.study, "P005", "test", station="booth1")  # no blocks yet
    with DbSession(lab.owner) as s:
        plan = s.exec(select(PlannedTrial).where(PlannedTrial.session_id == session.id)
                      .order_by(PlannedTrial.position)).all()
    link = StationLink(lab.booth1, Outbox(tmp_path / "outbox-booth1.sqlite3"), "booth1")
    link.deliver_on_record = False
    link.outbox.add(session.id, [answer_values(t, t.answer_letter) for t in plan])  # journalled answers
    adaptive = StationAdaptive(link, session.id, PROTOCOL)
    adaptive.on_server = {}  # read before any block was made: this station makes them
    while (block := adaptive.next_runner()) is not None:
        answer(block, block.next_trial())
    assert deliver(lab.booth1, link.outbox, "booth1") == len(plan)  # the answers: all planned trials answered
    with DbSession(lab.owner) as s:
        assert s.get(Session, session.id).status != "completed"  # its adaptive entries still wait
        assert not s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session.id)).all()
    assert link.try_deliver() and link.outbox.count() == 0 and not link.outbox.adaptive_conflicts()
    delivered = blocks_of(lab.owner, session.id)
    assert sorted(delivered) == ["loudness", "pitch"]
    assert all(v[0][5:7] == ("completed", 6) and [t[0] for t in v[1]] == list(range(6)) for v in delivered.values())
    with DbSession(lab.owner) as s:
        assert s.get(Session, session.id).status == "completed"
