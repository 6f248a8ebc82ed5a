"""Speakable replies: cleaning, the two-sentence answer, loops cut and stopped."""

from __future__ import annotations

import pytest

from presence.core.text import MORE, SpokenReply, clean_reply, plain_sentence, runaway_loop, wants_more


@pytest.mark.parametrize("raw,spoken", [
    ("A: Paris is the capital.", "Paris is the capital."),
    ("Answer: Assistant: Yes.", "Yes."),
    ("**Paris** is the capital of France. \U0001F642", "Paris is the capital of France."),
    ('"Paris is the capital."', "Paris is the capital."),
    ('"Paris is big.', "Paris is big."),
    ("# Fireworks", "Fireworks"),
    ("Use `kill 1234` to stop it.", "Use kill 1234 to stop it."),
    ("See [the docs](http://example.com) first.", "See the docs first."),
    ('He said "hi" to me.', 'He said "hi" to me.'),
    ("It is 3.5 km wide.", "It is 3.5 km wide."),
])
def test_clean_reply_keeps_only_what_a_voice_should_say(raw: str, spoken: str) -> None:
    assert clean_reply(raw) == spoken


def test_list_items_become_plain_sentences() -> None:
    assert plain_sentence("- Paris\n- Berlin") == "Paris. Berlin."
    assert plain_sentence("2. Choose a task") == "Choose a task."


def _speak(pieces: list[str], limit: int | None = 2, complete: bool = True) -> tuple[list[str], SpokenReply]:
    s = SpokenReply(limit)
    out: list[str] = []
    for p in pieces:
        out += s.push(p)
        if s.stop:
            break
    return out + s.flush(complete), s


def test_two_sentences_then_stop_and_offer_more_only_when_cut() -> None:
    said, s = _speak(["Paris is the capital of France. ", "It is known for the Eiffel Tower. ", "It has"])
    assert said == ["Paris is the capital of France.", "It is known for the Eiffel Tower."]
    assert s.stop and s.cut
    said, s = _speak(["Paris is the capital of France. ", "It is known for the Eiffel Tower."])
    assert len(said) == 2 and not s.cut


def test_no_limit_for_long_answers() -> None:
    said, s = _speak(["One is first. Two is second. Three is third. Four is fourth."], limit=None)
    assert len(said) == 4 and not s.cut


def test_a_repeated_sentence_is_said_once_and_stops_the_model() -> None:
    said, s = _speak(["The sky is blue because of light. ", "The sky is blue because of light. "])
    assert said == ["The sky is blue because of light."] and s.stop and s.looped and not s.cut


def test_a_loop_inside_an_unfinished_sentence_stops_it_before_the_repeat() -> None:
    said, s = _speak(["The sky is blue and the sky is blue and the sky is blue and"])
    assert said == ["The sky is blue."] and s.looped


def test_a_joke_written_as_a_transcript_is_spoken_plainly() -> None:
    said, _ = _speak(["Q: Why did the chicken cross the road? A: To get to the other side."])
    assert said == ["Why did the chicken cross the road?", "To get to the other side."]


def test_a_token_limit_drops_the_unfinished_sentence_and_offers_more() -> None:
    said, s = _speak(["Paris is the capital of France. It was founded by the"], complete=False)
    assert said == ["Paris is the capital of France."] and s.cut


def test_runaway_loop_backstop() -> None:
    assert runaway_loop("It is good. It is good.")
    assert runaway_loop("go for a walk, go for a walk, go for a walk")
    assert not runaway_loop("Monday: go for a walk. Tuesday: go for a walk in the park.")


def test_yes_to_more() -> None:
    assert MORE.endswith("?")
    assert wants_more("Yes, please.") and wants_more("sure, go on") and wants_more("tell me more")
    assert not wants_more("no thanks") and not wants_more("what is the capital of Peru")


def test_a_semicolon_ends_a_spoken_sentence() -> None:
    said, s = _speak(["Russia is the biggest country; it has many long rivers; it is cold in winter. More"])
    assert said == ["Russia is the biggest country.", "it has many long rivers."] and s.cut
