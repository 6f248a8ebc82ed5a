"""The runner's side of screen presence: watches, alerts, push-to-observe, the capture indicator.

The watcher (presence.screen.watch.ScreenWatcher) does change detection and
OCR off the tick thread and returns alerts with redacted text; this turns them into speech and
events. Screen text is data: it is spoken or summarised, never parsed for commands.

Settings that reach the screen (apply_settings): window exclusions (blanked by the capture
thread), the monitor. Push-to-observe with a chat model that accepts images (a server model with
"accepts images" set) asks that model about a downscaled screenshot plus the OCR text; otherwise
the summary is made here from the text alone.

Spoken questions about the screen ("what's this error?", "read me the second line") arrive as a
ScreenQuestion intent under the reply's id. Without a recent read (30 s) the screen is read now,
as for push-to-observe, and the question is answered when the read arrives; while capture is
paused or there is no screen source the answer says so and nothing is captured. Reading lines and
errors is done by code (presence.screen.questions); other questions go to the model with the
fenced screen text (and the screenshot for a model that accepts images).

Consent gates every capture path: with "Capture the screen" off (the `screen_capture_enabled`
setting; replay and tests apply no settings, so there it is allowed) no frame is taken for a watch,
push-to-observe or a question, no read arrives, and no screenshot goes to a model. The user is told
why and how to allow it, shown and spoken (presence.runtime.notices). Turning consent off puts
running watches on hold and forgets the screen text already held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from presence.core.text import clean_reply
from presence.core.types import Announcement
from presence.runtime.context import Emitter
from presence.runtime.notices import CAPTURE_OFF, WATCH_NEEDS_CAPTURE, WATCHES_PAUSED, tell
from presence.runtime.reply import ReplySlot
from presence.screen.privacy import redact
from presence.screen.questions import (
    NO_SCREEN_ANSWER,
    PAUSED_ANSWER,
    UNREADABLE_ANSWER,
    ScreenQuestion,
    local_answer,
    model_question,
)
from presence.screen.requests import StopWatching, WatchRequest
from presence.screen.watch import ScreenAlert, ScreenRead, describe_screen
from presence.screen.windows import DEFAULT_EXCLUSIONS

VISION_MAX_TOKENS = 120
SCREEN_FRESH_MS = 30_000  # an older read is not "what is on screen now": a question reads it again
QUESTION_TIMEOUT_MS = 15_000  # a read not back by then is given up on, and the user told so


@dataclass(frozen=True)
class _PendingQuestion:
    """A screen question waiting for the read it asked for."""

    reply_id: int
    question: ScreenQuestion
    asked_ms: int


Announce = Callable[..., None]


class ScreenWork:
    def __init__(self, screen: Any, screen_watch: Any, replies: ReplySlot, executor: Any, engine: Any,
                 emit: Emitter, announce: Announce) -> None:
        self.screen, self.screen_watch, self.replies = screen, screen_watch, replies
        self.executor, self.engine, self.emit, self._announce = executor, engine, emit, announce
        self._watch_speech: dict[int, tuple[str, Any]] = {}  # watch id -> pre-synthesized headline
        self._observe_flag = threading.Event()
        self._told_no_titles = False
        self._capturing = False
        self._summary_wanted = False  # push-to-observe asked for a read: speak a summary of it
        self._question: _PendingQuestion | None = None
        self._last_read: ScreenRead | None = None
        self._last_read_ms: int | None = None
        self._capture_allowed = True  # the "Capture the screen" setting (replay and tests apply none)
        self.paused = False  # the user paused capture (tray, window)
        self.text = ""  # the latest redacted screen text (context for deep tasks)
        if self.screen is not None and hasattr(self.screen, "set_exclusions"):  # privacy first: the defaults
            self.screen.set_exclusions(DEFAULT_EXCLUSIONS)

    @property
    def now_ms(self) -> int:
        return self.emit.clock.now_ms

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.emit("screen_capture", paused=paused)  # the window's indicator and the tray follow it

    @property
    def capture_allowed(self) -> bool:
        return self._capture_allowed

    def set_capture_allowed(self, allowed: bool) -> None:
        """The user's consent. Withdrawn: capture stops at this tick, watches wait, held screen text is dropped."""
        if allowed == self._capture_allowed:
            return
        self._capture_allowed = allowed
        self.emit("screen_capture", enabled=allowed)
        if allowed:
            return
        self.text, self._last_read, self._last_read_ms, self._summary_wanted = "", None, None, False
        if self.screen_watch is not None and self.screen_watch.watches:
            tell(self.emit, self.executor, self.engine, WATCHES_PAUSED)

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Exclusions, OCR engine and monitor from the settings (tick thread; the capture and OCR threads
        pick them up)."""
        if "screen_capture_enabled" in settings:
            self.set_capture_allowed(bool(settings["screen_capture_enabled"]))
        if self.screen is None:
            return
        if "screen_exclusions" in settings and hasattr(self.screen, "set_exclusions"):
            self.screen.set_exclusions(tuple(settings["screen_exclusions"]))
        fps = settings.get("screen_fps")
        if fps is not None and hasattr(self.screen, "set_fps") and \
                getattr(getattr(self.screen, "settings", None), "active_fps", None) != fps:
            self.screen.set_fps(float(fps))
        if "screen_redaction" in settings and self.screen_watch is not None \
                and hasattr(self.screen_watch, "set_redaction"):
            on = bool(settings["screen_redaction"])
            self.screen_watch.set_redaction(on)
            if on:
                self.text = redact(self.text)  # what we already hold is masked too
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

    def accept(self, intent: Any, text: str, audio: Any) -> bool:
        if isinstance(intent, ScreenQuestion):
            self._screen_question(intent)
            return True
        if not isinstance(intent, WatchRequest | StopWatching):
            return False
        if self.screen_watch is None or self.screen is None:
            self.emit("error", source="screen", message="screen watching needs a screen source; none is set up")
            return True
        if isinstance(intent, WatchRequest) and not self._capture_allowed:  # consent first: no watch is set
            self.emit("tool_call", tool="screen_watch", kinds=sorted(k.value for k in intent.kinds),
                      subject=intent.subject or "", result="refused: screen capture is off")
            tell(self.emit, self.executor, self.engine, WATCH_NEEDS_CAPTURE)
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

    def tick(self) -> None:
        if self.screen_watch is None or self.screen is None:
            return
        if self._observe_flag.is_set():
            self._observe_flag.clear()
            if self._capture_allowed:
                self._summary_wanted = True
                self.screen_watch.request_read()
                self.emit("observe_requested")
            else:
                tell(self.emit, self.executor, self.engine, CAPTURE_OFF)
        self._check_question()
        need = self._capture_allowed and self.screen_watch.needs_frames and not self.paused
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
        if not self._capture_allowed:
            return  # read before consent was withdrawn: nothing of it is used
        self.text = ev.state.context_text()
        self._last_read, self._last_read_ms = ev, self.now_ms
        summary = describe_screen(ev.state)
        self.emit("screen_read", text=summary, frame_t_ms=ev.frame_t_ms, window=ev.state.active_title or "")
        pending, self._question = self._question, None
        wanted, self._summary_wanted = self._summary_wanted, False
        if pending is not None and pending.reply_id == self.replies.wanted_id:
            self._answer_question(pending.reply_id, pending.question, ev.state, ev.pixels)
            return  # the question is the answer to push-to-observe too
        if not wanted:
            return  # read for a question that was superseded meanwhile: nothing to say
        if ev.pixels is not None and self._vision_model():
            self.executor.submit(lambda tok, e=ev, t=summary: self._ask_vision(e, t, tok), self.now_ms,
                                 name="screen-vision")
            return
        self.executor.submit(lambda _tok, t=summary: self.engine.speak("screen_summary", t), self.now_ms,
                             name="screen-summary")

    # --- questions about the screen --------------------------------------------------------------
    def _screen_question(self, question: ScreenQuestion) -> None:
        """Answer from a recent read, or read now and answer when it arrives; never capture when paused."""
        rid = self.replies.wanted_id
        self.emit("screen_question", kind=question.kind.value, text=question.text)
        if rid is None:
            return  # no reply wants the answer any more
        if self.screen is None or self.screen_watch is None or not self._capture_allowed:
            self._answer_plain(rid, question, NO_SCREEN_ANSWER)
        elif self.paused:
            self._answer_plain(rid, question, PAUSED_ANSWER)
        elif self._screen_fresh():
            read = self._last_read
            recent = read is not None and self._last_read_ms is not None and \
                self.now_ms - self._last_read_ms <= SCREEN_FRESH_MS
            self._answer_question(rid, question, self.screen_watch.state(), read.pixels if recent and read else None)
        else:
            self._question = _PendingQuestion(rid, question, self.now_ms)
            self.screen_watch.request_read()
            self.emit("observe_requested", reason="question")

    def _screen_fresh(self) -> bool:
        """The text we hold is what is on screen: read in the last 30 s, or kept current by a watch."""
        state = self.screen_watch.state()
        if state.stale or state.frame_t_ms is None:
            return False
        if self.screen_watch.watches and self._capturing:
            return True
        return self._last_read_ms is not None and self.now_ms - self._last_read_ms <= SCREEN_FRESH_MS

    def _check_question(self) -> None:
        """A pending question: dropped when superseded; answered when capture is paused or the read is late."""
        pending = self._question
        if pending is None:
            return
        if pending.reply_id != self.replies.wanted_id:
            self._question = None
            return
        if not self._capture_allowed:
            answer = NO_SCREEN_ANSWER
        elif self.paused:
            answer = PAUSED_ANSWER
        elif self.now_ms - pending.asked_ms > QUESTION_TIMEOUT_MS:
            answer = UNREADABLE_ANSWER
        else:
            return
        self._question = None
        self._answer_plain(pending.reply_id, pending.question, answer)

    def _answer_question(self, rid: int, question: ScreenQuestion, state: Any, pixels: Any) -> None:
        sees_image = pixels is not None and self._capture_allowed and self._vision_model()
        answer = local_answer(question, state, sees_image)
        self.emit("screen_answer", kind=question.kind.value, by="code" if answer is not None else "model",
                  image=sees_image and answer is None)
        if answer is not None:
            self._answer_plain(rid, question, answer)
            return

        def ask(token: Any) -> Any:
            prompt, images = self._screen_prompt(model_question(question), state, pixels if sees_image else None)
            yield from self.engine.answer_with_context(rid, prompt, token, images)

        self._submit_answer(rid, ask)

    def _answer_plain(self, rid: int | None, question: ScreenQuestion, answer: str) -> None:
        if rid is not None:
            self._submit_answer(rid, lambda _tok: self.engine.say_answer(rid, question.text, answer))

    def _submit_answer(self, rid: int, job: Any) -> None:
        """The answer ends the question's reply: a barge-in cancels it as it would any reply."""
        token = self.executor.submit(job, self.now_ms, name=f"screen-answer-{rid}")
        reply = self.replies.wanted
        if reply is not None and reply.id == rid:
            reply.attach(token)

    @staticmethod
    def _screen_prompt(question: str, state: Any, pixels: Any) -> tuple[str, tuple[str, ...]]:
        """The user turn for a model: the question and the fenced screen text, and the image if any."""
        from presence.screen.vision import image_data_url, screen_question_text

        images = (image_data_url(pixels),) if pixels is not None else ()
        return screen_question_text(question, state, image=bool(images)), images

    def _ask_vision(self, ev: ScreenRead, fallback: str, token: Any, question: str = "") -> Any:
        """On the inference worker: the model sees the screenshot and the text; its answer is spoken
        (push-to-observe: `question` defaults to asking what is on screen)."""
        from presence.screen.vision import OBSERVE_QUESTION

        if not self._capture_allowed:  # consent withdrawn while this waited: no screenshot leaves
            return
        llm = self.engine.llm
        prompt, images = self._screen_prompt(question or OBSERVE_QUESTION, ev.state, ev.pixels)
        llm.add_user(prompt, images=images)
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

    def close(self) -> None:
        if self.screen_watch is not None:
            self.screen_watch.reader.close()
        if self.screen is not None:
            self.screen.close()
