"""Redaction of secrets in screen text, applied before any text leaves the screen module.

Why here and so early: OCR text flows into events.jsonl, captions, the transcript and model
prompts. Masking once, at the point where pixels become text, means no later consumer can leak
a key by forgetting to filter. Patterns favour over-masking (a long random-looking token is
hidden even if it was harmless) because a false mask costs a word while a miss leaks a secret.
"""

from __future__ import annotations

import re

KEY_MASK = "[redacted key]"
SECRET_MASK = "[redacted]"
CARD_MASK = "[redacted card]"
EMAIL_MASK = "[redacted email]"

# Provider-shaped keys first (they are unambiguous), then generic long tokens.
_KEYS = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{12,}"  # OpenAI / Anthropic / Stripe style
    r"|(?:rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub
    r"|glpat-[A-Za-z0-9_\-]{16,}"  # GitLab
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_\-]{30,}"  # Google API key
    r"|hf_[A-Za-z0-9]{20,}"  # Hugging Face
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")"
)
_HEX = re.compile(r"(?<![A-Za-z0-9])(?:0x)?[0-9a-fA-F]{32,}(?![A-Za-z0-9])")
_B64 = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{32,}={0,2}(?![A-Za-z0-9+/_\-])")
# "password: hunter2", "passwd=...", "API key: ...", "token = ..." (label kept, value masked).
_LABELLED = re.compile(
    r"(?i)\b(pass(?:word|wd|phrase|code)?|pwd|pin|secret|api[ _\-]?key|access[ _\-]?key|token)"
    r"(\s*[:=]\s*)(\S+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/\-]{12,}=*)")
# A label with its value in the next OCR block ("Password:" | "hunter2").
SECRET_LABEL_AT_END = re.compile(
    r"(?i)\b(pass(?:word|wd|phrase|code)?|pwd|pin|secret|api[ _\-]?key|access[ _\-]?key|token)\s*[:=]?\s*$")
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-])")
_EMAIL = re.compile(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b")


def luhn_ok(digits: str) -> bool:
    """Luhn checksum: real card numbers pass it, most other 13-19 digit runs (ids, phone) do not."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _looks_random(token: str) -> bool:
    """A long token with upper, lower and digits is a credential, not a word or path."""
    core = token.rstrip("=")
    return (any(c.isdigit() for c in core) and any(c.isupper() for c in core) and any(c.islower() for c in core))


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"[ \-]", "", m.group(0))
    return CARD_MASK if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group(0)


def _labelled(m: re.Match[str]) -> str:
    value = m.group(3)
    if value.startswith("[redacted"):
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}{SECRET_MASK}"


def redact(text: str, emails: bool = False) -> str:
    """Mask API keys, tokens, passwords, Luhn-valid card numbers (and emails when asked)."""
    if not text:
        return text
    out = _KEYS.sub(KEY_MASK, text)
    out = _BEARER.sub(lambda m: f"{m.group(1)} {KEY_MASK}", out)
    out = _LABELLED.sub(_labelled, out)
    out = _HEX.sub(KEY_MASK, out)
    out = _B64.sub(lambda m: KEY_MASK if _looks_random(m.group(0)) else m.group(0), out)
    out = _CARD.sub(_card, out)
    if emails:
        out = _EMAIL.sub(EMAIL_MASK, out)
    return out
