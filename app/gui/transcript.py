"""The transcript view: one row per line of `TranscriptModel` (one per turn), newest at the bottom.

Rows are plain-text list items (never rich text): everything in them was said or written by the
user, a model or the screen. Which event lands on which line is the model's business
(transcript_model.py); this view only mirrors its lines. On top of that it lets the user:

* edit a line of theirs and send it again (double-click, F2 or the context menu): the edited text
  goes out through `resend_requested`, and comes back from the runner as a new typed line;
* open and close a "looked at the screen" entry (click, Enter or the context menu);
* copy any line.

It stays scrolled to the bottom while the user is at the bottom, including when a row grows
because a reply's next sentence arrived or the view was narrowed and the text re-wrapped (the
last line used to stay half hidden); a user who scrolled up to read is left where they are.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QFont, QGuiApplication, QIcon, QKeyEvent, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from presence.core import events
from presence.core.events import Event
from presence.gui.theme import em
from presence.gui.transcript_model import CUT_SHOWN_CHARS, Line, TranscriptModel, elide, mmss

__all__ = ["CUT_SHOWN_CHARS", "Transcript", "elide", "mmss"]
KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the model line's key


class _ResendDelegate(QStyledItemDelegate):
    """Edits a user line in place; Enter sends the edited text, the row itself is not changed."""

    def __init__(self, view: Transcript) -> None:
        super().__init__(view)
        self.view = view

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802 - Qt's name
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAccessibleName("Edit and resend")
        editor.setPlaceholderText("Edit, then press Enter to send again (Esc cancels)")
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        line = self.view.line_at(index.row())
        if isinstance(editor, QLineEdit) and line is not None:
            editor.setText(line.text)
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: object,  # noqa: N802 - Qt's name
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            text = " ".join(editor.text().split())
            if text:
                self.view.resend_requested.emit(text)


class Transcript(QListWidget):
    resend_requested = Signal(str)  # the user edited one of their lines and sent it again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_lines = TranscriptModel()
        self._items: dict[int, QListWidgetItem] = {}
        self._follow = True  # scrolled to the bottom: stay there as rows arrive or grow
        self.setAccessibleName("Transcript")
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setAlternatingRowColors(True)
        self.setSpacing(2)
        self.setItemDelegate(_ResendDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemClicked.connect(self._clicked)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(lambda value: setattr(self, "_follow", value >= bar.maximum() - 2))

    # --- from the window ------------------------------------------------------------------------
    def handle_event(self, event: Event) -> None:
        for line in self.model_lines.apply(event):
            self._show(line)

    def user_text(self, t_ms: int, text: str, typed: bool = True) -> None:
        self.handle_event(events.UserText(t_ms=t_ms, text=text, typed=typed or None))

    def assistant_text(self, t_ms: int, reply_id: int | None, text: str) -> None:
        self.handle_event(events.AssistantText(t_ms=t_ms, text=text, reply_id=reply_id))

    def barge_in(self, t_ms: int, reply_id: int | None, heard: str, cut: str) -> None:
        self.handle_event(events.BargeIn(t_ms=t_ms, reply_id=reply_id, heard=heard, cut=cut))

    def append(self, text: str) -> QListWidgetItem:
        """A plain line outside any turn (restored history, a note)."""
        item = QListWidgetItem(text)
        item.setToolTip(text)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.addItem(item)
        self._stick()
        return item

    def lines(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def line_at(self, row: int) -> Line | None:
        item = self.item(row)
        key = item.data(KEY_ROLE) if item is not None else None
        return self.model_lines.find(int(key)) if key is not None else None

    # --- user actions ---------------------------------------------------------------------------
    def edit_line(self, row: int) -> bool:
        """Open a user line for editing (Enter resends it); False for other lines."""
        line, item = self.line_at(row), self.item(row)
        if line is None or item is None or not line.editable:
            return False
        self.setCurrentItem(item)
        self.editItem(item)
        return True

    def toggle_screen(self, row: int) -> bool:
        line = self.line_at(row)
        toggled = self.model_lines.toggle(line.key) if line is not None else None
        if toggled is None:
            return False
        self._show(toggled)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.state() != \
                QAbstractItemView.State.EditingState and self.toggle_screen(self.currentRow()):
            return
        super().keyPressEvent(event)

    def _clicked(self, item: QListWidgetItem) -> None:
        self.toggle_screen(self.row(item))

    def _menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        row = self.row(item)
        line = self.line_at(row)
        menu = QMenu(self)
        if line is not None and line.editable:
            edit = QAction("&Edit and resend", menu)
            edit.triggered.connect(lambda: self.edit_line(row))
            menu.addAction(edit)
        if line is not None and line.kind == "screen":
            toggle = QAction("&Hide what was read" if not line.collapsed else "&Show what was read", menu)
            toggle.triggered.connect(lambda: self.toggle_screen(row))
            menu.addAction(toggle)
        copy = QAction("&Copy", menu)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self._plain(row)))
        menu.addAction(copy)
        menu.popup(self.viewport().mapToGlobal(pos))

    def _plain(self, row: int) -> str:
        line = self.line_at(row)
        if line is None:
            return self.item(row).text()
        if line.kind == "user":
            return line.text
        if line.kind == "screen":
            return line.text
        return line.answer

    # --- rows -----------------------------------------------------------------------------------
    def _show(self, line: Line) -> None:
        item = self._items.get(line.key)
        if item is None:
            item = QListWidgetItem()
            item.setData(KEY_ROLE, line.key)
            flags = item.flags() | Qt.ItemFlag.ItemIsEditable if line.editable else \
                item.flags() & ~Qt.ItemFlag.ItemIsEditable
            item.setFlags(flags)
            self._items[line.key] = item
            self.addItem(item)
            self._style(item, line)
        item.setText(line.render())
        item.setToolTip(line.tooltip())
        if line.interrupted:
            font = QFont(self.font())
            font.setItalic(True)
            item.setFont(font)
        self._stick()

    def _style(self, item: QListWidgetItem, line: Line) -> None:
        if line.kind == "screen":
            item.setIcon(screen_icon(self.palette().color(QPalette.ColorRole.PlaceholderText), em(self, 1.1)))
            item.setForeground(self.palette().brush(QPalette.ColorRole.PlaceholderText))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Looked at the screen at {mmss(line.t_ms)}")
        elif line.kind == "user":
            font = QFont(self.font())
            font.setWeight(QFont.Weight.DemiBold)
            item.setFont(font)

    def _stick(self) -> None:
        if self._follow:
            self.scrollToBottom()

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        """Rows were added or re-wrapped: keep the last one fully in view while following."""
        if self._follow:
            self.verticalScrollBar().setValue(maximum)


def screen_icon(colour: object, side: int) -> QIcon:
    """A small monitor outline: marks the "looked at the screen" entries."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour)  # type: ignore[call-overload]
    pen.setWidthF(max(1.0, side / 12))
    painter.setPen(pen)
    painter.drawRoundedRect(QRectF(side * 0.08, side * 0.14, side * 0.84, side * 0.56), side * 0.06, side * 0.06)
    painter.drawLine(int(side * 0.5), int(side * 0.7), int(side * 0.5), int(side * 0.84))
    painter.drawLine(int(side * 0.3), int(side * 0.86), int(side * 0.7), int(side * 0.86))
    painter.end()
    return QIcon(pixmap)
