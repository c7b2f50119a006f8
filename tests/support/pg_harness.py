"""A private PostgreSQL server for the tests and the lab-server benchmark: initdb into a
temporary folder, the postmaster on a private Unix socket folder and port (no TCP), stopped
with ``pg_ctl stop -m fast``.

Why this shape: PostgreSQL refuses to run as root and CI runs as root, so under root the
server runs as the unprivileged system user ``postgres`` (Debian's package creates it) and its
folder belongs to that user. The postmaster is started directly (what ``pg_ctl start`` runs)
as a child of the test process, not daemonised by pg_ctl: then PR_SET_PDEATHSIG can make it
die with the test process (a crashed or killed test run leaves no server behind). The death
signal is set after the change of user, since the kernel clears it on a change of credentials.
Readiness is polled with pg_isready every 50 ms.
"""
from __future__ import annotations

import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SERVER_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server did not come up."""


def pg_bindir() -> Path | None:
    """The folder of initdb/pg_ctl/postgres: Debian's /usr/lib/postgresql/<major>/bin (newest),
    else wherever initdb is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def postgres_available() -> bool:
    bindir = pg_bindir()
    return bindir is not None and all((bindir / b).exists() for b in ("initdb", "pg_ctl", "postgres"))


def _server_user() -> pwd.struct_passwd | None:
    """The user the server runs as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(f"running as root, but there is no system user {SERVER_USER!r} to run "
                                  "PostgreSQL as (apt-get install postgresql creates it)") from None


def _as_server_user(user: pwd.struct_passwd | None, die_with_parent: bool):
    def preexec() -> None:
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        if die_with_parent and sys.platform == "linux":
            # after setuid: a change of credentials clears the parent-death signal.
            # SIGQUIT: the postmaster's immediate shutdown (its backends go with it)
            ctypes.CDLL(None).prctl(1, int(signal.SIGQUIT))  # 1 = PR_SET_PDEATHSIG
    return preexec


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    folder: Path  # data/ and sock/ inside; removed by stop()
    port: int
    user: pwd.struct_passwd | None
    process: subprocess.Popen | None = None
    _log: object = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "sock"

    @property
    def superuser(self) -> str:
        return self.user.pw_name if self.user is not None else pwd.getpwuid(os.geteuid()).pw_name

    def url(self, database: str = "postgres", role: str | None = None) -> str:
        """A plain postgresql:// URL over the private socket (psycopg takes host= as a folder)."""
        return f"postgresql://{role or self.superuser}@/{database}?host={self.socket_dir}&port={self.port}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                              check=check, preexec_fn=_as_server_user(self.user, False))

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the postmaster (again, after stop(keep=True)) and wait until it accepts connections."""
        self._log = open(self.folder / "server.log", "a")
        self.process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(self.data_dir), "-k", str(self.socket_dir),
             "-p", str(self.port), "-c", "listen_addresses=", "-c", "fsync=on", "-c", "max_connections=60"],
            stdout=self._log, stderr=self._log, preexec_fn=_as_server_user(self.user, True))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PostgresUnavailable(f"postgres exited with {self.process.returncode}: {self.log_tail()}")
            ready = subprocess.run([str(self.bindir / "pg_isready"), "-q", "-h", str(self.socket_dir),
                                    "-p", str(self.port)], capture_output=True)
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        self.stop()
        raise PostgresUnavailable(f"postgres did not accept connections within {timeout_s} s: {self.log_tail()}")

    def log_tail(self, n_chars: int = 800) -> str:
        try:
            return (self.folder / "server.log").read_text(errors="replace")[-n_chars:]
        except OSError:
            return "(no log)"

    def stop(self, keep: bool = False) -> None:
        """pg_ctl stop -m fast (connections are cut, committed data stays); the folder is
        removed unless ``keep`` (a restart follows)."""
        if self.process is not None and self.process.poll() is None:
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", check=False)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the server's superuser (administration in tests: databases, roles)."""
        done = self._run("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
                         "-p", str(self.port), "-U", self.superuser, "-d", database, "-c", sql, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def create_database(self, name: str, owner: str | None = None) -> str:
        self.psql(f'CREATE DATABASE "{name}"' + (f' OWNER "{owner}"' if owner else ""))
        return self.url(name)


def start_postgres(timeout_s: float = 30.0) -> PostgresServer:
    """initdb into a new temporary folder and start a server on it (see the module's notes)."""
    bindir = pg_bindir()
    if bindir is None or not postgres_available():
        raise PostgresUnavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="starlab-pg-"))
    (folder / "sock").mkdir()
    os.chmod(folder, 0o755)  # the test process (root or not) reaches the socket inside
    if user is not None:
        for p in (folder, folder / "sock"):
            os.chown(p, user.pw_uid, user.pw_gid)
    server = PostgresServer(bindir=bindir, folder=folder, port=_free_port(), user=user)
    done = server._run("initdb", "-D", str(server.data_dir), "-A", "trust", "-E", "UTF8", "--no-locale",
                       "-U", server.superuser, check=False)
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-800:]}")
    server.start(timeout_s)
    return server
