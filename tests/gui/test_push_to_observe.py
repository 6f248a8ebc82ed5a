"""Push-to-observe end to end under Xvfb: a window shows known text, the global hotkey is pressed
with xdotool, the real mss capture and OCR read it, and the assistant's reply mentions it."""

import os
import shutil
import subprocess
import threading
import time

import numpy as np
import pytest

# Skipped by a mark, not in a fixture: the session-scoped fixtures (pytest-qt's qapp, models) are set up
# before any function-scoped one, and a QApplication on the xcb platform without a display aborts Python.
pytestmark = [pytest.mark.slow, pytest.mark.gui,
              pytest.mark.skipif(not os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen",
                                 reason="needs a real X display (Xvfb): DISPLAY is not set")]


@pytest.fixture
def x_display():
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is not installed")
    pytest.importorskip("pynput")


def test_hotkey_reads_the_screen_and_the_reply_mentions_it(x_display, qtbot, models):
    """Ctrl+Alt+O -> capture -> OCR -> a spoken summary that quotes the window's text."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QLabel

    from presence.devices.fakes import RecordingSpeaker, WavMicrophone
    from presence.devices.screen_mss import MssScreen
    from presence.gui.hotkeys import GlobalHotkeys
    from presence.runtime.build import build_app
    from presence.runtime.executor import ThreadExecutor
    from presence.screen.windows import exclude_windows

    label = QLabel("Invoice 4711 is overdue")
    label.setFont(QFont("DejaVu Sans", 40))
    label.setStyleSheet("background: white; color: black; padding: 40px")
    label.move(0, 0)
    label.show()
    qtbot.waitExposed(label)

    events = []
    executor = ThreadExecutor()
    runner = build_app(models, WavMicrophone(np.zeros(16000 * 40, np.float32), realtime=True), RecordingSpeaker(),
                       executor, events.append, screen=MssScreen(frame_filter=exclude_windows), background=False)
    hotkeys = GlobalHotkeys({"observe": runner.observe_now})
    problem = hotkeys.start({"observe": "ctrl+alt+o"})
    assert problem is None, problem
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        time.sleep(1.0)
        subprocess.run(["xdotool", "key", "ctrl+alt+o"], check=True, timeout=10)
        qtbot.waitUntil(lambda: any(e.type == "assistant_text" and "4711" in e.fields["text"] for e in events),
                        timeout=30_000)
    finally:
        runner.stop()
        thread.join(timeout=10)
        hotkeys.stop()
        executor.close()
        runner.close_workers()
    read = next(e for e in events if e.type == "screen_read")
    assert "overdue" in read.fields["text"].lower()
    assert any(e.type == "observe_requested" for e in events)
