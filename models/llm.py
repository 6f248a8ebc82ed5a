"""Chat session on a GGUF model run in-process by llama.cpp (llama-cpp-python).

The session is persistent: the KV cache is allocated once, each turn is appended to it, and only
the new tokens are evaluated. Cutting the last reply (barge-in) rolls the cache back to where the
reply began and appends what was actually heard.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from presence.core.policy import SAFETY_POLICY
from presence.core.text import runaway_loop
from presence.models.paths import find

# Measured on the shipped SmolLM2-135M: naming English keeps it from drifting into French or
# Portuguese on place names; "one or two short sentences, the answer first" replaced "The answer to
# this question is..." preambles and rambling (text question set, presence.evaluation.answers). The
# safety policy is in every system prompt; the rule layer (presence.core.safety) backs it up.
SYSTEM_PROMPT = ("You are Presence, a helpful voice assistant. Answer in English in one or two short sentences, "
                 f"the answer first. {SAFETY_POLICY}")
# Example exchanges said after the system prompt, kept through compaction, never part of the history.
# None are shipped: they were not measured to help yet (the text question set is the measure).
EXAMPLES: tuple[tuple[str, str], ...] = ()
# Over the reply's own tokens (see LlamaChatSession._sampler); measured on the text question set.
REPEAT_PENALTY = 1.2


class ModelLoadError(RuntimeError):
    """The GGUF file could not be loaded; the message says which file and why."""


class LlamaChatSession:
    """ChatML chat over llama.cpp with an explicit, persistent context (see reset())."""

    def __init__(self, model_path: Path | None = None, n_ctx: int = 2048, threads: int | None = None,
                 system_prompt: str = SYSTEM_PROMPT, repeat_penalty: float = REPEAT_PENALTY,
                 examples: tuple[tuple[str, str], ...] | None = None) -> None:
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
        self.repeat_penalty = repeat_penalty
        # the shipped prompt's example exchanges go with it; a caller's own prompt comes without them
        self._examples = examples if examples is not None else EXAMPLES if system_prompt == SYSTEM_PROMPT else ()
        self.last_stop = ""  # why the last reply ended (see stream_reply)
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
        self._llm.eval(self._tokens(self._preamble()))
        for role, text in recent:
            self._llm.eval(self._tokens(f"<|im_start|>{role}\n{text}<|im_end|>\n"))

    def reset(self) -> None:
        """Forget the conversation; keep the allocated cache."""
        self._history.clear()
        self._llm.reset()
        self._append(self._preamble())

    def _preamble(self) -> str:
        """The system prompt, then the example exchanges (never part of the conversation's history)."""
        shots = "".join(f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n{a}<|im_end|>\n"
                        for q, a in self._examples)
        return f"<|im_start|>system\n{self._system}<|im_end|>\n{shots}"

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
        """Greedy decoding with a repeat penalty over the reply's own tokens; stops at the end token,
        max_tokens, should_stop() or a runaway loop (a sentence or 4-gram said three times).
        last_stop says which: "eos", "length", "stopped" or "loop"."""
        self._append("<|im_start|>assistant\n")
        self._reply_start = self._llm.n_tokens
        pending = b""
        text = ""
        self.last_stop = "length"
        sampler = self._sampler()
        try:
            for _ in range(max_tokens):
                if should_stop():
                    self.last_stop = "stopped"
                    break
                token = self._llm.sample()  # the reply's sampler: it remembers the tokens it chose
                if token in self._eos:
                    self.last_stop = "eos"
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
                if not piece[-1:].isalnum() and runaway_loop(text):
                    self.last_stop = "loop"
                    break
        finally:
            if self._llm._sampler is sampler:
                self._llm._sampler = None
        self._history.append(("assistant", text.strip()))
        self._append("<|im_end|>\n")

    def _sampler(self) -> Any:
        """One sampler for the whole reply, so its repeat penalty sees the tokens chosen so far.

        llama-cpp-python's Llama.sample() otherwise builds a fresh sampler per token, whose penalty
        window is empty: the penalty did nothing and the 135M model looped. llama.cpp's sampler
        remembers each token it returns (llama_sampler_sample accepts it)."""
        sampler = self._llm._init_sampler(top_k=1, temp=0.0, repeat_penalty=self.repeat_penalty)
        self._llm._sampler = sampler
        return sampler

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
