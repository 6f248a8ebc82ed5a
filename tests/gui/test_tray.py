"""The tray icon under a real tray host (trayer on Xvfb in CI): available, one icon per state, menu
actions reach the controller, and a click on the icon shows or hides the window (push-to-observe is
in the menu and on its shortcut)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from fakes_for_gui import FakeController, needs_display

pytestmark = [pytest.mark.gui, needs_display]


@pytest.fixture
def tray(qtbot):
    from presence.gui.tray import PresenceTray

    calls: list[str] = []
    controller = FakeController()
    t = PresenceTray(controller, lambda: calls.append("show"), lambda: calls.append("settings"),
                     lambda: calls.append("quit"), toggle_window=lambda: calls.append("toggle"))
    yield t, controller, calls
    t.hide()
    t.deleteLater()


def needs_tray_host():
    from presence.gui.tray import PresenceTray

    if not PresenceTray.available():
        pytest.skip("no system tray host on this display (start one: eval \"$(bash .ci/x-setup.sh start)\")")


def test_tray_is_available_with_a_tray_host(tray, qtbot):
    needs_tray_host()
    t, _, _ = tray
    t.show()
    qtbot.waitUntil(lambda: t.icon.isVisible(), timeout=2000)
    assert not t.icon.icon().isNull()


def test_each_state_has_its_own_icon(tray):
    from presence.gui.icons import KNOWN_STATES, paint_state

    images = {state: paint_state(state, 32).toImage() for state in KNOWN_STATES}
    for state, image in images.items():
        assert not image.isNull() and image.width() == 32
        others = [s for s in KNOWN_STATES if s != state]
        assert all(image != images[o] for o in others), state
    t, _, _ = tray
    t.set_state("thinking")
    assert t.icon.toolTip() == "Presence — thinking"
    t.set_state("whatever-new")  # unknown states get the neutral icon, no error
    assert not t.icon.icon().isNull()
    hidpi = paint_state("speaking", 24, ratio=2.0)
    assert hidpi.width() == 48 and hidpi.devicePixelRatio() == 2.0


def test_menu_actions_reach_the_controller(tray, qtbot):
    t, controller, calls = tray
    titles = [a.text().replace("&", "") for a in t.menu.actions() if not a.isSeparator()]
    assert titles == ["Show window", "Look at screen now", "Mute microphone", "Pause screen capture", "Settings…",
                      "Quit Presence"]
    t.observe_action.trigger()
    assert controller.of("observe_now") == [()]
    with qtbot.waitSignal(t.muted_changed) as muted:
        t.mute_action.trigger()
    assert muted.args == [True] and controller.of("set_muted") == [(True,)]
    t.mute_action.trigger()
    assert controller.of("set_muted") == [(True,), (False,)]
    with qtbot.waitSignal(t.screen_paused_changed):
        t.pause_action.trigger()
    assert controller.of("set_screen_paused") == [(True,)]
    t.show_action.trigger()
    t.settings_action.trigger()
    t.quit_action.trigger()
    assert calls == ["show", "settings", "quit"]
    t.set_mute_checked(True)  # reflecting the window's switch does not call the controller again
    assert t.mute_action.isChecked() and controller.of("set_muted") == [(True,), (False,)]


def test_trigger_activation_shows_or_hides_the_window_and_never_observes(tray):
    from PySide6.QtWidgets import QSystemTrayIcon

    t, controller, calls = tray
    t.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert calls == ["toggle"] and controller.of("observe_now") == []
    t.icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)  # right click opens the menu only
    assert calls == ["toggle"] and controller.of("observe_now") == []


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed")
def test_a_real_click_on_the_tray_icon_shows_and_hides_the_window(make_shell, qtbot):
    from PySide6.QtWidgets import QApplication

    needs_tray_host()
    shell, controller = make_shell(use_tray=True)
    window, t = shell.window, shell.tray
    qtbot.wait(400)  # let trayer embed the icon
    qtbot.waitUntil(lambda: t.icon.geometry().width() > 0, timeout=3000)
    centre = t.icon.geometry().center()

    def click() -> None:
        subprocess.run(["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"], check=True,
                       timeout=10)

    assert not window.isVisible()
    click()
    qtbot.waitUntil(window.isVisible, timeout=3000)
    qtbot.wait(QApplication.doubleClickInterval() + 200)  # a second click: not a double click
    click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert controller.of("observe_now") == []


def test_tray_copies_diagnostics_without_secrets(qtbot, private_config):
    """The tray's 'Copy diagnostics' puts versions and settings on the clipboard, never an API key."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from presence.gui.shell import Shell
    from presence.gui.tray import PresenceTray
    from presence.gui.window import MainWindow
    from presence.settings.store import SettingsStore

    if not PresenceTray.available():
        pytest.skip("no system tray host (start trayer)")
    store = SettingsStore()
    loaded = store.load()
    window = MainWindow()
    qtbot.addWidget(window)
    shell = Shell(QApplication.instance(), window, None, store, loaded, {}, [], use_tray=True, use_hotkeys=False)
    shell.settings = shell.settings.replace({"fg_server_key": "sk-secret-123456789"})
    try:
        entry = next(a for a in shell.tray.menu.actions() if "diagnostics" in a.text().lower())
        QGuiApplication.clipboard().setText("")
        entry.trigger()
        qtbot.waitUntil(lambda: "presence" in QGuiApplication.clipboard().text().lower(), timeout=20_000)
        assert "sk-secret-123456789" not in QGuiApplication.clipboard().text()
    finally:
        shell.close()
