"""API keys live in the keyring (a fake one here), or in a 0600 file with a visible warning when there is
none; never in settings.json, the log or copied diagnostics."""

from __future__ import annotations

import json
import logging
import stat

import pytest

from presence.settings.schema import Settings
from presence.settings.secrets import FILE_NAME, SERVICE, SecretStore, system_keyring
from presence.settings.store import SettingsStore

KEY = "sk-live-0123456789abcdef"


class FakeKeyring:
    def __init__(self, refuse: bool = False) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.refuse = refuse

    def get_password(self, service, user):
        return self.values.get((service, user))

    def set_password(self, service, user, value):
        if self.refuse:
            raise RuntimeError("the keyring is locked")
        self.values[(service, user)] = value

    def delete_password(self, service, user):
        del self.values[(service, user)]


def _with_key() -> Settings:
    return Settings.defaults().replace({"fg_backend": "server", "fg_server_key": KEY})


def test_keys_go_to_the_keyring_and_never_into_settings_json(tmp_path):
    ring = FakeKeyring()
    store = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, ring))
    store.save(_with_key())
    assert ring.values == {(SERVICE, "fg_server_key"): KEY}
    assert KEY not in store.path.read_text() and not (tmp_path / FILE_NAME).exists()
    assert store.warning == ""
    loaded = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, ring)).load()
    assert loaded.settings["fg_server_key"] == KEY and loaded.messages == []
    store.save(loaded.settings.replace({"fg_server_key": ""}))  # cleared: gone from the keyring too
    assert ring.values == {}


def test_without_a_keyring_keys_go_to_a_private_file_with_a_warning(tmp_path):
    store = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, None))
    store.save(_with_key())
    secrets = tmp_path / FILE_NAME
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert json.loads(secrets.read_text())["secrets"] == {"fg_server_key": KEY}
    assert KEY not in store.path.read_text()
    assert "readable only by you" in store.warning and "no keyring" in store.warning
    again = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, None))
    assert again.load().settings["fg_server_key"] == KEY and again.warning == store.warning
    assert SettingsStore(tmp_path / "empty", secrets=SecretStore(tmp_path / "empty", None)).warning == ""


def test_a_keyring_that_refuses_falls_back_to_the_file(tmp_path, caplog):
    store = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, FakeKeyring(refuse=True)))
    with caplog.at_level(logging.WARNING):
        store.save(_with_key())
    assert json.loads((tmp_path / FILE_NAME).read_text())["secrets"]["fg_server_key"] == KEY
    assert "refused" in store.warning
    assert KEY not in caplog.text and "fg_server_key" in caplog.text


def test_a_key_left_in_an_old_settings_file_is_moved_out_of_it(tmp_path):
    ring = FakeKeyring()
    (tmp_path / "settings.json").write_text(json.dumps({"version": 3, "settings": {"bg_server_key": KEY}}))
    loaded = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, ring)).load()
    assert loaded.settings["bg_server_key"] == KEY
    assert ring.values == {(SERVICE, "bg_server_key"): KEY}
    assert KEY not in (tmp_path / "settings.json").read_text()


def test_file_mode_is_forced_by_the_environment(monkeypatch):
    monkeypatch.setenv("PRESENCE_KEYRING", "file")
    assert system_keyring() is None


def test_keys_never_reach_the_log_or_the_diagnostics(tmp_path, monkeypatch):
    from presence import diagnostics, logs

    logs.hide(KEY)
    formatter = logs.ScrubbingFormatter("%(message)s")
    record = logging.LogRecord("presence", logging.ERROR, __file__, 1, "request failed with %s", (KEY,), None)
    assert KEY not in formatter.format(record)
    assert "Bearer ***" in logs.scrub("Authorization: Bearer abcdef123456")
    settings = SettingsStore(tmp_path, secrets=SecretStore(tmp_path, None))
    settings.save(_with_key())
    text = diagnostics.diagnostics_text(settings.load().settings.to_json())
    assert KEY not in text and "(set, hidden)" in text


@pytest.mark.parametrize("value", ["", KEY])
def test_repr_of_settings_never_shows_a_key(value):
    assert KEY not in repr(Settings.defaults().replace({"fg_server_key": value}))
