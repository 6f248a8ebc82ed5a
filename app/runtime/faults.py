"""What keeps one bad tick from ending the conversation: part guards and the endless-speech cap.

`Faults` runs a part of the tick (the screen, background work, a worker's result, ...) so that an
exception in it (a 0-byte PNG frame, a bug) skips that part for this tick only. Each kind of failure
(part and exception type) is logged with its traceback and shown once; the same failure again, tick
after tick, is only counted, so a broken screen source cannot flood the log or the window.

`UtteranceCap`: a fan or a TV that the voice detector hears as endless speech would hold the turn
open for ever (and grow the utterance's audio without bound). After MAX_UTTERANCE_MS of voiced
time the turn is ended as it is (transcribed and answered, or found to hold no words), and the same
sound is then ignored until the first quiet tick, so it neither starts a new turn every 30 s nor
talks over our answer.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from presence.core import turns
from presence.runtime.context import Emitter

log = logging.getLogger(__name__)

MAX_UTTERANCE_MS = 30_000


class Faults:
    def __init__(self, emit: Emitter) -> None:
        self.emit = emit
        self.counts: Counter[tuple[str, str]] = Counter()  # (part, exception type) -> times it happened

    def guard(self, part: str, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args), or None when it raised (reported once per part and exception type)."""
        try:
            return fn(*args)
        except Exception as exc:
            self.report(part, exc)
            return None

    def report(self, part: str, exc: Exception) -> None:
        key = (part, type(exc).__name__)
        self.counts[key] += 1
        if self.counts[key] > 1:
            log.debug("%s failed again (%d times): %s", part, self.counts[key], exc)
            return
        log.error("%s failed at %d ms; skipped for this tick, the session goes on", part, self.emit.clock.now_ms,
                  exc_info=exc)
        message = " ".join(str(exc).split()) or type(exc).__name__
        self.emit("error", source=part, message=f"{type(exc).__name__}: {message} (skipped; the session goes on)")


class UtteranceCap:
    def __init__(self, emit: Emitter, max_ms: int = MAX_UTTERANCE_MS) -> None:
        self.emit, self.max_ms = emit, max_ms
        self.ignoring = False  # the capped sound goes on: nothing it does counts until a quiet tick

    def apply(self, state: turns.TurnState, decision: turns.TurnDecision,
              voiced: bool) -> tuple[turns.TurnState, turns.TurnDecision]:
        """The turn state machine's verdict for this tick, with the cap applied."""
        if self.ignoring:
            if voiced:
                return turns.TurnState(), turns.TurnDecision()
            self.ignoring = False
            return state, decision
        if state.phase is turns.Phase.USER and state.voiced_ms >= self.max_ms:
            self.ignoring = True
            self.emit("notice", message=f"heard {self.max_ms // 1000} s of sound without a pause (a fan or a TV?): "
                                        "the turn ends here, and that sound is ignored until it stops")
            return turns.TurnState(), replace(decision, end_of_turn=True, speculate=False, resumed=False,
                                              discard=False, utterance_started=False)
        return state, decision
