"""What the runtime parts share on the tick thread: the tick clock, the event sink, the user's turn.

Each part is built with the pieces it uses; these are the pieces. Runner-thread only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from presence.core import turns
from presence.core.events import Event, make_event
from presence.core.types import TICK_MS

EventSink = Callable[[Event], None]


@dataclass
class TickClock:
    """Logical time: tick index x 200 ms. The same in live runs and replays."""

    tick: int = 0

    @property
    def now_ms(self) -> int:
        """Logical time at which this tick's audio is complete: (tick + 1) x 200 ms."""
        return (self.tick + 1) * TICK_MS


class Emitter:
    """Stamps events with the tick's time and hands them to the sink."""

    def __init__(self, clock: TickClock, sink: EventSink) -> None:
        self.clock, self.sink = clock, sink

    def __call__(self, event_kind: str, /, **fields: Any) -> None:
        self.sink(make_event(self.clock.now_ms, event_kind, **fields))

    def event(self, ev: Event) -> None:
        """An event built elsewhere (a panel, a task's progress): stamped now."""
        self.sink(ev.stamped(self.clock.now_ms))


@dataclass
class Utterance:
    """Microphone audio of the user's current turn (with pre-roll)."""

    chunks: list[np.ndarray] = field(default_factory=list)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)


@dataclass
class Hearing:
    """The user's side of the conversation: the utterance in progress and the turn just ended."""

    pre_roll_ticks: int
    turn: turns.TurnState = field(default_factory=turns.TurnState)
    utterance: Utterance | None = None
    utterance_id: int = 0
    speech_end_ms: int = 0  # end of the last voiced VAD frame
    turn_end_speech_ms: int = 0  # speech end of the turn being answered (timers count from it)
    last_turn_audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    latest_partial: tuple[int, str] = (0, "")  # (utterance id, words so far)
    partial_pending: bool = False  # a transcript of words still being said is on the listening lane
    last_partial_tick: int = -100
    pre_roll: deque[np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.pre_roll = deque(maxlen=max(1, self.pre_roll_ticks))

    @property
    def talking(self) -> bool:
        return self.utterance is not None

    def begin(self, resumed: list[np.ndarray]) -> None:
        """An utterance starts (continuing the last turn's audio when `resumed` holds it)."""
        self.utterance = Utterance(resumed + list(self.pre_roll))
        self.pre_roll.clear()  # it now holds only what follows this utterance (a resumed turn's gap)
        self.utterance_id += 1

    def hear(self, chunk: np.ndarray) -> None:
        (self.utterance.chunks if self.utterance is not None else self.pre_roll).append(chunk.copy())

    def end(self) -> np.ndarray:
        """The turn ended: its audio, kept as the last turn's."""
        audio = self.utterance.audio() if self.utterance is not None else np.zeros(0, np.float32)
        self.utterance = None
        self.last_turn_audio = audio
        self.turn_end_speech_ms = self.speech_end_ms
        return audio
