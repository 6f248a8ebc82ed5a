"""The corpus as data: every request with its intent, slots, answer keywords, voice and noise.

generate() is deterministic (a fixed seed and Python's own `random.Random`, whose sequence is
stable across versions for the calls used here), so the held-out half can be committed once and
checked by hash ever after. Items are split per intent, alternately in a shuffled order: both
halves cover every intent, most phrasings appear in both halves with other values and voices,
and some phrasings appear in one half only (the held-out half tests phrasings never seen while
tuning).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from presence.evaluation.corpus import actions as A
from presence.evaluation.corpus import questions as Q
from presence.evaluation.corpus.voices import pick_noise, pick_voice

SEED = 1313
PER_INTENT = 24
HELDOUT, TUNING = "heldout", "tuning"
INTENTS = ("timer", "reminder", "clock_reminder", "cue", "screen_watch", "screen_question", "deep_task",
           "modify", "cancel", "fact", "exact", "chitchat", "harmful")


@dataclass(frozen=True)
class Item:
    """One spoken request. `text` is what the voice reads and the transcript's reference."""

    id: str
    text: str
    intent: str
    phrasing: str  # the template it came from ("timer/3"): phrasing variety is counted on these
    split: str
    slots: dict[str, Any] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    lookalike: bool = False
    voice: dict[str, Any] = field(default_factory=dict)
    noise: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(line: str) -> Item:
        return Item(**json.loads(line))


class _Cycle:
    """Values drawn in a shuffled order without repeats until the pool is used up."""

    def __init__(self, pool: list[Any], rng: random.Random) -> None:
        self._pool, self._rng = list(pool), rng
        self._left: list[Any] = []

    def next(self) -> Any:
        if not self._left:
            self._left = self._pool[:]
            self._rng.shuffle(self._left)
        return self._left.pop()


def _fill(intent: str, template: str, pools: dict[str, _Cycle]) -> tuple[str, dict[str, Any]]:
    """A template with its holes filled, and the slots those values stand for."""
    values: dict[str, str] = {}
    slots: dict[str, Any] = {}
    if "{dur}" in template:
        values["dur"], slots["duration_s"] = pools["dur"].next()
    if "{dura}" in template:
        values["dura"], slots["duration_s"] = pools["dura"].next()
    if "{task}" in template:
        values["task"], slots["content"] = pools["task"].next()
    if "{thing}" in template:
        values["thing"], slots["content"] = pools["thing"].next()
    if "{clock}" in template:
        values["clock"], slots["clock_time"], meridiem = pools["clock"].next()
        if meridiem:
            slots["meridiem"] = meridiem
    if "{cue}" in template:
        values["cue"], values["resp"] = pools["cue"].next()
        slots["cue_word"], slots["response"] = values["cue"], values["resp"]
    if "{event}" in template:
        values["event"] = pools["event"].next()
    if "{label}" in template:
        values["label"] = pools["label"].next()
    if intent in ("modify", "cancel"):
        slots["target"] = values.get("label", "")
    if intent == "timer":  # a timer's label is no slot of the contract
        slots = {"duration_s": slots["duration_s"]}
    return template.format(**values), {k: float(v) if k == "duration_s" else v for k, v in slots.items()}


_TEMPLATES: dict[str, list[str]] = {
    "timer": A.TIMER, "reminder": A.REMINDER, "clock_reminder": A.CLOCK_REMINDER, "cue": A.CUE,
    "modify": A.MODIFY, "cancel": A.CANCEL, "screen_watch": Q.SCREEN_WATCH,
    "screen_question": Q.SCREEN_QUESTION, "deep_task": Q.DEEP_TASK, "chitchat": Q.CHITCHAT, "harmful": Q.HARMFUL,
}


def _drafts(intent: str, rng: random.Random, pools: dict[str, _Cycle]) -> list[dict[str, Any]]:
    """PER_INTENT requests of one intent (before voices and the split)."""
    if intent in ("fact", "exact"):
        rows = Q.FACT if intent == "fact" else Q.EXACT
        return [{"text": t, "phrasing": f"{intent}/{i}", "slots": {}, "keywords": k} for i, (t, k) in enumerate(rows)]
    templates = _TEMPLATES[intent]
    order = [i for _ in range(-(-PER_INTENT // len(templates))) for i in rng.sample(range(len(templates)),
                                                                                   len(templates))]
    drafts = []
    for i in order[:PER_INTENT]:
        text, slots = _fill(intent, templates[i], pools)
        drafts.append({"text": text, "phrasing": f"{intent}/{i}", "slots": slots, "keywords": []})
    return drafts


def generate(seed: int = SEED) -> list[Item]:
    """Every item of the corpus, in a fixed order (intent by intent, held-out and tuning interleaved)."""
    rng = random.Random(seed)
    pools = {name: _Cycle(pool, rng) for name, pool in (
        ("dur", A.DURATIONS), ("dura", A.DURATION_ADJECTIVES), ("task", A.TASKS), ("thing", A.THINGS),
        ("clock", A.CLOCKS), ("cue", A.CUES), ("event", Q.WATCH_EVENTS), ("label", A.LABELS))}
    items: list[Item] = []
    for intent in INTENTS:
        drafts = _drafts(intent, rng, pools)
        rng.shuffle(drafts)
        looks = [{"text": t, "phrasing": f"lookalike/{i}", "slots": {}, "keywords": k, "lookalike": True}
                 for i, (kind, t, k) in enumerate(Q.LOOKALIKES) if kind == intent]
        for group, prefix in ((drafts, intent), (looks, f"{intent}_lookalike")):
            for k, d in enumerate(group):
                items.append(Item(id=f"{prefix}_{k:02d}", intent=intent, split=HELDOUT if k % 2 == 0 else TUNING,
                                  voice=pick_voice(rng), noise=pick_noise(rng, noisy=(k // 2) % 2 == 1), **d))
    return items


def split(items: Iterable[Item], which: str) -> list[Item]:
    return [i for i in items if i.split == which]


def write_jsonl(items: Iterable[Item], path: Path) -> None:
    path.write_text("".join(i.to_json() + "\n" for i in items), encoding="utf-8")


def read_jsonl(path: Path) -> list[Item]:
    return [Item.from_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
