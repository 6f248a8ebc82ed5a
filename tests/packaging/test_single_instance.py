"""Single instance: a second launch signals the first (which raises its window) and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pkg_helpers import REPO, finish, launch_and_find_window

# A minimal "app": QCoreApplication + the guard. Prints PRIMARY/SECONDARY, RAISED when asked,
# then (flag "quit") quits on the request, or after argv[2] seconds. Flag "early": acquire()
# before the QCoreApplication exists (listening starts at set_handler()).
PROBE = """
import sys, time
from PySide6.QtCore import QCoreApplication, QTimer
from presence import single_instance

flags = sys.argv[3:]
app = None if "early" in flags else QCoreApplication(sys.argv[:1])
started = time.monotonic()
guard = single_instance.acquire(sys.argv[1], timeout_ms=5000)
print(f"acquire took {time.monotonic() - started:.3f}", flush=True)
if guard is None:
    print("SECONDARY", flush=True)
    sys.exit(0)
app = app or QCoreApplication(sys.argv[:1])
quit_on_raise = "quit" in flags
def raised():
    print("RAISED", flush=True)
    if quit_on_raise:
        QTimer.singleShot(100, app.quit)
guard.set_handler(raised)
print("PRIMARY", flush=True)
QTimer.singleShot(int(float(sys.argv[2]) * 1000), app.quit)
app.exec()
guard.release()
print(f"released after {guard.raised} raise(s)", flush=True)
"""


@pytest.fixture
def socket_name(tmp_path: Path) -> str:
    return str(tmp_path / "presence.sock")


def start(socket: str, seconds: float, *flags: str) -> subprocess.Popen:
    argv = [sys.executable, "-c", PROBE, socket, str(seconds), *flags]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen, expected: str, timeout_s: float = 20.0) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        lines.append(line.strip())
        if line.strip() == expected:
            return lines
    raise AssertionError(f"no {expected!r} from the probe; got {lines}; stderr: {proc.stderr.read()}")  # type: ignore


def run_second(socket: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, socket, "5"], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("early", [False, True], ids=["app-first", "acquire-first"])
def test_second_launch_signals_the_first_and_exits_0(socket_name, early):
    first = start(socket_name, 30, "quit", *(["early"] if early else []))
    try:
        wait_for_line(first, "PRIMARY")
        t = time.monotonic()
        second = run_second(socket_name)
        took = time.monotonic() - t
        assert second.returncode == 0, second.stderr
        assert "SECONDARY" in second.stdout and "PRIMARY" not in second.stdout
        wait_for_line(first, "RAISED")
        assert first.wait(timeout=10) == 0
        assert "released after 1 raise(s)" in first.stdout.read()
        assert took < 5, f"the second launch took {took:.1f} s"
    finally:
        first.kill()
        first.wait()
    assert not Path(socket_name).exists()  # released: socket and lock removed
    assert not Path(socket_name + ".lock").exists()


def test_after_the_first_quits_the_next_launch_is_first(socket_name):
    first = start(socket_name, 0.3)
    wait_for_line(first, "PRIMARY")
    assert first.wait(timeout=20) == 0
    again = subprocess.run([sys.executable, "-c", PROBE, socket_name, "0.1"], capture_output=True, text=True,
                           timeout=60)
    assert "PRIMARY" in again.stdout, again.stderr


def test_a_crashed_first_instance_does_not_block_the_next(socket_name):
    """kill -9 leaves the lock file and socket behind; the pid is gone, so the lock is stale."""
    first = start(socket_name, 60)
    wait_for_line(first, "PRIMARY")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert Path(socket_name + ".lock").exists()
    again = subprocess.run([sys.executable, "-c", PROBE, socket_name, "0.1"], capture_output=True, text=True,
                           timeout=60)
    assert "PRIMARY" in again.stdout, again.stdout + again.stderr


def test_default_name_is_per_user_in_the_runtime_dir(tmp_path, monkeypatch):
    from presence import single_instance

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert single_instance.server_name() == str(tmp_path / "presence.sock")
    assert single_instance.server_name("/x/y.sock") == "/x/y.sock"


def _wired() -> bool:
    sources = [REPO / "app" / "gui" / "app.py", REPO / "app" / "cli.py"]
    return any("single_instance" in p.read_text(encoding="utf-8") for p in sources if p.exists())


@pytest.mark.gui
@pytest.mark.slow
@pytest.mark.skipif(not _wired(), reason="single_instance.acquire is not wired into `presence run` yet")
def test_second_presence_run_raises_the_first(app_env):
    """The real app: the second `presence run` exits 0 at once and no second window or microphone opens."""
    presence = str(REPO / ".venv" / "bin" / "presence")
    first, window, _ = launch_and_find_window([presence, "run", "--seconds", "25"], app_env)
    try:
        assert window is not None, finish(first)[1]
        t = time.monotonic()
        second = subprocess.run([presence, "run", "--seconds", "25"], env=app_env, capture_output=True, text=True,
                                timeout=60, cwd="/")
        assert second.returncode == 0, second.stdout + second.stderr
        assert time.monotonic() - t < 10
        log = Path(app_env["PRESENCE_LOG_DIR"]) / "presence.log"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "come forward" not in (log.read_text() if log.exists() else ""):
            time.sleep(0.1)
        assert "another launch asked this instance to come forward" in log.read_text()
    finally:
        first.send_signal(signal.SIGINT)
        finish(first, 30)
