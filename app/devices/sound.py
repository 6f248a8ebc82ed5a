"""Real microphone and speaker through sounddevice (PortAudio). Callbacks only copy samples."""

from __future__ import annotations

import queue
import threading
from typing import Any

import numpy as np

from presence.core.types import SAMPLE_RATE_HZ

BLOCK_SAMPLES = 320  # 20 ms blocks
# The runner writes a tick (200 ms) every tick, paced by the microphone on the same clock, so each
# write would land just as the last one plays out; any lateness is a gap in our voice (a click
# to the user, and a jump in the echo delay the canceller has locked on to). Speech that starts
# from an empty buffer is therefore queued behind this much silence.
SPEAKER_MARGIN_SAMPLES = 1280  # 80 ms
# Device timestamps of consecutive blocks differ from the sample count by a fraction of a ms; a
# larger step is a gap in the stream (an underrun: measured 140-200 ms under load) or a restart
TIMESTAMP_JITTER_SAMPLES = 160  # 10 ms


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


class PlayedReference:
    """What the speaker played, handed to the microphone sample for sample as it is captured.

    The echo canceller needs the speaker signal on the microphone's timeline. The tick that wrote
    a sound is the wrong clock live: when a tick runs late, its audio plays late, and the echo
    lands seconds from where the tick count says. The device callbacks are the right clock.

    Where the host API gives timestamps (PortAudio's `outputBufferDacTime`, when a speaker block
    reaches the converter, and `inputBufferAdcTime`, when a microphone block was captured; ALSA
    and PulseAudio do), the reference is kept on that clock: a speaker callback that comes too
    late to keep the device fed (a busy machine: measured 150-230 ms late, several times a
    minute) leaves a gap the device filled with silence, and its block is stamped after that
    gap. Pairing by callback order instead slid our speech that much earlier against the
    microphone at every such gap, and the echo canceller saw its path jump (live loopback: 2 and
    30 ms, then 137 ms within one reply) and took the misplaced echo for the user. Without
    timestamps the speaker callback appends each block and the microphone callback takes as
    many samples as it captured.
    """

    def __init__(self, max_samples: int = 8000, ring_samples: int = 32000) -> None:
        self._lock = threading.Lock()
        self._max = max_samples  # a microphone that stopped taking must not grow this without end
        self._buf = np.zeros(0, np.float32)
        self._ring = np.zeros(ring_samples, np.float32)  # the last 2 s played, by device sample time
        self._end: int | None = None  # device sample time just after the last sample played
        self._mic_next: int | None = None  # device sample time of the microphone's next sample
        self.gaps = 0  # times the speaker's stream restarted after a gap (or its clock jumped)

    def played(self, block: np.ndarray, dac_time: float | None = None) -> None:
        with self._lock:
            self._buf = np.concatenate([self._buf, block])[-self._max:]
            if dac_time:
                self._played_at(block, round(dac_time * SAMPLE_RATE_HZ))

    def take(self, n: int, adc_time: float | None = None) -> np.ndarray:
        """The n samples the speaker played while the microphone captured its next n; silence
        where it played nothing.

        Without timestamps: a speaker callback that comes late was late at the device too (it
        played silence meanwhile), so its samples pair with later microphone samples.
        """
        with self._lock:
            out, self._buf = self._buf[:n], self._buf[n:]
            if adc_time and self._end is not None:
                return self._taken_at(n, round(adc_time * SAMPLE_RATE_HZ))
        if len(out) < n:
            out = np.concatenate([out, np.zeros(n - len(out), np.float32)])
        return out

    def _played_at(self, block: np.ndarray, t: int) -> None:
        end = self._end
        if end is not None and abs(t - end) <= TIMESTAMP_JITTER_SAMPLES:
            t = end  # the same stream going on: its timestamps jitter by a sample or two
        elif end is not None:
            self.gaps += 1
            if t > end:
                self._fill(end, min(t, end + len(self._ring)), None)  # the device played silence there
            else:
                self._fill(t, end, None)  # the clock went back: what was stamped after t never played
        self._fill(t, t + len(block), block)
        self._end = t + len(block)

    def _taken_at(self, n: int, t: int) -> np.ndarray:
        if self._mic_next is not None and abs(t - self._mic_next) <= TIMESTAMP_JITTER_SAMPLES:
            t = self._mic_next
        self._mic_next = t + n
        assert self._end is not None
        times = np.arange(t, t + n)
        valid = (times >= self._end - len(self._ring)) & (times < self._end)
        return np.where(valid, self._ring[times % len(self._ring)], 0.0).astype(np.float32)

    def _fill(self, start: int, stop: int, block: np.ndarray | None) -> None:
        idx = np.arange(start, stop) % len(self._ring)
        self._ring[idx] = 0.0 if block is None else block[:stop - start]


class SoundDeviceMicrophone:
    """Captures 16 kHz mono in 20 ms blocks into a queue; read() blocks for a tick's worth.

    With a PlayedReference shared with the speaker, each captured block is paired with what
    the speaker played meanwhile; played_during_last_read() gives it for the echo canceller.
    """

    def __init__(self, device: str | int | None = None, timeout_s: float = 2.0,
                 reference: PlayedReference | None = None) -> None:
        self._device = resolve_device(device, "input")
        self._blocks: queue.Queue[tuple[np.ndarray, np.ndarray | None]] = queue.Queue(maxsize=1000)
        self._buf = np.zeros(0, np.float32)
        self._ref_buf = np.zeros(0, np.float32)
        self._reference = reference
        self._last_reference: np.ndarray | None = None
        self._stream: Any = None
        self._timeout_s = timeout_s
        self.overflows = 0

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            self.overflows += 1
        played = None
        if self._reference is not None:
            played = self._reference.take(frames, getattr(time_info, "inputBufferAdcTime", None))
        try:
            self._blocks.put_nowait((indata[:, 0].copy(), played))
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
        parts, refs = [self._buf], [self._ref_buf]
        have = len(self._buf)
        while have < n_samples:
            try:
                block, played = self._blocks.get(timeout=self._timeout_s)
            except queue.Empty:
                raise AudioDeviceError("the microphone stopped delivering audio (unplugged or blocked?)") from None
            parts.append(block)
            refs.append(played if played is not None else np.zeros(len(block), np.float32))
            have += len(block)
        buf, ref = np.concatenate(parts), np.concatenate(refs)
        self._buf, self._ref_buf = buf[n_samples:], ref[n_samples:]
        self._last_reference = ref[:n_samples] if self._reference is not None else None
        return buf[:n_samples]

    def played_during_last_read(self) -> np.ndarray | None:
        """What the speaker played while the last read's samples were captured (None: not paired)."""
        return self._last_reference

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None


class SoundDeviceSpeaker:
    """Plays what the runner writes; a small jitter buffer; clear() empties it at once."""

    def __init__(self, device: str | int | None = None, reference: PlayedReference | None = None) -> None:
        self._device = resolve_device(device, "output")
        self._reference = reference
        self._lock = threading.Lock()
        self._buf = np.zeros(0, np.float32)
        self._stream: Any = None
        self.underruns = 0  # times the buffer ran dry in the middle of our speech

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        with self._lock:
            n = min(frames, len(self._buf))
            outdata[:n, 0] = self._buf[:n]
            outdata[n:, 0] = 0.0
            self._buf = self._buf[n:]
        if self._reference is not None:
            self._reference.played(outdata[:, 0].copy(), getattr(time_info, "outputBufferDacTime", None))
        if 0 < n < frames:
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
            margin = np.zeros(0 if len(self._buf) else SPEAKER_MARGIN_SAMPLES, np.float32)
            self._buf = np.concatenate([self._buf, margin, samples.astype(np.float32)])

    def clear(self) -> None:
        with self._lock:
            self._buf = np.zeros(0, np.float32)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
