"""Assemble a runner from settings and injectable devices: build_app(...).

Model loading is here (once per session); devices and the executor are passed in, so live use,
replay and tests wire the same runner differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presence.core.turns import TurnSettings
from presence.runtime.engine import ReplyEngine
from presence.runtime.runner import EventSink, Runner


@dataclass(frozen=True)
class ModelChoice:
    """Which models to load; None means the embedded default shipped in a package."""

    llm_gguf: Path | None = None
    voice_onnx: Path | None = None
    asr_dir: Path | None = None


@dataclass
class Models:
    vad: Any
    engine: ReplyEngine
    endpoint: Any = None


def load_models(choice: ModelChoice | None = None) -> Models:
    """Load every model once. Raises ModelMissing/ModelLoadError with an actionable message."""
    from presence.models.llm import LlamaChatSession
    from presence.speech.asr import WhisperAsr
    from presence.speech.endpoint import SmartTurn
    from presence.speech.tts import PiperTts
    from presence.speech.vad import SileroVad

    choice = choice or ModelChoice()
    engine = ReplyEngine(WhisperAsr(choice.asr_dir), LlamaChatSession(choice.llm_gguf), PiperTts(choice.voice_onnx))
    return Models(SileroVad(), engine, SmartTurn())


def build_app(models: Models, mic: Any, speaker: Any, executor: Any, sink: EventSink,
              settings: TurnSettings | None = None, screen: Any = None) -> Runner:
    models.vad.reset()
    models.engine.reset()
    from presence.speech.echo import EchoCanceller

    return Runner(mic, speaker, models.vad, models.engine, executor, sink, settings, endpoint=models.endpoint,
                  echo=EchoCanceller())
