"""Reading and writing WAV files with clear errors (used by replay and the fakes)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import soxr

from presence.core.types import SAMPLE_RATE_HZ

MIN_RATE_HZ = 4_000  # below this a header is broken (rate 0, 1 Hz), and resampling it would blow up memory
MAX_RATE_HZ = 384_000


class AudioFileError(ValueError):
    """A WAV file is missing, unreadable or in a form we cannot use; the message says which."""


def read_wav_16k_mono(path: Path) -> np.ndarray:
    """Any PCM WAV -> 16 kHz mono float32 (stereo is downmixed, other rates are resampled)."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"audio file not found: {path}")
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
    except (wave.Error, EOFError, OSError) as exc:
        raise AudioFileError(f"{path} is not a readable WAV file ({exc})") from exc
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AudioFileError(f"{path}: its sample rate of {rate} Hz is not usable "
                             f"(expected {MIN_RATE_HZ} to {MAX_RATE_HZ} Hz)")
    if width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 4:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    elif width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise AudioFileError(f"{path}: unsupported sample width of {width} bytes (use 16-bit PCM)")
    if channels < 1 or len(x) < channels:
        raise AudioFileError(f"{path} holds no audio")
    x = x[: len(x) // channels * channels].reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE_HZ:
        x = soxr.resample(x, rate, SAMPLE_RATE_HZ, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(x, dtype=np.float32)


def write_wav_16k_mono(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(pcm.tobytes())
