"""A settings.json that is not UTF-8 is moved aside like any damaged file; the connection Test sends an
API key only to the URL typed in (no redirect is followed with it) and warns about plain http:// to
another machine."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from presence.settings.probes import ProbeError, check_llm_connection, is_loopback, plain_http_warning
from presence.settings.schema import Settings
from presence.settings.store import SettingsStore


def test_invalid_utf8_settings_are_moved_aside_and_defaults_used(tmp_path):
    store = SettingsStore(tmp_path, now=lambda: 1_795_000_000.0)
    store.path.write_bytes(b'{"version": 3, "settings": {"voice_speed": 1.2, "name": "\xff\xfe"}}')
    loaded = store.load()
    assert loaded.settings == Settings.defaults()
    assert len(loaded.messages) == 1 and "not UTF-8" in loaded.messages[0] and "moved to" in loaded.messages[0]
    (moved,) = tmp_path.glob("settings.json.corrupt-*")
    assert moved.read_bytes().endswith(b'"\xff\xfe"}}') and not store.path.exists()


@pytest.fixture
def servers():
    """Two loopback servers: `elsewhere` records who knocked; `redirecting` sends /v1/models there."""
    seen: list[dict] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append({"path": self.path, "auth": self.headers.get("Authorization")})
            body = json.dumps({"data": [{"id": "m"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    elsewhere = ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    target = f"http://127.0.0.1:{elsewhere.server_address[1]}/v1/models"

    class Redirecting(Elsewhere):
        def do_GET(self):  # noqa: N802
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

    redirecting = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (elsewhere, redirecting)]
    for t in threads:
        t.start()
    yield f"http://127.0.0.1:{redirecting.server_address[1]}/v1", seen
    for s in (elsewhere, redirecting):
        s.shutdown()
        s.server_close()


def _config(url, key=""):
    return {"backend": "server", "server_url": url, "server_model": "m", "server_key": key}


def test_a_redirect_is_not_followed_with_the_api_key(servers):
    url, seen = servers
    with pytest.raises(ProbeError, match="redirected to http://127.0.0.1:.*/v1/models; the API key is not sent"):
        check_llm_connection(_config(url, "sk-secret-123"))
    assert seen == []  # the other server never saw a request, let alone the key
    assert "Connected" in check_llm_connection(_config(url))  # without a key, a redirect is harmless
    assert seen == [{"path": "/v1/models", "auth": None}]


def test_plain_http_to_another_machine_is_warned_about():
    assert is_loopback("localhost") and is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("192.168.1.20") and not is_loopback("example.com")
    assert plain_http_warning("http://127.0.0.1:8080/v1", "sk") == ""
    assert plain_http_warning("https://models.example.com/v1", "sk") == ""
    warning = plain_http_warning("http://192.168.1.20:8080/v1", "sk")
    assert "your API key" in warning and "unencrypted" in warning and "https://" in warning
    assert "API key" not in plain_http_warning("http://192.168.1.20:8080/v1", "")
