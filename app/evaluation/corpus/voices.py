"""Voices and background noise for the corpus, chosen by seed and rendered to 16 kHz audio.

Two engines, many voices: espeak-ng (five English accents x the m1..m7/f1..f5 variants, 135-190
words a minute, pitch 30-70) and our Piper voice at several speeds and noise scales, some shifted
in pitch. Half the items get background noise at 10-20 dB SNR: pink, brown, fan hum or babble.
The babble is espeak chatter from a fixed list of sentences, not other corpus items, so no
held-out request is ever heard inside a tuning clip. espeak-ng and the noise are deterministic;
Piper with a noise scale above zero is not (its sampling has no seed), which matters only for the
tuning half, re-rendered on demand: the held-out half is committed audio.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from presence.core.types import SAMPLE_RATE_HZ
from presence.devices.audio_files import read_wav_16k_mono

ACCENTS = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029"]
VARIANTS = ["", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]
NOISES = ["pink", "brown", "fan", "babble"]
PAD_S = 0.3
CHATTER = [
    "so then we went over to her place and had dinner", "I think the train is late again today",
    "did you see the game last night it was unbelievable", "we should paint the kitchen a lighter color",
    "my cousin is moving to the city next spring", "the new cafe on the corner makes great bread",
]


def pick_voice(rng: random.Random) -> dict[str, Any]:
    """About two thirds espeak-ng, one third Piper; a peak level between -11 and -1 dBFS."""
    peak = round(rng.uniform(0.28, 0.9), 2)
    if rng.random() < 0.65:
        variant = rng.choice(VARIANTS)
        voice = rng.choice(ACCENTS) + (f"+{variant}" if variant else "")
        return {"engine": "espeak", "voice": voice, "wpm": rng.randrange(135, 191, 5),
                "pitch": rng.randrange(30, 71, 5), "peak": peak}
    return {"engine": "piper", "length_scale": rng.choice([0.8, 0.9, 1.0, 1.1, 1.25]),
            "noise_scale": rng.choice([0.333, 0.667, 0.9]), "noise_w": rng.choice([0.5, 0.8, 1.0]),
            "pitch_ratio": rng.choice([1.0, 1.0, 0.92, 1.08]), "peak": peak}


def pick_noise(rng: random.Random, noisy: bool) -> dict[str, Any] | None:
    """A noise spec for a noisy item (None for a clean one); babble, the hardest, at 14-20 dB."""
    kind = rng.choice(NOISES)
    snr = rng.randrange(14, 21) if kind == "babble" else rng.randrange(10, 21)
    return {"kind": kind, "snr_db": snr, "seed": rng.randrange(1 << 30)} if noisy else None


def espeak(text: str, voice: str, wpm: int, pitch: int) -> np.ndarray:
    """espeak-ng's speech for text, at 16 kHz."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(out), "--", text],
                       check=True, capture_output=True, timeout=60)
        return read_wav_16k_mono(out)


def piper(tts: Any, text: str, spec: dict[str, Any]) -> np.ndarray:
    """Our Piper voice (presence.speech.tts.PiperTts) with the spec's speed, noise and pitch."""
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=spec["length_scale"], noise_scale=spec["noise_scale"],
                             noise_w_scale=spec["noise_w"])
    audio = tts._synthesize(text, config)  # the wrapper's own path, with a config of ours
    ratio = float(spec.get("pitch_ratio", 1.0))
    if ratio != 1.0:  # pitch and pace together, as another person might sound
        audio = soxr.resample(audio, SAMPLE_RATE_HZ * ratio, SAMPLE_RATE_HZ)
    return np.asarray(audio, np.float32)


def trim(x: np.ndarray, level: float = 0.01) -> np.ndarray:
    """Without the engine's own leading and trailing silence (below 1 % of the peak)."""
    loud = np.flatnonzero(np.abs(x) > level * float(np.abs(x).max(initial=0.0)))
    return x[loud[0]: loud[-1] + 1] if loud.size else x


def _seed(text: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(text.encode())])


def noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n samples of one background noise kind, unit RMS."""
    if kind in ("pink", "brown"):
        spectrum = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE_HZ)
        f[0] = f[1]
        x = np.fft.irfft(spectrum / (np.sqrt(f) if kind == "pink" else np.maximum(f, 20.0)), n)
    elif kind == "fan":  # mains hum harmonics, a blade tone and broadband air, slowly beating
        t = np.arange(n) / SAMPLE_RATE_HZ
        hum = sum(np.sin(2 * np.pi * 60 * k * t + rng.uniform(0, 6.28)) / k for k in range(1, 6))
        air = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same")
        x = 0.6 * hum + 2.0 * air * (1 + 0.2 * np.sin(2 * np.pi * 0.7 * t)) + 0.3 * np.sin(2 * np.pi * 180 * t)
    else:  # babble: three people chatting at once
        x = np.zeros(n)
        for _ in range(3):
            line = np.concatenate([espeak(s, rng.choice(ACCENTS) + f"+{rng.choice(VARIANTS[1:])}", 170, 50)
                                   for s in rng.permutation(CHATTER)[:3]])
            line = np.tile(line, n // len(line) + 2)
            start = int(rng.integers(0, len(line) - n))
            x += line[start:start + n] / (np.std(line) + 1e-9)
    x = np.asarray(x, np.float64)
    return (x / (np.sqrt(np.mean(x ** 2)) + 1e-12)).astype(np.float32)


def render(text: str, voice: dict[str, Any], noise_spec: dict[str, Any] | None, tts: Any = None) -> np.ndarray:
    """One item's clip: the speech trimmed, 0.3 s of silence around it, noise under all of it at
    the spec's SNR (against the speech's RMS), then scaled to the voice's peak level."""
    speech = espeak(text, voice["voice"], voice["wpm"], voice["pitch"]) if voice["engine"] == "espeak" \
        else piper(tts, text, voice)
    speech = trim(speech)
    speech = speech / (float(np.abs(speech).max()) + 1e-9)
    pad = np.zeros(int(PAD_S * SAMPLE_RATE_HZ), np.float32)
    clip = np.concatenate([pad, speech, pad]).astype(np.float64)
    if noise_spec is not None:
        rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2)))
        bed = noise(noise_spec["kind"], len(clip), _seed(text, int(noise_spec["seed"])))
        clip = clip + bed * rms / 10 ** (noise_spec["snr_db"] / 20)
    clip = clip / (np.abs(clip).max() + 1e-9) * voice["peak"]
    return clip.astype(np.float32)
