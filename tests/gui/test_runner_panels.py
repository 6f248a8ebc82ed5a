"""Panels the runner emits, drawn by the real window: a deep task's progress panel (updated in place,
Cancel reaching the controller, Dismiss at the end), a panel the model wrote, and a refused one."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeSilentVad
from fakes_for_gui import needs_display

from presence.core.events import Panel as PanelEvent
from presence.core.events import PanelError as PanelErrorEvent
from presence.core.panel_fence import PanelOutput
from presence.core.tools import DeepTask
from presence.core.types import TICK_SAMPLES, Event, IntentAccepted, ReplyChunk, ReplyDone
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.background import VirtualTimeBackgroundWorker
from presence.runtime.desk import BackgroundDesk, DeliveryPolicy
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner

pytestmark = [pytest.mark.gui, needs_display]

PLAN = " ".join(f"Day {i}: rest and read." for i in range(1, 8))


class FakeWordChat:
    """The background model: streams a scripted answer word by word, a little slowly."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    def reset(self) -> None:
        pass

    def add_user(self, text: str) -> None:
        pass

    def stream_reply(self, max_tokens=120, should_stop=lambda: False, **kwargs):
        import time

        for i, word in enumerate(self.reply.split(" ")):
            if should_stop():
                return
            time.sleep(0.02)
            yield word if i == 0 else " " + word


class FakeTaskEngine:
    """The foreground: acknowledges, hands the request to the background and shows a panel of its own."""

    def reply_to_text(self, rid, text, token):
        yield ReplyChunk(rid, "Let me work that out.", np.zeros(TICK_SAMPLES, np.float32), final=True)
        yield IntentAccepted(rid, DeepTask("plan", text), "", None)
        yield PanelOutput(rid, (PanelEvent(panel={"id": "note", "title": "Note", "root": {
            "type": "text", "id": "t", "text": "Working on your week."}}),
                                PanelErrorEvent(message="unknown node type 'iframe' at root")))
        yield ReplyDone(rid)

    def discard_reply(self, rid):
        pass


@pytest.fixture
def runner_events() -> list[Event]:
    events: list[Event] = []
    desk = BackgroundDesk(VirtualTimeBackgroundWorker(FakeWordChat(PLAN), progress_interval_s=0.0),
                          DeliveryPolicy("silent"))
    runner = Runner(WavMicrophone(np.zeros(16000 * 20, np.float32)), RecordingSpeaker(), FakeSilentVad(),
                    FakeTaskEngine(), VirtualTimeExecutor(), events.append, desk=desk)
    runner.submit_text("Write a plan for my week")
    runner.run()
    runner.close_workers()
    return events


def test_runner_task_panel_renders_updates_in_place_and_its_cancel_reaches_the_controller(controlled,
                                                                                           runner_events):
    """While the task writes, the panel shows the text so far and a Cancel button that asks the runner."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window, controller = controlled
    first_text = next(i for i, e in enumerate(runner_events) if e.type == "panel_update"
                      and e.fields["node_id"] == "result")
    for event in runner_events[:first_text + 1]:
        window.handle_event(event)
    view = window.panels.views["task-1"]
    assert view.title_label.text().startswith("Plan: Write a plan")
    result_label, button = view.widgets["result"], view.widgets["action"]
    partial = runner_events[first_text].fields["changes"]["text"]
    assert result_label.text() == partial and partial and button.text() == "Cancel"
    for event in runner_events[first_text + 1:first_text + 4]:
        window.handle_event(event)
    assert view.widgets["result"] is result_label  # updated in place, not rebuilt
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert controller.of("panel_action") == [("task-1", "cancel_task")]


def test_runner_panels_end_in_the_final_state_with_the_models_panel_and_error_shown(controlled, runner_events):
    """All events: the task panel ends with the result and Dismiss; the model's panel is drawn; the
    refused one is the window's error line."""
    window, _ = controlled
    for event in runner_events:
        window.handle_event(event)
    result = next(e for e in runner_events if e.type == "task_result")
    task = window.panels.views["task-1"]
    assert task.widgets["result"].text() == result.fields["text"]
    assert task.widgets["action"].text() == "Dismiss" and task.widgets["action"].node.action == "dismiss"
    assert task.widgets["progress"].bar.value() == 1000
    assert window.panels.views["note"].widgets["t"].text() == "Working on your week."
    assert window.error_label.isVisible() and "iframe" in window.error_label.text()
