"""The proactive half of the runner: timers, cue words and short announcements.

A mixin of Runner: timers fire at their tick, cue words are looked for in partial transcripts of
the utterance in progress, and what they say goes to the playback queue as announcements.
"""

from __future__ import annotations

from typing import Any

from presence.core.intents import CancelTimers, CueRequest, TimerRequest
from presence.core.types import TICK_MS, IntentAccepted


class ProactiveMixin:
    """Needs the Runner's time (Timekeeper), playback, listening lane, engine and emit()."""

    def _maybe_partial_transcript(self, voice: Any) -> None:
        """Transcribe the utterance in progress on the listening lane, one at a time: for cue words
        while they are watched, and in long utterances, so a request is known the moment it ends.
        The latter only while the user is still talking at the tick's end: when they may have
        stopped, the speculative transcript has the words (and the CPU is left to it)."""
        wanted = self.time.watching_cues or (self._turn.voiced_ms >= self.settings.partial_after_ms
                                             and voice.trailing_speech_frames(self.settings) > 0
                                             and not self._barge_pending)
        if (self._utterance is None or not wanted or self._partial_pending
                or self.tick - self._last_partial_tick < 2):
            return
        audio, uid = self._utterance.audio(), self._utterance_id
        self._partial_pending, self._last_partial_tick = True, self.tick
        self.listen.submit(lambda _tok: self.engine.partial_transcript(uid, audio), self.now_ms, name="partial")

    def _utterance_continues(self) -> None:
        """The current utterance carries the previous one's audio: cue words answered there are not new."""
        self.time.continue_utterance(self._utterance_id - 1, self._utterance_id)

    def _check_cues(self, utterance_id: int, text: str) -> None:
        for cue in self.time.cue_hits(utterance_id, text):
            self._announce("cue_heard", cue.text, cue.audio, word=cue.word)

    def _announce(self, kind: str, text: str, audio: Any, **fields: Any) -> None:
        self.emit(kind, text=text, **fields)
        if audio is not None and len(audio):
            self._playback.announce(self._announce_id, text, audio)
            self._announce_id -= 1

    def _accept(self, item: IntentAccepted) -> None:
        intent = item.intent
        if self._desk_accept(intent) or self._screen_accept(intent, item.text, item.audio):
            return
        if isinstance(intent, TimerRequest):
            due = self._turn_end_speech_ms + int(intent.seconds * 1000)
            timer = self.time.add_timer(due, item.text, item.audio)
            self.emit("tool_call", tool="timer", id=timer.timer_id, seconds=intent.seconds, due_ms=due)
        elif isinstance(intent, CueRequest):
            self.time.add_cue(intent.word, item.text, item.audio, intent.repeat)
            self.emit("tool_call", tool="cue_watch", id=intent.word, word=intent.word, repeat=intent.repeat)
        elif isinstance(intent, CancelTimers):
            self.emit("tool_call", tool="cancel_timers", cancelled=self.time.cancel_timers())

    def _maybe_backchannel(self, complete_prob: float | None) -> None:
        """A short "mm-hm" at a thinking pause of a long user turn, at most every backchannel_every_ms."""
        s = self.settings
        first_pause_tick = s.quick_end_silence_ms <= self._turn.silence_ms < s.quick_end_silence_ms + TICK_MS
        if (not s.backchannel_every_ms or complete_prob is None or complete_prob >= s.quick_end_prob
                or not first_pause_tick or self._turn.voiced_ms < s.backchannel_after_ms
                or self.now_ms - self._last_backchannel_ms < s.backchannel_every_ms or self._playback.audible):
            return
        sounds = getattr(self.engine, "backchannels", [])
        if sounds:
            text, audio = sounds[self.tick % len(sounds)]
            self._last_backchannel_ms = self.now_ms
            self._announce("backchannel", text, audio)
