"""Our own duplex scenarios: synthetic user audio with known timing, in the replay folder format.

Each scenario is a folder with user.wav (16 kHz mono), truth.json (segments, kind, the times
that matter) and optionally screen/ frames. Speech comes from the embedded Piper voice at a
different speed than the assistant uses, noise from numpy, so the set needs nothing outside
the project. The kinds mirror the shared public set: turn, pause, interrupt, noise_only,
timer, cue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from presence.core.types import SAMPLE_RATE_HZ, samples_to_ms
from presence.devices.audio_files import write_wav_16k_mono

Speak = Callable[[str], np.ndarray]


@dataclass
class Timeline:
    """Builds a user track piece by piece and records each piece's times."""

    audio: list[np.ndarray] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    n: int = 0

    @property
    def ms(self) -> int:
        return samples_to_ms(self.n)

    def add(self, kind: str, x: np.ndarray, text: str | None = None) -> tuple[int, int]:
        start = self.ms
        self.audio.append(x.astype(np.float32))
        self.n += len(x)
        seg = {"kind": kind, "start_ms": start, "end_ms": self.ms}
        if text:
            seg["text"] = text
        self.segments.append(seg)
        return start, self.ms

    def silence(self, ms: int) -> tuple[int, int]:
        return self.add("silence", np.zeros(ms * SAMPLE_RATE_HZ // 1000, np.float32))

    def track(self) -> np.ndarray:
        return np.concatenate(self.audio)


def trim(x: np.ndarray, level: float = 0.01) -> np.ndarray:
    idx = np.flatnonzero(np.abs(x) > level)
    return x[idx[0]: idx[-1] + 1] if idx.size else x


def noise(kind: str, ms: int, seed: int, level: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = ms * SAMPLE_RATE_HZ // 1000
    t = np.arange(n) / SAMPLE_RATE_HZ
    if kind == "hum":
        x = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 5)) + 0.2 * rng.standard_normal(n)
    elif kind == "keys":  # keyboard clicks: short bursts at random times
        x = np.zeros(n)
        for at in rng.integers(0, n - 400, size=ms // 150):
            x[at:at + 300] += rng.standard_normal(300) * np.exp(-np.arange(300) / 40)
    else:  # chords with a beat, a stand-in for music
        x = sum(np.sin(2 * np.pi * f * t) for f in (220, 277, 330)) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))
    x = x / (np.abs(x).max() + 1e-9)
    return (x * level).astype(np.float32)


def build_all(speak: Speak, out: Path) -> list[Path]:
    """Write every scenario under out/; returns their folders."""
    out.mkdir(parents=True, exist_ok=True)
    makers = [_turn("own_turn_sum", "What is twelve plus thirty?", ["42"]),
              _turn("own_turn_sky", "Why is the sky blue?", []),
              # Piper reads a trailing "and" with falling, final-sounding prosody that fools smart-turn
              # (0.96 "complete"); a filled pause is how a mid-sentence pause sounds in this voice.
              _pause("own_pause_um", "I need to buy, um,", "some milk and eggs for tomorrow."),
              _interrupt("own_interrupt_poem", "Tell me a long story about a brave knight.",
                         "No wait, tell me about a pirate instead.", ["pirate"]),
              _noise("own_noise_keys", "keys"), _noise("own_noise_music", "music"),
              _timer("own_timer_five", "Tell me when five seconds have passed.", 5000),
              _cue("own_cue_twice", "Let me know when I say the word banana.",
                   "I like apples and a banana with my breakfast.", "banana")]
    folders = []
    for name, make in makers:
        line, truth = make(speak)
        d = out / name
        d.mkdir(exist_ok=True)
        write_wav_16k_mono(d / "user.wav", line.track())
        truth.update(name=name, duration_ms=line.ms, segments=line.segments)
        (d / "truth.json").write_text(json.dumps(truth, indent=1))
        folders.append(d)
    return folders


def _turn(name: str, question: str, keywords: list[str]):
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(question)), question)
        t.silence(5500)
        return t, {"kind": "turn", "user_end_ms": end, "keywords": keywords}
    return name, make


def _pause(name: str, first: str, second: str):
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        t.add("speech", trim(speak(first)), first)
        p0, p1 = t.silence(1500)
        _, end = t.add("speech", trim(speak(second)), second)
        t.silence(5500)
        return t, {"kind": "pause", "pause": [p0, p1], "user_end_ms": end, "keywords": []}
    return name, make


def _interrupt(name: str, request: str, barge: str, keywords: list[str]):
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(5000)
        b0, b1 = t.add("speech", trim(speak(barge)), barge)
        t.silence(6000)
        return t, {"kind": "interrupt", "user_end_ms": end, "barge": [b0, b1], "keywords": keywords}
    return name, make


def _noise(name: str, kind: str):
    def make(speak: Speak):
        t = Timeline()
        t.silence(500)
        t.add("noise", noise(kind, 9000, seed=len(name)), kind)
        t.silence(1500)
        return t, {"kind": "noise_only"}
    return name, make


def _timer(name: str, request: str, after_ms: int):
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(after_ms + 4000)
        return t, {"kind": "timer", "user_end_ms": end, "due_ms": end + after_ms}
    return name, make


def _cue(name: str, request: str, sentence: str, word: str):
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(4000)
        before, after = sentence.split(word, 1)
        t.add("speech", trim(speak(before.strip())), before.strip())
        cue_ms, _ = t.add("speech", trim(speak(word)), word)
        _, sentence_end = t.add("speech", trim(speak(after.strip())), after.strip())
        t.silence(5000)
        return t, {"kind": "cue", "user_end_ms": end, "cue_ms": cue_ms, "sentence_end_ms": sentence_end}
    return name, make
