"""Proactive speech: timers, cue words, backchannels and short announcements.

Timers fire at their tick, cue words are looked for in partial transcripts of the utterance in
progress, and what they say goes to the playback queue as announcements (negative ids, so a new
reply never drops them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from presence.core import turns
from presence.core.intents import CancelTimers, CueRequest, ModifyTimer, TimerRequest
from presence.core.playback import Playback
from presence.core.timekeeping import Timekeeper
from presence.core.types import TICK_MS, Announcement, IntentAccepted, PartialText
from presence.runtime.context import Emitter, Hearing


class Proactive:
    def __init__(self, time: Timekeeper, playback: Playback, listen: Any, engine: Any, hearing: Hearing,
                 emit: Emitter, settings: Callable[[], turns.TurnSettings]) -> None:
        self.time, self.playback, self.listen, self.engine = time, playback, listen, engine
        self.hearing, self.emit, self._settings = hearing, emit, settings
        self.backchannels: list[tuple[str, Any]] = list(getattr(engine, "backchannels", []))
        self._announce_id = -1  # proactive speech gets negative ids so replies never drop it
        self._last_backchannel_ms = -10**9

    # --- each tick --------------------------------------------------------------------------
    def tick(self, voice: turns.TickVoice, barge_pending: bool) -> None:
        """Partial transcripts of the utterance in progress, and timers that are due."""
        self._maybe_partial_transcript(voice, barge_pending)
        for due in self.time.due(self.emit.clock.now_ms):
            self.announce("timer_due", due.text, due.audio, due_ms=due.due_ms, id=due.timer_id or None)

    def on_result(self, item: Any) -> bool:
        """Announcements and partial transcripts; False when the item is someone else's."""
        if isinstance(item, Announcement):
            self.announce(item.kind, item.text, item.audio)
            return True
        if isinstance(item, PartialText):
            self.hearing.partial_pending = False
            self.hearing.latest_partial = (item.utterance_id, item.text)
            self.emit("user_partial_text", text=item.text)
            self.check_cues(item.utterance_id, item.text)
            return True
        return False

    def _maybe_partial_transcript(self, voice: turns.TickVoice, barge_pending: bool) -> None:
        """Transcribe the utterance in progress on the listening lane, one at a time: for cue words
        while they are watched, and in long utterances, so a request is known the moment it ends.
        The latter only while the user is still talking at the tick's end: when they may have
        stopped, the speculative transcript has the words (and the CPU is left to it)."""
        h, s, tick = self.hearing, self._settings(), self.emit.clock.tick
        wanted = self.time.watching_cues or (h.turn.voiced_ms >= s.partial_after_ms
                                             and voice.trailing_speech_frames(s) > 0 and not barge_pending)
        if h.utterance is None or not wanted or h.partial_pending or tick - h.last_partial_tick < 2:
            return
        audio, uid = h.utterance.audio(), h.utterance_id
        h.partial_pending, h.last_partial_tick = True, tick
        self.listen.submit(lambda _tok: self.engine.partial_transcript(uid, audio), self.emit.clock.now_ms,
                           name="partial")

    def maybe_backchannel(self, complete_prob: float | None, assistant_audible: bool) -> None:
        """A short "mm-hm" at a thinking pause of a long user turn, at most every backchannel_every_ms."""
        s, turn, now = self._settings(), self.hearing.turn, self.emit.clock.now_ms
        first_pause_tick = s.quick_end_silence_ms <= turn.silence_ms < s.quick_end_silence_ms + TICK_MS
        if (not s.backchannel_every_ms or complete_prob is None or complete_prob >= s.quick_end_prob
                or not first_pause_tick or turn.voiced_ms < s.backchannel_after_ms
                or now - self._last_backchannel_ms < s.backchannel_every_ms or assistant_audible):
            return
        if self.backchannels:
            text, audio = self.backchannels[self.emit.clock.tick % len(self.backchannels)]
            self._last_backchannel_ms = now
            self.announce("backchannel", text, audio)

    # --- cues and announcements -------------------------------------------------------------
    def utterance_continues(self) -> None:
        """The current utterance carries the previous one's audio: cue words answered there are not new."""
        self.time.continue_utterance(self.hearing.utterance_id - 1, self.hearing.utterance_id)

    def check_cues(self, utterance_id: int | None, text: str) -> None:
        if utterance_id is None:
            return
        for cue in self.time.cue_hits(utterance_id, text):
            self.announce("cue_heard", cue.text, cue.audio, word=cue.word)

    def announce(self, kind: str, text: str, audio: Any, **fields: Any) -> None:
        self.emit(kind, text=text, **fields)
        if audio is not None and len(audio):
            self.playback.announce(self._announce_id, text, audio)
            self._announce_id -= 1

    def accept(self, item: IntentAccepted) -> bool:
        """Timers, reminders, cue watches, and changing or cancelling them; False for other intents.

        Due times count from when the request was asked (`item.asked_ms`: a spoken turn's speech end,
        or the tick typed text came in), so typed and spoken timers run on the same clock."""
        intent = item.intent
        asked = item.asked_ms if item.asked_ms is not None else self.hearing.turn_end_speech_ms
        if isinstance(intent, TimerRequest):
            due = asked + int(intent.seconds * 1000)
            timer = self.time.add_timer(due, item.text, item.audio, intent.seconds, intent.label, intent.content,
                                        intent.is_reminder)
            self.emit("tool_call", tool="timer", id=timer.timer_id, seconds=intent.seconds, due_ms=due,
                      label=intent.label or None, content=intent.content or None)
        elif isinstance(intent, CueRequest):
            self.time.add_cue(intent.word, item.text, item.audio, intent.repeat)
            self.emit("tool_call", tool="cue_watch", id=intent.word, word=intent.word, repeat=intent.repeat,
                      reply=item.text or None)
        elif isinstance(intent, CancelTimers):
            self._cancel(intent)
        elif isinstance(intent, ModifyTimer):
            self._change(intent, item, asked)
        else:
            return False
        return True

    def _cancel(self, request: CancelTimers) -> None:
        """All of a kind ("cancel my timers"), the ones described ("the laundry timer"), or the latest one."""
        if request.what == "cue" or (not request.what and not self.time.timers and self.time.cues):
            words = [c.word for c in self.time.cues if not request.target or c.word == request.target.lower()]
            for word in words:
                self.time.stop_cue(word)
                self.emit("item_cancelled", kind="watch", id=word, cancelled=1)
            self.emit("tool_call", tool="cancel_cues", cancelled=len(words))
            return
        found = self.time.find_timers(request.target, request.what, request.seconds)
        if not (request.every or request.target or request.seconds is not None):
            found = found[-1:]  # "cancel the timer", "cancel that": the latest
        for timer in found:
            self.time.cancel_timer(timer.timer_id)
        if not self.time.timers:  # the window's list drops every timer row
            self.emit("tool_call", tool="cancel_timers", cancelled=len(found))
            return
        for timer in found:
            self.emit("tool_call", tool="cancel_timer", id=timer.timer_id, cancelled=1)
            self.emit("item_cancelled", kind="timer", id=timer.timer_id, cancelled=1)

    def _change(self, change: ModifyTimer, item: IntentAccepted, asked: int) -> None:
        """A new length ("make that ten minutes": from when it was asked) or more time ("add five
        minutes"); for the described timer or the latest. With none running it becomes a new timer."""
        if change.seconds is None:
            return
        found = self.time.find_timers(change.target, change.what)
        if not found:
            self.accept(IntentAccepted(item.reply_id, TimerRequest(change.seconds, change.spoken), item.text,
                                       item.audio, asked))
            return
        timer = found[-1]
        if change.add:
            due, seconds = timer.due_ms + int(change.seconds * 1000), timer.seconds + change.seconds
        else:
            due, seconds = asked + int(change.seconds * 1000), change.seconds
        keeps_words = timer.reminder or bool(timer.label)  # "Time to call Sam." is still right
        moved = self.time.reschedule(timer.timer_id, due, seconds, None if keeps_words else item.text,
                                     None if keeps_words else item.audio)
        if moved is not None:
            self.emit("tool_call", tool="timer", id=moved.timer_id, seconds=seconds, due_ms=due,
                      label=moved.label or None, content=moved.content or None, changed=True)
