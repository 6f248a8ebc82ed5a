"""Text to speech: Piper with the shipped joe voice; espeak-ng through Piper's bundled bridge as a fallback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soxr

from presence.core.types import SAMPLE_RATE_HZ
from presence.models.paths import find

if TYPE_CHECKING:
    from piper import SynthesisConfig


def to_16k(audio: np.ndarray, rate_hz: int) -> np.ndarray:
    audio = audio.astype(np.float32, copy=False)
    if rate_hz == SAMPLE_RATE_HZ:
        return audio
    return soxr.resample(audio, rate_hz, SAMPLE_RATE_HZ, quality="HQ").astype(np.float32)


LEAD_THRESHOLD = 0.01  # about -40 dBFS: below this the voice has not started yet
LEAD_KEEP_SAMPLES = 80  # 5 ms before the first sound, so the onset is not clipped


def trim_leading_silence(audio: np.ndarray) -> np.ndarray:
    """Piper starts every sentence with 40-60 ms of near silence ("Um." 54 ms): pure latency for
    what is said the instant something happens (a filler, an acknowledgement, a due timer).
    Reply sentences keep it: live, with speakers the mic hears, a sentence that starts at full
    level made the echo canceller let its first syllables through as the user (PulseAudio test)."""
    loud = np.flatnonzero(np.abs(audio) > LEAD_THRESHOLD)
    if len(loud) == 0:
        return audio
    return audio[max(0, int(loud[0]) - LEAD_KEEP_SAMPLES):]


def speakable(text: str) -> str:
    """Drop markup a voice should not read aloud (markdown marks, code fences, URLs)."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"https?://\S+", "a link", text)
    text = re.sub(r"[*_#`>|~]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class PiperTts:
    """Loads the voice once (~0.5 s); synthesize() is stateless."""

    def __init__(self, model_path: Path | None = None, length_scale: float = 1.0, threads: int = 2) -> None:
        import json

        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig
        from piper.phonemize_espeak import ESPEAK_DATA_DIR

        from presence.speech.vad import onnx_session

        path = Path(model_path or find("tts"))
        config = PiperConfig.from_dict(json.loads(Path(f"{path}.json").read_text(encoding="utf-8")))
        # our own session: bounded threads that do not spin (PiperVoice.load uses onnxruntime defaults)
        self._voice = PiperVoice(config=config, session=onnx_session(path, threads=threads),
                                 espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())
        self._config = SynthesisConfig(length_scale=length_scale)
        self.rate_hz = self._voice.config.sample_rate

    def reset(self) -> None:
        """No state between sentences."""

    def set_speed(self, speed: float) -> None:
        """1.0 is the voice's own pace; 1.2 speaks a fifth faster (takes effect from the next sentence)."""
        from piper import SynthesisConfig

        self._config = SynthesisConfig(length_scale=1.0 / max(0.5, min(2.0, speed)))

    def synthesize(self, text: str) -> np.ndarray:
        return self._synthesize(text, self._config)

    def synthesize_steady(self, text: str) -> np.ndarray:
        """The same audio for the same text every time (the voice's random variation off): generated
        test scenarios use it, so a run can be reproduced."""
        from piper import SynthesisConfig

        return self._synthesize(text, SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0))

    def _synthesize(self, text: str, config: SynthesisConfig) -> np.ndarray:
        text = speakable(text)
        if not text:
            return np.zeros(0, np.float32)
        parts = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=config)]
        if not parts:
            return np.zeros(0, np.float32)
        return to_16k(np.concatenate(parts), self.rate_hz)
