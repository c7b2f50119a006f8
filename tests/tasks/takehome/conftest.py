"""The lab's side of every take-home test: a database with a study to make packages from."""
import pytest

from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study


@pytest.fixture
def practice_per_block() -> int:
    """Practice trials per block in the lab's study; a test module may override this fixture."""
    return 1


@pytest.fixture
def lab(tmp_path, dataset_dir, practice_per_block):
    """(engine, dataset): the lab's SQLite file tmp_path/lab.sqlite3 with the study "home-study"
    (one item per group, seed 4) on the small test dataset."""
    db = open_database(tmp_path / "lab.sqlite3")
    ds = load_dataset(dataset_dir)
    open_study(db, ds, "home-study", Protocol(items_per_group=1, practice_per_block=practice_per_block, seed=4))
    return db, ds
