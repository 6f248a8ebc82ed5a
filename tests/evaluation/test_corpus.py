"""The generalization corpus (issue 13): deterministic, broad enough, and a held-out half that cannot
change unnoticed once committed."""

from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pytest

from presence.evaluation.corpus import HELDOUT_DIR, HELDOUT_HASHES, HELDOUT_ITEMS, TUNING_ITEMS
from presence.evaluation.corpus.items import HELDOUT, INTENTS, TUNING, generate, read_jsonl, split
from presence.evaluation.corpus.render import sha256
from presence.evaluation.corpus.voices import render


def test_generator_is_deterministic_and_matches_the_committed_manifests():
    """Two runs give the same items, and the committed lists are exactly the generator's output: a change
    to the generator that would move the held-out half fails here."""
    first, second = generate(), generate()
    assert first == second
    assert read_jsonl(HELDOUT_ITEMS) == split(first, HELDOUT)
    assert read_jsonl(TUNING_ITEMS) == split(first, TUNING)


def test_corpus_is_broad_enough():
    """300+ requests, 24+ per intent with 10+ phrasings each; both halves cover every intent and hold
    harmful requests and benign look-alikes; many voices, about half with background noise."""
    items = generate()
    assert len(items) >= 300
    assert len({i.id for i in items}) == len(items)
    per_intent = Counter(i.intent for i in items)
    phrasings = {intent: {i.phrasing for i in items if i.intent == intent} for intent in INTENTS}
    for intent in INTENTS:
        assert per_intent[intent] >= 24, intent
        assert len(phrasings[intent]) >= 10, intent
    for half in (HELDOUT, TUNING):
        part = split(items, half)
        assert {i.intent for i in part} == set(INTENTS)
        assert sum(i.lookalike for i in part) >= 10
    voices = {i.voice.get("voice", "piper") for i in items}
    assert len(voices) >= 30 and "piper" in voices
    noisy = sum(i.noise is not None for i in items)
    assert 0.4 < noisy / len(items) < 0.6
    assert {i.noise["kind"] for i in items if i.noise} == {"pink", "brown", "fan", "babble"}


def test_slots_follow_the_understanding_contract():
    """Every item carries the slots its intent is scored on, typed as the contract says."""
    needed = {"timer": {"duration_s"}, "reminder": {"duration_s", "content"},
              "clock_reminder": {"clock_time", "content"}, "cue": {"cue_word", "response"},
              "modify": {"duration_s", "target"}, "cancel": {"target"}}
    for item in generate():
        assert needed.get(item.intent, set()) <= set(item.slots), item.id
        if "duration_s" in item.slots:
            assert isinstance(item.slots["duration_s"], float)
        if item.intent in ("fact", "exact") and not item.lookalike:
            assert item.keywords, item.id
        for key in ("content", "cue_word", "response", "target"):
            value = item.slots.get(key, "")
            assert value == value.lower() and not any(c in value for c in ".,?!"), item.id


def test_heldout_files_match_their_hashes():
    """The committed held-out half is exactly what MANIFEST.sha256 lists: no file changed, added or missing."""
    listed = dict(reversed(line.split("  ", 1)) for line in HELDOUT_HASHES.read_text().splitlines())
    present = {p.name for p in HELDOUT_DIR.iterdir() if p.name != HELDOUT_HASHES.name}
    assert set(listed) == present
    assert {f"{i.id}.wav" for i in read_jsonl(HELDOUT_ITEMS)} | {HELDOUT_ITEMS.name} == present
    changed = [name for name, digest in listed.items() if sha256(HELDOUT_DIR / name) != digest]
    assert not changed, f"held-out files changed after they were committed: {changed}"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_clips_render_the_same_every_time():
    """A tuning clip re-rendered from the manifest is the same audio (espeak voice, noise included)."""
    items = [i for i in split(generate(), TUNING) if i.voice["engine"] == "espeak"]
    noisy = next(i for i in items if i.noise and i.noise["kind"] != "babble")
    for item in (items[0], noisy):
        a, b = render(item.text, item.voice, item.noise), render(item.text, item.voice, item.noise)
        assert np.array_equal(a, b)
        assert 0.6 < len(a) / 16000 < 8 and abs(float(np.abs(a).max()) - item.voice["peak"]) < 1e-3
