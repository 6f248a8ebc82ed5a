"""A deep task's progress panel through the real runner: shown at once, updated in place and throttled
while the model writes, final text and Dismiss at the end; its Cancel button cancels that task."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from fakes import FakeSilentVad, FakeTts
from fakes_background import FakeForegroundSession, FakeSlowChatSession

from presence.core.events import Panel as PanelEvent
from presence.core.panel_fence import PanelOutput
from presence.core.panels import parse_panel, parse_update
from presence.core.task_panels import TaskPanels, panel_item, task_id_of_panel
from presence.core.types import ReplyChunk, ReplyDone
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.background import VirtualTimeBackgroundWorker
from presence.runtime.desk import BackgroundDesk, DeliveryPolicy
from presence.runtime.engine import ReplyEngine
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner

LONG_PLAN = " ".join(f"Step {i}: do thing number {i}." for i in range(1, 13))
PANEL_BLOCK = '```panel\n{"id": "plan-table", "root": {"type": "list", "items": ["a", "b"]}}\n```'


def make_runner(reply: str = LONG_PLAN, piece_delay_s: float = 0.01, seconds: float = 30.0):
    events: list = []
    engine = ReplyEngine(asr=None, llm=FakeForegroundSession(), tts=FakeTts())
    worker = VirtualTimeBackgroundWorker(FakeSlowChatSession(reply, piece_delay_s=piece_delay_s),
                                         progress_interval_s=0.0)
    desk = BackgroundDesk(worker, DeliveryPolicy("silent"))
    runner = Runner(WavMicrophone(np.zeros(int(seconds * 16000), np.float32)), RecordingSpeaker(), FakeSilentVad(),
                    engine, VirtualTimeExecutor(), events.append, desk=desk)
    return runner, events


def panel_events(events, panel_id: str = "task-1") -> list:
    return [e for e in events if e.type.startswith("panel") and
            (e.fields.get("panel_id") == panel_id or (e.fields.get("panel") or {}).get("id") == panel_id)]


def test_deep_task_shows_a_panel_updates_it_in_place_and_ends_with_the_result():
    """panel first, then throttled panel_updates of single nodes, then the final text and a Dismiss button."""
    runner, events = make_runner(piece_delay_s=0.03)
    runner.submit_text("Write a plan for my week")
    runner.run()
    mine = panel_events(events)
    assert mine[0].type == "panel" and all(e.type == "panel_update" for e in mine[1:])
    panel = parse_panel(mine[0].fields["panel"])  # what the window will draw: a valid panel
    assert panel.id == "task-1" and panel.title.startswith("Plan: ")
    buttons = [e for e in mine if e.fields.get("node_id") == "action"]
    for e in mine[1:]:  # every update applies in place to the panel as shown
        panel, _ = parse_update(panel, e.fields["node_id"], e.fields["changes"])
    texts = [e.fields["changes"]["text"] for e in mine if e.fields.get("node_id") == "result"]
    progress = [e for e in events if e.type == "task_progress"]
    result = next(e for e in events if e.type == "task_result")
    assert 2 <= len(texts) < len(progress)  # streamed into the panel, but not every token
    assert texts[-1] == result.fields["text"] and all(len(a) < len(b) for a, b in pairwise(texts))
    assert buttons[-1].fields["changes"] == {"label": "Dismiss", "action": "dismiss"}
    final = {e.fields["node_id"]: e.fields["changes"] for e in mine if e.t_ms == buttons[-1].t_ms}
    assert final["progress"]["value"] == 100
    assert max(e.t_ms for e in mine) == result.t_ms  # nothing after the final state


def test_cancel_button_of_a_task_panel_cancels_that_task_and_closes_its_panel():
    """panel_action(task-1, cancel_task) cancels the task at the next tick; the panel closes; no result."""
    runner, events = make_runner(piece_delay_s=0.05)
    runner.submit_text("Write a plan for my week")
    runner.run(max_ticks=8)
    assert any(e.type == "task_started" for e in events) and runner.desk.busy
    runner.panel_action("task-1", "cancel_task")
    runner.run(max_ticks=60)
    assert not runner.desk.busy
    assert [e.fields["cancelled"] for e in events if e.type == "tool_call" and e.fields["tool"] == "cancel_task"] \
        == [[1]]
    assert panel_events(events)[-1].type == "panel_close"
    assert [(e.fields["kind"], e.fields["id"], e.fields["cancelled"]) for e in events
            if e.type == "item_cancelled"] == [("task", "1", 1)]
    assert not any(e.type in ("task_result", "task_delivered") for e in events)


def test_dismissing_a_task_panel_closes_it_and_the_task_goes_on_without_updates():
    """dismiss closes the panel and stops its updates; the task still finishes."""
    runner, events = make_runner(piece_delay_s=0.03)
    runner.submit_text("Write a plan for my week")
    runner.run(max_ticks=8)
    runner.panel_action("task-1", "dismiss")
    runner.run()
    closed = next(e for e in events if e.type == "panel_close")
    assert closed.fields["panel_id"] == "task-1"
    assert not [e for e in panel_events(events) if e.t_ms > closed.t_ms]
    assert any(e.type == "task_result" for e in events)


def test_a_panel_the_background_model_writes_is_shown_and_never_spoken():
    """A ```panel block in a task's result becomes a panel event; the spoken result has none of it."""
    runner, events = make_runner(reply=f"Here is your list. {PANEL_BLOCK} Enjoy.", piece_delay_s=0.0)
    runner.submit_text("Write a plan for my week")
    runner.run()
    shown = [e for e in events if e.type == "panel" and e.fields["panel"]["id"] == "plan-table"]
    assert len(shown) == 1 and shown[0].fields["panel"]["root"]["items"] == ["a", "b"]
    result = next(e for e in events if e.type == "task_result")
    assert " ".join(result.fields["text"].split()) == "Here is your list. Enjoy."
    progress = " ".join(e.fields["text"] for e in events if e.type == "task_progress")
    assert "{" not in progress and "`" not in progress


def test_a_broken_panel_from_the_background_model_is_a_visible_error():
    """Invalid panel JSON is refused with a panel_error event; the result is still delivered."""
    runner, events = make_runner(reply='Done. ```panel\n{"id": "x", "root": {"type": "iframe"}}\n```',
                                 piece_delay_s=0.0)
    runner.submit_text("Write a plan for my week")
    runner.run()
    errors = [e for e in events if e.type == "panel_error"]
    assert len(errors) == 1 and "unknown node type" in errors[0].fields["message"]
    assert next(e for e in events if e.type == "task_result").fields["text"] == "Done."


class FakePanelEngine:
    """A foreground engine whose reply carries a panel (as ReplyEngine yields it) and one sentence."""

    def reply_to_text(self, rid, text, token):
        yield ReplyChunk(rid, "Here it is.", np.zeros(1600, np.float32))
        yield PanelOutput(rid, (PanelEvent(panel={"id": "p", "root": {"type": "divider"}}),))
        yield ReplyDone(rid)

    def discard_reply(self, rid):
        pass


def test_runner_emits_the_panels_of_the_current_reply():
    """A PanelOutput from the engine becomes the runner's panel event, alongside the spoken reply."""
    events: list = []
    runner = Runner(WavMicrophone(np.zeros(16000 * 2, np.float32)), RecordingSpeaker(), FakeSilentVad(),
                    FakePanelEngine(), VirtualTimeExecutor(), events.append)
    runner.submit_text("show me")
    runner.run()
    assert [e.fields["panel"]["id"] for e in events if e.type == "panel"] == ["p"]
    assert [e.fields["text"] for e in events if e.type == "assistant_text"] == ["Here it is."]


def test_task_panel_updates_are_throttled_and_skip_unchanged_text():
    """At most one round of updates per min_update_ms, none when the text did not change."""
    panels = TaskPanels(min_update_ms=500)
    panels.submitted(1, "plan", "a plan")
    assert panels.progress(1, "One", 1000)
    assert panels.progress(1, "One two", 1200) == []  # too soon after the last update
    assert [e.node_id for e in panels.progress(1, "One two", 1600)] == ["result", "progress"]
    assert panels.progress(1, "One two", 2400) == []  # nothing new to show
    assert panels.progress(1, "One two three", 2500)
    assert panels.progress(2, "unknown task", 5000) == []


def test_panel_ids_name_the_item_a_button_cancels():
    """task-3 is task 3, timer-2 that timer, watch-tea that watch; another panel means all of the kind."""
    assert task_id_of_panel("task-3") == 3 and task_id_of_panel("task-x") is None
    assert panel_item("task-3", "cancel_task") == ("task", "3")
    assert panel_item("weather", "cancel_task") == ("task", "")
    assert panel_item("timer-2", "cancel_timer") == ("timer", "timer-2")
    assert panel_item("watch-tea", "stop_watch") == ("watch", "tea")
    assert panel_item("task-3", "copy_text") is None


def test_cancel_timer_button_on_a_timer_panel_cancels_that_timer_only():
    """panel_action(timer-N, cancel_timer) reuses cancel_item: that timer goes, the other stays."""
    runner, events = make_runner(seconds=1.0)
    first = runner.time.add_timer(60_000, "One minute.", np.zeros(10, np.float32))
    second = runner.time.add_timer(90_000, "Ninety seconds.", np.zeros(10, np.float32))
    runner.panel_action(first.timer_id, "cancel_timer")
    runner.run()
    assert [t.timer_id for t in runner.time.timers] == [second.timer_id]
    assert [(e.fields["kind"], e.fields["id"]) for e in events if e.type == "item_cancelled"] == \
        [("timer", first.timer_id)]


def test_cancelling_a_task_whose_result_is_being_spoken_stops_the_speech():
    """Cancel on the task while its result is read out: the voice stops at that tick and says no more."""
    events: list = []
    engine = ReplyEngine(asr=None, llm=FakeForegroundSession(), tts=FakeTts(level=0.2))
    worker = VirtualTimeBackgroundWorker(FakeSlowChatSession(LONG_PLAN, piece_delay_s=0.0), progress_interval_s=0.0)
    speaker = RecordingSpeaker()
    runner = Runner(WavMicrophone(np.zeros(30 * 16000, np.float32)), speaker, FakeSilentVad(), engine,
                    VirtualTimeExecutor(), events.append, desk=BackgroundDesk(worker, DeliveryPolicy("when_idle")))
    runner.submit_text("Write a plan for my week")
    while not any(e.type == "task_delivered" for e in events):
        runner.run(max_ticks=runner.tick + 1)
    runner.run(max_ticks=runner.tick + 5)  # the result is being read out
    runner.cancel_item("task", "1")
    runner.run(max_ticks=runner.tick + 1)
    stopped = next(e for e in events if e.type == "delivery_stopped")
    runner.run(max_ticks=runner.tick + 20)
    out = speaker.audio()
    tick_out = stopped.t_ms * 16 - 3200  # where the stopping tick's own output starts
    assert np.abs(out[tick_out - 3200:tick_out]).max() > 0.1  # it was talking
    assert np.abs(out[tick_out:]).max() == 0.0
