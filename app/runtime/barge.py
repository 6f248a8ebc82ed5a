"""Barge-in: the user talking over the assistant.

Speech over our reply pauses it at once; what it was is decided from its length and words: a
backchannel ("mm-hm") lets the reply go on, a real interruption stops it (the context keeps only
what was heard) and is answered, and words right after we began mean we misread a pause and the
user's turn goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from presence.core import turns
from presence.core.playback import Interrupted, Playback
from presence.core.ports import Speaker
from presence.core.text import drop_repeated_tail, is_backchannel
from presence.core.turn_text import reads_finished
from presence.core.types import PartialText
from presence.runtime.context import Emitter, Hearing
from presence.runtime.replyflow import ReplyFlow


class BargeIn:
    def __init__(self, flow: ReplyFlow, playback: Playback, speaker: Speaker, listen: Any, executor: Any,
                 engine: Any, hearing: Hearing, emit: Emitter, settings: Callable[[], turns.TurnSettings],
                 utterance_continues: Callable[[], None]) -> None:
        self.flow, self.playback, self.speaker = flow, playback, speaker
        self.listen, self.executor, self.engine = listen, executor, engine
        self.hearing, self.emit, self._settings = hearing, emit, settings
        self._utterance_continues = utterance_continues
        self.pending = False  # paused for speech over us; not yet known to be a barge-in
        self.interrupting = False  # the user's current turn cut our reply short
        self._short: tuple[int, np.ndarray] | None = None  # a short utterance over us, being checked
        self._words: tuple[int, bool | None] = (-1, None)  # (speech end, do its words read finished)
        self._check_end_ms: int | None = None  # the speech end whose words are being checked

    @property
    def _now_ms(self) -> int:
        return self.emit.clock.now_ms

    # --- each tick --------------------------------------------------------------------------
    def tick(self, decision: turns.TurnDecision) -> None:
        """Speech over us pauses the reply; enough of it makes it a barge-in."""
        if decision.barge_in:
            self._pause()
        elif self.pending and self.hearing.turn.voiced_ms >= self._settings().barge_confirm_ms:
            self.barge_in()

    def floor_ms(self, complete: float | None) -> int:
        """While we are paused for speech over us, a gap in it ends the utterance only after a long
        silence, so its words are not cut into fragments; unless smart-turn and the words agree it is
        over ("No." but not "Sorry,"). Those words are checked on the listening lane at such a gap:
        without it, a short "No." sat in a second of dead air before it was even looked at."""
        if not self.pending:
            return 0
        s = self._settings()
        if complete is not None and complete >= s.quick_end_prob:
            if self._words == (self.hearing.speech_end_ms, True):
                return 0
            self._check_words()
        return s.mid_end_silence_ms

    def on_result(self, item: Any) -> bool:
        """A transcript this part asked for; False when the item is someone else's."""
        if not isinstance(item, PartialText):
            return False
        if self._short and item.utterance_id == self._short[0]:
            self._short_heard(item.text)
            return True
        if self._check_end_ms is not None:  # the words of a gap's check: they hold for that gap only
            # a word cut off at the clip's end can send the greedy decoder round ("No. No. No. No")
            self._words = (self._check_end_ms, reads_finished(drop_repeated_tail(item.text, min_words=1)))
            self._check_end_ms = None
        return False

    # --- turn boundaries --------------------------------------------------------------------
    def stop_filler_for_continuation(self) -> None:
        """The user goes on after the pause we took for their turn's end. Our filler was no reply
        to barge in on: it just stops, with no barge-in check and no wait for a longer silence."""
        if self.pending and self.playback.current_reply in (0, None):
            self.pending = False
            self.playback.stop_reply(0)
            self.playback.paused = False
            self.speaker.clear()
            self.emit("filler_stopped")

    def resume_unheard_turn(self) -> list[np.ndarray]:
        """The user goes on before our reply was heard: it was a pause, not an end of turn.

        The reply (speculative, or held because its transcript trailed off) is dropped and
        forgotten by the model, and the new utterance continues the previous one so the transcript
        covers the whole sentence.
        """
        reply = self.flow.slot.wanted
        if reply is None or reply.heard or self.flow.speculative():
            return []
        # a reply held because its transcript reads unfinished is waiting for exactly this, however long
        gap_ms = self._now_ms - self.hearing.turn_end_speech_ms
        if reply.hold_until_ms is None and gap_ms > self._settings().resume_gap_ms:
            return []  # a new sentence after a real pause, not the rest of the last one
        self.flow.discard("user continued")
        return [self.hearing.last_turn_audio]

    def check_short(self, audio: np.ndarray) -> None:
        """A short utterance over us ended: 'mm-hm' lets us go on, 'stop' does not (its words decide)."""
        uid = self.hearing.utterance_id
        self._short = (uid, audio)
        self.listen.submit(lambda _tok: self.engine.partial_transcript(uid, audio), self._now_ms, name="short")

    def resume_after_backchannel(self) -> None:
        if self.pending:
            self.pending = False
            self.playback.paused = False
            self.emit("playback_resumed")

    # --- internals --------------------------------------------------------------------------
    def _pause(self) -> None:
        """Speech over us: go silent at once, and decide from its length and words what it was."""
        if self.pending:
            return
        self.pending = True
        self.playback.paused = True
        self.speaker.clear()
        self.emit("barge_pending")

    def _check_words(self) -> None:
        h = self.hearing
        if (h.utterance is None or h.partial_pending or self._check_end_ms is not None
                or self._words[0] == h.speech_end_ms):
            return
        uid, audio = h.utterance_id, h.utterance.audio()
        h.partial_pending, self._check_end_ms = True, h.speech_end_ms
        self.listen.submit(lambda _tok: self.engine.partial_transcript(uid, audio), self._now_ms, name="barge-words")

    def _short_heard(self, text: str) -> None:
        _, audio = self._short or (0, np.zeros(0, np.float32))
        self._short = None
        if is_backchannel(text):
            self.emit("backchannel_heard", text=text)
            self.resume_after_backchannel()
            return
        if self._is_early():
            self._drop_early_reply()
            audio = np.concatenate([self.hearing.last_turn_audio, audio])
            self._utterance_continues()
        else:
            self.barge_in()
        self.flow.start_turn_reply(audio, held=False)
        self.flow.cover_turn_end()  # as at any turn's end: the answer may take a moment

    def _is_early(self) -> bool:
        """Cut in right after we started speaking: we misread a pause as the end of the turn.

        Not when the reply already acted on a complete request (a task handed over, a timer set):
        then the user's new words are a new turn.
        """
        s, slot = self._settings(), self.flow.slot
        reply = slot.wanted
        return (reply is not None and not reply.acted and self._now_ms - slot.audio_started_ms <= s.early_barge_ms
                and self.playback.current_reply in (reply.id, 0)
                and slot.audio_started_ms - self.hearing.turn_end_speech_ms <= s.resume_gap_ms)

    def _drop_early_reply(self) -> None:
        self.pending = False
        self.playback.interrupt()
        self.speaker.clear()
        self.flow.discard("user was not done")

    def _early_barge(self) -> bool:
        """Forget a reply begun too early; the user's new words continue their previous turn."""
        utterance = self.hearing.utterance
        if utterance is None or not self._is_early():
            return False
        self._drop_early_reply()
        utterance.chunks.insert(0, self.hearing.last_turn_audio)
        self._utterance_continues()
        return True

    def barge_in(self) -> None:
        self.pending = False
        if self._early_barge():
            return
        self.interrupting = True  # this utterance (and its continuation) is answered the moment it ends
        if self.flow.slot.holding:
            self.flow.discard("user talked over us")
        reply, rid = self.flow.slot.current, self.flow.slot.wanted_id
        cut = self.playback.interrupt()
        self.speaker.clear()
        if cut is None and rid is not None and reply is not None and reply.playing:  # between two sentences
            cut = Interrupted(rid, self.playback.heard_text(rid), "")
        if reply is not None:
            reply.cut(cut.heard_text if cut is not None and cut.reply_id == reply.id else "")
        if cut is None:
            return
        self.emit("barge_in", reply_id=cut.reply_id, heard=cut.heard_text, cut=cut.cut_text)
        if cut.reply_id <= 0:
            return  # a filler or an announcement: not part of any reply in the model's context
        heard = cut.heard_text
        self.executor.submit(lambda _tok: self.engine.keep_heard(heard), self._now_ms, name="keep-heard")
