"""Our own duplex scenarios: synthetic user audio with known timing, in the replay folder format.

Each scenario is a folder with user.wav (16 kHz mono), truth.json (segments, kind, the times
that matter) and optionally screen/ frames. Speech comes from the embedded Piper voice at a
different speed than the assistant uses (some scenarios shift its pitch and pace, as other
people: other_voice), noise from numpy, so the set needs nothing outside the project. The
kinds mirror the shared public set: turn, pause, interrupt, noise_only, timer, cue; ours add
timer_cancel and task, and timer/cue truths may list several times (several timers set in one
sentence, a cue word said twice) and a decoy word the cue must not fire on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soxr

from presence.core.types import SAMPLE_RATE_HZ, samples_to_ms
from presence.devices.audio_files import write_wav_16k_mono

Speak = Callable[[str], np.ndarray]


@dataclass
class Timeline:
    """Builds a user track piece by piece and records each piece's times."""

    audio: list[np.ndarray] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    n: int = 0
    bed: str | None = None  # a noise kind heard under the whole track (a fan, a hum)

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
        x = np.concatenate(self.audio)
        return x if self.bed is None else x + noise(self.bed, self.ms + 1, seed=7, level=0.03)[:len(x)]


def other_voice(speak: Speak, ratio: float) -> Speak:
    """The same words as another person might say them: pitch and pace scaled together (1.15:
    higher and faster). We ship one voice; the held-back scenarios use others, and a voice that is
    not the assistant's own also keeps the echo tests honest."""
    def say(text: str) -> np.ndarray:
        return soxr.resample(speak(text), SAMPLE_RATE_HZ * ratio, SAMPLE_RATE_HZ).astype(np.float32)
    return say


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
              _turn("own_turn_spider", "How many legs does a spider have?", ["eight", "8"]),
              _interrupt("own_interrupt_poem", "Tell me a long story about a brave knight.",
                         "No wait, tell me about a pirate instead.", ["pirate"]),
              _interrupt("own_interrupt_joke", "Tell me a long story about a dragon who loves music.",
                         "Stop, tell me a joke instead.", ["joke"], barge_after_ms=4000),
              _noise("own_noise_keys", "keys"), _noise("own_noise_music", "music"),
              _timer("own_timer_five", "Tell me when five seconds have passed.", 5000),
              _cue("own_cue_twice", "Let me know when I say the word banana.",
                   "I like apples and a banana with my breakfast.", "banana"),
              *TIME_MAKERS,
              _task("own_task_plan", "Write a short plan for my week."),
              *OTHER_VOICES]
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


def _voiced(ratio: float, named_maker: tuple[str, Callable]) -> tuple[str, Callable]:
    name, make = named_maker
    return name, lambda speak: make(other_voice(speak, ratio))


def _noisy(kind: str, named_maker: tuple[str, Callable]) -> tuple[str, Callable]:
    name, make = named_maker

    def noisy_make(speak: Speak):
        t, truth = make(speak)
        t.bed = kind
        return t, truth
    return name, noisy_make


def _task(name: str, request: str):
    """A deep task: acknowledged in words at once, worked on in the background, delivered later."""
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(9000)
        return t, {"kind": "task", "user_end_ms": end, "ack_words": ["work that out"]}
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


def _interrupt(name: str, request: str, barge: str, keywords: list[str], barge_after_ms: int = 5000):
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(barge_after_ms)  # into the story's first sentences
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


def _timer(name: str, request: str, after_ms: int | list[int]):
    """One request sets one timer (or several, each counted from the end of the request)."""
    def make(speak: Speak):
        afters = after_ms if isinstance(after_ms, list) else [after_ms]
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(max(afters) + 4000)
        due = [end + a for a in afters]
        return t, {"kind": "timer", "user_end_ms": end, "due_ms": due if isinstance(after_ms, list) else due[0]}
    return name, make


def _timer_cancel(name: str, request: str, after_ms: int, cancel: str, gap_ms: int):
    """A timer is set, then cancelled by voice gap_ms later: an acknowledgement, and nothing when it was due."""
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(gap_ms)
        _, cancel_end = t.add("speech", trim(speak(cancel)), cancel)
        t.silence(max(0, end + after_ms - t.ms) + 4000)
        return t, {"kind": "timer_cancel", "user_end_ms": end, "cancel_end_ms": cancel_end,
                   "due_ms": end + after_ms, "ack_words": ["cancel"]}
    return name, make


def _cue(name: str, request: str, sentence: str, word: str, decoy: str | None = None, wait_ms: int = 4000):
    """The cue word (every occurrence) and a decoy word are spoken as their own pieces, so their times are known."""
    def make(speak: Speak):
        t = Timeline()
        t.silence(800)
        _, end = t.add("speech", trim(speak(request)), request)
        t.silence(wait_ms)  # the acknowledgement has been said by then
        marked = f"{word}|{decoy}" if decoy else word
        cues, decoys = [], []
        for piece in (p.strip() for p in re.split(rf"\b({marked})\b", sentence)):
            if piece:
                start, _ = t.add("speech", trim(speak(piece)), piece)
                (cues if piece == word else decoys if piece == decoy else []).append(start)
        sentence_end = t.ms
        t.silence(5000)
        truth = {"kind": "cue", "user_end_ms": end, "cue_ms": cues if len(cues) > 1 else cues[0],
                 "sentence_end_ms": sentence_end}
        if decoys:
            truth["decoy_ms"] = decoys[0]
        return t, truth
    return name, make


# Time-aware speech beyond the public set: minutes, several timers, cancelling, a cue said twice, a decoy.
# The cue sentences have no commas: Piper's comma pause can end the turn early and draw a filler,
# which is the pause scenarios' business, not what these measure.
TIME_MAKERS = [
    _timer("own_timer_minute", "Tell me when one minute has passed.", 60_000),
    _timer("own_timers_two", "Set a timer for six seconds and another one for ten seconds.", [6000, 10_000]),
    _timer_cancel("own_timer_cancel", "Set a timer for twelve seconds.", 12_000, "Cancel the timer.", 4500),
    _cue("own_cue_repeat", "Every time I say apple, say ding.",
         "I ate an apple in the morning and then I had another apple with my tea in the afternoon.", "apple",
         wait_ms=5000),
    _cue("own_cue_decoy", "Let me know when I say the word apple.",
         "I drank some pineapple juice this morning and then I ate an apple at my desk before the meeting.",
         "apple", "pineapple"),
]


# The duplex kinds again in other voices (higher and faster, lower and slower), one over a hum.
OTHER_VOICES = [
    _voiced(1.15, _turn("own_turn_high", "Which planet is closest to the sun?", ["mercury"])),
    _voiced(0.88, _pause("own_pause_low", "Could you tell me, uh,", "how far away the moon is?")),
    _voiced(1.15, _interrupt("own_interrupt_high", "Tell me a long story about a little robot.",
                             "Hold on, make it about a robot dog instead.", ["dog"])),
    _noisy("hum", _voiced(0.9, _turn("own_turn_hum", "What is the capital of Italy?", ["rome"]))),
]
