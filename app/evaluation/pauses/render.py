"""Rendering the pause corpus into scenario folders (user.wav + truth.json, the public set's format).

`python -m presence.evaluation.pauses.render tuning|heldout OUT` writes one folder per item under
OUT (skipping folders already there). Audio comes from espeak-ng (deterministic) and our Piper
voice's steady synthesis (deterministic), so the same item always gives the same clip.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from presence.core.types import SAMPLE_RATE_HZ
from presence.devices.audio_files import read_wav_16k_mono, write_wav_16k_mono
from presence.evaluation.pauses import HELDOUT_ITEMS, TUNING_ITEMS
from presence.evaluation.pauses.items import Item, read_jsonl
from presence.evaluation.scenarios import Timeline, trim

LEAD_MS = 800  # silence before the first word
TAIL_MS = 4500  # after the last word: the answer must start within 4 s
PEAK = 0.6


def espeak(text: str, voice: str, wpm: int, pitch: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(out), "--", text],
                       check=True, capture_output=True, timeout=60)
        return read_wav_16k_mono(out)


def speaker_for(voice: dict[str, Any], steady: Callable[[str], np.ndarray] | None) -> Callable[[str], np.ndarray]:
    """The item's voice as a function of text: 16 kHz speech, trimmed, at a fixed peak level."""
    def say(text: str) -> np.ndarray:
        if voice["engine"] == "espeak":
            x = espeak(text, voice["voice"], voice["wpm"], voice["pitch"])
        else:
            if steady is None:
                raise ValueError("a Piper item needs the steady voice")
            x = steady(text)
            if voice.get("ratio", 1.0) != 1.0:  # pitch and pace together, as another person
                x = soxr.resample(x, SAMPLE_RATE_HZ * voice["ratio"], SAMPLE_RATE_HZ)
        x = trim(np.asarray(x, np.float32))
        return (x / (np.abs(x).max() + 1e-9) * PEAK).astype(np.float32)
    return say


def build(item: Item, steady: Callable[[str], np.ndarray] | None) -> tuple[np.ndarray, dict]:
    say = speaker_for(item.voice, steady)
    t = Timeline()
    t.silence(LEAD_MS)
    t.add("speech", say(item.parts[0]), item.parts[0])
    truth: dict[str, Any] = {"kind": item.kind, "keywords": [], "category": item.category, "voice": item.voice}
    if item.kind == "pause":
        p0, p1 = t.silence(item.pause_ms)
        t.add("speech", say(item.parts[1]), item.parts[1])
        truth["pause"] = [p0, p1]
        truth["function_word"] = item.function_word
    truth["user_end_ms"] = t.ms
    t.silence(TAIL_MS)
    truth.update(name=item.id, duration_ms=t.ms, segments=t.segments)
    return t.track(), truth


def render(items: list[Item], out: Path, steady: Callable[[str], np.ndarray] | None = None) -> list[Path]:
    """Each item as out/<id>/ (user.wav, truth.json); folders already complete are kept."""
    out.mkdir(parents=True, exist_ok=True)
    if steady is None and any(i.voice["engine"] == "piper" for i in items):
        from presence.speech.tts import PiperTts

        steady = PiperTts().synthesize_steady
    folders = []
    for item in items:
        d = out / item.id
        if not ((d / "user.wav").exists() and (d / "truth.json").exists()):
            audio, truth = build(item, steady)
            d.mkdir(exist_ok=True)
            write_wav_16k_mono(d / "user.wav", audio)
            (d / "truth.json").write_text(json.dumps(truth, indent=1))
        folders.append(d)
    return folders


def half(name: str) -> list[Item]:
    return read_jsonl({"tuning": TUNING_ITEMS, "heldout": HELDOUT_ITEMS}[name])


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("tuning", "heldout"):
        print("usage: python -m presence.evaluation.pauses.render tuning|heldout OUT", file=sys.stderr)
        return 2
    for d in render(half(argv[0]), Path(argv[1])):
        print(d)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
