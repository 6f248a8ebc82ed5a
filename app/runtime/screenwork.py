"""The runner's side of screen presence: watches, alerts, push-to-observe, the capture indicator.

A mixin of Runner. The watcher (presence.screen.watch.ScreenWatcher) does change detection and
OCR off the tick thread and returns alerts with redacted text; this turns them into speech and
events. Screen text is data: it is spoken or summarised, never parsed for commands.

Settings that reach the screen (apply_settings): window exclusions (blanked by the capture
thread), the monitor. Push-to-observe with a chat model that accepts images (a server model with
"accepts images" set) asks that model about a downscaled screenshot plus the OCR text; otherwise
the summary is made here from the text alone.
"""

from __future__ import annotations

import threading
from typing import Any

from presence.core.text import clean_reply
from presence.core.types import Announcement
from presence.screen.requests import StopWatching, WatchRequest
from presence.screen.watch import ScreenAlert, ScreenRead, describe_screen
from presence.settings.schema import BY_KEY

VISION_MAX_TOKENS = 120


class ScreenMixin:
    """Needs the Runner's screen source, watcher (both may be None), executor, engine and emit()."""

    screen: Any
    screen_watch: Any

    def _init_screen(self) -> None:
        self._watch_speech: dict[int, tuple[str, Any]] = {}  # watch id -> pre-synthesized headline
        self._observe_flag = threading.Event()
        self._told_no_titles = False
        self._capturing = False
        self.screen_text = ""  # the latest redacted screen text (context for deep tasks)
        if self.screen is not None and hasattr(self.screen, "set_exclusions"):  # privacy first: the defaults
            self.screen.set_exclusions(tuple(BY_KEY["screen_exclusions"].default))

    def _apply_screen_settings(self, settings: dict[str, Any]) -> None:
        """Exclusions, OCR engine and monitor from the settings (tick thread; the capture and OCR threads
        pick them up)."""
        if self.screen is None:
            return
        if "screen_exclusions" in settings and hasattr(self.screen, "set_exclusions"):
            self.screen.set_exclusions(tuple(settings["screen_exclusions"]))
        engine = settings.get("screen_ocr_engine")
        if engine and self.screen_watch is not None and hasattr(self.screen_watch.reader, "choose_engine"):
            self.screen_watch.reader.choose_engine(str(engine))
        monitor = settings.get("screen_monitor")
        if monitor is not None and hasattr(self.screen, "set_monitor") and \
                getattr(getattr(self.screen, "settings", None), "monitor", monitor) != monitor:
            self.screen.set_monitor(int(monitor))

    def _check_titles(self) -> None:
        """Once: exclusions are set but this display lists no windows (Wayland, no X11 access)."""
        if self._told_no_titles or getattr(self.screen, "titles_available", None) is not False:
            return
        if getattr(self.screen, "exclusions", ()):
            self._told_no_titles = True
            self.emit("notice", message="window titles are not available on this display, so windows excluded "
                                        "by title cannot be hidden; pause screen capture before showing them")

    def _vision_model(self) -> bool:
        return bool(getattr(getattr(self.engine, "llm", None), "accepts_images", False))

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
        self._check_titles()
        if hasattr(self.screen, "set_watching"):
            self.screen.set_watching(self.screen_watch.wants_fast_capture(self.now_ms))
        for ev in self.screen_watch.observe(self.screen.latest(self.now_ms), self.now_ms):
            if isinstance(ev, ScreenAlert):
                self._screen_alert(ev)
            elif isinstance(ev, ScreenRead):
                self._screen_read(ev)

    def _screen_read(self, ev: ScreenRead) -> None:
        self.screen_text = ev.state.context_text()
        summary = describe_screen(ev.state)
        self.emit("screen_read", text=summary, frame_t_ms=ev.frame_t_ms, window=ev.state.active_title or "")
        if ev.pixels is not None and self._vision_model():
            self.executor.submit(lambda tok, e=ev, t=summary: self._ask_vision(e, t, tok), self.now_ms,
                                 name="screen-vision")
            return
        self.executor.submit(lambda _tok, t=summary: self.engine.speak("screen_summary", t), self.now_ms,
                             name="screen-summary")

    def _ask_vision(self, ev: ScreenRead, fallback: str, token: Any) -> Any:
        """On the inference worker: the model sees the screenshot and the text; its answer is spoken."""
        from presence.screen.vision import OBSERVE_QUESTION, image_data_url, screen_question_text

        llm = self.engine.llm
        llm.add_user(screen_question_text(OBSERVE_QUESTION, ev.state), images=(image_data_url(ev.pixels),))
        answer = clean_reply("".join(llm.stream_reply(VISION_MAX_TOKENS, lambda: token.cancelled)))
        if token.cancelled:
            return
        if not answer:
            answer = fallback
            llm.add_assistant(answer)
        yield Announcement("screen_summary", answer, self.engine.tts.synthesize(answer))

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
