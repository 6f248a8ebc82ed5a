"""Render one half of the pause corpus, replay it through the real runner (fast, compute charged)
and score it: used by `presence bench` and the tests."""

from __future__ import annotations

from pathlib import Path

from presence.evaluation.pauses.items import Item
from presence.evaluation.pauses.render import half, render
from presence.evaluation.pauses.score import score_pauses, summarize
from presence.runtime.build import Models
from presence.runtime.replay import ReplayOptions, replay


def evaluate(models: Models, items: list[Item], work: Path) -> tuple[dict[str, dict], dict]:
    """Replays of `items` (rendered under work/scenarios) scored; rows per item and the summary."""
    scenarios, results = work / "scenarios", work / "results"
    render(items, scenarios, models.engine.tts.synthesize_steady)
    for item in items:
        replay(ReplayOptions(scenarios / item.id / "user.wav", results / item.id, fast=True), models)
    rows, _ = score_pauses(scenarios, results)
    rows = {n: r for n, r in rows.items() if n in {i.id for i in items}}
    return rows, summarize(rows)


def evaluate_half(models: Models, name: str, work: Path) -> tuple[dict[str, dict], dict]:
    return evaluate(models, half(name), work / name)
