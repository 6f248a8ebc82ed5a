"""Timers and cue watches in tick time: what is due now, which cue words were just heard.

Pure bookkeeping; the runner asks it every tick and plays what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from presence.core.text import words


@dataclass(frozen=True)
class Scheduled:
    due_ms: int
    text: str
    audio: Any
    timer_id: str = ""
    seconds: float = 0.0  # how long it was set for
    label: str = ""  # what it is for ("laundry"): found again by that word
    content: str = ""  # a reminder's words ("call sam"); "" for a plain timer
    reminder: bool = False  # a reminder (with words, or at a time of day), not a plain timer
    order: int = 0  # the order timers were set in (the latest is changed or cancelled when none is named)

    def describes(self, words: str) -> bool:
        """Do these words name it? 'laundry' names a laundry timer and 'check the laundry'; 'call sam' names
        a reminder to call Sam."""
        wanted = _content_words(words)
        have = _content_words(f"{self.label} {self.content}")
        return bool(wanted) and wanted <= have | {w + "s" for w in have} | {w.rstrip("s") for w in have}


@dataclass
class CueWatch:
    word: str
    text: str
    audio: Any
    repeat: bool
    fired: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # utterance id -> occurrences already answered
    words_then: dict[int, int] = field(default_factory=dict)  # utterance id -> words in the transcript last answered


_NOT_NAMING = {"the", "a", "an", "my", "your", "to", "for", "about", "of", "on", "that", "this", "one", "timer",
               "reminder", "alarm", "and", "me", "i"}


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in _NOT_NAMING}


# Partial transcripts re-decode the whole utterance and may drop an earlier cue word ("I ate in the
# morning ... another apple"): an occurrence with this many more words before it than the whole
# transcript last answered had is a new one, whatever the count says.
NEW_OCCURRENCE_WORDS = 2


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

    @property
    def cue_words(self) -> tuple[str, ...]:
        """The cue words still listened for (what the transcribing decoder is told to expect)."""
        return tuple(c.word for c in self._cues if c.repeat or not c.fired)

    @property
    def cues(self) -> list[CueWatch]:
        return list(self._cues)

    def add_timer(self, due_ms: int, text: str, audio: Any, seconds: float = 0.0, label: str = "",
                  content: str = "", reminder: bool = False) -> Scheduled:
        item = Scheduled(due_ms, text, audio, f"timer-{self._next_id}", seconds, label, content, reminder,
                         self._next_id)
        self._next_id += 1
        self._timers.append(item)
        self._timers.sort(key=lambda s: s.due_ms)
        return item

    def find_timers(self, target: str = "", kind: str = "", seconds: float | None = None) -> list[Scheduled]:
        """The timers a description names, in the order they were set: by words ("laundry"), by kind
        ("timer" or "reminder", when some of that kind exist) and by length ("the ten minute timer")."""
        found = sorted(self._timers, key=lambda s: s.order)
        if target:
            found = [s for s in found if s.describes(target)]
        if seconds is not None:
            found = [s for s in found if abs(s.seconds - seconds) < 0.5] or found
        if kind in ("timer", "reminder"):
            found = [s for s in found if s.reminder == (kind == "reminder")] or found
        return found

    def reschedule(self, timer_id: str, due_ms: int, seconds: float, text: str | None = None,
                   audio: Any = None) -> Scheduled | None:
        """Move a timer to a new due time (what it says too, when given); None when it is gone."""
        old = next((s for s in self._timers if s.timer_id == timer_id), None)
        if old is None:
            return None
        new = replace(old, due_ms=due_ms, seconds=seconds, text=old.text if text is None else text,
                      audio=old.audio if text is None else audio)
        self._timers = sorted([new if s is old else s for s in self._timers], key=lambda s: s.due_ms)
        return new

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

    def continue_utterance(self, previous_id: int, utterance_id: int) -> None:
        """The new utterance starts with the previous one's audio again (the user went on after a
        pause): the cue words already answered there are not new when its transcript repeats them."""
        for cue in self._cues:
            if previous_id in cue.seen:
                cue.seen[utterance_id] = max(cue.seen.get(utterance_id, 0), cue.seen[previous_id])
                cue.words_then[utterance_id] = cue.words_then.get(previous_id, 0)

    def cue_hits(self, utterance_id: int, text: str) -> list[CueWatch]:
        """Cues whose word occurs in text anew for this utterance: more often than already answered,
        or (for a repeated cue) further on than the transcript last answered reached."""
        said = drop_loops(words(text))
        hits = []
        for cue in self._cues:
            if cue.fired and not cue.repeat:
                continue
            at = [i for i, w in enumerate(said) if w == cue.word or w == cue.word + "s"]
            seen = cue.seen.get(utterance_id, 0)
            later = cue.repeat and seen and at and at[-1] >= cue.words_then[utterance_id] + NEW_OCCURRENCE_WORDS
            if len(at) > seen or later:
                cue.seen[utterance_id] = max(len(at), seen + 1)
                cue.words_then[utterance_id] = len(said)
                cue.fired += 1
                hits.append(cue)
        return hits


def drop_loops(said: list[str], repeats: int = 3) -> list[str]:
    """Cut a decoder loop ('... and apple juice this morning and apple juice this morning and apple ...'):
    from the first run of `repeats` back-to-back copies of a phrase, only its first copy is kept."""
    n = len(said)
    for i in range(n):
        for size in range(1, (n - i) // repeats + 1):
            phrase = said[i:i + size]
            if all(said[i + k * size:i + (k + 1) * size] == phrase for k in range(1, repeats)):
                return said[:i + size]
    return said
