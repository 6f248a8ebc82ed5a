"""Every system prompt carries the safety policy: the embedded model's, the server's (foreground and
background), and the server prompt the foreground builds with panels."""

from __future__ import annotations

from presence.core.policy import REFUSALS, SAFETY_POLICY, refusal
from presence.runtime.build import foreground_server_prompt
from presence.runtime.taskprompt import BACKGROUND_SERVER_PROMPT


def test_every_system_prompt_has_the_policy() -> None:
    from presence.models.llm import SYSTEM_PROMPT as EMBEDDED
    from presence.models.openai_backend import SYSTEM_PROMPT as SERVER

    for prompt in (EMBEDDED, SERVER, foreground_server_prompt(), BACKGROUND_SERVER_PROMPT):
        assert SAFETY_POLICY in prompt


def test_the_policy_names_what_is_refused_and_what_is_not() -> None:
    for words in ("weapons", "malware", "hurt", "crisis line", "fireworks", "kill a computer process"):
        assert words in SAFETY_POLICY


def test_refusals_are_brief_and_self_harm_points_to_help() -> None:
    assert all(len(r.split()) <= 40 for r in REFUSALS.values())
    assert "crisis line" in refusal("self_harm") and "someone you trust" in refusal("self_harm")
    assert refusal(None) and refusal("unknown") == refusal(None)
