"""Server models are told the panel vocabulary and fence; the embedded model keeps its short prompt."""

from __future__ import annotations

from presence.models.backends import BackendSpec, open_with_fallback
from presence.runtime.build import foreground_server_prompt
from presence.runtime.taskprompt import BACKGROUND_SERVER_PROMPT, BACKGROUND_SYSTEM_PROMPT


def test_a_server_gets_the_server_prompt_and_the_embedded_fallback_keeps_its_own(monkeypatch):
    """open_with_fallback(server_system_prompt=...) reaches the server session only."""
    from presence.models import backends

    opened: list[tuple[str, str]] = []

    def fake_open_backend(spec, **kwargs):
        opened.append((spec.kind, kwargs.get("system_prompt")))
        return object()

    monkeypatch.setattr(backends, "open_backend", fake_open_backend)
    session = open_with_fallback(BackendSpec("openai", url="http://127.0.0.1:9/v1"), None,
                                 server_system_prompt="LONG", system_prompt="SHORT")
    session._fallback_source()  # what the session calls when the server fails
    assert opened == [("openai", "LONG"), ("embedded", "SHORT")]


def test_server_prompts_describe_panels_and_the_embedded_ones_do_not():
    """Foreground and background server prompts carry the vocabulary and the ```panel fence."""
    from presence.models.llm import SYSTEM_PROMPT

    for prompt in (foreground_server_prompt(), BACKGROUND_SERVER_PROMPT):
        assert "```panel" in prompt and '"type": "progress"' in prompt and "cancel_task" in prompt
    assert "panel" not in SYSTEM_PROMPT and "panel" not in BACKGROUND_SYSTEM_PROMPT
    assert BACKGROUND_SERVER_PROMPT.startswith(BACKGROUND_SYSTEM_PROMPT)
