"""Replays of pause corpus items (tuning half) whose first half ends on a function word hold the turn.

Each is a sentence said in two halves with a 1.4-2.5 s silence between them ("What is the boiling
point of an | egg white?"), in our Piper voice (deterministic, and needs nothing outside the
project). Held means: no sentence of a reply starts between the pause and the user's last word, and
the answer's transcript has both halves (the second half did not throw the first away).
"""

import json

import pytest

from presence.core.text import words
from presence.evaluation.pauses.render import half, render
from presence.evaluation.pauses.score import score_pauses
from presence.runtime.replay import ReplayOptions, replay

pytestmark = pytest.mark.slow

# long pauses after a preposition, an article, a possessive and a degree adverb, in the tuning half
# ("I'd like to know if | ..." is left out: Whisper hears its "if" as "it.", a finished sentence)
NAMES = ["pause_preposition_10", "pause_determiner_06", "pause_determiner_03", "pause_degree_02"]


@pytest.fixture(scope="module")
def items():
    chosen = [i for i in half("tuning") if i.id in NAMES]
    assert len(chosen) == len(NAMES) and all(i.function_word and i.voice["engine"] == "piper" for i in chosen)
    return chosen


@pytest.mark.parametrize("name", NAMES)
def test_pause_after_a_function_word_holds_the_turn(models, items, tmp_path, name):
    item = next(i for i in items if i.id == name)
    scenarios, results = tmp_path / "scenarios", tmp_path / "results"
    render([item], scenarios, models.engine.tts.synthesize_steady)
    events = replay(ReplayOptions(scenarios / name / "user.wav", results / name, fast=True), models)
    rows, _ = score_pauses(scenarios, results)
    row = rows[name]
    said = [(e.t_ms, e.type, e.fields.get("text", "")) for e in events
            if e.type in ("user_text", "user_partial_text", "assistant_text", "reply_held", "reply_discarded",
                          "user_turn_end")]
    log = f"{json.dumps(row, default=str)}\n" + "\n".join(map(str, said))
    assert not row["taken"], log
    assert row["answered"], log
    finals = [text for _, kind, text in said if kind == "user_text"]
    first, second = (set(words(p)) for p in item.parts)
    assert finals and first & set(words(finals[-1])) and second & set(words(finals[-1])), log
