"""Logging for a desktop app started by double-click: a rotating file in the platform state dir.

A launch from the menu has no terminal, so warnings and tracebacks must land in a file the user
can find (and that "copy diagnostics" can point to): `presence.log` in
$PRESENCE_LOG_DIR, else platformdirs' user_state_dir ("~/.local/state/presence" on Linux,
"%LOCALAPPDATA%\\presence" on Windows, "~/Library/Application Support/presence" on macOS).
The file rotates at 1 MB and keeps 3 old files, so it never grows without bound. The terminal
(stderr) keeps getting only warnings and errors, one line each, as before; tracebacks of
uncaught exceptions (main thread, Qt slots, worker threads) go to the file.

A crash (an exception nothing handled) also writes its traceback to `crash.log` beside it, which
rotates the same way (256 kB, 3 old files). Secrets never reach either file or the terminal:
every line is scrubbed of credentials in URLs, `?api_key=` parameters and sk-... style tokens,
and of the exact values registered with `hide()` (the API keys the settings hold).
"""

from __future__ import annotations

import datetime
import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from pathlib import Path

ENV_DIR = "PRESENCE_LOG_DIR"  # overrides the state dir (tests, portable installs)
FILE_NAME = "presence.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
CRASH_FILE_NAME = "crash.log"
CRASH_MAX_BYTES = 256_000
_hidden: set[str] = set()  # exact secret values never written (hide())
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)
_URL_SECRET_PARAM = re.compile(r"([?&](?:api[_-]?key|key|token|access_token|secret|password|sig)=)[^&#\s'\"]+", re.I)
_TOKEN_LIKE = re.compile(r"\b(sk|pk|rk|hf|ghp|gho|xox[abp])[-_][A-Za-z0-9_\-]{8,}\b")
_BEARER = re.compile(r"(bearer\s+)[A-Za-z0-9._~+/=\-]{6,}", re.I)


def hide(*values: str) -> None:
    """Never write these exact strings (API keys) to the log, the crash log or the terminal."""
    _hidden.update(v for v in values if v and len(v) >= 4)


def scrub(text: str) -> str:
    """Credentials in free text: hidden values, URL user:password@, ?api_key=..., bearer and sk-... tokens."""
    for value in _hidden:
        text = text.replace(value, "***")
    text = _URL_USERINFO.sub(r"\g<scheme>***@", text)
    text = _URL_SECRET_PARAM.sub(r"\1***", text)
    text = _BEARER.sub(r"\1***", text)
    return _TOKEN_LIKE.sub("***", text)


class ScrubbingFormatter(logging.Formatter):
    """Every line of the log file, tracebacks included, with secrets scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def rotate(path: Path, max_bytes: int, backup_count: int = BACKUP_COUNT) -> None:
    """Before appending to `path`: once it is max_bytes or more, it becomes path.1 (path.1 becomes
    path.2, ...; the oldest beyond backup_count is dropped)."""
    try:
        if path.stat().st_size < max_bytes:
            return
    except OSError:
        return
    for i in range(backup_count - 1, 0, -1):
        older = path.with_name(f"{path.name}.{i}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{i + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))


def write_crash_log(text: str | None = None, directory: Path | str | None = None) -> Path | None:
    """Append a crash's traceback (`text`, default: the exception being handled) to crash.log in the
    log folder, rotating it first; its path, or None when it cannot be written."""
    path = Path(directory) / CRASH_FILE_NAME if directory is not None else log_dir() / CRASH_FILE_NAME
    body = text if text is not None else traceback.format_exc()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        rotate(path, CRASH_MAX_BYTES)
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"--- {stamp} pid {os.getpid()}: {' '.join(sys.argv)}\n{scrub(body).rstrip()}\n\n")
    except OSError:
        return None
    return path
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
        return scrub(text)


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
        write_crash_log("".join(traceback.format_exception(exc_type, exc, tb)))
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
        handler.setFormatter(ScrubbingFormatter(FILE_FORMAT))
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
