"""Zip files that come from outside (study packages, results bundles), read with limits.

Before a byte is decompressed, the central directory is checked: number of entries, names
(plain relative paths, no duplicates), no encryption, only stored or deflated members, the
declared size of each entry and of all together, and the compression ratio. Members are then
read as streams: the bytes actually produced are counted (more than declared is refused) and
hashed on the way, so a member never has to be held whole unless the caller wants its bytes.
Every failure, whatever zipfile or zlib raise on damaged input, becomes :class:`ZipRefused`
with the file and the reason.

Writing goes to a temporary file beside the target; ``write_then_commit`` renames it into place
only after the caller's commit succeeded, and removes it on any failure.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from tasks.dataset.paths import relative_form_problem

CHUNK_BYTES = 1 << 16
MiB = 1 << 20
GiB = 1 << 30


class ZipRefused(Exception):
    """A zip that is refused; the message names the file and why."""


@dataclass(frozen=True)
class ZipLimits:
    max_file_bytes: int  # the zip file itself
    max_entries: int
    max_entry_bytes: int  # uncompressed, per member
    max_total_bytes: int  # uncompressed, all members
    max_ratio: float  # uncompressed / compressed, judged for members above ratio_floor_bytes
    ratio_floor_bytes: int


# A results bundle is one JSON file of answers (about 1 kB per trial): small, and text.
BUNDLE_LIMITS = ZipLimits(max_file_bytes=64 * MiB, max_entries=16, max_entry_bytes=64 * MiB,
                          max_total_bytes=64 * MiB, max_ratio=100.0, ratio_floor_bytes=1 * MiB)
# A study package holds the participant's items and their audio (WAV compresses little; short
# silences a lot, hence the high floor before the ratio is judged).
PACKAGE_LIMITS = ZipLimits(max_file_bytes=16 * GiB, max_entries=20_000, max_entry_bytes=1 * GiB,
                           max_total_bytes=16 * GiB, max_ratio=200.0, ratio_floor_bytes=64 * MiB)

# What damaged input makes zipfile, zlib and struct raise (bit flips give all of these).
_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, OverflowError,
           struct.error, NotImplementedError, RuntimeError, UnicodeDecodeError, IndexError, KeyError)
_ALLOWED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
# a directory entry: fixed part, a name of at most 1024 characters (tasks.dataset.paths), some extra fields
_MAX_CENTRAL_ENTRY_BYTES = 46 + 4 * 1024 + 256


def _directory_size(f: BinaryIO, file_size: int) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end record, read before zipfile parses the
    directory into memory; None when there is no end record (zipfile then says so)."""
    tail_bytes = min(file_size, 22 + 65535)
    f.seek(file_size - tail_bytes)
    tail = f.read(tail_bytes)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    entries, cd_bytes = struct.unpack("<HL", tail[at + 10:at + 16])
    if (entries == 0xFFFF or cd_bytes == 0xFFFFFFFF) and at >= 20 and tail[at - 20:at - 16] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack("<Q", tail[at - 12:at - 4])
        if offset + 56 <= file_size:
            f.seek(offset)
            record = f.read(56)
            if record[:4] == _ZIP64_EOCD:
                entries, cd_bytes = struct.unpack("<QQ", record[32:48])
    return entries, cd_bytes


def _size_text(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n} bytes"


class SafeZip:
    """A zip opened for reading under ``limits``. Use as a context manager."""

    def __init__(self, path: Path | str, limits: ZipLimits, what: str) -> None:
        self.path, self.limits, self.what = Path(path), limits, what
        self.bytes_out = 0  # uncompressed bytes produced so far (for tests and reports)
        if not self.path.is_file():
            raise ZipRefused(f"{self.path}: no such {what} file")
        try:
            size = self.path.stat().st_size
            if size > limits.max_file_bytes:
                raise ZipRefused(f"{self.path}: {what} is {_size_text(size)}, more than the "
                                 f"{_size_text(limits.max_file_bytes)} a {what} may have")
            with open(self.path, "rb") as f:
                directory = _directory_size(f, size)
            if directory is not None and (directory[0] > limits.max_entries or
                                          directory[1] > limits.max_entries * _MAX_CENTRAL_ENTRY_BYTES):
                raise ZipRefused(f"{self.path}: {what} has {directory[0]} entries in a directory of "
                                 f"{_size_text(directory[1])}, more than the {limits.max_entries} entries allowed")
            self._zip = zipfile.ZipFile(self.path)
        except ZipRefused:
            raise
        except OSError as exc:
            raise ZipRefused(f"{self.path}: cannot read the {what}: {exc.strerror or exc}") from None
        except _DAMAGE as exc:
            raise ZipRefused(f"{self.path} is not a complete {what} (truncated or damaged zip: {exc})") from None
        try:
            self.members = self._check_directory()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc) -> None:
        self._zip.close()

    def refuse(self, why: str) -> ZipRefused:
        return ZipRefused(f"{self.path}: {why}")

    def _check_directory(self) -> dict[str, zipfile.ZipInfo]:
        lim = self.limits
        infos = self._zip.infolist()
        if len(infos) > lim.max_entries:
            raise self.refuse(f"{self.what} has {len(infos)} entries, more than {lim.max_entries}")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if name.endswith("/") and info.file_size == 0:
                continue  # a folder entry
            problem = relative_form_problem(name)
            if problem or "\\" in name:
                raise self.refuse(f"unsafe member name {name!r} in the {self.what}: {problem or 'backslash in a name'}")
            if name in members:
                raise self.refuse(f"member {name!r} appears twice in the {self.what}")
            if info.flag_bits & 0x1:
                raise self.refuse(f"member {name!r} is encrypted")
            if info.compress_type not in _ALLOWED_METHODS:
                raise self.refuse(f"member {name!r} uses compression method {info.compress_type}; "
                                  "only stored and deflated members are read")
            if info.file_size > lim.max_entry_bytes:
                raise self.refuse(f"member {name!r} declares {_size_text(info.file_size)} uncompressed, more than "
                                  f"the {_size_text(lim.max_entry_bytes)} allowed per member")
            if info.file_size > lim.ratio_floor_bytes and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                raise self.refuse(f"member {name!r} expands {info.file_size / max(info.compress_size, 1):.0f} times "
                                  f"(more than {lim.max_ratio:.0f}): refused as a likely zip bomb")
            total += info.file_size
            if total > lim.max_total_bytes:
                raise self.refuse(f"{self.what} declares more than {_size_text(lim.max_total_bytes)} uncompressed "
                                  "in all: refused")
            members[name] = info
        return members

    def stream(self, name: str) -> Iterator[bytes]:
        """The member's bytes in chunks, counted against its declared size."""
        info = self.members[name]
        produced = 0
        try:
            with self._zip.open(info) as f:
                while chunk := f.read(CHUNK_BYTES):
                    produced += len(chunk)
                    self.bytes_out += len(chunk)
                    if produced > info.file_size:
                        raise self.refuse(f"member {name!r} holds more than the {info.file_size} bytes it declares")
                    yield chunk
        except ZipRefused:
            raise
        except OSError as exc:
            raise self.refuse(f"cannot read member {name!r}: {exc.strerror or exc}") from None
        except _DAMAGE as exc:
            raise self.refuse(f"{self.what} is damaged ({name}: {exc})") from None
        if produced != info.file_size:
            raise self.refuse(f"member {name!r} holds {produced} bytes, not the {info.file_size} it declares")

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """A whole member in memory (for small ones: manifests, JSON)."""
        if name not in self.members:
            raise self.refuse(f"{self.what} has no {name}")
        if max_bytes is not None and self.members[name].file_size > max_bytes:
            raise self.refuse(f"{name} is {_size_text(self.members[name].file_size)}, more than "
                              f"{_size_text(max_bytes)}")
        return b"".join(self.stream(name))

    def sha256(self, name: str, sink: BinaryIO | None = None) -> str:
        """SHA-256 of a member, computed while streaming it (into ``sink`` if given)."""
        digest = hashlib.sha256()
        for chunk in self.stream(name):
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
        return digest.hexdigest()


def temp_path_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")


def write_then_commit(path: Path | str, write: Callable[[zipfile.ZipFile], None],
                      commit: Callable[[], None], undo: Callable[[], None] | None = None) -> Path:
    """Write a zip to a temporary file in the target folder, run ``commit`` (a database
    transaction), then rename the file into place. If writing or committing fails, the temporary
    file is removed and nothing else changed; if the rename fails, ``undo`` reverts the commit."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_beside(path)
    committed = False
    try:
        with open(tmp, "xb") as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as z:
                write(z)
            raw.flush()
            os.fsync(raw.fileno())
        commit()
        committed = True
        os.replace(tmp, path)  # a reader never sees half a file
    except BaseException:
        tmp.unlink(missing_ok=True)
        if committed and undo is not None:
            undo()
        raise
    return path
