"""Panels a model writes into its reply, as fenced blocks that are shown and never spoken.

A model asks for a panel by writing, anywhere in its text:

    ```panel
    {"id": "weather", "title": "Weather", "root": {"type": "text", "text": "21 °C"}}
    ```

The block may also hold {"panel_update": {...}} or {"panel_close": {...}} (see PANEL_PROMPT in
presence.core.panels). Replies are streamed to the voice sentence by sentence, so PanelFenceFilter
works on pieces: it releases speakable text as soon as it is certain it is not part of a block,
holds back anything that could still turn out to be an opening fence ("`", "``", "```pan"), and
swallows a block's body until its closing fence. Nothing between the fences ever reaches the voice
or the captions, even when the block is malformed, unclosed or huge.

The body is untrusted: read_block validates it against the panel vocabulary and raises PanelError
(one line for the user) for anything else. Pure: no Qt, no threads, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from presence.core import events
from presence.core.events import Event
from presence.core.panels import MAX_JSON_CHARS, PANEL_PROMPT, Panel, PanelError, panel_id_of, parse_panel

OPENER = "```panel"
FENCE = "```"
MAX_BLOCKS = 4  # panels one reply may put on screen; later blocks are stripped and reported
PANEL_FENCE_PROMPT = ("To show a panel, write its JSON in a fenced block that starts with a line ```panel and ends "
                      "with a line ```. The block is shown on screen, never read aloud; keep speaking in plain "
                      "sentences outside it.")


@dataclass(frozen=True)
class FencedBlock:
    """The text between ```panel and ```. error is set when the block cannot be a panel at all."""

    body: str
    error: str = ""


@dataclass(frozen=True)
class Filtered:
    """What one push or flush releases: speakable text and the blocks completed meanwhile."""

    text: str = ""
    blocks: tuple[FencedBlock, ...] = ()


@dataclass(frozen=True)
class PanelCommand:
    """A validated panel message from a model, ready to become a runner event."""

    kind: Literal["panel", "panel_update", "panel_close"]
    panel: Panel | None = None
    panel_id: str = ""
    node_id: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)

    def event(self) -> Event:
        """The runner event (unstamped) as the window reads it."""
        if self.kind == "panel" and self.panel is not None:
            return events.Panel(panel=self.panel.model_dump(mode="json", exclude_none=True))
        if self.kind == "panel_update":
            return events.PanelUpdate(panel_id=self.panel_id, node_id=self.node_id, changes=dict(self.changes))
        return events.PanelClose(panel_id=self.panel_id)


@dataclass(frozen=True)
class PanelOutput:
    """A reply's panel events (unstamped), as an item the reply engine yields next to its ReplyChunks."""

    reply_id: int
    events: tuple[Event, ...]


class PanelFenceFilter:
    """Streaming splitter of model text into speakable text and ```panel blocks (see module doc)."""

    def __init__(self, max_blocks: int = MAX_BLOCKS) -> None:
        self.max_blocks = max_blocks
        self.reset()

    def reset(self) -> None:
        self._held = ""  # text not yet known to be speech or the start of a fence
        self._in_block = False
        self._body: list[str] = []
        self._body_chars = 0
        self._in_string = self._escaped = False
        self._line_start = True  # only whitespace since the last newline inside the block
        self._blocks = 0

    @property
    def in_block(self) -> bool:
        return self._in_block

    def push(self, piece: str) -> Filtered:
        buf, self._held = self._held + piece, ""
        text: list[str] = []
        blocks: list[FencedBlock] = []
        pos = 0
        while pos < len(buf):
            if self._in_block:
                pos = self._scan_block(buf, pos, blocks)
                if self._in_block:  # the buffer ended inside the block (maybe on a partial fence)
                    break
                text.append("\n")  # the block stood between two pieces of speech
            else:
                pos = self._scan_text(buf, pos, text)
        return Filtered("".join(text), tuple(blocks))

    def flush(self) -> Filtered:
        """The end of the reply: held text is speech after all; an open block is reported unclosed."""
        held, self._held = self._held, ""
        if not self._in_block:
            return Filtered(held)
        self._body.append(held)
        block = self._finish(f"panel block was not closed with {FENCE}")
        return Filtered("", (block,))

    # --- outside a block ------------------------------------------------------------------------
    def _scan_text(self, buf: str, pos: int, text: list[str]) -> int:
        i = buf.find("`", pos)
        if i < 0:
            text.append(buf[pos:])
            return len(buf)
        text.append(buf[pos:i])
        rest = buf[i:i + len(OPENER) + 1]
        if rest.lower().startswith(OPENER):
            if len(rest) == len(OPENER):  # "```panel" at the very end: "```panels" would be no opener
                self._held = buf[i:]
                return len(buf)
            if not (rest[-1].isalnum() or rest[-1] == "_"):
                self._open()
                return i + len(OPENER)
        elif OPENER.startswith(rest.lower()) and i + len(rest) == len(buf):
            self._held = buf[i:]  # "`", "``", "```pa": wait for the next piece
            return len(buf)
        run = len(buf[i:]) - len(buf[i:].lstrip("`"))  # not a panel: backticks are ordinary text
        text.append(buf[i:i + run])
        return i + run

    def _open(self) -> None:
        self._in_block = True
        self._body, self._body_chars = [], 0
        self._in_string = self._escaped = False
        self._line_start = False

    # --- inside a block -------------------------------------------------------------------------
    def _scan_block(self, buf: str, pos: int, blocks: list[FencedBlock]) -> int:
        """Consume the block up to its closing fence: ``` outside a JSON string, or at a line start
        (a raw newline cannot be inside a valid JSON string, so that ends even a broken block)."""
        start = pos
        while pos < len(buf):
            c = buf[pos]
            if c == "`" and (not self._in_string or self._line_start):
                ahead = buf[pos:pos + len(FENCE)]
                if ahead == FENCE:
                    self._add_body(buf[start:pos])
                    blocks.append(self._finish(""))
                    return pos + len(FENCE)
                if FENCE.startswith(ahead) and pos + len(ahead) == len(buf):
                    self._add_body(buf[start:pos])
                    self._held = ahead
                    return len(buf)
            self._track(c)
            pos += 1
        self._add_body(buf[start:pos])
        return pos

    def _track(self, c: str) -> None:
        if c == "\n":
            self._line_start, self._in_string, self._escaped = True, False, False
            return
        if not c.isspace():
            self._line_start = False
        if self._in_string:
            if self._escaped:
                self._escaped = False
            elif c == "\\":
                self._escaped = True
            elif c == '"':
                self._in_string = False
        elif c == '"':
            self._in_string = True

    def _add_body(self, part: str) -> None:
        room = MAX_JSON_CHARS + 1 - self._body_chars  # one over the limit is enough to refuse it
        if room > 0:
            self._body.append(part[:room])
        self._body_chars += len(part)

    def _finish(self, error: str) -> FencedBlock:
        self._in_block = False
        self._blocks += 1
        body = "".join(self._body)
        self._body = []
        if not error and self._blocks > self.max_blocks:
            error = f"too many panels in one reply (limit {self.max_blocks})"
        return FencedBlock(body, error)


def split_panels(text: str) -> tuple[str, tuple[FencedBlock, ...]]:
    """A whole reply at once: (speakable text, blocks)."""
    f = PanelFenceFilter()
    first, last = f.push(text), f.flush()
    return first.text + last.text, first.blocks + last.blocks


def visible_text(text_so_far: str) -> str:
    """What may be shown of a reply still being written: blocks, an open block and a partial fence cut."""
    return PanelFenceFilter().push(text_so_far).text


def read_block(block: FencedBlock) -> PanelCommand:
    """The panel message a block holds; PanelError (one line) when it is not a valid one."""
    if block.error:
        raise PanelError(block.error)
    if not block.body.strip():
        raise PanelError("empty panel block")
    if len(block.body) > MAX_JSON_CHARS:
        raise PanelError(f"panel is too large (more than {MAX_JSON_CHARS:,} characters)")
    try:
        raw = json.loads(block.body)
    except RecursionError:
        raise PanelError("panel is nested too deeply") from None
    except ValueError as exc:
        raise PanelError(f"panel is not valid JSON: {exc}") from None
    if isinstance(raw, dict) and set(raw) == {"panel_update"}:
        return _update(raw["panel_update"])
    if isinstance(raw, dict) and set(raw) == {"panel_close"}:
        close = raw["panel_close"]
        if not isinstance(close, dict):
            raise PanelError("panel_close must be an object with a panel_id")
        return PanelCommand("panel_close", panel_id=panel_id_of(close.get("panel_id")))
    return PanelCommand("panel", parse_panel(raw))


def _update(update: Any) -> PanelCommand:
    """Checked as far as it can be without the open panel (the window checks it against that)."""
    if not isinstance(update, dict) or set(update) - {"panel_id", "node_id", "changes"}:
        raise PanelError("panel_update must be an object with panel_id, node_id and changes")
    changes = update.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise PanelError("panel update: `changes` must be a non-empty object")
    text = json.dumps(changes)
    if len(text) > MAX_JSON_CHARS:
        raise PanelError("panel update is too large")
    return PanelCommand("panel_update", panel_id=panel_id_of(update.get("panel_id")),
                        node_id=panel_id_of(update.get("node_id")), changes=changes)


def block_event(block: FencedBlock) -> Event:
    """One runner event (unstamped) for a block: the panel message, or a visible `panel_error` that says why not."""
    try:
        return read_block(block).event()
    except PanelError as exc:
        return events.PanelError(message=str(exc))


def with_panels(system_prompt: str) -> str:
    """A system prompt for a model big enough to write panels: the vocabulary and the fence format.

    Only for server (OpenAI-compatible) backends: the embedded 135M model keeps its short prompt.
    """
    return (f"{system_prompt}\nSpeak in short plain sentences; put tables, lists, code and anything else worth "
            f"seeing (not hearing) in a panel.\n\n{PANEL_PROMPT}{PANEL_FENCE_PROMPT}")
