"""What the settings dialog's Test buttons do: a tone, a 1 s level, a model connection check, a voice preview.

Each returns one line for the user on success and raises ProbeError with one line on failure.
They block (up to a few seconds), so the dialog runs them off the GUI thread; the dialog receives
them as plain callables, so tests inject instant fakes.

The connection test never carries an API key anywhere but the URL typed in: with a key it follows
no redirect (a redirect is reported, with where it pointed), and a plain http:// URL to another
machine passes with a warning that the key and the conversation would travel unencrypted.
"""

from __future__ import annotations

import ipaddress
import json
import math
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TONE_HZ = 440.0
TONE_S = 0.4
LEVEL_S = 1.0
HTTP_TIMEOUT_S = 5.0


class ProbeError(RuntimeError):
    """A test failed; the message says why in one line."""


def _device(spec: str, kind: str) -> int | None:
    from presence.devices.sound import AudioDeviceError, resolve_device

    try:
        return resolve_device(spec or None, kind)
    except AudioDeviceError as exc:
        raise ProbeError(str(exc)) from None


def list_devices(kind: str) -> list[str]:
    """Names of the input or output devices ('' = the system default is always offered)."""
    try:
        import sounddevice as sd

        key = "max_input_channels" if kind == "input" else "max_output_channels"
        return [d["name"] for d in sd.query_devices() if d[key] > 0]
    except Exception:  # no PortAudio, no server: the dialog still offers the system default
        return []


def play_test_tone(device: str) -> str:
    import numpy as np
    import sounddevice as sd

    index = _device(device, "output")
    rate = 48_000
    t = np.arange(int(rate * TONE_S)) / rate
    fade = np.minimum(1.0, np.minimum(t, TONE_S - t) / 0.02)
    tone = (0.2 * np.sin(2 * math.pi * TONE_HZ * t) * fade).astype(np.float32)
    try:
        sd.play(tone, rate, device=index, blocking=True)
    except Exception as exc:
        raise ProbeError(f"could not play on the speaker: {exc}") from None
    return f"Played a {TONE_HZ:.0f} Hz tone on {sd.query_devices(index)['name']}."


def record_level(device: str) -> str:
    import numpy as np
    import sounddevice as sd

    index = _device(device, "input")
    rate = 16_000
    try:
        audio = sd.rec(int(rate * LEVEL_S), samplerate=rate, channels=1, dtype="float32", device=index, blocking=True)
    except Exception as exc:
        raise ProbeError(f"could not record from the microphone: {exc}") from None
    rms = float(np.sqrt(np.mean(np.square(audio)))) if audio.size else 0.0
    if rms <= 1e-6:
        raise ProbeError("the microphone delivered only silence; is it muted or unplugged?")
    name = sd.query_devices(index)["name"]
    return f"Heard a level of {20 * math.log10(rms):.0f} dBFS in {LEVEL_S:.0f} s from {name}."


def check_llm_connection(config: Mapping[str, Any]) -> str:
    """config: backend, server_url, server_model, server_key, gguf_path (one role's settings)."""
    backend = config.get("backend", "embedded")
    if backend == "embedded":
        from presence.models.paths import ModelMissing, find

        try:
            path = find("llm")
        except ModelMissing as exc:
            raise ProbeError(str(exc)) from None
        return f"Embedded model found: {path.name}."
    if backend == "gguf":
        return _check_gguf(Path(str(config.get("gguf_path", ""))).expanduser())
    if backend == "server":
        return _check_server(str(config.get("server_url", "")), str(config.get("server_model", "")),
                             str(config.get("server_key", "")))
    raise ProbeError(f"unknown backend {backend!r}")


def _check_gguf(path: Path) -> str:
    if not str(path) or not path.is_file():
        raise ProbeError(f"no file at {path}")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ProbeError(f"{path.name} is not a GGUF file")
    return f"{path.name} is a GGUF file ({path.stat().st_size / 1e6:.0f} MB)."


class _KeepKeyHere(urllib.request.HTTPRedirectHandler):
    """Redirects are refused for a request that carries an API key (urllib would send it along)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if req.has_header("Authorization"):
            raise ProbeError(f"the server redirected to {_without_credentials(newurl)}; the API key is not sent "
                             "there. If that is the right server, enter its URL instead")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _without_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def is_loopback(host: str) -> bool:
    """localhost, 127.x.x.x, ::1: traffic that never leaves this computer."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_warning(url: str, key: str) -> str:
    """A warning for plain http:// to another machine; '' otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return ""
    what = "your API key and what you say" if key else "what you say"
    return f" Warning: this is plain http:// to another machine, so {what} travel unencrypted; use https://."


def _check_server(url: str, model: str, key: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ProbeError("the server URL must start with http:// or https://")
    request = urllib.request.Request(url.rstrip("/") + "/models", headers={"Accept": "application/json"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    opener = urllib.request.build_opener(_KeepKeyHere)
    try:
        with opener.open(request, timeout=HTTP_TIMEOUT_S) as response:
            body = json.loads(response.read(1_000_000) or b"{}")
    except ProbeError:
        raise
    except urllib.error.HTTPError as exc:
        raise ProbeError(f"the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ProbeError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None
    except ValueError:
        raise ProbeError(f"{url}/models did not answer with JSON; is it an OpenAI-compatible API?") from None
    names = [str(m.get("id")) for m in body.get("data", []) if isinstance(m, dict)] if isinstance(body, dict) else []
    if model and names and model not in names:
        raise ProbeError(f"the server does not have model {model!r}; it has: {', '.join(names[:5])}")
    found = f"Connected to {url}: {len(names)} model(s)" + (f", {model!r} available." if model in names else ".")
    return found + plain_http_warning(url, key)


PREVIEW_TEXT = "Hello! This is how I sound at this speed."
_voice: Any = None  # the preview's own voice, loaded on first use (about half a second)
_voice_lock = threading.Lock()


def preview_voice(speed: float, device: str = "", text: str = PREVIEW_TEXT) -> str:
    """Say a test sentence in Presence's voice at `speed` on the chosen speaker (Settings' Preview,
    the welcome's speaker step). The conversation's own voice is not touched until Save."""
    import sounddevice as sd

    from presence.core.types import SAMPLE_RATE_HZ
    from presence.speech.tts import PiperTts

    global _voice
    index = _device(device, "output")
    with _voice_lock:
        try:
            if _voice is None:
                _voice = PiperTts(threads=1)
            _voice.set_speed(float(speed))
            audio = _voice.synthesize(text)
        except Exception as exc:
            raise ProbeError(f"the voice could not speak: {exc}") from None
    try:
        sd.play(audio, SAMPLE_RATE_HZ, device=index, blocking=True)
    except Exception as exc:
        raise ProbeError(f"could not play on the speaker: {exc}") from None
    return f"Said a test sentence at speed {float(speed):g} on {sd.query_devices(index)['name']}."
