"""Tools: a registry of tool names for events, and deterministic tool intents.

Pure functions of the transcript (no clock, no I/O), like intents.py and skills.py:
- is_cancel_request: "never mind", "stop that", "cancel that" (cancels background work).
- deep_task_request: requests for deep work handed to the background model ("summarise what we
  talked about", "write a short plan for my week", "explain X in detail", "tell me a long story").
- convert_units: km/miles, m/feet, cm/inches, kg/lb, g/oz, C/F, computed exactly with Fractions.
- run_tool: what a model's tool call runs; arguments are untrusted data, validated, never executed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from presence.core import skills
from presence.core.skills import parse_number, tokenize

# --- cancel ------------------------------------------------------------------------------------

_LEAD = r"(?:(?:oh|um|uh|ok|okay|no|actually|sorry|please|hey|presence|well|so)\s+)*"
_TAIL = r"(?:\s+(?:please|then|now|thanks|thank you|for now|already|presence))*"
_CANCEL_CORE = (
    r"never\s*mind(?:\s+(?:that|it|this))?"
    r"|forget\s+(?:it|that|about\s+(?:it|that))"
    r"|scratch\s+that"
    r"|(?:stop|cancel|abort|drop|quit)\s+(?:that|it|this)"
    r"|cancel|abort"  # a bare "stop" means "stop talking" (barge-in), not "drop the task"
    r"|(?:stop|cancel|abort|drop|quit)\s+(?:the|that|this|your)\s+(?:task|request|summary|plan|story|job|work)"
    r"|(?:stop|quit)\s+working(?:\s+on\s+(?:that|it|this))?"
    r"|(?:you\s+can\s+|can\s+you\s+)?(?:stop|cancel)\s+(?:that|it)"
    r"|don'?t\s+bother"
)
_CANCEL = re.compile(rf"^{_LEAD}(?:{_CANCEL_CORE}){_TAIL}$")


def _normal(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def is_cancel_request(text: str) -> bool:
    """The whole utterance asks to drop what the assistant is working on ("never mind", "stop that").

    Only a short, whole-utterance match counts: "I never mind the rain" or "stop the music in
    five minutes" are not cancels (the timer parser sees the latter).
    """
    return bool(_CANCEL.match(_normal(text)))


@dataclass(frozen=True)
class CancelTask:
    """Cancel background work. ack() depends on whether anything was running."""

    def ack(self, cancelled: int = 1) -> str:
        return "Okay, I've stopped working on that." if cancelled else "Okay."


# --- deep tasks --------------------------------------------------------------------------------

# Whisper often hears an opening "Write a ..." as "Right a ..." or "Ride a ..." (measured on our
# own task scenario): at the start of a request, before an article, it is the imperative.
_WRITE_HEARD_AS = re.compile(r"^(?:right|rite|ride|wright)\b(?= (?:me |up )?(?:a|an|the|my)\b)")

_DEEP: list[tuple[str, re.Pattern[str]]] = [
    ("summary", re.compile(
        r"\b(?:summari[sz]e|sum up|recap|give me (?:a |the )?(?:summary|recap|rundown|overview))\b")),
    ("plan", re.compile(
        r"\b(?:write|make|draw up|create|come up with|put together|draft|give me|prepare|plan|work out|figure out)\b.*?"
        r"\b(?:plan|schedule|itinerary|outline|checklist|to ?do list|timetable|agenda|budget|routine|meal plan)\b"
        r"|\bplan (?:out )?(?:my|our|the|a|an|some) (?:\w+ ){0,3}?(?:day|week|weekend|month|trip|holiday|vacation"
        r"|evening|morning|party|menu|route|wedding|event|dinner|meals?|workout|birthday|visit|move|garden|project"
        r"|lesson|course|study|year|journey|tour|night|celebration|meeting|picnic)s?\b")),
    ("story", re.compile(
        r"\b(?:tell|write|make up|invent)\b.*?\b(?:long|whole|full|detailed|bedtime)\s+(?:story|tale)\b"
        r"|\bwrite (?:me )?(?:a|an) (?:short )?(?:story|tale|poem)\b")),
    ("explanation", re.compile(
        r"\b(?:explain|describe|walk me through|tell me about)\b.*?"
        r"\b(?:in (?:detail|depth|full)|step by step|thoroughly|in great detail|properly)\b"
        r"|\b(?:detailed|in depth|thorough|step by step) (?:explanation|answer|description|guide)\b")),
    ("writing", re.compile(
        r"\b(?:write|draft|compose|outline|prepare|create|make|put together|come up with|brainstorm|draw up"
        r"|generate|give me)\b (?:me |up |out )?(?:a|an|the|some|my|\d+|two|three|four|five|six|seven|eight|nine|ten"
        r"|twenty)\b.*?"
        r"\b(?:email|e mail|letter|essay|report|article|message|speech|cover letter|review|list|guide|note|card"
        r"|blog post|post|toast|invitation|announcement|script|lyrics|proposal|resume|cv|questions|quiz|menu"
        r"|shopping list|reading list|packing list|playlist|bio|biography|newsletter|press release|summary|tutorial"
        r"|story|poem|slogans?|agenda|itinerary|workout|recipes?)s?\b")),
]


def deep_task_request(text: str) -> str | None:
    """The kind of deep work asked for ("summary", "plan", "story", "explanation", "writing") or None."""
    t = _WRITE_HEARD_AS.sub("write", _normal(text))
    if not t or is_cancel_request(t):
        return None
    for kind, pattern in _DEEP:
        if pattern.search(t):
            return kind
    return None


@dataclass(frozen=True)
class DeepTask:
    kind: str
    request: str  # the user's words

    def ack(self) -> str:
        return "Let me work that out."


def parse_tool_intent(text: str) -> CancelTask | DeepTask | None:
    """Cancel first (so "never mind the summary" cancels), then deep work; None otherwise."""
    if is_cancel_request(text):
        return CancelTask()
    kind = deep_task_request(text)
    return DeepTask(kind, text.strip()) if kind else None


# --- unit conversion ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    dimension: str
    factor: Fraction  # in the dimension's base unit (metre, kilogram)
    singular: str
    plural: str


_LENGTH = {
    "km": Unit("length", Fraction(1000), "kilometre", "kilometres"),
    "mile": Unit("length", Fraction(1609344, 1000), "mile", "miles"),
    "m": Unit("length", Fraction(1), "metre", "metres"),
    "cm": Unit("length", Fraction(1, 100), "centimetre", "centimetres"),
    "mm": Unit("length", Fraction(1, 1000), "millimetre", "millimetres"),
    "inch": Unit("length", Fraction(254, 10000), "inch", "inches"),
    "foot": Unit("length", Fraction(3048, 10000), "foot", "feet"),
    "yard": Unit("length", Fraction(9144, 10000), "yard", "yards"),
}
_MASS = {
    "kg": Unit("mass", Fraction(1), "kilogram", "kilograms"),
    "g": Unit("mass", Fraction(1, 1000), "gram", "grams"),
    "lb": Unit("mass", Fraction(45359237, 100000000), "pound", "pounds"),
    "oz": Unit("mass", Fraction(45359237, 1600000000), "ounce", "ounces"),
    "stone": Unit("mass", Fraction(45359237 * 14, 100000000), "stone", "stone"),
}
_TEMP = {
    "c": Unit("temperature", Fraction(1), "degree Celsius", "degrees Celsius"),
    "f": Unit("temperature", Fraction(1), "degree Fahrenheit", "degrees Fahrenheit"),
}
_TIME = {
    "second": Unit("time", Fraction(1), "second", "seconds"),
    "minute": Unit("time", Fraction(60), "minute", "minutes"),
    "hour": Unit("time", Fraction(3600), "hour", "hours"),
    "day": Unit("time", Fraction(86400), "day", "days"),
    "week": Unit("time", Fraction(604800), "week", "weeks"),
}
_UNITS = _LENGTH | _MASS | _TEMP | _TIME
_ALIASES = {
    "km": "km", "kms": "km", "kilometer": "km", "kilometers": "km", "kilometre": "km", "kilometres": "km",
    "mile": "mile", "miles": "mile", "mi": "mile",
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "cm": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
    "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm",
    "inch": "inch", "inches": "inch",
    "ft": "foot", "foot": "foot", "feet": "foot",
    "yard": "yard", "yards": "yard", "yd": "yard", "yds": "yard",
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg",
    "kilogramme": "kg", "kilogrammes": "kg",
    "g": "g", "gram": "g", "grams": "g", "gramme": "g", "grammes": "g",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "oz": "oz", "ounce": "oz", "ounces": "oz",
    "stone": "stone", "stones": "stone",
    "c": "c", "celsius": "c", "centigrade": "c", "f": "f", "fahrenheit": "f",
    "second": "second", "seconds": "second", "sec": "second", "secs": "second",
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week",
}
_CONVERT_CUE = re.compile(r"\b(?:convert|to|into|in|as|how many|how much|what's|what is|equals?)\b")
_SKIP = {"degree", "degrees", "deg", "square"}


def _unit_at(toks: list[str], i: int) -> tuple[str | None, int]:
    """The unit named at toks[i] (skipping 'degrees'), and how many tokens it took."""
    j = i
    while j < len(toks) and toks[j] in _SKIP:
        if toks[j] == "square":
            return None, 0  # areas are not supported: better no answer than a wrong one
        j += 1
    if j < len(toks) and toks[j] in _ALIASES:
        return _ALIASES[toks[j]], j - i + 1
    return None, 0  # includes "100 degrees" alone: not enough to know the scale


def _amount(value: Fraction) -> tuple[str, bool]:
    """Spoken number and whether it is exact: exact up to 4 decimals, else rounded to 2 (3 significant)."""
    for places in range(5):
        scaled = value * 10 ** places
        if scaled.denominator == 1:
            s = f"{float(value):.{places}f}" if places else str(value.numerator)
            return s, True
    v = float(value)
    s = f"{v:.2f}" if abs(v) >= 1 else f"{v:.3g}"
    return s.rstrip("0").rstrip(".") if "." in s else s, False


def _name(unit: Unit, amount: str) -> str:
    return unit.singular if amount in ("1", "-1") else unit.plural


def convert(value: Fraction, src: str, dst: str) -> Fraction:
    """Exact conversion between two unit keys of the same dimension."""
    a, b = _UNITS[src], _UNITS[dst]
    if a.dimension != b.dimension:
        raise ValueError(f"cannot convert {a.plural} to {b.plural}")
    if a.dimension == "temperature":
        if src == dst:
            return value
        return value * Fraction(9, 5) + 32 if src == "c" else (value - 32) * Fraction(5, 9)
    return value * a.factor / b.factor


def convert_units(text: str) -> str | None:
    """'How many miles is 10 km?' -> '10 kilometres is about 6.21 miles.'; None if not a conversion."""
    t = text.lower().replace("°", " degrees ")
    if not _CONVERT_CUE.search(t) or re.search(r"\bday of the week\b|\bdays? (?:from now|ago)\b", t):
        return None  # "what day of the week will it be in three days": a date, not a conversion
    toks = tokenize(t)
    for i in range(len(toks)):
        if toks[i] in ("a", "an") and _unit_at(toks, i + 1)[0] is not None:
            value, used = Fraction(1), 1  # "in a kilo"
        else:
            parsed, used = parse_number(toks[i:])
            if parsed is None or (i > 0 and parse_number(toks[i - 1:])[1] > used):
                continue  # not a number, or the middle of one ("twenty FIVE")
            value = parsed
        src, used_u = _unit_at(toks, i + used)
        if src is None:
            continue
        if i > 0 and toks[i - 1] in ("minus", "negative"):
            value = -value
        rest = toks[:i] + toks[i + used + used_u:]
        for j in range(len(rest)):
            dst, _ = _unit_at(rest, j)
            if dst is not None and dst != src and _UNITS[dst].dimension == _UNITS[src].dimension:
                return _say(value, src, dst)
        return None
    return None


def _say(value: Fraction, src: str, dst: str) -> str:
    a, b = _UNITS[src], _UNITS[dst]
    given, _ = _amount(value)
    result, exact = _amount(convert(value, src, dst))
    approx = "" if exact else "about "
    return f"{given} {_name(a, given)} is {approx}{result} {_name(b, result)}."


# --- the registry ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name in events, a description and JSON-schema parameters for models that call
    tools, and `run` for tools that are pure functions of their arguments (None: the runner does it)."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    run: Callable[[Mapping[str, Any], datetime], str] | None = None

    def openai_schema(self) -> dict[str, Any]:
        return {"type": "function",
                "function": {"name": self.name, "description": self.description, "parameters": dict(self.parameters)}}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


def _unit_key(name: Any) -> str | None:
    words = [w for w in re.findall(r"[a-z]+", str(name or "").lower()) if w not in _SKIP]
    return _ALIASES.get(words[-1]) if words else None


MAX_TOOL_NUMBER = 10**15  # larger (or non-finite) values from a model are refused, not computed


def _run_convert(args: Mapping[str, Any], now: datetime) -> str:
    try:
        value = Fraction(str(args["value"])[:100])
    except (KeyError, ValueError, TypeError, ZeroDivisionError):
        return "error: value must be a number"
    if abs(value) > MAX_TOOL_NUMBER:
        return "error: value is out of range (at most 10^15)"
    src, dst = _unit_key(args.get("from_unit")), _unit_key(args.get("to_unit"))
    if src is None or dst is None:
        return f"error: supported units are {', '.join(sorted(set(_ALIASES.values())))}"
    if _UNITS[src].dimension != _UNITS[dst].dimension:
        return f"error: cannot convert {_UNITS[src].plural} to {_UNITS[dst].plural}"
    return _say(value, src, dst)


def _run_calculate(args: Mapping[str, Any], now: datetime) -> str:
    expression = str(args.get("expression", ""))[:200]
    answer = skills.arithmetic(expression if re.search(r"\bwhat\b", expression) else f"what is {expression}")
    return answer or "error: only + - * / on numbers are supported"


def _run_date_time(args: Mapping[str, Any], now: datetime) -> str:
    return f"It is {now.strftime('%-I:%M %p')} on {now.strftime('%A, %B %-d, %Y')}."


TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in [
    ToolSpec("timer", "Say something after a number of seconds (a reminder says its words).",
             _obj(seconds={"type": "number"})),
    ToolSpec("cue_watch", "Answer whenever the user says a word.", _obj(word={"type": "string"})),
    ToolSpec("cancel_timers", "Cancel all timers.", _obj()),
    ToolSpec("cancel_timer", "Cancel the timer or reminder the user described.", _obj(id={"type": "string"})),
    ToolSpec("cancel_cues", "Stop answering a cue word (or all of them).", _obj()),
    ToolSpec("deep_task", "Hand a long or multi-step request to the background model.",
             _obj(kind={"type": "string"}, request={"type": "string"})),
    ToolSpec("cancel_task", "Stop the background work in progress.", _obj()),
    ToolSpec("convert_units", "Convert a quantity between units of length, mass or temperature.",
             _obj(value={"type": "number"}, from_unit={"type": "string"}, to_unit={"type": "string"}),
             _run_convert),
    ToolSpec("calculate", "Exact arithmetic: + - * / on numbers, e.g. '12 times 7 plus 3'.",
             _obj(expression={"type": "string"}), _run_calculate),
    ToolSpec("date_time", "The current date and time.", _obj(), _run_date_time),
    ToolSpec("read_screen", "The text now on the user's screen (when screen reading is allowed).", _obj()),
]}
TOOL_NAMES = tuple(TOOLS)
MODEL_TOOLS = ("convert_units", "calculate", "date_time")  # tools a model may call in background work


def openai_tools(names: tuple[str, ...] = MODEL_TOOLS) -> list[dict[str, Any]]:
    return [TOOLS[n].openai_schema() for n in names]


def run_tool(name: str, arguments: Mapping[str, Any] | None, now: datetime) -> str:
    """Run a pure tool a model asked for. Unknown tools and bad arguments give an 'error: ...' string."""
    spec = TOOLS.get(name)
    if spec is None or spec.run is None:
        return f"error: no tool named {name!r} can be called here"
    if not isinstance(arguments, Mapping):
        return "error: arguments must be a JSON object"
    try:
        return spec.run(arguments, now)
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:  # 1e5000, nan, a huge exponent...
        return f"error: {name} could not use these arguments ({type(exc).__name__})"
