"""Assemble a runner from settings and injectable devices: build_app(...).

Model loading is here (once per session); devices and the executor are passed in, so live use,
replay and tests wire the same runner differently. The models and devices are typed with their
ports (presence.core.ports), so mypy checks every real adapter built or passed here against them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presence.core.ports import (
    ChatModel,
    EndOfTurnModel,
    Microphone,
    ScreenSource,
    Speaker,
    SpeechRecognizer,
    SpeechSynthesizer,
    VoiceActivity,
)
from presence.core.turns import TurnSettings
from presence.runtime.engine import ReplyEngine
from presence.runtime.runner import EventSink, Runner

if TYPE_CHECKING:
    from presence.models.backends import BackendSpec


@dataclass(frozen=True)
class ModelChoice:
    """Which models to load; None means the embedded default shipped in a package."""

    llm_gguf: Path | None = None
    voice_onnx: Path | None = None
    asr_dir: Path | None = None  # a CTranslate2 Whisper folder; None: the shipped model asr_model names
    asr_model: str | None = None  # "tiny.en" or "base"; None: the settings' asr_model, else the default


@dataclass
class Models:
    vad: VoiceActivity
    engine: ReplyEngine
    endpoint: EndOfTurnModel | None = None


def load_models(choice: ModelChoice | None = None, settings: Any = None,
                on_fallback: Any = None, on_progress: Callable[[str], None] | None = None) -> Models:
    """Load every model once. Raises ModelMissing/ModelLoadError with an actionable message.

    With settings, the foreground chat model is the one chosen there (embedded, a server with the
    embedded model behind it, or a GGUF file; an unusable file falls back to the embedded model
    and calls on_fallback with the reason), and so is the speech recognizer (asr_model). on_progress
    hears a line now and then while a model is prepared (Whisper base's first assembly).
    """
    from presence.speech.asr import WhisperAsr, shipped_model_dir
    from presence.speech.endpoint import SmartTurn
    from presence.speech.tts import PiperTts
    from presence.speech.vad import SileroVad

    choice = choice or ModelChoice()
    asr_model = asr_model_choice(choice, settings)
    asr_dir = choice.asr_dir or shipped_model_dir(asr_model, _assembly_progress(asr_model, on_progress))
    asr: SpeechRecognizer = WhisperAsr(asr_dir, model=asr_model)
    listen_asr: SpeechRecognizer = WhisperAsr(asr_dir, model=asr_model)  # partial transcripts: their own instance
    tts: SpeechSynthesizer = PiperTts(choice.voice_onnx)
    vad: VoiceActivity = SileroVad()
    endpoint: EndOfTurnModel = SmartTurn()
    engine = ReplyEngine(asr, open_chat_model(choice, settings, on_fallback), tts, listen_asr=listen_asr)
    return Models(vad, engine, endpoint)


def asr_model_choice(choice: ModelChoice, settings: Any) -> str:
    """The speech recognizer to load: the choice's, else the settings' asr_model, else the default."""
    from presence.speech.asr import ASR_MODELS, DEFAULT_ASR_MODEL

    wanted = choice.asr_model or (settings.get("asr_model") if settings is not None else None) or DEFAULT_ASR_MODEL
    if wanted not in ASR_MODELS:
        raise ValueError(f"unknown speech recognition model {wanted!r}; choose one of {', '.join(ASR_MODELS)}")
    return str(wanted)


def _assembly_progress(model: str, say: Callable[[str], None] | None) -> Callable[[int, int], None] | None:
    """Byte counts of a model's assembly as a line every tenth of the way."""
    if say is None:
        return None
    shown = [-1]

    def progress(done: int, total: int) -> None:
        tenth = 10 * done // max(1, total)
        if tenth != shown[0]:
            shown[0] = tenth
            say(f"preparing Whisper {model} (once): {10 * tenth} %")

    return progress


def open_chat_model(choice: ModelChoice, settings: Any, on_fallback: Any) -> ChatModel:
    from presence.models.llm import LlamaChatSession

    if settings is None or "fg_backend" not in settings:
        return LlamaChatSession(choice.llm_gguf)
    from presence.models.backends import open_with_fallback

    return open_with_fallback(backend_spec(settings, "fg", timeout_s=6.0), on_fallback,
                              server_system_prompt=foreground_server_prompt())


# The settings schema's name for a backend kind -> BackendSpec's (the OpenAI-compatible one is "server").
_SETTINGS_KINDS = {"server": "openai"}


def backend_spec(settings: Mapping[str, Any], role: str, timeout_s: float | None = None) -> BackendSpec:
    """The chat model the user's settings choose for role "fg" or "bg", as a typed BackendSpec.

    Reads the keys {role}_backend, _server_url, _server_model, _server_key, _server_images and
    _gguf_path (presence.settings.schema). Only the fields the chosen kind uses are taken, so stale
    values elsewhere cannot make a valid choice fail. Raises ValueError (a spec that does not
    validate) or KeyError (a key missing).
    """
    from presence.models.backends import BackendSpec

    raw = str(settings[f"{role}_backend"])
    kind = _SETTINGS_KINDS.get(raw, raw)
    fields: dict[str, Any] = {"kind": kind}
    if kind == "openai":
        fields |= {"url": settings[f"{role}_server_url"], "model": settings[f"{role}_server_model"],
                   "api_key": settings[f"{role}_server_key"],
                   "accepts_images": bool(settings.get(f"{role}_server_images", False))}
    elif kind == "gguf":
        fields["gguf_path"] = settings[f"{role}_gguf_path"]
    if timeout_s is not None:
        fields["timeout_s"] = timeout_s
    return BackendSpec(**fields)


def foreground_server_prompt() -> str:
    """A server model's system prompt: the embedded one's, plus the panel vocabulary and fence format
    (the embedded 135M model keeps its short prompt: a long one makes it echo instead of answer)."""
    from presence.core.panel_fence import with_panels
    from presence.models.openai_backend import SYSTEM_PROMPT

    return with_panels(SYSTEM_PROMPT)


def build_desk_for(executor: Any, delivery: str = "when_idle", spec: BackendSpec | None = None,
                   on_fallback: Any = None) -> Any:
    """Background work on the model the settings chose (spec; None = embedded), on a logical clock
    (embedded) when the foreground runs on one."""
    from presence.runtime.background import VirtualTimeBackgroundWorker
    from presence.runtime.desk import BackgroundDesk, DeliveryPolicy, build_desk
    from presence.runtime.executor import VirtualTimeExecutor
    from presence.runtime.taskprompt import BACKGROUND_SYSTEM_PROMPT

    if not isinstance(executor, VirtualTimeExecutor):
        return build_desk(spec, delivery, on_fallback)
    from presence.core.tools import MODEL_TOOLS
    from presence.models.backends import BackendSpec, open_with_fallback

    def open_model() -> Any:
        return open_with_fallback(BackendSpec(), None, threads=1, system_prompt=BACKGROUND_SYSTEM_PROMPT)

    return BackgroundDesk(VirtualTimeBackgroundWorker(open_model, tools=MODEL_TOOLS), DeliveryPolicy(delivery))


def background_choice(user_settings: Any) -> tuple[str, BackendSpec | None, str]:
    """(delivery mode, backend spec or None for the embedded model, why the choice was not usable)
    from the user's settings."""
    if not user_settings:
        return "when_idle", None, ""
    delivery = str(user_settings.get("task_delivery", "when_idle"))
    if "bg_backend" not in user_settings:
        return delivery, None, ""
    try:
        return delivery, backend_spec(user_settings, "bg"), ""
    except (ValueError, KeyError) as exc:
        return delivery, None, f"background model: {exc}; using the embedded model"


def build_app(models: Models, mic: Microphone, speaker: Speaker, executor: Any, sink: EventSink,
              settings: TurnSettings | None = None, screen: ScreenSource | None = None, background: bool = True,
              user_settings: Any = None) -> Runner:
    """user_settings: the settings file's values, where the background model and the delivery of
    its results are chosen (the foreground model was chosen when the models were loaded)."""
    models.vad.reset()
    models.engine.reset()
    desk = _desk(executor, sink, user_settings) if background else None
    watcher = build_screen_watcher(executor) if screen is not None else None
    models.engine.has_background_work = desk.work_signal if desk is not None else (lambda: False)
    from presence.speech.echo import EchoCanceller

    return Runner(mic, speaker, models.vad, models.engine, executor, sink, settings, endpoint=models.endpoint,
                  echo=EchoCanceller(), desk=desk, screen=screen, screen_watch=watcher,
                  listen=executor.new_lane())


def build_screen_watcher(executor: Any) -> Any:
    """Change detection + OCR; the OCR runs inline on the logical clock when the foreground does."""
    from presence.runtime.executor import VirtualTimeExecutor
    from presence.screen.ocr import default_ocr
    from presence.screen.reader import InlineReader, ThreadedReader
    from presence.screen.watch import ScreenWatcher

    reader = InlineReader(default_ocr()) if isinstance(executor, VirtualTimeExecutor) else ThreadedReader(default_ocr())
    return ScreenWatcher(reader)


def _desk(executor: Any, sink: EventSink, user_settings: Any) -> Any:
    from presence.core.events import BackendFallback

    def fallback(exc: Any) -> None:
        sink(BackendFallback(role="background", message=str(exc)))

    delivery, spec, problem = background_choice(user_settings)
    if problem:
        sink(BackendFallback(role="background", message=problem))
    return build_desk_for(executor, delivery, spec, fallback)
