"""Fake devices that ship with the package: a WAV file as the microphone, a recording speaker,
a folder of PNG frames as the screen. Replay and tests use them; they run the real tick loop.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from presence.core.ports import ScreenFrame
from presence.core.types import ms_to_samples


class RecordingSpeaker:
    """Keeps everything written, in order; one tick written per tick keeps it time-aligned.

    Audio written during tick k is heard during tick k + 1, so the recording starts with a
    one-tick lead of silence (set by `latency_samples`).
    """

    def __init__(self, latency_samples: int = 0) -> None:
        self._parts: list[np.ndarray] = [np.zeros(latency_samples, np.float32)]
        self._n = latency_samples
        self.clears = 0

    def start(self) -> None:
        pass

    def write(self, samples: np.ndarray) -> None:
        self._parts.append(np.asarray(samples, np.float32).copy())
        self._n += len(samples)

    def clear(self) -> None:
        self.clears += 1  # nothing is buffered beyond what was written: the runner owns the queue

    def close(self) -> None:
        pass

    def __len__(self) -> int:
        return self._n

    def audio(self) -> np.ndarray:
        return np.concatenate(self._parts) if self._parts else np.zeros(0, np.float32)

    def segment(self, start: int, stop: int) -> np.ndarray:
        """Samples [start, stop) of what was played (zeros where nothing was)."""
        out = np.zeros(max(0, stop - start), np.float32)
        full = self.audio()
        lo, hi = max(0, start), min(len(full), stop)
        if hi > lo:
            out[lo - start:hi - start] = full[lo:hi]
        return out


class WavMicrophone:
    """Serves a WAV file's samples as captured audio, optionally at real-time pace.

    With an `echo_from` speaker it adds the assistant's own output back into the signal
    (gain, delay), the way a laptop microphone hears its speakers.
    """

    def __init__(self, audio: np.ndarray, realtime: bool = False, echo_from: RecordingSpeaker | None = None,
                 echo_gain: float = 0.0, echo_delay_ms: float = 0.0, tail_ms: int = 0) -> None:
        self._audio = np.concatenate([audio.astype(np.float32), np.zeros(ms_to_samples(tail_ms), np.float32)])
        self._pos = 0
        self._realtime = realtime
        self._echo_from, self._echo_gain = echo_from, echo_gain
        self._echo_delay = ms_to_samples(echo_delay_ms)
        self._t0: float | None = None

    def start(self) -> None:
        self._t0 = time.monotonic()

    def read(self, n_samples: int) -> np.ndarray | None:
        if self._pos >= len(self._audio):
            return None
        if self._realtime:
            if self._t0 is None:
                self._t0 = time.monotonic()  # as start() does: the first read starts the clock
            due = self._t0 + (self._pos + n_samples) / 16000.0
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        chunk = np.zeros(n_samples, np.float32)
        part = self._audio[self._pos:self._pos + n_samples]
        chunk[:len(part)] = part
        if self._echo_from is not None and self._echo_gain:
            start = self._pos - self._echo_delay
            chunk += self._echo_gain * self._echo_from.segment(start, start + n_samples)
        self._pos += n_samples
        return chunk

    def close(self) -> None:
        pass


class PngFolderScreen:
    """Frames named by the time in ms they appear (0.png, 7000.png); shows the latest one due."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"screen folder not found: {folder}")
        frames = []
        for p in folder.glob("*.png"):
            if p.stem.isdigit():
                frames.append((int(p.stem), p))
        if not frames:
            raise FileNotFoundError(f"no frames named like 0.png or 7000.png in {folder}")
        self._frames = sorted(frames)
        self._cache: dict[Path, np.ndarray] = {}

    def _load(self, path: Path) -> np.ndarray:
        if path not in self._cache:
            from PIL import Image

            with Image.open(path) as im:
                self._cache[path] = np.asarray(im.convert("RGB"))
        return self._cache[path]

    def latest(self, now_ms: int) -> ScreenFrame | None:
        due = [(t, p) for t, p in self._frames if t <= now_ms]
        if not due:
            return None
        t, p = due[-1]
        return ScreenFrame(t, self._load(p))

    def close(self) -> None:
        self._cache.clear()
