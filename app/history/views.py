"""What the history's lines become: turns, window rows, Markdown and JSON exports, the model's recall.

Pure functions over `Line`s. A reply is recorded sentence by sentence as each began to play; here
the sentences of one reply are joined into one turn, and a barge-in's line turns that reply into
what was heard (marked interrupted, with what was not said).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from presence.history.store import Conversation, Line

RECALL_TURNS = 6  # the last turns of the previous conversation the model is reminded of at start
RECALL_CHARS = 300  # each cut to this many characters
EXPORT_VERSION = 1


@dataclass
class Turn:
    role: str  # user | assistant | tool | result | panel
    text: str
    at: float
    reply_id: int | None = None
    cut: str | None = None  # a reply the user talked over: what was not said
    detail: dict[str, Any] | None = None

    @property
    def interrupted(self) -> bool:
        return self.cut is not None


def turns(lines: Iterable[Line]) -> list[Turn]:
    out: list[Turn] = []
    replies: dict[int, Turn] = {}
    for line in lines:
        rid = line.reply_id
        if line.kind == "assistant":
            last = out[-1] if out else None
            if rid is not None and rid in replies and replies[rid] is last and not last.interrupted:
                last.text = f"{last.text} {line.text}".strip()
                continue
            turn = Turn("assistant", line.text, line.at, rid)
            out.append(turn)
            if rid is not None:
                replies[rid] = turn
        elif line.kind == "cut":
            cut = str((line.data or {}).get("cut", ""))
            turn = replies.get(rid) if rid is not None else None
            if turn is None:
                turn = Turn("assistant", line.text, line.at, rid)
                out.append(turn)
            turn.text, turn.cut = line.text, cut
        elif line.kind == "user":
            out.append(Turn("user", line.text, line.at, rid, detail=line.data))
        else:
            out.append(Turn(line.kind, line.text, line.at, rid, detail=line.data))
    return out


def _clock(at: float, with_date: bool = False) -> str:
    when = datetime.datetime.fromtimestamp(at)
    return when.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M:%S")


def describe(turn: Turn) -> str:
    """One turn as a line of text (window rows and the command line)."""
    if turn.role == "user":
        return f"You: {turn.text}"
    if turn.role == "assistant":
        if turn.cut is None:
            return f"Presence: {turn.text}"
        said = f"Presence: {turn.text or '…'} — interrupted"
        return f"{said} (not said: {turn.cut})" if turn.cut else said
    if turn.role == "tool":
        args = ", ".join(f"{k}={v}" for k, v in (turn.detail or {}).items())
        return f"(tool {turn.text}{': ' + args if args else ''})"
    if turn.role == "result":
        return f"Result: {turn.text}"
    return f"(panel {turn.text})" if turn.text else "(panel)"


def window_rows(lines: Sequence[Line], limit: int = 60) -> list[str]:
    """The last `limit` turns as transcript rows, each with the date and time it was said."""
    return [f"[{_clock(t.at, with_date=True)}] {describe(t)}" for t in turns(lines)[-limit:]]


def recall(lines: Sequence[Line], max_turns: int = RECALL_TURNS,
           max_chars: int = RECALL_CHARS) -> list[tuple[str, str]]:
    """The last few exchanges as (role, text) for the model's context: user and assistant turns only,
    alternating and starting with the user's, each cut to max_chars (a cut reply: what was heard)."""
    said: list[tuple[str, str]] = []
    for turn in turns(lines):
        if turn.role not in ("user", "assistant") or not turn.text.strip():
            continue
        text = " ".join(turn.text.split())
        text = text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
        if said and said[-1][0] == turn.role:
            said[-1] = (turn.role, f"{said[-1][1]} {text}"[: max_chars])
        else:
            said.append((turn.role, text))
    said = said[-max_turns:]
    while said and said[0][0] != "user":
        said.pop(0)
    return said


def to_markdown(conversations: Sequence[tuple[Conversation, Sequence[Line]]]) -> str:
    out = ["# Presence conversations", ""]
    for conv, lines in conversations:
        out += [f"## {_clock(conv.started, with_date=True)} (conversation {conv.id})", ""]
        for turn in turns(lines):
            text = describe(turn)
            if turn.role in ("user", "assistant"):
                who, _, rest = text.partition(": ")
                text = f"**{who}:** {rest}"
            out.append(f"- {_clock(turn.at)} {text}")
        out.append("")
    return "\n".join(out)


def to_json(conversations: Sequence[tuple[Conversation, Sequence[Line]]]) -> str:
    data = {"version": EXPORT_VERSION, "conversations": [
        {"id": conv.id, "started": conv.started, "updated": conv.updated,
         "lines": [line.to_json() for line in lines]} for conv, lines in conversations]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
