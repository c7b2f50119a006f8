"""Adaptive blocks in a real SQLite file: every trial stored with its levels, answer and the
procedure's state; an interrupted block resumes exactly; simulate --adaptive and export write
thresholds.csv from the stored blocks."""
import csv
import json

import pytest
from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import AdaptiveBlock, AdaptiveTrial
from tasks.adaptive.blocks import AdaptiveBlockError, AdaptiveBlockRunner, ensure_blocks
from tasks.adaptive.simulated import run_simulated_blocks
from tasks.adaptive.thresholds_csv import COLUMNS
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import PlanError, Protocol
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tasks.simulation.simulate import simulate
from tests.support.factories import write_dataset

OBSERVER = Observer("psychometric", adaptive_thresholds={"azimuth": 12.0, "pitch": 20.0})


def protocol(procedure: str, trials: int = 30) -> Protocol:
    return Protocol(variants=["pc"], items_per_group=1, practice_per_block=0, adaptive_dimensions=["azimuth", "pitch"],
                    adaptive_procedure=procedure, adaptive_max_trials=trials)


def new_session(tmp_path, name: str, proto: Protocol):
    dataset = load_dataset(write_dataset(tmp_path / "ds"), check_audio=False)
    engine = open_database(tmp_path / f"{name}.sqlite3")
    study = open_study(engine, dataset, "adaptive", proto)
    session = start_or_resume(engine, dataset, study, "P001", "test", cohort_index=0)
    return engine, session.id


def stored(engine):
    with DbSession(engine) as s:
        trials = s.exec(select(AdaptiveTrial).order_by(AdaptiveTrial.block_id, AdaptiveTrial.trial_index)).all()
        blocks = s.exec(select(AdaptiveBlock).order_by(AdaptiveBlock.block_index)).all()
        return ([(t.block_id, t.trial_index, t.level_asked, t.level_played, t.answer_letter, t.chosen_letter,
                  t.is_correct, t.state_json) for t in trials],
                [(b.dimension, b.unit, b.procedure, b.status, b.n_trials, b.threshold, b.ci_low, b.ci_high)
                 for b in blocks])


@pytest.mark.parametrize("procedure", ["quest+", "3down1up"])
def test_an_interrupted_block_resumes_exactly(tmp_path, procedure):
    proto = protocol(procedure)
    whole, whole_id = new_session(tmp_path, "whole", proto)
    assert run_simulated_blocks(whole, proto, OBSERVER, "P001", whole_id) == 60

    cut, cut_id = new_session(tmp_path, "cut", proto)
    assert run_simulated_blocks(cut, proto, OBSERVER, "P001", cut_id, stop_after=17) == 17
    # a fresh runner (as after a restart) asks for exactly the level the uninterrupted run asked next
    (block, _) = ensure_blocks(cut, cut_id, proto)
    runner = AdaptiveBlockRunner(cut, block.id)
    assert runner.n_trials == 17
    with DbSession(whole) as s:
        row = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.trial_index == 17)
                     .order_by(AdaptiveTrial.block_id)).first()
    plan = runner.next_trial()
    assert plan.level_asked == row.level_asked and plan.answer_letter == row.answer_letter
    assert run_simulated_blocks(cut, proto, OBSERVER, "P001", cut_id) == 43
    assert stored(cut) == stored(whole)
    trials, blocks = stored(whole)
    assert [b[:5] for b in blocks] == [("azimuth", "deg", procedure, "completed", 30),
                                       ("pitch", "cents", procedure, "completed", 30)]
    assert all(b[6] <= b[5] <= b[7] for b in blocks)
    last_state = json.loads(trials[29][7])
    assert last_state["n_trials"] == 30 and last_state["threshold"] == pytest.approx(blocks[0][5])
    assert {t[4] for t in trials} == {"<A>", "<B>"}  # the right answer is on both sides
    assert all((t[4] == t[5]) == t[6] for t in trials)


def test_every_answer_is_committed_before_the_next_level(tmp_path):
    proto = protocol("2down1up", trials=10)
    engine, session_id = new_session(tmp_path, "lab", proto)
    block = ensure_blocks(engine, session_id, proto)[0]
    runner = AdaptiveBlockRunner(engine, block.id)
    plan = runner.next_trial()
    runner.record(plan, plan.level_asked, None, {"note": "no answer"}, rt_ms=1500.0)
    other = open_database(tmp_path / "lab.sqlite3")  # another connection sees it at once
    with DbSession(other) as s:
        (row,) = s.exec(select(AdaptiveTrial)).all()
        assert (row.chosen_letter, row.is_correct, row.rt_ms) == (None, False, 1500.0)
        assert s.get(AdaptiveBlock, block.id).n_trials == 1
    with pytest.raises(AdaptiveBlockError, match="trial 0 is not the next one"):
        runner.record(plan, plan.level_asked, "<A>")


def test_bad_adaptive_settings_are_refused_with_the_field_named():
    with pytest.raises(PlanError, match="adaptive_dimensions: unknown 'hue'"):
        Protocol(adaptive_dimensions=["hue"])
    with pytest.raises(PlanError, match="adaptive procedure must be one of"):
        Protocol(adaptive_dimensions=["pitch"], adaptive_procedure="bisection")


def test_protocol_without_adaptive_blocks_stores_as_before():
    stored_before = ('{"break_every": 40, "catch_every": 0, "items_per_group": null, "max_clip_duration_s": 600.0, '
                     '"max_replays": 2, "min_run_spacing": 3, "mode": "single-pass", "practice_per_block": 2, '
                     '"reference_db_spl": 70.0, "reference_dbfs": -20.0, "seed": 0, "variants": ["pc", "tr", "sr"]}')
    assert Protocol().to_json() == stored_before
    assert Protocol.from_json(stored_before).adaptive_dimensions == []
    with_blocks = Protocol(adaptive_dimensions=["distance"], adaptive_procedure="3down1up")
    assert Protocol.from_json(with_blocks.to_json()) == with_blocks


def test_simulate_and_export_write_thresholds_csv(tmp_path):
    dataset = load_dataset(write_dataset(tmp_path / "ds"), check_audio=False)
    engine = open_database(tmp_path / "lab.sqlite3")
    proto = protocol("quest+", trials=40)
    simulate(engine, dataset, proto, 2, OBSERVER, "test")
    export(engine, tmp_path / "out", "test")
    with open(tmp_path / "out" / "thresholds.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(COLUMNS)
    assert list(rows[0])[:8] == ["participant", "dimension", "unit", "procedure", "threshold", "ci_low", "ci_high",
                                 "n_trials"]
    assert [(r["participant"], r["dimension"], r["unit"], r["procedure"], r["n_trials"], r["completed"])
            for r in rows] == [("SIM001", "azimuth", "deg", "quest+", "40", "1"), ("SIM001", "pitch", "cents", "quest+", "40", "1"),
                               ("SIM002", "azimuth", "deg", "quest+", "40", "1"), ("SIM002", "pitch", "cents", "quest+", "40", "1")]
    with DbSession(engine) as s:
        blocks = s.exec(select(AdaptiveBlock).order_by(AdaptiveBlock.session_id, AdaptiveBlock.block_index)).all()
    for row, block in zip(rows, blocks):
        assert float(row["threshold"]) == pytest.approx(block.threshold, rel=1e-3)
        assert float(row["ci_low"]) <= float(row["threshold"]) <= float(row["ci_high"])
        assert float(row["target_percent_correct"]) == 80.3
    truth = {"azimuth": 12.0, "pitch": 20.0}
    for row in rows:  # 40 trials: within a factor 1.6 of the truth
        assert truth[row["dimension"]] / 1.6 < float(row["threshold"]) < truth[row["dimension"]] * 1.6
    sidecar = json.loads((tmp_path / "out" / "thresholds.columns.json").read_text())
    assert list(sidecar["columns"]) == list(COLUMNS)
    # a rerun (as after a kill) changes nothing
    before = stored(engine)
    simulate(engine, dataset, proto, 2, OBSERVER, "test")
    assert stored(engine) == before


def test_main_simulate_options(tmp_path, capsys, monkeypatch):
    import main

    ds = write_dataset(tmp_path / "ds")
    db = tmp_path / "lab.sqlite3"
    base = ["simulate", "--dataset", str(ds), "--participants", "1", "--variants", "pc", "--db", str(db)]
    assert main.main(base + ["--observer", "random", "--adaptive", "azimuth"]) == 2
    assert "--adaptive needs --observer psychometric" in capsys.readouterr().err
    assert main.main(base + ["--observer", "psychometric", "--adaptive", "azimuth",
                             "--observer-threshold", "azimuth=twelve"]) == 2
    assert "--observer-threshold 'azimuth=twelve': expected DIMENSION=POSITIVE_NUMBER" in capsys.readouterr().err
    assert main.main(base + ["--observer", "psychometric", "--adaptive", "azimuth,pitch",
                             "--observer-threshold", "azimuth=12"]) == 2
    assert "no threshold for 'pitch'" in capsys.readouterr().err
    assert main.main(base + ["--observer", "psychometric", "--adaptive", "azimuth", "--adaptive-trials", "12",
                             "--adaptive-procedure", "2down1up", "--observer-threshold", "azimuth=12"]) == 0
    with DbSession(open_database(db)) as s:
        (block,) = s.exec(select(AdaptiveBlock)).all()
    assert (block.dimension, block.procedure, block.n_trials, block.status) == ("azimuth", "2down1up", 12, "completed")


def test_a_stored_block_edited_outside_the_app_is_named_not_a_traceback(tmp_path, capsys):
    import main

    ds = write_dataset(tmp_path / "ds")
    db = tmp_path / "lab.sqlite3"
    args = ["simulate", "--dataset", str(ds), "--participants", "1", "--variants", "pc", "--db", str(db),
            "--observer", "psychometric", "--adaptive", "pitch", "--adaptive-trials", "8",
            "--observer-threshold", "pitch=20"]
    engine = open_database(db)
    dataset = load_dataset(ds, check_audio=False)
    proto = Protocol(variants=["pc"], adaptive_dimensions=["pitch"], adaptive_max_trials=8, items_per_group=None,
                     practice_per_block=0)
    study = open_study(engine, dataset, "sim-psychometric-single-pass-seed0", proto)
    session = start_or_resume(engine, dataset, study, "SIM001", "test", cohort_index=0)
    run_simulated_blocks(engine, proto, OBSERVER, "SIM001", session.id, stop_after=3)
    with DbSession(engine) as s:
        block = s.exec(select(AdaptiveBlock)).one()
        block_id = block.id
        block.settings_json = '{"procedure": "bisection"}'
        s.add(block)
        s.commit()
    assert main.main(args) == 1
    err = capsys.readouterr().err
    assert f"adaptive block {block_id} (session {session.id}, pitch): settings_json cannot be read" in err
    assert "Traceback" not in err
    with DbSession(engine) as s:
        assert len(s.exec(select(AdaptiveTrial)).all()) == 3  # nothing stored was lost


def test_pending_blocks_are_known_and_take_home_sessions_have_none(tmp_path):
    from db.models import Session as SessionRow
    from tasks.adaptive.blocks import adaptive_pending

    proto = protocol("3down1up", trials=4)
    engine, session_id = new_session(tmp_path, "lab", proto)
    assert adaptive_pending(engine, session_id)  # not begun
    run_simulated_blocks(engine, proto, OBSERVER, "P001", session_id, stop_after=5)
    assert adaptive_pending(engine, session_id)  # azimuth done, pitch begun
    run_simulated_blocks(engine, proto, OBSERVER, "P001", session_id)
    assert not adaptive_pending(engine, session_id)
    plain, plain_id = new_session(tmp_path / "plain", "lab", Protocol(variants=["pc"], practice_per_block=0))
    assert not adaptive_pending(plain, plain_id)
    home, home_id = new_session(tmp_path / "home", "lab", proto)
    with DbSession(home) as s:
        row = s.get(SessionRow, home_id)
        row.take_home = True
        s.add(row)
        s.commit()
    assert not adaptive_pending(home, home_id)


def test_an_observer_threshold_without_adaptive_blocks_is_refused_before_anything_is_written(tmp_path, capsys):
    import main

    root = write_dataset(tmp_path / "ds")
    db = tmp_path / "lab.sqlite"
    assert main.main(["simulate", "--db", str(db), "--dataset", str(root), "--participants", "2", "--observer",
                      "psychometric", "--observer-threshold", "pitch=300"]) == 2
    err = capsys.readouterr().err
    assert "changes no answer without them" in err and err.count("\n") == 1
    assert not db.exists()


def test_plan_power_names_its_grid_level_apart_from_simulates_threshold(tmp_path, capsys):
    import main

    with pytest.raises(SystemExit) as exited:
        main.main(["plan-power", "--target-ci-halfwidth", "2", "--out", str(tmp_path / "p"),
                   "--observer-threshold", "0.35"])
    assert exited.value.code == 2 and "--observer-threshold" in capsys.readouterr().err
