"""`presence run`: the window (or, headless, the terminal) around one live session.

The window appears at once and says "loading models…"; models load and devices open on the
session's thread, so a slow or failing start is visible instead of a frozen or missing window.
Failures are one line (in the window and on stderr), never a traceback. Qt is imported only on
the window path, so `--headless` works on machines without Qt's system libraries (the session and
the headless terminal sink live in presence.runtime.session and presence.runtime.headless).

Conversation history (presence.history, on unless "Keep conversation history" is off): a recorder
sees every event on its way to the window or terminal; at start the previous conversation's end
is shown in the window and its last turns are handed to the session for the model to recall.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from presence.core import events
from presence.core.events import Event
from presence.runtime.headless import TerminalPrinter, run_headless
from presence.runtime.runner import EventSink
from presence.runtime.session import LOADING, Session, live_screen, sound_devices

NO_DISPLAY = ("presence: no display found (DISPLAY is not set); start it from a desktop session, "
              "or use `presence run --headless`")
# Qt platforms that draw without a windowing system (tests, VNC, kiosks).
_DISPLAYLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def display_available(env: dict[str, str] | None = None) -> bool:
    """Whether Qt can open a window here; checked first because Qt aborts the process otherwise."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux"):
        return True  # macOS and Windows always have their native platform
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if platform in _DISPLAYLESS_PLATFORMS:
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def run_gui(headless: bool, mic: str | None, speaker: str | None, seconds: float | None) -> int:
    """Entry point of `presence run`; returns the process exit code.

    0 when the session ran and was stopped (window closed, --seconds elapsed, Ctrl+C in
    headless mode gives 130); 1 when there is no display or models/devices failed to start.
    Devices named on the command line win over the ones chosen in Settings.
    """

    if not headless and not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    from presence import single_instance

    if not headless:  # the guard's socket is answered by this app's event loop
        from PySide6.QtWidgets import QApplication

        QApplication.instance() or QApplication(sys.argv[:1])
    guard = single_instance.acquire()
    if guard is None:
        print("presence: already running; asked it to show its window", file=sys.stderr)
        return 0
    try:
        return _run_gui(headless, mic, speaker, seconds, guard)
    finally:
        guard.release()


def open_history(settings: Mapping[str, Any]) -> tuple[Any, list[str], list[tuple[str, str]]]:
    """This session's history recorder (recording while "keep_history" is on), and the previous
    conversation's end: rows for the window and turns for the model's recall (none when it is off)."""
    import sqlite3

    from presence.history import HistoryError, HistoryRecorder, HistoryStore
    from presence.history.views import recall, window_rows

    keep = bool(settings["keep_history"])
    recorder = HistoryRecorder(enabled=keep)
    if not keep:
        return recorder, [], []
    try:
        with HistoryStore() as store:
            last = store.conversations(limit=1)
            lines = store.lines(last[0].id) if last else []
    except (HistoryError, OSError, sqlite3.Error) as exc:
        print(f"presence: history: {exc}", file=sys.stderr)
        return recorder, [], []
    return recorder, window_rows(lines), recall(lines)


def _run_gui(headless: bool, mic: str | None, speaker: str | None, seconds: float | None, guard: Any) -> int:
    from presence.devices.sound import resolve_device
    from presence.logs import hide
    from presence.settings.store import SECRET_KEYS, SettingsStore

    store = SettingsStore()
    loaded = store.load()  # once: a damaged file is moved aside here, and its message kept in `loaded`
    settings = loaded.settings
    hide(*(settings[k] for k in SECRET_KEYS))  # API keys never reach the log
    mic = mic if mic is not None else (settings["input_device"] or None)
    speaker = speaker if speaker is not None else (settings["output_device"] or None)
    resolve_device(mic, "input")  # a wrong device name fails at once, before models load
    resolve_device(speaker, "output")
    history, rows, recalled = open_history(settings)
    try:
        if headless:
            for message in [*loaded.messages, *([store.warning] if store.warning else [])]:
                print(f"presence: settings: {message}", file=sys.stderr)
            printer = TerminalPrinter(sys.stdout, sys.stderr)
            session = Session(history.wrap(printer), sound_devices(mic, speaker), open_screen=live_screen,
                              recall=recalled)
            session.apply_settings(settings.to_json())  # consent to capture the screen, models, voice...
            return run_headless(session, seconds)
        return run_window(lambda sink: Session(sink, sound_devices(mic, speaker), open_screen=live_screen,
                                               recall=recalled),
                          seconds, store=store, loaded=loaded, guard=guard, history=history, restored=rows)
    finally:
        history.close()


# --- window ---------------------------------------------------------------------------------
class WindowApp:
    """The window, its shell and the session behind them, wired together; the session starts when
    `start()` is called: at once on a normal start, on the welcome's Start on the first run.

    `run_window` runs one; tests open one and drive it with qtbot instead of `app.exec()`."""

    def __init__(self, make_session: Callable[[EventSink], Session], store: Any = None, loaded: Any = None,
                 probes: Mapping[str, Any] | None = None, checks: Sequence[Any] | None = None,
                 use_tray: bool = True, use_hotkeys: bool = True, guard: Any = None, history: Any = None,
                 restored: Sequence[str] = ()) -> None:
        from PySide6.QtWidgets import QApplication

        from presence.gui.bridge import EventBridge
        from presence.gui.settings_dialog import real_probes
        from presence.gui.shell import Shell
        from presence.gui.window import MainWindow
        from presence.settings.store import SettingsStore

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.app.setApplicationName("Presence")
        self.app.setDesktopFileName("presence")
        store = store if store is not None else SettingsStore()
        loaded = loaded if loaded is not None else store.load()
        self.bridge = EventBridge()
        self.window = MainWindow()
        self.bridge.connect_to(self.window.handle_event)

        def sink(event: Event) -> None:
            if isinstance(event, events.Error):  # also on stderr, one line, for logs and terminals
                print(f"presence: {event.source or 'error'}: {event.message}", file=sys.stderr, flush=True)
            self.bridge.post(event)

        self.session: Session = make_session(history.wrap(sink) if history is not None else sink)
        self.window.set_controller(self.session)
        self.window.restore_history(list(restored))  # the previous conversation's end, greyed
        self.window.set_state(LOADING)
        self.shell = Shell(self.app, self.window, self.session, store, loaded,
                           probes if probes is not None else real_probes(), checks, use_tray=use_tray,
                           use_hotkeys=use_hotkeys)
        self.shell.history = history  # "keep_history" switches it as settings are saved
        self.bridge.connect_to(self.shell.handle_event)
        if guard is not None:  # a second launch brings this window forward instead of opening another mic
            guard.set_handler(self.shell.show_window)
        self.started = False
        self._stopped = False

    def show(self) -> None:
        """The window now; the session too, unless this is the first run: then the welcome asks first,
        and nothing is loaded or heard before its Start."""
        self.window.show()
        if self.shell.maybe_welcome(on_start=self.start) is None:
            self.start()
        else:
            self.window.set_state("waiting for Start")

    def start(self) -> None:
        if not self.started:
            self.started = True
            self.window.set_state(LOADING)
            self.session.start()

    def shutdown(self) -> None:
        """Stop the session (once) and the event bridge."""
        if not self._stopped:
            self._stopped = True
            self.session.stop()
            self.bridge.close()

    def close(self) -> None:
        """After the event loop: everything down, the app left as a later run expects it."""
        self.shutdown()
        self.window.hide_on_close = False
        self.shell.close()
        self.app.setQuitOnLastWindowClosed(True)
        self.window.close()
        self.window.deleteLater()
        # Quitting closes the last window, and that asks to quit again: the second Quit event is still
        # queued when exec() returns. Delivered later, with no exec() running, it would make every
        # later event loop (the next run, a test's wait) end at once.
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.removePostedEvents(self.app, QEvent.Type.Quit)


def run_window(make_session: Callable[[EventSink], Session], seconds: float | None, store: Any = None,
               loaded: Any = None, probes: Mapping[str, Any] | None = None, checks: Sequence[Any] | None = None,
               use_tray: bool = True, use_hotkeys: bool = True, guard: Any = None, history: Any = None,
               restored: Sequence[str] = ()) -> int:
    """Show the window now, start the session behind it, run Qt until quit; then stop it.

    `make_session(sink)` builds the session whose events the window renders (tests pass one
    with fake devices). `store` is the SettingsStore (default: the platform config folder) and
    `loaded` what was already loaded from it;
    `probes` the settings dialog's Test callables and `checks` the welcome's doctor checks
    (defaults: the real ones). `history` records every event (presence.history) and `restored` is
    the previous conversation's end for the window. On the first run the session starts on the
    welcome's Start.
    """
    from PySide6.QtCore import QTimer

    running = WindowApp(make_session, store, loaded, probes, checks, use_tray, use_hotkeys, guard, history,
                        restored)
    app, shell = running.app, running.shell
    running.show()
    app.aboutToQuit.connect(running.shutdown)
    if seconds is not None:
        QTimer.singleShot(int(max(0.0, seconds) * 1000), shell.quit)
    # Ctrl+C in the terminal: Python only runs signal handlers when it gets control back, so a
    # timer hands it control a few times a second.
    previous = signal.signal(signal.SIGINT, lambda *_: shell.quit()) if _main_thread() else None
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        app.exec()
    finally:
        wake.stop()
        running.shutdown()
        app.aboutToQuit.disconnect(running.shutdown)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        running.close()
    return 1 if running.session.failed else 0


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
