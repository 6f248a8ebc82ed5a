"""The desktop around the window: tray, settings dialog, first-run welcome, settings applied live.

`run_window` builds one Shell; it owns the loaded settings and keeps window, tray and controller
consistent: mute and pause flip together wherever they are flipped, a saved setting takes effect
at once where it can (close-to-tray, shortcut, capture indicator, autostart, and whatever the
runner accepts through `apply_settings`), and settings problems appear on the window's error line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
from presence.gui.welcome import Check, WelcomeDialog
from presence.gui.window import MainWindow
from presence.settings.autostart import set_autostart
from presence.settings.schema import Settings, hotkey_to_qt
from presence.settings.store import Loaded, SettingsStore

# Opened or loaded once per session: a change takes effect at the next start.
RESTART_PREFIXES = ("input_device", "output_device", "fg_", "bg_")


class Shell(QObject):
    diagnostics_ready = Signal(str)  # made on a worker thread (the device query is slow), copied here

    def __init__(self, app: QApplication, window: MainWindow, controller: Any, store: SettingsStore, loaded: Loaded,
                 probes: Mapping[str, Any] | None = None, checks: Sequence[tuple[str, Check]] | None = None,
                 use_tray: bool = True, use_hotkeys: bool = True) -> None:
        super().__init__(window)
        self.app, self.window, self.controller, self.store = app, window, controller, store
        self.settings = loaded.settings
        self.probes = dict(probes or {})
        self.checks = checks
        self.settings_dialog: SettingsDialog | None = None
        self.welcome: WelcomeDialog | None = None
        self.screen_paused = False
        self.tray: PresenceTray | None = None
        if use_tray and PresenceTray.available():
            self.tray = PresenceTray(controller, self.show_window, self.open_settings, self.quit, self)
            self.tray.muted_changed.connect(window.set_mute_checked)
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
        self.apply(self.settings, previous=None)
        self.first_run = not self.settings["first_run_done"]  # no file yet, or the welcome was never finished

    # --- events (from the bridge, after the window) ------------------------------------------
    def handle_event(self, event: Event) -> None:
        """The tray follows the state and the screen-capture pause; other events are the window's."""
        if self.tray is None:
            return
        match event:
            case events.State(state=state):
                self.tray.set_state(str(state))
            case events.ScreenCapture(paused=paused) if paused is not None:
                self.tray.set_pause_checked(bool(paused))

    # --- window and tray --------------------------------------------------------------------
    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def quit(self) -> None:
        """Quit for real. Qt 6 asks every window to close first and gives up if one refuses, so
        the window must stop hiding itself into the tray before app.quit()."""
        self.window.hide_on_close = False
        self.app.quit()

    def close(self) -> None:
        """Before the app quits: release the global shortcuts and take the icon out of the tray."""
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
        keys = ("hotkey_observe", "hotkey_mute")
        if self.hotkeys is not None and (previous is None or any(previous[k] != settings[k] for k in keys)):
            problem = self.hotkeys.start({"observe": settings["hotkey_observe"], "mute": settings["hotkey_mute"]})
            if problem:
                self.window.statusBar().showMessage(problem, 15000)
        if previous is not None and previous["autostart"] != settings["autostart"]:
            problem = set_autostart(bool(settings["autostart"]))
            if problem:
                self.window.show_error(problem)
        apply_settings = getattr(self.controller, "apply_settings", None)
        if apply_settings is not None:
            apply_settings(settings.to_json())

    # --- first run --------------------------------------------------------------------------
    def maybe_welcome(self, on_done: Callable[[], None] | None = None) -> WelcomeDialog | None:
        """On first run show the welcome (non-modal); its answer sets screen capture and is saved."""
        if not self.first_run:
            return None
        dialog = WelcomeDialog(self.checks, self.window)
        self.welcome = dialog

        def done(result: int) -> None:
            self.welcome = None
            if result == QDialog.DialogCode.Accepted:
                self.first_run = False
                self.save(self.settings.replace({"first_run_done": True,
                                                 "screen_capture_enabled": dialog.screen_capture_allowed()}))
            dialog.deleteLater()
            if on_done is not None:
                on_done()

        dialog.finished.connect(done)
        dialog.open()
        dialog.run_checks()
        return dialog
