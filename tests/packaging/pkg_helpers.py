"""Helpers for launching the real app in tests/packaging (fixtures are in conftest.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WINDOW_TITLE = "Presence"  # MainWindow's title (app/gui/window.py)


def find_window(env: dict[str, str], pid: int, timeout_s: float, proc: subprocess.Popen | None = None) -> str | None:
    """The X id of a visible window titled "Presence" owned by `pid`, polled until `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid), "--name",
                            f"^{WINDOW_TITLE}$"], capture_output=True, text=True, env=env)
        ids = r.stdout.split()
        if ids:
            return ids[0]
        if proc is not None and proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def wm_class(env: dict[str, str], window: str) -> list[str]:
    r = subprocess.run(["xprop", "-id", window, "WM_CLASS"], capture_output=True, text=True, env=env)
    return re.findall(r'"([^"]*)"', r.stdout)


def launch_and_find_window(argv: list[str], env: dict[str, str], cwd: Path | str = "/",
                           timeout_s: float = 30.0) -> tuple[subprocess.Popen, str | None, float]:
    """Start `argv`; returns the process, its window id (or None) and seconds until it was visible."""
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is missing (packaging/linux/apt-deps.sh)")
    start = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    window = find_window(env, proc.pid, timeout_s, proc)
    return proc, window, time.monotonic() - start


def finish(proc: subprocess.Popen, timeout_s: float = 60.0) -> tuple[int, str]:
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return -9, out
    return proc.returncode, out


def desktop_exec_argv(entry: Path) -> list[str]:
    """The Exec line of a desktop entry as argv, parsed per the Desktop Entry spec 1.4.

    String-level escapes first (\\\\ -> \\), then arguments split at unquoted blanks; inside
    double quotes a backslash escapes one of " ` $ \\. Field codes (%f, %U, ...) are dropped
    and %% becomes %.
    """
    for line in entry.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            return _split_exec(line[len("Exec="):].replace("\\\\", "\\"))
    raise AssertionError(f"no Exec line in {entry}")


def _split_exec(value: str) -> list[str]:
    args: list[str] = []
    current: list[str] | None = None
    i, quoted = 0, False
    while i < len(value):
        c = value[i]
        if quoted:
            if c == "\\" and i + 1 < len(value) and value[i + 1] in '"`$\\':
                current.append(value[i + 1])  # type: ignore[union-attr]
                i += 1
            elif c == '"':
                quoted = False
            else:
                current.append(c)  # type: ignore[union-attr]
        elif c in " \t":
            if current is not None:
                args.append("".join(current))
                current = None
        else:
            current = current if current is not None else []
            if c == '"':
                quoted = True
            else:
                current.append(c)
        i += 1
    assert not quoted, f"unbalanced quotes in Exec={value}"
    if current is not None:
        args.append("".join(current))
    return [a.replace("%%", "%") for a in args if not re.fullmatch(r"%[fFuUdDnNickvm]", a)]
