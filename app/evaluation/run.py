"""Replay a folder of scenarios through the real runner and score them (used by bench and tests)."""

from __future__ import annotations

from pathlib import Path

from presence.evaluation.score import score_folder
from presence.runtime.build import Models
from presence.runtime.replay import ReplayOptions, replay

OWNED_KINDS = ("turn", "pause", "interrupt", "noise_only", "timer", "cue", "timer_cancel", "task")


def replay_folder(models: Models, scenarios: Path, results: Path, echo_gain: float = 0.0,
                  echo_delay_ms: float = 0.0, kinds: tuple[str, ...] = OWNED_KINDS) -> None:
    import json

    for d in sorted(p for p in scenarios.iterdir() if (p / "user.wav").exists()):
        kind = json.loads((d / "truth.json").read_text())["kind"] if (d / "truth.json").exists() else ""
        if kind not in kinds:
            continue
        screen = d / "screen" if (d / "screen").is_dir() else None
        opts = ReplayOptions(d / "user.wav", results / d.name, screen=screen, echo_gain=echo_gain,
                             echo_delay_ms=echo_delay_ms, fast=True)
        replay(opts, models)


def evaluate(models: Models, scenarios: Path, results: Path, echo_gain: float = 0.0,
             echo_delay_ms: float = 0.0) -> tuple[dict[str, dict], dict]:
    replay_folder(models, scenarios, results, echo_gain, echo_delay_ms)
    return score_folder(scenarios, results)
