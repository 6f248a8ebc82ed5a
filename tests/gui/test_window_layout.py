"""Room to live: the window's size and place, transcript and panels side by side, nothing clipped at
1280x800, tick timings only in the developer view. Geometry is checked on the laid-out widgets, and
the screenshot is kept in test-artifacts/."""

from __future__ import annotations

import json

import pytest
from fakes_for_gui import needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


def settle(qtbot, app) -> None:
    for _ in range(4):
        app.processEvents()
        qtbot.wait(30)


def fully_inside(widget, container) -> bool:
    """Whether all of `widget` lies within `container`'s visible rectangle."""
    from PySide6.QtCore import QPoint, QRect

    return container.rect().contains(QRect(widget.mapTo(container, QPoint(0, 0)), widget.size()))


@pytest.fixture
def sample_window(qtbot):
    from PySide6.QtWidgets import QApplication

    from presence.gui.screenshots import SAMPLE_EVENTS, sample_region_image
    from presence.gui.window import MainWindow

    window = MainWindow(region_image=sample_region_image)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for event in SAMPLE_EVENTS:
        window.handle_event(event)
    settle(qtbot, QApplication.instance())
    return window


def test_opens_large_enough_for_transcript_and_panels(qtbot):
    from PySide6.QtGui import QGuiApplication

    from presence.gui.window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert window.width() >= min(1000, free.width()) and window.height() >= min(700, free.height())


def test_nothing_is_clipped_at_1280x800(sample_window, qtbot, artifacts):
    from PySide6.QtWidgets import QApplication, QPushButton

    window = sample_window
    app = QApplication.instance()
    for i in range(30):  # enough turns to scroll, some long enough to wrap
        window.handle_event(events.UserText(t_ms=20_000 + i * 2000, text=f"Question {i}?", reply_id=10 + i))
        window.handle_event(events.AssistantText(t_ms=21_000 + i * 2000, reply_id=10 + i,
                                                 text="A long answer that wraps onto a second row. " * (i % 4 + 1)))
    window.resize(1280, 800)
    settle(qtbot, app)
    window.grab().save(str(artifacts / "window_1280x800.png"))

    # transcript and panels side by side, the transcript keeping the larger part
    transcript_w, side_w = window.splitter.sizes()
    assert window.side.isVisible() and transcript_w > side_w > 0
    # every panel and activity button whole, without scrolling sideways
    side, viewport = window.side, window.side.viewport()
    assert not side.horizontalScrollBar().isVisible()
    buttons = [*window.panels.findChildren(QPushButton), *window.activity.findChildren(QPushButton)]
    assert {b.text() for b in buttons} >= {"Copy reference", "Stop", "Dismiss", "Cancel"}
    for button in buttons:
        side.ensureWidgetVisible(button)
        settle(qtbot, app)
        assert fully_inside(button, viewport), button.text()
    # the last transcript line fully in view, not half hidden under the edge
    transcript = window.transcript
    last = transcript.visualItemRect(transcript.item(transcript.count() - 1))
    assert transcript.viewport().rect().contains(last), (last, transcript.viewport().rect())
    # the top line's buttons and the input row fit in the window
    for widget in (window.mute_box, window.observe_button, window.settings_button, window.input, window.send_button):
        assert fully_inside(widget, window), widget.accessibleName() or widget.text()


def test_last_line_stays_in_view_as_a_reply_grows(sample_window, qtbot):
    from PySide6.QtWidgets import QApplication

    window = sample_window
    transcript = window.transcript
    for i in range(25):
        window.handle_event(events.UserText(t_ms=30_000 + i * 1000, text=f"turn {i}", reply_id=50 + i))
    for _ in range(6):  # one reply, sentence by sentence: its row grows taller each time
        window.handle_event(events.AssistantText(t_ms=60_000, reply_id=99,
                                                 text="Another sentence of a long reply, long enough to wrap."))
        settle(qtbot, QApplication.instance())
        last = transcript.visualItemRect(transcript.item(transcript.count() - 1))
        assert transcript.viewport().rect().contains(last)


def test_tick_timings_only_in_the_developer_view(sample_window):
    window = sample_window
    window.handle_event(events.TickStats(t_ms=20_000, p50_ms=3.26, max_ms=9.1))
    assert "tick" not in window.statusBar().currentMessage() and window.tick_label.isHidden()
    window.set_developer_view(True)
    assert window.tick_label.isVisible() and window.tick_label.text() == "tick p50 3.26 ms, max 9.1 ms"
    window.set_developer_view(False)
    assert window.tick_label.isHidden()


def test_window_place_and_divider_are_remembered_and_clamped_to_the_screen(make_shell, qtbot, private_config):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication

    shell, _ = make_shell()
    window = shell.window
    window.show()
    window.handle_event(events.ToolCall(t_ms=0, tool="timer", seconds=60, due_ms=60_000, id="t"))
    qtbot.waitUntil(window.side.isVisible, timeout=2000)
    window.setGeometry(QRect(40, 30, 1100, 720))
    qtbot.wait(50)
    window.splitter.setSizes([500, 600])
    window._remember_split()
    shell.close()
    saved = json.loads((private_config / "window.json").read_text())
    assert saved["geometry"][2:] == [1100, 720] and saved["split"] == window.splitter.sizes()

    again, _ = make_shell()
    again.window.show()
    again.window.handle_event(events.ToolCall(t_ms=0, tool="timer", seconds=60, due_ms=60_000, id="t"))
    qtbot.waitUntil(again.window.side.isVisible, timeout=2000)
    qtbot.wait(50)
    assert again.window.size().width() == 1100 and again.window.size().height() == 720
    left, right = again.window.splitter.sizes()
    assert abs(right / (left + right) - 600 / 1100) < 0.05  # the divider where the user left it

    # a place saved on a monitor that is gone opens on this screen, no larger than it
    (private_config / "window.json").write_text(json.dumps({"geometry": [5000, 3000, 4000, 2500], "split": []}))
    third, _ = make_shell()
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert free.contains(third.window.geometry())
