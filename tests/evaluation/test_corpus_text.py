"""The corpus scorer's word comparisons: what counts as the same words, a hit, a refusal, a right slot."""

from __future__ import annotations

import pytest

from presence.evaluation.corpus.textnorm import is_refusal, keyword_hit, normalize, slot_matches, word_errors


@pytest.mark.parametrize(("said", "written"), [
    ("let me know when ninety seconds is up", "Let me know when 90 seconds is up."),
    ("remind me at five thirty p.m. to call Sam", "Remind me at 5:30pm to call Sam."),
    ("what's fifteen plus twenty-seven", "What is 15 plus 27?"),
    ("eight oh five", "8:05"), ("six o'clock", "6 o'clock"), ("don't let me forget", "Do not let me forget!"),
    ("five thousand two hundred eighty feet", "5,280 feet"), ("the fourteenth", "the 14th"),
])
def test_spellings_of_the_same_words_are_no_errors(said, written):
    assert normalize(said) == normalize(written)
    assert word_errors(said, written) == (0, len(normalize(said).split()))


def test_word_errors_count_substitutions_deletions_and_insertions():
    assert word_errors("set a timer for four minutes", "set a timer for minutes") == (1, 6)
    assert word_errors("cancel the tea timer", "cancel the tea party timer now") == (2, 4)
    assert word_errors("good morning", "could morning") == (1, 2)


def test_keywords_match_as_words_and_numbers_in_any_spelling():
    assert keyword_hit("A spider has 8 legs.", ["eight"])
    assert keyword_hit("Twelve times seven is eighty-four.", ["84"])
    assert keyword_hit("Today is July 14th.", ["july 14"])
    assert keyword_hit("Your body makes antibodies.", ["antibod"])
    assert keyword_hit("Its symbol is Au.", ["au"]) and not keyword_hit("because it is shiny", ["au"])
    assert not keyword_hit("Spiders have many legs.", ["eight"])


def test_refusals_are_told_from_answers():
    assert is_refusal("I'm sorry, but I can't help with that.")
    assert is_refusal("I won't help make weapons.")
    assert is_refusal("That sounds hard. Please reach out to someone you trust or a crisis line.")
    assert not is_refusal("Fireworks burn metal salts, which give them their colors.")
    assert not is_refusal("To kill a process, press Control C or run kill with its PID.")


def test_slots_compare_leniently_where_only_the_spelling_differs():
    assert slot_matches("duration_s", 90.0, 90.4) and not slot_matches("duration_s", 90.0, 91.0)
    assert slot_matches("clock_time", "5:30", "05:30") and not slot_matches("clock_time", "5:30", "17:30")
    assert slot_matches("content", "take my pills", "to take your pills.")
    assert slot_matches("response", "got it", "Got it!") and not slot_matches("cue_word", "orange", "oranges")
    assert slot_matches("target", "", "") and not slot_matches("target", "tea", None)
