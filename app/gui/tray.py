"""The tray icon: the assistant's state at a glance, the window on a click, a short menu.

A left click (Trigger) shows the window, or hides it when it is already in front — what a click on
a tray icon does everywhere else. Push-to-observe is in the menu and on its global shortcut
(Ctrl+Alt+O by default), never on a click that could be a mistake. The menu holds the rest: show
the window, observe, mute, pause screen capture, settings, quit. Mute and pause go straight to the
controller; the app keeps the window's switches in step through `muted_changed` /
`screen_paused_changed`. Paused screen capture shows on the icon
itself (a pause badge) and in its tooltip, whoever paused it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from presence.gui.icons import state_icon
from presence.gui.window import Controller


class PresenceTray(QObject):
    muted_changed = Signal(bool)
    screen_paused_changed = Signal(bool)

    def __init__(self, controller: Controller | None, show_window: Callable[[], None],
                 open_settings: Callable[[], None], quit_app: Callable[[], None],
                 parent: QObject | None = None, toggle_window: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._toggle_window = toggle_window or show_window
        self.state = ""
        self.screen_paused = False
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.show_action = self._add("&Show window", show_window)
        self.observe_action = self._add("&Look at screen now", self.observe)
        self.menu.addSeparator()
        self.mute_action = self._add("&Mute microphone", None, checkable=True)
        self.mute_action.toggled.connect(self._on_mute)
        self.pause_action = self._add("&Pause screen capture", None, checkable=True)
        self.pause_action.toggled.connect(self._on_pause)
        self.menu.addSeparator()
        self.settings_action = self._add("S&ettings…", open_settings)
        self.quit_action = self._add("&Quit Presence", quit_app)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.set_state("idle")

    def _add(self, text: str, slot: Callable[[], None] | None, checkable: bool = False) -> QAction:
        action = QAction(text, self.menu)
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def add_action(self, text: str, slot: Callable[[], None]) -> QAction:
        """An extra menu entry, placed before Quit."""
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.insertAction(self.quit_action, action)
        return action

    @staticmethod
    def available() -> bool:
        """Whether the desktop has a tray (under bare X without a tray host it has not)."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def set_controller(self, controller: Controller | None) -> None:
        self._controller = controller

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: str) -> None:
        self.state = state
        self.icon.setIcon(state_icon(state, self.screen_paused))
        tip = f"Presence — {state}" if state else "Presence"
        self.icon.setToolTip(f"{tip} (screen capture paused)" if self.screen_paused else tip)

    def set_screen_paused(self, paused: bool) -> None:
        """Show paused capture on the icon and tick the menu entry, without calling the controller."""
        self.screen_paused = paused
        self.set_pause_checked(paused)
        self.set_state(self.state)

    def set_mute_checked(self, muted: bool) -> None:
        """Reflect a mute made in the window without calling the controller again."""
        self.mute_action.blockSignals(True)
        self.mute_action.setChecked(muted)
        self.mute_action.blockSignals(False)

    def set_pause_checked(self, paused: bool) -> None:
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)

    def observe(self) -> None:
        if self._controller is not None:
            self._controller.observe_now()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._toggle_window()

    def _on_mute(self, muted: bool) -> None:
        if self._controller is not None:
            self._controller.set_muted(muted)
        self.muted_changed.emit(muted)

    def _on_pause(self, paused: bool) -> None:
        if self._controller is not None:
            self._controller.set_screen_paused(paused)
        self.screen_paused = paused
        self.set_state(self.state)
        self.screen_paused_changed.emit(paused)
