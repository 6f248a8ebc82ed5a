"""First run: what works on this machine (the doctor's checks) and consent before screen capture.

Shown once, when there is no settings file yet. The checks run on a worker thread (listing audio
devices can take a moment) and their lines appear as they come. Screen capture stays off unless
the user ticks the box: the app must ask before it looks at anything.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from presence.gui.theme import em

Say = Callable[[str], None]
Check = Callable[[Say], int]  # says lines, returns the number of problems (the doctor's shape)


def doctor_checks() -> list[tuple[str, Check]]:
    """The doctor's checks that matter before the first conversation."""
    from presence.doctor import check_audio, check_display, check_models

    return [("Models", check_models), ("Audio", check_audio), ("Display", check_display)]


class _Relay(QObject):
    line = Signal(str)
    finished = Signal(int)


class WelcomeDialog(QDialog):
    def __init__(self, checks: Sequence[tuple[str, Check]] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Presence")
        self._checks = list(checks) if checks is not None else None
        self.problems: int | None = None  # None while the checks run
        layout = QVBoxLayout(self)
        intro = QLabel("Presence listens while it talks and answers in short turns. Everything runs on this "
                       "computer; nothing is sent anywhere unless you set a model server in Settings.\n\n"
                       "First, a quick check of this machine:")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.check_view = QPlainTextEdit()
        self.check_view.setReadOnly(True)
        self.check_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.check_view.setAccessibleName("Checks")
        self.check_view.setMinimumSize(em(self, 36), em(self, 10))
        layout.addWidget(self.check_view, 1)
        self.summary_label = QLabel("Checking…")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        layout.addWidget(self.summary_label)
        self.screen_box = QCheckBox("&Let Presence see my screen (you can pause it from the tray, or turn it "
                                    "off in Settings)")
        self.screen_box.setChecked(False)  # consent is opt-in
        self.screen_box.setAccessibleDescription("Allows screen capture. Off unless you tick it.")
        layout.addWidget(self.screen_box)
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("&Start", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self._relay = _Relay(self)
        self._relay.line.connect(self.check_view.appendPlainText, Qt.ConnectionType.QueuedConnection)
        self._relay.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)

    def screen_capture_allowed(self) -> bool:
        return self.screen_box.isChecked()

    def run_checks(self) -> None:
        """Start the checks on a worker thread; lines appear as they are said."""
        threading.Thread(target=self._run, name="presence-welcome-checks", daemon=True).start()

    def _run(self) -> None:
        checks = self._checks if self._checks is not None else doctor_checks()
        problems = 0
        for title, check in checks:
            self._emit(self._relay.line, f"{title}:")
            try:
                problems += int(check(lambda line: self._emit(self._relay.line, line)))
            except Exception as exc:  # a check that breaks is itself a finding, not a crash
                problems += 1
                self._emit(self._relay.line, f"  MISSING {title.lower()} check failed: {exc}")
        self._emit(self._relay.finished, problems)

    @staticmethod
    def _emit(signal: Signal, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # dialog closed before the checks ended
            signal.emit(value)  # type: ignore[attr-defined]

    def _finished(self, problems: int) -> None:
        self.problems = problems
        self.summary_label.setText(
            "All good." if not problems else
            f"{problems} problem(s): see the lines marked MISSING. Presence may still start; "
            "`presence doctor` in a terminal prints the same checks.")
