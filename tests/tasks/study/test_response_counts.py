"""Stored responses by trial kind, from a real SQLite file: what an export's total is made of."""
from db.engine import open_database
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.study.response_counts import describe_responses, responses_by_kind
from tasks.simulation.simulate import simulate
from tests.support.factories import pc_items, write_dataset


def test_counts_by_kind_add_up_to_the_exported_responses(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=3), tr=[], sr=[]))
    engine = open_database(tmp_path / "lab.sqlite3")
    simulate(engine, ds, Protocol(variants=["pc"], items_per_group=2, practice_per_block=2, catch_every=4), 1,
             Observer("perfect"), "test", study_name="A")
    simulate(engine, ds, Protocol(variants=["pc"], practice_per_block=0), 2, Observer("perfect"), "test",
             study_name="B")
    every = responses_by_kind(engine)
    # A: 10 test, 2 practice, 2 catch (after test trials 4 and 8); B: 2 x 15 test
    assert every == {"test": 40, "practice": 2, "catch": 2}
    assert list(every) == ["test", "practice", "catch"]
    assert responses_by_kind(engine, "B") == {"test": 30}
    result = export(engine, tmp_path / "out", "test")
    assert result.responses == sum(every.values())
    assert describe_responses(result.responses, every) == "44 responses (40 test, 2 practice, 2 catch)"
    assert describe_responses(1, {"test": 1}) == "1 response (1 test)"
    assert describe_responses(0, {}) == "0 responses"
    engine.dispose()
