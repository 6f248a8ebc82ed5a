"""The bridge carries every runner event to the main thread without draining `True`'s reference count
(PySide6 6.12's Signal.emit takes one reference from True per call: the app aborted within the hour)."""

from __future__ import annotations

import sys
import threading

import pytest
from fakes_for_gui import needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


def test_thousands_of_events_leave_the_interpreter_intact(qtbot):
    from presence.gui.bridge import EventBridge

    bridge = EventBridge()
    got: list[events.Event] = []
    bridge.connect_to(got.append)
    qtbot.wait(30)
    before = sys.getrefcount(True)
    worker = threading.Thread(target=lambda: [bridge.post(events.Level(t_ms=i, rms=0.1)) for i in range(5000)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(got) == 5000, timeout=5000)
    assert [e.t_ms for e in got] == list(range(5000))  # all of them, in order
    assert sys.getrefcount(True) - before > -100  # a signal per event took 5000


def test_a_failing_handler_does_not_stop_the_others(qtbot):
    from presence.gui.bridge import EventBridge

    bridge = EventBridge()
    seen: list[int] = []

    def broken(event: events.Event) -> None:
        raise ValueError("boom")

    bridge.connect_to(broken)
    bridge.connect_to(lambda event: seen.append(event.t_ms))
    hooked: list[type] = []
    original, sys.excepthook = sys.excepthook, lambda kind, value, tb: hooked.append(kind)
    try:
        for i in range(3):
            bridge.post(events.Level(t_ms=i, rms=0.0))
        qtbot.waitUntil(lambda: seen == [0, 1, 2], timeout=2000)
    finally:
        sys.excepthook = original
    assert hooked == [ValueError] * 3
