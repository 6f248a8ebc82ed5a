"""Controller methods the window, tray and panels call (thread-safe: queued, run at the next tick).

A mixin of Runner. Each public method only queues a command; the tick thread applies it, so no
widget ever touches runner state directly.
"""

from __future__ import annotations

import queue
from dataclasses import replace
from typing import Any

_BACKCHANNEL_EVERY_MS = {"rare": 15_000, "normal": 8_000, "often": 5_000}


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
        kind = {"cancel_task": "task", "stop_watch": "watch", "cancel_timer": "timer"}.get(action_id)
        if kind:
            self._do_cancel_item(kind, "")

    def _do_cancel_item(self, kind: str, item_id: str) -> None:
        if kind == "timer":
            cancelled = self.time.cancel_timer(item_id) if item_id else self.time.cancel_timers()
        elif kind == "watch":
            cancelled = self.time.stop_cue(item_id) if item_id else self.time.stop_cues()
        elif kind == "screen_watch" and self.screen_watch is not None:
            cancelled = self.screen_watch.stop_watches()
        elif kind == "task" and self.desk is not None:
            ids, events = self.desk.cancel()
            self._emit_all(events)
            cancelled = len(ids)
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
        self.emit("settings_applied", keys=len(settings))
