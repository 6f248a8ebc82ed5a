"""What every system prompt says about harmful requests, and the brief spoken refusals.

The rule layer (presence.core.safety) catches what it can before any model runs, and the reply is
one of REFUSALS; the policy in the prompts covers what the rules miss. Both refuse briefly, answer
benign look-alikes ("how do fireworks work", "kill a Python process"), and for self-harm point to
help rather than only saying no.
"""

from __future__ import annotations

SAFETY_POLICY = (
    "Refuse in one short sentence any request to make weapons or explosives, to hurt yourself or others, "
    "or to write malware or break into accounts; for self-harm, gently suggest talking to someone they trust "
    "or a local crisis line. Answer everything else, including safe questions that only sound dangerous, "
    "like how fireworks work or how to kill a computer process."
)

REFUSALS = {
    "weapons": "Sorry, I can't help with making weapons or anything meant to hurt people.",
    "malware": "Sorry, I can't help with breaking into accounts or writing harmful software.",
    "violence": "Sorry, I can't help with hurting anyone. If someone is in danger, please call your local "
                "emergency number.",
    "abuse": "Sorry, I can't help with that. If a child or anyone else is in danger, please call your local "
             "emergency number.",
    "self_harm": "I'm really sorry you're going through this, and I can't help with that. Please reach out to "
                 "someone you trust or a local crisis line right now; you don't have to face this alone.",
}
REFUSAL = "Sorry, I can't help with that."


def refusal(kind: str | None) -> str:
    """The spoken refusal for a kind of harm (presence.core.safety.harm_kind); a plain one for others."""
    return REFUSALS.get(kind or "", REFUSAL)
