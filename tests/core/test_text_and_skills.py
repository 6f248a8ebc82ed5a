"""Sentence streaming, heard-text cutting and the exact skills."""

from datetime import datetime

import pytest

from presence.core import skills
from presence.core.text import SentenceSplitter, clean_reply, cut_to_heard


def test_splitter_releases_sentences_as_they_end():
    """Streamed pieces come out as whole sentences; decimals do not split."""
    s = SentenceSplitter()
    out = []
    for piece in ["Sure. The cap", "ital is Paris. It is 3.", "5 km wide! Ok"]:
        out += s.push(piece)
    assert out == ["Sure. The capital is Paris.", "It is 3.5 km wide!"]
    assert s.flush() == ["Ok"]


def test_splitter_breaks_lists_at_line_ends():
    """A numbered list is spoken item by item."""
    s = SentenceSplitter()
    assert s.push("1. Define your goal\n2. Choose a task\n3.") == ["1. Define your goal", "2. Choose a task"]


def test_cut_to_heard_keeps_played_words():
    """Half the audio played keeps half the words."""
    assert cut_to_heard("one two three four", 0.5) == "one two"
    assert cut_to_heard("one two", 1.0) == "one two"


def test_clean_reply_strips_role_tags():
    """Chat-template leftovers never reach the voice."""
    assert clean_reply("<|im_end|> Assistant: Hello   there") == "Hello there"


@pytest.mark.parametrize("q,expected", [
    ("What is seven times eight?", "56"),
    ("what is 12 plus 30", "42"),
    ("What is twenty five minus 7?", "18"),
    ("What's 144 divided by 12?", "12"),
    ("What is 7 times 8?", "56"),
    ("how much is one hundred and five plus five", "110"),
    ("What is seven-times-eight?", "56"),  # Whisper's hyphens
    ("what is twenty-one plus two", "23"),
    ("What is 10-3?", "7"),
    ("What a seven times eight.", "56"),  # Whisper's "is" heard as "a" on a clipped question
])
def test_arithmetic_is_exact(q, expected):
    """Arithmetic questions are answered by the skill, exactly."""
    a = skills.answer(q, datetime(2026, 1, 1))
    assert a is not None and a.rstrip(".").endswith(expected)


@pytest.mark.parametrize("q", ["What is the capital of France?", "I have two cats and one dog",
                               "Tell me a long story about a dragon"])
def test_non_arithmetic_is_left_to_the_model(q):
    """Sentences that merely contain numbers are not hijacked by the calculator."""
    assert skills.answer(q, datetime(2026, 1, 1)) is None


def test_time_and_date_come_from_the_injected_clock():
    """Time questions use the injected datetime, not the model."""
    now = datetime(2026, 11, 25, 15, 4)
    assert skills.answer("What time is it?", now) == "It's 3:04 PM."
    assert "November 25, 2026" in skills.answer("What's the date today?", now)


@pytest.mark.parametrize("text,expected", [("Mm-hm.", True), ("Yeah.", True), ("Okay, I see.", True),
                                           ("Stop.", False), ("Wait, stop.", False), ("", False)])
def test_backchannel_words(text, expected):
    """Acknowledgments are backchannels; 'stop' and 'wait' are not."""
    from presence.core.text import is_backchannel

    assert is_backchannel(text) is expected


@pytest.mark.parametrize("text,expected", [("Make it about a cat instead.", True), ("a trip to...", False),
                                           ("Could you remind me, um,", False), ("buy milk and", False),
                                           ("hello there", None),
                                           ("what the tallest mountain in the world is?", True),
                                           ("the tallest mountain in the world is", False),
                                           ("I would like to plan a trip to?", False)])
def test_transcript_completeness(text, expected):
    """Trailing '...', commas and continuation words mean the user is not done."""
    from presence.core.text import sounds_complete

    assert sounds_complete(text) is expected


@pytest.mark.parametrize("text,expected", [
    ("Could you remind me what the tallest mountain in the world is? What the tallest mountain in the world is?",
     "Could you remind me what the tallest mountain in the world is?"),
    ("set a timer set a timer set a timer", "set a timer"),
    ("go go go", "go go go"),
    ("What is the capital of France?", "What is the capital of France?"),
    ("What is 12 plus 30? What is 12", "What is 12 plus 30?"),
    ("Set a timer for 6 seconds and another one for 10 seconds. Set a timer for 6 seconds and another",
     "Set a timer for 6 seconds and another one for 10 seconds."),
    ("Stop. Tell me a joke. Tell me a joke about cats", "Stop. Tell me a joke. Tell me a joke about cats"),
    ("Is it done? Is it", "Is it done? Is it"),
])
def test_repeated_tail_of_a_transcript_is_kept_once(text, expected):
    """A run of three or more words Whisper repeated right after itself, or a sentence it starts over and
    breaks off, is dropped; short repeats and sentences that go further stay."""
    from presence.core.text import drop_repeated_tail

    assert drop_repeated_tail(text) == expected
