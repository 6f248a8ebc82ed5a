"""Fakes shared by tests in every folder (import as `from fakes import FakeTts`: tests/ is on sys.path).

Each one is a stand-in for a real model or device part, named Fake*, small enough to read at a glance.
"""

from __future__ import annotations

import numpy as np

from presence.core.types import PartialText, ReplyChunk, ReplyDone, UserText

VAD_FRAME = 512  # samples per speech probability, as SileroVad gives them


class FakeTts:
    """A fake voice: `samples` samples per text (default 10 ms per character), each of value `level`."""

    def __init__(self, level: float = 0.0, samples: int | None = None, per_char: int = 160) -> None:
        self.level, self.samples, self.per_char = level, samples, per_char

    def synthesize(self, text: str) -> np.ndarray:
        n = self.samples if self.samples is not None else len(text) * self.per_char
        return np.full(n, self.level, np.float32)


class FakeEnergyVad:
    """Speech probability from frame energy: a frame whose mean level is above `threshold` is speech (1.0)."""

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold

    def reset(self) -> None:
        pass

    def process(self, samples: np.ndarray) -> list[float]:
        frames = samples[: len(samples) // VAD_FRAME * VAD_FRAME].reshape(-1, VAD_FRAME)
        return [1.0 if np.abs(f).mean() > self.threshold else 0.0 for f in frames]


class FakeSilentVad:
    """Never hears speech (for conversations that are typed)."""

    def reset(self) -> None:
        pass

    def process(self, samples: np.ndarray) -> list[float]:
        return [0.0] * (len(samples) // VAD_FRAME)


class FakeSureEndpoint:
    """smart-turn stand-in: every pause sounds finished, so a turn ends at its first short pause."""

    def complete_probability(self, audio: np.ndarray) -> float:
        return 0.9


class FakeEngine:
    """Replies with a fixed 3 s tone per turn and records what the context kept after a barge-in."""

    def __init__(self, short_words: str = "mm-hm") -> None:
        self.kept: list[str] = []
        self.heard_ms: list[int] = []  # length of each utterance we were asked to answer
        self.heard_audio: list[np.ndarray] = []
        self.discarded: list[int] = []
        self.short_words = short_words
        self.backchannels = [("Mm-hm.", np.full(4000, 0.2, np.float32))]

    def reply_to_audio(self, rid, audio, token):
        self.heard_ms.append(len(audio) // 16)
        self.heard_audio.append(audio)
        yield UserText(rid, "hello", len(audio) // 16)
        yield ReplyChunk(rid, "one two three four five six", np.full(48000, 0.3, np.float32))
        yield ReplyDone(rid)

    def reply_to_text(self, rid, text, token):
        yield from self.reply_to_audio(rid, np.zeros(1), token)

    def keep_heard(self, heard):
        self.kept.append(heard)

    def discard_reply(self, rid):
        self.discarded.append(rid)

    def partial_transcript(self, uid, audio):
        yield PartialText(uid, self.short_words)
