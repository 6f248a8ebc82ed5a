"""Desktop integration on Linux (freedesktop.org): the menu entry, its icons, autostart at login.

Standard library only and no imports from presence, so `make install-desktop` can run this file
directly (`python3 app/desktop.py install --exec PATH`) and a frozen bundle can use it too.

- `install(exec_path)` writes, for the current user (honouring $XDG_DATA_HOME, default
  ~/.local/share): a launcher script `presence/launch.sh` that runs `exec_path` from $HOME,
  `applications/presence.desktop` whose Exec is that launcher's absolute path, and the icons
  `icons/hicolor/<n>x<n>/apps/presence.png` and `icons/hicolor/scalable/apps/presence.svg`.
  `uninstall()` removes exactly those (and an autostart entry that points at the launcher).
- `set_autostart(enabled)` writes or removes $XDG_CONFIG_HOME/autostart/presence.desktop
  (default ~/.config) whose Exec is `launch_command()`: the installed launcher when there is one,
  else the running bundle, the `presence` script next to the running interpreter, or that
  interpreter with `-m presence.cli` — an absolute path, never PATH lookup. This is the only
  autostart writer: the settings' switch (presence.settings.autostart) calls it.

packaging/linux/presence.desktop is the shipped entry (Exec=presence run, for distro packages that
put `presence` on PATH); it is exactly `entry_text()` with the defaults (a test checks this).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "presence"  # desktop file id, icon name, Wayland app id (QGuiApplication.desktopFileName)
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
LAUNCHER_NAME = "launch.sh"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # characters that force quoting in an Exec argument


# --- locations -----------------------------------------------------------------------------
def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def entry_path() -> Path:
    return data_home() / "applications" / f"{APP_ID}.desktop"


def launcher_path() -> Path:
    return data_home() / APP_ID / LAUNCHER_NAME


def icon_paths() -> list[Path]:
    base = data_home() / "icons" / "hicolor"
    return [base / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES] + [
        base / "scalable" / "apps" / f"{APP_ID}.svg"]


def autostart_path() -> Path:
    return config_home() / "autostart" / f"{APP_ID}.desktop"


def assets_dir() -> Path:
    """The folder with presence.svg and icons/: next to this file in a checkout or an install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets", here.parent / "assets", Path(getattr(sys, "_MEIPASS", here)) / "presence"
                      / "assets"):
        if (candidate / f"{APP_ID}.svg").is_file():
            return candidate
    raise FileNotFoundError(f"presence icons not found near {here}")


def icon_files() -> list[Path]:
    """The app icon's PNGs, smallest first, for QIcon.addFile() (window/taskbar icon); [] when missing."""
    try:
        folder = assets_dir() / "icons"
    except FileNotFoundError:
        return []
    return [p for n in ICON_SIZES if (p := folder / f"{APP_ID}-{n}.png").is_file()]


# --- entry text ----------------------------------------------------------------------------
def exec_quote(arg: str) -> str:
    """One argument of an Exec key, quoted per the Desktop Entry spec (1.4) when it needs it.

    Inside double quotes `"`, `` ` ``, `$` and `\\` get a backslash; then the whole value is a
    desktop-file string, whose own escaping doubles every backslash. `%` is always doubled.
    """
    arg = arg.replace("%", "%%")
    if arg and not (set(arg) & _RESERVED):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + inner.replace("\\", "\\\\") + '"'


def entry_text(exec_cmd: str = "presence run", try_exec: str | None = "presence", autostart: bool = False) -> str:
    """The [Desktop Entry] group; `exec_cmd` must already be quoted (see exec_quote)."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=Presence",
        "GenericName=Voice Assistant",
        "Comment=A desktop assistant that listens while it talks and sees the screen when allowed",
        f"Exec={exec_cmd}",
    ]
    if try_exec:
        lines.append(f"TryExec={try_exec}")
    lines += [
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Utility;AudioVideo;",
        "Keywords=assistant;voice;speech;talk;microphone;screen;AI;",
        "StartupNotify=true",
        "StartupWMClass=Presence",  # WM_CLASS class = QApplication.applicationName()
    ]
    if autostart:
        lines += ["X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-Delay=3"]
    return "\n".join(lines) + "\n"


def launcher_text(exec_path: Path) -> str:
    target = str(exec_path).replace("'", "'\\''")
    return (
        "#!/bin/sh\n"
        "# Written by `make install-desktop` (presence.desktop.install); removed by `make uninstall-desktop`.\n"
        "# Starts Presence from the desktop entry and autostart, from the home folder.\n"
        'cd "$HOME" 2>/dev/null || cd /\n'
        f"exec '{target}' \"$@\"\n"
    )


def launch_command(args: str = "run") -> str:
    """The Exec value that starts Presence from any directory without PATH (autostart, menus)."""
    launcher = launcher_path()
    if launcher.is_file() and os.access(launcher, os.X_OK):
        program = [str(launcher)]
    elif getattr(sys, "frozen", False):
        program = [sys.executable]
    else:
        script = Path(sys.executable).parent / APP_ID  # the venv's console script, next to its python
        if script.is_file() and os.access(script, os.X_OK):
            program = [str(script)]
        else:  # this interpreter runs presence (it is running it now); a `presence` on PATH may be another
            program = [str(Path(sys.executable).absolute()), "-m", "presence.cli"]
    return " ".join([*(exec_quote(p) for p in program), args]).strip()


# --- install / uninstall ---------------------------------------------------------------------
def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dst)


def _refresh_caches() -> None:
    """Menus and icon themes notice new files by themselves; the caches only make it quicker."""
    for cmd in (["update-desktop-database", "-q", str(data_home() / "applications")],
                ["gtk-update-icon-cache", "-q", "-t", "-f", str(data_home() / "icons" / "hicolor")]):
        if shutil.which(cmd[0]) and Path(cmd[-1]).is_dir():
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def install(exec_path: str | Path, assets: Path | None = None) -> list[Path]:
    """Install the launcher, the menu entry and the icons for the current user; returns the files."""
    exec_path = Path(exec_path).expanduser().absolute()
    if not (exec_path.is_file() and os.access(exec_path, os.X_OK)):
        raise FileNotFoundError(f"{exec_path} is not an executable file (run `make setup` or `make package` first)")
    assets = assets or assets_dir()
    launcher = launcher_path()
    _write(launcher, launcher_text(exec_path), 0o755)
    entry = entry_path()
    _write(entry, entry_text(f"{exec_quote(str(launcher))} run", try_exec=exec_quote(str(launcher))))
    written = [launcher, entry]
    for size, dst in zip(ICON_SIZES, icon_paths(), strict=False):
        _copy(assets / "icons" / f"{APP_ID}-{size}.png", dst)
        written.append(dst)
    scalable = icon_paths()[-1]
    _copy(assets / f"{APP_ID}.svg", scalable)
    written.append(scalable)
    _refresh_caches()
    return written


def uninstall() -> list[Path]:
    """Remove what install() wrote (and an autostart entry that runs the launcher); returns what went."""
    removed = []
    auto = autostart_path()
    if auto.is_file() and str(launcher_path()) in auto.read_text(encoding="utf-8", errors="replace").replace(
            "\\\\", "\\"):
        auto.unlink()
        removed.append(auto)
    for path in (entry_path(), launcher_path(), *icon_paths()):
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(path)
    # folders install() may have created, where now empty (icons/hicolor/<n>/apps is shared with other apps;
    # presence/ may hold other data)
    stop = data_home()
    for path in (*icon_paths(), launcher_path()):
        folder = path.parent
        while folder != stop and stop in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
    _refresh_caches()
    return removed


# --- autostart -------------------------------------------------------------------------------
def autostart_enabled() -> bool:
    return autostart_path().is_file()


def set_autostart(enabled: bool, command: str | None = None) -> str | None:
    """Write or remove the XDG autostart entry; returns a message for the user on failure, else None.

    `command` is the Exec value (already quoted); default `launch_command()`.
    """
    if not sys.platform.startswith("linux"):
        return "Starting at login is only supported on Linux so far."
    path = autostart_path()
    try:
        if enabled:
            _write(path, entry_text(command or launch_command(), try_exec=None, autostart=True))
        elif path.exists():
            path.unlink()
    except OSError as exc:
        return f"Could not change the autostart entry {path}: {exc.strerror or exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="desktop.py", description="Presence desktop integration (per user).")
    sub = parser.add_subparsers(dest="action", required=True)
    ins = sub.add_parser("install", help="menu entry, launcher and icons under $XDG_DATA_HOME")
    ins.add_argument("--exec", dest="exec_path", required=True, help="the `presence` executable to launch")
    ins.add_argument("--assets", type=Path, help="folder with presence.svg and icons/ (default: found)")
    sub.add_parser("uninstall", help="remove them again")
    auto = sub.add_parser("autostart", help="start at login: on or off")
    auto.add_argument("state", choices=("on", "off"))
    sub.add_parser("entry", help="print the shipped desktop entry")
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            files = install(args.exec_path, args.assets)
            print(f"installed {entry_path()} (Exec runs {launcher_path()}) and {len(files) - 2} icons")
        elif args.action == "uninstall":
            removed = uninstall()
            print(f"removed {len(removed)} file(s)" + "".join(f"\n  {p}" for p in removed))
        elif args.action == "autostart":
            message = set_autostart(args.state == "on")
            if message:
                print(f"desktop.py: {message}", file=sys.stderr)
                return 1
            print(f"autostart {'on' if args.state == 'on' else 'off'}: {autostart_path()}")
        else:
            sys.stdout.write(entry_text())
    except (OSError, FileNotFoundError) as exc:
        print(f"desktop.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
