"""Start at login, for the settings' "autostart" switch: the one writer is presence.desktop.

It writes an XDG autostart entry on Linux ($XDG_CONFIG_HOME/autostart/presence.desktop) whose
Exec is an absolute path (the installed launcher, the frozen bundle, or the `presence` script
next to the running interpreter), so login starts Presence without `presence` on PATH. Turning
the setting off removes the file; other platforms get a message instead of a failure.
"""

from __future__ import annotations

from presence.desktop import autostart_enabled, autostart_path, launch_command, set_autostart

__all__ = ["autostart_enabled", "autostart_path", "launch_command", "set_autostart"]
