"""Ports: the interfaces the runner talks to. Real adapters and fakes both implement them.

Audio crosses these ports as numpy float32 mono arrays at 16 kHz. mypy checks the real adapters
against these where they are built (presence.runtime.build, .session, .replay, and
presence.models.backends for ChatModel): an adapter that drifts from its port fails `make lint`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


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


Box = tuple[int, int, int, int]


def clip_box(box: Box, width: int, height: int) -> Box | None:
    """The part of box inside a width x height frame; None when nothing is left."""
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(width, box[2]), min(height, box[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def to_frame(windows: Sequence[WindowInfo], origin: tuple[int, int], width: int, height: int) -> list[WindowInfo]:
    """Windows in screen coordinates -> boxes relative to a monitor at `origin`; off-frame ones dropped."""
    out = []
    ox, oy = origin
    for w in windows:
        box = clip_box((w.box[0] - ox, w.box[1] - oy, w.box[2] - ox, w.box[3] - oy), width, height)
        if box is not None:
            out.append(WindowInfo(w.title, box, w.active, w.excluded))
    return out


class FrameFilter(Protocol):
    """Applied by the capture to every grab before it is published (presence.screen.windows.exclude_windows).

    `windows` and `also_at` are the window listings taken just before and just after the grab, in
    the frame's coordinates; `patterns` the user's exclusions. Returns the pixels and the windows to
    publish (excluded ones blanked and renamed, the other titles redacted).
    """

    def __call__(self, pixels: Any, windows: Sequence[WindowInfo], patterns: Sequence[str],
                 also_at: Sequence[WindowInfo] = ()) -> tuple[Any, tuple[WindowInfo, ...]]: ...


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
    """The screen (presence.devices.screen_mss.MssScreen; PngFolderScreen in replay)."""

    def latest(self, now_ms: int) -> ScreenFrame | None: ...

    def close(self) -> None: ...


class VoiceActivity(Protocol):
    """Streaming voice-activity detector with explicit state (presence.speech.vad.SileroVad)."""

    def reset(self) -> None: ...

    def process(self, samples: Any) -> list[float]:
        """Speech probabilities for each complete frame contained in (buffered) samples."""
        ...


class EndOfTurnModel(Protocol):
    """Whether an utterance sounds finished (presence.speech.endpoint.SmartTurn)."""

    def complete_probability(self, audio: Any) -> float: ...


class HeardText(Protocol):
    """What a recognizer heard: the words, and whether they were speech rather than noise."""

    @property
    def text(self) -> str: ...

    @property
    def is_speech(self) -> bool: ...


class SpeechRecognizer(Protocol):
    """presence.speech.asr.WhisperAsr."""

    def transcribe(self, audio: Any, partial: bool = False, context: str = "") -> HeardText:
        """partial: a rolling transcript while the user still talks (faster, greedy, shorter window);
        context: what the conversation expects to hear (the decoder's previous text)."""
        ...


class SpeechSynthesizer(Protocol):
    """presence.speech.tts.PiperTts."""

    def synthesize(self, text: str) -> Any:
        """16 kHz float32 mono audio for text."""
        ...


@runtime_checkable
class ChatModel(Protocol):
    """A chat session that keeps its context between turns. Single-threaded: one caller.

    presence.models.llm.LlamaChatSession (embedded or a GGUF file), .openai_backend.OpenAIChatSession
    (a server) and .backends.FallbackChatSession (a server with the embedded model behind it).
    """

    def reset(self) -> None: ...

    def add_user(self, text: str) -> None: ...

    def add_assistant(self, text: str) -> None: ...

    def stream_reply(self, max_tokens: int = 120,
                     should_stop: Callable[[], bool] = lambda: False) -> Iterator[str]:
        """Yield text pieces of the assistant's reply; the reply joins the context."""
        ...

    def replace_last_reply(self, heard_text: str) -> None:
        """Cut the last reply in the context to what the user actually heard."""
        ...

    def checkpoint(self) -> Any:
        """A point in the context to roll back to (its type is the session's own)."""
        ...

    def rollback(self, point: Any) -> None: ...


@runtime_checkable
class ImageChatModel(ChatModel, Protocol):
    """A chat model that can be shown images with a user turn (a server vision model).

    Callers pass images only when `accepts_images` is true.
    """

    @property
    def accepts_images(self) -> bool: ...

    def add_user(self, text: str, images: tuple[str, ...] = ()) -> None: ...
