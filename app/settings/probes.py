"""What the settings dialog's Test buttons do: a tone, a 1 s level, a model connection check.

Each returns one line for the user on success and raises ProbeError with one line on failure.
They block (up to a few seconds), so the dialog runs them off the GUI thread; the dialog receives
them as plain callables, so tests inject instant fakes.
"""

from __future__ import annotations

import json
import math
import urllib.error
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


def _check_server(url: str, model: str, key: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ProbeError("the server URL must start with http:// or https://")
    request = urllib.request.Request(url.rstrip("/") + "/models", headers={"Accept": "application/json"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 - user's own URL
            body = json.loads(response.read(1_000_000) or b"{}")
    except urllib.error.HTTPError as exc:
        raise ProbeError(f"the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ProbeError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None
    except ValueError:
        raise ProbeError(f"{url}/models did not answer with JSON; is it an OpenAI-compatible API?") from None
    names = [str(m.get("id")) for m in body.get("data", []) if isinstance(m, dict)] if isinstance(body, dict) else []
    if model and names and model not in names:
        raise ProbeError(f"the server does not have model {model!r}; it has: {', '.join(names[:5])}")
    return f"Connected to {url}: {len(names)} model(s)" + (f", {model!r} available." if model in names else ".")
