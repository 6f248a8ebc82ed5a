"""Logging for a desktop app started by double-click: a rotating file in the platform state dir.

A launch from the menu has no terminal, so warnings and tracebacks must land in a file the user
can find (and that "copy diagnostics" can point to): `presence.log` in
$PRESENCE_LOG_DIR, else platformdirs' user_state_dir ("~/.local/state/presence" on Linux,
"%LOCALAPPDATA%\\presence" on Windows, "~/Library/Application Support/presence" on macOS).
The file rotates at 1 MB and keeps 3 old files, so it never grows without bound. The terminal
(stderr) keeps getting only warnings and errors, one line each, as before; tracebacks of
uncaught exceptions (main thread, Qt slots, worker threads) go to the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path

ENV_DIR = "PRESENCE_LOG_DIR"  # overrides the state dir (tests, portable installs)
FILE_NAME = "presence.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
_MARK = "_presence_handler"  # attribute that marks the handlers setup_logging() installed
# libraries that log every request or transcription at INFO: warnings only, unless set otherwise
QUIET_LIBRARIES = ("faster_whisper", "httpx", "httpcore", "urllib3", "PIL", "asyncio", "qasync", "huggingface_hub")


class OneLineFormatter(logging.Formatter):
    """The terminal gets one line per record: an exception's type and message, not its traceback
    (the traceback goes to the log file)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        exc = saved[0]
        if exc and exc[1] is not None:
            text += f" ({exc[0].__name__}: {exc[1]})"
        return text


def _install_excepthooks() -> None:
    """Uncaught exceptions (main thread, Qt slots, worker threads) go to the log with their traceback.

    A launch from the menu has no terminal, so the default hooks' stderr tracebacks would be lost.
    Hooks someone else installed before are still called; Python's defaults are replaced.
    """
    if getattr(sys.excepthook, _MARK, False):
        return
    previous_sys, previous_thread = sys.excepthook, threading.excepthook
    log = logging.getLogger("presence")

    def sys_hook(exc_type, exc, tb) -> None:  # noqa: ANN001
        if issubclass(exc_type, KeyboardInterrupt):
            previous_sys(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if previous_sys is not sys.__excepthook__:
            previous_sys(exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        log.critical("uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value,
                                                                          args.exc_traceback))
        if previous_thread is not threading.__excepthook__:
            previous_thread(args)

    setattr(sys_hook, _MARK, True)
    sys.excepthook = sys_hook
    threading.excepthook = thread_hook


def log_dir() -> Path:
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("presence", appauthor=False))


def log_path() -> Path:
    return log_dir() / FILE_NAME


def setup_logging(level: int = logging.INFO, console_level: int = logging.WARNING, directory: Path | str | None = None,
                  max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT, console: bool = True) -> Path | None:
    """Send log records to the rotating file (at `level`) and to stderr (at `console_level`).

    Idempotent: calling it again replaces the handlers it installed before, and a stderr handler
    left by logging.basicConfig() (not other handlers, e.g. pytest's). Returns
    the log file's path, or None when the folder cannot be written (then stderr only, and a
    warning says why) — logging must never stop the app from starting.
    """
    root = logging.getLogger()
    # ours from an earlier call, and a plain stderr handler from logging.basicConfig(): replaced
    for handler in [h for h in root.handlers if getattr(h, _MARK, False) or (
            type(h) is logging.StreamHandler and h.stream in (sys.stderr, sys.__stderr__))]:
        root.removeHandler(handler)
        handler.close()
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(console_level)
        stream.setFormatter(OneLineFormatter(CONSOLE_FORMAT))
        setattr(stream, _MARK, True)
        root.addHandler(stream)
    path: Path | None = Path(directory) / FILE_NAME if directory is not None else log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count,
                                                       encoding="utf-8", delay=True)
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file (%s): %s", path, exc.strerror or exc)
        path = None
    else:
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(FILE_FORMAT))
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(min(level, console_level) if console else level)
    for name in QUIET_LIBRARIES:
        lib = logging.getLogger(name)
        if lib.level == logging.NOTSET:
            lib.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    _install_excepthooks()
    if path is not None:
        logging.getLogger("presence").info("start: pid %d, %s, python %s%s", os.getpid(), " ".join(sys.argv),
                                           sys.version.split()[0], " (bundle)" if getattr(sys, "frozen", False) else "")
    return path
