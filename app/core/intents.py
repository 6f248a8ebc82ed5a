"""What the time-aware requests ask for, once understood: timers, reminders, cue words, and changing
or cancelling them. presence.core.understanding reads them from the words; the runner carries them
out (presence.runtime.proactive); each knows what to say now (ack) and when it fires (due_text).

Pure data and wording: no clock (a clock reminder becomes a timer once the caller's `now` is known).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from presence.core.timeparse import ClockTime, plural_duration, say_duration
from presence.core.timeparse import parse_durations as find_durations


@dataclass(frozen=True)
class TimerRequest:
    """A timer; with `content` a reminder ("call sam"), with `at` a clock reminder (seconds counted to it)."""

    seconds: float
    spoken: str  # "ten seconds": how it is said back
    also: tuple[TimerRequest, ...] = ()  # further timers set in the same sentence ("... and one for nine seconds")
    label: str = ""  # what it is for ("laundry"): cancel and change it by that word
    content: str = ""  # a reminder's words, lowercase ("call sam")
    style: str = ""  # how the content is said when due: "to" (Time to call Sam.), "that", "about"
    at: str = ""  # a clock reminder's time as said back ("5:30 PM")
    said_content: str = ""  # the content in the user's own casing ("call Sam"), for speech

    def parts(self) -> tuple[TimerRequest, ...]:
        """One request per timer, in the order they were said."""
        return (replace(self, also=()), *self.also)

    @property
    def is_reminder(self) -> bool:
        return bool(self.content or self.at)

    def ack(self) -> str:
        if self.also:  # short on purpose: the first timer may be due a few seconds later
            spoken = [p.spoken for p in self.parts()]
            return f"Okay, timers for {', '.join(spoken[:-1])} and {spoken[-1]}."
        when = f"at {self.at}" if self.at else f"in {self.spoken}"
        if self.content:
            return f"Okay, I'll remind you {when} {self._said_content()}."
        if self.at:
            return f"Okay, I'll tell you when it's {self.at}."
        if self.label:
            article = "an" if self.label[0] in "aeiou" else "a"
            return f"Okay, {article} {self.label} timer for {self.spoken}."
        verb = "have" if plural_duration(self.spoken) else "has"
        return f"Okay, I'll tell you when {self.spoken} {verb} passed."

    def due_text(self) -> str:
        if self.content:
            said = self._said_content()
            return f"Time {said}." if self.style == "to" else f"Reminder: {said.split(' ', 1)[1]}."
        if self.at:
            return f"It's {self.at}."
        if self.label:
            return f"Your {self.label} timer is done."
        verb = "have" if plural_duration(self.spoken) else "has"
        return f"{self.spoken[0].upper()}{self.spoken[1:]} {verb} passed."

    def _said_content(self) -> str:
        """ "to call Sam", "that your pizza is ready", "about the meeting": the user's words, said back to them."""
        return f"{self.style or 'to'} {to_you(self.said_content or self.content)}"


@dataclass(frozen=True)
class ClockReminder:
    """A reminder at a time of day ("at 5:30 remind me to call Sam"), before `now` is known."""

    clock: ClockTime
    content: str = ""
    style: str = "to"
    said_content: str = ""

    def at_time(self, now: datetime) -> TimerRequest:
        """The timer that fires at the clock time's next occurrence after now."""
        seconds = self.clock.seconds_after(now)
        return TimerRequest(seconds, say_duration(seconds), content=self.content, style=self.style,
                            at=self.clock.spoken, said_content=self.said_content)


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
    """Cancel timers, reminders or cue watches: all of them, the one described, or the latest."""

    target: str = ""  # describing words ("laundry", "call sam"); "" for none
    what: str = ""  # "timer", "reminder", "cue" or "" (whatever was set last)
    every: bool = False  # "all my timers", "timers"
    seconds: float | None = None  # "the ten minute timer"

    def ack(self) -> str:
        if self.what == "cue":
            return f"Okay, I'll stop listening for {self.target}." if self.target else \
                "Okay, I'll stop listening for your words."
        if self.target:
            kind = self.what or "timer"
            return f"Okay, I cancelled the {self.target} {kind}." if kind == "timer" else \
                f"Okay, I cancelled the reminder to {to_you(self.target)}."
        if self.what == "reminder":
            return "Okay, I cancelled your reminders." if self.every else "Okay, I cancelled your reminder."
        if self.what == "":
            return "Okay, I cancelled it."
        return "Okay, I cancelled your timers."


@dataclass(frozen=True)
class ModifyTimer:
    """Change a timer or reminder: to a new duration or time ("make that ten minutes"), or by adding."""

    seconds: float | None
    spoken: str = ""
    target: str = ""
    what: str = ""  # "timer", "reminder" or "" (the latest)
    add: bool = False  # "add five minutes", "five more minutes"
    clock: ClockTime | None = None  # "change my reminder to 6 pm" (seconds unknown until `now` is)

    def at_time(self, now: datetime) -> ModifyTimer:
        if self.clock is None:
            return self
        seconds = self.clock.seconds_after(now)
        return replace(self, seconds=seconds, spoken=self.clock.spoken, clock=None)

    def ack(self) -> str:
        kind = f"{self.target} {self.what or 'timer'}" if self.target else f"{self.what or 'timer'}"
        if self.add:
            return f"Okay, I added {self.spoken} to the {kind}."
        if self.clock is not None:
            return f"Okay, I moved your {kind} to {self.clock.spoken}."
        return f"Okay, I changed your {kind} to {self.spoken}."

    def due_text(self) -> str:
        """What a plain timer says once changed (a reminder keeps its words)."""
        if self.add or not self.spoken:
            return "Time's up."
        verb = "have" if plural_duration(self.spoken) else "has"
        return f"{self.spoken[0].upper()}{self.spoken[1:]} {verb} passed."


Intent = TimerRequest | ClockReminder | CueRequest | CancelTimers | ModifyTimer

_YOU = {"my": "your", "me": "you", "i": "you", "i'm": "you're", "myself": "yourself", "mine": "yours",
        "i've": "you've", "i'll": "you'll", "i'd": "you'd", "am": "are", "was": "were", "we": "we"}


def to_you(words: str) -> str:
    """The user's words said back to them: 'take my pills' -> 'take your pills', 'I am late' -> 'you are late'."""
    out, prev = [], ""
    for w in words.split():
        low = w.lower()
        if low in ("am", "was") and prev not in ("i",):
            out.append(w)
        else:
            out.append(_YOU.get(low, w))
        prev = low
    return " ".join(out)


def parse_duration(text: str) -> tuple[float, str] | None:
    """'ten seconds' / '2 minutes' / 'a minute and a half' -> (seconds, how to say it)."""
    found = parse_durations(text)
    return found[0] if found else None


def parse_durations(text: str) -> list[tuple[float, str]]:
    """Every duration in text, in order: (seconds, how to say it)."""
    return [(d.seconds, d.spoken) for d in find_durations(text)]


def parse_intent(text: str) -> Intent | None:
    """The time-aware request in text (timer, reminder, cue, change, cancel), or None."""
    from presence.core.understanding import understand  # understanding builds on these classes

    action = understand(text).action
    return action if isinstance(action, Intent) else None


def spoken_content(text: str, content: str) -> str:
    """`content` (lowercase words) in the casing the user wrote it ("call Sam"), when it can be found."""
    if not content:
        return ""
    pattern = r"\W+".join(re.escape(w) for w in content.split())
    m = re.search(rf"(?<![\w']){pattern}(?![\w'])", text, re.I)
    return m.group(0) if m else content
