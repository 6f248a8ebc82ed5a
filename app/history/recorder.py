"""The history's event sink: the runner's typed events become lines, written by one thread.

    recorder = HistoryRecorder(path)
    sink = recorder.wrap(window_sink)     # every event still reaches the window; some are recorded
    ...
    recorder.close()

Recorded (`line_for`): the user's final words (spoken or typed), each sentence we began to say (as
it started playing, so the history holds what was heard, not what was planned), a barge-in's heard
and cut text, tool calls, background results and panels. Fillers ("Hmm.") and everything else
(levels, states, partial transcripts) are not.

`__call__` only queues: the tick thread never waits for the disk. The writer thread opens its own
HistoryStore, starts a conversation at the first line and commits every line as it comes, so a
killed process loses at most the line in flight. A store that cannot be opened (a newer schema, a
read-only folder) turns the recorder off with `error` saying why, once. `set_enabled(False)` (the
"Keep conversation history" setting switched off) stops recording at once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presence.core import events
from presence.core.events import Event
from presence.history.store import HistoryError, HistoryStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingLine:
    at: float
    t_ms: int
    kind: str
    text: str
    reply_id: int | None = None
    data: dict[str, Any] | None = None


def line_for(event: Event, at: float) -> PendingLine | None:
    """The history line an event makes, or None for events that are not kept."""
    t = event.t_ms
    match event:
        case events.UserText(text=text, reply_id=rid, typed=typed):
            return PendingLine(at, t, "user", text, rid, {"typed": True} if typed else None)
        case events.AssistantText(text=text, reply_id=rid) if rid != 0:  # reply_id 0: a filler
            return PendingLine(at, t, "assistant", text, rid)
        case events.BargeIn(reply_id=rid, heard=heard, cut=cut):
            return PendingLine(at, t, "cut", heard, rid, {"cut": cut})
        case events.ToolCall():
            fields = {k: v for k, v in event.fields.items() if k != "tool"}
            return PendingLine(at, t, "tool", event.tool, None, fields or None)
        case events.TaskResult(task_id=task_id, kind=kind, text=text, elapsed_s=elapsed):
            return PendingLine(at, t, "result", text, None, {"task_id": task_id, "kind": kind, "elapsed_s": elapsed})
        case events.Panel(panel=panel):
            title = panel.get("title") if isinstance(panel, dict) else None
            return PendingLine(at, t, "panel", str(title or ""), None, {"panel": panel})
    return None


class HistoryRecorder:
    def __init__(self, path: Path | str | None = None, enabled: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._enabled = enabled
        self._queue: queue.Queue[PendingLine | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.error: str | None = None  # why nothing is recorded (the store could not be opened)
        self.conversation_id: int | None = None
        self.written = 0

    # --- the sink (any thread) ----------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        if not self._enabled or self.error is not None:
            return
        line = line_for(event, self._clock())
        if line is None:
            return
        self._start()
        self._queue.put(line)

    def wrap(self, sink: Callable[[Event], None]) -> Callable[[Event], None]:
        """A sink that records, then hands every event on to `sink`."""

        def both(event: Event) -> None:
            self(event)
            sink(event)

        return both

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        return self._enabled

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until every queued line is written (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def close(self, timeout_s: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)

    # --- the writer thread ----------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="history", daemon=True)
                self._thread.start()

    def _write(self) -> None:
        try:
            store = HistoryStore(self.path)
        except (HistoryError, OSError) as exc:
            self.error = f"conversation history is off: {exc}"
            log.warning("%s", self.error)
            self._drain()
            return
        failed = False
        try:
            while (line := self._queue.get()) is not None:
                try:
                    if self.conversation_id is None:
                        self.conversation_id = store.new_conversation(line.at)
                    store.add(self.conversation_id, line.kind, line.text, line.t_ms, line.reply_id, line.data, line.at)
                    self.written += 1
                except Exception as exc:  # a full disk: this line is lost, the next is tried
                    if not failed:
                        failed = True
                        log.warning("a history line could not be written: %s", exc)
                finally:
                    self._queue.task_done()
            self._queue.task_done()
        finally:
            store.close()

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
            self._queue.task_done()
