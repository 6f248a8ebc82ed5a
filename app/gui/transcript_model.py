"""What the transcript shows, decided from runner events without Qt (so it is tested on its own).

Each line belongs to one turn:

* the user's line is the *final* transcript of their turn (partials live only in the caption). A
  turn whose reply was dropped because the user went on ("what is the..." then "...time in
  Tokyo") is transcribed again as a whole; that transcript replaces the line instead of adding a
  second, half version of it;
* a reply's sentences join the line of its `reply_id`, never another reply's. Fillers ("Um.",
  "So.", reply id 0) are not shown at all: they cover thinking time and are not part of any
  answer. An early acknowledgement (also reply id 0, "On it.") gets a line of its own;
* a barge-in marks the line of the reply it cut (what was heard, what was not said);
* announcements (negative ids: a timer, a cue word, a screen alert) get a line each;
  backchannels ("mm-hm") are not shown;
* a screen reading (push-to-observe, a question about the screen) is its own "looked at the
  screen" entry, stamped with the time the frame was taken, collapsed to one line. What
  Presence said about it (the spoken summary) belongs to that entry, not to a Presence line.

Everything in a line came from the user, a model or the screen: it is plain text for the view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from presence.core import events
from presence.core.events import Event

CUT_SHOWN_CHARS = 160  # longer "not said" text is elided in the line; the full text is the tooltip
LineKind = Literal["user", "presence", "screen"]
FILLER_REPLY_ID = 0

_ROLE_PREFIX = re.compile(r"^\s*(?:a|answer|assistant|ai|presence)\s*:\s+", re.I)
_QUOTES = "\"“”«»"  # double quotes only: a single one is usually an apostrophe


def mmss(t_ms: int) -> str:
    """Logical time as mm:ss, the transcript's timestamp."""
    total_s = max(0, int(t_ms)) // 1000
    return f"{total_s // 60:02d}:{total_s % 60:02d}"


def elide(text: str, limit: int = CUT_SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def tidy_sentence(text: str, first: bool) -> str:
    """A reply sentence as the user should read it: no "A:" role tag on the first one, and no
    double quote left dangling by a model that wrapped its answer in quotes (a quoted answer is
    split into sentences, so the opening quote ends up on the first and the closing one on the last)."""
    text = " ".join(str(text).split())
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    elif text and sum(text.count(q) for q in _QUOTES) == 1 and (text[0] in _QUOTES or text[-1] in _QUOTES):
        text = text.strip(_QUOTES).strip()
    return _ROLE_PREFIX.sub("", text, count=1) if first else text


@dataclass
class Line:
    """One entry of the transcript. `key` is stable for the line's life (the view's handle)."""

    key: int
    kind: LineKind
    t_ms: int
    text: str = ""  # user: what they said or typed; screen: what was read
    typed: bool = False
    reply_id: int | None = None
    sentences: list[str] = field(default_factory=list)  # presence: as they began to play
    heard: str | None = None  # presence, after a barge-in: what the user heard
    cut: str | None = None  # presence, after a barge-in: what was not said ('' if nothing was left)
    window: str = ""  # screen: the active window's title
    said: str = ""  # screen: what Presence said about it
    collapsed: bool = True  # screen: one line, or the full reading
    superseded: bool = False  # user: its reply was dropped; the next transcript of the turn replaces it

    @property
    def interrupted(self) -> bool:
        return self.cut is not None

    @property
    def editable(self) -> bool:
        return self.kind == "user"

    @property
    def answer(self) -> str:
        """A Presence line's words: what was heard when it was cut, else every sentence."""
        if self.interrupted and self.heard:
            return " ".join(self.heard.split())
        return " ".join(self.sentences)

    def render(self) -> str:
        """The line as plain text ("[00:03] You: ...")."""
        stamp = f"[{mmss(self.t_ms)}]"
        if self.kind == "user":
            return f"{stamp} You: {self.text}"
        if self.kind == "screen":
            where = f" — {self.window}" if self.window else ""
            head = f"{stamp} Looked at the screen{where}"
            if self.collapsed:
                return f"{head} ▸"
            body = [head + " ▾", f"Read: {self.text or '(no text)'}"]
            if self.said and self.said != self.text:
                body.append(f"Presence said: {self.said}")
            return "\n".join(body)
        if not self.interrupted:
            return f"{stamp} Presence: {self.answer}"
        text = f"{stamp} Presence: {self.answer or '…'} — interrupted"
        if self.cut:
            text += f" (not said: {elide(self.cut)})"
        return text

    def tooltip(self) -> str:
        if self.kind == "screen":
            return "Click to show what was read." if self.collapsed else self.render()
        text = self.render()
        if self.kind == "user":
            return f"{text}\n\nDouble-click (or F2) to edit it and send it again."
        if self.kind == "presence" and self.cut:
            text = f"{text}\n\nNot said: {self.cut}"
        return text


class TranscriptModel:
    """The transcript's lines, kept up to date by `apply(event)`."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._next_key = 0
        self._replies: dict[int, Line] = {}  # reply id -> its Presence line
        self._users: dict[int, Line] = {}  # reply id -> the user line it answers
        self._acks: list[str] = []  # early acknowledgements not yet played (reply id 0, but shown)
        self._quiet: list[str] = []  # backchannels not yet played (announced, not shown)
        self._screen_said: list[tuple[str, Line]] = []  # screen summaries not yet played
        self._screen_replies: dict[int, Line] = {}  # an announcement id that is a screen entry's summary
        self._handlers = {
            events.UserText: self._user_text,
            events.AssistantText: self._assistant_text,
            events.BargeIn: self._barge_in,
            events.EarlyAck: self._early_ack,
            events.Backchannel: self._backchannel,
            events.ReplyDiscarded: self._reply_discarded,
            events.ScreenRead: self._screen_read,
            events.ScreenSummary: self._screen_summary,
        }

    def apply(self, event: Event) -> list[Line]:
        """Apply one runner event; returns the lines it added or changed (in order)."""
        handler = self._handlers.get(type(event))
        return handler(event) if handler is not None else []  # type: ignore[operator]

    def find(self, key: int) -> Line | None:
        return next((line for line in self.lines if line.key == key), None)

    def toggle(self, key: int) -> Line | None:
        """Expand or collapse a screen entry; None for other lines."""
        line = self.find(key)
        if line is None or line.kind != "screen":
            return None
        line.collapsed = not line.collapsed
        return line

    def texts(self) -> list[str]:
        return [line.render() for line in self.lines]

    # --- lines ----------------------------------------------------------------------------------
    def _new(self, kind: LineKind, t_ms: int, **fields: object) -> Line:
        line = Line(self._next_key, kind, int(t_ms), **fields)  # type: ignore[arg-type]
        self._next_key += 1
        self.lines.append(line)
        return line

    def _last(self) -> Line | None:
        return self.lines[-1] if self.lines else None

    # --- the user -------------------------------------------------------------------------------
    def _user_text(self, ev: events.UserText) -> list[Line]:
        text = " ".join(str(ev.text).split())
        rid = _int(ev.reply_id)
        if ev.typed:
            return [self._new("user", ev.t_ms, text=text, typed=True)]
        same = self._users.get(rid) if rid is not None else None
        if same is None:
            same = self._retranscribed(text)
        if same is not None:  # the turn transcribed again: one line, the newest (fullest) version
            same.text, same.superseded = text, False
            if rid is not None:
                same.reply_id = rid
                self._users[rid] = same
            return [same]
        line = self._new("user", ev.t_ms, text=text, reply_id=rid)
        if rid is not None:
            self._users[rid] = line
        return [line]

    def _retranscribed(self, text: str) -> Line | None:
        """The last line, when it is this same turn heard earlier: a transcribed user line that was
        never answered, and either its reply was dropped or the new text carries it on."""
        last = self._last()
        if last is None or last.kind != "user" or last.typed:
            return None
        if last.superseded or _continues(last.text, text):
            return last
        return None

    def _reply_discarded(self, ev: events.ReplyDiscarded) -> list[Line]:
        user = self._users.get(_int(ev.reply_id) or 0)
        if user is not None and _int(ev.reply_id) not in self._replies:
            user.superseded = True
        return []

    # --- Presence -------------------------------------------------------------------------------
    def _early_ack(self, ev: events.EarlyAck) -> list[Line]:
        self._acks.append(str(ev.text))
        return []

    def _backchannel(self, ev: events.Backchannel) -> list[Line]:
        self._quiet.append(str(ev.text))
        return []

    def _assistant_text(self, ev: events.AssistantText) -> list[Line]:
        text, rid = str(ev.text), _int(ev.reply_id)
        if rid == FILLER_REPLY_ID:
            if text in self._acks:  # "On it." said the moment the turn ended: a line of its own
                self._acks.remove(text)
                return [self._new("presence", ev.t_ms, sentences=[tidy_sentence(text, True)])]
            return []  # a filler: never part of an answer
        if rid is not None and rid < 0:
            return self._announcement(ev.t_ms, rid, text)
        line = self._replies.get(rid) if rid is not None else None
        if line is None:
            line = self._new("presence", ev.t_ms, reply_id=rid)
            if rid is not None:
                self._replies[rid] = line
        line.sentences.append(tidy_sentence(text, not line.sentences))
        return [line]

    def _announcement(self, t_ms: int, rid: int, text: str) -> list[Line]:
        if text in self._quiet:
            self._quiet.remove(text)
            return []
        for i, (said, screen) in enumerate(self._screen_said):
            if said == text:  # the spoken summary of a screen reading: part of that entry
                del self._screen_said[i]
                self._screen_replies[rid] = screen
                return []
        line = self._new("presence", t_ms, reply_id=rid, sentences=[tidy_sentence(text, True)])
        self._replies[rid] = line
        return [line]

    def _barge_in(self, ev: events.BargeIn) -> list[Line]:
        rid = _int(ev.reply_id)
        if rid == FILLER_REPLY_ID or (rid is not None and rid in self._screen_replies):
            return []  # a filler or a screen summary cut short: nothing to mark
        line = self._replies.get(rid) if rid is not None else None
        if line is None:
            if not (str(ev.heard).strip() or str(ev.cut).strip()):
                return []
            line = self._new("presence", ev.t_ms, reply_id=rid)  # cut before its first sentence showed
            if rid is not None:
                self._replies[rid] = line
        line.heard, line.cut = str(ev.heard), str(ev.cut)
        return [line]

    # --- the screen -----------------------------------------------------------------------------
    def _screen_read(self, ev: events.ScreenRead) -> list[Line]:
        taken = ev.frame_t_ms if isinstance(ev.frame_t_ms, int) and ev.frame_t_ms > 0 else ev.t_ms
        return [self._new("screen", taken, text=" ".join(str(ev.text).split()), window=str(ev.window or ""))]

    def _screen_summary(self, ev: events.ScreenSummary) -> list[Line]:
        screen = next((line for line in reversed(self.lines) if line.kind == "screen"), None)
        if screen is None:
            return []
        screen.said = " ".join(str(ev.text).split())
        self._screen_said.append((str(ev.text), screen))
        return [screen]


def _int(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _continues(earlier: str, later: str) -> bool:
    """Whether `later` is `earlier` heard again with more after it ("what is the" -> "what is the
    time in Tokyo"): the earlier words open the later text (Whisper may hear them a little
    differently the second time)."""
    a, b = _words(earlier), _words(later)
    if not a or len(b) < len(a):
        return False
    return SequenceMatcher(None, a, b[:len(a)]).ratio() >= 0.75
