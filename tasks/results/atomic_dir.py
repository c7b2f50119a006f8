"""An output folder that is whole or absent: written into a hidden sibling and renamed into place.

    with staged_dir(out, "trials.csv") as stage:
        write everything into stage.path
    # here ``out`` holds the complete new output

The sibling is ``<parent>/.<name>.partial-<pid>-<random>``: on the same file system as the
target, so the final rename is atomic. On success it replaces the target:

- a target that does not exist, or an empty folder: the sibling is renamed onto it;
- a target that is an earlier output of the same kind (it holds ``signature``, e.g. trials.csv
  for an export): the two folders are exchanged in one step (renameat2 RENAME_EXCHANGE on Linux;
  elsewhere the old one is renamed aside to ``.<name>.old-<pid>-<random>`` and the new one renamed
  in), then the old one is deleted. The target is never a mixture of the two;
- a target that holds other files (not an earlier output of this kind) is refused with an OSError
  naming it, before anything is written: its files are not ours to delete.

On an exception, SIGINT or SIGTERM the target is left as it was and the sibling is removed. A
SIGKILL (or a power cut) leaves the hidden sibling; the next run into the same target removes
siblings whose process is gone. Errors raised while writing name the target, not the sibling.
"""
from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PARTIAL, OLD = "partial", "old"


class Stage:
    """The hidden sibling being written (``path``) and the target it becomes (``target``)."""

    def __init__(self, target: Path, path: Path):
        self.target, self.path = target, path

    def final(self, p: Path) -> Path:
        """Where a path inside the sibling ends up once the folder is in place."""
        p = Path(p)
        try:
            return self.target / p.relative_to(self.path)
        except ValueError:
            return p


def sibling(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def remove_stale(target: Path) -> list[Path]:
    """Remove the hidden siblings of ``target`` left by runs that were killed."""
    removed = []
    if not target.parent.is_dir():
        return removed
    for kind in (PARTIAL, OLD):
        for p in target.parent.glob(f".{target.name}.{kind}-*-*"):
            pid = p.name[len(f".{target.name}.{kind}-"):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _check_target(target: Path, signature: str) -> bool:
    """Whether ``target`` exists (an empty folder or an earlier output); refuse anything else."""
    if not target.exists() and not target.is_symlink():
        return False
    if target.is_symlink() or not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target))
    if not os.access(target, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))
    if any(target.iterdir()) and not (target / signature).is_file():
        raise FileExistsError(errno.ENOTEMPTY, f"holds other files and is not an earlier output (no {signature}); "
                                               "choose a new or empty folder", str(target))
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _publish(stage: Path, target: Path) -> None:
    if not target.exists():
        os.rename(stage, target)
        return
    if not any(target.iterdir()):
        target.rmdir()
        os.rename(stage, target)
        return
    if _exchange(stage, target):
        shutil.rmtree(stage, ignore_errors=True)  # now holds the old output
        return
    aside = sibling(target, OLD)
    os.rename(target, aside)
    try:
        os.rename(stage, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _name_target(exc: OSError, stage: Path, target: Path) -> None:
    for attr in ("filename", "filename2"):
        name = getattr(exc, attr, None)
        if isinstance(name, str) and (name == str(stage) or name.startswith(str(stage) + os.sep)):
            try:
                setattr(exc, attr, str(target) + name[len(str(stage)):])
            except AttributeError:
                pass


class _Terminated(BaseException):
    pass


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """In the main thread, SIGTERM raises (so that the sibling is removed) instead of ending at once."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def raise_terminated(signum, frame):
        raise _Terminated()

    signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)  # end as SIGTERM would have, now that the sibling is gone
        raise
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def staged_dir(target: Path, signature: str) -> Iterator[Stage]:
    """A hidden sibling of ``target`` to write into; on success it replaces ``target`` whole."""
    given, target = Path(target), Path(os.path.abspath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    _check_target(target, signature)
    path = sibling(target, PARTIAL)
    with _sigterm_raises():
        try:
            path.mkdir()
            yield Stage(given, path)
            _check_target(target, signature)
            _publish(path, target)
        except BaseException as exc:
            shutil.rmtree(path, ignore_errors=True)
            if isinstance(exc, OSError):
                _name_target(exc, path, given)
            raise
