"""The transcript: one row per turn with its time, and what an interruption cut off.

Rows are plain-text list items (never rich text): everything in them was said or written by the
user or the model. An assistant reply arrives sentence by sentence as each starts playing; a
barge-in rewrites its row to what was actually heard, marks it interrupted and keeps the unsaid
rest in the row (elided) and in full in the tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

CUT_SHOWN_CHARS = 160  # longer "not said" text is elided in the row; the full text is the tooltip


def mmss(t_ms: int) -> str:
    """Logical time as mm:ss, the transcript's timestamp."""
    total_s = max(0, int(t_ms)) // 1000
    return f"{total_s // 60:02d}:{total_s % 60:02d}"


def elide(text: str, limit: int = CUT_SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass
class Reply:
    """One assistant turn in the transcript: its sentences arrive one by one as they start."""

    item: QListWidgetItem
    t_ms: int
    sentences: list[str] = field(default_factory=list)
    heard: str | None = None
    cut: str | None = None

    def render(self) -> str:
        if self.cut is None:
            return f"[{mmss(self.t_ms)}] Presence: {' '.join(self.sentences)}"
        said = self.heard if self.heard else " ".join(self.sentences)
        text = f"[{mmss(self.t_ms)}] Presence: {said or '…'} — interrupted"
        if self.cut:
            text += f" (not said: {elide(self.cut)})"
        return text


class Transcript(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replies: dict[int, Reply] = {}
        self.setAccessibleName("Transcript")
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setAlternatingRowColors(True)

    def append(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setToolTip(text)
        self.addItem(item)
        self.scrollToBottom()
        return item

    def user_text(self, t_ms: int, text: str) -> None:
        self.append(f"[{mmss(t_ms)}] You: {text}")

    def assistant_text(self, t_ms: int, reply_id: int | None, text: str) -> None:
        reply = self._reply(t_ms, reply_id)
        reply.sentences.append(text)
        self._render(reply)

    def barge_in(self, t_ms: int, reply_id: int | None, heard: str, cut: str) -> None:
        """Mark the reply interrupted; one interrupted before any sentence showed still gets a row."""
        reply = self._reply(t_ms, reply_id)
        reply.heard, reply.cut = heard, cut
        self._render(reply)
        font = QFont(self.font())
        font.setItalic(True)
        reply.item.setFont(font)
        if reply.cut:
            reply.item.setToolTip(f"{reply.item.text()}\n\nNot said: {reply.cut}")

    def lines(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def _reply(self, t_ms: int, reply_id: int | None) -> Reply:
        reply = self.replies.get(reply_id) if reply_id is not None else None
        if reply is None:
            reply = Reply(self.append(""), t_ms)
            if reply_id is not None:
                self.replies[reply_id] = reply
        return reply

    def _render(self, reply: Reply) -> None:
        text = reply.render()
        reply.item.setText(text)
        reply.item.setToolTip(text)
