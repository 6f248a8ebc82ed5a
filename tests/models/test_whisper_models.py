"""Both shipped Whisper models load and transcribe; base decodes English with its language and task tokens,
and the conversation's context goes into the prompt without eating into the words' budget."""

from __future__ import annotations

import pytest

from presence.models import whisper_base as wb
from presence.speech.asr import CONTEXT_TOKENS, WhisperAsr

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Whisper base assembled into a private cache (not the user's)."""
    try:
        wb.installed_parts()
    except wb.ModelMissing as exc:
        pytest.skip(str(exc))
    target = wb.ensure(tmp_path_factory.mktemp("cache") / "whisper-base")
    return WhisperAsr(target, model="base")


@pytest.fixture(scope="module")
def tiny():
    return WhisperAsr(model="tiny.en")


@pytest.fixture(scope="module")
def question(models):
    return models.engine.tts.synthesize_steady("Set a timer for twenty minutes and remind me to check the oven.")


def test_base_is_told_the_language_and_the_task_and_tiny_en_needs_neither(base, tiny):
    tokens = base._tokenizer
    lang, task = tokens.token_to_id("<|en|>"), tokens.token_to_id("<|transcribe|>")
    assert base.prompt()[-4:] == [tokens.token_to_id("<|startoftranscript|>"), lang, task,
                                  tokens.token_to_id("<|notimestamps|>")]
    assert lang not in tiny.prompt() and tiny._tokenizer.token_to_id("<|en|>") not in tiny.prompt()


@pytest.mark.parametrize("which", ["tiny", "base"])
def test_each_model_hears_a_request_whole_even_with_a_long_context(which, request, question):
    asr = request.getfixturevalue(which)
    plain = asr.transcribe(question).text.lower()
    assert "timer" in plain and "oven" in plain, plain
    long_context = " ".join(["Time to drain the pasta."] * 20)  # more than CONTEXT_TOKENS: its end is kept
    assert len(asr.prompt(long_context)) - len(asr.prompt()) == CONTEXT_TOKENS
    heard = asr.transcribe(question, context=long_context).text.lower()
    assert "timer" in heard and "oven" in heard, heard  # the prompt's length is added to the budget
