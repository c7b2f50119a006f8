import pytest

from tests.factories import write_dataset


@pytest.fixture
def dataset_dir(tmp_path):
    """A small valid STAR-Bench folder: 10 pc, 5 tr and 6 sr items with short WAVs."""
    return write_dataset(tmp_path / "starbench")
