"""Paths that come from a dataset or a package: they must stay inside their root.

A dataset names its audio by paths relative to its root (``starbench_audios/...``). Such a path
is only used when it is written in a plain relative form and, once symbolic links are followed,
still points inside the root. Anything else (``/etc/passwd``, ``../x``, ``C:\\x``, ``\\\\server\\x``,
a link to a file elsewhere) is refused with the reason, so that nothing outside the folder the
lab chose is ever read, played or copied into a package.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from pathlib import Path
from typing import BinaryIO

# A Windows drive ("C:", "c:foo") or an NT device / UNC prefix ("\\?\", "\\server\share", "//server").
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_PATH_CHARS = 1024
MAX_COMPONENT_CHARS = 100  # a study name and a code both fit in one file name (255 bytes on most systems)
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows gives to devices in every folder ("NUL", "com1.txt"): never a file of ours.
_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?", re.IGNORECASE)


class UnsafePathError(ValueError):
    """A path that is not a plain relative path or that leads outside its root."""


def relative_form_problem(path: object) -> str | None:
    """Why ``path`` is not a plain relative path inside its root, judged on the text alone
    (no file system access), or None when its form is acceptable. Windows forms count too."""
    if not isinstance(path, str):
        return f"must be a string, found {type(path).__name__}"
    if path == "":
        return "is empty"
    if len(path) > MAX_PATH_CHARS:
        return f"is {len(path)} characters long (at most {MAX_PATH_CHARS})"
    if _CONTROL.search(path):
        return f"path {path!r} contains control characters"
    if _SURROGATE.search(path):
        return f"path {path!r} contains a lone surrogate (not valid Unicode text)"
    if path.startswith(("\\\\", "//")):
        return f"path {path!r} is a network (UNC) path; it must be relative to the dataset root"
    if _DRIVE.match(path):
        return f"path {path!r} names a Windows drive; it must be relative to the dataset root"
    unified = path.replace("\\", "/")
    if unified.startswith("/"):
        return f"path {path!r} is absolute; it must be relative to the dataset root"
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        return f"path {path!r} climbs out with '..'; it must be relative to the dataset root and stay inside it"
    if not parts:
        return f"path {path!r} names the root itself, not a file"
    return None


class PathGuard:
    """Checks paths against one root; resolved folders are remembered, so checking the many
    files of a dataset costs about one ``lstat`` per file. Not for use across changes of the
    folder tree (make a new guard to re-check at a later moment)."""

    def __init__(self, root: Path | str) -> None:
        try:
            self.real_root = Path(root).resolve()
        except (OSError, RuntimeError) as exc:
            raise UnsafePathError(f"the root {str(root)!r} cannot be resolved: {exc}") from None
        self._folders: dict[str, Path] = {}

    def _check(self, relative: str, target: Path) -> Path:
        if target == self.real_root or not target.is_relative_to(self.real_root):
            raise UnsafePathError(f"path {relative!r} leads outside the dataset root (to {str(target)!r}), "
                                  "through a symbolic link")
        return target

    def inside(self, relative: str) -> Path:
        """``root / relative`` with every symbolic link followed, checked to lie inside the root.
        Raises :class:`UnsafePathError` with the reason otherwise. The file need not exist (a
        missing file is the caller's separate problem)."""
        problem = relative_form_problem(relative)
        if problem:
            raise UnsafePathError(problem)
        parent, _, name = posixpath.normpath(relative.replace("\\", "/")).rpartition("/")
        try:
            folder = self._folders.get(parent)
            if folder is None:
                folder = (self.real_root / parent).resolve()
                if folder != self.real_root:
                    self._check(relative, folder)
                self._folders[parent] = folder
            target = os.path.join(folder, name)
            if not os.path.islink(target):
                return Path(target)  # a plain name in a folder inside the root
            target = Path(target).resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
            raise UnsafePathError(f"path {relative!r} cannot be resolved: {exc}") from None
        return self._check(relative, target)


def contained_path(root: Path | str, relative: str) -> Path:
    """``root / relative`` with every symbolic link followed, checked to lie inside the root
    (itself resolved), at this moment. Raises :class:`UnsafePathError` with the reason otherwise."""
    return PathGuard(root).inside(relative)


class NotRegularFileError(OSError):
    """A file that is not a regular file (a FIFO, a device such as /dev/zero, a folder), or one
    larger than the caller allows: it is never opened, or never read past the limit."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.reason = reason


def read_regular_file(path: Path | str, max_bytes: int) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``max_bytes`` bytes. A FIFO, a
    device or a folder is refused before it is opened (opening a FIFO would wait for a writer;
    /dev/zero never ends); at most ``max_bytes`` + 1 bytes are read, so a file that grows while
    it is read is refused too. Raises :class:`NotRegularFileError` or ``OSError``."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError(path, "not a regular file (a device, FIFO or folder); not read")
    if st.st_size > max_bytes:
        raise NotRegularFileError(path, f"{st.st_size} bytes, more than the {max_bytes} allowed; not read")
    with open_regular_file(path) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotRegularFileError(path, f"more than the {max_bytes} bytes allowed; not read")
    return data


def open_regular_file(path: Path | str, max_bytes: int | None = None) -> BinaryIO:
    """``path`` opened for reading in binary mode, when it is a regular file (of at most
    ``max_bytes`` bytes, when given). A FIFO, a device or a folder is refused before it is opened
    (non-blocking, so a FIFO swapped in meanwhile cannot make it wait, and checked again on the
    open file). Raises :class:`NotRegularFileError` or ``OSError``."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError(path, "not a regular file (a device, FIFO or folder); not read")
    if max_bytes is not None and st.st_size > max_bytes:
        raise NotRegularFileError(path, f"{st.st_size} bytes, more than the {max_bytes} allowed; not read")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    fh = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped between stat and open
        fh.close()
        raise NotRegularFileError(path, "not a regular file (a device, FIFO or folder); not read")
    return fh


def path_component(name: str) -> str:
    """``name`` (a study, a participant code, a station) as ONE file name component that stays in
    the folder it is joined to. Every run of characters other than ASCII letters, digits, ``.``,
    ``_`` and ``-`` becomes ``_`` (so no separator, no control character survives); leading dots
    and underscores and trailing underscores go (no ``..``, no hidden file); Windows device names
    get a ``_``; a name longer than MAX_COMPONENT_CHARS is cut and given a digest of the whole
    name, so that long names stay apart; nothing left gives ``unnamed``. Deterministic, and a
    name of letters, digits and ``._-`` that starts with a letter or digit comes back unchanged."""
    text = str(name)
    plain = _NOT_PLAIN.sub("_", text).strip("_").lstrip("._")
    if len(plain) > MAX_COMPONENT_CHARS:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        plain = f"{plain[:MAX_COMPONENT_CHARS - 13]}-{digest}"
    if _WINDOWS_DEVICE.fullmatch(plain):
        plain += "_"
    return plain or "unnamed"


def inside_folder(folder: Path | str, file_name: str) -> Path:
    """``folder / file_name`` when ``file_name`` is one plain component that keeps the joined path
    inside ``folder`` (followed symbolic links included); raises :class:`UnsafePathError` otherwise.
    Build ``file_name`` from names with :func:`path_component`; this is the check that it was."""
    if (not file_name or file_name in (".", "..") or "/" in file_name or "\\" in file_name
            or _CONTROL.search(file_name) or _DRIVE.match(file_name)):
        raise UnsafePathError(f"file name {file_name!r} is not one plain name inside {str(folder)!r}")
    target = Path(folder) / file_name
    try:
        real_folder, real_target = Path(folder).resolve(), target.resolve()
    except (OSError, RuntimeError) as exc:
        raise UnsafePathError(f"{str(target)!r} cannot be resolved: {exc}") from None
    if real_target.parent != real_folder:
        raise UnsafePathError(f"{str(target)!r} leads outside {str(folder)!r} (to {str(real_target)!r})")
    return target
