"""Active timers, cue-word watches, screen watches and background tasks, each with a Cancel button.

Built from runner events (tool_call, timer_due, cue_heard, task_*, item_cancelled) by the window;
a Cancel click asks the controller through `cancel_requested(kind, id)` and removes the row at
once — the user's intent is clear, and a late event for a removed row is simply ignored.
Kinds and ids: timer (the event's `id`, else "due-<due_ms>"), watch (`id`, else the word),
screen_watch (`watch_id`), task (`task_id`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from presence.core import events
from presence.core.events import Event

KINDS = ("timer", "watch", "screen_watch", "task")
TASK_ENDED = (events.TaskResult, events.TaskFailed, events.TaskCancelled, events.TaskDelivered)


def duration_text(seconds: float) -> str:
    """5 -> '5 s', 90 -> '1:30', 3600 -> '1:00:00': how long a timer runs or has left."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


@dataclass
class Item:
    kind: str
    item_id: str
    title: str
    due_ms: int | None
    row: QWidget
    label: QLabel
    button: QPushButton
    one_shot: bool = False  # a watch that ends when its word is heard once
    detail: str = ""  # a task's progress

    def text(self, now_ms: int) -> str:
        if self.due_ms is not None:
            return f"{self.title} — {duration_text((self.due_ms - now_ms) / 1000)} left"
        return f"{self.title} — {self.detail}" if self.detail else self.title


class ActivityList(QWidget):
    cancel_requested = Signal(str, str)  # (kind, id)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: dict[tuple[str, str], Item] = {}
        self.now_ms = 0
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.setAccessibleName("Timers, watches and tasks")

    def add(self, kind: str, item_id: str, title: str, due_ms: int | None = None, one_shot: bool = False) -> Item:
        """Add a row, or refresh the row with the same kind and id (a task reporting progress)."""
        key = (kind, item_id)
        item = self.items.get(key)
        if item is not None:
            item.title, item.due_ms, item.one_shot = title, due_ms, one_shot
            item.label.setText(item.text(self.now_ms))
            return item
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        button = QPushButton("Cancel")
        button.setAccessibleName(f"Cancel {title}")
        button.clicked.connect(lambda: self._cancel(kind, item_id))
        layout.addWidget(label, 1)
        layout.addWidget(button)
        self._layout.addWidget(row)
        item = Item(kind, item_id, title, due_ms, row, label, button, one_shot)
        label.setText(item.text(self.now_ms))
        self.items[key] = item
        self.changed.emit()
        return item

    def remove(self, kind: str, item_id: str) -> bool:
        item = self.items.pop((kind, item_id), None)
        if item is None:
            return False
        self._layout.removeWidget(item.row)
        item.row.hide()
        item.row.deleteLater()
        self.changed.emit()
        return True

    def remove_kind(self, kind: str) -> int:
        keys = [key for key in self.items if key[0] == kind]
        for key in keys:
            self.remove(*key)
        return len(keys)

    def get(self, kind: str, item_id: str) -> Item | None:
        return self.items.get((kind, item_id))

    def set_detail(self, kind: str, item_id: str, detail: str) -> None:
        item = self.items.get((kind, item_id))
        if item is not None:
            item.detail = detail
            item.label.setText(item.text(self.now_ms))

    def set_now(self, now_ms: int) -> None:
        """Refresh the countdowns to `now_ms` (logical time)."""
        self.now_ms = now_ms
        for item in self.items.values():
            if item.due_ms is not None:
                item.label.setText(item.text(now_ms))

    def lines(self) -> list[str]:
        return [item.label.text() for item in self.items.values()]

    def _cancel(self, kind: str, item_id: str) -> None:
        self.cancel_requested.emit(kind, item_id)
        self.remove(kind, item_id)


def handle_activity_event(activity: ActivityList, event: Event) -> bool:
    """Apply one runner event to the list; False when it is not about timers, watches or tasks.

    Dispatched on the event's class (_HANDLERS); a handler returns False only for an event of its
    class that is not an activity after all (a background model's own tool call)."""
    handler = _HANDLERS.get(type(event))
    return handler is not None and handler(activity, event) is not False


def _on_tool_call(activity: ActivityList, ev: events.ToolCall) -> bool:
    tool = str(ev.tool)
    if tool == "timer":
        due = _int(ev.due_ms) if ev.due_ms is not None else None
        activity.add("timer", _timer_id(ev.id, ev.due_ms), f"Timer {duration_text(float(ev.seconds or 0))}", due)
    elif tool == "cue_watch":
        word, repeat = str(ev.word or ""), bool(ev.repeat)
        title = f'Listening for "{word}"' + (" (every time)" if repeat else "")
        activity.add("watch", str(ev.id or word), title, one_shot=not repeat)
    elif tool == "cancel_timers":
        activity.remove_kind("timer")
    elif tool == "screen_watch":
        subject = str(ev.subject or ", ".join(str(k) for k in ev.kinds or []) or "changes")
        activity.add("screen_watch", str(ev.watch_id if ev.watch_id is not None else ""),
                     f"Watching the screen for {subject}")
    elif tool == "screen_watch_stop":
        activity.remove_kind("screen_watch")
    elif tool == "deep_task":
        request = " ".join(str(ev.request or "").split())
        title = f"{str(ev.kind or 'Task').capitalize()}: {request[:60]}{'…' if len(request) > 60 else ''}"
        activity.add("task", _task_id(ev.task_id, ev.id), title)
    elif tool == "cancel_task":
        cancelled = ev.cancelled if isinstance(ev.cancelled, list) else []
        for task_id in cancelled:
            activity.remove("task", str(task_id))
    else:
        return False
    return True


def _on_timer_due(activity: ActivityList, ev: events.TimerDue) -> None:
    activity.remove("timer", _timer_id(ev.id, ev.due_ms))


def _on_cue_heard(activity: ActivityList, ev: events.CueHeard) -> None:
    item = activity.get("watch", str(ev.word or ""))
    if item is not None and item.one_shot:
        activity.remove("watch", item.item_id)


def _on_task_started(activity: ActivityList, ev: events.TaskStarted) -> None:
    if activity.get("task", _task_id(ev.task_id)) is None:
        activity.add("task", _task_id(ev.task_id), f"Background {ev.kind or 'task'}")


def _on_task_progress(activity: ActivityList, ev: events.TaskProgress) -> None:
    activity.set_detail("task", _task_id(ev.task_id), f"{_int(ev.chars):,} characters so far")


def _on_task_ended(activity: ActivityList, ev: TaskEnded) -> None:
    activity.remove("task", _task_id(ev.task_id))


def _on_task(activity: ActivityList, ev: events.Task) -> None:
    """One event for a task's whole life: status running/done/failed/cancelled."""
    if (ev.status or "running") != "running":
        activity.remove("task", _task_id(ev.task_id))
        return
    activity.add("task", _task_id(ev.task_id), str(ev.title or "Background task"))
    if isinstance(ev.progress, int | float):
        activity.set_detail("task", _task_id(ev.task_id), f"{max(0.0, min(1.0, float(ev.progress))) * 100:.0f}%")


def _on_item_cancelled(activity: ActivityList, ev: events.ItemCancelled) -> None:
    activity.remove(str(ev.kind), str(ev.id))


TaskEnded = events.TaskResult | events.TaskFailed | events.TaskCancelled | events.TaskDelivered
_HANDLERS: dict[type[Event], Callable[[ActivityList, Any], bool | None]] = {
    events.ToolCall: _on_tool_call,
    events.TimerDue: _on_timer_due,
    events.CueHeard: _on_cue_heard,
    events.TaskStarted: _on_task_started,
    events.TaskProgress: _on_task_progress,
    **dict.fromkeys(TASK_ENDED, _on_task_ended),
    events.Task: _on_task,
    events.ItemCancelled: _on_item_cancelled,
}
ACTIVITY_EVENTS = frozenset(_HANDLERS)  # the events the list follows


def _timer_id(item_id: object, due_ms: object) -> str:
    return str(item_id or f"due-{_int(due_ms)}")


def _task_id(task_id: object, item_id: object = "") -> str:
    return str(task_id if task_id is not None else item_id if item_id is not None else "")


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
