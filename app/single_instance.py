"""One Presence per user: a second launch brings the running one forward instead of opening the mic twice.

    guard = single_instance.acquire("presence", on_raise=bring_window_forward)
    if guard is None:      # another instance runs and was told to raise its window
        return 0
    ...                    # run; the guard must live as long as the app
    guard.release()        # (also fine to just exit: a lock left by a crash is detected as stale)

How: a lock file (QLockFile) decides who is first — it is atomic, and a lock left by a crashed
process is recognised as stale (its pid is gone) and taken over. The first instance then listens
on a local socket (QLocalServer: a Unix socket in $XDG_RUNTIME_DIR, a named pipe on Windows).
A later launch finds the lock taken, connects, sends the line "raise", waits for "ok" and
returns None. The first instance's `on_raise` runs on the Qt main thread (its event loop must
be running to answer; until then the second launch retries for `timeout_ms`).

PySide6 (QtCore + QtNetwork only) is imported inside the functions. The socket needs a
Q(Core)Application in this thread: with one, acquire() listens at once; called earlier, the
lock is taken (a second launch already stops) and listening starts at set_handler()/listen().
Without PySide6 it returns an unguarded Guard and logs a warning, so the app still starts.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_NAME = "presence"
RAISE = b"raise"
OK = b"ok"


def server_name(name: str = DEFAULT_NAME) -> str:
    """The QLocalServer name for `name`: per user (and a full socket path on Unix).

    An absolute path is used as is (tests pass one inside a temporary folder).
    """
    if os.path.isabs(name):
        return name
    if sys.platform == "win32":
        return f"{name}-{_user()}"
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return os.path.join(base, f"{name}.sock")
    return os.path.join(tempfile.gettempdir(), f"{name}-{os.getuid()}.sock")


def _user() -> str:
    try:
        return "".join(c for c in getpass.getuser() if c.isalnum()) or "user"
    except Exception:
        return "user"


def _lock_path(server: str) -> str:
    if sys.platform == "win32" and not os.path.isabs(server):
        return os.path.join(tempfile.gettempdir(), f"{server}.lock")
    return server + ".lock"


class Guard:
    """Held by the first instance: owns the lock file and the listening socket."""

    def __init__(self, name: str, lock: Any = None, on_raise: Callable[[], None] | None = None) -> None:
        self.name = name  # the socket path (Unix) or pipe name (Windows)
        self._lock = lock  # None: unguarded (no PySide6)
        self._server: Any = None
        self._on_raise = on_raise
        self._buffers: dict[Any, bytearray] = {}
        self.raised = 0  # how many "raise" requests arrived (tests, logs)

    @property
    def guarded(self) -> bool:
        """False when PySide6 was missing and nothing stops a second instance."""
        return self._lock is not None

    @property
    def listening(self) -> bool:
        return self._server is not None

    def set_handler(self, on_raise: Callable[[], None] | None) -> None:
        """What to do when a second launch asks: typically show, un-minimise and activate the window.

        Also starts listening if acquire() ran before the Q(Core)Application existed.
        """
        self._on_raise = on_raise
        self.listen()

    def listen(self) -> bool:
        """Open the local socket (needs a Q(Core)Application in this thread: its event loop answers)."""
        if self._server is not None or self._lock is None:
            return self._server is not None
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtNetwork import QLocalServer

        if QCoreApplication.instance() is None:
            return False
        QLocalServer.removeServer(self.name)  # a socket file left by a crash (we hold the lock: safe)
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single instance: cannot listen on %s (%s); later launches cannot reach this one",
                        self.name, server.errorString())
            return False
        self._server = server
        server.newConnection.connect(self._accept)
        return True

    def _accept(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = bytearray()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))

    def _forget(self, sock: Any) -> None:
        self._buffers.pop(sock, None)
        with contextlib.suppress(RuntimeError):  # already deleted with the server at shutdown
            sock.deleteLater()

    def _read(self, sock: Any) -> None:
        buf = self._buffers.setdefault(sock, bytearray())
        buf += bytes(sock.readAll().data())
        if len(buf) > 1024 and b"\n" not in buf:  # not our protocol: one short line per request
            sock.abort()
            return
        while b"\n" in buf:
            line, _, rest = bytes(buf).partition(b"\n")
            buf[:] = rest
            command = line.strip()
            if command == RAISE:
                self.raised += 1
                log.info("another launch asked this instance to come forward")
                if self._on_raise is not None:
                    try:
                        self._on_raise()
                    except Exception:
                        log.exception("raising the window failed")
                sock.write(OK + b"\n")
            else:
                log.warning("single instance: unknown request %r", command[:40])
                sock.write(b"unknown\n")
            sock.flush()

    def release(self) -> None:
        """Stop listening and drop the lock (a new launch becomes the first again)."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def acquire(name: str = DEFAULT_NAME, on_raise: Callable[[], None] | None = None,
            timeout_ms: int = 3000) -> Guard | None:
    """Become the one instance (returns its Guard), or ask the running one to raise and return None."""
    try:
        from PySide6.QtCore import QLockFile
        from PySide6.QtNetwork import QLocalServer  # noqa: F401  (fail here, not later, without QtNetwork)
    except ImportError as exc:
        log.warning("single instance: PySide6 not available (%s); not guarding", exc)
        return Guard(name, on_raise=on_raise)

    server_path = server_name(name)
    lock = QLockFile(_lock_path(server_path))
    lock.setStaleLockTime(0)  # stale = its process is gone, however recent
    if lock.tryLock(100):
        guard = Guard(server_path, lock, on_raise)
        guard.listen()  # now if the app exists, else on set_handler()
        return guard

    info = lock.getLockInfo()  # PySide6: (pid, hostname, appname); pid 0 when unreadable
    pid = info[-3] if isinstance(info, tuple) and len(info) >= 3 else 0
    who = f"pid {pid}" if pid else "another process"
    if _ask_to_raise(server_path, timeout_ms):
        log.info("Presence is already running (%s); asked it to come forward", who)
    else:
        log.warning("Presence is already running (%s) but did not answer within %d ms", who, timeout_ms)
    return None


def _ask_to_raise(server_path: str, timeout_ms: int) -> bool:
    """Connect (retrying while the first instance starts up), send "raise", wait for "ok"."""
    from PySide6.QtNetwork import QLocalSocket

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        sock = QLocalSocket()
        sock.connectToServer(server_path)
        if sock.waitForConnected(max(1, min(500, int((deadline - time.monotonic()) * 1000)))):
            sock.write(RAISE + b"\n")
            sock.flush()
            sock.waitForBytesWritten(500)
            reply = bytearray()
            while b"\n" not in reply and time.monotonic() < deadline:
                if sock.waitForReadyRead(max(1, int((deadline - time.monotonic()) * 1000))):
                    reply += bytes(sock.readAll().data())
                elif sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
                    break
            sock.disconnectFromServer()
            return reply.strip() == OK
        sock.abort()
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def bring_forward(window: Any) -> None:
    """The usual on_raise for a QWidget window: show it (also from the tray), un-minimise, activate."""
    from PySide6.QtCore import Qt

    window.setWindowState((window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()

