"""Settings on disk: versioned JSON, atomic saves, migrations from versions 0 and 1, and a damaged
file moved aside with a message while the defaults load."""

from __future__ import annotations

import json
import os
import stat

import pytest

from presence.settings import store as store_mod
from presence.settings.schema import Settings
from presence.settings.store import CURRENT_VERSION, SettingsStore, config_dir

FIXED_TIME = 1_795_000_000.0  # a fixed clock for the corrupt-<timestamp> name


@pytest.fixture
def store(tmp_path):
    return SettingsStore(tmp_path / "cfg", now=lambda: FIXED_TIME)


def test_first_run_is_defaults_and_writes_nothing(store):
    loaded = store.load()
    assert loaded.first_run and loaded.messages == [] and loaded.settings == Settings.defaults()
    assert not store.path.exists()


def test_round_trip_is_versioned_json(store):
    settings = Settings.defaults().replace({"voice_speed": 1.4, "screen_exclusions": ["Bank"], "autostart": True})
    store.save(settings)
    data = json.loads(store.path.read_text())
    assert data["version"] == CURRENT_VERSION and data["settings"]["voice_speed"] == 1.4
    assert data["settings"]["screen_exclusions"] == ["Bank"]
    loaded = SettingsStore(store.directory).load()  # a new process, as after a restart
    assert loaded.settings == settings and not loaded.first_run and loaded.messages == []


def test_save_is_atomic_and_private(store, monkeypatch):
    store.save(Settings.defaults())
    before = store.path.read_text()
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600  # may hold an API key

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_mod.os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.save(Settings.defaults().replace({"voice_speed": 2.0}))
    assert store.path.read_text() == before  # the old file is intact
    assert sorted(p.name for p in store.directory.iterdir()) == ["settings.json"]  # no temp file left


@pytest.mark.parametrize("content", [
    "{not json", "", "[1, 2]", '"text"', '{"version": 2, "settings": [1]}', '{"version": "two", "settings": {}}',
    '{"version": -1}', "\x00\x01garbage",
])
def test_corrupt_file_is_moved_aside_with_a_message(store, content):
    store.directory.mkdir(parents=True)
    store.path.write_text(content)
    loaded = store.load()
    assert loaded.settings == Settings.defaults()
    assert len(loaded.messages) == 1 and "damaged" in loaded.messages[0]
    aside = [p for p in store.directory.iterdir() if p.name.startswith("settings.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_text() == content
    assert aside[0].name in loaded.messages[0]
    assert not store.path.exists()
    store.save(loaded.settings)  # and the app can save over it afterwards
    assert store.load().messages == []


def test_two_corrupt_files_in_the_same_second_keep_both(store):
    for content in ("{bad", "{worse"):
        store.directory.mkdir(parents=True, exist_ok=True)
        store.path.write_text(content)
        store.load()
    aside = sorted(p.read_text() for p in store.directory.iterdir() if ".corrupt-" in p.name)
    assert aside == ["{bad", "{worse"]


def test_one_bad_value_falls_back_alone(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"version": 3, "settings": {"voice_speed": "fast", "backchannels": False}}))
    loaded = store.load()
    assert loaded.settings["backchannels"] is False and loaded.settings["voice_speed"] == 1.0
    assert len(loaded.messages) == 1 and "Speaking speed" in loaded.messages[0]


def test_migration_from_version_0(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"mic": "USB", "speaker": "HDMI", "llm": "http://127.0.0.1:9000/v1",
                                      "screen": True, "hotkey": "ctrl+shift+space", "voice_speed": 1.2}))
    loaded = store.load()
    s = loaded.settings
    assert loaded.migrated_from == 0 and loaded.messages == []
    assert (s["input_device"], s["output_device"]) == ("USB", "HDMI")
    assert s["fg_backend"] == s["bg_backend"] == "server"
    assert s["fg_server_url"] == s["bg_server_url"] == "http://127.0.0.1:9000/v1"
    assert s["screen_capture_enabled"] is True and s["hotkey_observe"] == "ctrl+shift+space"
    assert s["voice_speed"] == 1.2
    store.save(s)
    assert json.loads(store.path.read_text())["version"] == CURRENT_VERSION


def test_migration_from_version_0_gguf(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"llm": "/models/qwen.gguf"}))
    s = store.load().settings
    assert s["fg_backend"] == "gguf" and s["fg_gguf_path"] == "/models/qwen.gguf"


def test_migration_from_version_1(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"version": 1, "settings": {
        "llm_backend": "server", "llm_url": "http://host:8080/v1", "llm_model": "m", "llm_key": "sk-1",
        "barge_in": "high", "push_to_observe": "ctrl+alt+p", "keep_transcripts": True}}))
    loaded = store.load()
    s = loaded.settings
    assert loaded.migrated_from == 1 and loaded.messages == []
    for role in ("fg", "bg"):
        assert (s[f"{role}_backend"], s[f"{role}_server_url"], s[f"{role}_server_model"], s[f"{role}_server_key"]) \
            == ("server", "http://host:8080/v1", "m", "sk-1")
    assert s["barge_in_sensitivity"] == 75 and s["hotkey_observe"] == "ctrl+alt+p"
    assert "keep_transcripts" not in s and "keep_transcripts" not in s.extra  # dropped on the way (version 2 -> 3)


def test_migration_from_version_2_drops_settings_that_did_nothing(store):
    """voice, keep_transcripts, transcripts_dir were shown and read by nothing: an old file still loads, without
    them and without a message; screen_fps (then an unapplied idle rate) starts again from the watching default."""
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"version": 2, "settings": {
        "voice": "espeak", "keep_transcripts": True, "transcripts_dir": "/tmp/t", "screen_fps": 1.0,
        "voice_speed": 1.3, "screen_redaction": False}}))
    loaded = store.load()
    s = loaded.settings
    assert loaded.migrated_from == 2 and loaded.messages == []
    assert s["voice_speed"] == 1.3 and s["screen_redaction"] is False
    assert s["screen_fps"] == 5.0
    for key in ("voice", "keep_transcripts", "transcripts_dir"):
        assert key not in s and key not in s.extra
    store.save(s)
    saved = json.loads(store.path.read_text())
    assert saved["version"] == CURRENT_VERSION == 3
    assert not {"voice", "keep_transcripts", "transcripts_dir"} & set(saved["settings"])


def test_newer_version_keeps_unknown_settings(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"version": 9, "settings": {"voice_speed": 1.2, "hologram": {"on": True}}}))
    loaded = store.load()
    assert loaded.settings["voice_speed"] == 1.2 and "newer Presence" in loaded.messages[0]
    store.save(loaded.settings.replace({"voice_speed": 1.5}))
    assert json.loads(store.path.read_text())["settings"]["hologram"] == {"on": True}


def test_config_dir_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESENCE_CONFIG_DIR", str(tmp_path / "here"))
    assert config_dir() == tmp_path / "here"
    assert SettingsStore().path == tmp_path / "here" / "settings.json"
    monkeypatch.delenv("PRESENCE_CONFIG_DIR")
    assert config_dir().name == "presence"
