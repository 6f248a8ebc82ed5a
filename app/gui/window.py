"""The main window: state, mic level, live caption, transcript, panels, timers and typed input.

It only renders `Event`s (through `handle_event`, its single entry point) and forwards clicks to a
controller, one method per action; it never touches models or devices, so it can be built and
tested without a runner. Everything the models or the user said is shown as plain text — never
parsed as rich text or HTML, because model output is untrusted data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QElapsedTimer, QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from presence.core import events
from presence.core.events import Event
from presence.gui.activity import ACTIVITY_EVENTS, ActivityList, handle_activity_event
from presence.gui.indicators import CaptureIndicator, LevelMeter, StateIndicator
from presence.gui.panel_widgets import RegionImage
from presence.gui.panels import PanelArea
from presence.gui.theme import em, error_colour
from presence.gui.transcript import CUT_SHOWN_CHARS, Transcript, elide, mmss
from presence.gui.transcript_model import tidy_sentence

__all__ = ["CUT_SHOWN_CHARS", "Controller", "MainWindow", "elide", "mmss"]
DEFAULT_OBSERVE_KEYS = "Ctrl+Alt+O"
DEFAULT_SIZE = (1040, 720)  # the first window; later ones open where the user left it (restore_layout)
SIDE_SHARE = 0.4  # the panels' part of the width the first time they appear
# What the transcript lists (transcript_model.py decides which line each lands on).
TRANSCRIPT_EVENTS = (events.UserText, events.AssistantText, events.BargeIn, events.EarlyAck, events.Backchannel,
                     events.ReplyDiscarded, events.ScreenRead, events.ScreenSummary)


class Controller(Protocol):
    """What the widgets may ask of the running assistant (the session around the runner)."""

    def submit_text(self, text: str) -> None: ...

    def set_muted(self, muted: bool) -> None: ...

    def observe_now(self) -> None:
        """Push-to-observe: look at the screen now."""

    def set_screen_paused(self, paused: bool) -> None: ...

    def panel_action(self, panel_id: str, action_id: str) -> None:
        """A panel button was clicked (action ids are allow-listed in presence.core.panels)."""

    def cancel_item(self, kind: str, item_id: str) -> None:
        """Cancel a timer, cue-word watch or background task (kind: timer | watch | task)."""


class MainWindow(QMainWindow):
    """Renders events; `controller` may be None (tests, or while the app is still starting)."""

    settings_requested = Signal()
    muted_changed = Signal(bool)  # the user flipped the window's mute switch

    def __init__(self, controller: Controller | None = None, parent: QWidget | None = None,
                 region_image: RegionImage | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._caption_reply: int | None = None
        self._last_t_ms = 0
        self._since_event = QElapsedTimer()
        self._since_event.start()
        self.hide_on_close = False  # set by the app when the tray keeps running (close-to-tray)
        self.developer_view = False  # tick timings in the status bar (Settings -> General)
        self._side_sizes: list[int] | None = None  # the splitter's place while panels show (remembered)
        self.setWindowTitle("Presence")
        self.resize(*_fit_screen(*DEFAULT_SIZE))
        self._build(region_image)
        self._handlers = self._event_handlers()
        self._countdown = QTimer(self)
        self._countdown.timeout.connect(lambda: self.activity.set_now(self.now_ms()))
        self._countdown.start(1000)

    # --- layout -----------------------------------------------------------------------------
    def _build(self, region_image: RegionImage | None) -> None:
        central = QWidget(self)
        root = QVBoxLayout(central)
        root.addLayout(self._build_top())

        self.caption_label = QLabel("")
        self.caption_label.setTextFormat(Qt.TextFormat.PlainText)
        self.caption_label.setWordWrap(True)
        self.caption_label.setAccessibleName("Live caption")
        self.caption_label.setMinimumHeight(em(self, 2.6))
        big = QFont(self.caption_label.font())
        big.setPointSizeF(big.pointSizeF() * 1.3 if big.pointSizeF() > 0 else 13)
        self.caption_label.setFont(big)
        root.addWidget(self.caption_label)

        self.error_label = QLabel("")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self._restyle()
        root.addWidget(self.error_label)

        self.transcript = Transcript()
        self.transcript.resend_requested.connect(self.resend)
        self.panels = PanelArea(region_image)
        self.panels.error.connect(self.show_error)
        self.panels.action.connect(self._on_panel_action)
        self.panels.settings_requested.connect(lambda: self.settings_requested.emit())
        self.activity = ActivityList()
        self.activity.cancel_requested.connect(self._on_cancel_item)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.transcript)
        self.splitter.addWidget(self._build_side())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.splitterMoved.connect(self._remember_split)
        self._update_side()  # after addWidget, which shows the widgets it is given
        root.addWidget(self.splitter, 1)

        bottom = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setPlaceholderText("Type to Presence and press Enter")
        self.input.setAccessibleName("Message")
        self.input.returnPressed.connect(self.send)
        self.send_button = QPushButton("&Send")
        self.send_button.setAccessibleName("Send message")
        self.send_button.clicked.connect(self.send)
        bottom.addWidget(self.input, 1)
        bottom.addWidget(self.send_button)
        root.addLayout(bottom)

        self.setCentralWidget(central)
        self.tick_label = QLabel("")  # developer view only
        self.tick_label.setAccessibleName("Tick timings")
        self.tick_label.hide()
        self.statusBar().addPermanentWidget(self.tick_label)
        # Keyboard order follows what one does most: type, send, mute, look, settings, then read.
        chain = [self.input, self.send_button, self.mute_box, self.observe_button, self.settings_button,
                 self.transcript]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.observe_shortcut = QShortcut(QKeySequence(DEFAULT_OBSERVE_KEYS), self)
        self.observe_shortcut.activated.connect(self.observe)
        self.input.setFocus()

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.state_indicator = StateIndicator()
        self.state_label = self.state_indicator.label
        self.level_meter = LevelMeter()
        self.capture_indicator = CaptureIndicator()
        self.mute_box = QCheckBox("&Mute microphone")
        self.mute_box.setAccessibleName("Mute microphone")
        self.mute_box.toggled.connect(self._on_mute)
        self.observe_button = QPushButton("&Look at screen")
        self.observe_button.setAccessibleName("Push to observe: look at the screen now")
        self.observe_button.clicked.connect(self.observe)
        self.settings_button = QPushButton("Se&ttings…")
        self.settings_button.clicked.connect(lambda: self.settings_requested.emit())
        self.start_button = QPushButton("&Start listening")  # only when the welcome was closed before Start
        self.start_button.setAccessibleDescription("Presence opens the microphone and starts listening")
        self.start_button.hide()
        self._start: Callable[[], None] | None = None
        self.start_button.clicked.connect(self._start_clicked)
        top.addWidget(self.state_indicator)
        top.addWidget(self.level_meter)
        top.addSpacing(em(self, 0.6))
        top.addWidget(self.capture_indicator)
        top.addStretch(1)
        for widget in (self.start_button, self.mute_box, self.observe_button, self.settings_button):
            top.addWidget(widget)
        return top

    def _build_side(self) -> QWidget:
        """Panels above, timers/watches/tasks below; hidden while both are empty."""
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.panels_box = QGroupBox("Panels")
        QVBoxLayout(self.panels_box).addWidget(self.panels)
        self.activity_box = QGroupBox("Timers and tasks")
        QVBoxLayout(self.activity_box).addWidget(self.activity)
        layout.addWidget(self.panels_box)
        layout.addWidget(self.activity_box)
        layout.addStretch(1)
        self.side = QScrollArea()
        self.side.setWidgetResizable(True)
        self.side.setWidget(content)
        self.side.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.side.setMinimumWidth(em(self, 16))
        self.panels.changed.connect(self._update_side)
        self.activity.changed.connect(self._update_side)
        return self.side

    def _update_side(self) -> None:
        self.panels_box.setVisible(bool(self.panels.views))
        self.activity_box.setVisible(bool(self.activity.items))
        show = bool(self.panels.views or self.activity.items)
        if show != self.side.isHidden():
            return  # already so
        self.side.setVisible(show)
        if show:
            self._place_split()
            QTimer.singleShot(0, self._place_split)  # again once the new content has its size

    def _place_split(self) -> None:
        """Panels appear beside the transcript where the user last put the divider, or at
        SIDE_SHARE of the width, and never narrower than their content (no button cut off)."""
        total = sum(self.splitter.sizes()) or self.splitter.width()
        if total <= 0:
            return
        need = self.side.widget().minimumSizeHint().width() + self.side.verticalScrollBar().sizeHint().width() \
            + 2 * self.side.frameWidth()
        if self._side_sizes and sum(self._side_sizes) > 0:
            side = round(total * self._side_sizes[1] / sum(self._side_sizes))
        else:
            side = round(total * SIDE_SHARE)
        side = min(max(side, need, self.side.minimumWidth()), total - em(self, 16))
        self.splitter.setSizes([total - side, side])

    def _remember_split(self, *_: Any) -> None:
        if self.side.isVisible():
            self._side_sizes = self.splitter.sizes()

    # --- where the window was (kept by the shell between runs) -------------------------------
    def layout_state(self) -> dict[str, Any]:
        """The window's place, size and divider, for the next start (JSON-able)."""
        geometry = self.normalGeometry() if self.isMaximized() else self.geometry()
        return {"geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
                "maximized": self.isMaximized(), "split": list(self._side_sizes or [])}

    def restore_layout(self, state: dict[str, Any] | None) -> None:
        """Put the window back where it was, clamped to the screens there are now."""
        state = state if isinstance(state, dict) else {}
        geometry = state.get("geometry")
        if isinstance(geometry, list) and len(geometry) == 4 and all(isinstance(v, int) for v in geometry):
            self.setGeometry(_clamp_to_screen(QRect(*geometry)))
        split = state.get("split")
        if isinstance(split, list) and len(split) == 2 and all(isinstance(v, int) and v > 0 for v in split):
            self._side_sizes = list(split)
        if state.get("maximized") is True:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _restyle(self) -> None:
        self.error_label.setStyleSheet(f"color: {error_colour(self.palette()).name()}; font-weight: bold;")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Light/dark switches at runtime: re-derive the colours that are not palette roles."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()
            self.state_indicator.dot.update()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """With close-to-tray on, closing hides the window; the tray's Quit ends the app."""
        if self.hide_on_close:
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)

    # --- controller -------------------------------------------------------------------------
    def set_controller(self, controller: Controller | None) -> None:
        self._controller = controller

    def _call(self, method: str, *args: Any) -> None:
        if self._controller is None:
            self.show_error("not connected to the assistant yet; try again in a moment")
            return
        getattr(self._controller, method)(*args)

    def send(self) -> None:
        """Hand the typed text to the controller; the transcript shows it once the runner echoes it."""
        text = self.input.text().strip()
        if not text:
            return
        if self._controller is None:
            self.show_error("not connected to the assistant yet; try again in a moment")
            return
        self._controller.submit_text(text)
        self.input.clear()

    def resend(self, text: str) -> None:
        """A transcript line the user edited: sent again as if typed (it comes back as a new line)."""
        text = " ".join(text.split())
        if text:
            self._call("submit_text", text)

    def offer_start(self, start: Callable[[], None]) -> None:
        """Presence is not listening yet (the welcome was closed before its Start): say so, and let
        the user start it from here."""
        self._start = start
        self.set_state("not listening yet")
        self.start_button.show()

    def _start_clicked(self) -> None:
        start, self._start = self._start, None
        self.start_button.hide()
        if start is not None:
            start()

    def set_developer_view(self, on: bool) -> None:
        """Tick timings in the status bar: for developers, not for living with."""
        self.developer_view = bool(on)
        self.tick_label.setVisible(self.developer_view and bool(self.tick_label.text()))

    def observe(self) -> None:
        self._call("observe_now")

    def set_observe_keys(self, keys: str) -> None:
        """The window's own push-to-observe shortcut (the global one lives outside Qt)."""
        self.observe_shortcut.setKey(QKeySequence(keys))
        self.observe_button.setToolTip(f"Look at the screen now ({keys})")

    def set_mute_checked(self, muted: bool) -> None:
        """Reflect a mute made elsewhere (the tray) without asking the controller twice."""
        self.mute_box.blockSignals(True)
        self.mute_box.setChecked(muted)
        self.mute_box.blockSignals(False)

    def _on_mute(self, muted: bool) -> None:
        if self._controller is not None:
            self._controller.set_muted(muted)
        self.muted_changed.emit(muted)

    def _on_panel_action(self, panel_id: str, action_id: str) -> None:
        self._call("panel_action", panel_id, action_id)

    def _on_cancel_item(self, kind: str, item_id: str) -> None:
        self._call("cancel_item", kind, item_id)

    # --- rendering --------------------------------------------------------------------------
    def _event_handlers(self) -> dict[type[Event], Callable[[Any], None]]:
        """What the window does with each kind of event; the others it ignores."""
        handlers: dict[type[Event], Callable[[Any], None]] = {
            events.State: self._on_state,
            events.Level: self._on_level,
            events.UserPartialText: self._on_user_partial_text,
            **dict.fromkeys(TRANSCRIPT_EVENTS, self.transcript.handle_event),
            events.UserText: self._on_user_text,
            events.AssistantText: self._on_assistant_text,
            events.BargeIn: self._on_barge_in,
            events.Error: self._on_error,
            events.Notice: self._on_notice,
            events.TickStats: self._on_tick_stats,
            events.Panel: self._on_panel,
            events.PanelUpdate: self._on_panel_update,
            events.PanelClose: self._on_panel_close,
            events.PanelError: self._on_panel_error,
            events.ScreenCapture: self._on_screen_capture,
        }
        return handlers | dict.fromkeys(ACTIVITY_EVENTS, self._on_activity)

    def handle_event(self, event: Event) -> None:
        """The single entry point: render one event from the runner or the session."""
        if event.t_ms >= self._last_t_ms:
            self._last_t_ms = event.t_ms
            self._since_event.restart()
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _on_state(self, ev: events.State) -> None:
        self.set_state(str(ev.state))

    def _on_level(self, ev: events.Level) -> None:
        self.level_meter.set_rms(_float(ev.rms))

    def _on_user_partial_text(self, ev: events.UserPartialText) -> None:
        self.caption_label.setText(f"You: {ev.text}…")
        self._caption_reply = None

    def _on_user_text(self, ev: events.UserText) -> None:
        self.transcript.handle_event(ev)
        self.caption_label.setText(f"You: {ev.text}")
        self._caption_reply = None

    def _on_assistant_text(self, ev: events.AssistantText) -> None:
        self.transcript.handle_event(ev)
        self.caption_label.setText(f"Presence: {tidy_sentence(str(ev.text), True)}")
        self._caption_reply = _reply_id(ev.reply_id)

    def _on_barge_in(self, ev: events.BargeIn) -> None:
        self.transcript.handle_event(ev)
        reply_id = _reply_id(ev.reply_id)
        if self._caption_reply == reply_id and not self.caption_label.text().endswith("interrupted"):
            self.caption_label.setText(f"{self.caption_label.text()} — interrupted")

    def _on_error(self, ev: events.Error) -> None:
        source = str(ev.source).strip()
        message = str(ev.message).strip() or "unknown error"
        self.show_error(f"{source}: {message}" if source else message)

    def _on_notice(self, ev: events.Notice) -> None:
        self.statusBar().showMessage(" ".join(str(ev.message).split()), 8000)

    def _on_tick_stats(self, ev: events.TickStats) -> None:
        self.tick_label.setText(f"tick p50 {ev.p50_ms} ms, max {ev.max_ms} ms")
        self.tick_label.setVisible(self.developer_view)

    def _on_panel(self, ev: events.Panel) -> None:
        self.panels.show_panel(ev.panel)

    def _on_panel_update(self, ev: events.PanelUpdate) -> None:
        self.panels.update_panel(ev.panel_id, ev.node_id, ev.changes)

    def _on_panel_close(self, ev: events.PanelClose) -> None:
        self.panels.close_panel(ev.panel_id)

    def _on_panel_error(self, ev: events.PanelError) -> None:
        """A panel a model wrote that the runner refused."""
        self.show_error(f"panel rejected — {str(ev.message).strip() or 'invalid panel'}")

    def _on_screen_capture(self, ev: events.ScreenCapture) -> None:
        if ev.enabled is not None:
            self.capture_indicator.set_enabled(bool(ev.enabled))
        if ev.paused is not None:
            self.capture_indicator.set_paused(bool(ev.paused))
        if ev.on is not None:
            self.capture_indicator.set_active(bool(ev.on))

    def _on_activity(self, ev: Event) -> None:
        if handle_activity_event(self.activity, ev):
            self.activity.set_now(self.now_ms())

    def now_ms(self) -> int:
        """Logical time now: the latest event's time plus what has passed since it arrived."""
        return self._last_t_ms + int(self._since_event.elapsed())

    def set_state(self, state: str) -> None:
        self.state_indicator.set_state(state)

    def show_error(self, text: str) -> None:
        self.error_label.setText(f"Error — {' '.join(text.split())}")
        self.error_label.show()

    def restore_history(self, rows: list[str]) -> None:
        """The end of the previous conversation (rows from presence.history), greyed, above this one's."""
        if not rows:
            return
        grey = self.palette().placeholderText()
        for row in [*rows, "— earlier conversation above —"]:
            self.transcript.append(row).setForeground(grey)

    # --- for tests and accessibility tools --------------------------------------------------
    def transcript_lines(self) -> list[str]:
        return self.transcript.lines()


def _reply_id(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _fit_screen(width: int, height: int) -> tuple[int, int]:
    """A size that fits the primary screen's free area (a small laptop screen gets a smaller window)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return width, height
    free = screen.availableGeometry()
    return min(width, free.width()), min(height, free.height())


def _clamp_to_screen(rect: QRect) -> QRect:
    """A remembered geometry moved and shrunk onto the screen it overlaps most (or the primary one),
    so a window saved on a monitor that is gone does not open off-screen."""
    screens = QGuiApplication.screens()
    if not screens:
        return rect
    best = max(screens, key=lambda s: _overlap(s.availableGeometry(), rect))
    if _overlap(best.availableGeometry(), rect) == 0:
        best = QGuiApplication.primaryScreen() or screens[0]
    free = best.availableGeometry()
    width, height = min(max(rect.width(), 200), free.width()), min(max(rect.height(), 150), free.height())
    x = min(max(rect.x(), free.left()), free.right() + 1 - width)
    y = min(max(rect.y(), free.top()), free.bottom() + 1 - height)
    return QRect(x, y, width, height)


def _overlap(a: QRect, b: QRect) -> int:
    both = a.intersected(b)
    return max(0, both.width()) * max(0, both.height())


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
