"""Timers and cue watches in tick time: what is due now, which cue words were just heard.

Pure bookkeeping; the runner asks it every tick and plays what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from presence.core.text import words


@dataclass(frozen=True)
class Scheduled:
    due_ms: int
    text: str
    audio: Any
    timer_id: str = ""


@dataclass
class CueWatch:
    word: str
    text: str
    audio: Any
    repeat: bool
    fired: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # utterance id -> occurrences already answered


class Timekeeper:
    def __init__(self, early_ms: int = 100) -> None:
        self._timers: list[Scheduled] = []
        self._cues: list[CueWatch] = []
        self._early_ms = early_ms  # a tick ends up to 200 ms late: fire when due is within half a tick
        self._next_id = 1

    def reset(self) -> None:
        self._timers.clear()
        self._cues.clear()

    @property
    def timers(self) -> list[Scheduled]:
        return list(self._timers)

    @property
    def watching_cues(self) -> bool:
        return any(c.repeat or not c.fired for c in self._cues)

    def add_timer(self, due_ms: int, text: str, audio: Any) -> Scheduled:
        item = Scheduled(due_ms, text, audio, f"timer-{self._next_id}")
        self._next_id += 1
        self._timers.append(item)
        self._timers.sort(key=lambda s: s.due_ms)
        return item

    def cancel_timers(self) -> int:
        n = len(self._timers)
        self._timers.clear()
        return n

    def cancel_timer(self, timer_id: str) -> int:
        before = len(self._timers)
        self._timers = [s for s in self._timers if s.timer_id != timer_id and f"due-{s.due_ms}" != timer_id]
        return before - len(self._timers)

    def stop_cue(self, word: str) -> int:
        before = len(self._cues)
        self._cues = [c for c in self._cues if c.word != word.lower()]
        return before - len(self._cues)

    def stop_cues(self) -> int:
        n = len(self._cues)
        self._cues.clear()
        return n

    def due(self, now_ms: int) -> list[Scheduled]:
        fired = [s for s in self._timers if s.due_ms <= now_ms + self._early_ms]
        self._timers = [s for s in self._timers if s.due_ms > now_ms + self._early_ms]
        return fired

    def add_cue(self, word: str, text: str, audio: Any, repeat: bool) -> None:
        self._cues.append(CueWatch(word.lower(), text, audio, repeat))

    def cue_hits(self, utterance_id: int, text: str) -> list[CueWatch]:
        """Cues whose word occurs in text more often than already answered for this utterance."""
        said = words(text)
        hits = []
        for cue in self._cues:
            if cue.fired and not cue.repeat:
                continue
            count = sum(w == cue.word or w == cue.word + "s" for w in said)
            if count > cue.seen.get(utterance_id, 0):
                cue.seen[utterance_id] = count
                cue.fired += 1
                hits.append(cue)
        return hits
