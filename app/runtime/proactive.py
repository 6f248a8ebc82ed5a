"""Proactive speech: timers, cue words, backchannels and short announcements.

Timers fire at their tick, cue words are looked for in partial transcripts of the utterance in
progress, and what they say goes to the playback queue as announcements (negative ids, so a new
reply never drops them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from presence.core import turns
from presence.core.intents import CancelTimers, CueRequest, TimerRequest
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
            self.announce("timer_due", due.text, due.audio, due_ms=due.due_ms)

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
        """Timers, cue watches and cancelling timers; False for other intents."""
        intent = item.intent
        if isinstance(intent, TimerRequest):
            due = self.hearing.turn_end_speech_ms + int(intent.seconds * 1000)
            timer = self.time.add_timer(due, item.text, item.audio)
            self.emit("tool_call", tool="timer", id=timer.timer_id, seconds=intent.seconds, due_ms=due)
        elif isinstance(intent, CueRequest):
            self.time.add_cue(intent.word, item.text, item.audio, intent.repeat)
            self.emit("tool_call", tool="cue_watch", id=intent.word, word=intent.word, repeat=intent.repeat)
        elif isinstance(intent, CancelTimers):
            self.emit("tool_call", tool="cancel_timers", cancelled=self.time.cancel_timers())
        else:
            return False
        return True
