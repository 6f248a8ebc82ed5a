"""Semantic end of turn: smart-turn v3.2 (ONNX, shipped in the pipecat-ai wheel) on the last 8 s of audio.

Features are Whisper-style log-mel spectrograms (80 bins, 10 ms hop) of the zero-mean, unit-variance
waveform, computed with faster-whisper's numpy feature extractor; audio shorter than 8 s is padded
with silence at the front so the end of speech always sits at the end of the window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from presence.models.paths import find
from presence.speech.vad import onnx_session

WINDOW_S = 8
WINDOW_SAMPLES = WINDOW_S * 16000
FRAMES = WINDOW_S * 100


class SmartTurn:
    def __init__(self, model_path: Path | None = None) -> None:
        from faster_whisper.feature_extractor import FeatureExtractor

        self._session = onnx_session(model_path or find("turn"), threads=1)
        self._features = FeatureExtractor(feature_size=80, chunk_length=WINDOW_S)

    def reset(self) -> None:
        """Stateless between calls: each call sees the whole recent window."""

    def features(self, audio: np.ndarray) -> np.ndarray:
        x = audio[-WINDOW_SAMPLES:].astype(np.float32)
        if len(x) < WINDOW_SAMPLES:
            x = np.concatenate([np.zeros(WINDOW_SAMPLES - len(x), np.float32), x])
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        mel = self._features(x, padding=0)[:, :FRAMES]
        if mel.shape[1] < FRAMES:
            mel = np.pad(mel, ((0, 0), (0, FRAMES - mel.shape[1])))
        return mel[None].astype(np.float32)

    def complete_probability(self, audio: np.ndarray) -> float:
        """Probability that the speaker has finished their turn at the end of audio."""
        out = self._session.run(None, {"input_features": self.features(audio)})[0]
        value = float(np.asarray(out).reshape(-1)[0])
        return value if 0.0 <= value <= 1.0 else float(1.0 / (1.0 + np.exp(-value)))
