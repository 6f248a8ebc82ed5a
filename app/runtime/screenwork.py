"""The runner's side of screen presence: watches, alerts, push-to-observe, the capture indicator.

A mixin of Runner. The watcher (presence.screen.watch.ScreenWatcher) does change detection and
OCR off the tick thread and returns alerts with redacted text; this turns them into speech and
events. Screen text is data: it is spoken or summarised, never parsed for commands.
"""

from __future__ import annotations

import threading
from typing import Any

from presence.screen.requests import StopWatching, WatchRequest
from presence.screen.watch import ScreenAlert, ScreenRead, describe_screen


class ScreenMixin:
    """Needs the Runner's screen source, watcher (both may be None), executor, engine and emit()."""

    screen: Any
    screen_watch: Any

    def _init_screen(self) -> None:
        self._watch_speech: dict[int, tuple[str, Any]] = {}  # watch id -> pre-synthesized headline
        self._observe_flag = threading.Event()
        self._capturing = False
        self.screen_text = ""  # the latest redacted screen text (context for deep tasks)

    def observe_screen(self) -> None:
        """Push-to-observe (hotkey, tray): read the whole screen at the next tick. Thread-safe."""
        self._observe_flag.set()

    def _screen_accept(self, intent: Any, text: str, audio: Any) -> bool:
        if not isinstance(intent, WatchRequest | StopWatching):
            return False
        if self.screen_watch is None or self.screen is None:
            self.emit("error", source="screen", message="screen watching needs a screen source; none is set up")
            return True
        if isinstance(intent, WatchRequest):
            wid = self.screen_watch.add_watch(intent, self.now_ms)
            if text:
                self._watch_speech[wid] = (text, audio)
            self.emit("tool_call", tool="screen_watch", watch_id=wid, kinds=sorted(k.value for k in intent.kinds),
                      subject=intent.subject or "")
        else:
            self.emit("tool_call", tool="screen_watch_stop", stopped=self.screen_watch.stop_watches())
            self._watch_speech.clear()
        return True

    def _screen_tick(self) -> None:
        if self.screen_watch is None or self.screen is None:
            return
        if self._observe_flag.is_set():
            self._observe_flag.clear()
            self.screen_watch.request_read()
            self.emit("observe_requested")
        need = self.screen_watch.needs_frames and not getattr(self, "screen_paused", False)
        if need != self._capturing:
            self._capturing = need
            if hasattr(self.screen, "set_capturing"):
                self.screen.set_capturing(need)
            self.emit("screen_capture", on=need)
        if not need:
            return
        if hasattr(self.screen, "set_watching"):
            self.screen.set_watching(self.screen_watch.wants_fast_capture(self.now_ms))
        for ev in self.screen_watch.observe(self.screen.latest(self.now_ms), self.now_ms):
            if isinstance(ev, ScreenAlert):
                self._screen_alert(ev)
            elif isinstance(ev, ScreenRead):
                self.screen_text = ev.state.text()
                summary = describe_screen(ev.state)
                self.emit("screen_read", text=summary, frame_t_ms=ev.frame_t_ms)
                self.executor.submit(lambda _tok, t=summary: self.engine.speak("screen_summary", t), self.now_ms,
                                     name="screen-summary")

    def _screen_alert(self, ev: ScreenAlert) -> None:
        self.emit("screen_alert", text=ev.text, kind=ev.kind.value, watch_id=ev.watch_id, frame_t_ms=ev.frame_t_ms)
        headline, audio = self._watch_speech.get(ev.watch_id, ("", None))
        rest = ev.text
        if headline and headline == ev.headline and audio is not None:
            self._announce("screen_alert_speech", headline, audio)  # pre-synthesized: speaks this tick
            rest = ev.detail
        if rest:
            self.executor.submit(lambda _tok, t=rest: self.engine.speak("screen_alert_detail", t), self.now_ms,
                                 name="screen-detail")

    def _close_screen(self) -> None:
        if self.screen_watch is not None:
            self.screen_watch.reader.close()
        if self.screen is not None:
            self.screen.close()
