"""The main window: state, live caption, transcript, typed input and a mute switch.

It only renders `Event`s (through `handle_event`, its single entry point) and forwards clicks to a
controller; it never touches models or devices, so it can be built and tested without a runner.
Everything the models or the user said is shown as plain text — never parsed as rich text or HTML,
because model output is untrusted data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from presence.core.types import Event

CUT_SHOWN_CHARS = 160  # longer "not said" text is elided in the row; the full text is the tooltip


class Controller(Protocol):
    """What the widgets may ask of the running assistant (the runner, or a session around it)."""

    def submit_text(self, text: str) -> None: ...

    def set_muted(self, muted: bool) -> None: ...


def mmss(t_ms: int) -> str:
    """Logical time as mm:ss, the transcript's timestamp."""
    total_s = max(0, int(t_ms)) // 1000
    return f"{total_s // 60:02d}:{total_s % 60:02d}"


def elide(text: str, limit: int = CUT_SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass
class _Reply:
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


class MainWindow(QMainWindow):
    """Renders events; `controller` may be None (tests, or while the app is still starting)."""

    def __init__(self, controller: Controller | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._replies: dict[int, _Reply] = {}
        self._caption_reply: int | None = None
        self.setWindowTitle("Presence")
        self.resize(640, 520)
        self._build()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget(self)
        root = QVBoxLayout(central)

        top = QHBoxLayout()
        state_title = QLabel("State:")
        self.state_label = QLabel("starting…")
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setAccessibleName("Assistant state")
        bold = QFont(self.state_label.font())
        bold.setBold(True)
        self.state_label.setFont(bold)
        state_title.setBuddy(self.state_label)
        self.mute_box = QCheckBox("&Mute microphone")
        self.mute_box.setAccessibleName("Mute microphone")
        self.mute_box.toggled.connect(self._on_mute)
        top.addWidget(state_title)
        top.addWidget(self.state_label, 1)
        top.addWidget(self.mute_box)
        root.addLayout(top)

        self.caption_label = QLabel("")
        self.caption_label.setTextFormat(Qt.TextFormat.PlainText)
        self.caption_label.setWordWrap(True)
        self.caption_label.setAccessibleName("Live caption")
        self.caption_label.setMinimumHeight(48)
        big = QFont(self.caption_label.font())
        big.setPointSizeF(big.pointSizeF() * 1.3 if big.pointSizeF() > 0 else 13)
        self.caption_label.setFont(big)
        root.addWidget(self.caption_label)

        self.error_label = QLabel("")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error")
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        root.addWidget(self.error_label)

        self.transcript = QListWidget()
        self.transcript.setAccessibleName("Transcript")
        self.transcript.setWordWrap(True)
        self.transcript.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.transcript.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.transcript.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.transcript.setAlternatingRowColors(True)
        root.addWidget(self.transcript, 1)

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
        # Keyboard order follows the reading order of what one does most: type, send, mute, read.
        QWidget.setTabOrder(self.input, self.send_button)
        QWidget.setTabOrder(self.send_button, self.mute_box)
        QWidget.setTabOrder(self.mute_box, self.transcript)
        self.input.setFocus()

    # --- controller -------------------------------------------------------------------------
    def set_controller(self, controller: Controller | None) -> None:
        self._controller = controller

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

    def _on_mute(self, muted: bool) -> None:
        if self._controller is not None:
            self._controller.set_muted(muted)

    # --- rendering --------------------------------------------------------------------------
    def handle_event(self, event: Event) -> None:
        """The single entry point: render one event from the runner or the session."""
        f = event.fields
        if event.type == "state":
            self.set_state(str(f.get("state", "")))
        elif event.type == "user_text":
            self._user_text(event.t_ms, str(f.get("text", "")))
        elif event.type == "assistant_text":
            self._assistant_text(event.t_ms, _reply_id(f), str(f.get("text", "")))
        elif event.type == "barge_in":
            self._barge_in(event.t_ms, _reply_id(f), str(f.get("heard", "")), str(f.get("cut", "")))
        elif event.type == "error":
            source = str(f.get("source", "")).strip()
            message = str(f.get("message", "")).strip() or "unknown error"
            self.show_error(f"{source}: {message}" if source else message)
        elif event.type == "tick_stats":
            self.statusBar().showMessage(f"tick p50 {f.get('p50_ms')} ms, max {f.get('max_ms')} ms")

    def set_state(self, state: str) -> None:
        self.state_label.setText(state or "unknown")

    def show_error(self, text: str) -> None:
        self.error_label.setText(f"Error — {' '.join(text.split())}")
        self.error_label.show()

    def _append(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setToolTip(text)
        self.transcript.addItem(item)
        self.transcript.scrollToBottom()
        return item

    def _user_text(self, t_ms: int, text: str) -> None:
        self._append(f"[{mmss(t_ms)}] You: {text}")
        self.caption_label.setText(f"You: {text}")
        self._caption_reply = None

    def _assistant_text(self, t_ms: int, reply_id: int | None, text: str) -> None:
        reply = self._replies.get(reply_id) if reply_id is not None else None
        if reply is None:
            reply = _Reply(self._append(""), t_ms)
            if reply_id is not None:
                self._replies[reply_id] = reply
        reply.sentences.append(text)
        self._render(reply)
        self.caption_label.setText(f"Presence: {text}")
        self._caption_reply = reply_id

    def _barge_in(self, t_ms: int, reply_id: int | None, heard: str, cut: str) -> None:
        reply = self._replies.get(reply_id) if reply_id is not None else None
        if reply is None:  # interrupted before a sentence was shown: still say what was cut
            reply = _Reply(self._append(""), t_ms)
            if reply_id is not None:
                self._replies[reply_id] = reply
        reply.heard, reply.cut = heard, cut
        self._render(reply)
        font = QFont(self.transcript.font())
        font.setItalic(True)
        reply.item.setFont(font)
        if reply.cut:
            reply.item.setToolTip(f"{reply.item.text()}\n\nNot said: {reply.cut}")
        if self._caption_reply == reply_id and not self.caption_label.text().endswith("interrupted"):
            self.caption_label.setText(f"{self.caption_label.text()} — interrupted")

    def _render(self, reply: _Reply) -> None:
        text = reply.render()
        reply.item.setText(text)
        reply.item.setToolTip(text)

    # --- for tests and accessibility tools --------------------------------------------------
    def transcript_lines(self) -> list[str]:
        return [self.transcript.item(i).text() for i in range(self.transcript.count())]


def _reply_id(fields: dict[str, Any]) -> int | None:
    value = fields.get("reply_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
