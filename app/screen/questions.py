"""Spoken questions about the screen ("what's this error?", "read me the second paragraph") and
the answers that code can give without a model.

Why rules and not the language model: the embedded model is tiny, and "read me the second line"
must read that line, word for word, every time. The parser keys on whole utterances (after
fillers and politeness) so ordinary questions ("what's the first line of the Gettysburg address",
"what does the fox say") do not match, and it leaves watch requests ("tell me if the build fails
on my screen") and deep tasks ("summarise my screen") to their own parsers. Screen text is only
ever quoted here: nothing on screen is parsed as a request. Pure: no Qt, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from presence.core.tools import deep_task_request
from presence.screen.reader import TextLine
from presence.screen.requests import WatchKind, matches, normalize
from presence.screen.watch import ScreenState, describe_screen


class QuestionKind(StrEnum):
    READ = "read"  # read the Nth line or paragraph
    READ_ALL = "read_all"  # "what does it say", "read me the screen"
    ERROR = "error"  # "what's this error"
    DESCRIBE = "describe"  # "what's on my screen", "look at my screen"
    ASK = "ask"  # anything else about the screen: the model answers, with the screen text


@dataclass(frozen=True)
class ScreenQuestion:
    """A question about the screen. `unit` and `index` (1-based; -1 = last) for READ only."""

    text: str  # the user's words
    kind: QuestionKind
    unit: str = ""  # "line" or "paragraph"
    index: int = 0


@dataclass(frozen=True)
class AnswerSettings:
    max_line_chars: int = 300  # a line or paragraph read aloud is cut here (at a word)
    max_read_all_chars: int = 300
    max_error_chars: int = 200


# --- parsing -------------------------------------------------------------------------------------
_LEAD = re.compile(r"^(?:(?:hey|hi|ok|okay|so|um|uh|er|presence|please|and|well|now|alright|right"
                   r"|can you|could you|would you|will you|can u|tell me|just)\s+)+")
_TAIL = re.compile(r"(?:\s+(?:please|for me|presence|thanks|thank you|right now|now))+$")
_NOT_A_QUESTION = re.compile(  # watch requests and stops belong to the watch parser
    r"\b(?:tell me|let me know|alert me|notify me|warn me|ping me|say something)\s+(?:if|when|once|as soon)\b"
    r"|\bkeep (?:an? )?(?:eye|watch)|\bwatch(?:ing)?\b|\bmonitoring\b|\bmonitor (?:my|the|it|this|for)\b"
    r"|\bstop\b|\bremind\b")

_WHAT_IS = r"what(?:'s|s| is| was)"
_PLACE = r"(?:screen|window|terminal|page|display|monitor|dialog|dialogue|popup|pop up)"
_WHERE = rf"(?:(?:on|in) (?:my|the|this|that) {_PLACE}|on screen|here|there)"
_THING = (r"(?:window|dialog|dialogue|popup|pop up|app|application|program|page|web page|website|site|message"
          r"|notification|prompt|box|button|tab|icon|file|document|code|function|chart|graph|table|picture|image"
          r"|form|setting|option|menu|link|email|warning)")
_ERR = r"(?:error|error message|exception|stack trace|traceback)"
_OF = (rf"(?:(?:of|on|in) (?:this|that|the|my) (?:{_PLACE}|{_THING}|text|error|article|list|document)"
       rf"|of (?:this|that) [a-z]+|{_WHERE})")

_ORDINALS = {
    "first": 1, "1st": 1, "one": 1, "1": 1, "top": 1, "second": 2, "2nd": 2, "two": 2, "2": 2,
    "third": 3, "3rd": 3, "three": 3, "3": 3, "fourth": 4, "4th": 4, "four": 4, "4": 4, "fifth": 5, "5th": 5,
    "five": 5, "5": 5, "sixth": 6, "6th": 6, "six": 6, "6": 6, "seventh": 7, "7th": 7, "seven": 7, "7": 7,
    "eighth": 8, "8th": 8, "eight": 8, "8": 8, "ninth": 9, "9th": 9, "nine": 9, "9": 9, "tenth": 10, "10th": 10,
    "ten": 10, "10": 10, "last": -1, "bottom": -1, "final": -1, "second last": -2, "second to last": -2,
    "next to last": -2, "penultimate": -2,
}
_ORD_WORD = (r"(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|[4-9]th|10th"
             r"|last|final|second last|second to last|next to last|penultimate")
_ORD_READ = _ORD_WORD + r"|top|bottom)"  # "the top line" only with "read": "what's the bottom line" is an idiom
_ORD = _ORD_WORD + r")"
_NUM = r"(?P<num>one|two|three|four|five|six|seven|eight|nine|ten|[1-9]|10)"
_UNIT = r"(?P<unit>line|paragraph|para)"
_READ = r"read(?: me| out| aloud| out loud| to me)*"
_AFTER_READ = r"(?: (?:to me|out|aloud|out loud|again))*"

_PATTERNS: list[tuple[QuestionKind, re.Pattern[str]]] = [(kind, re.compile(p)) for kind, p in [
    (QuestionKind.ERROR, rf"(?:{_WHAT_IS}|explain|{_READ}) (?:this|that|the) {_ERR}(?: message)?"
                         rf"(?: (?:say|saying|about|mean))?(?: {_WHERE})?{_AFTER_READ}"),
    (QuestionKind.ERROR, rf"what (?:this|that|the) {_ERR}(?: message)? (?:says|means)"),
    (QuestionKind.ERROR, rf"what does (?:this|that|the) {_ERR}(?: message)? (?:say|mean)(?: {_WHERE})?"),
    (QuestionKind.ERROR, rf"(?:what(?:'s| is| went)|whats) wrong {_WHERE}"),
    (QuestionKind.ERROR, rf"(?:is there|do you see|can you see|i have|i got|i'm getting|im getting) "
                         rf"(?:an?|any|this|that) (?:error|errors)(?: {_WHERE})?"),
    (QuestionKind.READ, rf"{_READ} (?:the )?{_ORD_READ} {_UNIT}(?: {_OF})?{_AFTER_READ}"),
    (QuestionKind.READ, rf"{_READ} {_UNIT} (?:number )?{_NUM}(?: {_OF})?{_AFTER_READ}"),
    (QuestionKind.READ, rf"(?:{_WHAT_IS}|what does) the {_ORD} {_UNIT}(?: {_OF})?(?: say)?"),
    (QuestionKind.READ_ALL, rf"{_READ} (?:the screen|my screen|this|it|the text|(?:the|this|that) (?:{_THING}|text)"
                            rf"|{_WHAT_IS} (?:on )?(?:my|the) screen|what (?:it|this|that) says"
                            rf"|{_WHAT_IS} written(?: {_WHERE})?){_AFTER_READ}"),
    (QuestionKind.READ_ALL, rf"what does (?:it|this|that|the screen|my screen|(?:the|this|that) (?:{_THING}|text)) say"
                            rf"(?: {_WHERE})?"),
    (QuestionKind.READ_ALL, rf"{_WHAT_IS} written(?: {_WHERE})?"),
    (QuestionKind.DESCRIBE, rf"{_WHAT_IS} on (?:my|the) (?:screen|monitor|display)"
                            r"|what (?:do|can) you see(?: on (?:my|the) screen)?"
                            r"|(?:have a |take a )?look at (?:my|the) screen|(?:have a |take a )?look at this"
                            r"|what am i looking at|can you see (?:my|the) screen|what(?:'s|s| is) this"
                            rf"|{_WHAT_IS} (?:this|that) {_WHERE}"
                            r"|describe (?:my|the) screen|describe what(?:'s| is) on (?:my|the) screen"),
    (QuestionKind.ASK, rf"{_WHAT_IS} (?:this|that) {_THING}(?: (?:about|for|asking|saying|telling me|doing))?"
                       rf"(?: {_WHERE})?"),
    (QuestionKind.ASK, rf"what does (?:this|that) {_THING} (?:want|mean|do|ask|need)(?: me to do)?(?: {_WHERE})?"),
    (QuestionKind.ASK, r"what does this mean|what should i (?:click|press|choose|pick) here"),
    (QuestionKind.ASK, rf"(?:which|what) {_THING} is (?:this|that|open|on (?:my|the) screen)"),
    (QuestionKind.ASK, r"(?:explain|help me with|help me understand) (?:this|what(?:'s| is) on (?:my|the) screen"
                       r"|what i(?:'m| am) looking at)"),
    (QuestionKind.ASK, r"(?:have a |take a )?look at (?:my|the) screen and .+"),
    (QuestionKind.ASK, r"(?:what|which|who|where|why|how|is|are|does|do|did|can|could|should|would|will|tell me)\b"
                       r".* (?:on|in) (?:my|the|this) (?:screen|window)\b.*"),
]]


def _normal(text: str) -> str:
    t = text.lower().replace("’", "'")
    t = re.sub(r"[^a-z0-9' ]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def parse_screen_question(text: str) -> ScreenQuestion | None:
    """A question about the screen, or None (ordinary questions, watch requests, deep tasks)."""
    whole = _normal(text)
    if not whole or _NOT_A_QUESTION.search(whole) or deep_task_request(text) is not None:
        return None
    t = _TAIL.sub("", _LEAD.sub("", whole)).strip("' ")
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(t)
        if m is None:
            continue
        if kind is not QuestionKind.READ:
            return ScreenQuestion(text.strip(), kind)
        groups = m.groupdict()
        word = groups.get("ord") or groups.get("num") or "first"
        unit = "paragraph" if groups["unit"].startswith("para") else "line"
        return ScreenQuestion(text.strip(), kind, unit, _ORDINALS[word])
    return None


# --- answers without a model ----------------------------------------------------------------------
def reading_order(lines: tuple[TextLine, ...] | list[TextLine]) -> list[TextLine]:
    """Top to bottom, then left to right within a row (as ScreenState.text() orders them)."""
    return sorted(lines, key=lambda ln: (round(ln.center[1] / 12), ln.box[0]))


def paragraphs(lines: tuple[TextLine, ...] | list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into blocks. A line joins the block above when it starts below the last line,
    overlaps the block horizontally, and the gap is under ~a line's height and not much wider than
    the block's own line spacing; a blank line, a wider gap or another column starts a new block."""
    blocks: list[list[TextLine]] = []
    for ln in reading_order([ln for ln in lines if normalize(ln.text)]):
        if blocks:
            block = blocks[-1]
            prev = block[-1]
            height = max(prev.box[3] - prev.box[1], ln.box[3] - ln.box[1], 1)
            pitch = ln.box[1] - prev.box[1]
            spacing = block[-1].box[1] - block[-2].box[1] if len(block) > 1 else None
            overlaps = ln.box[0] < max(b.box[2] for b in block) and ln.box[2] > min(b.box[0] for b in block)
            if (pitch > 0 and overlaps and ln.box[1] - prev.box[3] <= 1.2 * height
                    and (spacing is None or pitch <= 1.5 * spacing)):
                block.append(ln)
                continue
        blocks.append([ln])
    return blocks


def _ordinal_name(index: int) -> str:
    names = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
             8: "eighth", 9: "ninth", 10: "tenth", -1: "last", -2: "second to last"}
    return names.get(index, f"number {index}")


def _shorten(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0] + " ..."


def _quote(text: str) -> str:
    return text if text.endswith((".", "!", "?", "...")) else text + "."


def read_block(question: ScreenQuestion, state: ScreenState, settings: AnswerSettings | None = None) -> str:
    """'The second line says: ...' — the text itself, from the screen state; never a model's guess."""
    s = settings or AnswerSettings()
    if question.unit == "paragraph":
        units = [" ".join(ln.text.strip() for ln in block) for block in paragraphs(state.lines)]
    else:
        units = [ln.text.strip() for ln in reading_order(state.lines) if normalize(ln.text)]
    if not units:
        return "I don't see any text on your screen."
    i = question.index - 1 if question.index > 0 else len(units) + question.index
    if not 0 <= i < len(units):
        n = len(units)
        return f"I can only see {n} {question.unit}{'' if n == 1 else 's'} of text on your screen."
    return f"The {_ordinal_name(question.index)} {question.unit} says: {_quote(_shorten(units[i], s.max_line_chars))}"


def read_all(state: ScreenState, settings: AnswerSettings | None = None) -> str:
    s = settings or AnswerSettings()
    words = [ln.text.strip() for ln in reading_order(state.lines) if normalize(ln.text)]
    if not words:
        return "I don't see any text on your screen."
    return f"It says: {_quote(_shorten('. '.join(w.rstrip('.') for w in words), s.max_read_all_chars))}"


def error_lines(state: ScreenState) -> list[str]:
    """The lines that say something failed, in reading order (the same test a failure watch uses)."""
    return [ln.text.strip() for ln in reading_order(state.lines) if matches(WatchKind.FAILURE, ln.text)]


def read_error(state: ScreenState, settings: AnswerSettings | None = None) -> str:
    s = settings or AnswerSettings()
    hits = error_lines(state)
    if not hits:
        return "I don't see an error on your screen."
    said = _shorten(". ".join(h.rstrip(".") for h in hits[:2]), s.max_error_chars)
    return f"The error says: {_quote(said)}"


def local_answer(question: ScreenQuestion, state: ScreenState, sees_image: bool = False,
                 settings: AnswerSettings | None = None) -> str | None:
    """The answer code can give, or None when a model should answer (with the screen text, and the
    screenshot when `sees_image`). Reading and errors are always done here: they must be exact."""
    if question.kind is QuestionKind.READ:
        return read_block(question, state, settings)
    if question.kind is QuestionKind.READ_ALL:
        return read_all(state, settings)
    if question.kind is QuestionKind.ERROR:
        return read_error(state, settings)
    if sees_image:
        return None
    if question.kind is QuestionKind.DESCRIBE or not state.lines:
        return describe_screen(state)
    return None


def model_question(question: ScreenQuestion) -> str:
    """The question as put to the model, asking for a short spoken answer."""
    return f"{question.text.strip()}\n(About my screen. Answer in one or two short spoken sentences.)"


PAUSED_ANSWER = "Screen capture is paused. Resume it in the tray menu, then ask me again."
NO_SCREEN_ANSWER = ("I can't see your screen: screen capture is off. Turn on 'Capture the screen' in Settings, "
                    "under Screen, then ask me again.")
UNREADABLE_ANSWER = "I couldn't read your screen just now. Please ask me again in a moment."
