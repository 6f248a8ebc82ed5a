"""Conversation history in the app: the previous conversation's end shown greyed in the window and
handed to the model at start, this one recorded as it happens, and the settings switch obeyed."""

from __future__ import annotations

import pytest
from fakes_for_gui import NullSpeaker, SilentMic, fake_models, needs_display
from helpers import EventSink, wait_for

from presence.core import events
from presence.history import HistoryRecorder, HistoryStore, default_path
from presence.runtime.build import Models
from presence.runtime.session import Session
from presence.settings.schema import Settings


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESENCE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _earlier_conversation() -> None:
    recorder = HistoryRecorder()
    for ev in (events.UserText(t_ms=200, text="my cat is called Tom", typed=True),
               events.AssistantText(t_ms=600, text="Tom is a fine name.", reply_id=1)):
        recorder(ev)
    assert recorder.flush()
    recorder.close()


def test_open_history_gives_the_window_rows_and_the_model_its_recall(data):
    from presence.gui.app import open_history

    _earlier_conversation()
    recorder, rows, recalled = open_history(Settings.defaults())
    assert recorder.enabled
    assert [r.split("] ", 1)[1] for r in rows] == ["You: my cat is called Tom", "Presence: Tom is a fine name."]
    assert recalled == [("user", "my cat is called Tom"), ("assistant", "Tom is a fine name.")]
    off, rows, recalled = open_history(Settings.defaults().replace({"keep_history": False}))
    assert not off.enabled and rows == [] and recalled == []


def test_the_session_reminds_the_model_of_the_recalled_turns_before_the_first_reply():
    class Llm:
        def __init__(self) -> None:
            self.history: list[tuple[str, str]] = []

        def add_user(self, text: str) -> None:
            self.history.append(("user", text))

        def add_assistant(self, text: str) -> None:
            self.history.append(("assistant", text))

    models = fake_models()
    models.engine.llm = Llm()  # type: ignore[attr-defined]
    recalled = [("user", "my cat is called Tom"), ("assistant", "Tom is a fine name.")]
    sink = EventSink()
    session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=lambda: Models(models.vad, models.engine),
                      recall=recalled)
    session.start()
    try:
        assert wait_for(lambda: models.engine.llm.history == recalled)  # type: ignore[attr-defined]
    finally:
        session.stop()


@pytest.mark.gui
@needs_display
def test_the_window_shows_the_last_conversation_and_records_this_one(qtbot, data, private_config):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from presence.gui.app import open_history, run_window
    from presence.gui.window import MainWindow
    from presence.settings.store import SettingsStore

    _earlier_conversation()
    store = SettingsStore(private_config)
    store.save(Settings.defaults().replace({"first_run_done": True, "close_to_tray": False}))
    recorder, rows, _ = open_history(store.load().settings)
    shown: list[str] = []

    def look():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        shown.extend(window.transcript_lines())

    def make(sink):
        session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models)
        session.submit_text("hello again")
        return session

    QTimer.singleShot(1000, look)
    rc = run_window(make, seconds=1.5, store=store, use_tray=False, use_hotkeys=False, history=recorder,
                    restored=rows)
    assert rc == 0
    assert shown[0].endswith("You: my cat is called Tom") and "earlier conversation" in shown[2]
    assert recorder.flush()
    recorder.close()
    with HistoryStore(default_path()) as history:
        latest = history.conversations()[0]
        said = [(ln.kind, ln.text) for ln in history.lines(latest.id)]
    assert ("user", "hello again") in said and ("assistant", "You said hello again.") in said


@pytest.mark.gui
@needs_display
def test_switching_history_off_in_settings_stops_recording_at_once(make_shell, data):
    shell, _ = make_shell()
    recorder = HistoryRecorder()
    shell.history = recorder
    shell.save(shell.settings.replace({"keep_history": False}))
    assert not recorder.enabled
    shell.save(shell.settings.replace({"keep_history": True}))
    assert recorder.enabled
