"""Redaction: secrets never leave the screen module."""

from __future__ import annotations

import pytest

from presence.screen.privacy import CARD_MASK, KEY_MASK, luhn_ok, redact
from presence.screen.reader import TextLine, redact_lines

FAKE_KEYS = [
    "sk-proj-Ab12Cd34Ef56Gh78Ij90KlMnOpQr",
    "sk-ant-api03-AbCdEfGh12345678",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "xoxb-123456789012-abcdefghij",
    "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d3f2a9c0d",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r",
    "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM",
]


@pytest.mark.parametrize("key", FAKE_KEYS)
def test_api_keys_are_masked(key):
    out = redact(f"export OPENAI_API_KEY {key} # do not share")
    assert key not in out and KEY_MASK in out
    assert out.startswith("export OPENAI_API_KEY ") and out.endswith("# do not share")


@pytest.mark.parametrize("text,secret", [
    ("password: hunter2", "hunter2"),
    ("Password:Tr0ub4dor&3", "Tr0ub4dor&3"),
    ("db passwd = s3cret!", "s3cret!"),
    ("pwd: letmein", "letmein"),
    ("API key: abc123def", "abc123def"),
])
def test_password_values_are_masked_labels_kept(text, secret):
    out = redact(text)
    assert secret not in out
    assert out.split(":")[0].split("=")[0].strip().lower() in text.lower()


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444",
                                  "378282246310005"])
def test_luhn_valid_card_numbers_are_masked(card):
    out = redact(f"card {card} exp 12/29")
    assert card not in out and CARD_MASK in out


def test_numbers_that_are_not_cards_stay():
    for text in ["order 1234567890123", "build 4111 1111 1111 1112 done", "line 4 in total.py", "12:01",
                 "compiling 14 files ..."]:
        assert redact(text) == text
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_ordinary_text_is_untouched():
    for text in ["error: undefined name 'prce'", "/usr/lib/python3.11/site-packages/numpy/core.py",
                 "test_redaction_of_api_keys_with_numbers2", "Traceback (most recent call last):",
                 "Download complete: ubuntu-24.04-desktop-amd64.iso"]:
        assert redact(text) == text


def test_emails_only_when_asked():
    assert redact("mail ada@example.com") == "mail ada@example.com"
    assert "ada@example.com" not in redact("mail ada@example.com", emails=True)


def test_password_value_in_a_separate_ocr_block_is_masked():
    lines = [TextLine("Password:", (100, 200, 190, 220)), TextLine("hunter2", (200, 200, 280, 220)),
             TextLine("Sign in", (100, 260, 160, 280))]
    out = {ln.text for ln in redact_lines(lines)}
    assert "hunter2" not in out and "Sign in" in out and "Password:" in out
