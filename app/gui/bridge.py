"""From the runner's thread to the Qt main thread.

The runner calls its event sink on its own thread; Qt widgets may only be touched on the main
thread. `EventBridge.post` is that sink: it emits a signal, and a queued connection delivers each
event to the window on the main thread, in order. Widgets therefore only ever render events.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from presence.core.types import Event


class EventBridge(QObject):
    """Re-emits events posted from any thread as `event` on the thread this object lives in."""

    event = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False

    def post(self, event: Event) -> None:
        """The runner's sink: safe to call from any thread, also while the app shuts down."""
        if self._closed:
            return
        try:
            self.event.emit(event)
        except RuntimeError:  # the C++ object is gone (app quitting); late events are dropped
            self._closed = True

    def connect_to(self, handler: Callable[[Event], None]) -> None:
        """Deliver events to `handler` through the event loop, even if posted from this thread."""
        self.event.connect(handler, Qt.ConnectionType.QueuedConnection)

    def close(self) -> None:
        """Drop any event posted from now on (called before widgets are destroyed)."""
        self._closed = True
