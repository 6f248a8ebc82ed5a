"""Values that cross module boundaries: audio constants, jobs' results (events: presence.core.events).

Everything here is plain data (frozen dataclasses, units in the names) so the same objects
flow through the live app, replay and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from presence.core.events import Event as Event  # re-exported: the base of the runner's events

SAMPLE_RATE_HZ = 16_000
TICK_MS = 200
TICK_SAMPLES = SAMPLE_RATE_HZ * TICK_MS // 1000  # 3,200: one tick of microphone audio


def samples_to_ms(n_samples: int) -> int:
    return n_samples * 1000 // SAMPLE_RATE_HZ


def ms_to_samples(ms: float) -> int:
    return int(round(ms * SAMPLE_RATE_HZ / 1000))


class RunnerState(StrEnum):
    """What the assistant is doing now, as shown in the window and the tray."""

    LISTENING = "listening"
    HEARING = "hearing"  # the user is talking
    THINKING = "thinking"
    SPEAKING = "speaking"
    MUTED = "muted"


@dataclass(frozen=True)
class UserText:
    """Final transcript of one user turn."""

    reply_id: int
    text: str
    audio_ms: int


@dataclass(frozen=True)
class ReplyChunk:
    """One sentence of an assistant reply with its synthesized audio (16 kHz float32 mono)."""

    reply_id: int
    text: str
    audio: Any  # numpy float32 array; typed loosely to keep core free of numpy stubs
    final: bool = False


@dataclass(frozen=True)
class ReplyDone:
    """The reply job finished producing chunks (possibly with none, e.g. empty transcript)."""

    reply_id: int
    reason: str = "complete"


@dataclass(frozen=True)
class IntentAccepted:
    """A timer, cue watch or cancel request was understood; `audio` is what to say when it fires.

    `asked_ms` is when it was asked (the reply flow sets it from its reply: a spoken turn's speech end,
    or the tick typed text was submitted at); due times count from it."""

    reply_id: int
    intent: Any
    text: str
    audio: Any
    asked_ms: int | None = None


@dataclass(frozen=True)
class Announcement:
    """Proactive speech made on request of the runner (a screen alert's detail, a screen summary)."""

    kind: str
    text: str
    audio: Any


@dataclass(frozen=True)
class PartialText:
    """Transcript of the user's utterance so far (while they are still talking)."""

    utterance_id: int
    text: str


@dataclass(frozen=True)
class TickStats:
    """Per-tick compute timing, for bench and events."""

    tick: int
    compute_ms: float
