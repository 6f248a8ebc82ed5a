"""The embedded model chooses a tool where the intent rules cannot decide, as grammar-constrained JSON.

llama.cpp builds a grammar from the JSON Schema (presence.core.understanding.TOOL_CHOICE_SCHEMA), so
the model can only write an object that schema allows; `understanding.from_tool_call` turns it into
an Understanding. Its own llama.cpp instance of the shipped GGUF (small: SmolLM2-135M), so the chat
session's KV cache is never touched; a short few-shot prompt whose prefix stays in the cache, so each
choice evaluates only the new sentence. Runs on the inference worker, like the chat model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from presence.core.understanding import TOOL_CHOICE_SCHEMA
from presence.models.paths import find

SYSTEM = ("You turn a spoken request into one JSON tool call. Tools: timer (seconds), reminder (seconds, content: "
          "what to remind), clock_reminder (clock_time H:MM, content), cue (word to listen for, response to say), "
          "modify (seconds: the new length of the last timer), cancel, none (anything else).")
EXAMPLES = [
    ("set a timer for two minutes", {"tool": "timer", "seconds": 120}),
    ("in half an hour tell me to take the bread out",
     {"tool": "reminder", "seconds": 1800, "content": "take the bread out"}),
    ("at 6:15 remind me to call mum", {"tool": "clock_reminder", "clock_time": "6:15", "content": "call mum"}),
    ("whenever I say sunny you say rain", {"tool": "cue", "word": "sunny", "response": "rain"}),
    ("make it ten minutes instead", {"tool": "modify", "seconds": 600}),
    ("forget the timer", {"tool": "cancel"}),
    ("I ran for twenty minutes this morning", {"tool": "none"}),
    ("what is the capital of Peru", {"tool": "none"}),
]


def prompt(text: str) -> str:
    """ChatML: the system line, the examples as turns, then the request (the examples stay cached)."""
    turns = [f"<|im_start|>system\n{SYSTEM}<|im_end|>\n"]
    for said, call in EXAMPLES:
        turns.append(f"<|im_start|>user\n{said}<|im_end|>\n<|im_start|>assistant\n{json.dumps(call)}<|im_end|>\n")
    turns.append(f"<|im_start|>user\n{text.strip()[:300]}<|im_end|>\n<|im_start|>assistant\n")
    return "".join(turns)


class ToolChooser:
    """`chooser(text)` -> the model's JSON object (following TOOL_CHOICE_SCHEMA), or None when it wrote
    something that is not JSON (a grammar makes that rare: only a cut-off object)."""

    def __init__(self, model_path: Path | None = None, threads: int | None = None, max_tokens: int = 48) -> None:
        from llama_cpp import Llama, LlamaGrammar

        path = Path(model_path) if model_path else find("llm")
        self._llm = Llama(str(path), n_ctx=1024, n_threads=threads or min(2, os.cpu_count() or 1), n_batch=256,
                          verbose=False)
        self._grammar = LlamaGrammar.from_json_schema(json.dumps(TOOL_CHOICE_SCHEMA), verbose=False)
        self._max_tokens = max_tokens

    def __call__(self, text: str) -> dict[str, Any] | None:
        out = self._llm.create_completion(prompt(text), max_tokens=self._max_tokens, temperature=0.0,
                                          grammar=self._grammar, stop=["<|im_end|>"])
        raw = out["choices"][0]["text"]  # type: ignore[index]
        try:
            call = json.loads(raw)
        except ValueError:
            return None
        return call if isinstance(call, dict) else None
