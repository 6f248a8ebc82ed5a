"""Barge-in: the user talking over the assistant. A mixin of Runner, kept apart so each file stays small.

Speech over our reply pauses it at once; what it was is decided from its length and words: a
backchannel ("mm-hm") lets the reply go on, a real interruption stops it (the context keeps only
what was heard) and is answered, and words right after we began mean we misread a pause and the
user's turn goes on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from presence.core import turns
from presence.core.playback import Interrupted
from presence.core.text import drop_repeated_tail, is_backchannel, sounds_complete


class BargeMixin:
    """Uses the Runner's playback, speaker, executor, engine, settings, reply and utterance state."""

    settings: turns.TurnSettings
    speaker: Any
    executor: Any
    listen: Any
    engine: Any
    now_ms: int
    _playback: Any
    _utterance: Any
    _utterance_id: int
    _barge_pending: bool
    _interrupting: bool
    _short_barge: tuple[int, np.ndarray] | None
    _reply_id: int | None
    _reply_token: Any
    _reply_acted: bool
    _reply_heard: bool
    _reply_playing: bool
    _reply_started_ms: int
    _turn_end_speech_ms: int
    _last_turn_audio: np.ndarray
    _held: list[Any] | None
    _partial_pending: bool
    _speech_end_ms: int
    _barge_words: tuple[int, bool | None]
    _barge_check_end_ms: int | None
    _hold_until_ms: int | None

    def _stop_filler_for_continuation(self) -> None:
        """The user goes on after the pause we took for their turn's end. Our filler was no reply
        to barge in on: it just stops, with no barge-in check and no wait for a longer silence."""
        if self._barge_pending and self._playback.current_reply in (0, None):
            self._barge_pending = False
            self._playback.stop_reply(0)
            self._playback.paused = False
            self.speaker.clear()
            self.emit("filler_stopped")

    def _resume_unheard_turn(self) -> list[np.ndarray]:
        """The user goes on before our reply was heard: it was a pause, not an end of turn.

        The reply (speculative, or held because its transcript trailed off) is dropped and
        forgotten by the model, and the new utterance continues the previous one so the transcript
        covers the whole sentence.
        """
        if self._reply_id is None or self._reply_heard or (self._held is not None and self._hold_until_ms is None):
            return []
        if self.now_ms - self._turn_end_speech_ms > self.settings.resume_gap_ms:
            return []  # a new sentence after a real pause, not the rest of the last one
        self._discard_reply("user continued")
        return [self._last_turn_audio]

    def _pause_for_barge_in(self) -> None:
        """Speech over us: go silent at once, and decide from its length and words what it was."""
        if self._barge_pending:
            return
        self._barge_pending = True
        self._playback.paused = True
        self.speaker.clear()
        self.emit("barge_pending")

    def _barge_floor_ms(self, complete: float | None) -> int:
        """While we are paused for speech over us, a gap in it ends the utterance only after a long
        silence, so its words are not cut into fragments; unless smart-turn and the words agree it is
        over ("No." but not "Sorry,"). Those words are checked on the listening lane at such a gap:
        without it, a short "No." sat in a second of dead air before it was even looked at."""
        if not self._barge_pending:
            return 0
        if complete is not None and complete >= self.settings.quick_end_prob:
            if self._barge_words == (self._speech_end_ms, True):
                return 0
            self._check_barge_words()
        return self.settings.mid_end_silence_ms

    def _check_barge_words(self) -> None:
        if (self._utterance is None or self._partial_pending or self._barge_check_end_ms is not None
                or self._barge_words[0] == self._speech_end_ms):
            return
        uid, audio = self._utterance_id, self._utterance.audio()
        self._partial_pending, self._barge_check_end_ms = True, self._speech_end_ms
        self.listen.submit(lambda _tok: self.engine.partial_transcript(uid, audio), self.now_ms, name="barge-words")

    def _barge_words_heard(self, text: str) -> None:
        """The words of a gap's check: they hold for that gap only (speech since makes a new one).
        A word cut off at the clip's end can send the greedy decoder round ("No. No. No. No")."""
        if self._barge_check_end_ms is not None:
            self._barge_words = (self._barge_check_end_ms, sounds_complete(drop_repeated_tail(text, min_words=1)))
            self._barge_check_end_ms = None

    def _check_short_barge(self, audio: np.ndarray) -> None:
        """A short utterance over us ended: 'mm-hm' lets us go on, 'stop' does not (its words decide)."""
        uid = self._utterance_id
        self._short_barge = (uid, audio)
        self.listen.submit(lambda _tok: self.engine.partial_transcript(uid, audio), self.now_ms, name="short")

    def _short_barge_heard(self, text: str) -> None:
        _, audio = self._short_barge or (0, None)
        self._short_barge = None
        if is_backchannel(text):
            self.emit("backchannel_heard", text=text)
            self._resume_after_backchannel()
            return
        if self._is_early_barge():
            self._drop_early_reply()
            audio = np.concatenate([self._last_turn_audio, audio])
            self._utterance_continues()
        else:
            self._barge_in()
        self._start_turn_reply(audio, held=False)
        self._play_filler()  # as at any turn's end: the answer takes a moment

    def _is_early_barge(self) -> bool:
        """Cut in right after we started speaking: we misread a pause as the end of the turn.

        Not when the reply already acted on a complete request (a task handed over, a timer set):
        then the user's new words are a new turn.
        """
        return (not self._reply_acted and self.now_ms - self._reply_started_ms <= self.settings.early_barge_ms
                and self._reply_id is not None and self._playback.current_reply in (self._reply_id, 0)
                and self._reply_started_ms - self._turn_end_speech_ms <= self.settings.resume_gap_ms)

    def _drop_early_reply(self) -> None:
        self._barge_pending = False
        self._playback.interrupt()
        self.speaker.clear()
        self._discard_reply("user was not done")

    def _early_barge(self) -> bool:
        """Forget a reply begun too early; the user's new words continue their previous turn."""
        if self._utterance is None or not self._is_early_barge():
            return False
        self._drop_early_reply()
        self._utterance.chunks.insert(0, self._last_turn_audio)
        self._utterance_continues()
        return True

    def _resume_after_backchannel(self) -> None:
        if self._barge_pending:
            self._barge_pending = False
            self._playback.paused = False
            self.emit("playback_resumed")

    def _barge_in(self) -> None:
        self._barge_pending = False
        if self._early_barge():
            return
        self._interrupting = True  # this utterance (and its continuation) is answered the moment it ends
        if self._held is not None:
            self._discard_reply("user talked over us")
        rid = self._reply_id
        cut = self._playback.interrupt()
        self.speaker.clear()
        if self._reply_token is not None:
            self._reply_token.cancel()
        self._reply_id = None
        if cut is None and rid is not None and self._reply_playing:  # between two of its sentences
            cut = Interrupted(rid, self._playback.heard_text(rid), "")
        if cut is None:
            return
        self.emit("barge_in", reply_id=cut.reply_id, heard=cut.heard_text, cut=cut.cut_text)
        if cut.reply_id <= 0:
            return  # a filler or an announcement: not part of any reply in the model's context
        heard = cut.heard_text
        self.executor.submit(lambda _tok: self.engine.keep_heard(heard), self.now_ms, name="keep-heard")
