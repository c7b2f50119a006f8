"""Results kept on disk (tasks/results/kept_file.py): written whole, read back, and nothing (never an
error, never a stray temporary file) when the file is damaged or the write fails."""
from __future__ import annotations

from tasks.results.kept_file import kept_path, read_kept, write_kept


class RefusedMidway:
    """Pickles as a disk that fills up after the first bytes: an OSError while the file is written."""

    def __reduce__(self):
        raise OSError(28, "No space left on device")


def test_a_value_is_kept_whole_and_read_back(tmp_path):
    path = kept_path(tmp_path / "deeper", ("key", 1))
    assert path == kept_path(tmp_path / "deeper", ("key", 1)) != kept_path(tmp_path / "deeper", ("key", 2))
    assert read_kept(path) is None  # nothing kept yet
    write_kept(path, ("value", [1, 2]))
    assert read_kept(path) == ("value", [1, 2])
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_damaged_file_is_nothing_kept(tmp_path):
    path = kept_path(tmp_path, ("key",))
    path.write_bytes(b"\x80\x05not a pickle")
    assert read_kept(path) is None


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path):
    path = kept_path(tmp_path, ("key",))
    write_kept(path, "old")
    write_kept(path, ["new", RefusedMidway()])
    assert read_kept(path) == "old"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    write_kept(kept_path(blocked, ("key",)), "value")  # the folder cannot be made: nothing kept, no error
    assert blocked.read_text() == "not a folder"
