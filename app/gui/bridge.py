"""From the runner's thread to the Qt main thread.

The runner calls its event sink on its own thread; Qt widgets may only be touched on the main
thread. `EventBridge.post` is that sink: it puts the event on a thread-safe queue, and a timer on
the main thread hands the queued events to the window (and the shell), in order, every few
milliseconds. Widgets therefore only ever render events.

Why not a signal with a queued connection: under PySide6 6.12, every `Signal.emit()` made from
Python hands back a reference to `True` it does not own, so each emit takes one from True's
reference count. The bridge carries every event (the microphone level alone five times a second),
so the count reached zero within the hour and the interpreter aborted ("bool_dealloc: deallocating
True or False"). Putting on a Python queue makes no call into Qt at all from the runner's thread.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer

from presence.core.types import Event

DRAIN_MS = 10  # how long an event may wait for the main thread; a 200 ms tick makes a handful


class EventBridge(QObject):
    """Hands events posted from any thread to its handlers on the thread this object lives in."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._handlers: list[Callable[[Event], None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self._timer.start()

    def post(self, event: Event) -> None:
        """The runner's sink: safe to call from any thread, also while the app shuts down."""
        if not self._closed:
            self._queue.put(event)

    def connect_to(self, handler: Callable[[Event], None]) -> None:
        """Deliver events to `handler` through the event loop, even if posted from this thread."""
        self._handlers.append(handler)

    def close(self) -> None:
        """Drop any event posted or still queued from now on (called before widgets are destroyed)."""
        self._closed = True
        self._timer.stop()
        self._handlers.clear()

    def _drain(self) -> None:
        while not self._closed:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                return
            for handler in list(self._handlers):
                if not _alive(handler):  # a widget that is gone (as a dead receiver's connection would be)
                    self._handlers.remove(handler)
                    continue
                try:
                    handler(event)
                except Exception:  # as a slot's exception would be: reported, and the next event goes on
                    sys.excepthook(*sys.exc_info())


def _alive(handler: Callable[[Event], None]) -> bool:
    """False for a method of a Qt object whose C++ side was deleted."""
    owner = getattr(handler, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
