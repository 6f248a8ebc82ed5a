"""`presence run --headless`: the session's events as lines in a terminal, and the wait for its end.

Qt-free, so the headless mode runs on machines without Qt's system libraries; the window
(presence.gui.app) drives the same Session.
"""

from __future__ import annotations

import threading
from typing import TextIO

from presence.core import events
from presence.core.events import Event
from presence.runtime.session import LOADING, OPENING, Session


class TerminalPrinter:
    """The headless event sink: turns as lines on stdout, errors as one line on stderr."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self._out, self._err = out, err
        self._lock = threading.Lock()  # the session and runner threads both print
        self._ready = False

    def __call__(self, event: Event) -> None:
        line, stream = None, self._out
        match event:
            case events.UserText(text=text):
                line = f"You: {text}"
            case events.AssistantText(text=text):
                line = f"Presence: {text}"
            case events.BargeIn():
                line = "Presence: (interrupted)"
            case events.Error(source=source, message=message):
                line, stream = f"presence: {source or 'error'}: {message}", self._err
            case events.State(state=state) if state in (LOADING, OPENING):
                line, stream = f"presence: {state}", self._err
            case events.State(state="listening") if not self._ready:
                self._ready = True
                line, stream = "presence: listening — speak, or press Ctrl+C to stop", self._err
        if line is not None:
            with self._lock:
                print(line, file=stream, flush=True)


def run_headless(session: Session, seconds: float | None) -> int:
    """Run the session without Qt until it ends, `seconds` pass, or Ctrl+C."""
    session.start()
    try:
        if seconds is not None:
            session.wait(max(0.0, seconds))
        else:
            while not session.wait(0.5):
                pass
    except KeyboardInterrupt:
        session.stop()
        return 130
    session.stop()
    return 1 if session.failed else 0
