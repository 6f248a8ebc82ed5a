"""Colours that follow the system palette, so light and dark desktops both stay readable.

Widgets use palette roles for everything; the few semantic colours (state dot, error line) are
picked here from the palette's lightness and recomputed when the palette changes, instead of
hard-coding a red that disappears on a dark background. Sizes derive from font metrics, never
from fixed pixels, so high-DPI screens scale them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QWidget

# state -> (colour on light backgrounds, colour on dark backgrounds)
_STATE_COLOURS: dict[str, tuple[str, str]] = {
    "listening": ("#1b7f3b", "#5fd38a"),
    "hearing": ("#0b6e4f", "#46e0b0"),
    "thinking": ("#a05a00", "#ffb74d"),
    "speaking": ("#1857b6", "#7fb2ff"),
    "observing": ("#6a1b9a", "#ce93d8"),
    "muted": ("#6b6b6b", "#a8a8a8"),
    "error": ("#b00020", "#ff8a80"),
}
_NEUTRAL = ("#6b6b6b", "#a8a8a8")
_ERROR = _STATE_COLOURS["error"]


def is_dark(palette: QPalette) -> bool:
    """Dark theme = the window background is darker than its text."""
    roles = QPalette.ColorRole
    return palette.color(roles.Window).lightness() < palette.color(roles.WindowText).lightness()


def state_colour(state: str, palette: QPalette) -> QColor:
    light, dark = _STATE_COLOURS.get(state, _NEUTRAL)
    return QColor(dark if is_dark(palette) else light)


def error_colour(palette: QPalette) -> QColor:
    return QColor(_ERROR[1] if is_dark(palette) else _ERROR[0])


def em(widget: QWidget, factor: float = 1.0) -> int:
    """`factor` times the height of the widget's font, in device-independent pixels."""
    return max(1, round(QFontMetrics(widget.font()).height() * factor))
