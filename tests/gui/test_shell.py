"""The desktop shell around the window: first-run welcome with the doctor's checks and consent to
screen capture, tray and window kept in step, close-to-tray, and `run_window` with all of it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from fakes_for_gui import NullSpeaker, SilentMic, fake_models, fake_probes, needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


def fake_checks(lines: list[str] | None = None):
    def models(say):
        say("  ok    llm   SmolLM2")
        return 0

    def audio(say):
        say("  MISSING no microphone")
        return 1

    def broken(say):
        raise OSError("PortAudio exploded")

    return [("Models", models), ("Audio", audio), ("Extra", broken)]


@pytest.fixture
def make_shell(make_shell):
    """The shared shell factory with the fake doctor checks above."""
    return lambda use_tray=False, use_hotkeys=False: make_shell(use_tray, use_hotkeys, checks=fake_checks())


def needs_tray():
    from presence.gui.tray import PresenceTray

    if not PresenceTray.available():
        pytest.skip("no system tray host on this display")


def test_first_run_welcome_shows_checks_and_asks_before_capturing(make_shell, qtbot, private_config):
    shell, _ = make_shell()
    assert shell.first_run and shell.window.capture_indicator.status == "off"
    dialog = shell.maybe_welcome()
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.problems is not None, timeout=3000)
    text = dialog.check_view.toPlainText()
    assert "Models:" in text and "ok    llm" in text and "MISSING no microphone" in text
    assert "extra check failed: PortAudio exploded" in text  # a broken check is reported, not raised
    assert dialog.problems == 2 and "2 problem(s)" in dialog.summary_label.text()
    assert not dialog.screen_box.isChecked()  # opt-in
    dialog.screen_box.setChecked(True)
    dialog.start_button.click()
    saved = json.loads((private_config / "settings.json").read_text())["settings"]
    assert saved["screen_capture_enabled"] is True and saved["first_run_done"] is True
    assert shell.window.capture_indicator.status == "on"
    again, _ = make_shell()  # the next start: no welcome
    assert not again.first_run and again.maybe_welcome() is None


def test_declining_screen_capture_keeps_it_off(make_shell, qtbot, private_config):
    shell, _ = make_shell()
    dialog = shell.maybe_welcome()
    dialog.start_button.click()
    assert json.loads((private_config / "settings.json").read_text())["settings"]["screen_capture_enabled"] is False
    assert shell.region_image(_region(), None) is None  # no consent, no pixels


def test_screen_regions_only_with_consent_and_not_paused(make_shell):
    shell, _ = make_shell()
    assert shell.region_image(_region(), None) is None
    shell.save(shell.settings.replace({"screen_capture_enabled": True}))
    image = shell.region_image(_region(), None)
    assert image is not None and (image.width(), image.height()) == (40, 30)
    shell._screen_paused(True)
    assert shell.region_image(_region(), None) is None
    assert shell.window.capture_indicator.status == "paused"


def _region():
    from presence.core.panels import ScreenRegion

    return ScreenRegion(x=5, y=5, width=40, height=30)


def test_tray_and_window_stay_in_step(make_shell, qtbot):
    needs_tray()
    shell, controller = make_shell(use_tray=True)
    tray, window = shell.tray, shell.window
    tray.mute_action.trigger()
    assert window.mute_box.isChecked() and controller.of("set_muted") == [(True,)]  # asked once
    window.mute_box.setChecked(False)
    assert not tray.mute_action.isChecked() and controller.of("set_muted") == [(True,), (False,)]
    tray.pause_action.trigger()
    assert window.capture_indicator.paused and controller.of("set_screen_paused") == [(True,)]
    shell.handle_event(events.State(t_ms=200, state="speaking"))
    assert tray.state == "speaking"
    tray.observe_action.trigger()
    assert controller.of("observe_now") == [()]
    tray.settings_action.trigger()
    assert shell.settings_dialog is not None and shell.settings_dialog.isVisible()
    shell.settings_dialog.reject()


def test_close_to_tray_follows_the_setting(make_shell, qtbot):
    from PySide6.QtWidgets import QApplication

    shell, _ = make_shell(use_tray=False)
    assert not shell.window.hide_on_close  # no tray: closing quits
    needs_tray()
    shell, _ = make_shell(use_tray=True)
    window = shell.window
    assert window.hide_on_close and not QApplication.instance().quitOnLastWindowClosed()
    window.show()
    window.close()
    assert not window.isVisible()
    shell.tray.show_action.trigger()
    qtbot.waitUntil(window.isVisible, timeout=2000)
    shell.save(shell.settings.replace({"close_to_tray": False}))
    assert not window.hide_on_close and QApplication.instance().quitOnLastWindowClosed()


def test_run_window_with_tray_welcome_and_settings(qtbot, private_config):
    """The whole app on fake devices: the welcome appears, is answered, the tray follows the runner,
    a setting saved from the dialog reaches the disk; quits after the given seconds."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from presence.gui.app import run_window
    from presence.gui.settings_dialog import SettingsDialog
    from presence.gui.welcome import WelcomeDialog
    from presence.runtime.session import Session
    from presence.settings.store import SettingsStore

    seen: dict[str, object] = {}

    def top(kind):
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)

    def answer_welcome():
        welcome = top(WelcomeDialog)
        seen["welcome"] = welcome is not None
        if welcome is not None:
            welcome.screen_box.setChecked(True)
            welcome.start_button.click()
        from presence.gui.window import MainWindow

        window = top(MainWindow)
        seen["state"] = window.state_label.text() if window else None
        window.settings_requested.emit()

    def change_a_setting():
        dialog = top(SettingsDialog)
        seen["dialog"] = dialog is not None
        if dialog is not None:
            dialog.editors["voice_speed"].set(1.3)
            dialog.button_box.button(QDialogButtonBox.StandardButton.Save).click()

    QTimer.singleShot(600, answer_welcome)
    QTimer.singleShot(900, change_a_setting)
    rc = run_window(lambda sink: Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models), seconds=1.5,
                    store=SettingsStore(private_config), probes=fake_probes(), checks=fake_checks())
    assert rc == 0
    assert seen == {"welcome": True, "state": "listening", "dialog": True}
    saved = SettingsStore(private_config).load().settings
    assert saved["screen_capture_enabled"] and saved["first_run_done"] and saved["voice_speed"] == 1.3
    assert QApplication.instance().quitOnLastWindowClosed()  # restored for whatever runs next


def test_hotkey_names_for_pynput():
    from presence.gui.hotkeys import to_pynput

    assert to_pynput("ctrl+alt+o") == "<ctrl>+<alt>+o"
    assert to_pynput("super+shift+f5") == "<cmd>+<shift>+<f5>"
    assert to_pynput("ctrl+space") == "<ctrl>+<space>"


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed")
def test_global_hotkeys_observe_and_mute_from_another_app(make_shell, qtbot):
    """Keys pressed on the X server (as if in another application) reach the controller."""
    pytest.importorskip("pynput")
    shell, controller = make_shell(use_hotkeys=True)
    if shell.hotkeys is None or not shell.hotkeys.running:
        pytest.skip(f"global shortcuts unavailable here: {shell.window.statusBar().currentMessage()}")
    qtbot.wait(300)  # the listener thread connects to the X server

    def press(keys: str) -> None:
        subprocess.run(["xdotool", "key", keys], check=True, timeout=10)

    press("ctrl+alt+o")
    qtbot.waitUntil(lambda: controller.of("observe_now") == [()], timeout=3000)
    press("ctrl+alt+m")
    qtbot.waitUntil(lambda: controller.of("set_muted") == [(True,)], timeout=3000)
    assert shell.window.mute_box.isChecked()
    shell.save(shell.settings.replace({"hotkey_observe": "ctrl+shift+y"}))  # rebinding applies at once
    qtbot.wait(300)
    press("ctrl+shift+y")
    qtbot.waitUntil(lambda: len(controller.of("observe_now")) == 2, timeout=3000)
    press("ctrl+alt+o")
    qtbot.wait(300)
    assert len(controller.of("observe_now")) == 2  # the old binding is gone


def test_run_window_quits_on_time_while_close_to_tray_is_on(qtbot, private_config):
    """Qt 6's quit() gives up when a window refuses to close; ours hides into the tray instead of
    closing, so quitting must switch that off first (regression: `presence run --seconds` hung)."""
    import time

    from presence.gui.app import run_window
    from presence.runtime.session import Session
    from presence.settings.store import SettingsStore

    needs_tray()
    store = SettingsStore(private_config)
    store.save(store.load().settings.replace({"first_run_done": True, "close_to_tray": True}))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    watchdog: list[bool] = []  # if quitting is refused, end the loop anyway so the test fails instead of hanging
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: (watchdog.append(True), QApplication.exit(0)))
    timer.start(6000)
    started = time.monotonic()
    try:
        rc = run_window(lambda sink: Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models),
                        seconds=0.8, store=store, probes={}, checks=[], use_hotkeys=False)
    finally:
        timer.stop()
    assert rc == 0 and not watchdog and time.monotonic() - started < 5
