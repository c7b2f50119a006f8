"""Schema 3 -> 4 (_v3_to_v4_adaptive): a schema-3 file is backed up, gains the adaptive_block
and adaptive_trial tables, keeps every stored response, and takes adaptive trials."""
import sqlite3

from sqlmodel import Session as DbSession, select

from db.engine import _v3_to_v4_adaptive, init_db, make_engine, open_database
from db.models import AdaptiveBlock, AdaptiveTrial, Response
from tests.db.test_migration_v3 import make_v2_file


def make_v3_file(path) -> None:
    """A schema-2 file migrated by the app's own 2 -> 3 step, without the tables schema 4 adds."""
    make_v2_file(path)
    engine = make_engine(path)
    init_db(engine, target_version=3)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE IF EXISTS adaptive_trial")
    con.execute("DROP TABLE IF EXISTS adaptive_block")
    con.commit()
    assert con.execute("SELECT version FROM schema_info").fetchone() == (3,)
    con.close()


def tables(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def test_v3_file_gains_the_adaptive_tables(tmp_path):
    path = tmp_path / "lab.sqlite3"
    make_v3_file(path)
    assert "adaptive_block" not in tables(path)
    engine = open_database(path)
    assert {"adaptive_block", "adaptive_trial"} <= tables(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_info").fetchone()[0] >= 4
    con.close()
    (backup,) = tmp_path.glob("lab.v3.*.bak.sqlite3")
    assert "adaptive_block" not in tables(backup)
    with DbSession(engine) as s:
        assert len(s.exec(select(Response)).all()) == 2  # stored responses kept
        block = AdaptiveBlock(session_id=1, block_index=0, dimension="pitch", unit="cents", procedure="quest+",
                              settings_json="{}")
        s.add(block)
        s.commit()
        s.add(AdaptiveTrial(block_id=block.id, trial_index=0, level_asked=50.0, level_played=50.0,
                            stimulus_json="{}", options_json="[]", answer_letter="<A>", chosen_letter="<A>",
                            is_correct=True, state_json="{}"))
        s.commit()
        assert s.exec(select(AdaptiveTrial)).one().level_played == 50.0


def test_the_migration_can_run_twice(tmp_path):
    """Interrupted before the version was written, it runs again without harm."""
    path = tmp_path / "lab.sqlite3"
    make_v3_file(path)
    engine = make_engine(path)
    _v3_to_v4_adaptive(engine)
    _v3_to_v4_adaptive(engine)
    assert {"adaptive_block", "adaptive_trial"} <= tables(path)
