"""Deterministic intent parsing for time-aware requests a tiny model cannot be trusted with.

Timers ("tell me when ten seconds have passed", "set a timer for 2 minutes") and cue watches
("let me know when I say the word orange", "every time I say banana, say ding"). Pure functions
of the transcript; None means "not a request of this kind".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from presence.core.skills import parse_number, tokenize

_UNIT_S = {"second": 1, "seconds": 1, "sec": 1, "secs": 1, "minute": 60, "minutes": 60, "min": 60,
           "mins": 60, "hour": 3600, "hours": 3600}
_PLURAL_UNITS = {"seconds", "secs", "minutes", "mins", "hours"}


@dataclass(frozen=True)
class TimerRequest:
    seconds: float
    spoken: str  # "ten seconds", as the user said it
    also: tuple[TimerRequest, ...] = ()  # further timers set in the same sentence ("... and one for nine seconds")

    def parts(self) -> tuple[TimerRequest, ...]:
        """One request per timer, in the order they were said."""
        return (TimerRequest(self.seconds, self.spoken), *self.also)

    def ack(self) -> str:
        if self.also:  # short on purpose: the first timer may be due a few seconds later
            spoken = [p.spoken for p in self.parts()]
            return f"Okay, timers for {', '.join(spoken[:-1])} and {spoken[-1]}."
        return f"Okay, I'll tell you when {self.spoken} have passed." if self._plural else \
            f"Okay, I'll tell you when {self.spoken} has passed."

    def due_text(self) -> str:
        verb = "have" if self._plural else "has"
        return f"{self.spoken[0].upper()}{self.spoken[1:]} {verb} passed."

    @property
    def _plural(self) -> bool:
        """'ten seconds have', 'a minute and a half has', 'one minute and thirty seconds have'."""
        return any(w in _PLURAL_UNITS for w in self.spoken.split())


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
    found = parse_durations(text)
    return found[0] if found else None


def parse_durations(text: str) -> list[tuple[float, str]]:
    """Every duration in text, in order: 'five seconds and another for nine seconds' -> two.

    'one minute and thirty seconds' (a smaller unit right after "and") is one duration.
    """
    toks = tokenize(text)
    found: list[tuple[float, str]] = []
    i = 0
    while i < len(toks):
        part = _duration_at(toks, i)
        if part is None:
            i += 1
            continue
        seconds, unit_s, j = part
        if toks[j:j + 3] == ["and", "a", "half"]:
            seconds, j = seconds + 0.5 * unit_s, j + 3
        elif j < len(toks) and toks[j] == "and" and (more := _duration_at(toks, j + 1)) and more[1] < unit_s:
            seconds, j = seconds + more[0], more[2]
        found.append((seconds, " ".join(toks[i:j])))
        i = j
    return found


def _duration_at(toks: list[str], i: int) -> tuple[float, int, int] | None:
    """A number and a unit starting at toks[i]: (seconds, the unit's seconds, index after it)."""
    value, used = parse_number(toks[i:])
    if value is None and toks[i] in ("a", "an"):
        value, used = Fraction(1), 1
    j = i + used
    if value is None or j >= len(toks) or toks[j] not in _UNIT_S:
        return None
    return float(value) * _UNIT_S[toks[j]], _UNIT_S[toks[j]], j + 1


_TIMER = re.compile(r"\b(timers?|remind me|tell me when|let me know when|wake me|alert me|in)\b", re.I)
# "cancelled the timer": how Whisper sometimes hears "Cancel the timer." as the turn's first words
_CANCEL = re.compile(r"\b(cancel|stop|clear|delete)\b.*\b(timer|timers|reminder|reminders)\b"
                     r"|^(?:cancell?ed|canceled) (?:the|my|all) (?:timers?|reminders?)\b", re.I)
_CUE = re.compile(
    # "when I change the word blue": Whisper may mishear "say"; "the word" still marks the cue
    r"\b(?:let me know|tell me|say \w+|ding|alert me)\b.*?\bwhen(?:ever)? i (?:say|[a-z]+(?= the word\b)) ([a-z' \"]+)"
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
        timers = [TimerRequest(*d) for d in parse_durations(t) if 0 < d[0] <= 24 * 3600]
        if timers:
            return replace(timers[0], also=tuple(timers[1:]))
    return None
