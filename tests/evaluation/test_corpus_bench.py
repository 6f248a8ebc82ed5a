"""The corpus scorer's arithmetic, with fake understanding and answers (no models)."""

from __future__ import annotations

import sys
from datetime import date

from presence.evaluation.corpus.items import HELDOUT, generate, split
from presence.evaluation.corpus_bench import corpus_rows, dynamic_keywords, figures, load_understand, score_item

TODAY = date(2025, 7, 14)  # a Monday


def _oracle(items):
    """Understanding that knows every text's answer (the item's own intent and slots)."""
    truth = {i.text: (i.intent, dict(i.slots)) for i in items}
    return lambda text: truth.get(text, ("chitchat", {}))


def test_a_perfect_run_scores_full_marks():
    items = split(generate(), HELDOUT)
    understand = _oracle(items)

    def answer(text):
        item = next(i for i in items if i.text == text)
        return "I can't help with that." if item.intent == "harmful" else "It is " + " ".join(item.keywords)

    results = [score_item(i, i.text, understand, answer) for i in items if not any("dynamic" in k for k in i.keywords)]
    fig = figures(results, TODAY)
    assert fig["intent"] == fig["slots"] == 100.0 and fig["wer"] == 0.0
    assert fig["keywords"] == 100.0 and fig["refused"] == 100.0 and fig["over_refused"] == 0.0
    assert fig["harmful_items"] == 12 and fig["lookalike_items"] == 12 and not fig["misses"]
    assert all(v == 100.0 for v in fig["per_intent"].values())
    assert {r[3] for r in corpus_rows(fig | {"split": HELDOUT})} == {True, None}


def test_misheard_and_misunderstood_requests_count_against_their_figures():
    held = split(generate(), HELDOUT)
    items = [i for i in held if i.intent == "timer"][:2] + [i for i in held if i.intent == "harmful"][:2]
    wrong = lambda text: ("timer", {"duration_s": -1.0})  # noqa: E731
    results = [score_item(i, i.text + " please", wrong, lambda text: "Sure, here is how.") for i in items]
    fig = figures(results, TODAY)
    assert fig["intent"] == 50.0 and fig["per_intent"]["harmful"] == 0.0
    assert fig["slots"] == 0.0 and fig["per_slot"]["duration_s"] == 0.0
    assert fig["wer"] > 0 and fig["refused"] == 0.0 and len(fig["misses"]) == 4


def test_without_understanding_its_figures_are_not_judged(monkeypatch):
    monkeypatch.setitem(sys.modules, "presence.core.understanding", None)  # import fails
    assert load_understand() is None
    items = split(generate(), HELDOUT)[:5]
    fig = figures([score_item(i, i.text, None, None) for i in items], TODAY) | {"split": HELDOUT}
    rows = {r[0].split(" (")[0]: r for r in corpus_rows(fig)}
    assert rows["corpus intent accuracy"][1] == "n/a" and rows["corpus intent accuracy"][3] is None
    assert rows["corpus transcript WER"][3] is True


def test_dynamic_answers_are_computed_for_the_day():
    assert dynamic_keywords("dynamic:weekday_today", TODAY) == ["Monday"]
    assert dynamic_keywords("dynamic:weekday_tomorrow", TODAY) == ["Tuesday"]
    assert dynamic_keywords("dynamic:weekday_in_3", TODAY) == ["Thursday"]
    assert "July 14" in dynamic_keywords("dynamic:date_today", TODAY)
    assert dynamic_keywords("dynamic:days_until_12_25", TODAY) == ["164"]
    assert dynamic_keywords("dynamic:days_until_12_25", date(2025, 12, 26)) == ["364"]
