"""One port for every chat model, and a factory that opens the one a BackendSpec names.

Backends (all presence.core.ports.ChatModel):
- "embedded": the shipped SmolLM2-135M in-process (models.llm.LlamaChatSession).
- "gguf": a GGUF file the user chose, run in-process by llama.cpp; the file is checked first so a
  wrong or incomplete file gets a clear message instead of llama.cpp's "failed to load".
- "openai": any OpenAI-compatible /v1/chat/completions server (Ollama, llama.cpp's server, vLLM,
  LM Studio), see models.openai_backend.OpenAIChatSession.

FallbackChatSession puts the embedded model behind a primary that can fail (a server that is down
or stalls): the reply goes on with the embedded model after a short spoken notice.

Every failure to use a backend is a BackendUnavailable whose message is one actionable line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presence.core.ports import ChatModel, ImageChatModel
from presence.models.gguf_file import (
    BackendUnavailable,
    BadModelFile,
    GgufInfo,
    check_gguf,
    gguf_architecture,
    read_gguf_header,
)

KINDS = ("embedded", "openai", "gguf")

FALLBACK_NOTICE = "The model server is not answering, so I'll use the built-in model."

__all__ = ["BackendUnavailable", "BadModelFile", "GgufInfo", "check_gguf", "gguf_architecture", "read_gguf_header"]


@dataclass(frozen=True)
class BackendSpec:
    """Which chat model to use: a typed, validated config. Foreground and background each have one.

    This package knows no settings file: presence.runtime.build.backend_spec translates the user's
    settings into a BackendSpec.
    """

    kind: str = "embedded"  # one of KINDS
    url: str = ""  # openai: http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8080 (llama.cpp), ...
    model: str = ""  # openai: the server's model name ("qwen2.5:7b"); llama.cpp's server ignores it
    api_key: str = ""  # openai: optional bearer token
    gguf_path: str = ""  # gguf: the user's model file
    timeout_s: float = 20.0  # openai: longest wait for the first token and between tokens
    accepts_images: bool = False  # openai: the model takes image parts (a vision model)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown model backend {self.kind!r}; choose one of {', '.join(KINDS)}")
        if self.kind == "openai" and not self.url.strip():
            raise ValueError("the OpenAI-compatible backend needs a server URL (e.g. http://127.0.0.1:11434/v1)")
        if self.kind == "gguf" and not self.gguf_path.strip():
            raise ValueError("the GGUF backend needs a model file")
        if not self.timeout_s > 0:
            raise ValueError("timeout_s must be positive")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BackendSpec:
        """From a mapping of this class's own field names; unknown keys are ignored, missing ones take the defaults."""
        fields: dict[str, Any] = {k: str(d[k]) for k in ("kind", "url", "model", "api_key", "gguf_path")
                                  if d.get(k) is not None}
        if d.get("timeout_s") is not None:
            fields["timeout_s"] = float(d["timeout_s"])
        return cls(**fields)

    def describe(self) -> str:
        """For events and the settings panel (never includes the key)."""
        if self.kind == "openai":
            return f"openai {self.model or '(server default)'} at {self.url}"
        if self.kind == "gguf":
            return f"gguf {self.gguf_path}"
        return "embedded SmolLM2-135M"


_LLAMA_KEYS = ("n_ctx", "threads", "system_prompt")
_OPENAI_KEYS = ("system_prompt", "temperature", "first_token_timeout_s", "connect_timeout_s")


def _only(kwargs: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k in keys}


def open_backend(spec: BackendSpec, **session_kwargs: Any) -> ChatModel:
    """Open the backend spec names. Raises BackendUnavailable (BadModelFile for a bad file).

    session_kwargs go to the sessions that take them: n_ctx, threads (llama.cpp); first_token_timeout_s,
    connect_timeout_s, temperature (server); system_prompt (both). Others are ignored.
    An "openai" backend does not contact the server here; its first request does.
    """
    if spec.kind == "openai":
        from presence.models.openai_backend import OpenAIChatSession

        return OpenAIChatSession(spec.url, spec.model, api_key=spec.api_key or None, timeout_s=spec.timeout_s,
                                 accepts_images=spec.accepts_images, **_only(session_kwargs, _OPENAI_KEYS))
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        raise BackendUnavailable("llama-cpp-python is not installed (run `make setup`); "
                                 "or choose a model server in settings")
    from presence.models.llm import LlamaChatSession, ModelLoadError
    from presence.models.paths import ModelMissing

    if spec.kind == "gguf":
        path = Path(spec.gguf_path).expanduser()
        check_gguf(path)
        try:
            return LlamaChatSession(model_path=path, **_only(session_kwargs, _LLAMA_KEYS))
        except ModelLoadError as exc:
            raise BadModelFile(f"llama.cpp could not load {path} (architecture {gguf_architecture(path)!r} may be "
                               f"unsupported by this llama.cpp); choose another file or the embedded model") from exc
    try:
        return LlamaChatSession(**_only(session_kwargs, _LLAMA_KEYS))
    except (ModelLoadError, ModelMissing) as exc:
        raise BackendUnavailable(f"the embedded model cannot be loaded: {exc}") from exc


def open_with_fallback(spec: BackendSpec, on_fallback: Callable[[BackendUnavailable], None] | None = None,
                       server_system_prompt: str | None = None, **session_kwargs: Any) -> ChatModel:
    """What the app opens: the chosen backend, with the embedded model behind anything that can fail.

    - embedded: the embedded session.
    - openai: FallbackChatSession(server, embedded loaded on first need).
    - gguf: the user's file; if it cannot be loaded, on_fallback(exc) is called and the embedded
      model is returned (the caller shows exc's message in settings and the event log).

    server_system_prompt, when given, is the server's system prompt (a server model can follow a
    longer one); the embedded fallback keeps session_kwargs' system_prompt.
    """
    if spec.kind == "embedded":
        return open_backend(spec, **session_kwargs)
    embedded = BackendSpec("embedded")
    if spec.kind == "gguf":
        try:
            return open_backend(spec, **session_kwargs)
        except BackendUnavailable as exc:
            if on_fallback is not None:
                on_fallback(exc)
            return open_backend(embedded, **session_kwargs)
    server_kwargs = session_kwargs | ({"system_prompt": server_system_prompt} if server_system_prompt else {})
    return FallbackChatSession(open_backend(spec, **server_kwargs),
                               lambda: open_backend(embedded, **session_kwargs), on_fallback)


# --- fallback ---------------------------------------------------------------------------------

class FallbackChatSession:
    """A primary backend (a server) with the embedded model behind it.

    When the primary raises BackendUnavailable (refused, lost mid-reply, or stalled past its
    first-token/stall timeout, which OpenAIChatSession enforces itself), the reply goes on:
    "... The model server is not answering, so I'll use the built-in model." and then the fallback's
    reply. The session stays on the fallback for retry_after_s, then tries the primary again.

    The conversation is kept here too, so the fallback (created on first need when `fallback` is a
    factory) is brought up to date before it answers. The primary always receives every turn (for
    a server session that is only a list), so going back to it loses nothing.
    """

    def __init__(self, primary: ChatModel, fallback: ChatModel | Callable[[], ChatModel],
                 on_fallback: Callable[[BackendUnavailable], None] | None = None,
                 notice: str = FALLBACK_NOTICE, retry_after_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.primary = primary
        self._fallback_source = fallback
        self._fallback: ChatModel | None = None
        self._synced = False  # does the fallback's context equal self._log?
        self._on_fallback = on_fallback
        self.notice = notice
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._fallback_until = float("-inf")
        self._log: list[tuple[str, str]] = []
        self.last_error: BackendUnavailable | None = None

    @property
    def using_fallback(self) -> bool:
        return self._clock() < self._fallback_until

    @property
    def supports_tools(self) -> bool:
        return bool(getattr(self.primary, "supports_tools", False)) and not self.using_fallback

    @property
    def last_tool_calls(self) -> list[Any]:
        return list(getattr(self.primary, "last_tool_calls", [])) if not self.using_fallback else []

    def _ensure_fallback(self) -> ChatModel:
        if self._fallback is None:
            source = self._fallback_source
            self._fallback = source if isinstance(source, ChatModel) else source()
        if not self._synced:
            self._fallback.reset()
            for role, text in self._log:
                (self._fallback.add_user if role == "user" else self._fallback.add_assistant)(text)
            self._synced = True
        return self._fallback

    def _live_fallback(self) -> ChatModel | None:
        return self._fallback if self._synced else None

    # --- the port -------------------------------------------------------------------------
    def reset(self) -> None:
        self._log.clear()
        self.primary.reset()
        if self._fallback is not None:
            self._fallback.reset()
            self._synced = True

    @property
    def accepts_images(self) -> bool:
        return bool(getattr(self.primary, "accepts_images", False)) and not self.using_fallback

    def add_user(self, text: str, images: tuple[str, ...] = ()) -> None:
        """images (data URLs) go to the primary only, when it takes them; the fallback gets the text."""
        self._log.append(("user", text))
        if images and isinstance(self.primary, ImageChatModel) and self.primary.accepts_images:
            self.primary.add_user(text, images=images)
        else:
            self.primary.add_user(text)
        if (fb := self._live_fallback()) is not None:
            fb.add_user(text)

    def add_assistant(self, text: str) -> None:
        self._log.append(("assistant", text))
        self.primary.add_assistant(text)
        if (fb := self._live_fallback()) is not None:
            fb.add_assistant(text)

    def add_tool_result(self, call: Any, content: str) -> None:
        if hasattr(self.primary, "add_tool_result"):
            self.primary.add_tool_result(call, content)

    def stream_reply(self, max_tokens: int = 120, should_stop: Callable[[], bool] = lambda: False,
                     **kwargs: Any) -> Iterator[str]:
        if self.using_fallback:
            yield from self._stream_fallback(max_tokens, should_stop, "")
            return
        primary_kwargs = kwargs if getattr(self.primary, "supports_tools", False) else {}
        said: list[str] = []
        fb = self._live_fallback()
        try:
            for piece in self.primary.stream_reply(max_tokens, should_stop, **primary_kwargs):
                said.append(piece)
                yield piece
        except BackendUnavailable as exc:
            self.last_error = exc
            self._fallback_until = self._clock() + self._retry_after_s
            if self._on_fallback is not None:
                self._on_fallback(exc)
            partial = "".join(said)
            bridge = "... " if partial.strip() and partial.rstrip()[-1] not in ".!?;:" else " " if partial else ""
            yield from self._stream_fallback(max_tokens, should_stop, partial + bridge + self.notice + " ",
                                             notice=bridge + self.notice + " ")
            return
        text = "".join(said).strip()
        self._log.append(("assistant", text))
        if fb is not None:
            fb.add_assistant(text)

    def _stream_fallback(self, max_tokens: int, should_stop: Callable[[], bool], prefix: str,
                         notice: str = "") -> Iterator[str]:
        """The fallback answers the last user turn; prefix (heard already + notice) joins the record."""
        if notice:
            yield notice
        fb = self._ensure_fallback()
        said: list[str] = []
        for piece in fb.stream_reply(max_tokens, should_stop):
            said.append(piece)
            yield piece
        text = (prefix + "".join(said)).strip()
        self._log.append(("assistant", text))
        self.primary.add_assistant(text)
        # The fallback's own record keeps only its words: re-evaluating the notice and the primary's
        # partial reply costs seconds on a busy CPU for nothing the model needs.

    def replace_last_reply(self, heard_text: str) -> None:
        if self._log and self._log[-1][0] == "assistant":
            self._log[-1] = ("assistant", heard_text.strip() or "...")
        self.primary.replace_last_reply(heard_text)
        if (fb := self._live_fallback()) is not None:
            fb.replace_last_reply(heard_text)

    def checkpoint(self) -> tuple[int, Any, Any]:
        fb = self._live_fallback()
        return len(self._log), self.primary.checkpoint(), fb.checkpoint() if fb is not None else None

    def rollback(self, point: tuple[int, Any, Any]) -> None:
        n_log, primary_point, fallback_point = point
        del self._log[n_log:]
        self.primary.rollback(primary_point)
        fb = self._live_fallback()
        if fb is not None and fallback_point is not None:
            fb.rollback(fallback_point)
        else:
            self._synced = False  # the fallback joined after the checkpoint: rebuild it when needed
