"""Watch requests ("keep an eye on my screen and tell me if the build fails") and the matchers
that decide whether new screen text is what the user asked about.

Why deterministic rules and not the language model: the embedded model is tiny and often wrong,
while a watch must fire on the first "error:" and never on a clock tick. Parsing keys on a few
robust words because ASR garbles the rest ("tell me if the wheel fails"). Screen text is only
ever *matched* here, never parsed as a command: nothing on screen can start a watch or a tool.
"""

from __future__ import annotations

import re

from presence.core.screen_requests import StopWatching as StopWatching  # the request parser lives in core,
from presence.core.screen_requests import WatchKind as WatchKind  # beside the other intent rules
from presence.core.screen_requests import WatchRequest as WatchRequest
from presence.core.screen_requests import parse_watch_command as parse_watch_command
from presence.core.screen_requests import parse_watch_request as parse_watch_request

# A failure alert always says one of these (its headline does): listeners, and duplex_eval's
# screen check, recognise it as being about a problem.
SCREEN_WORDS_FOR_FAILURE = ("error", "fail", "crash", "wrong", "problem", "fault", "exit")


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
