"""`presence run`: the window (or, headless, the terminal) around one live session.

The window appears at once and says "loading models…"; models load and devices open on the
session's thread, so a slow or failing start is visible instead of a frozen or missing window.
Failures are one line (in the window and on stderr), never a traceback. Qt is imported only on
the window path, so `--headless` works on machines without Qt's system libraries (the session and
the headless terminal sink live in presence.runtime.session and presence.runtime.headless).
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


def _run_gui(headless: bool, mic: str | None, speaker: str | None, seconds: float | None, guard: Any) -> int:
    from presence.devices.sound import resolve_device
    from presence.settings.store import SettingsStore

    store = SettingsStore()
    loaded = store.load()  # once: a damaged file is moved aside here, and its message kept in `loaded`
    settings = loaded.settings
    mic = mic if mic is not None else (settings["input_device"] or None)
    speaker = speaker if speaker is not None else (settings["output_device"] or None)
    resolve_device(mic, "input")  # a wrong device name fails at once, before models load
    resolve_device(speaker, "output")
    if headless:
        for message in loaded.messages:
            print(f"presence: settings: {message}", file=sys.stderr)
        printer = TerminalPrinter(sys.stdout, sys.stderr)
        return run_headless(Session(printer, sound_devices(mic, speaker), open_screen=live_screen), seconds)
    return run_window(lambda sink: Session(sink, sound_devices(mic, speaker), open_screen=live_screen), seconds,
                      store=store, loaded=loaded, guard=guard)


# --- window ---------------------------------------------------------------------------------
def run_window(make_session: Callable[[EventSink], Session], seconds: float | None, store: Any = None,
               loaded: Any = None, probes: Mapping[str, Any] | None = None, checks: Sequence[Any] | None = None,
               use_tray: bool = True, use_hotkeys: bool = True, guard: Any = None) -> int:
    """Show the window now, start the session behind it, run Qt until quit; then stop it.

    `make_session(sink)` builds the session whose events the window renders (tests pass one
    with fake devices). `store` is the SettingsStore (default: the platform config folder) and
    `loaded` what was already loaded from it;
    `probes` the settings dialog's Test callables and `checks` the welcome's doctor checks
    (defaults: the real ones).
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from presence.gui.bridge import EventBridge
    from presence.gui.settings_dialog import real_probes
    from presence.gui.shell import Shell
    from presence.gui.window import MainWindow
    from presence.settings.store import SettingsStore

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Presence")
    app.setDesktopFileName("presence")
    store = store if store is not None else SettingsStore()
    loaded = loaded if loaded is not None else store.load()
    bridge = EventBridge()
    window = MainWindow()
    bridge.connect_to(window.handle_event)

    def sink(event: Event) -> None:
        if isinstance(event, events.Error):  # also on stderr, one line, for logs and terminals
            print(f"presence: {event.source or 'error'}: {event.message}", file=sys.stderr, flush=True)
        bridge.post(event)

    session: Session = make_session(sink)
    window.set_controller(session)
    window.set_state(LOADING)
    shell = Shell(app, window, session, store, loaded, probes if probes is not None else real_probes(), checks,
                  use_tray=use_tray, use_hotkeys=use_hotkeys)
    bridge.connect_to(shell.handle_event)
    if guard is not None:  # a second launch brings this window forward instead of opening another mic
        guard.set_handler(shell.show_window)
    window.show()
    shell.maybe_welcome()
    session.start()

    stopped = False

    def shutdown() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            session.stop()
            bridge.close()

    app.aboutToQuit.connect(shutdown)
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
        shutdown()
        app.aboutToQuit.disconnect(shutdown)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        window.hide_on_close = False
        shell.close()
        app.setQuitOnLastWindowClosed(True)
        window.close()
        window.deleteLater()
    return 1 if session.failed else 0


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
