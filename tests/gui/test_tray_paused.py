"""Paused screen capture shows on the tray icon (a badge and the tooltip), whoever paused it: the runner's
`screen_capture(paused=...)` event reaches the tray and the shell."""

from __future__ import annotations

import pytest
from fakes_for_gui import FakeController, needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


@pytest.fixture
def tray(qtbot):
    from presence.gui.tray import PresenceTray

    controller = FakeController()
    t = PresenceTray(controller, lambda: None, lambda: None, lambda: None)
    yield t, controller
    t.hide()
    t.deleteLater()


def test_the_icon_and_tooltip_show_paused_capture_without_calling_the_controller(tray):
    from presence.gui.icons import paint_pause_badge, paint_state, state_icon

    t, controller = tray
    t.set_state("listening")
    plain = t.icon.icon().pixmap(32, 32).toImage()
    t.set_screen_paused(True)
    assert t.icon.toolTip() == "Presence — listening (screen capture paused)" and t.pause_action.isChecked()
    assert t.icon.icon().pixmap(32, 32).toImage() != plain
    t.set_state("speaking")  # the badge stays through state changes
    assert t.icon.toolTip().endswith("(screen capture paused)")
    t.set_screen_paused(False)
    assert t.icon.toolTip() == "Presence — speaking" and not t.pause_action.isChecked()
    assert controller.of("set_screen_paused") == []
    assert paint_pause_badge(paint_state("idle", 32)).toImage() != paint_state("idle", 32).toImage()
    assert state_icon("idle", True) is state_icon("idle", True)


def test_pausing_from_the_menu_shows_the_badge_at_once(tray):
    t, controller = tray
    t.pause_action.trigger()
    assert controller.of("set_screen_paused") == [(True,)] and t.screen_paused
    assert t.icon.toolTip().endswith("(screen capture paused)")


def test_the_runners_pause_event_reaches_the_shell(make_shell):
    shell, _ = make_shell()
    shell.handle_event(events.ScreenCapture(t_ms=200, paused=True))
    assert shell.screen_paused
    shell.handle_event(events.ScreenCapture(t_ms=400, paused=False))
    assert not shell.screen_paused
