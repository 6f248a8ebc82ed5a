"""State icons for the tray (and the window), drawn with QPainter at every size the tray asks for.

Drawn rather than shipped so each state has its own colour and glyph without asset files, and so
every size is sharp on high-DPI trays: a coloured disc with a white glyph (microphone, dots, sound
waves, eye, crossed-out microphone). Colours come from theme.py's light variants, which stay
readable on both light and dark panels because the glyph sits on its own disc.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap

from presence.gui.theme import state_colour

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128)
KNOWN_STATES = ("listening", "hearing", "thinking", "speaking", "observing", "muted", "error", "idle")


def _light_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("white"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("black"))
    return palette


def _mic(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(26, 14, 12, 22), 6, 6)
    path = QPainterPath()
    path.moveTo(20, 30)
    path.cubicTo(20, 44, 44, 44, 44, 30)
    p.drawPath(path)
    p.drawLine(QPointF(32, 41), QPointF(32, 49))
    p.drawLine(QPointF(25, 49), QPointF(39, 49))


def _dots(p: QPainter) -> None:
    p.save()
    p.setBrush(p.pen().color())
    for x in (20, 32, 44):
        p.drawEllipse(QPointF(x, 32), 3.5, 3.5)
    p.restore()


def _waves(p: QPainter) -> None:
    body = QPainterPath()
    body.moveTo(16, 27)
    body.lineTo(23, 27)
    body.lineTo(31, 19)
    body.lineTo(31, 45)
    body.lineTo(23, 37)
    body.lineTo(16, 37)
    body.closeSubpath()
    p.drawPath(body)
    for r in (7, 13):
        p.drawArc(QRectF(32 - r, 32 - r, 2 * r, 2 * r).translated(4, 0), -50 * 16, 100 * 16)


def _eye(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(14, 32)
    path.quadTo(32, 14, 50, 32)
    path.quadTo(32, 50, 14, 32)
    p.drawPath(path)
    p.save()
    p.setBrush(p.pen().color())
    p.drawEllipse(QPointF(32, 32), 5, 5)
    p.restore()


def _muted(p: QPainter) -> None:
    _mic(p)
    p.drawLine(QPointF(18, 16), QPointF(46, 48))


def _hearing(p: QPainter) -> None:
    _mic(p)
    p.drawArc(QRectF(9, 18, 12, 20), 110 * 16, 140 * 16)
    p.drawArc(QRectF(43, 18, 12, 20), -70 * 16, 140 * 16)


def _bang(p: QPainter) -> None:
    p.drawLine(QPointF(32, 17), QPointF(32, 37))
    p.drawPoint(QPointF(32, 46))


def _ring(p: QPainter) -> None:
    p.drawEllipse(QPointF(32, 32), 9, 9)


GLYPHS = {"listening": _mic, "hearing": _hearing, "thinking": _dots, "speaking": _waves, "observing": _eye,
          "muted": _muted, "error": _bang}


def paint_state(state: str, size: int, ratio: float = 1.0) -> QPixmap:
    """One pixmap of the state icon, `size` logical pixels square."""
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 64, size / 64)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(state_colour(state, _light_palette()))
    p.drawEllipse(QRectF(2, 2, 60, 60))
    pen = QPen(QColor("white"), 4.5 if size >= 32 else 6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    GLYPHS.get(state, _ring)(p)
    p.end()
    return pixmap


def paint_pause_badge(pixmap: QPixmap) -> QPixmap:
    """The same pixmap with a small dark disc and two white bars in its lower right corner: screen
    capture is paused."""
    size = pixmap.width() / pixmap.devicePixelRatio()
    out = QPixmap(pixmap)
    p = QPainter(out)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 64, size / 64)
    p.setPen(QPen(QColor("white"), 3))
    p.setBrush(QColor("#333333"))
    p.drawEllipse(QRectF(34, 34, 29, 29))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawRect(QRectF(42, 41, 5, 15))
    p.drawRect(QRectF(50, 41, 5, 15))
    p.end()
    return out


@lru_cache(maxsize=32)
def state_icon(state: str, screen_paused: bool = False) -> QIcon:
    """The icon for a runner state; unknown states (loading, stopped, ...) get a neutral ring.
    `screen_paused` adds the pause badge (screen capture paused from the tray or the window)."""
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = paint_state(state, size)
        icon.addPixmap(paint_pause_badge(pixmap) if screen_paused else pixmap)
    return icon
