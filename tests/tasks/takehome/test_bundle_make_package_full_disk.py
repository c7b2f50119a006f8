"""make-package on a full disk: the zip goes to a temporary file, the database row is committed,
and only then is the file renamed into place. A failure at any step leaves no zip (and no
temporary file) and no row."""
import errno
import io

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session as DbSession, select

from db.models import AuditLog, Participant, TakeHomePackage
from tasks.takehome import safezip
from tasks.takehome.packages import make_package, open_package


class FillsUp(io.RawIOBase):
    """A file whose device fills up after ``room`` bytes: the write raises ENOSPC as the OS does."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def writable(self):
        return True

    def write(self, data):
        if self.room < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.real.write(data)

    def fileno(self):
        return self.real.fileno()

    def close(self):
        self.real.close()
        super().close()


def nothing_left(db, out_dir):
    assert not out_dir.exists() or sorted(p.name for p in out_dir.iterdir()) == []
    with DbSession(db) as s:
        assert s.exec(select(TakeHomePackage)).all() == []
        assert s.exec(select(Participant).where(Participant.code == "H001")).all() == []
        assert s.exec(select(AuditLog).where(AuditLog.event == "package")).all() == []


def test_disk_full_while_writing_leaves_no_zip_and_no_row(tmp_path, lab, monkeypatch):
    db, ds = lab
    real_open = open

    def open_on_a_small_disk(path, mode="r", *args, **kwargs):
        f = real_open(path, mode, *args, **kwargs)
        return io.BufferedWriter(FillsUp(f, room=4096)) if "x" in mode else f

    monkeypatch.setattr(safezip, "open", open_on_a_small_disk, raising=False)
    out = tmp_path / "out"
    with pytest.raises(OSError) as info:
        make_package(db, ds, "home-study", "H001", out / "pkg.zip", "test")
    assert info.value.errno == errno.ENOSPC
    nothing_left(db, out)


def test_disk_full_at_fsync_leaves_no_zip_and_no_row(tmp_path, lab, monkeypatch):
    db, ds = lab

    def fsync_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safezip.os, "fsync", fsync_full)
    out = tmp_path / "out"
    with pytest.raises(OSError):
        make_package(db, ds, "home-study", "H001", out / "pkg.zip", "test")
    nothing_left(db, out)


def test_database_full_leaves_no_zip(tmp_path, lab):
    """SQLite's own "database or disk is full": max_page_count at the current size, and the
    remaining room in its pages filled."""
    db, ds = lab
    db.dispose()

    @event.listens_for(db, "connect")
    def no_more_pages(dbapi_connection, _record):
        cur = dbapi_connection.cursor()
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    with pytest.raises(OperationalError, match="full"):  # fill what room is left in the pages
        for _ in range(100_000):
            with DbSession(db) as s:
                s.add(AuditLog(event="filler", detail="x" * 40))
                s.commit()
    out = tmp_path / "out"
    with pytest.raises(OperationalError, match="full"):
        make_package(db, ds, "home-study", "H001", out / "pkg.zip", "test")
    event.remove(db, "connect", no_more_pages)
    db.dispose()
    nothing_left(db, out)
    # with room again, the same call works and the zip is the one the database knows
    pkg = make_package(db, ds, "home-study", "H001", out / "pkg.zip", "test")
    opened = open_package(pkg, tmp_path / "home")
    with DbSession(db) as s:
        assert [p.package_id for p in s.exec(select(TakeHomePackage)).all()] == [opened.package_id]
    assert sorted(p.name for p in out.iterdir()) == ["pkg.zip"]


def test_a_failed_rename_takes_the_row_back(tmp_path, lab, monkeypatch):
    db, ds = lab

    def replace_fails(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(safezip.os, "replace", replace_fails)
    out = tmp_path / "out"
    with pytest.raises(OSError):
        make_package(db, ds, "home-study", "H001", out / "pkg.zip", "test")
    assert sorted(p.name for p in out.iterdir()) == []
    with DbSession(db) as s:
        assert s.exec(select(TakeHomePackage)).all() == []
