"""Controller commands from the window, tray and panels (thread-safe: queued, run at the next tick).

Each public method only queues a command; the tick thread applies it, so no widget ever touches
runner state directly.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from presence.core import turns
from presence.core.task_panels import panel_item
from presence.core.timekeeping import Timekeeper
from presence.runtime.context import Emitter
from presence.runtime.deskwork import DeskWork
from presence.runtime.screenwork import ScreenWork

_BACKCHANNEL_EVERY_MS = {"rare": 15_000, "normal": 8_000, "often": 5_000}


def turn_settings_from(settings: Any, base: turns.TurnSettings) -> turns.TurnSettings:
    """The turn-taking thresholds the user's settings imply (the rest stay as measured)."""
    changes: dict[str, Any] = {}
    if "backchannels" in settings:
        rate = str(settings.get("backchannel_rate", "normal"))
        changes["backchannel_every_ms"] = _BACKCHANNEL_EVERY_MS.get(rate, 8_000) if settings["backchannels"] else 0
    if "barge_in_sensitivity" in settings:
        sensitivity = max(0, min(100, int(settings["barge_in_sensitivity"])))
        changes["barge_confirm_ms"] = 1200 - 9 * sensitivity  # 50 -> 750 ms, 100 -> 300 ms
    return replace(base, **changes)


class Controls:
    def __init__(self, time: Timekeeper, desk: DeskWork, screen: ScreenWork, engine: Any, emit: Emitter,
                 turn_settings: Callable[[turns.TurnSettings], None],
                 current_turn_settings: Callable[[], turns.TurnSettings]) -> None:
        self.time, self.desk, self.screen, self.engine, self.emit = time, desk, screen, engine, emit
        self._set_turn_settings, self._turn_settings = turn_settings, current_turn_settings
        self._commands: queue.SimpleQueue[tuple[str, tuple[Any, ...]]] = queue.SimpleQueue()
        self._muted = False

    # --- called from other threads -------------------------------------------------------------
    def panel_action(self, panel_id: str, action_id: str) -> None:
        self._commands.put(("panel_action", (panel_id, action_id)))

    def cancel_item(self, kind: str, item_id: str) -> None:
        self._commands.put(("cancel_item", (kind, item_id)))

    def set_screen_paused(self, paused: bool) -> None:
        self._commands.put(("screen_paused", (paused,)))

    def apply_settings(self, settings: dict[str, Any]) -> None:
        self._commands.put(("settings", (dict(settings),)))

    def set_muted(self, muted: bool) -> None:
        self._commands.put(("muted", (muted,)))

    # --- on the tick thread --------------------------------------------------------------------
    @property
    def muted(self) -> bool:
        return self._muted

    def tick(self) -> None:
        while True:
            try:
                name, args = self._commands.get_nowait()
            except queue.Empty:
                return
            getattr(self, f"_do_{name}")(*args)

    def _do_muted(self, muted: bool) -> None:
        self._muted = muted

    def _do_panel_action(self, panel_id: str, action_id: str) -> None:
        self.emit("panel_action", panel_id=panel_id, action_id=action_id)
        if action_id == "dismiss":  # the window has closed it already; a task goes on without its panel
            if self.desk.desk is not None:
                self.desk.desk.dismissed(panel_id)
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
        elif kind == "screen_watch" and self.screen.screen_watch is not None:
            cancelled = self.screen.screen_watch.stop_watches()
        elif kind == "task" and self.desk.desk is not None:
            cancelled = self.desk.cancel(int(item_id) if item_id.isdigit() else None)
        else:
            cancelled = 0
        self.emit("item_cancelled", kind=kind, id=item_id, cancelled=cancelled)

    def _do_screen_paused(self, paused: bool) -> None:
        self.screen.set_paused(paused)

    def _do_settings(self, settings: dict[str, Any]) -> None:
        self._set_turn_settings(turn_settings_from(settings, self._turn_settings()))
        speed, tts = settings.get("voice_speed"), getattr(self.engine, "tts", None)
        if speed and tts is not None and hasattr(tts, "set_speed"):
            tts.set_speed(float(speed))
        delivery = settings.get("task_delivery")
        if delivery and self.desk.desk is not None:
            self.desk.desk.set_delivery(str(delivery))
        self.screen.apply_settings(settings)  # window exclusions, monitor, OCR engine
        self.emit("settings_applied", keys=len(settings))
