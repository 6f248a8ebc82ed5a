"""Helpers shared by tests in every folder (import as `from helpers import talk`: tests/ is on sys.path).

The repo's paths and the optional ../shared scenarios, made-up audio, echo measurements, an event
sink, waiting for a condition, and a panel that uses every node type.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PUBLIC = SHARED / "duplex" / "public"


def public_scenario(name: str) -> Path:
    """The folder of a public duplex scenario in ../shared; skips the test where it is missing."""
    d = PUBLIC / name
    if not (d / "user.wav").exists():
        pytest.skip(f"../shared/duplex/public/{name} is not available in this checkout")
    return d


# --- made-up microphone audio (16 kHz) ------------------------------------------------------------

def talk(ms: int) -> np.ndarray:
    """`ms` of loud constant signal: speech to FakeEnergyVad."""
    return np.full(ms * 16, 0.5, np.float32)


def quiet(ms: int) -> np.ndarray:
    """`ms` of silence."""
    return np.zeros(ms * 16, np.float32)


# --- echo ------------------------------------------------------------------------------------------

ECHO_TICK = 3200  # samples the echo canceller is given at a time (one 200 ms tick)


def room_echo(played: np.ndarray, delay: int, gain: float, reverb: bool) -> np.ndarray:
    """What the microphone picks up of `played`: delayed by `delay` samples, scaled, with a room's reverb."""
    h = np.zeros(delay + 400)
    h[delay] = gain
    if reverb:
        rng = np.random.default_rng(3)
        h[delay + 1:] = rng.standard_normal(399) * gain * 0.2 * np.exp(-np.arange(399) / 80)
    return np.convolve(played, h)[: len(played)].astype(np.float32)


def echo_ticks_let_through(played: np.ndarray, mic: np.ndarray, start_tick: int) -> list[int]:
    """Ticks from start_tick whose residual echo the barge-in guard would take for the user."""
    from presence.speech.echo import EchoCanceller

    ec, through = EchoCanceller(), []
    for k, i in enumerate(range(0, len(mic) - ECHO_TICK + 1, ECHO_TICK)):
        ec.process(mic[i:i + ECHO_TICK], played[i:i + ECHO_TICK])
        if k >= start_tick and np.sqrt(np.mean(mic[i:i + ECHO_TICK] ** 2)) > 1e-3 \
                and ec.residual_rms > 3 * ec.expected_residual_rms:
            through.append(k)
    return through


# --- events and waiting ----------------------------------------------------------------------------

class EventSink:
    """Collects events from any thread."""

    def __init__(self) -> None:
        self.events: list = []
        self.lock = threading.Lock()

    def __call__(self, event) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, type_: str) -> list:
        with self.lock:
            return [e for e in self.events if e.type == type_]

    def states(self) -> list[str]:
        return [e.fields["state"] for e in self.of("state")]


def wait_for(pred, timeout_s: float = 5.0) -> bool:
    """Polls `pred` until it is true or `timeout_s` passed; returns its last value."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


# --- panels ----------------------------------------------------------------------------------------

ONE_OF_EACH = {  # a panel with every node type
    "id": "all", "title": "Everything",
    "root": {"type": "column", "children": [
        {"type": "text", "id": "t", "text": "hello", "style": "title"},
        {"type": "markdown", "id": "md", "text": "**bold**"},
        {"type": "kv", "id": "kv", "items": [{"key": "a", "value": "1"}]},
        {"type": "list", "id": "ls", "items": ["x", "y"], "ordered": True},
        {"type": "table", "id": "tb", "columns": ["c1", "c2"], "rows": [["1", "2"], ["3"]]},
        {"type": "code", "id": "cd", "text": "print(1)", "language": "python"},
        {"type": "image", "id": "im", "region": {"x": 1, "y": 2, "width": 30, "height": 40}, "alt": "a box"},
        {"type": "progress", "id": "pg", "value": 40, "label": "working"},
        {"type": "divider"},
        {"type": "row", "id": "rw", "children": [
            {"type": "button", "id": "b1", "label": "Copy", "action": "copy_text", "target": "cd"},
            {"type": "button", "id": "b2", "label": "Stop", "action": "cancel_task"}]},
    ]},
}
