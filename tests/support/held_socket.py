"""A Unix-socket relay in front of a PostgreSQL server's socket that takes no connection until
``release()``: a lab server that is slow to answer, for the start-up tests. The client's connect
waits in the listening socket's backlog (its first read blocks) until the relay is released;
after that each connection is relayed to the real socket byte for byte, a thread per direction,
each one ``hold_s`` seconds after it came (a distant server; bench/gui_startup.py --pg-delay-ms)."""
from __future__ import annotations

import os
import socket
import threading
from pathlib import Path


class HeldSocket:
    def __init__(self, target: Path, folder: Path, hold_s: float = 0.0):
        """``target``: the real socket file (…/.s.PGSQL.<port>); the relay listens at the same
        name inside ``folder``, so a URL with host=``folder`` and the same port reaches it."""
        self.target, self.folder = Path(target), Path(folder)
        self.path = self.folder / self.target.name
        self.hold_s = hold_s
        self.released = threading.Event()
        self.closed = False
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        os.chmod(self.path, 0o777)
        self.listener.listen(16)
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def release(self) -> None:
        self.released.set()

    def _serve(self) -> None:
        self.released.wait()
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        if self.hold_s:
            threading.Event().wait(self.hold_s)  # the distant server's delay (no fixed sleep in a test)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.connect(str(self.target))
        except OSError:
            client.close()
            return
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed = True
        self.released.set()
        self.listener.close()
