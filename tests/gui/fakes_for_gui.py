"""Fakes shared by the GUI tests: a controller, silent devices, and model stand-ins.

They let the window and the session run the real runner and threads in milliseconds,
without loading models or opening sound devices.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import numpy as np
import pytest
from fakes import FakeSilentVad

from presence.core.types import TICK_SAMPLES, ReplyChunk, ReplyDone
from presence.runtime.build import Models

# Qt aborts the whole process without a display, so GUI modules are skipped instead.
needs_display = pytest.mark.skipif(
    not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")),
    reason="no display: run under Xvfb (DISPLAY=:99) or with QT_QPA_PLATFORM=offscreen")


class FakeController:
    """Records what the widgets asked for, in order (`calls` has every call with its arguments)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.muted: list[bool] = []
        self.calls: list[tuple] = []

    def submit_text(self, text: str) -> None:
        self.texts.append(text)
        self.calls.append(("submit_text", text))

    def set_muted(self, muted: bool) -> None:
        self.muted.append(muted)
        self.calls.append(("set_muted", muted))

    def observe_now(self) -> None:
        self.calls.append(("observe_now",))

    def set_screen_paused(self, paused: bool) -> None:
        self.calls.append(("set_screen_paused", paused))

    def panel_action(self, panel_id: str, action_id: str) -> None:
        self.calls.append(("panel_action", panel_id, action_id))

    def cancel_item(self, kind: str, item_id: str) -> None:
        self.calls.append(("cancel_item", kind, item_id))

    def apply_settings(self, settings: dict) -> None:
        self.calls.append(("apply_settings", settings))

    def of(self, name: str) -> list[tuple]:
        return [c[1:] for c in self.calls if c[0] == name]


class SilentMic:
    """Endless silence, a tick every few ms, so a runner loops until it is stopped."""

    def __init__(self, tick_s: float = 0.005) -> None:
        self.tick_s = tick_s
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def read(self, n_samples: int) -> np.ndarray:
        time.sleep(self.tick_s)
        return np.zeros(n_samples, np.float32)

    def close(self) -> None:
        self.closed = True


class NullSpeaker:
    def __init__(self) -> None:
        self.started = self.closed = False
        self.written = 0

    def start(self) -> None:
        self.started = True

    def write(self, samples: np.ndarray) -> None:
        self.written += len(samples)

    def clear(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class EchoEngine:
    """Answers typed text with one spoken sentence, the way ReplyEngine does, instantly."""

    def __init__(self) -> None:
        self.thread_names: set[str] = set()
        self.lock = threading.Lock()

    def reply_to_text(self, reply_id: int, text: str, token: object):
        with self.lock:
            self.thread_names.add(threading.current_thread().name)
        yield ReplyChunk(reply_id, f"You said {text}.", np.zeros(TICK_SAMPLES, np.float32), final=True)
        yield ReplyDone(reply_id)

    def keep_heard(self, heard_text: str) -> None:
        pass

    def reset(self) -> None:
        """A new session forgets the conversation (ReplyEngine.reset); nothing to forget here."""

    def discard_reply(self, reply_id: int) -> None:
        pass


def fake_models() -> Models:
    return Models(FakeSilentVad(), EchoEngine())  # type: ignore[arg-type]


DEVICES = {"input": ["Mic A", "Mic B"], "output": ["Speaker A", "Speaker B"]}


def fake_probes(calls: list | None = None) -> dict[str, Any]:
    """Settings-dialog probes (devices, test buttons) that record their calls instead of touching hardware."""
    calls = calls if calls is not None else []

    def test_llm(config):
        calls.append(("llm", dict(config)))
        if config["backend"] == "server" and "unreachable" in config["server_url"]:
            raise RuntimeError(f"cannot reach {config['server_url']}:\n connection refused")
        return f"Connected ({config['backend']})."

    return {"list_devices": lambda kind: DEVICES[kind],
            "test_output": lambda device: calls.append(("out", device)) or f"Played a tone on {device or 'default'}.",
            "test_input": lambda device: calls.append(("in", device)) or "Heard -23 dBFS.",
            "test_llm": test_llm,
            "preview_voice": lambda speed, device, *text: calls.append(("voice", speed, device, *text))
            or f"Said a test sentence at speed {speed:g}."}
