"""The desktop around the window: tray, settings dialog, first-run welcome, settings applied live.

The window's place, size and divider are kept between runs in `window.json` beside the settings
file (not a setting: nothing to choose, just where the user left it).

`run_window` builds one Shell; it owns the loaded settings and keeps window, tray and controller
consistent: mute and pause flip together wherever they are flipped, a saved setting takes effect
at once where it can (close-to-tray, shortcut, capture indicator, autostart, and whatever the
runner accepts through `apply_settings`), and settings problems appear on the window's error line.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QDialog

from presence.core import events
from presence.core.events import Event
from presence.core.panels import ScreenRegion
from presence.gui.hotkeys import GlobalHotkeys
from presence.gui.settings_dialog import SettingsDialog
from presence.gui.tray import PresenceTray
from presence.gui.welcome import TEST_PHRASE, Check, WelcomeDialog
from presence.gui.window import MainWindow
from presence.settings.autostart import set_autostart
from presence.settings.schema import Settings, hotkey_to_qt
from presence.settings.store import Loaded, SettingsStore

LAYOUT_FILE = "window.json"
# Presence's own windows, by their whole titles ("=": not every window that mentions presence): added
# to the capture exclusions the runner gets, never saved with the user's own list.
OWN_WINDOWS = ("=Presence", "=Presence settings", "=Welcome to Presence")
# Opened or loaded once per session: a change takes effect at the next start.
RESTART_PREFIXES = ("input_device", "output_device", "fg_", "bg_", "asr_model")


class Shell(QObject):
    diagnostics_ready = Signal(str)  # made on a worker thread (the device query is slow), copied here

    def __init__(self, app: QApplication, window: MainWindow, controller: Any, store: SettingsStore, loaded: Loaded,
                 probes: Mapping[str, Any] | None = None, checks: Sequence[tuple[str, Check]] | None = None,
                 use_tray: bool = True, use_hotkeys: bool = True) -> None:
        super().__init__(window)
        self.app, self.window, self.controller, self.store = app, window, controller, store
        self.settings = loaded.settings
        self.probes = dict(probes or {})
        if "preview_voice" in self.probes:  # the microphone must not take the preview for the user talking
            self.probes["preview_voice"] = self._mic_paused(self.probes["preview_voice"])
        self.checks = checks
        self.settings_dialog: SettingsDialog | None = None
        self.welcome: WelcomeDialog | None = None
        self.screen_paused = False
        self.muted = False  # the microphone switch, wherever it was flipped
        window.muted_changed.connect(self._set_muted)
        self.history: Any = None  # the history recorder (presence.history), switched by "keep_history"
        self.tray: PresenceTray | None = None
        if use_tray and PresenceTray.available():
            self.tray = PresenceTray(controller, self.show_window, self.open_settings, self.quit, self,
                                     toggle_window=self.toggle_window)
            self.tray.muted_changed.connect(window.set_mute_checked)
            self.tray.muted_changed.connect(self._set_muted)
            self.tray.screen_paused_changed.connect(self._screen_paused)
            window.muted_changed.connect(self.tray.set_mute_checked)
            self.tray.add_action("Copy &diagnostics", self.copy_diagnostics)
            self.tray.show()
        self.diagnostics_ready.connect(self._diagnostics_to_clipboard)
        self.hotkeys = GlobalHotkeys({"observe": self._observe, "mute": window.mute_box.toggle}, self) \
            if use_hotkeys else None
        window.settings_requested.connect(self.open_settings)
        window.panels.region_image = self.region_image
        for message in loaded.messages:
            window.show_error(f"settings: {message}")
        if getattr(store, "warning", ""):  # API keys in a file: no keyring on this desktop (stays visible)
            window.show_error(f"settings: {store.warning}")
        self.apply(self.settings, previous=None)
        self.first_run = not self.settings["first_run_done"]  # no file yet, or the welcome was never finished
        self.layout_path = Path(store.path).parent / LAYOUT_FILE
        window.restore_layout(self._read_layout())

    # --- events (from the bridge, after the window) ------------------------------------------
    def handle_event(self, event: Event) -> None:
        """The tray follows the state and the screen-capture pause, the welcome's microphone step
        the level and what was heard; other events are the window's."""
        if self.welcome is not None:
            self.welcome.handle_event(event)
        if isinstance(event, events.ScreenCapture) and event.paused is not None:
            self.screen_paused = bool(event.paused)  # live region grabs stop too
        if self.tray is None:
            return
        match event:
            case events.State(state=state):
                self.tray.set_state(str(state))
            case events.ScreenCapture(paused=paused) if paused is not None:  # the runner's word on it
                self.tray.set_screen_paused(bool(paused))

    # --- window and tray --------------------------------------------------------------------
    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def toggle_window(self) -> None:
        """The tray icon's click: hide the window when it is open, bring it up otherwise."""
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
        else:
            self.show_window()

    def quit(self) -> None:
        """Quit for real. Qt 6 asks every window to close first and gives up if one refuses, so
        the window must stop hiding itself into the tray before app.quit()."""
        self.window.hide_on_close = False
        self.app.quit()

    def close(self) -> None:
        """Before the app quits: remember the window's place, release the global shortcuts and take
        the icon out of the tray."""
        self._write_layout()
        if self.hotkeys is not None:
            self.hotkeys.stop()
        if self.tray is not None:
            self.tray.hide()

    def copy_diagnostics(self) -> None:
        """Versions, devices, model paths and settings without secrets, to the clipboard (for bug reports)."""
        import threading

        from presence.diagnostics import diagnostics_text

        settings = dict(self.settings)
        threading.Thread(target=lambda: self.diagnostics_ready.emit(diagnostics_text(settings)), daemon=True,
                         name="diagnostics").start()

    def _diagnostics_to_clipboard(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.window.statusBar().showMessage("Diagnostics copied to the clipboard (no secrets included).", 5000)

    def _read_layout(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.layout_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # first start, or a damaged file: the default place
        return data if isinstance(data, dict) else None

    def _write_layout(self) -> None:
        with contextlib.suppress(OSError):  # a read-only config folder costs only the remembered place
            self.layout_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.layout_path.with_name(LAYOUT_FILE + ".tmp")
            tmp.write_text(json.dumps(self.window.layout_state()), encoding="utf-8")
            os.replace(tmp, self.layout_path)

    def _set_muted(self, muted: bool) -> None:
        self.muted = muted

    def _mic_paused(self, probe: Callable[..., str]) -> Callable[..., str]:
        """A probe that plays sound, run with the microphone muted (the echo canceller does not know
        that sound) and unmuted after, unless the user had muted it."""

        def run(*args: Any) -> str:
            set_muted = getattr(self.controller, "set_muted", None)
            was_muted = self.muted
            if set_muted is not None and not was_muted:
                set_muted(True)
            try:
                return probe(*args)
            finally:
                if set_muted is not None and not was_muted:
                    set_muted(False)

        return run

    def _observe(self) -> None:
        observe = getattr(self.controller, "observe_now", None)
        if observe is not None:
            observe()

    def _screen_paused(self, paused: bool) -> None:
        self.screen_paused = paused
        self.window.capture_indicator.set_paused(paused)

    def region_image(self, region: ScreenRegion, t_ms: int | None) -> QImage | None:
        """A panel's screen region, grabbed live — only with consent and while not paused."""
        if not self.settings["screen_capture_enabled"] or self.screen_paused or t_ms is not None:
            return None
        screens = QGuiApplication.screens()
        primary = QGuiApplication.primaryScreen()
        if primary is None:
            return None
        rect = QRect(region.x, region.y, region.width, region.height)
        if 1 <= region.monitor <= len(screens):
            rect.translate(screens[region.monitor - 1].geometry().topLeft())
        image = primary.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height()).toImage()
        return None if image.isNull() else image

    # --- settings ---------------------------------------------------------------------------
    def open_settings(self) -> None:
        """Show the settings dialog (non-modal, one at a time); Save applies and stores."""
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return
        dialog = SettingsDialog(self.settings, self.window, **self.probes)
        self.settings_dialog = dialog

        def done(result: int) -> None:
            self.settings_dialog = None
            if result == QDialog.DialogCode.Accepted and dialog.result_settings is not None:
                self.save(dialog.result_settings)
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def save(self, settings: Settings) -> bool:
        previous, self.settings = self.settings, settings
        try:
            self.store.save(settings)
        except OSError as exc:
            self.window.show_error(f"settings could not be saved to {self.store.path}: {exc.strerror or exc}")
            ok = False
        else:
            ok = True
            if getattr(self.store, "warning", ""):  # API keys in a file: no keyring on this desktop
                self.window.show_error(f"settings: {self.store.warning}")
        self.apply(settings, previous)
        if ok and any(previous[k] != settings[k] for k in settings if k.startswith(RESTART_PREFIXES)):
            self.window.statusBar().showMessage("Saved. Device and model changes apply when Presence next starts.",
                                                15000)
        return ok

    def apply(self, settings: Settings, previous: Settings | None) -> None:
        """Everything that can change without a restart (devices and models need one)."""
        keep_in_tray = bool(settings["close_to_tray"]) and self.tray is not None
        self.window.hide_on_close = keep_in_tray
        self.app.setQuitOnLastWindowClosed(not keep_in_tray)
        self.window.set_observe_keys(hotkey_to_qt(settings["hotkey_observe"]) or "Ctrl+Alt+O")
        self.window.capture_indicator.set_enabled(bool(settings["screen_capture_enabled"]))
        self.window.set_developer_view(bool(settings["developer_view"]))
        keys = ("hotkey_observe", "hotkey_mute")
        if self.hotkeys is not None and (previous is None or any(previous[k] != settings[k] for k in keys)):
            problem = self.hotkeys.start({"observe": settings["hotkey_observe"], "mute": settings["hotkey_mute"]})
            if problem:
                self.window.statusBar().showMessage(problem, 15000)
        if previous is not None and previous["autostart"] != settings["autostart"]:
            problem = set_autostart(bool(settings["autostart"]))
            if problem:
                self.window.show_error(problem)
        if self.history is not None:
            self.history.set_enabled(bool(settings["keep_history"]))
        apply_settings = getattr(self.controller, "apply_settings", None)
        if apply_settings is not None:
            values = settings.to_json()  # Presence's own windows are never part of what it reads
            values["screen_exclusions"] = [*values["screen_exclusions"], *OWN_WINDOWS]
            apply_settings(values)

    # --- first run --------------------------------------------------------------------------
    def maybe_welcome(self, on_done: Callable[[], None] | None = None,
                      on_start: Callable[[], None] | None = None) -> WelcomeDialog | None:
        """On first run show the welcome (non-modal); its answer sets screen capture and is saved.

        `on_start` starts the session: called when the user presses the welcome's Start, never
        before. Closed without Start, the window offers a Start button instead."""
        if not self.first_run:
            return None
        preview = self.probes.get("preview_voice")

        def play_phrase() -> str:
            assert preview is not None
            return str(preview(self.settings["voice_speed"], self.settings["output_device"], TEST_PHRASE))

        dialog = WelcomeDialog(self.checks, self.window, play_phrase=play_phrase if preview is not None else None)
        self.welcome = dialog
        if on_start is not None:
            dialog.start_requested.connect(on_start)

        def done(result: int) -> None:
            self.welcome = None
            if result == QDialog.DialogCode.Accepted:
                self.first_run = False
                self.save(self.settings.replace({"first_run_done": True,
                                                 "screen_capture_enabled": dialog.screen_capture_allowed()}))
            if not dialog.started and on_start is not None:
                self.window.offer_start(on_start)
            dialog.deleteLater()
            if on_done is not None:
                on_done()

        dialog.finished.connect(done)
        dialog.open()
        dialog.run_checks()
        return dialog
