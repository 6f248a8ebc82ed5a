"""Ports: the interfaces the runner talks to. Real adapters and fakes both implement them.

Audio crosses these ports as numpy float32 mono arrays at 16 kHz.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol


class Microphone(Protocol):
    """Delivers captured audio. The microphone is the clock: one tick is TICK_SAMPLES of it."""

    def start(self) -> None: ...

    def read(self, n_samples: int) -> Any | None:
        """Block until n_samples are captured; None when the source has ended."""

    def close(self) -> None: ...


class Speaker(Protocol):
    """Plays audio. The runner writes exactly one tick of samples (speech or silence) per tick."""

    def start(self) -> None: ...

    def write(self, samples: Any) -> None: ...

    def clear(self) -> None:
        """Drop everything queued but not yet played (barge-in)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class WindowInfo:
    """A top-level window as the capture saw it: title and box (x0, y0, x1, y1) in the frame's pixels.

    An excluded window (its title matched a user pattern) has its pixels blanked and its title
    replaced by EXCLUDED_TITLE before the frame leaves the capture thread.
    """

    title: str
    box: tuple[int, int, int, int]
    active: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class ScreenFrame:
    """A captured screen image (H x W x 3 uint8 RGB) and when it was taken (logical ms).

    `windows` lists the visible top-level windows bottom to top (empty where the platform gives
    no window list, e.g. Wayland or a PNG replay).
    """

    t_ms: int
    pixels: Any
    monitor: int = 0
    windows: tuple[WindowInfo, ...] = ()

    @property
    def active_title(self) -> str | None:
        return next((w.title for w in self.windows if w.active), None)


class ScreenSource(Protocol):
    def latest(self, now_ms: int) -> ScreenFrame | None: ...

    def close(self) -> None: ...


class Clock(Protocol):
    """Wall time for pacing only; core logic uses tick time, never this."""

    def monotonic_s(self) -> float: ...

    def sleep_s(self, seconds: float) -> None: ...


class VoiceActivity(Protocol):
    """Streaming voice-activity detector with explicit state."""

    def reset(self) -> None: ...

    def process(self, samples: Any) -> list[float]:
        """Speech probabilities for each complete frame contained in (buffered) samples."""


class HeardText(Protocol):
    """What a recognizer heard: the words, and whether they were speech rather than noise."""

    text: str

    @property
    def is_speech(self) -> bool: ...


class SpeechRecognizer(Protocol):
    def transcribe(self, audio: Any, partial: bool = False) -> HeardText:
        """partial: a rolling transcript while the user still talks (faster, greedy, shorter window)."""


class ChatModel(Protocol):
    """A chat model session that keeps its context between turns."""

    def reset(self) -> None: ...

    def add_user(self, text: str) -> None: ...

    def stream_reply(self, max_tokens: int, should_stop: Any) -> Iterator[str]:
        """Yield text pieces of the assistant's reply; the reply joins the context."""

    def replace_last_reply(self, heard_text: str) -> None:
        """Cut the last reply in the context to what the user actually heard."""


class SpeechSynthesizer(Protocol):
    def synthesize(self, text: str) -> Any:
        """16 kHz float32 mono audio for text."""
