"""Vision for models that take images: push-to-observe sends a downscaled screenshot and the OCR
text to an OpenAI-compatible server. The server here is a fake one on 127.0.0.1 that records each
request body and streams a fixed answer (a real vision model is not shipped in any package)."""

from __future__ import annotations

import base64
import json
from typing import Any

import cv2
import numpy as np
import pytest
from fake_openai_server import fake_openai_server
from fakes import FakeTts

from presence.core.ports import ScreenFrame, WindowInfo
from presence.core.types import Announcement
from presence.models.backends import open_with_fallback
from presence.models.openai_backend import OpenAIChatSession
from presence.runtime.build import backend_spec
from presence.runtime.context import Emitter, TickClock
from presence.runtime.executor import CancelToken
from presence.runtime.reply import ReplySlot
from presence.runtime.screenwork import ScreenWork
from presence.screen.reader import InlineReader
from presence.screen.vision import VisionSettings, downscale, image_data_url
from presence.screen.watch import ScreenWatcher
from presence.settings.schema import Settings

ANSWER = "You are looking at a build log that says all tests passed."


@pytest.fixture
def fake_server():
    """A fake OpenAI-compatible server: records request bodies, streams ANSWER as SSE."""
    with fake_openai_server(ANSWER) as server:
        yield server


def _screen(width: int = 2560, height: int = 1440) -> np.ndarray:
    px = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(px, "All tests passed", (200, 400), cv2.FONT_HERSHEY_SIMPLEX, 4, (0, 0, 0), 8)
    return px


def _decode(url: str) -> np.ndarray:
    head, b64 = url.split(",", 1)
    assert head == "data:image/jpeg;base64"
    return cv2.imdecode(np.frombuffer(base64.b64decode(b64), np.uint8), cv2.IMREAD_COLOR)


def _images(body: dict[str, Any]) -> list[str]:
    return [p["image_url"]["url"] for m in body["messages"] if isinstance(m["content"], list)
            for p in m["content"] if p.get("type") == "image_url"]


def test_downscale_keeps_aspect_and_never_enlarges():
    """2560x1440 -> 1024x576; a 300x200 crop stays as it is."""
    assert downscale(_screen(), 1024).shape == (576, 1024, 3)
    small = np.zeros((200, 300, 3), np.uint8)
    assert downscale(small, 1024) is small


def test_image_part_is_sent_once_downscaled_and_then_forgotten(fake_server):
    """The user turn goes out as text + image_url parts; the next request carries no image."""
    url, bodies = fake_server
    chat = OpenAIChatSession(url, "vision-model", accepts_images=True)
    chat.add_user("What is on my screen?", images=(image_data_url(_screen()),))
    assert "".join(chat.stream_reply()).strip() == ANSWER
    parts = bodies[0]["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "What is on my screen?"}
    image = _decode(parts[1]["image_url"]["url"])
    assert image.shape == (576, 1024, 3)
    assert len(parts[1]["image_url"]["url"]) < 400_000
    chat.add_user("And now?")
    list(chat.stream_reply())
    assert _images(bodies[1]) == [] and "[1 screenshot shown]" in bodies[1]["messages"][1]["content"]
    chat.close()


def test_no_image_leaves_when_the_model_does_not_take_images(fake_server):
    """accepts_images off: only the text is sent, whatever the caller passed."""
    url, bodies = fake_server
    chat = OpenAIChatSession(url, "text-model")
    chat.add_user("What is on my screen?", images=(image_data_url(_screen()),))
    list(chat.stream_reply())
    assert bodies[0]["messages"][-1]["content"] == "What is on my screen?"
    assert "image_url" not in json.dumps(bodies[0]) and "base64" not in json.dumps(bodies[0])
    chat.close()


class InlineExecutor:
    """Runs each job at once and keeps what it yields (the runner's executor, minus threads)."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.names: list[str] = []

    def submit(self, job, now_ms: int, name: str = "job") -> CancelToken:
        token = CancelToken()
        self.names.append(name)
        self.items.extend(job(token))
        return token


class Engine:
    def __init__(self, llm: Any) -> None:
        self.llm, self.tts = llm, FakeTts(samples=160)

    def speak(self, kind: str, text: str):
        yield Announcement(kind, text, self.tts.synthesize(text))


class Observer:
    """The runner's screen part with an inline executor and a fixed frame."""

    def __init__(self, llm: Any, frame: ScreenFrame) -> None:
        watcher = ScreenWatcher(InlineReader(
            lambda _px: [("All tests passed", (200, 340, 900, 420)), ("password: hunter2", (200, 600, 900, 650))],
            instant=True))
        self.executor, self.engine, self.events = InlineExecutor(), Engine(llm), []
        self.clock = TickClock()
        self._frame = frame
        self.part = ScreenWork(self, watcher, ReplySlot(), self.executor, self.engine,
                               Emitter(self.clock, lambda ev: self.events.append((ev.type, ev.fields))),
                               lambda *a, **k: None)

    def latest(self, now_ms: int) -> ScreenFrame:
        return self._frame

    def observe(self) -> list[Any]:
        self.part.observe_screen()
        for tick in range(0, 3):
            self.clock.tick = tick
            self.part.tick()
        return self.executor.items


def _settings(url: str, images: bool) -> Settings:
    return Settings.defaults().replace({"fg_backend": "server", "fg_server_url": url, "fg_server_model": "vision",
                                        "fg_server_images": images})


def test_push_to_observe_asks_a_vision_model_with_screenshot_and_redacted_text(fake_server):
    """Setting on: one request with the OCR text (redacted, fenced, active title) and a 1024 px image;
    the model's answer is what is spoken."""
    url, bodies = fake_server
    llm = open_with_fallback(backend_spec(_settings(url, True), "fg"))
    frame = ScreenFrame(0, _screen(), 1, (WindowInfo("Build log", (0, 0, 2560, 1440), active=True),))
    said = Observer(llm, frame).observe()
    assert [a.text for a in said if isinstance(a, Announcement)] == [ANSWER]
    assert len(bodies) == 1
    text, image = bodies[0]["messages"][-1]["content"]
    assert "All tests passed" in text["text"] and "Active window: Build log" in text["text"]
    assert "hunter2" not in json.dumps(bodies[0]) and "untrusted" in text["text"]
    assert max(_decode(image["image_url"]["url"]).shape[:2]) == VisionSettings().max_side_px


def test_push_to_observe_without_the_setting_sends_nothing_and_speaks_the_local_summary(fake_server):
    """Setting off: no request reaches the server; the summary is made from the OCR text."""
    url, bodies = fake_server
    llm = open_with_fallback(backend_spec(_settings(url, False), "fg"))
    said = Observer(llm, ScreenFrame(0, _screen(), 1)).observe()
    assert bodies == []
    spoken = [a.text for a in said if isinstance(a, Announcement)]
    assert len(spoken) == 1 and "All tests passed" in spoken[0] and "hunter2" not in spoken[0]
