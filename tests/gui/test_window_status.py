"""The window's status line and side area: state and level, screen capture, push-to-observe,
timers/watches/tasks with Cancel, live partial captions, light/dark palettes, close-to-tray."""

from __future__ import annotations

import pytest
from fakes_for_gui import needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


@pytest.fixture
def ui(controlled):
    return controlled


def test_level_meter_follows_rms_on_a_db_scale(ui):
    from presence.gui.indicators import rms_to_percent

    window, _ = ui
    assert rms_to_percent(1.0) == 100 and rms_to_percent(0.001) == 0 and rms_to_percent(0.0) == 0
    assert rms_to_percent(0.1) == 67  # -20 dBFS
    assert rms_to_percent(float("nan")) == 0 and rms_to_percent(-1) == 0
    window.handle_event(events.Level(t_ms=200, rms=0.1))
    assert window.level_meter.value() == 67
    window.handle_event(events.Level(t_ms=400, rms="garbage"))
    assert window.level_meter.value() == 0


def test_state_indicator_has_a_colour_per_state(ui):
    window, _ = ui
    colours = {}
    for state in ("listening", "hearing", "thinking", "speaking", "observing", "muted"):
        window.handle_event(events.State(t_ms=200, state=state))
        assert window.state_label.text() == state
        colours[state] = window.state_indicator.dot.colour().name()
    assert len(set(colours.values())) == len(colours)


def test_screen_capture_indicator(ui):
    window, _ = ui
    assert window.capture_indicator.status == "off" and "off" in window.capture_indicator.text()
    window.handle_event(events.ScreenCapture(t_ms=200, enabled=True))
    assert window.capture_indicator.status == "on"
    window.handle_event(events.ScreenCapture(t_ms=400, paused=True))
    assert window.capture_indicator.status == "paused" and "paused" in window.capture_indicator.text()


def test_push_to_observe_from_button_and_shortcut(ui, qtbot):
    from PySide6.QtCore import Qt

    window, controller = ui
    qtbot.mouseClick(window.observe_button, Qt.MouseButton.LeftButton)
    assert controller.of("observe_now") == [()]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.input, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert controller.of("observe_now") == [(), ()]
    window.set_observe_keys("Ctrl+Shift+L")
    qtbot.keyClick(window.input, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(controller.of("observe_now")) == 3


def test_timers_watches_and_tasks_with_cancel(ui, qtbot):
    from PySide6.QtCore import Qt

    window, controller = ui
    assert not window.side.isVisible()
    window.handle_event(events.ToolCall(t_ms=10_000, tool="timer", seconds=300, due_ms=310_000, id="t1"))
    window.handle_event(events.ToolCall(t_ms=10_000, tool="timer", seconds=5, due_ms=15_000))  # no id yet
    window.handle_event(events.ToolCall(t_ms=10_200, tool="cue_watch", word="coffee", repeat=False))
    window.handle_event(events.ToolCall(t_ms=10_400, tool="cue_watch", word="deadline", repeat=True))
    window.handle_event(events.Task(t_ms=10_600, task_id="k1", title="Summarising", progress=0.25))
    assert window.side.isVisible() and window.activity_box.isVisible()
    window.activity.set_now(70_000)
    lines = window.activity.lines()
    assert lines[0] == "Timer 5:00 — 4:00 left"
    assert 'Listening for "coffee"' in lines and 'Listening for "deadline" (every time)' in lines
    assert "Summarising — 25%" in lines
    window.handle_event(events.TimerDue(t_ms=15_000, text="Time is up", due_ms=15_000))
    assert window.activity.get("timer", "due-15000") is None
    window.handle_event(events.CueHeard(t_ms=16_000, word="coffee", text="You said coffee"))
    window.handle_event(events.CueHeard(t_ms=16_200, word="deadline", text="Deadline!"))
    assert window.activity.get("watch", "coffee") is None  # one-shot watch is over
    assert window.activity.get("watch", "deadline") is not None  # repeating one keeps going
    window.handle_event(events.Task(t_ms=16_400, task_id="k1", title="Summarising", progress=0.8))
    assert "Summarising — 80%" in window.activity.lines()
    window.handle_event(events.Task(t_ms=16_600, task_id="k1", status="done"))
    assert window.activity.get("task", "k1") is None

    item = window.activity.get("timer", "t1")
    qtbot.mouseClick(item.button, Qt.MouseButton.LeftButton)
    assert controller.of("cancel_item") == [("timer", "t1")]
    qtbot.mouseClick(window.activity.get("watch", "deadline").button, Qt.MouseButton.LeftButton)
    assert controller.of("cancel_item")[-1] == ("watch", "deadline")
    assert window.activity.items == {}
    assert not window.side.isVisible()


def test_timers_by_id_change_and_end(ui):
    """A timer set again under its id (changed by voice) is refreshed; its timer_due (with that id) removes it;
    cancelling one of several removes that one only."""
    window, _ = ui
    window.handle_event(events.ToolCall(t_ms=1000, tool="timer", seconds=600, due_ms=601_000, id="timer-1"))
    window.handle_event(events.ToolCall(t_ms=1000, tool="timer", seconds=60, due_ms=61_000, id="timer-2"))
    window.handle_event(events.ToolCall(t_ms=2000, tool="timer", seconds=30, due_ms=32_000, id="timer-1",
                                        changed=True))
    assert window.activity.get("timer", "timer-1").due_ms == 32_000
    window.handle_event(events.TimerDue(t_ms=32_000, text="Thirty seconds have passed.", due_ms=32_000, id="timer-1"))
    assert window.activity.get("timer", "timer-1") is None and window.activity.get("timer", "timer-2") is not None
    window.handle_event(events.ItemCancelled(t_ms=33_000, kind="timer", id="timer-2", cancelled=1))
    assert window.activity.items == {}


def test_cancel_timers_by_voice_clears_all_timers(ui):
    window, _ = ui
    for due in (20_000, 30_000):
        window.handle_event(events.ToolCall(t_ms=1000, tool="timer", seconds=due / 1000, due_ms=due))
    window.handle_event(events.ToolCall(t_ms=2000, tool="cancel_timers", cancelled=2))
    assert window.activity.items == {}


def test_partial_transcript_is_a_live_caption(ui):
    window, _ = ui
    window.handle_event(events.UserPartialText(t_ms=1000, text="what is the"))
    assert window.caption_label.text() == "You: what is the…"
    window.handle_event(events.UserText(t_ms=1600, text="what is the time"))
    assert window.caption_label.text() == "You: what is the time"
    assert window.transcript_lines() == ["[00:01] You: what is the time"]  # partials never enter the transcript


def test_notice_goes_to_the_status_bar(ui):
    window, _ = ui
    window.handle_event(events.Notice(t_ms=0, message="push-to-observe is\nnot available yet"))
    assert window.statusBar().currentMessage() == "push-to-observe is not available yet"


def test_colours_follow_light_and_dark_palettes(ui, qtbot):
    from PySide6.QtGui import QColor, QPalette

    window, _ = ui
    window.handle_event(events.State(t_ms=200, state="listening"))
    light_error = window.error_label.styleSheet()
    light_dot = window.state_indicator.dot.colour().name()
    dark = QPalette(window.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    window.setPalette(dark)
    qtbot.waitUntil(lambda: window.error_label.styleSheet() != light_error, timeout=2000)
    assert window.state_indicator.dot.colour().name() != light_dot
    from presence.gui.theme import is_dark

    assert is_dark(window.palette()) and not is_dark(QPalette(QColor("white")))


def test_close_to_tray_hides_instead_of_closing(ui, qtbot):
    window, _ = ui
    window.hide_on_close = True
    window.close()
    assert not window.isVisible()
    window.show()
    window.hide_on_close = False
    assert window.close()


def test_capture_indicator_trusts_what_the_runner_reports(ui):
    window, _ = ui
    window.handle_event(events.ScreenCapture(t_ms=200, enabled=True))
    window.handle_event(events.ScreenCapture(t_ms=400, on=False))
    assert window.capture_indicator.status == "ready"
    window.handle_event(events.ScreenCapture(t_ms=600, on=True))
    assert window.capture_indicator.status == "on"
    window.capture_indicator.set_enabled(False)  # the runner still captures: the indicator says so
    assert window.capture_indicator.status == "on"


def test_background_tasks_and_screen_watches_from_runner_events(ui, qtbot):
    from PySide6.QtCore import Qt

    window, controller = ui
    window.handle_event(events.ToolCall(t_ms=1000, tool="deep_task", task_id=7, kind="research",
                                        request="compare   the three   trains " * 5))
    item = window.activity.get("task", "7")
    assert item is not None and item.label.text().startswith("Research: compare the three trains")
    assert item.label.text().endswith("…")
    window.handle_event(events.TaskStarted(t_ms=1200, task_id=7, kind="research"))
    assert window.activity.get("task", "7").title.startswith("Research:")  # not replaced
    window.handle_event(events.TaskProgress(t_ms=1400, task_id=7, chars=1234, text="..."))
    assert window.activity.get("task", "7").label.text().endswith("— 1,234 characters so far")
    window.handle_event(events.TaskResult(t_ms=1600, task_id=7, kind="research", text="done", elapsed_s=0.4))
    assert window.activity.get("task", "7") is None
    for task_id in (8, 9):
        window.handle_event(events.ToolCall(t_ms=1800, tool="deep_task", task_id=task_id, kind="summary", request="x"))
    window.handle_event(events.ToolCall(t_ms=2000, tool="cancel_task", cancelled=[8]))
    assert window.activity.get("task", "8") is None and window.activity.get("task", "9") is not None
    window.handle_event(events.TaskFailed(t_ms=2200, task_id=9, message="boom"))
    assert window.activity.items == {}

    window.handle_event(events.ToolCall(t_ms=2400, tool="screen_watch", watch_id=3, kinds=["error"],
                                        subject="the build to finish"))
    item = window.activity.get("screen_watch", "3")
    assert item.label.text() == "Watching the screen for the build to finish"
    qtbot.mouseClick(item.button, Qt.MouseButton.LeftButton)
    assert controller.of("cancel_item") == [("screen_watch", "3")]
    window.handle_event(events.ToolCall(t_ms=2600, tool="screen_watch", watch_id=4, kinds=["text"]))
    window.handle_event(events.ToolCall(t_ms=2800, tool="screen_watch_stop", stopped=1))
    assert window.activity.items == {}
    window.handle_event(events.ToolCall(t_ms=3000, tool="calculate", task_id=9, arguments={}))
    assert window.activity.items == {}  # a model's own tool call inside a task is not an activity
