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

from dataclasses import dataclass

from presence.core.screen_requests import QuestionKind as QuestionKind  # the parser lives in core, beside the
from presence.core.screen_requests import ScreenQuestion as ScreenQuestion  # other intent rules
from presence.core.screen_requests import parse_screen_question as parse_screen_question
from presence.screen.reader import TextLine
from presence.screen.requests import WatchKind, matches, normalize
from presence.screen.watch import ScreenState, describe_screen


@dataclass(frozen=True)
class AnswerSettings:
    max_line_chars: int = 300  # a line or paragraph read aloud is cut here (at a word)
    max_read_all_chars: int = 300
    max_error_chars: int = 200



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
