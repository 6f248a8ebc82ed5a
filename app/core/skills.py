"""Deterministic skills for what a tiny model cannot be trusted with: arithmetic, date and time.

Pure functions of the transcript (and an injected datetime); None means "not mine".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
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


def date_time(text: str, now: datetime) -> str | None:
    t = text.lower()
    if re.search(r"\bwhat('s| is)? (the )?time\b|\bwhat time is it\b", t):
        return f"It's {now.strftime('%-I:%M %p')}."
    if re.search(r"\bwhat('s| is)? (the )?(date|day)\b|\bwhat day is it\b|\btoday's date\b", t):
        return f"Today is {now.strftime('%A, %B %-d, %Y')}."
    return None


def answer(text: str, now: datetime) -> str | None:
    """A skill's exact answer to the transcript, or None when no skill applies."""
    return date_time(text, now) or arithmetic(text)
