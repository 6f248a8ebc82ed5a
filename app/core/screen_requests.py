"""Requests about the screen, read from the user's words: watches ("keep an eye on my screen and
tell me if the build fails", "stop watching") and questions ("what's this error?", "read me the
second line").

Pure text rules, so the intent layer (presence.core.understanding) can tell them apart from other
requests; presence.screen.requests matches screen text against a watch, and presence.screen.questions
answers the questions from what is on screen. Why deterministic rules and not the language model:
the embedded model is tiny and often wrong, while a watch must fire on the first "error:" and never
on a clock tick, and "read me the second line" must read that line, word for word, every time.
Parsing keys on a few robust words because ASR garbles the rest ("tell me if the wheel fails").
Screen text is never parsed here: nothing on screen can start a watch or a tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from presence.core.tools import deep_task_request


class WatchKind(StrEnum):
    FAILURE = "failure"
    FINISH = "finish"


# Things people watch; the canonical word is used in what Presence says.
_SUBJECTS = {
    "build": "build", "builds": "build", "compile": "build", "compilation": "build", "compiler": "build",
    "make": "build", "download": "download", "downloads": "download", "upload": "upload",
    "uploads": "upload", "test": "tests", "tests": "tests", "install": "install",
    "installation": "install", "installer": "install", "deploy": "deploy", "deployment": "deploy",
    "render": "render", "rendering": "render", "export": "export", "backup": "backup", "sync": "sync",
    "update": "update", "upgrade": "upgrade", "script": "script", "job": "job", "copy": "copy",
    "transfer": "transfer", "training": "training", "pipeline": "pipeline", "migration": "migration",
}
_PLURAL = {"tests"}

_WATCH_WORDS = re.compile(
    r"\b(screens?|keep an? (?:eye|watch)|keep (?:an )?eyes?|keep watching|keep track|look out|lookout"
    r"|(?<!my )(?<!a )(?<!the )(?<!your )watch(?:ing)?|monitor(?:ing)?)\b", re.I)  # "my watch" is a noun
_NOTIFY = re.compile(r"\b(tell me|let me know|alert me|notify me|warn me|ping me|say something|shout|speak up"
                     r"|give me a (?:shout|heads up|ping))\b", re.I)
_WATCH_VERBS = re.compile(
    r"\b(keep an? (?:eye|watch)|keep (?:an )?eyes?|keep watching|keep track|look out|lookout|watch|monitor"
    r"|keep looking|check (?:my|the) screen)\b", re.I)
_QUESTION_START = re.compile(
    r"^\W*(?:(?:hey|ok|okay|so|um|uh)\W+)*(?:is|are|was|were|what|what's|whats|why|how|where|which|who|do|does|did|can"
    r"|could)\b", re.I)
_UNTIL = re.compile(r"\b(until|till|in case|once|when|whenever|if|as soon as)\b", re.I)
_FAIL_REQ = re.compile(
    r"\b(fail\w*|error\w*|wrong|crash\w*|break\w*|broke|broken|problem\w*|issue\w*|fault\w*|exception\w*"
    r"|go(?:es)? bad|blows? up)\b", re.I)
_FINISH_REQ = re.compile(
    r"\b(finish\w*|done|complete\w*|ready|succeed\w*|ends|over|hundred percent|100 ?%|pass|passes|passed)\b", re.I)
_STOP = re.compile(
    r"\b(stop|quit|cancel|end|no need to|don't|do not|no longer)\b.{0,30}?"
    r"\b(watch\w*|keep\w* an eye|keeping an eye|monitor\w*|looking at (?:my|the) screen|screen)", re.I)
_SUBJECT_PHRASE = re.compile(r"\b(?:the|my|this|that|our|your)\s+([a-z]+)\b", re.I)


@dataclass(frozen=True)
class WatchRequest:
    """What to watch for. `subject` is a known noun ("build") or None when ASR garbled it."""

    kinds: frozenset[WatchKind]
    subject: str | None = None

    @property
    def primary_kind(self) -> WatchKind:
        """The kind whose headline is worth pre-synthesizing (a failure, when both are watched)."""
        return WatchKind.FAILURE if WatchKind.FAILURE in self.kinds else WatchKind.FINISH

    def ack(self) -> str:
        """Short on purpose: a long acknowledgement would still be playing when things happen."""
        the = f"the {self.subject}" if self.subject else None
        fails = "fail" if self.subject in _PLURAL else "fails"
        finishes = "finish" if self.subject in _PLURAL else "finishes"
        if self.kinds == {WatchKind.FAILURE}:
            return f"Okay, I'll tell you if {the} {fails}." if the else \
                "Okay, I'll tell you if anything goes wrong on your screen."
        if self.kinds == {WatchKind.FINISH}:
            return f"Okay, I'll tell you when {the} {finishes}." if the else "Okay, I'll tell you when it's done."
        return f"Okay, I'll tell you when {the} {finishes} or {fails}." if the else \
            "Okay, I'll tell you when it's done or if anything goes wrong."

    def headline(self, kind: WatchKind) -> str:
        """The first sentence spoken when the watch fires; known in advance so it can be pre-synthesized."""
        if kind is WatchKind.FAILURE:
            return f"Heads up: the {self.subject} failed." if self.subject else \
                "Heads up: something went wrong on your screen."
        return f"Heads up: the {self.subject} finished." if self.subject else "Heads up: it looks finished."

    def describe(self) -> str:
        """For the watch list in the UI."""
        what = self.subject or "screen"
        parts = []
        if WatchKind.FAILURE in self.kinds:
            parts.append("errors")
        if WatchKind.FINISH in self.kinds:
            parts.append("finishing")
        return f"{what}: {' or '.join(parts)}"


@dataclass(frozen=True)
class StopWatching:
    def ack(self) -> str:
        return "Okay, I stopped watching your screen."


def _subject(text: str) -> str | None:
    for m in _SUBJECT_PHRASE.finditer(text):
        word = m.group(1).lower()
        if word in _SUBJECTS:
            return _SUBJECTS[word]
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _SUBJECTS and word != "make":
            return _SUBJECTS[word]
    return None


def parse_watch_request(text: str) -> WatchRequest | None:
    """A watch request, or None. Needs a watch word (screen / keep an eye / watch) or a notify
    phrase with a known subject, plus a condition (fails / error / wrong / finishes / done)."""
    t = text.strip()
    if not t or _STOP.search(t):
        return None
    subject = _subject(t)
    if not (_WATCH_WORDS.search(t) or (_NOTIFY.search(t) and subject)):
        return None
    if _QUESTION_START.match(t) and not (_NOTIFY.search(t) or _WATCH_VERBS.search(t)):
        return None  # "is anything wrong on my screen?" asks about it now
    kinds = set()
    if _FAIL_REQ.search(t):
        kinds.add(WatchKind.FAILURE)
    if _FINISH_REQ.search(t):
        kinds.add(WatchKind.FINISH)
    if not kinds:
        return None
    return WatchRequest(frozenset(kinds), subject)


def is_watch_request(text: str) -> bool:
    """Asks to watch the screen for something, whatever it is ("watch my screen until my name shows up in the
    chat"); parse_watch_request understands only failures and finishing."""
    t = text.strip()
    if _STOP.search(t) or parse_watch_request(t) is not None:
        return True
    if _QUESTION_START.match(t) and not _NOTIFY.search(t):
        return False
    on_screen = re.search(r"\b(screens?|window|monitor|display|chat|inbox|terminal|desktop)\b", t, re.I) is not None
    watching = _WATCH_VERBS.search(t) is not None
    return (watching and (on_screen or _NOTIFY.search(t) is not None) and _UNTIL.search(t) is not None) or (
        on_screen and _NOTIFY.search(t) is not None and _UNTIL.search(t) is not None)


def parse_watch_command(text: str) -> WatchRequest | StopWatching | None:
    """Start a watch, stop all watches ("stop watching my screen"), or None."""
    if _STOP.search(text.strip()):
        return StopWatching()
    return parse_watch_request(text)


# --- questions about the screen ------------------------------------------------------------------
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
    (QuestionKind.READ_ALL, rf"{_WHAT_IS} written(?: {_WHERE}| {_OF})?"),
    (QuestionKind.READ_ALL, rf"what does (?:it|this|that|the screen|my screen) say (?:at|on|in) the (?:very )?"
                            rf"(?:top|bottom|middle|corner|left|right|top left|top right|bottom left|bottom right)"
                            rf"(?: corner)?(?: of (?:the|my|this) {_PLACE})?"),
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
    (QuestionKind.ASK, rf"{_READ} (?:the|this|that) [a-z]+(?: [a-z]+)? {_WHERE}{_AFTER_READ}"),
    (QuestionKind.ASK, rf"{_WHAT_IS} the [a-z]+(?: [a-z]+)? (?:of|on|in) (?:this|that|the|my) (?:{_PLACE}|{_THING})"),
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
