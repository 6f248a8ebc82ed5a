"""One reply's lifecycle, from the job that computes it to what the user heard of it.

Every reply (to a spoken turn, typed text, a background result, a screen question) is a `Reply`.
It is the only place its state changes: speculative replies are computed while the user may still
be talking and held; a reply whose transcript trails off is held until a longer silence; a
committed reply plays; a barge-in cuts it and keeps what was heard. `ReplySlot` owns the current
reply and hands out ids. Runner-thread only: workers see a reply through its cancellation token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from presence.runtime.executor import CancelToken

NEVER_MS = -10**9


class ReplyPhase(StrEnum):
    SPECULATIVE = "speculative"  # computed at a pause; nothing is said or done until the turn ends
    HELD = "held"  # the turn ended, but its transcript trails off: wait for a longer silence
    LIVE = "live"  # committed: its sentences play, its intents act
    DONE = "done"  # the job finished; what it queued may still be playing
    DISCARDED = "discarded"  # dropped before it was heard; the model forgets the exchange
    CUT = "cut"  # the user talked over it; the model keeps what was heard


@dataclass
class Reply:
    """A reply and what became of it. Change it only through its methods."""

    id: int
    token: CancelToken | None
    utterance_id: int | None = None  # the utterance it answers (turn replies only)
    phase: ReplyPhase = ReplyPhase.LIVE
    held_items: list[Any] = field(default_factory=list)
    hold_until_ms: int | None = None
    early_ack: str | None = None  # an acknowledgement said the moment the turn ended
    heard: bool = False  # has any of it (or a filler standing in for it) been heard?
    playing: bool = False  # has one of its own sentences started to play?
    acted: bool = False  # did it start a timer, a task, a watch...?
    heard_text: str = ""  # after a cut: what the user heard
    asked_ms: int = 0  # when it was asked: a spoken turn's speech end, or the tick typed text came in

    # --- what it is -------------------------------------------------------------------------
    @property
    def wanted(self) -> bool:
        """Still the reply we want: its items are used, not dropped as stale."""
        return self.phase not in (ReplyPhase.DISCARDED, ReplyPhase.CUT)

    @property
    def holding(self) -> bool:
        """Its items are kept back (speculative, or held for a longer silence)."""
        return self.phase in (ReplyPhase.SPECULATIVE, ReplyPhase.HELD)

    @property
    def in_flight(self) -> bool:
        """Work for it was started and not seen to end (a cut reply's job may still wind down)."""
        return self.token is not None

    @property
    def streaming(self) -> bool:
        """Its job is still producing and has not been cancelled."""
        return self.token is not None and not self.token.cancelled

    # --- transitions ------------------------------------------------------------------------
    def hold(self, until_ms: int) -> None:
        """Its transcript reads unfinished: keep what comes until `until_ms` of silence."""
        self.phase, self.held_items, self.hold_until_ms = ReplyPhase.HELD, [], until_ms

    def commit(self) -> list[Any]:
        """The turn really ended: it becomes the reply; returns what it produced meanwhile."""
        held, self.held_items, self.hold_until_ms = self.held_items, [], None
        self.phase = ReplyPhase.LIVE
        return held

    def lapse_hold(self) -> None:
        """The longer silence came while the user was talking again: held like a speculative reply."""
        self.hold_until_ms = None
        self.phase = ReplyPhase.SPECULATIVE

    def keep_back(self, item: Any) -> None:
        self.held_items.append(item)

    def discard(self) -> None:
        """Dropped before it was heard."""
        if self.token is not None:
            self.token.cancel()
        self.token, self.hold_until_ms, self.held_items = None, None, []
        self.phase = ReplyPhase.DISCARDED

    def cut(self, heard_text: str) -> None:
        """The user talked over it: its work stops, what they heard stays in the context."""
        if self.token is not None:
            self.token.cancel()  # the token stays: the job may still be winding down
        self.heard_text = heard_text
        self.phase = ReplyPhase.CUT

    def stop(self) -> None:
        """Stopped from outside (a cancelled task's result): nothing more of it is wanted."""
        if self.token is not None:
            self.token.cancel()
        self.token = None
        self.phase = ReplyPhase.DISCARDED

    def finish(self, complete: bool) -> None:
        """Its job ended; an incomplete reply is no longer wanted."""
        self.token = None
        self.phase = ReplyPhase.DONE if complete else ReplyPhase.DISCARDED

    def attach(self, token: CancelToken) -> None:
        """A follow-up job (a screen question's answer) now produces this reply."""
        self.token = token

    def acknowledged(self, text: str) -> None:
        self.early_ack = text

    def said_early(self, text: str) -> bool:
        """This sentence is the acknowledgement already said: it is not said twice."""
        if self.early_ack is not None and text == self.early_ack:
            self.early_ack = None
            return True
        return False

    def mark_acted(self) -> None:
        self.acted = True

    def mark_heard(self) -> None:
        self.heard = True

    def mark_playing(self) -> None:
        self.heard = self.playing = True


@dataclass
class ReplySlot:
    """The current reply (the latest started) and the ids of the next ones.

    Turn-level facts about replies live here too: when the user last heard a reply begin, and
    whether the speculative transcript of the current pause reads finished.
    """

    current: Reply | None = None
    next_id: int = 1
    audio_started_ms: int = NEVER_MS  # a filler starts a reply as far as the user can tell
    transcript_complete: bool | None = None  # the speculative transcript's vote on the turn's end

    def new(self, token_for: Any, utterance_id: int | None = None, speculative: bool = False,
            asked_ms: int = 0) -> Reply:
        """Start a reply: `token_for(reply_id)` submits its job and returns the job's token."""
        rid = self.next_id
        self.next_id += 1
        phase = ReplyPhase.SPECULATIVE if speculative else ReplyPhase.LIVE
        self.current = Reply(rid, None, utterance_id, phase, asked_ms=asked_ms)
        self.current.token = token_for(rid)
        return self.current

    @property
    def wanted(self) -> Reply | None:
        r = self.current
        return r if r is not None and r.wanted else None

    @property
    def wanted_id(self) -> int | None:
        r = self.wanted
        return None if r is None else r.id

    @property
    def in_flight(self) -> bool:
        return self.current is not None and self.current.in_flight

    @property
    def holding(self) -> bool:
        r = self.wanted
        return r is not None and r.holding

    def is_wanted(self, reply_id: int | None) -> bool:
        return reply_id is not None and reply_id == self.wanted_id
