"""The assistant's outgoing audio queue, cut into ticks, knowing what the listener has heard.

The runner owns this queue (not the device), so a barge-in drops everything in the same tick and
the reply kept in the model's context can be cut to the words that were actually played.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from presence.core.text import cut_to_heard


@dataclass
class _Queued:
    reply_id: int
    text: str
    audio: np.ndarray
    played: int = 0
    interruptible: bool = True


@dataclass(frozen=True)
class Started:
    """A sentence began to play in this tick."""

    reply_id: int
    text: str


@dataclass(frozen=True)
class Interrupted:
    reply_id: int
    heard_text: str  # everything of this reply the user heard, across sentences
    cut_text: str  # what they did not hear


class Playback:
    def __init__(self, tick_samples: int) -> None:
        self._tick = tick_samples
        self._queue: deque[_Queued] = deque()
        self._heard: dict[int, list[str]] = {}
        self._out = np.zeros(tick_samples, np.float32)
        self.paused = False  # held silent while a possible barge-in is confirmed

    def reset(self) -> None:
        self._queue.clear()
        self._heard.clear()
        self.paused = False

    @property
    def audible(self) -> bool:
        return bool(self._queue) and not self.paused

    @property
    def interruptible_audible(self) -> bool:
        """Audible and stoppable by the user (timer and cue announcements are not)."""
        return self.audible and self._queue[0].interruptible

    @property
    def current_reply(self) -> int | None:
        return self._queue[0].reply_id if self._queue else None

    def enqueue(self, reply_id: int, text: str, audio: np.ndarray) -> None:
        if len(audio):
            self._queue.append(_Queued(reply_id, text, audio.astype(np.float32, copy=False)))

    def announce(self, reply_id: int, text: str, audio: np.ndarray) -> None:
        """Proactive speech (a due timer, a cue): plays at the next sentence break, not interruptible."""
        item = _Queued(reply_id, text, audio.astype(np.float32, copy=False), interruptible=False)
        if self._queue and self._queue[0].played:
            self._queue.insert(1, item)
        else:
            self._queue.appendleft(item)

    def next_tick(self) -> tuple[np.ndarray, list[Started]]:
        """The next tick of samples to play (silence-padded) and the sentences that started in it."""
        out = self._out
        out[:] = 0.0
        pos, started = 0, []
        while pos < self._tick and self._queue and not self.paused:
            q = self._queue[0]
            if q.played == 0:
                started.append(Started(q.reply_id, q.text))
            n = min(self._tick - pos, len(q.audio) - q.played)
            out[pos:pos + n] = q.audio[q.played:q.played + n]
            q.played += n
            pos += n
            if q.played >= len(q.audio):
                self._heard.setdefault(q.reply_id, []).append(q.text)
                self._queue.popleft()
        return out.copy(), started

    def interrupt(self) -> Interrupted | None:
        """Drop the queued replies; report what of the playing reply was heard. Announcements queued
        behind it (a timer due, a cue word's answer) are not the user's to interrupt: they stay."""
        self.paused = False
        if not self._queue or not self._queue[0].interruptible:
            return None
        q = self._queue[0]
        partial = cut_to_heard(q.text, q.played / max(1, len(q.audio)))
        heard = " ".join(self._heard.get(q.reply_id, []) + ([partial] if partial else []))
        unplayed = [q.text[len(partial):].strip()] + [r.text for r in list(self._queue)[1:] if r.reply_id == q.reply_id]
        self._queue = deque(r for r in list(self._queue)[1:] if not r.interruptible)
        return Interrupted(q.reply_id, heard, " ".join(t for t in unplayed if t))

    def heard_text(self, reply_id: int) -> str:
        """The sentences of a reply that were played to the end."""
        return " ".join(self._heard.get(reply_id, []))

    def stop_reply(self, reply_id: int) -> None:
        """Drop that reply's audio at once, even mid-sentence; other speech stays queued."""
        self._queue = deque(q for q in self._queue if q.reply_id != reply_id)

    def drop_reply(self, reply_id: int) -> None:
        self._queue = deque(q for q in self._queue if q.reply_id != reply_id or q.played)
