"""The rotating log file and the "copy diagnostics" text."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from presence import diagnostics, logs


@pytest.fixture
def clean_root_logger():
    """setup_logging() changes the root logger; put it back so other tests are not affected."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = sys.excepthook, threading.excepthook
    yield root
    sys.excepthook, threading.excepthook = hooks
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


def test_log_file_rotates(tmp_path, clean_root_logger):
    path = logs.setup_logging(directory=tmp_path, max_bytes=2000, backup_count=2, console=False)
    assert path == tmp_path / "presence.log"
    log = logging.getLogger("presence.test")
    for i in range(200):
        log.info("line %03d %s", i, "x" * 40)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["presence.log", "presence.log.1", "presence.log.2"]
    assert all((tmp_path / f).stat().st_size <= 2000 for f in files)
    assert "line 199" in path.read_text()
    assert "line 000" not in "".join((tmp_path / f).read_text() for f in files)  # oldest rotated away


def test_setup_is_idempotent_and_replaces_basic_config(tmp_path, clean_root_logger, capsys):
    root = clean_root_logger
    logging.basicConfig(level=logging.WARNING, format="%(message)s", force=False)
    before = [h for h in root.handlers if type(h) is logging.StreamHandler and h.stream is sys.stderr]
    logs.setup_logging(directory=tmp_path)
    logs.setup_logging(directory=tmp_path)
    ours = [h for h in root.handlers if getattr(h, logs._MARK, False)]
    assert len(ours) == 2  # one stderr, one file: not doubled by the second call
    assert not any(h in root.handlers for h in before)
    logging.getLogger("presence.x").info("to the file only")
    logging.getLogger("presence.x").warning("to both")
    for h in ours:
        h.flush()
    text = (tmp_path / "presence.log").read_text()
    assert "to the file only" in text and "to both" in text and "start: pid" in text
    err = capsys.readouterr().err
    assert "to both" in err and "to the file only" not in err


def test_uncaught_exceptions_go_to_the_file_and_one_line_to_stderr(tmp_path):
    code = (f"from presence.logs import setup_logging; setup_logging(directory={str(tmp_path)!r})\n"
            "import threading\n"
            "t = threading.Thread(target=lambda: 1 / 0, name='worker'); t.start(); t.join()\n"
            "raise ValueError('boom')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines() == [
        "CRITICAL presence: uncaught exception in thread worker (ZeroDivisionError: division by zero)",
        "CRITICAL presence: uncaught exception (ValueError: boom)"]
    text = (tmp_path / "presence.log").read_text()
    assert text.count("Traceback") == 2 and "ZeroDivisionError" in text and "ValueError: boom" in text


def test_default_log_dir_honours_env(tmp_path, monkeypatch):
    monkeypatch.setenv(logs.ENV_DIR, str(tmp_path / "state"))
    assert logs.log_path() == tmp_path / "state" / "presence.log"
    monkeypatch.delenv(logs.ENV_DIR)
    assert logs.log_path().name == "presence.log" and "presence" in str(logs.log_path().parent)


def test_unwritable_log_dir_falls_back_to_stderr(tmp_path, clean_root_logger):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert logs.setup_logging(directory=blocker / "sub") is None


def test_diagnostics_hide_secrets(tmp_path, monkeypatch):
    from presence.settings.schema import Settings

    monkeypatch.setenv("PRESENCE_CONFIG_DIR", str(tmp_path))
    key = "sk-live-0123456789abcdef"
    settings = Settings.defaults().replace({"fg_backend": "server", "fg_server_key": key,
                                            "fg_server_url": "https://alice:hunter2@api.example.com/v1?api_key=Zq9",
                                            "bg_server_key": ""})
    text = diagnostics.diagnostics_text(settings)
    for secret in (key, "hunter2", "Zq9", "alice:"):
        assert secret not in text
    assert "fg_server_key = '(set, hidden)'" in text
    assert "bg_server_key = '(empty)'" in text
    assert "fg_backend = 'server'" in text  # ordinary settings are shown
    assert "https://***@api.example.com/v1?api_key=***" in text
    for section in ("Versions:", "Session:", "Audio devices:", "Models:", "Files:", "Settings:"):
        assert section in text
    assert "Presence " in text and "Python " in text
    assert "vad: Silero VAD:" in text


def test_diagnostics_plain_dict_and_nested_secrets():
    values = {"voice": "joe", "openai_api_key": "abc", "server": {"token": "t0k", "url": "http://h"},
              "password": "", "hotkey_mute": "ctrl+alt+m"}
    shown = diagnostics.redact_settings(values, declared=())
    assert shown == {"voice": "joe", "openai_api_key": "(set, hidden)",
                     "server": {"token": "(set, hidden)", "url": "http://h"}, "password": "(empty)",
                     "hotkey_mute": "ctrl+alt+m"}
    text = diagnostics.diagnostics_text(values)
    assert "abc" not in text.split("Settings:")[1] and "t0k" not in text


def test_diagnostics_without_settings_and_home_as_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("PRESENCE_CONFIG_DIR", str(Path.home() / "somewhere"))
    text = diagnostics.diagnostics_text(None)
    assert "Settings:\n  (not given)" in text
    assert str(Path.home()) + "/somewhere" not in text and "~/somewhere/settings.json" in text


def test_diagnostics_survive_a_broken_section(monkeypatch):
    def boom() -> list[str]:
        raise RuntimeError("device query exploded")

    monkeypatch.setattr(diagnostics, "section_devices", boom)
    text = diagnostics.diagnostics_text(None)
    assert "could not be collected: RuntimeError: device query exploded" in text
    assert "Models:" in text
