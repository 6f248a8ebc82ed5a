"""Fakes shared by the GUI tests: a controller, silent devices, and model stand-ins.

They let the window and the session run the real runner and threads in milliseconds,
without loading models or opening sound devices.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from presence.core.types import TICK_SAMPLES, ReplyChunk, ReplyDone
from presence.runtime.build import Models


class FakeController:
    """Records what the widgets asked for, in order."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.muted: list[bool] = []

    def submit_text(self, text: str) -> None:
        self.texts.append(text)

    def set_muted(self, muted: bool) -> None:
        self.muted.append(muted)


class SilentMic:
    """Endless silence, a tick every few ms, so a runner loops until it is stopped."""

    def __init__(self, tick_s: float = 0.005) -> None:
        self.tick_s = tick_s
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def read(self, n_samples: int) -> np.ndarray:
        time.sleep(self.tick_s)
        return np.zeros(n_samples, np.float32)

    def close(self) -> None:
        self.closed = True


class NullSpeaker:
    def __init__(self) -> None:
        self.started = self.closed = False
        self.written = 0

    def start(self) -> None:
        self.started = True

    def write(self, samples: np.ndarray) -> None:
        self.written += len(samples)

    def clear(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class QuietVad:
    def reset(self) -> None:
        pass

    def process(self, samples: np.ndarray) -> list[float]:
        return [0.0] * (len(samples) // 512)


class EchoEngine:
    """Answers typed text with one spoken sentence, the way ReplyEngine does, instantly."""

    def __init__(self) -> None:
        self.thread_names: set[str] = set()
        self.lock = threading.Lock()

    def reply_to_text(self, reply_id: int, text: str, token: object):
        with self.lock:
            self.thread_names.add(threading.current_thread().name)
        yield ReplyChunk(reply_id, f"You said {text}.", np.zeros(TICK_SAMPLES, np.float32), final=True)
        yield ReplyDone(reply_id)

    def keep_heard(self, heard_text: str) -> None:
        pass


def fake_models() -> Models:
    return Models(QuietVad(), EchoEngine())  # type: ignore[arg-type]
