"""`presence history`: list, search, export (Markdown, JSON), delete one conversation, forget everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from presence.core import events
from presence.history import HistoryRecorder, HistoryStore
from presence.history.store import FILE_NAME


@pytest.fixture
def env(tmp_path):
    env = dict(os.environ, PRESENCE_DATA_DIR=str(tmp_path / "data"), PRESENCE_LOG_DIR=str(tmp_path / "logs"),
               PRESENCE_CACHE_DIR=str(tmp_path / "cache"))
    for name in ("data", "logs", "cache"):
        (tmp_path / name).mkdir()
    return env


def presence(env, *args):
    return subprocess.run([sys.executable, "-m", "presence.cli", "history", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def _two_conversations(env):
    path = os.path.join(env["PRESENCE_DATA_DIR"], FILE_NAME)
    for words in (("what time is it", "It is noon."), ("plan my week", "Monday: rest.")):
        recorder = HistoryRecorder(path)
        recorder(events.UserText(t_ms=200, text=words[0], reply_id=1))
        recorder(events.AssistantText(t_ms=600, text=words[1], reply_id=1))
        assert recorder.flush()
        recorder.close()
    return path


def test_list_search_and_export(env, tmp_path):
    assert "no history yet" in presence(env).stdout
    _two_conversations(env)
    listing = presence(env).stdout.splitlines()
    assert len(listing) == 2 and "plan my week" in listing[0] and "what time is it" in listing[1]
    found = presence(env, "--search", "NOON").stdout
    assert "Presence: It is noon." in found and "plan" not in found
    assert "nothing in the history matches" in presence(env, "--search", "zebra").stdout
    md, js = tmp_path / "h.md", tmp_path / "h.json"
    assert presence(env, "--export", "md", str(md)).returncode == 0
    text = md.read_text()
    assert text.index("what time is it") < text.index("plan my week")  # oldest first
    assert presence(env, "--export", "json", str(js)).returncode == 0
    data = json.loads(js.read_text())
    assert [c["lines"][0]["text"] for c in data["conversations"]] == ["what time is it", "plan my week"]
    bad = presence(env, "--export", "pdf", str(tmp_path / "h.pdf"))
    assert bad.returncode == 1 and bad.stderr.strip() == "presence: --export takes md or json, not 'pdf'"


def test_delete_one_conversation(env):
    path = _two_conversations(env)
    with HistoryStore(path) as store:
        first = store.conversations()[-1].id
    assert presence(env, "--delete", str(first)).stdout.strip() == f"deleted conversation {first}"
    assert "what time is it" not in presence(env).stdout
    missing = presence(env, "--delete", str(first))
    assert missing.returncode == 1 and "no conversation" in missing.stderr


def test_forget_all_removes_history_caches_and_logs_but_keeps_settings(env, tmp_path):
    path = _two_conversations(env)
    (tmp_path / "cache" / "whisper-base").mkdir()
    (tmp_path / "cache" / "whisper-base" / "model.bin").write_bytes(b"x")
    (tmp_path / "logs" / "presence.log.1").write_text("what I said")
    (tmp_path / "logs" / "crash.log").write_text("a traceback")
    settings = tmp_path / "settings.json"
    settings.write_text("{}")
    result = presence(env, "--forget-all")
    assert result.returncode == 0 and "forgot everything" in result.stdout
    assert not os.path.exists(path) and not list((tmp_path / "data").glob(f"{FILE_NAME}*"))
    assert not (tmp_path / "cache").exists()
    assert list((tmp_path / "logs").iterdir()) == []
    assert settings.exists()
    assert "no history yet" in presence(env).stdout
