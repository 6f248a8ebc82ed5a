"""Start at login: an XDG autostart entry on Linux (~/.config/autostart/presence.desktop).

Kept as a file we write and remove rather than a system service, so turning the setting off
leaves nothing behind. Other platforms report that it is not supported yet instead of failing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.4
Name=Presence
Comment=A desktop assistant that listens while it talks
Exec={command}
Terminal=false
X-GNOME-Autostart-enabled=true
"""


def autostart_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / "presence.desktop"


def set_autostart(enabled: bool, command: str = "presence run") -> str | None:
    """Create or remove the entry; returns a message when it could not be done, else None."""
    if not sys.platform.startswith("linux"):
        return "Starting at login is only supported on Linux so far."
    path = autostart_file()
    try:
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".desktop.tmp")
            tmp.write_text(DESKTOP_ENTRY.format(command=command), encoding="utf-8")
            os.replace(tmp, path)
        elif path.exists():
            path.unlink()
    except OSError as exc:
        return f"Could not change the autostart entry {path}: {exc.strerror or exc}"
    return None


def autostart_enabled() -> bool:
    return autostart_file().exists()
