"""Watch requests ("keep an eye on my screen and tell me if the build fails") and the matchers
that decide whether new screen text is what the user asked about.

Why deterministic rules and not the language model: the embedded model is tiny and often wrong,
while a watch must fire on the first "error:" and never on a clock tick. Parsing keys on a few
robust words because ASR garbles the rest ("tell me if the wheel fails"). Screen text is only
ever *matched* here, never parsed as a command: nothing on screen can start a watch or a tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# A failure alert always says one of these (its headline does): listeners, and duplex_eval's
# screen check, recognise it as being about a problem.
SCREEN_WORDS_FOR_FAILURE = ("error", "fail", "crash", "wrong", "problem", "fault", "exit")


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
_NOTIFY = re.compile(r"\b(tell me|let me know|alert me|notify me|warn me|ping me|say something)\b", re.I)
_FAIL_REQ = re.compile(
    r"\b(fail\w*|error\w*|wrong|crash\w*|break\w*|broke|broken|problem\w*|issue\w*|fault\w*|exception\w*"
    r"|go(?:es)? bad|blows? up)\b", re.I)
_FINISH_REQ = re.compile(
    r"\b(finish\w*|done|complete\w*|ready|succeed\w*|ends|over|hundred percent|100 ?%)\b", re.I)
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
    kinds = set()
    if _FAIL_REQ.search(t):
        kinds.add(WatchKind.FAILURE)
    if _FINISH_REQ.search(t):
        kinds.add(WatchKind.FINISH)
    if not kinds:
        return None
    return WatchRequest(frozenset(kinds), subject)


def parse_watch_command(text: str) -> WatchRequest | StopWatching | None:
    """Start a watch, stop all watches ("stop watching my screen"), or None."""
    if _STOP.search(text.strip()):
        return StopWatching()
    return parse_watch_request(text)


# --- matching screen text -------------------------------------------------------------------------
_PATHISH = r"(?<![/\\.\w])"  # not inside a path or identifier ("errors.go", "src/error")
_NOT_FILE = r"(?!\.\w|/|\\|_)"
_FAILURE_TEXT = re.compile(
    _PATHISH + r"(errors?|error\(s\)|errno|fail|failed|failure|failures|failing|fatal|exception|traceback"
    r"|crash|crashed|crashes|panic|panicked|segfault|segmentation fault|core dumped|aborted|abort"
    r"|permission denied|connection refused|timed out|command not found|no such file or directory"
    r"|exit(?:ed)? (?:with )?(?:code|status) [1-9]\d*|non-zero exit|went wrong)\b" + _NOT_FILE, re.I)
_FAILURE_NAMED = re.compile(r"\bERR!|\b[A-Z][A-Za-z]*(?:Error|Exception)\b(?!\.\w)")  # npm; ValueError
_FAILURE_NEGATED = re.compile(
    r"\b(?:0|no|zero|without)\s+(?:\w+\s+)?(?:errors?|error\(s\)|failures?|failed|problems?|crash(?:es)?"
    r"|exceptions?|issues?)\b"
    r"|\b(?:errors?|error\(s\)|failures?|failed|fails)\s*[:=]?\s*0\b(?!\.\d|%)"
    r"|\berror[- ]free\b|\bfail[- ]?safe\b|\bno errors? found\b"
    r"|\b(?:if|when|unless|in case|whether)\s+(?:\w+\s+){0,3}(?:fails?|errors?|crash(?:es)?|goes wrong)\b", re.I)
_FINISH_TEXT = re.compile(
    r"\b(finished|complete|completed|done|succeeded|successful(?:ly)?|success|downloaded|installed"
    r"|up to date|all tests passed|passed)\b|(?<![\d.])100\s?%", re.I)
_FINISH_NEGATED = re.compile(
    r"\b\d{1,2}(?:\.\d+)?\s?%\s*(?:complete|completed|done)\b|\b(?:not|in)\s*(?:yet\s+)?(?:complete|done|finished)\b"
    r"|\b(?:complete|finish)\s+(?:the|your|by)\b|%\s*done", re.I)


def matches(kind: WatchKind, line: str) -> bool:
    """Does this line of screen text say that kind of thing happened? ('0 errors' is not an error.)"""
    if kind is WatchKind.FAILURE:
        rest = _FAILURE_NEGATED.sub(" ", line)
        return bool(_FAILURE_TEXT.search(rest) or _FAILURE_NAMED.search(rest))
    return bool(_FINISH_TEXT.search(_FINISH_NEGATED.sub(" ", line)))


def normalize(line: str) -> str:
    """Compare lines by letters and digits only: OCR varies in punctuation and spacing."""
    return " ".join(re.findall(r"[a-z0-9]+", line.lower()))


def _shorten(line: str, max_chars: int) -> str:
    line = " ".join(line.split())
    if len(line) <= max_chars:
        return line
    cut = line[:max_chars].rsplit(" ", 1)[0]
    return cut + " ..."


def detail_for(headline: str, matched: list[str], context: list[str], max_chars: int = 90) -> str:
    """What to say after the headline: up to two matching lines (reading order) that add to it, or
    the next line of context when the matches only restate it ("Build failed" -> "error: ...")."""
    head = set(normalize(headline).split()) | {"the", "has", "was", "is", "a", "an", "heads", "up"}
    informative = [ln for ln in matched if normalize(ln) and not set(normalize(ln).split()) <= head]
    if not informative:
        after = [ln for ln in context if ln not in matched and normalize(ln)]
        informative = after[:1]
    return _shorten(". ".join(ln.strip().rstrip(".") for ln in informative[:2]), max_chars)


def alert_text(headline: str, detail: str) -> str:
    """One sentence to speak: 'Heads up: the build failed — error: cannot find symbol'."""
    if not detail:
        return headline
    return f"{headline.rstrip('.')} — {detail}"
