"""Real microphone and speaker through sounddevice (PortAudio). Callbacks only copy samples."""

from __future__ import annotations

import queue
import threading
from typing import Any

import numpy as np

from presence.core.types import SAMPLE_RATE_HZ

BLOCK_SAMPLES = 320  # 20 ms blocks


class AudioDeviceError(RuntimeError):
    """No usable audio device; the message says what was looked for and how to fix it."""


def _sd() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:  # PortAudio library missing
        raise AudioDeviceError(f"PortAudio is not installed ({exc}); run: sudo apt-get install libportaudio2") from exc
    return sd


def resolve_device(spec: str | int | None, kind: str) -> int | None:
    """A device index from an index, a name fragment or None (the system default)."""
    sd = _sd()
    channels_key = "max_input_channels" if kind == "input" else "max_output_channels"
    try:
        devices = list(sd.query_devices())
    except Exception as exc:
        raise AudioDeviceError(f"cannot list audio devices: {exc}") from exc
    usable = [(i, d) for i, d in enumerate(devices) if d[channels_key] > 0]
    if not usable:
        raise AudioDeviceError(f"no audio {kind} device found; connect one or check PulseAudio/PipeWire is running")
    if spec is None or spec == "":
        try:
            default = sd.default.device[0 if kind == "input" else 1]
        except Exception:
            default = -1
        if default is None or default < 0:
            return usable[0][0]
        return int(default)
    if isinstance(spec, int) or str(spec).isdigit():
        idx = int(spec)
        if any(i == idx for i, _ in usable):
            return idx
        raise AudioDeviceError(f"audio {kind} device #{idx} does not exist or has no {kind} channels")
    matches = [i for i, d in usable if str(spec).lower() in d["name"].lower()]
    if not matches:
        names = ", ".join(d["name"] for _, d in usable)
        raise AudioDeviceError(f"no audio {kind} device named like '{spec}'; available: {names}")
    return matches[0]


class SoundDeviceMicrophone:
    """Captures 16 kHz mono in 20 ms blocks into a queue; read() blocks for a tick's worth."""

    def __init__(self, device: str | int | None = None, timeout_s: float = 2.0) -> None:
        self._device = resolve_device(device, "input")
        self._blocks: queue.Queue[np.ndarray] = queue.Queue(maxsize=1000)
        self._buf = np.zeros(0, np.float32)
        self._stream: Any = None
        self._timeout_s = timeout_s
        self.overflows = 0

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            self.overflows += 1
        try:
            self._blocks.put_nowait(indata[:, 0].copy())
        except queue.Full:
            self.overflows += 1

    def start(self) -> None:
        sd = _sd()
        try:
            self._stream = sd.InputStream(device=self._device, channels=1, samplerate=SAMPLE_RATE_HZ,
                                          blocksize=BLOCK_SAMPLES, dtype="float32", callback=self._callback)
            self._stream.start()
        except Exception as exc:
            raise AudioDeviceError(f"cannot open microphone #{self._device}: {exc}") from exc

    def read(self, n_samples: int) -> np.ndarray | None:
        if self._stream is None:
            self.start()
        parts = [self._buf]
        have = len(self._buf)
        while have < n_samples:
            try:
                block = self._blocks.get(timeout=self._timeout_s)
            except queue.Empty:
                raise AudioDeviceError("the microphone stopped delivering audio (unplugged or blocked?)") from None
            parts.append(block)
            have += len(block)
        buf = np.concatenate(parts)
        self._buf = buf[n_samples:]
        return buf[:n_samples]

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None


class SoundDeviceSpeaker:
    """Plays what the runner writes; a small jitter buffer; clear() empties it at once."""

    def __init__(self, device: str | int | None = None) -> None:
        self._device = resolve_device(device, "output")
        self._lock = threading.Lock()
        self._buf = np.zeros(0, np.float32)
        self._stream: Any = None
        self.underruns = 0
        self.played = 0  # samples handed to the device, for echo reference alignment

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        with self._lock:
            n = min(frames, len(self._buf))
            outdata[:n, 0] = self._buf[:n]
            outdata[n:, 0] = 0.0
            self._buf = self._buf[n:]
            self.played += frames
        if n < frames:
            self.underruns += 1

    def start(self) -> None:
        sd = _sd()
        try:
            self._stream = sd.OutputStream(device=self._device, channels=1, samplerate=SAMPLE_RATE_HZ,
                                           blocksize=BLOCK_SAMPLES, dtype="float32", callback=self._callback)
            self._stream.start()
        except Exception as exc:
            raise AudioDeviceError(f"cannot open speaker #{self._device}: {exc}") from exc

    def write(self, samples: np.ndarray) -> None:
        if self._stream is None:
            self.start()
        if not np.any(samples) and not len(self._buf):
            return  # nothing to say: let the device play its own silence
        with self._lock:
            self._buf = np.concatenate([self._buf, samples.astype(np.float32)])

    def clear(self) -> None:
        with self._lock:
            self._buf = np.zeros(0, np.float32)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
