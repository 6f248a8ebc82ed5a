"""Chat session on a GGUF model run in-process by llama.cpp (llama-cpp-python).

The session is persistent: the KV cache is allocated once, each turn is appended to it, and only
the new tokens are evaluated. Cutting the last reply (barge-in) rolls the cache back to where the
reply began and appends what was actually heard.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from presence.models.paths import find

# Measured on the shipped SmolLM2-135M: naming English keeps it from drifting into French or
# Portuguese on place names; "short" keeps replies speakable.
SYSTEM_PROMPT = "You are Presence, a helpful voice assistant. Give short answers in English."


class ModelLoadError(RuntimeError):
    """The GGUF file could not be loaded; the message says which file and why."""


class LlamaChatSession:
    """ChatML chat over llama.cpp with an explicit, persistent context (see reset())."""

    def __init__(self, model_path: Path | None = None, n_ctx: int = 2048, threads: int | None = None,
                 system_prompt: str = SYSTEM_PROMPT) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelLoadError("llama-cpp-python is not installed; run `make setup`") from exc
        path = Path(model_path) if model_path else find("llm")
        if not path.is_file():
            raise ModelLoadError(f"GGUF model file not found: {path}")
        try:
            self._llm = Llama(str(path), n_ctx=n_ctx, n_threads=threads or min(2, os.cpu_count() or 1),
                              n_batch=256, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(f"cannot load GGUF model {path}: {exc}") from exc
        self.path = path
        self._system = system_prompt
        self._eos = {self._llm.token_eos(), *self._tokens("<|im_end|>")}
        self._reply_start = 0
        self._history: list[tuple[str, str]] = []
        self.reset()

    def _tokens(self, text: str) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def _append(self, text: str) -> None:
        tokens = self._tokens(text)
        if self._llm.n_tokens + len(tokens) + 256 > self._llm.n_ctx():
            self._compact()
            tokens = self._tokens(text)
        self._llm.eval(tokens)

    def _compact(self) -> None:
        """Context full: start over with the system prompt and the most recent exchanges (~700 tokens)."""
        recent: list[tuple[str, str]] = []
        chars = 0
        for role, text in reversed(self._history):
            chars += len(text)
            if chars > 2800:
                break
            recent.insert(0, (role, text))
        self._llm.reset()
        self._llm.eval(self._tokens(f"<|im_start|>system\n{self._system}<|im_end|>\n"))
        for role, text in recent:
            self._llm.eval(self._tokens(f"<|im_start|>{role}\n{text}<|im_end|>\n"))

    def reset(self) -> None:
        """Forget the conversation; keep the allocated cache."""
        self._history.clear()
        self._llm.reset()
        self._append(f"<|im_start|>system\n{self._system}<|im_end|>\n")

    @property
    def context_tokens(self) -> int:
        return self._llm.n_tokens

    def add_user(self, text: str) -> None:
        self._history.append(("user", text))
        self._append(f"<|im_start|>user\n{text}<|im_end|>\n")

    def add_assistant(self, text: str) -> None:
        """A reply made elsewhere (a skill, a server) joins the context."""
        self._history.append(("assistant", text))
        self._append("<|im_start|>assistant\n")
        self._reply_start = self._llm.n_tokens
        self._append(f"{text}<|im_end|>\n")

    def stream_reply(self, max_tokens: int = 120,
                     should_stop: Callable[[], bool] = lambda: False) -> Iterator[str]:
        self._append("<|im_start|>assistant\n")
        self._reply_start = self._llm.n_tokens
        pending = b""
        text = ""
        for _ in range(max_tokens):
            if should_stop():
                break
            token = self._llm.sample(top_k=1, temp=0.0, repeat_penalty=1.1)
            if token in self._eos:
                break
            self._llm.eval([token])
            pending += self._llm.detokenize([token])
            try:
                piece = pending.decode("utf-8")
            except UnicodeDecodeError:
                continue  # a multi-byte character split across tokens
            pending = b""
            text += piece
            yield piece
        self._history.append(("assistant", text.strip()))
        self._append("<|im_end|>\n")

    def checkpoint(self) -> tuple[int, int]:
        """A point to come back to if the next exchange is discarded (a speculative reply)."""
        return self._llm.n_tokens, len(self._history)

    def rollback(self, point: tuple[int, int]) -> None:
        n_tokens, n_history = point
        self._llm.n_tokens = min(n_tokens, self._llm.n_tokens)
        del self._history[n_history:]

    def replace_last_reply(self, heard_text: str) -> None:
        """Roll the cache back to the start of the last reply and keep only what was heard."""
        self._llm.n_tokens = self._reply_start
        kept = heard_text.strip() or "..."
        if self._history and self._history[-1][0] == "assistant":
            self._history[-1] = ("assistant", kept)
        self._append(f"{kept}<|im_end|>\n")
