"""Small status widgets for the window's top line: runner state, microphone level, screen capture.

They draw from the palette (see theme.py) so they read on light and dark desktops, and size from
font metrics so they scale on high-DPI screens.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from presence.gui.theme import em, state_colour

LEVEL_FLOOR_DBFS = -60.0  # the meter's empty end; speech near a laptop mic is around -30..-15 dBFS


def rms_to_percent(rms: float) -> int:
    """Mic RMS (full scale 1.0) on a dB scale from -60 dBFS (0 %) to 0 dBFS (100 %)."""
    if not math.isfinite(rms) or rms <= 0:
        return 0
    dbfs = 20.0 * math.log10(min(rms, 1.0))
    return max(0, min(100, round((dbfs - LEVEL_FLOOR_DBFS) / -LEVEL_FLOOR_DBFS * 100)))


class StateDot(QWidget):
    """A filled circle in the state's colour: the state at a glance, with the word beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ""
        self.setAccessibleName("State colour")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        side = em(self, 0.75)
        return QSize(side, side)

    def colour(self) -> QColor:
        return state_colour(self.state, self.palette())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour())
        side = min(self.width(), self.height())
        painter.drawEllipse((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        painter.end()


class StateIndicator(QWidget):
    """The runner's state as a coloured dot and a bold word (listening, thinking, speaking, ...)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.dot = StateDot(self)
        self.label = QLabel("starting…")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Assistant state")
        bold = QFont(self.label.font())
        bold.setBold(True)
        self.label.setFont(bold)
        layout.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.label)

    def set_state(self, state: str) -> None:
        self.label.setText(state or "unknown")
        self.dot.state = state
        self.dot.update()


class LevelMeter(QProgressBar):
    """The microphone's loudness, so the user can see they are heard (or that the mic is dead)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 100)
        self.setValue(0)
        self.setTextVisible(False)
        self.setAccessibleName("Microphone level")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFixedSize(em(self, 5), em(self, 0.55))

    def set_rms(self, rms: float) -> None:
        self.setValue(rms_to_percent(rms))


class CaptureIndicator(QLabel):
    """Whether the screen is being captured: on, ready (allowed, not capturing now), paused, off.

    `enabled` is the user's consent (settings), `paused` the tray switch, `active` what the runner
    last reported (None until it says). A runner that reports capturing always shows "on": the
    user must never be watched without the indicator saying so.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Screen capture")
        self.enabled = False
        self.paused = False
        self.active: bool | None = None
        self._render()

    @property
    def status(self) -> str:
        if self.active:
            return "on"
        if not self.enabled:
            return "off"
        if self.paused:
            return "paused"
        return "ready" if self.active is False else "on"

    def set_active(self, active: bool) -> None:
        self.active = active
        self._render()

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self._render()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._render()

    def _render(self) -> None:
        status = self.status
        words = {"on": "looking", "ready": "allowed, not looking", "off": "off", "paused": "paused"}[status]
        self.setText(f"{'◉' if status == 'on' else '○'} Screen: {words}")
        self.setToolTip(CAPTURE_HELP[status])
        self.setAccessibleDescription(CAPTURE_HELP[status])


# What each capture status means, in the words the indicator's tooltip uses.
CAPTURE_HELP = {
    "off": "Presence cannot see your screen. To let it look when you ask, turn on 'Capture the screen' in "
           "Settings, under Screen.",
    "on": "Presence is capturing the screen now (you pressed Look at screen, asked about the screen, or a "
          "screen watch is running). What it reads stays on this computer.",
    "ready": "Presence may look at the screen when you ask (Look at screen, or a question about your screen) "
             "or while a screen watch runs. It is not looking now.",
    "paused": "Screen capture is paused: Presence will not look until you resume it from the tray menu.",
}
