"""Global shortcuts (push-to-observe, mute) that work while another application has focus.

Qt's QShortcut only fires inside our own windows, so the desktop-wide ones go through pynput
(X11 RECORD; Windows and macOS hooks). Its callbacks run on pynput's listener thread; a queued
signal carries them to the Qt main thread before anything else is touched. Where global hooks
are impossible (pynput missing, Wayland without X, no permission) `start` says why in one line
and the window's own shortcut still works.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

_PYNPUT_NAMES = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "super": "<cmd>", "esc": "<esc>",
                 "escape": "<esc>", "return": "<enter>", "pageup": "<page_up>", "pagedown": "<page_down>"}


def to_pynput(hotkey: str) -> str:
    """'ctrl+alt+o' -> '<ctrl>+<alt>+o'; named keys like f5/space -> '<f5>'/'<space>'."""
    parts = []
    for part in hotkey.split("+"):
        if part in _PYNPUT_NAMES:
            parts.append(_PYNPUT_NAMES[part])
        elif len(part) == 1:
            parts.append(part)
        elif part:
            parts.append(f"<{part}>")
    return "+".join(parts)


class GlobalHotkeys(QObject):
    """name -> callback, with hotkeys given as settings strings ('ctrl+alt+o'); restartable."""

    fired = Signal(str)

    def __init__(self, callbacks: Mapping[str, Callable[[], None]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._callbacks = dict(callbacks)
        self._listener: Any = None
        self.fired.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self, hotkeys: Mapping[str, str]) -> str | None:
        """(Re)bind: {callback name: 'ctrl+alt+o'}. Returns a one-line reason when it cannot."""
        self.stop()
        bindings = {to_pynput(keys): name for name, keys in hotkeys.items() if keys and name in self._callbacks}
        if not bindings:
            return None
        try:
            from pynput import keyboard
        except Exception as exc:  # ImportError, or no X display / backend for pynput
            return f"global shortcuts are unavailable ({' '.join(str(exc).split())}); the window's shortcut still works"
        try:
            listener = keyboard.GlobalHotKeys({combo: self._emitter(name) for combo, name in bindings.items()})
            listener.daemon = True
            listener.start()
        except Exception as exc:
            return f"global shortcuts could not start ({' '.join(str(exc).split())})"
        self._listener = listener
        return None

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):
                listener.stop()

    def _emitter(self, name: str) -> Callable[[], None]:
        def emit() -> None:
            with contextlib.suppress(RuntimeError):  # shutting down
                self.fired.emit(name)

        return emit

    def _dispatch(self, name: str) -> None:
        callback = self._callbacks.get(name)
        if callback is not None:
            callback()
