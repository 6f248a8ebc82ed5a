"""First run: three short steps (microphone, speaker, screen), and nothing heard before Start.

The first page says what Presence is and that it listens only after Start; the app starts the
session (models, then the microphone) when `start_requested` fires, never before. Then:

1. Microphone: a live level meter and what Presence heard ("say hello"), from the session's own
   events, so the user sees the real path work: their words, transcribed.
2. Speaker: a test sentence in Presence's voice (the app mutes the microphone while it plays),
   with a word about the volume.
3. Screen: what is captured, when, and what never leaves the computer; capture stays off unless
   the user ticks the box.

The machine checks of `presence doctor` (models, audio devices, display) run in the background and
sit behind a "Details" button; only a one-line summary shows when something is wrong.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from presence.core import events
from presence.core.events import Event
from presence.gui.indicators import rms_to_percent
from presence.gui.theme import em

Say = Callable[[str], None]
Check = Callable[[Say], int]  # says lines, returns the number of problems (the doctor's shape)
PlayPhrase = Callable[[], str]  # plays the test sentence; returns one line, raises with one line

TEST_PHRASE = "Hello! This is how I sound. If this is too quiet or too loud, change your computer's volume."
READY_STATES = ("listening", "hearing", "thinking", "speaking", "observing", "muted")
INTRO = ("Presence is a voice assistant that runs on this computer. Talk to it as you would to a person: "
         "it answers in short turns, and you can interrupt it.\n\n"
         "Three short steps: your microphone, your speaker, and whether Presence may look at your screen.\n\n"
         "Presence does not listen until you press Start.")
SCREEN_WHAT = ("When you press Look at screen (Ctrl+Alt+O), ask about your screen, or ask Presence to watch for "
               "something, it takes a picture of the screen and reads the text on it. It does not look at other "
               "times.")
SCREEN_PRIVATE = ("The pictures and the text are read on this computer and are not kept. Nothing leaves this "
                  "computer, unless you set up a model server in Settings: then the text read (and, for a model "
                  "that sees images, a small picture) goes to that server.\n\n"
                  "Password managers and private browsing windows are never captured, and text that looks like a "
                  "password or a card number is hidden first. You can pause capture from the tray at any time.")


def doctor_checks() -> list[tuple[str, Check]]:
    """The doctor's checks that matter before the first conversation."""
    from presence.doctor import check_audio, check_display, check_models

    return [("Models", check_models), ("Audio", check_audio), ("Display", check_display)]


class _Relay(QObject):
    """Carries the worker threads' results to the dialog; its handlers are declared slots, so the queued
    calls run on the dialog's (GUI) thread."""

    line = Signal(str)
    finished = Signal(int)
    played = Signal(str, bool)


def _label(text: str = "", bold: bool = False, scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if bold or scale != 1.0:
        font = QFont(label.font())
        font.setBold(bold)
        if scale != 1.0 and font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * scale)
        label.setFont(font)
    return label


class WelcomeDialog(QDialog):
    start_requested = Signal()  # the user pressed Start: Presence may open the microphone now

    def __init__(self, checks: Sequence[tuple[str, Check]] | None = None, parent: QWidget | None = None,
                 play_phrase: PlayPhrase | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Presence")
        self._checks = list(checks) if checks is not None else None
        self._play_phrase = play_phrase
        self.problems: int | None = None  # None while the checks run
        self.started = False  # Start was pressed
        self.heard: list[str] = []  # what the microphone step transcribed
        self._relay = _Relay(self)
        self._relay.line.connect(self._check_line, Qt.ConnectionType.QueuedConnection)
        self._relay.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._relay.played.connect(self._played, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.intro_page = self._intro()
        self.mic_page = self._mic()
        self.speaker_page = self._speaker()
        self.screen_page = self._screen()
        for page in (self.intro_page, self.mic_page, self.speaker_page, self.screen_page):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self._details())
        layout.addLayout(self._buttons())
        self.setMinimumWidth(em(self, 30))
        self._show_page(0)

    # --- pages ----------------------------------------------------------------------------------
    @staticmethod
    def _page(title: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_label(title, bold=True, scale=1.3))
        return page, layout

    def _intro(self) -> QWidget:
        page, layout = self._page("Welcome to Presence")
        layout.addWidget(_label(INTRO))
        self.problem_label = _label()
        self.problem_label.hide()
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        return page

    def _mic(self) -> QWidget:
        page, layout = self._page("1 of 3 · Your microphone")
        layout.addWidget(_label("Say \u201chello\u201d. The bar moves when Presence hears sound, and your words "
                                "appear below."))
        self.mic_meter = QProgressBar()
        self.mic_meter.setRange(0, 100)
        self.mic_meter.setValue(0)
        self.mic_meter.setTextVisible(False)
        self.mic_meter.setAccessibleName("Microphone level")
        self.mic_meter.setFixedHeight(em(self, 0.8))
        layout.addWidget(self.mic_meter)
        self.mic_status = _label("Getting ready: loading the speech models…")
        self.mic_status.setAccessibleName("Microphone status")
        layout.addWidget(self.mic_status)
        self.heard_label = _label("", scale=1.3)
        self.heard_label.setAccessibleName("What Presence heard")
        self.heard_label.setMinimumHeight(em(self, 2.4))
        layout.addWidget(self.heard_label)
        layout.addWidget(_label("Nothing moves? Check that the right microphone is chosen in Settings and that it "
                                "is not muted."))
        layout.addStretch(1)
        return page

    def _speaker(self) -> QWidget:
        page, layout = self._page("2 of 3 · Your speaker")
        layout.addWidget(_label("Press Play to hear Presence's voice. If it is too quiet or too loud, change the "
                                "volume on your computer and play it again. (The microphone is paused while it "
                                "plays.)"))
        row = QHBoxLayout()
        self.play_button = QPushButton("&Play test sentence")
        self.play_button.setEnabled(self._play_phrase is not None)
        self.play_button.clicked.connect(self.play)
        self.play_result = _label()
        self.play_result.setAccessibleName("Test sentence result")
        row.addWidget(self.play_button)
        row.addWidget(self.play_result, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _screen(self) -> QWidget:
        page, layout = self._page("3 of 3 · Your screen")
        layout.addWidget(_label("What Presence captures", bold=True))
        layout.addWidget(_label(SCREEN_WHAT))
        layout.addWidget(_label("What never leaves this computer", bold=True))
        layout.addWidget(_label(SCREEN_PRIVATE))
        self.screen_box = QCheckBox("&Let Presence look at my screen when I ask")
        self.screen_box.setChecked(False)  # consent is opt-in
        self.screen_box.setAccessibleDescription("Allows screen capture. Off unless you tick it; you can change it "
                                                 "in Settings, under Screen.")
        layout.addWidget(self.screen_box)
        layout.addStretch(1)
        return page

    def _details(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = _label("Checking this computer…", bold=True)
        self.check_view = QPlainTextEdit()
        self.check_view.setReadOnly(True)
        self.check_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.check_view.setAccessibleName("Checks")
        self.check_view.setMinimumHeight(em(self, 8))
        layout.addWidget(self.summary_label)
        layout.addWidget(self.check_view)
        box.hide()
        self.details_box = box
        return box

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.details_button = QPushButton("&Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("What was checked on this computer (models, sound devices, display)")
        self.details_button.toggled.connect(self._toggle_details)
        self.back_button = QPushButton("&Back")
        self.back_button.clicked.connect(lambda: self._show_page(self.pages.currentIndex() - 1))
        self.start_button = QPushButton("&Start")
        self.start_button.setAccessibleDescription("Presence starts listening")
        self.start_button.clicked.connect(self.start)
        self.next_button = QPushButton("&Next")
        self.next_button.clicked.connect(lambda: self._show_page(self.pages.currentIndex() + 1))
        self.finish_button = QPushButton("&Finish")
        self.finish_button.clicked.connect(self.accept)
        row.addWidget(self.details_button)
        row.addStretch(1)
        for button in (self.back_button, self.start_button, self.next_button, self.finish_button):
            row.addWidget(button)
        return row

    def _show_page(self, index: int) -> None:
        index = max(0, min(index, self.pages.count() - 1))
        self.pages.setCurrentIndex(index)
        last = self.pages.count() - 1
        self.start_button.setVisible(index == 0 and not self.started)
        self.next_button.setVisible((0 < index < last) or (index == 0 and self.started))
        self.back_button.setVisible(index > 1)
        self.finish_button.setVisible(index == last)
        current = self.finish_button if index == last else self.start_button if index == 0 and not self.started \
            else self.next_button
        current.setDefault(True)
        current.setFocus()

    def _toggle_details(self, shown: bool) -> None:
        self.details_box.setVisible(shown)
        self.adjustSize()

    # --- actions --------------------------------------------------------------------------------
    def start(self) -> None:
        """Start: from now on Presence may listen; on to the microphone step."""
        if not self.started:
            self.started = True
            self.start_requested.emit()
        self._show_page(1)

    def page_name(self) -> str:
        return ("intro", "microphone", "speaker", "screen")[self.pages.currentIndex()]

    def screen_capture_allowed(self) -> bool:
        return self.screen_box.isChecked()

    def play(self) -> None:
        """The test sentence, on a worker thread (the voice loads and plays for a few seconds)."""
        if self._play_phrase is None:
            return
        self.play_button.setEnabled(False)
        self.play_result.setText("Playing…")
        threading.Thread(target=self._play, name="presence-welcome-voice", daemon=True).start()

    def _play(self) -> None:
        try:
            text, ok = str(self._play_phrase() if self._play_phrase else ""), True
        except Exception as exc:  # one line for the user, whatever failed
            text, ok = " ".join(str(exc).split()) or type(exc).__name__, False
        self._emit(self._relay.played, text, ok)

    @Slot(str, bool)
    def _played(self, text: str, ok: bool) -> None:
        self.play_button.setEnabled(True)
        self.play_result.setText(("Played. " + text).strip() if ok else f"Could not play it: {text}")

    # --- the session's events (from the shell, while the dialog is open) -------------------------
    def handle_event(self, event: Event) -> None:
        match event:
            case events.Level(rms=rms):
                self.mic_meter.setValue(rms_to_percent(float(rms)))
            case events.State(state=state):
                state = str(state)
                if state in READY_STATES:
                    self.mic_status.setText("Listening. Say \u201chello\u201d." if state != "muted" else
                                            "The microphone is muted (see the main window).")
                elif state:
                    self.mic_status.setText(f"Getting ready: {state}")
            case events.UserPartialText(text=text):
                self.heard_label.setText(f"\u201c{' '.join(str(text).split())}…\u201d")
            case events.UserText(text=text, typed=typed) if not typed:
                words = " ".join(str(text).split())
                self.heard.append(words)
                self.heard_label.setText(f"Presence heard: \u201c{words}\u201d")
            case events.Error(source=source, message=message):
                self.mic_status.setText(f"Problem: {source}: {message}" if source else f"Problem: {message}")

    # --- the machine checks (Details) ------------------------------------------------------------
    def run_checks(self) -> None:
        """Start the checks on a worker thread; lines appear behind Details as they are said."""
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

    @Slot(str)
    def _check_line(self, line: str) -> None:
        self.check_view.appendPlainText(line)

    @staticmethod
    def _emit(signal: Signal, *values: object) -> None:
        with contextlib.suppress(RuntimeError):  # dialog closed before the worker ended
            signal.emit(*values)  # type: ignore[attr-defined]

    @Slot(int)
    def _finished(self, problems: int) -> None:
        self.problems = problems
        self.summary_label.setText(
            "Everything needed was found." if not problems else
            f"{problems} problem(s): see the lines marked MISSING. Presence may still work; "
            "`presence doctor` in a terminal prints the same checks.")
        if problems:
            self.problem_label.setText(f"Something on this computer may need attention ({problems} "
                                       f"problem{'s' if problems != 1 else ''} found). See Details.")
            self.problem_label.show()
