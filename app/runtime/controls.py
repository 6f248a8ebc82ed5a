"""Controller methods the window, tray and panels call (thread-safe: queued, run at the next tick).

A mixin of Runner. Each public method only queues a command; the tick thread applies it, so no
widget ever touches runner state directly.
"""

from __future__ import annotations

import queue
from dataclasses import replace
from typing import Any

from presence.core.task_panels import task_id_of_panel

_BACKCHANNEL_EVERY_MS = {"rare": 15_000, "normal": 8_000, "often": 5_000}


def panel_item(panel_id: str, action_id: str) -> tuple[str, str] | None:
    """The (kind, id) a panel button cancels, as cancel_item takes it; None for other actions.

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


def turn_settings_from(settings: Any, base: Any) -> Any:
    """The turn-taking thresholds the user's settings imply (the rest stay as measured)."""
    changes: dict[str, Any] = {}
    if "backchannels" in settings:
        rate = str(settings.get("backchannel_rate", "normal"))
        changes["backchannel_every_ms"] = _BACKCHANNEL_EVERY_MS.get(rate, 8_000) if settings["backchannels"] else 0
    if "barge_in_sensitivity" in settings:
        sensitivity = max(0, min(100, int(settings["barge_in_sensitivity"])))
        changes["barge_confirm_ms"] = 1200 - 9 * sensitivity  # 50 -> 750 ms, 100 -> 300 ms
    return replace(base, **changes)


class ControlsMixin:
    """Needs the Runner's settings, time (Timekeeper), desk, screen watcher, engine and emit()."""

    def _init_controls(self) -> None:
        self._commands: queue.SimpleQueue[tuple[str, tuple[Any, ...]]] = queue.SimpleQueue()
        self.screen_paused = False

    # --- called from other threads -------------------------------------------------------------
    def observe_now(self) -> None:
        self.observe_screen()

    def panel_action(self, panel_id: str, action_id: str) -> None:
        self._commands.put(("panel_action", (panel_id, action_id)))

    def cancel_item(self, kind: str, item_id: str) -> None:
        self._commands.put(("cancel_item", (kind, item_id)))

    def set_screen_paused(self, paused: bool) -> None:
        self._commands.put(("screen_paused", (paused,)))

    def apply_settings(self, settings: dict[str, Any]) -> None:
        self._commands.put(("settings", (dict(settings),)))

    # --- on the tick thread --------------------------------------------------------------------
    def _run_commands(self) -> None:
        while True:
            try:
                name, args = self._commands.get_nowait()
            except queue.Empty:
                return
            getattr(self, f"_do_{name}")(*args)

    def _do_panel_action(self, panel_id: str, action_id: str) -> None:
        self.emit("panel_action", panel_id=panel_id, action_id=action_id)
        if action_id == "dismiss":  # the window has closed it already; a task goes on without its panel
            if self.desk is not None:
                self.desk.dismissed(panel_id)
            self.emit("panel_close", panel_id=panel_id)
            return
        item = panel_item(panel_id, action_id)
        if item is not None:
            self._do_cancel_item(*item)

    def _do_cancel_item(self, kind: str, item_id: str) -> None:
        if kind == "timer":
            cancelled = self.time.cancel_timer(item_id) if item_id else self.time.cancel_timers()
        elif kind == "watch":
            cancelled = self.time.stop_cue(item_id) if item_id else self.time.stop_cues()
        elif kind == "screen_watch" and self.screen_watch is not None:
            cancelled = self.screen_watch.stop_watches()
        elif kind == "task" and self.desk is not None:
            cancelled = self._desk_cancel(int(item_id) if item_id.isdigit() else None)
        else:
            cancelled = 0
        self.emit("item_cancelled", kind=kind, id=item_id, cancelled=cancelled)

    def _do_screen_paused(self, paused: bool) -> None:
        self.screen_paused = paused
        self.emit("screen_paused", paused=paused)

    def _do_settings(self, settings: dict[str, Any]) -> None:
        self.settings = turn_settings_from(settings, self.settings)
        speed, tts = settings.get("voice_speed"), getattr(self.engine, "tts", None)
        if speed and hasattr(tts, "set_speed"):
            tts.set_speed(float(speed))
        delivery = settings.get("task_delivery")
        if delivery and self.desk is not None:
            self.desk.set_delivery(str(delivery))
        if hasattr(self, "_apply_screen_settings"):
            self._apply_screen_settings(settings)  # window exclusions, monitor (runtime/screenwork.py)
        self.emit("settings_applied", keys=len(settings))
