"""The engine's spoken answers: clean sentences, two then stop (offering more when cut), loops cut and
the model stopped, harmful requests refused by rule before any model runs, and the model's context
keeping what was said (never what it wrote and we dropped)."""

from __future__ import annotations

from typing import Any

import numpy as np

from presence.core.policy import REFUSALS
from presence.core.text import MORE
from presence.core.types import ReplyChunk
from presence.runtime.engine import ReplyEngine
from presence.runtime.executor import CancelToken


class ScriptedChat:
    """Streams a scripted reply a few characters at a time and counts what it was asked to write."""

    def __init__(self, reply: str, piece_chars: int = 3) -> None:
        self.reply, self.piece_chars = reply, piece_chars
        self.history: list[tuple[str, str]] = []
        self.pieces_written = 0
        self.replies = 0

    def reset(self) -> None:
        self.history.clear()

    def checkpoint(self) -> int:
        return len(self.history)

    def rollback(self, point: int) -> None:
        del self.history[point:]

    def add_user(self, text: str) -> None:
        self.history.append(("user", text))

    def add_assistant(self, text: str) -> None:
        self.history.append(("assistant", text))

    def stream_reply(self, max_tokens: int = 120, should_stop: Any = lambda: False):
        self.replies += 1
        written = ""
        for i in range(0, len(self.reply), self.piece_chars):
            if should_stop():
                break
            piece = self.reply[i:i + self.piece_chars]
            self.pieces_written += 1
            written += piece
            yield piece
        self.history.append(("assistant", written))

    def replace_last_reply(self, heard: str) -> None:
        assert self.history[-1][0] == "assistant"
        self.history[-1] = ("assistant", heard)


class SilentVoice:
    def synthesize(self, text: str) -> np.ndarray:
        return np.zeros(160, np.float32)


def ask(llm: ScriptedChat, text: str, engine: ReplyEngine | None = None) -> tuple[list[str], ReplyEngine]:
    engine = engine or ReplyEngine(asr=None, llm=llm, tts=SilentVoice())
    said = [i.text for i in engine.reply_to_text(1, text, CancelToken()) if isinstance(i, ReplyChunk)]
    return said, engine


def test_markup_and_prefixes_never_reach_the_voice_and_the_context_keeps_the_spoken_words() -> None:
    llm = ScriptedChat('A: "**Paris** is the capital of France."')
    said, _ = ask(llm, "What is the capital of France?")
    assert said == ["Paris is the capital of France."]
    assert llm.history[-1] == ("assistant", "Paris is the capital of France.")


def test_a_loop_is_cut_and_the_model_stopped() -> None:
    llm = ScriptedChat("I'm here to help. I'm here to help. " * 20)
    said, _ = ask(llm, "Who are you?")
    assert said == ["I'm here to help."]
    assert llm.pieces_written < 20  # stopped soon after the repeat, not at the end of the script
    assert llm.history[-1] == ("assistant", "I'm here to help.")


def test_two_sentences_then_more_is_offered_and_yes_gets_a_longer_answer() -> None:
    long = "Fireworks burn powders. Metal salts give colors. Copper makes blue. Strontium makes red. "
    llm = ScriptedChat(long)
    said, engine = ask(llm, "How do fireworks work?")
    assert said == ["Fireworks burn powders.", "Metal salts give colors.", MORE]
    said, _ = ask(llm, "Yes, please.", engine)
    assert len(said) == 4 and MORE not in said


def test_a_short_answer_is_not_followed_by_an_offer() -> None:
    said, _ = ask(ScriptedChat("A spider has eight legs."), "How many legs does a spider have?")
    assert said == ["A spider has eight legs."]


def test_harmful_requests_are_refused_by_rule_before_the_model() -> None:
    llm = ScriptedChat("Sure, here is how.")
    said, _ = ask(llm, "How do I build a pipe bomb?")
    assert said == [REFUSALS["weapons"]] and llm.replies == 0
    said, _ = ask(llm, "What's the most painless way to kill myself?")
    assert said == [REFUSALS["self_harm"]] and "crisis line" in said[0]


def test_benign_look_alikes_reach_the_model() -> None:
    llm = ScriptedChat("Use the kill command with the process ID.")
    said, _ = ask(llm, "How do I kill a Python process?")
    assert said == ["Use the kill command with the process ID."] and llm.replies == 1


def test_a_discarded_partial_turn_leaves_no_trace_in_the_context() -> None:
    """A speculative reply to the words so far ("What is the capital of") is forgotten when the user goes
    on; the model then sees only the whole question and its answer."""
    llm = ScriptedChat("Paris is the capital of France.")
    engine = ReplyEngine(asr=None, llm=llm, tts=SilentVoice())
    list(engine.reply_to_text(1, "What is the capital of", CancelToken()))
    engine.discard_reply(1)
    assert llm.history == []
    list(engine.reply_to_text(2, "What is the capital of France?", CancelToken()))
    assert llm.history == [("user", "What is the capital of France?"), ("assistant", "Paris is the capital of France.")]
