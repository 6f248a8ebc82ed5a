"""Deterministic skills for what a tiny model cannot be trusted with: arithmetic, date and time.

Pure functions of the transcript (and an injected datetime); None means "not mine".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from fractions import Fraction

_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
NUMBER_WORDS: dict[str, int | Fraction] = {w: i for i, w in enumerate(_UNITS)}
NUMBER_WORDS |= {w: 20 + 10 * i for i, w in enumerate(_TENS)}
NUMBER_WORDS |= {"a": 1, "an": 1, "half": Fraction(1, 2)}

_APPLY: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}
_OPS = {
    "plus": "+", "+": "+", "add": "+", "and": "+",
    "minus": "-", "-": "-", "less": "-",
    "times": "*", "x": "*", "*": "*", "multiplied": "*",
    "divided": "/", "/": "/", "over": "/",
}
_FILLER = {"a", "by", "to", "is", "what", "what's", "whats", "equals", "equal", "the", "of", "please",
           "calculate", "compute", "how", "much", "many", "tell", "me", "can", "you", "and", "it"}


def parse_number(tokens: list[str]) -> tuple[Fraction | None, int]:
    """Longest number at the start of tokens (digits or words); returns (value, tokens used)."""
    if not tokens:
        return None, 0
    t = tokens[0]
    if re.fullmatch(r"-?\d+(\.\d+)?", t):
        return Fraction(t), 1
    total: int | Fraction = 0
    current: int | Fraction = 0
    used = 0
    for tok in tokens:
        if tok in ("a", "an", "half") and used:
            break
        if tok in NUMBER_WORDS and tok not in ("a", "an", "half"):
            current += NUMBER_WORDS[tok]
        elif tok in _SCALES and used:
            current = max(current, 1) * _SCALES[tok]
            if _SCALES[tok] >= 1000:
                total, current = total + current, 0
        elif tok == "and" and used and len(tokens) > used + 1 and tokens[used + 1] in NUMBER_WORDS:
            pass  # "one hundred and five"
        else:
            break
        used += 1
    if not used:
        return None, 0
    return Fraction(total + current), used


def tokenize(text: str) -> list[str]:
    text = text.lower().replace("×", " x ").replace("÷", " / ")
    text = re.sub(r"(\d)([+*/x-])(\d)", r"\1 \2 \3", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    # a hyphen touching a word joins words ("twenty-one", Whisper's "seven-times-eight"); only one
    # between two numbers ("10-3") is a minus
    text = re.sub(r"(?<=[a-z])-(?=[a-z0-9])|(?<=[0-9])-(?=[a-z])", " ", text)
    return re.findall(r"-?\d+(?:\.\d+)?|[a-z']+|[+*/-]", text)


def _format(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.6g}"


def arithmetic(text: str) -> str | None:
    """'What is seven times eight?' -> 'Seven times eight is 56.'"""
    toks = [t for t in tokenize(text) if t not in ("by", "to", "is", "equals")]
    i = 0
    while i < len(toks) and parse_number(toks[i:])[1] == 0:
        i += 1
    left, used = parse_number(toks[i:])
    if left is None:
        return None
    j = i + used
    words_used = toks[i:j]
    ops = []
    while j < len(toks):
        op = _OPS.get(toks[j])
        if op is None:
            break
        right, used_r = parse_number(toks[j + 1:])
        if right is None:
            break
        ops.append((op, right))
        words_used += toks[j:j + 1 + used_r]
        j += 1 + used_r
    if not ops or any(t not in _FILLER for t in toks[:i]):
        return None
    value = left
    try:
        for op, right in ops:
            if op == "/" and not right:
                return "You can't divide by zero."
            value = _APPLY[op](value, right)
    except ZeroDivisionError:
        return "You can't divide by zero."
    spoken = " ".join(words_used)
    return f"{spoken[0].upper()}{spoken[1:]} is {_format(value)}."


def _number_after(toks: list[str], i: int) -> Fraction | None:
    value, used = parse_number(toks[i:])
    return value if used else None


def _number_before(toks: list[str], i: int) -> Fraction | None:
    """The number that ends just before toks[i] ("fifteen", "one hundred and five", "12")."""
    for start in range(max(0, i - 4), i):
        value, used = parse_number(toks[start:i])
        if used == i - start:
            return value
    return None


def powers_and_percent(text: str) -> str | None:
    """'15 percent of 200', 'the square root of 144', '7 squared', '3 cubed' -> exact answers."""
    toks = tokenize(text.replace("%", " percent"))
    for i, t in enumerate(toks):
        if t in ("percent", "per") and toks[i + 1:i + 2] in (["of"], ["cent"]):
            j = i + 2 if toks[i + 1] == "of" else i + 3
            part, whole = _number_before(toks, i), _number_after(toks, j)
            if part is not None and whole is not None:
                return f"{_format(part)} percent of {_format(whole)} is {_format(part * whole / 100)}."
        if t in ("squared", "cubed"):
            base = _number_before(toks, i)
            if base is not None:
                return f"{_format(base)} {t} is {_format(base ** (2 if t == 'squared' else 3))}."
        if t in ("square", "cube") and toks[i + 1:i + 3] == ["root", "of"]:
            n = _number_after(toks, i + 3)
            if n is not None and n >= 0:
                root = float(n) ** (0.5 if t == "square" else 1 / 3)
                exact = round(root)
                value = Fraction(exact) if Fraction(exact) ** (2 if t == "square" else 3) == n else Fraction(root)
                return f"The {t} root of {_format(n)} is {_format(value)}."
    return None


_OFFSETS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def _offset_days(t: str) -> int | None:
    """today, tomorrow, yesterday, in three days, three days ago: days from now, or None."""
    m = re.search(r"\bin (\w+) days?\b|\b(\w+) days? (?:ago|from now)\b", t)
    if m:
        word = m.group(1) or m.group(2)
        n = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
        if isinstance(n, int):
            return -n if "ago" in m.group(0) else n
    for word, days in _OFFSETS.items():
        if re.search(rf"\b{word}\b|\b{word}'s\b", t):
            return days
    return None


def date_time(text: str, now: datetime) -> str | None:
    t = text.lower().replace("\u2019", "'")
    if re.search(r"\bwhat('s| is)? (the )?time\b|\bwhat time is it\b", t):
        return f"It's {now.strftime('%-I:%M %p')}."
    if re.search(r"\b(what|which)('s| is)? (the )?(current )?year\b|\bwhat year (is it|are we in)\b", t):
        year = now.year + (1 if "next year" in t else -1 if "last year" in t else 0)
        return f"{'Next year is' if 'next year' in t else 'Last year was' if 'last year' in t else 'It is'} {year}."
    if re.search(r"\b(what|which) month\b", t) and re.search(r"\b(is it|are we|it is|now|this month|current)\b", t):
        return f"It is {now.strftime('%B')}."
    days = _offset_days(t)
    about_now = days is not None or re.search(r"\b(is|was) it\b|\bwill it be\b|\bare we\b|\bit is\b", t)
    if " of " in t.split("date", 1)[-1][:4] or re.search(r"\bdate of\b", t):
        return None  # "the date of the moon landing": not today's
    if about_now and re.search(r"\b(what|which) day (of the week )?(is|was|will)\b|\bday of the week\b", t):
        d = now + timedelta(days=days or 0)
        when = {0: "Today is", 1: "Tomorrow is", -1: "Yesterday was"}.get(days or 0, "It will be" if (days or 0) > 0
                                                                          else "It was")
        return f"{when} {d.strftime('%A')}."
    if (about_now or "date" in t) and re.search(
            r"\bwhat('s| is)? (the )?(date|day)\b|\bwhat day is it\b|\b(today|tomorrow|yesterday)'s date\b"
            r"|\bwhat (is )?the date\b", t):
        d = now + timedelta(days=days or 0)
        when = {0: "Today is", 1: "Tomorrow is", -1: "Yesterday was"}.get(days or 0, "That is")
        return f"{when} {d.strftime('%A, %B %-d, %Y')}."
    return None


def answer(text: str, now: datetime) -> str | None:
    """A skill's exact answer to the transcript, or None when no skill applies."""
    return date_time(text, now) or powers_and_percent(text) or arithmetic(text)
