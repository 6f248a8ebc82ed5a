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


def finish_welcome(dialog, allow_screen: bool = False) -> None:
    """Start, then Next through the microphone and speaker steps, answer the screen step, Finish."""
    if not dialog.started:
        dialog.start_button.click()
    while dialog.page_name() != "screen":
        dialog.next_button.click()
    dialog.screen_box.setChecked(allow_screen)
    dialog.finish_button.click()


def test_first_run_welcome_keeps_checks_behind_details_and_asks_before_capturing(make_shell, qtbot,
                                                                                 private_config):
    shell, _ = make_shell()
    assert shell.first_run and shell.window.capture_indicator.status == "off"
    dialog = shell.maybe_welcome()
    assert dialog is not None and dialog.isVisible() and dialog.page_name() == "intro"
    qtbot.waitUntil(lambda: dialog.problems is not None, timeout=3000)
    assert not dialog.check_view.isVisible()  # the diagnostics are behind Details
    assert dialog.problem_label.isVisible() and "2 problems" in dialog.problem_label.text()
    dialog.details_button.click()
    assert dialog.check_view.isVisible()
    text = dialog.check_view.toPlainText()
    assert "Models:" in text and "ok    llm" in text and "MISSING no microphone" in text
    assert "extra check failed: PortAudio exploded" in text  # a broken check is reported, not raised
    assert dialog.problems == 2 and "2 problem(s)" in dialog.summary_label.text()
    assert [dialog.start_button.isVisible(), dialog.next_button.isVisible()] == [True, False]
    dialog.start_button.click()
    assert dialog.started and dialog.page_name() == "microphone"
    dialog.next_button.click()
    assert dialog.page_name() == "speaker"
    dialog.next_button.click()
    assert dialog.page_name() == "screen" and dialog.finish_button.isVisible()
    assert not dialog.screen_box.isChecked()  # opt-in
    finish_welcome(dialog, allow_screen=True)
    saved = json.loads((private_config / "settings.json").read_text())["settings"]
    assert saved["screen_capture_enabled"] is True and saved["first_run_done"] is True
    assert shell.window.capture_indicator.status == "on"
    again, _ = make_shell()  # the next start: no welcome
    assert not again.first_run and again.maybe_welcome() is None


def test_declining_screen_capture_keeps_it_off(make_shell, qtbot, private_config):
    shell, _ = make_shell()
    dialog = shell.maybe_welcome()
    finish_welcome(dialog, allow_screen=False)
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
        from presence.gui.window import MainWindow

        window = top(MainWindow)
        seen["before start"] = window.state_label.text() if window else None
        if welcome is not None:
            finish_welcome(welcome, allow_screen=True)

    def open_settings():
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
    QTimer.singleShot(1000, open_settings)
    QTimer.singleShot(1300, change_a_setting)
    rc = run_window(lambda sink: Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models), seconds=1.8,
                    store=SettingsStore(private_config), probes=fake_probes(), checks=fake_checks())
    assert rc == 0
    assert seen == {"welcome": True, "before start": "waiting for Start", "state": "listening", "dialog": True}
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


def test_presence_never_reads_its_own_windows(make_shell, qtbot, private_config):
    """Push-to-observe must not read Presence's own window: the runner's capture exclusions carry its
    windows' whole titles besides the user's list, which is saved without them."""
    from presence.gui.settings_dialog import SettingsDialog
    from presence.gui.shell import OWN_WINDOWS
    from presence.gui.welcome import WelcomeDialog
    from presence.screen.windows import title_matches

    shell, controller = make_shell()
    shell.save(shell.settings.replace({"screen_exclusions": ["Bank"]}))
    sent = controller.of("apply_settings")[-1][0]["screen_exclusions"]
    assert sent[0] == "Bank" and set(OWN_WINDOWS) <= set(sent)
    saved = json.loads((private_config / "settings.json").read_text())["settings"]
    assert saved["screen_exclusions"] == ["Bank"]
    dialogs = [SettingsDialog(shell.settings), WelcomeDialog(checks=[])]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    titles = [shell.window.windowTitle(), *(dialog.windowTitle() for dialog in dialogs)]
    assert all(title_matches(t, OWN_WINDOWS) for t in titles)
    assert not title_matches("Presence — notes.md - Editor", OWN_WINDOWS)


def test_a_real_capture_blanks_presences_own_window(qtbot):
    """mss capture under X with the exclusions the runner gets: the main window is grey in the frame
    and its title is hidden, so push-to-observe never reads Presence's own transcript."""
    from presence.devices.screen_mss import CaptureSettings, MssScreen
    from presence.gui.shell import OWN_WINDOWS
    from presence.gui.window import MainWindow
    from presence.screen.windows import BLANK_RGB, EXCLUDED_TITLE, exclude_windows

    window = MainWindow()
    qtbot.addWidget(window)
    window.handle_event(events.UserText(t_ms=1000, text="my secret plans", typed=True))
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(300)
    screen = MssScreen(CaptureSettings(monitor=1), capturing=True, exclusions=("1Password", *OWN_WINDOWS),
                       frame_filter=exclude_windows)
    try:
        assert screen.wait_frame(5.0), screen.error
        frame = screen.latest(1000)
    finally:
        screen.close()
    if screen.titles_available is False:
        pytest.skip("this display lists no windows")
    ours = [w for w in frame.windows if w.excluded]
    assert ours and all(w.title == EXCLUDED_TITLE for w in ours)
    assert "Presence" not in [w.title for w in frame.windows]
    x0, y0, x1, y1 = ours[0].box
    assert (frame.pixels[y0:y1, x0:x1] == BLANK_RGB).all()
