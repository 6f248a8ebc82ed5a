"""Panels a model writes as ```panel blocks: taken out of the spoken text however the stream is cut,
validated as data, and refused with one clear line when malformed, unclosed, huge or too many."""

from __future__ import annotations

import json

import pytest

from presence.core import events
from presence.core.panel_fence import (
    MAX_BLOCKS,
    FencedBlock,
    PanelFenceFilter,
    block_event,
    read_block,
    split_panels,
    visible_text,
    with_panels,
)
from presence.core.panels import MAX_JSON_CHARS, PANEL_PROMPT, PanelError

PANEL = {"id": "weather", "title": "Weather", "root": {"type": "column", "children": [
    {"type": "text", "id": "now", "text": "21 °C, sunny", "style": "body"},
    {"type": "code", "text": "fences ``` inside a string\nand a newline escape", "language": "md"}]}}
REPLY = f"It is sunny today.\n```panel\n{json.dumps(PANEL)}\n```\nHave a nice day."


def stream(text: str, step: int) -> tuple[str, tuple[FencedBlock, ...], list[str]]:
    """Feed text in pieces of `step` characters: (all speakable text, blocks, the text released per push)."""
    f = PanelFenceFilter()
    released: list[str] = []
    blocks: tuple[FencedBlock, ...] = ()
    for i in range(0, len(text), step):
        out = f.push(text[i:i + step])
        released.append(out.text)
        blocks += out.blocks
    last = f.flush()
    released.append(last.text)
    return "".join(released), blocks + last.blocks, released


@pytest.mark.parametrize("step", [1, 2, 3, 4, 7, 8, 9, 13, len(REPLY)])
def test_a_block_is_taken_out_of_the_text_however_the_stream_is_cut(step):
    """Whatever the piece size, the speech is the text around the block and the block is the JSON."""
    text, blocks, released = stream(REPLY, step)
    assert " ".join(text.split()) == "It is sunny today. Have a nice day."
    assert all("`" not in part and "{" not in part for part in released)  # never released, even in part
    assert len(blocks) == 1 and not blocks[0].error
    assert read_block(blocks[0]).panel.model_dump(mode="json", exclude_none=True) == PANEL


def test_speech_before_a_block_is_released_before_the_block_ends():
    """Streaming stays streaming: text before the fence is not held back until the block closes."""
    f = PanelFenceFilter()
    assert f.push("First sentence. ``").text == "First sentence. "
    assert f.push("`panel\n{\"id\": ").text == ""
    assert f.in_block


def test_ordinary_backticks_and_other_fences_are_left_alone():
    """Only ```panel opens a block: inline code, ```python and ```panels stay text."""
    for text in ("Use `ls` here.", "a ```python\nx = 1\n``` b", "```panels are nice```", "ends with ``"):
        assert split_panels(text) == (text, ())


def test_a_partial_fence_at_the_end_is_text_after_all():
    """A reply that ends on "```pan" says it; a visible-so-far view hides it while it may still open."""
    assert split_panels("Done ```pan") == ("Done ```pan", ())
    assert visible_text("Done ```pan") == "Done "
    assert visible_text("Hi. ```panel\n{\"id\": \"x\"") == "Hi. "


def test_an_unclosed_block_is_never_spoken_and_is_reported():
    """A block cut off by the token limit: nothing after the fence is spoken; the block is an error."""
    text, blocks, _ = stream('Here. ```panel\n{"id": "x", "root": {"type": "text", "text": "never said"', 5)
    assert text == "Here. "
    assert "not closed" in blocks[0].error
    with pytest.raises(PanelError, match="not closed"):
        read_block(blocks[0])


def test_a_newline_ends_even_a_block_with_a_broken_string():
    """An unterminated string cannot swallow the rest of the reply: ``` at a line start closes the block."""
    text, blocks, _ = stream('```panel\n{"id": "x\n```\nStill spoken.', 3)
    assert text.strip() == "Still spoken."
    with pytest.raises(PanelError, match="not valid JSON"):
        read_block(blocks[0])


@pytest.mark.parametrize("body, message", [
    ("", "empty"),
    ("{not json", "not valid JSON"),
    ('["a list"]', "must be a JSON object"),
    ('{"id": "x", "root": {"type": "script", "src": "evil.js"}}', "unknown node type"),
    ('{"id": "x", "root": {"type": "button", "label": "Go", "action": "open_url"}}', "action not allowed"),
    ("[" * 100_000 + "]" * 100_000, "too large"),
    ('{"panel_update": {"panel_id": "x", "node_id": "n", "changes": {}}}', "non-empty"),
    ('{"panel_close": {"panel_id": "../../etc"}}', "not a valid panel id"),
])
def test_malformed_and_hostile_blocks_are_refused_with_one_line(body, message):
    """Bad JSON, unknown nodes, disallowed actions, huge or deep input: PanelError, never a crash."""
    _, blocks = split_panels(f"```panel\n{body}\n```")
    with pytest.raises(PanelError, match=message) as err:
        read_block(blocks[0])
    assert "\n" not in str(err.value)
    event = block_event(blocks[0])
    assert isinstance(event, events.PanelError) and message.split()[0] in event.message


def test_a_huge_block_is_cut_while_streaming_and_refused():
    """Megabytes inside a block are not kept in memory, and the block is refused as too large."""
    f = PanelFenceFilter()
    f.push('```panel\n{"id": "x", "title": "')
    for _ in range(100):
        assert f.push("x" * 10_000).text == ""
    out = f.push('"}\n```after')
    assert out.text == "\nafter"
    assert len(out.blocks[0].body) <= MAX_JSON_CHARS + 1
    with pytest.raises(PanelError, match="too large"):
        read_block(out.blocks[0])


def test_too_many_blocks_in_one_reply_are_stripped_and_reported():
    """A model that floods panels gets MAX_BLOCKS shown; the rest are errors and still never spoken."""
    block = '```panel\n{"id": "p", "root": {"type": "divider"}}\n```'
    text, blocks = split_panels("x" + block * (MAX_BLOCKS + 2))
    assert text.strip() == "x"
    assert [bool(b.error) for b in blocks] == [False] * MAX_BLOCKS + [True, True]


def test_update_and_close_blocks_become_window_messages():
    """A block may also update one node or close a panel, in the window's own message format."""
    _, blocks = split_panels('```panel\n{"panel_update": {"panel_id": "w", "node_id": "now", '
                             '"changes": {"text": "22 °C"}}}\n``` ```panel\n{"panel_close": {"panel_id": "w"}}\n```')
    assert [block_event(b) for b in blocks] == [
        events.PanelUpdate(panel_id="w", node_id="now", changes={"text": "22 °C"}),
        events.PanelClose(panel_id="w")]


def test_server_prompt_documents_the_vocabulary_and_the_fence():
    """A server model is told the node types, the allowed actions and how to fence a panel."""
    prompt = with_panels("You are Presence.")
    assert prompt.startswith("You are Presence.") and PANEL_PROMPT in prompt
    assert "```panel" in prompt and "never read aloud" in prompt
