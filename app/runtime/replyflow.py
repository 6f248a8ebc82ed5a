"""The reply flow: starting replies, holding and committing them, fillers, and their results.

Replies are started here (for a turn, typed text, a background result), their items arrive here
from the inference worker, and here they become playback, intents and events. The state of each
reply lives in its `Reply` (presence.runtime.reply); this decides when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from presence.core.panel_fence import PanelOutput
from presence.core.playback import Playback, Started
from presence.core.text import sounds_complete
from presence.core.types import IntentAccepted, ReplyChunk, ReplyDone, UserText
from presence.runtime.context import Emitter, Hearing
from presence.runtime.executor import CancelToken
from presence.runtime.reply import Reply, ReplyPhase, ReplySlot

MakeJob = Callable[[int, CancelToken], Any]


@dataclass(frozen=True)
class ReplyHooks:
    """What other parts do when a reply says or does something (wired by the runner)."""

    user_text: Callable[[str, int | None], None]  # the final transcript of the turn it answers
    intent: Callable[[IntentAccepted], None]  # a timer, a task, a watch... to carry out
    thinking: Callable[[], None]  # a reply is being computed
    settle: Callable[[], None]  # the runner's state may have changed


class ReplyFlow:
    def __init__(self, slot: ReplySlot, playback: Playback, executor: Any, engine: Any, hearing: Hearing,
                 emit: Emitter, hooks: ReplyHooks, end_silence_ms: Callable[[], int]) -> None:
        self.slot, self.playback, self.executor, self.engine = slot, playback, executor, engine
        self.hearing, self.emit, self.hooks = hearing, emit, hooks
        self._end_silence_ms = end_silence_ms
        self.fillers: list[tuple[str, np.ndarray]] = list(getattr(engine, "fillers", []))
        self._filler_count = 0

    # --- starting -----------------------------------------------------------------------------
    def start(self, make_job: MakeJob, utterance_id: int | None = None, speculative: bool = False) -> Reply:
        """A newer reply supersedes an unfinished one (its queued sentences are dropped)."""
        old = self.slot.current
        if old is not None and old.token is not None:
            old.token.cancel()
        if self.slot.wanted_id is not None:
            self.playback.drop_reply(self.slot.wanted_id)
        now = self.emit.clock.now_ms

        def submit(rid: int) -> CancelToken:
            return self.executor.submit(lambda tok: make_job(rid, tok), now, name=f"reply-{rid}")

        reply = self.slot.new(submit, utterance_id, speculative)
        self.hooks.thinking()
        return reply

    def start_turn_reply(self, audio: np.ndarray, held: bool) -> None:
        """Reply to the utterance; a held reply is computed now but plays only once the turn ends."""
        reply = self.start(lambda rid, tok: self.engine.reply_to_audio(rid, audio, tok),
                           self.hearing.utterance_id, speculative=held)
        self.slot.transcript_complete = None
        if held:
            self.emit("reply_speculative", reply_id=reply.id)

    def start_typed(self, text: str) -> None:
        self.start(lambda rid, tok: self.engine.reply_to_text(rid, text, tok))

    def commit(self) -> None:
        """The turn really ended: the speculative reply becomes the reply."""
        reply = self.slot.wanted
        if reply is None:
            return
        held = reply.commit()
        self.emit("reply_committed", reply_id=reply.id, ready=len(held))
        if not any(isinstance(i, ReplyChunk) for i in held):
            self.play_filler()
        for item in held:
            self.on_result(item)

    def commits_turn(self) -> bool:
        """The speculative reply answers the utterance that just ended."""
        reply = self.slot.wanted
        return reply is not None and reply.holding and reply.utterance_id == self.hearing.utterance_id

    def play_filler(self) -> None:
        """The answer is not ready as the turn ends: say something short at once, as people do.

        When the words heard so far already ask for deep work, that short thing is its
        acknowledgement; the reply then skips saying it again.
        """
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
        if self.fillers:
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
        self.playback.drop_reply(rid)
        self.executor.submit(lambda _tok: self.engine.discard_reply(rid), self.emit.clock.now_ms, name="discard")
        self.emit("reply_discarded", reply_id=rid, reason=reason)

    def hold_if_unfinished(self, text: str) -> None:
        """The turn ended on smart-turn's word, but its transcript reads unfinished ("So what I was
        thinking is..."): the reply waits for the silence an unfinished turn needs, as if the
        transcript had voted before the end; the user going on meanwhile continues the turn."""
        reply = self.slot.wanted
        if reply is None or sounds_complete(text) is not False or reply.heard or self.hearing.talking:
            return
        reply.hold(self.hearing.turn_end_speech_ms + self._end_silence_ms())
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
                self.slot.transcript_complete = sounds_complete(item.text)
                self.emit("user_partial_text", text=item.text, complete=self.slot.transcript_complete)
            return
        if isinstance(item, UserText):
            self.emit("user_text", text=item.text, reply_id=item.reply_id)
            self.hooks.user_text(item.text, reply.utterance_id)
            self.hold_if_unfinished(item.text)
        elif isinstance(item, IntentAccepted):
            reply.mark_acted()
            self.hooks.intent(item)
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
