"""The reply engine holds a ```panel block back from the voice while it streams: the panel is yielded
for the window, the sentences around it are spoken, and not one character of the JSON is synthesized."""

from __future__ import annotations

import json

import numpy as np

from presence.core import events
from presence.core.panel_fence import PanelOutput
from presence.core.types import ReplyChunk, ReplyDone
from presence.runtime.engine import NOT_SURE, ReplyEngine
from presence.runtime.executor import CancelToken

TABLE = {"id": "compare", "title": "Owls and hawks", "root": {"type": "table", "columns": ["", "Owl", "Hawk"],
                                                               "rows": [["Hunts", "at night", "by day"]]}}


class FakeStreamingChat:
    """A chat model that streams a scripted reply in small pieces, the way llama.cpp yields tokens."""

    def __init__(self, reply: str, piece_chars: int = 3) -> None:
        self.reply, self.piece_chars = reply, piece_chars
        self.history: list[tuple[str, str]] = []

    def reset(self) -> None:
        self.history.clear()

    def checkpoint(self):
        return len(self.history)

    def add_user(self, text: str) -> None:
        self.history.append(("user", text))

    def add_assistant(self, text: str) -> None:
        self.history.append(("assistant", text))

    def stream_reply(self, max_tokens=120, should_stop=lambda: False):
        for i in range(0, len(self.reply), self.piece_chars):
            if should_stop():
                return
            yield self.reply[i:i + self.piece_chars]


class FakeRecordingTts:
    """Records every text it is asked to speak."""

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def synthesize(self, text: str) -> np.ndarray:
        self.spoken.append(text)
        return np.zeros(160, np.float32)


def reply(model_text: str) -> tuple[list, FakeRecordingTts]:
    tts = FakeRecordingTts()
    engine = ReplyEngine(asr=None, llm=FakeStreamingChat(model_text), tts=tts)
    tts.spoken.clear()  # fillers and acknowledgments synthesized at load
    return list(engine.reply_to_text(1, "Compare owls and hawks.", CancelToken())), tts


def test_a_reply_with_a_panel_block_shows_the_panel_and_speaks_none_of_the_json():
    """The sentences around the block are spoken in order; the block becomes one panel event."""
    items, tts = reply(f"Owls hunt at night, hawks by day.\n```panel\n{json.dumps(TABLE)}\n```\n"
                       "The table has the details.")
    panels = [i for i in items if isinstance(i, PanelOutput)]
    assert len(panels) == 1 and panels[0].reply_id == 1
    (event,) = panels[0].events
    assert isinstance(event, events.Panel) and event.panel["id"] == "compare" and event.panel["root"]["rows"] == \
        TABLE["root"]["rows"]
    said = [i.text for i in items if isinstance(i, ReplyChunk)]
    assert said == ["Owls hunt at night, hawks by day.", "The table has the details."]
    assert tts.spoken == said
    assert not any(c in " ".join(tts.spoken) for c in "{}`[]") and "compare" not in " ".join(tts.spoken)
    assert isinstance(items[-1], ReplyDone) and items[-1].reason == "complete"


def test_a_malformed_panel_block_is_an_error_event_and_still_not_spoken():
    """Bad JSON in the block: a panel_error for the window; the voice says only the plain sentence."""
    items, tts = reply('Here you go. ```panel\n{"id": "x", "root": {"type": "table", "rows": "oops"}}\n```')
    (event,) = next(i for i in items if isinstance(i, PanelOutput)).events
    assert isinstance(event, events.PanelError) and "rows" in event.message
    assert tts.spoken == ["Here you go."]


def test_a_reply_that_is_only_a_panel_does_not_say_it_is_unsure():
    """A panel is an answer: no 'I'm not sure' when nothing else was written."""
    items, tts = reply(f"```panel\n{json.dumps(TABLE)}\n```")
    assert any(isinstance(i, PanelOutput) for i in items)
    assert NOT_SURE not in tts.spoken and tts.spoken == []


def test_an_unclosed_block_at_the_end_of_a_reply_is_reported_not_read():
    """A block cut off by the token limit: reported as not closed, none of it spoken."""
    items, tts = reply('Sure. ```panel\n{"id": "x", "title": "half a panel')
    (event,) = next(i for i in items if isinstance(i, PanelOutput)).events
    assert isinstance(event, events.PanelError) and "not closed" in event.message
    assert tts.spoken == ["Sure."]
