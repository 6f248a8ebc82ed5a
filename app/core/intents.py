"""Deterministic intent parsing for time-aware requests a tiny model cannot be trusted with.

Timers ("tell me when ten seconds have passed", "set a timer for 2 minutes") and cue watches
("let me know when I say the word orange", "every time I say banana, say ding"). Pure functions
of the transcript; None means "not a request of this kind".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presence.core.skills import parse_number, tokenize

_UNIT_S = {"second": 1, "seconds": 1, "sec": 1, "secs": 1, "minute": 60, "minutes": 60, "min": 60,
           "mins": 60, "hour": 3600, "hours": 3600}


@dataclass(frozen=True)
class TimerRequest:
    seconds: float
    spoken: str  # "ten seconds", as the user said it

    def ack(self) -> str:
        return f"Okay, I'll tell you when {self.spoken} have passed." if self._plural else \
            f"Okay, I'll tell you when {self.spoken} has passed."

    def due_text(self) -> str:
        verb = "have" if self._plural else "has"
        return f"{self.spoken[0].upper()}{self.spoken[1:]} {verb} passed."

    @property
    def _plural(self) -> bool:
        return not self.spoken.endswith(("second", "minute", "hour"))


@dataclass(frozen=True)
class CueRequest:
    word: str
    reply: str  # what to say when the word is heard
    repeat: bool  # every time, or only the first time

    def ack(self) -> str:
        if self.repeat:
            return f"Okay, every time you say {self.word}, I'll say {self.reply.rstrip('!.').lower()}."
        return f"Okay, I'll tell you when you say {self.word}."


@dataclass(frozen=True)
class CancelTimers:
    def ack(self) -> str:
        return "Okay, I cancelled your timers."


_NOT_A_CUE = {"the", "word", "words", "a", "an", "that", "we're", "were", "its", "it's", "is", "this", "please",
              "out", "loud", "again"}

Intent = TimerRequest | CueRequest | CancelTimers


def parse_duration(text: str) -> tuple[float, str] | None:
    """'ten seconds' / '2 minutes' / 'a minute and a half' -> (seconds, spoken form)."""
    toks = tokenize(text)
    for i in range(len(toks)):
        value, used = parse_number(toks[i:])
        if value is None and toks[i] in ("a", "an") and i + 1 < len(toks) and toks[i + 1] in _UNIT_S:
            value, used = 1, 1
        if value is None:
            continue
        j = i + used
        if j < len(toks) and toks[j] in _UNIT_S:
            seconds = float(value) * _UNIT_S[toks[j]]
            spoken = " ".join(toks[i:j + 1])
            if j + 3 < len(toks) + 1 and toks[j + 1:j + 4] == ["and", "a", "half"]:
                seconds += 0.5 * _UNIT_S[toks[j]]
                spoken += " and a half"
            return seconds, spoken
    return None


_TIMER = re.compile(r"\b(timer|remind me|tell me when|let me know when|wake me|alert me|in)\b", re.I)
_CANCEL = re.compile(r"\b(cancel|stop|clear|delete)\b.*\b(timer|timers|reminder|reminders)\b", re.I)
_CUE = re.compile(
    r"\b(?:let me know|tell me|say \w+|ding|alert me)\b.*?\bwhen(?:ever)? i say ([a-z' \"]+)"
    r"|\bevery ?time i say(?: the word)? ['\"]?([a-z']+)['\"]?,? (?:you )?say ['\"]?([a-z' ]+)", re.I)


def parse_intent(text: str) -> Intent | None:
    t = text.strip()
    if _CANCEL.search(t):
        return CancelTimers()
    m = _CUE.search(t)
    if m:
        if m.group(1):
            # ASR may garble the framing ("say that we're orange"): the cue is the clause's last real word
            candidates = [w for w in re.findall(r"[a-z']+", m.group(1).lower()) if w not in _NOT_A_CUE]
            if not candidates:
                return None
            word = candidates[-1]
            return CueRequest(word, f"{word.capitalize()}! You said {word}.", repeat=False)
        return CueRequest(m.group(2).lower(), m.group(3).strip().capitalize() + "!", repeat=True)
    if _TIMER.search(t):
        duration = parse_duration(t)
        if duration and 0 < duration[0] <= 24 * 3600:
            return TimerRequest(*duration)
    return None
