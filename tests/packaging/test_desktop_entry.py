"""The desktop entry: valid, installable per user, and its Exec line opens the window from anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pkg_helpers import REPO, desktop_exec_argv, finish, launch_and_find_window, wm_class

from presence import desktop

SHIPPED = REPO / "packaging" / "linux" / "presence.desktop"
needs_validator = pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                                     reason="desktop-file-validate missing (apt install desktop-file-utils)")
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is missing")


def validate(path: Path) -> None:
    r = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "error:" not in r.stdout + r.stderr


def make(target: str, env: dict[str, str], **variables: str) -> subprocess.CompletedProcess:
    args = ["make", "-s", "-C", str(REPO), target, *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


@needs_validator
def test_shipped_entry_is_valid():
    validate(SHIPPED)


def test_shipped_entry_is_what_the_installer_writes():
    """One source of truth: packaging/linux/presence.desktop == presence.desktop.entry_text()."""
    assert SHIPPED.read_text(encoding="utf-8") == desktop.entry_text()
    text = desktop.entry_text()
    for line in ("Type=Application", "Version=1.4", "Icon=presence", "Exec=presence run", "StartupNotify=true",
                 "Categories=Utility;AudioVideo;", "StartupWMClass=Presence"):
        assert line in text.splitlines()
    assert "Keywords=" in text


@needs_validator
@pytest.mark.parametrize("path", ["/opt/My Apps/presence", "/home/o'neil/100%/bin/presence", '/tmp/"q"/$x\\y'])
def test_exec_quoting_survives_validation_and_parsing(tmp_path, path):
    entry = tmp_path / "presence.desktop"
    entry.write_text(desktop.entry_text(f"{desktop.exec_quote(path)} run", try_exec=None), encoding="utf-8")
    validate(entry)
    assert desktop_exec_argv(entry) == [path, "run"]


def _installed_files(data_home: Path) -> list[Path]:
    icons = data_home / "icons" / "hicolor"
    return [data_home / "applications" / "presence.desktop", data_home / "presence" / "launch.sh",
            icons / "scalable" / "apps" / "presence.svg",
            *(icons / f"{n}x{n}" / "apps" / "presence.png" for n in desktop.ICON_SIZES)]


@needs_make
@pytest.mark.parametrize("xdg", [False, True], ids=["default-data-home", "XDG_DATA_HOME"])
def test_make_install_desktop_into_temp_home(home_env, tmp_path, xdg):
    env = dict(home_env)
    data_home = Path(env["HOME"]) / ".local" / "share"
    if xdg:
        data_home = tmp_path / "xdg-data"
        env["XDG_DATA_HOME"] = str(data_home)
    r = make("install-desktop", env)
    assert r.returncode == 0, r.stdout + r.stderr
    for path in _installed_files(data_home):
        assert path.is_file(), path
    assert len(desktop.ICON_SIZES) >= 6 and {16, 48, 256, 512} <= set(desktop.ICON_SIZES)
    entry = data_home / "applications" / "presence.desktop"
    if shutil.which("desktop-file-validate"):
        validate(entry)
    argv = desktop_exec_argv(entry)
    program = Path(argv[0])
    assert program.is_absolute() and program.is_file() and os.access(program, os.X_OK), argv
    assert argv[1:] == ["run"]
    # the launcher runs this checkout's venv script, which exists and is executable
    target = (REPO / ".venv" / "bin" / "presence")
    assert f"exec '{target}'" in program.read_text(encoding="utf-8")
    assert target.is_file() and os.access(target, os.X_OK)
    png = data_home / "icons" / "hicolor" / "48x48" / "apps" / "presence.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    r = make("uninstall-desktop", env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not any(p.exists() for p in _installed_files(data_home))


@needs_make
def test_install_refuses_a_missing_executable(home_env, tmp_path):
    r = make("install-desktop", home_env, PRESENCE_EXEC=str(tmp_path / "nope" / "presence"))
    assert r.returncode != 0
    assert "not an executable file" in r.stderr
    assert not (Path(home_env["HOME"]) / ".local" / "share" / "applications" / "presence.desktop").exists()


def test_icons_are_generated_from_the_svg():
    r = subprocess.run([str(REPO / ".venv" / "bin" / "python"), str(REPO / "packaging" / "gen_icons.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in desktop.icon_files()] == [f"presence-{n}.png" for n in desktop.ICON_SIZES]


def test_autostart_on_and_off(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no launcher installed there
    assert not desktop.autostart_enabled()
    assert desktop.set_autostart(True) is None
    path = tmp_path / "cfg" / "autostart" / "presence.desktop"
    assert desktop.autostart_enabled() and path.is_file()
    text = path.read_text(encoding="utf-8")
    assert "X-GNOME-Autostart-enabled=true" in text
    program = Path(desktop_exec_argv(path)[0])
    assert program.is_absolute() and os.access(program, os.X_OK)  # no PATH lookup at login
    if shutil.which("desktop-file-validate"):
        validate(path)
    assert desktop.set_autostart(False) is None
    assert not path.exists() and not desktop.autostart_enabled()


def test_autostart_exec_without_a_launcher_is_the_running_interpreters(tmp_path, monkeypatch):
    """No installed launcher: the `presence` script next to sys.executable, else `sys.executable -m presence.cli`,
    else (a frozen bundle) the bundle's executable; never a bare `presence` looked up on PATH at login."""
    import sys

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    bindir = tmp_path / "venv dir" / "bin"
    bindir.mkdir(parents=True)
    python = bindir / "python"
    python.write_text("")
    monkeypatch.setattr(sys, "executable", str(python))
    assert desktop.launch_command() == f'"{python}" -m presence.cli run'  # no script beside it
    script = bindir / "presence"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert desktop.launch_command() == f'"{script}" run'
    assert desktop.set_autostart(True) is None
    assert desktop_exec_argv(desktop.autostart_path()) == [str(script), "run"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    bundle = tmp_path / "Presence" / "presence"
    monkeypatch.setattr(sys, "executable", str(bundle))
    assert desktop.launch_command() == f"{bundle} run"


def test_autostart_prefers_the_installed_launcher(home_env, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", home_env["HOME"])
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    desktop.install(REPO / ".venv" / "bin" / "presence")
    assert desktop.launch_command() == f"{desktop.launcher_path()} run"
    desktop.set_autostart(True)
    assert desktop.autostart_path().is_file()
    removed = desktop.uninstall()  # the autostart entry runs the launcher: it goes too
    assert desktop.autostart_path() in removed and not desktop.autostart_path().exists()


@pytest.mark.gui
@pytest.mark.slow
@needs_make
def test_installed_entry_exec_opens_the_window(app_env):
    """Double-click equivalent: the installed entry's Exec, from /, with a fresh HOME, shows the window."""
    r = make("install-desktop", app_env)
    assert r.returncode == 0, r.stdout + r.stderr
    entry = Path(app_env["HOME"]) / ".local" / "share" / "applications" / "presence.desktop"
    argv = desktop_exec_argv(entry) + ["--seconds", "6"]
    proc, window, seconds = launch_and_find_window(argv, app_env, cwd="/")
    print(f"window visible after {seconds:.2f} s")
    assert window is not None, finish(proc)[1]
    assert "Presence" in wm_class(app_env, window)  # matches StartupWMClass
    rc, out = finish(proc)
    assert rc == 0, out
    assert "Traceback" not in out
