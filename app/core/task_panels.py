"""The panel a background task shows while it works: progress, the text so far, Cancel, then the result.

Pure and tick-driven (runner thread only): the background desk tells it what the worker reported
and gets back runner events (presence.core.events, unstamped) — one `panel` when the task is
handed over, `panel_update`s of just the nodes that changed (at most one round per
min_update_ms of logical time while text streams in), the final state when the result or a
failure arrives, and `panel_close` when the task is cancelled.
Every panel and update is checked against presence.core.panels before it is emitted, so the
window never has to reject one of ours. A panel the user dismissed gets no further updates.

The panel's id is "task-<task id>", so a click on its Cancel button (panel_action(panel_id,
"cancel_task")) names the task it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from presence.core import events
from presence.core.events import Event
from presence.core.panels import MAX_STRING, Panel, parse_panel, parse_update

PREFIX = "task-"
_KIND_TITLES = {"summary": "Summary", "plan": "Plan", "story": "Story", "explanation": "Explanation",
                "writing": "Writing"}
MAX_TITLE = 80


def task_panel_id(task_id: int) -> str:
    return f"{PREFIX}{task_id}"


def task_id_of_panel(panel_id: str) -> int | None:
    """The task a panel id names ("task-3" -> 3); None for any other panel."""
    rest = panel_id[len(PREFIX):] if panel_id.startswith(PREFIX) else ""
    return int(rest) if rest.isdigit() and len(rest) <= 9 else None


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def task_panel(task_id: int, kind: str, request: str) -> Panel:
    """The panel of a task just handed over: busy progress, empty text, Copy and Cancel."""
    request = " ".join(request.split())
    title = _clip(f"{_KIND_TITLES.get(kind, 'Task')}: {request}" if request else _KIND_TITLES.get(kind, "Task"),
                  MAX_TITLE)
    return parse_panel({"id": task_panel_id(task_id), "title": title, "root": {"type": "column", "children": [
        {"type": "progress", "id": "progress", "value": None, "label": "Waiting to start…"},
        {"type": "text", "id": "result", "text": ""},
        {"type": "row", "children": [
            {"type": "button", "id": "copy", "label": "Copy", "action": "copy_text", "target": "result"},
            {"type": "button", "id": "action", "label": "Cancel", "action": "cancel_task"}]}]}})


@dataclass
class _Shown:
    panel: Panel
    text: str = ""
    updated_ms: int | None = None


class TaskPanels:
    """Open task panels and what each shows (see the module doc)."""

    def __init__(self, min_update_ms: int = 500) -> None:
        self.min_update_ms = min_update_ms
        self._open: dict[int, _Shown] = {}

    def is_open(self, task_id: int) -> bool:
        return task_id in self._open

    def submitted(self, task_id: int, kind: str, request: str) -> list[Event]:
        panel = task_panel(task_id, kind, request)
        self._open[task_id] = _Shown(panel)
        return [events.Panel(panel=panel.model_dump(mode="json", exclude_none=True))]

    def started(self, task_id: int) -> list[Event]:
        return self._update(task_id, progress={"label": "Working on it…"})

    def progress(self, task_id: int, text: str, now_ms: int) -> list[Event]:
        """The result so far; dropped when nothing changed or the last update was too recent."""
        shown = self._open.get(task_id)
        text = _clip(text, MAX_STRING)
        if shown is None or text == shown.text:
            return []
        if shown.updated_ms is not None and now_ms - shown.updated_ms < self.min_update_ms:
            return []
        shown.updated_ms = now_ms
        return self._update(task_id, result={"text": text},
                            progress={"label": f"Writing… {len(text):,} characters so far"})

    def finished(self, task_id: int, text: str, elapsed_s: float) -> list[Event]:
        return self._update(task_id, progress={"value": 100, "label": f"Done in {elapsed_s:.1f} s"},
                            result={"text": _clip(text, MAX_STRING)},
                            action={"label": "Dismiss", "action": "dismiss"})

    def failed(self, task_id: int, message: str) -> list[Event]:
        return self._update(task_id, progress={"value": 0, "label": "Could not finish"},
                            result={"text": _clip(message, MAX_STRING), "style": "error"},
                            action={"label": "Dismiss", "action": "dismiss"})

    def cancelled(self, task_id: int) -> list[Event]:
        """The task was cancelled: its panel goes (nothing if it was already closed)."""
        if self._open.pop(task_id, None) is None:
            return []
        return [events.PanelClose(panel_id=task_panel_id(task_id))]

    def dismissed(self, panel_id: str) -> bool:
        """The user closed the panel: no more updates for it. False when it was not a task panel."""
        task_id = task_id_of_panel(panel_id)
        return task_id is not None and self._open.pop(task_id, None) is not None

    def _update(self, task_id: int, **changes_by_node: dict[str, Any]) -> list[Event]:
        shown = self._open.get(task_id)
        if shown is None:
            return []
        out: list[Event] = []
        for node_id, changes in changes_by_node.items():
            shown.panel, _ = parse_update(shown.panel, node_id, changes)
            out.append(events.PanelUpdate(panel_id=shown.panel.id, node_id=node_id, changes=changes))
        if "result" in changes_by_node:
            shown.text = str(changes_by_node["result"]["text"])
        return out


def panel_item(panel_id: str, action_id: str) -> tuple[str, str] | None:
    """The (kind, id) a panel button cancels; None for other actions.

    The panel's id names the item: "task-3" is task 3, "timer-2" the timer of that id, "watch-tea"
    the watch for "tea". A panel whose id names none (a model's own panel) acts on every item of the
    kind, as the spoken "cancel the timer" does.
    """
    if action_id == "cancel_task":
        task_id = task_id_of_panel(panel_id)
        return "task", "" if task_id is None else str(task_id)
    if action_id == "cancel_timer":
        return "timer", panel_id if panel_id.startswith("timer-") else ""
    if action_id == "stop_watch":
        return "watch", panel_id.removeprefix("watch-") if panel_id.startswith("watch-") else ""
    return None
