"""Launching the real app the way a desktop does: a display, sound devices, a private home.

`desktop` (session): DISPLAY and PULSE_SERVER for child processes. CI (.ci/run) has both running
already; elsewhere private ones are started here (Xvfb + trayer via .ci/x-setup.sh, PulseAudio
via .ci/pulse-setup.sh) and stopped afterwards, so these tests never use or disturb a developer's
(or another test run's) display and sound server.

`app_env` (per test): a temporary HOME with its own XDG folders, settings (welcome done, closing
quits — a launch with `--seconds N` must end by itself), log folder and XDG_RUNTIME_DIR (so the
single-instance socket is private too).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pkg_helpers import REPO


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "package: builds or runs the PyInstaller bundle (dist/presence); "
                            "runs when PRESENCE_TEST_PACKAGE=1 or dist/presence exists")


def _display_ok(display: str | None) -> bool:
    if not display or not shutil.which("xdpyinfo"):
        return False
    return subprocess.run(["xdpyinfo", "-display", display], capture_output=True).returncode == 0


def _pulse_server(env: dict[str, str]) -> str | None:
    if not shutil.which("pactl"):
        return None
    r = subprocess.run(["pactl", "info"], capture_output=True, text=True, env=env, timeout=10)
    m = re.search(r"^Server String: (.+)$", r.stdout, re.M)
    return m.group(1).strip() if r.returncode == 0 and m else None


@pytest.fixture(scope="session")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env: dict[str, str] = {}
    stops: list[tuple[list[str], dict[str, str]]] = []
    base = tmp_path_factory.mktemp("desktop")
    try:
        display = os.environ.get("DISPLAY")
        if not _display_ok(display):
            if not all(shutil.which(t) for t in ("Xvfb", "trayer", "xdpyinfo")):
                pytest.skip("no X display and no Xvfb/trayer to start one (packaging/linux/apt-deps.sh)")
            xenv = {**os.environ, "PRESENCE_X_STATE": str(base / "x")}
            out = subprocess.run(["bash", str(REPO / ".ci" / "x-setup.sh"), "start"], env=xenv, capture_output=True,
                                 text=True, timeout=60)
            m = re.search(r"export DISPLAY=(\S+)", out.stdout)
            if out.returncode != 0 or not m:
                pytest.fail(f"x-setup.sh start failed: {out.stderr}")
            stops.append((["bash", str(REPO / ".ci" / "x-setup.sh"), "stop"], xenv))
            display = m.group(1)
        env["DISPLAY"] = display
        server = _pulse_server(dict(os.environ))
        if server is None:
            if not shutil.which("pulseaudio"):
                pytest.skip("no PulseAudio server and none to start (packaging/linux/apt-deps.sh)")
            runtime = base / "rt"
            runtime.mkdir(mode=0o700)
            penv = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "PRESENCE_PULSE_STATE": str(runtime / "state")}
            penv.pop("PULSE_SERVER", None)
            out = subprocess.run(["bash", str(REPO / ".ci" / "pulse-setup.sh"), "start"], env=penv,
                                 capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                pytest.fail(f"pulse-setup.sh start failed: {out.stderr}")
            stops.append((["bash", str(REPO / ".ci" / "pulse-setup.sh"), "stop"], penv))
            server = _pulse_server(penv)
            if server is None:
                pytest.fail("PulseAudio started but does not answer")
        env["PULSE_SERVER"] = server if server.startswith(("unix:", "tcp:")) else f"unix:{server}"
        yield env
    finally:
        for cmd, cenv in reversed(stops):
            subprocess.run(cmd, env=cenv, capture_output=True, timeout=60)


def write_settings(config_dir: Path, **values: object) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    settings = {"first_run_done": True, "close_to_tray": False, **values}
    (config_dir / "settings.json").write_text(json.dumps({"version": 2, "settings": settings}), encoding="utf-8")


@pytest.fixture
def home_env(tmp_path: Path) -> dict[str, str]:
    """A private HOME (and XDG folders left at their defaults inside it) for install/uninstall tests."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") or k == "XDG_RUNTIME_DIR"}
    env["HOME"] = str(home)
    return env


@pytest.fixture
def app_env(tmp_path: Path, home_env: dict[str, str], desktop: dict[str, str]) -> dict[str, str]:
    """Environment for launching the real app in a child process (see the module docstring)."""
    env = dict(home_env)
    env.update(desktop)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env.update(XDG_RUNTIME_DIR=str(runtime), PRESENCE_CONFIG_DIR=str(tmp_path / "config"),
               PRESENCE_LOG_DIR=str(tmp_path / "logs"), PYTHONUNBUFFERED="1")
    env.setdefault("QT_QPA_PLATFORM", "xcb")
    write_settings(tmp_path / "config")
    return env
