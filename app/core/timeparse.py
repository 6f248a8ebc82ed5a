"""One parser for time in transcripts: durations ("ten seconds", "1.5 minutes", "a minute and a
half", "90 secs", "half an hour", "an hour and a quarter") and clock times ("5:30", "5.30 pm",
"half past five", "quarter to six", "at 17:45", "noon", "five thirty").

Pure functions of the text (no clock: the caller passes `now`). Whisper writes numbers as words
or digits, so both are read, with presence.core.skills.parse_number. Each time found carries its
token span, so the intent rules can cut it out of the sentence and keep the rest ("remind me in
ten minutes to call Sam" -> "remind me to call sam").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from presence.core.skills import parse_number

UNIT_SECONDS = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600,
}
_FRACTIONS = {"half": Fraction(1, 2), "quarter": Fraction(1, 4)}
MERIDIEMS = ("am", "pm")
_CLOCK_LEAD = {"at", "by", "until", "till", "til", "around"}
_HOUR_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "eleven": 11, "twelve": 12}


def tokens(text: str) -> list[str]:
    """Lowercase words and numbers; clock tokens ("5:30") stay whole, "a.m." becomes "am"."""
    t = text.lower().replace("’", "'")
    t = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", t)  # a.m. / p. m.
    t = re.sub(r"(?<=\d)\s?([ap])\s?m\b\.?", r" \1m", t)  # 5pm / 5 p m
    t = re.sub(r"\bo'?\s?clock\b", " oclock ", t)
    t = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", " ", t)  # twenty-five, 10-minute
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    return re.findall(r"\d{1,2}:\d{2}|\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)*", t)


def _number(toks: list[str], i: int) -> tuple[Fraction | None, int]:
    """A number at toks[i] (digits or words): (value, index after it). "one and a half" stops at "one"."""
    if i >= len(toks):
        return None, i
    if toks[i] in ("a", "an") and i + 1 < len(toks) and toks[i + 1] in ("hundred", "thousand"):
        value, used = parse_number(["one", *toks[i + 1:i + 4]])
        return value, i + used
    n = 1
    while n < 6 and i + n < len(toks) and not _run_breaks(toks[i + n - 1], toks[i + n]):
        n += 1
    value, used = parse_number(toks[i:i + n])
    while used and toks[i + used - 1] == "and":
        used -= 1
        value, used = parse_number(toks[i:i + used])
    return value, i + used


_SMALL = set(_HOUR_WORDS) | {"thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                              "zero"}
_TENS_WORDS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}


def _run_breaks(prev: str, tok: str) -> bool:
    """Two number words that are two numbers, not one: "one two", "five ten", "five thirty"."""
    return prev in _SMALL and (tok in _SMALL or tok in _TENS_WORDS) or prev in _TENS_WORDS and tok in _TENS_WORDS \
        or prev.replace(".", "").isdigit() and (tok.replace(".", "").isdigit() or tok in _SMALL or tok in _TENS_WORDS)


# --- durations ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Duration:
    seconds: float
    start: int  # token span in tokens(text)
    end: int

    @property
    def spoken(self) -> str:
        return say_duration(self.seconds)


def _amount(toks: list[str], i: int) -> tuple[Fraction | None, int]:
    """How many units: a number, "a"/"an", "a couple of", "a few"; with "and a half" before the unit."""
    if i >= len(toks):
        return None, i
    tok = toks[i]
    if tok in ("a", "an", "one") and toks[i + 1:i + 2] == ["couple"]:
        return Fraction(2), i + (3 if toks[i + 2:i + 3] == ["of"] else 2)
    if tok in ("couple",):
        return Fraction(2), i + (2 if toks[i + 1:i + 2] == ["of"] else 1)
    if tok == "a" and toks[i + 1:i + 2] == ["few"]:
        return Fraction(3), i + 2
    if tok in ("a", "an", "another") and toks[i + 1:i + 2] not in (["hundred"], ["thousand"]):
        return Fraction(1), i + 1
    value, j = _number(toks, i)
    if value is None:
        return None, i
    frac = _and_fraction(toks, j)
    if frac is not None and j + 3 < len(toks) + 1 and _unit(toks, frac[1]):
        return value + frac[0], frac[1]  # "one and a half minutes"
    return value, j


def _and_fraction(toks: list[str], j: int) -> tuple[Fraction, int] | None:
    """ "and a half" / "and a quarter" / "and three quarters" at toks[j]: (fraction, index after)."""
    if toks[j:j + 1] != ["and"]:
        return None
    if toks[j + 1:j + 2] in (["a"], ["one"]) and toks[j + 2:j + 3] and toks[j + 2] in _FRACTIONS:
        return _FRACTIONS[toks[j + 2]], j + 3
    if toks[j + 1:j + 3] == ["three", "quarters"]:
        return Fraction(3, 4), j + 3
    return None


def _unit(toks: list[str], j: int) -> int:
    return UNIT_SECONDS.get(toks[j], 0) if j < len(toks) else 0


def _simple_duration_at(toks: list[str], i: int) -> tuple[Fraction, int, int] | None:
    """One unit's worth at toks[i]: (seconds, the unit's seconds, index after)."""
    tok = toks[i]
    # half an hour / half a minute
    if tok == "half" and toks[i + 1:i + 2] in (["an"], ["a"]) and (u := _unit(toks, i + 2)):
        return Fraction(u, 2), u, i + 3
    # (a) quarter (of) (an) hour, three quarters of an hour
    k = i
    share = Fraction(1, 4)
    if toks[k:k + 2] == ["three", "quarters"]:
        share, k = Fraction(3, 4), k + 1
    elif tok in ("a", "one") and toks[k + 1:k + 2] == ["quarter"]:
        k += 1
    if toks[k:k + 1] in (["quarter"], ["quarters"]):
        k += 1
        if toks[k:k + 1] == ["of"]:
            k += 1
        if toks[k:k + 1] in (["an"], ["a"]):
            k += 1
        if _unit(toks, k) == 3600:
            return share * 3600, 3600, k + 1
        return None
    value, j = _amount(toks, i)
    if value is None or not (u := _unit(toks, j)):
        return None
    seconds, j = value * u, j + 1
    frac = _and_fraction(toks, j)
    if frac is not None:  # a minute and a half, an hour and a quarter
        seconds, j = seconds + frac[0] * u, frac[1]
    return seconds, u, j


def _duration_at(toks: list[str], i: int) -> tuple[Fraction, int] | None:
    """A duration at toks[i], compounds included ("one hour and thirty minutes", "2 minutes 10 seconds")."""
    first = _simple_duration_at(toks, i)
    if first is None:
        return None
    seconds, unit, j = first
    while j < len(toks):
        k = j + 1 if toks[j] == "and" else j
        more = _simple_duration_at(toks, k) if k < len(toks) else None
        if more is None or more[1] >= unit or toks[k] in ("a", "an"):  # "... and a reminder" is no compound
            break
        seconds, unit, j = seconds + more[0], more[1], more[2]
    return seconds, j


def find_durations(toks: list[str]) -> list[Duration]:
    """Every duration in the tokens, in order, without overlaps."""
    found: list[Duration] = []
    i = 0
    while i < len(toks):
        if toks[i] in ("half", "quarter") and toks[i + 1:i + 2] in (["past"], ["pass"], ["to"], ["after"]):
            i += 2  # half past five is a clock time
            continue
        hit = _duration_at(toks, i)
        if hit is None:
            i += 1
            continue
        seconds, j = hit
        found.append(Duration(float(seconds), i, j))
        i = j
    return found


def parse_durations(text: str) -> list[Duration]:
    return find_durations(tokens(text))


def parse_duration(text: str) -> Duration | None:
    """The first duration in text: '90 secs' -> 90.0, 'half an hour' -> 1800.0."""
    found = parse_durations(text)
    return found[0] if found else None


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """0..99 in words ("forty-five"); larger numbers as digits (the voice reads them)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    return str(n)


def _count(n: Fraction, singular: str) -> str:
    if n == 1:
        return f"one {singular}"
    if n.denominator == 2:
        whole = int(n)
        if whole:
            return f"{number_words(whole)} and a half {singular}s"
        return f"half an {singular}" if singular == "hour" else f"half a {singular}"
    if n.denominator == 1:
        return f"{number_words(int(n))} {singular}s"
    return f"{float(n):g} {singular}s"


def say_duration(seconds: float) -> str:
    """How to say a duration: 10 -> 'ten seconds', 90 -> 'a minute and a half', 4500 -> 'one hour and
    fifteen minutes'."""
    total = Fraction(seconds).limit_denominator(1000)
    if total == 90:
        return "a minute and a half"
    if total == 5400:
        return "an hour and a half"
    parts: list[str] = []
    for unit, name in ((3600, "hour"), (60, "minute"), (1, "second")):
        if total >= unit or (unit == 1 and not parts):
            if unit > 1 and (total / unit).denominator == 2 and not parts:
                return _count(total / unit, name)  # two and a half minutes
            whole = int(total // unit) if unit > 1 else total
            if whole:
                parts.append(_count(Fraction(whole), name))
            total -= whole * unit
    return " and ".join(parts) if parts else "zero seconds"


def plural_duration(spoken: str) -> bool:
    """'ten seconds have passed' but 'a minute and a half has passed', 'one minute has passed'."""
    return spoken.split()[-1] in ("seconds", "minutes", "hours", "secs", "mins", "hrs")


# --- clock times -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClockTime:
    hour: int  # as said: 5 for "five thirty", 17 for "17:45", 5 for "quarter to six"
    minute: int
    meridiem: str | None = None  # "am" / "pm" when said
    hint: str | None = None  # "am" / "pm" from "in the morning", "tonight"; "noon" / "midnight"
    tomorrow: bool = False
    start: int = 0
    end: int = 0

    @property
    def slot(self) -> str:
        """'H:MM' as said: '5:30', '17:45'; noon is '12:00', midnight '0:00'."""
        return f"{self.hour}:{self.minute:02d}"

    @property
    def spoken(self) -> str:
        if self.hint == "noon":
            return "noon"
        if self.hint == "midnight":
            return "midnight"
        hour = self.hour
        text = f"{hour}" if not self.minute and self.meridiem else f"{hour}:{self.minute:02d}"
        return f"{text} {self.meridiem.upper()}" if self.meridiem else text

    def hours24(self) -> list[int]:
        """The hours of the day it may mean: one when known, morning and evening when not ("at five")."""
        part = self.meridiem or (self.hint if self.hint in MERIDIEMS else None)
        if self.hint == "noon":
            return [12]
        if part is not None and 1 <= self.hour <= 12:
            return [self.hour % 12 + (12 if part == "pm" else 0)]
        if self.hour == 0 or self.hour > 12:
            return [self.hour % 24]
        return [self.hour % 12, self.hour % 12 + 12]

    def next_after(self, now: datetime) -> datetime:
        """The next time of day it names, after now (tomorrow's when said, or when today's is past)."""
        best: datetime | None = None
        for h in self.hours24():
            at = now.replace(hour=h, minute=self.minute, second=0, microsecond=0)
            if self.tomorrow:
                at += timedelta(days=1)
            while at <= now:
                at += timedelta(days=1)
            best = at if best is None or at < best else best
        assert best is not None
        return best

    def seconds_after(self, now: datetime) -> float:
        return (self.next_after(now) - now).total_seconds()


def _hour_at(toks: list[str], i: int) -> tuple[int, int] | None:
    """An hour at toks[i]: digits 0-23 or a word one..twelve; (hour, index after)."""
    if i >= len(toks):
        return None
    tok = toks[i]
    if tok.isdigit() and int(tok) <= 23:
        return int(tok), i + 1
    if tok in _HOUR_WORDS:
        return _HOUR_WORDS[tok], i + 1
    return None


def _minute_words(toks: list[str], i: int) -> tuple[int, int] | None:
    """Minutes said after an hour: "thirty", "forty five", "oh five", "15"; (minute, index after)."""
    if i >= len(toks):
        return None
    if toks[i] in ("oh", "o") and i + 1 < len(toks) and toks[i + 1] in _ONES[1:10]:
        return _ONES.index(toks[i + 1]), i + 2
    if toks[i].isdigit() and len(toks[i]) == 2 and int(toks[i]) < 60:
        return int(toks[i]), i + 1
    value, j = _number(toks, i)
    if value is None or value.denominator != 1 or not 10 <= value < 60 or toks[i].isdigit():
        return None
    return int(value), j


def _meridiem_at(toks: list[str], j: int) -> tuple[str | None, str | None, int]:
    """(meridiem said, hint, index after) at toks[j]: "pm", "in the morning", "tonight"."""
    m = None
    if toks[j:j + 1] == ["oclock"]:
        j += 1
    if j < len(toks) and toks[j] in MERIDIEMS:
        m, j = toks[j], j + 1
    rest = toks[j:j + 3]
    hint = None
    if rest[:3] == ["in", "the", "morning"]:
        hint, j = "am", j + 3
    elif rest[:3] in (["in", "the", "afternoon"], ["in", "the", "evening"]):
        hint, j = "pm", j + 3
    elif rest[:2] == ["at", "night"] or rest[:1] == ["tonight"]:
        hint, j = "pm", j + (2 if rest[:1] == ["at"] else 1)
    return m, hint, j


def _clock_at(toks: list[str], i: int, lead: bool) -> ClockTime | None:
    """A clock time starting at toks[i]; `lead`: a word like "at" comes just before it."""
    tok = toks[i]
    if tok in ("noon", "midday"):
        return ClockTime(12, 0, None, "noon", start=i, end=i + 1)
    if tok == "midnight":
        return ClockTime(0, 0, None, "midnight", start=i, end=i + 1)
    if re.fullmatch(r"\d{1,2}:\d{2}", tok):
        h, m = map(int, tok.split(":"))
        if h > 23 or m > 59:
            return None
        mer, hint, j = _meridiem_at(toks, i + 1)
        return ClockTime(h, m, mer, hint, start=i, end=j)
    if re.fullmatch(r"\d{1,2}\.\d{2}", tok):  # Whisper's "5.30 pm"
        h, m = map(int, tok.split("."))
        mer, hint, j = _meridiem_at(toks, i + 1)
        if h > 23 or m > 59 or _unit(toks, i + 1) or not (lead or mer):
            return None
        return ClockTime(h, m, mer, hint, start=i, end=j)
    if lead and re.fullmatch(r"\d{3,4}", tok) and int(tok[-2:]) < 60 and int(tok[:-2]) <= 23 \
            and not _unit(toks, i + 1):  # Whisper's "at 530"
        mer, hint, j = _meridiem_at(toks, i + 1)
        return ClockTime(int(tok[:-2]), int(tok[-2:]), mer, hint, start=i, end=j)
    relative = _relative_clock(toks, i, lead)
    if relative is not None:
        return relative
    hour = _hour_at(toks, i)
    if hour is None or _unit(toks, hour[1]):
        return None
    h, j = hour
    minute, has_minutes = 0, False
    mins = _minute_words(toks, j)
    if mins is not None and h <= 12 and not _unit(toks, mins[1]):
        minute, j, has_minutes = mins[0], mins[1], True
    mer, hint, end = _meridiem_at(toks, j)
    said_oclock = toks[j:j + 1] == ["oclock"]
    if mer or said_oclock or (has_minutes and hint) or (lead and (has_minutes or hint or _bare_hour_ok(toks, j))):
        return ClockTime(h, minute, mer, hint, start=i, end=end)
    return None


def _relative_clock(toks: list[str], i: int, lead: bool) -> ClockTime | None:
    """ "half past five", "quarter to six", "ten past five", "(at) twenty to six", "(at) ten after three"."""
    k = i + 1 if toks[i] == "a" and toks[i + 1:i + 2] == ["quarter"] else i
    if toks[k] in ("half", "quarter"):
        named, minutes, k = True, (30 if toks[k] == "half" else 15), k + 1
    else:
        value, k = _number(toks, k)
        if value is None or value.denominator != 1 or not 0 < value < 60:
            return None
        named, minutes = False, int(value)
        if toks[k:k + 1] in (["minutes"], ["minute"], ["mins"]):
            k += 1
    if k >= len(toks) or toks[k] not in ("past", "pass", "passed", "after", "to", "till", "before", "of"):
        return None
    rel = "past" if toks[k] in ("pass", "passed") else toks[k]  # Whisper hears "half past five" as "half pass 5"
    hour = _hour_at(toks, k + 1)
    if hour is None or _unit(toks, hour[1]):
        return None
    mer, hint, j = _meridiem_at(toks, hour[1])
    said_as_time = lead or mer or hint or toks[hour[1]:hour[1] + 1] == ["oclock"]
    if not named and not said_as_time and rel != "past":
        return None  # "count from one to ten" is no time; "at five to six" is
    if rel in ("past", "after"):
        return ClockTime(hour[0], minutes, mer, hint, start=i, end=j)
    if minutes > 30 and not named:
        return None
    h = hour[0] - 1
    if h <= 0 and hour[0] <= 12:
        h = 12 if hour[0] == 1 else 23
    return ClockTime(h, 60 - minutes, mer, hint, start=i, end=j)


def _bare_hour_ok(toks: list[str], j: int) -> bool:
    """ "at five" ends there, or goes on with words that are no number or unit ("at five to call Sam")."""
    if j >= len(toks):
        return True
    nxt = toks[j]
    return not (_unit(toks, j) or nxt.replace(".", "").isdigit() or nxt in _ONES or nxt in _TENS
                or nxt in ("percent", "degrees", "times", "plus", "minus", "people", "of", "thousand", "hundred"))


def find_clock_time(toks: list[str]) -> ClockTime | None:
    """The first clock time in the tokens. Bare numbers ("at five") count only after at / by / until."""
    tomorrow = "tomorrow" in toks
    for i in range(len(toks)):
        lead = i > 0 and (toks[i - 1] in _CLOCK_LEAD or (toks[i - 1] == "for" and any(
            w in ("alarm", "reminder", "remind", "wake") for w in toks[max(0, i - 4):i])))
        found = _clock_at(toks, i, lead)
        if found is not None:
            hint = found.hint
            if hint is None and found.meridiem is None:
                evening = "tonight" in toks or "evening" in toks or "afternoon" in toks
                hint = "pm" if evening else "am" if "morning" in toks else None
            return ClockTime(found.hour, found.minute, found.meridiem, hint, tomorrow, found.start, found.end)
    return None


def parse_clock_time(text: str) -> ClockTime | None:
    """'at 5:30 pm' -> 5:30 pm; 'half past five' -> 5:30; 'quarter to six' -> 5:45; 'noon' -> 12:00."""
    return find_clock_time(tokens(text))
