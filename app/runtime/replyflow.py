"""The reply flow: starting replies, holding and committing them, fillers, and their results.

Replies are started here (for a turn, typed text, a background result), their items arrive here
from the inference worker, and here they become playback, intents and events. The state of each
reply lives in its `Reply` (presence.runtime.reply); this decides when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from presence.core.panel_fence import PanelOutput
from presence.core.playback import Playback, Started
from presence.core.turn_text import reads_finished
from presence.core.types import IntentAccepted, ReplyChunk, ReplyDone, UserText
from presence.runtime.context import Emitter, Hearing
from presence.runtime.executor import CancelToken
from presence.runtime.notices import REPLY_FAILED, tell
from presence.runtime.reply import Reply, ReplyPhase, ReplySlot

MakeJob = Callable[[int, CancelToken], Any]

# An answer whose first words start within this long after the user's last word needs no filler:
# it starts with content. Only a slower one is covered by a short "Hmm." first.
FILLER_AFTER_MS = 600


@dataclass(frozen=True)
class ReplyHooks:
    """What other parts do when a reply says or does something (wired by the runner)."""

    user_text: Callable[[str, int | None], None]  # the final transcript of the turn it answers
    intent: Callable[[IntentAccepted], None]  # a timer, a task, a watch... to carry out
    thinking: Callable[[], None]  # a reply is being computed
    settle: Callable[[], None]  # the runner's state may have changed


class ReplyFlow:
    def __init__(self, slot: ReplySlot, playback: Playback, executor: Any, engine: Any, hearing: Hearing,
                 emit: Emitter, hooks: ReplyHooks, unfinished_silence_ms: Callable[[], int]) -> None:
        self.slot, self.playback, self.executor, self.engine = slot, playback, executor, engine
        self.hearing, self.emit, self.hooks = hearing, emit, hooks
        self._unfinished_silence_ms = unfinished_silence_ms
        self.fillers: list[tuple[str, np.ndarray]] = list(getattr(engine, "fillers", []))
        self._filler_count = 0
        self._filler_due: tuple[int, int] | None = None  # (reply id, time) a filler covers it if still silent

    # --- starting -----------------------------------------------------------------------------
    def start(self, make_job: MakeJob, utterance_id: int | None = None, speculative: bool = False,
              asked_ms: int | None = None) -> Reply:
        """A newer reply supersedes an unfinished one (its queued sentences are dropped).

        `asked_ms`: when it was asked (timers count from it); now when not given."""
        old = self.slot.current
        if old is not None and old.token is not None:
            old.token.cancel()
        if self.slot.wanted_id is not None:
            self.playback.drop_reply(self.slot.wanted_id)
        now = self.emit.clock.now_ms

        def submit(rid: int) -> CancelToken:
            return self.executor.submit(lambda tok: make_job(rid, tok), now, name=f"reply-{rid}")

        reply = self.slot.new(submit, utterance_id, speculative, now if asked_ms is None else asked_ms)
        self._filler_due = None
        self.hooks.thinking()
        return reply

    def start_turn_reply(self, audio: np.ndarray, held: bool) -> None:
        """Reply to the utterance; a held reply is computed now but plays only once the turn ends."""
        reply = self.start(lambda rid, tok: self.engine.reply_to_audio(rid, audio, tok),
                           self.hearing.utterance_id, speculative=held, asked_ms=self.hearing.speech_end_ms)
        self.slot.transcript_complete = None
        if held:
            self.emit("reply_speculative", reply_id=reply.id)

    def start_typed(self, text: str) -> None:
        """Typed text is asked at the tick it is handled: its timers count from there, not from the last speech."""
        self.start(lambda rid, tok: self.engine.reply_to_text(rid, text, tok), asked_ms=self.emit.clock.now_ms)

    def commit(self) -> None:
        """The turn really ended: the speculative reply becomes the reply."""
        reply = self.slot.wanted
        if reply is None:
            return
        held = reply.commit()
        self.emit("reply_committed", reply_id=reply.id, ready=len(held))
        if not any(isinstance(i, ReplyChunk) for i in held):
            self.cover_turn_end()
        for item in held:
            self.on_result(item)

    def commits_turn(self) -> bool:
        """The speculative reply answers the utterance that just ended."""
        reply = self.slot.wanted
        return reply is not None and reply.holding and reply.utterance_id == self.hearing.utterance_id

    def cover_turn_end(self) -> None:
        """The answer is not ready as the turn ends. When the words heard so far ask for deep work,
        its acknowledgement is said at once (the reply then skips saying it again). Otherwise the
        answer gets FILLER_AFTER_MS from the user's last word to start with content; only if it has
        not by then does a short filler cover the wait, as people do."""
        if self.playback.audible:
            return
        uid, words = self.hearing.latest_partial
        acknowledge = getattr(self.engine, "early_acknowledgement", None)
        early = acknowledge(words) if acknowledge and uid == self.hearing.utterance_id and words else None
        if early is not None:
            if self.slot.current is not None:
                self.slot.current.acknowledged(early[0])
            self.playback.enqueue(0, *early)
            self.emit("early_ack", text=early[0], heard=words)
            return
        reply = self.slot.current
        if reply is not None:
            self._filler_due = (reply.id, self.hearing.turn_end_speech_ms + FILLER_AFTER_MS)

    def tick(self) -> None:
        """A filler, when an answer is still silent at its due time and nothing else is said."""
        if self._filler_due is None or self.emit.clock.now_ms < self._filler_due[1]:
            return
        rid, _ = self._filler_due
        self._filler_due = None
        reply = self.slot.wanted
        if (reply is None or reply.id != rid or reply.holding or reply.playing or self.hearing.talking
                or self.playback.audible or self.playback.paused):
            return
        self._play_filler()

    def _play_filler(self) -> None:
        if self.fillers:  # in turn, so never the same one twice in a row
            self._filler_count += 1
            text, audio = self.fillers[self._filler_count % len(self.fillers)]
            self.playback.enqueue(0, text, audio)  # id 0: a filler is never part of the reply's context
            self.emit("filler", text=text)

    # --- ending -------------------------------------------------------------------------------
    def discard(self, reason: str) -> None:
        """Drop the current reply before it was heard; the model forgets the exchange."""
        reply = self.slot.wanted
        if reply is None:
            return
        rid = reply.id
        reply.discard()
        self._filler_due = None
        self.playback.drop_reply(rid)
        self.executor.submit(lambda _tok: self.engine.discard_reply(rid), self.emit.clock.now_ms, name="discard")
        self.emit("reply_discarded", reply_id=rid, reason=reason)

    def job_failed(self, job_name: str) -> None:
        """A job raised. When it was the current reply's (its transcription, model or voice failed),
        the reply ends and we go back to listening; a reply the user was waiting for is followed by a
        short spoken notice instead of silence. A failed speculative reply is only dropped: the turn's
        end starts a fresh one."""
        reply = self.slot.wanted
        if reply is None or job_name not in (f"reply-{reply.id}", f"screen-answer-{reply.id}"):
            return
        waited_for = not reply.holding
        reply.finish(False)
        self._filler_due = None
        self.emit("reply_done", reply_id=reply.id, reason="error")
        if waited_for:
            tell(self.emit, self.executor, self.engine, REPLY_FAILED)
        self.hooks.settle()

    def hold_if_unfinished(self, text: str) -> None:
        """The turn ended on smart-turn's word, but its transcript reads unfinished ("So what I was
        thinking is..."): the reply waits for the silence an unfinished turn needs, as if the
        transcript had voted before the end; the user going on meanwhile continues the turn."""
        reply = self.slot.wanted
        if reply is None or reads_finished(text) is not False or reply.heard or self.hearing.talking:
            return
        reply.hold(self.hearing.turn_end_speech_ms + self._unfinished_silence_ms())
        self.emit("reply_held", reason="the transcript reads unfinished")

    def release_held(self) -> None:
        reply = self.slot.wanted
        if reply is None or reply.hold_until_ms is None or self.emit.clock.now_ms < reply.hold_until_ms:
            return
        if self.hearing.talking:
            reply.lapse_hold()
        else:
            self.commit()

    # --- results ------------------------------------------------------------------------------
    def on_result(self, item: Any) -> None:
        """An item of a reply's job: kept back while the reply is held, used when it is live."""
        reply = self.slot.current
        if reply is None or getattr(item, "reply_id", None) != self.slot.wanted_id:
            return  # stale: a newer turn or a barge-in superseded it
        if reply.holding:
            reply.keep_back(item)  # speculative: nothing is said or done until the turn ends
            if isinstance(item, UserText):
                self.slot.transcript_complete = reads_finished(item.text)
                self.emit("user_partial_text", text=item.text, complete=self.slot.transcript_complete)
            return
        if isinstance(item, UserText):
            self.emit("user_text", text=item.text, reply_id=item.reply_id)
            self.hooks.user_text(item.text, reply.utterance_id)
            self.hold_if_unfinished(item.text)
        elif isinstance(item, IntentAccepted):
            reply.mark_acted()
            self.hooks.intent(replace(item, asked_ms=reply.asked_ms) if item.asked_ms is None else item)
        elif isinstance(item, ReplyChunk):
            if not reply.said_early(item.text):
                self.playback.enqueue(item.reply_id, item.text, item.audio)
        elif isinstance(item, PanelOutput):
            for ev in item.events:  # panels the model wrote: shown, never spoken
                self.emit.event(ev)
        elif isinstance(item, ReplyDone):
            reply.finish(item.reason == "complete")
            self.emit("reply_done", reply_id=item.reply_id, reason=item.reason)
            self.hooks.settle()

    def audio_started(self, started: Started) -> None:
        """A sentence began to play: the user now hears the reply (a filler counts as its start)."""
        reply, wanted_id = self.slot.current, self.slot.wanted_id
        heard = reply is not None and reply.heard
        if started.reply_id in (wanted_id, 0) and not heard:
            self.slot.audio_started_ms = self.emit.clock.now_ms
        if reply is not None and started.reply_id == wanted_id:
            reply.mark_playing()

    def mid_reply(self) -> bool:
        """Between two sentences of a reply that has started playing and has more to come: speech
        now talks over the reply as much as speech during a sentence does."""
        reply = self.slot.current
        return (reply is not None and reply.playing and reply.streaming and not self.slot.holding
                and not self.playback.paused and self.playback.current_reply in (None, reply.id))

    def speculative(self) -> bool:
        reply = self.slot.wanted
        return reply is not None and reply.phase is ReplyPhase.SPECULATIVE
