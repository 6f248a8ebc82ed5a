"""The "copy diagnostics" text: what a bug report needs, and nothing secret.

`diagnostics_text(settings)` lists Presence's and its libraries' versions, the platform and
display session, the audio devices, where the embedded models and the app's files are, and the
settings — with API keys, tokens and passwords replaced by "(set, hidden)" and credentials in
URLs removed. The home folder is shown as "~". Never included: the environment as a whole,
transcripts, the log's content (it may hold what the user said), screen text.

Every section is collected on its own: a missing library or a failing device query becomes a
line saying so, never an exception, so the action works exactly when something is broken.
Safe to call from any thread; it does not touch Qt widgets (PySide6 is only asked its version).
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

HIDDEN = "(set, hidden)"
EMPTY = "(empty)"
# distributions worth naming in a bug report (import name differs for some)
PACKAGES = ("presence", "PySide6-Essentials", "numpy", "onnxruntime", "ctranslate2", "faster-whisper", "piper-tts",
            "llama_cpp_python", "sounddevice", "mss", "pynput", "rapidocr", "platformdirs", "qasync", "httpx")
ENV_SHOWN = ("XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "DISPLAY", "WAYLAND_DISPLAY",
             "QT_QPA_PLATFORM", "QT_SCALE_FACTOR", "LANG", "PULSE_SERVER", "PIPEWIRE_RUNTIME_DIR")
_SECRET_NAME = re.compile(r"(api[_-]?key|key$|_key_|token|secret|passw|credential|auth|cookie|bearer)", re.I)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)
_URL_SECRET_PARAM = re.compile(r"([?&](?:api[_-]?key|key|token|access_token|secret|password|sig)=)[^&#\s'\"]+", re.I)
_TOKEN_LIKE = re.compile(r"\b(sk|pk|rk|hf|ghp|gho|xox[abp])[-_][A-Za-z0-9_\-]{8,}\b")


# --- secrets ---------------------------------------------------------------------------------
def _secret_keys() -> set[str]:
    try:
        from presence.settings.schema import SCHEMA
    except Exception:
        return set()
    return {s.key for s in SCHEMA if s.kind == "secret"}


def is_secret_key(key: str, declared: Iterable[str] = ()) -> bool:
    return key in set(declared) or bool(_SECRET_NAME.search(key))


def scrub(text: str) -> str:
    """Credentials inside free text: URL user:password@, ?api_key=..., sk-... style tokens."""
    text = _URL_USERINFO.sub(r"\g<scheme>***@", text)
    text = _URL_SECRET_PARAM.sub(r"\1***", text)
    return _TOKEN_LIKE.sub("***", text)


def redact_settings(settings: Mapping[str, Any], declared: Iterable[str] | None = None) -> dict[str, Any]:
    """A copy with secret values replaced by "(set, hidden)"/"(empty)"; nested mappings too."""
    declared = _secret_keys() if declared is None else set(declared)

    def clean(key: str, value: Any) -> Any:
        if is_secret_key(key, declared):
            return HIDDEN if value not in (None, "", (), []) else EMPTY
        if isinstance(value, Mapping):
            return {str(k): clean(str(k), v) for k, v in value.items()}
        if isinstance(value, str):
            return scrub(value)
        if isinstance(value, list | tuple):
            return [scrub(v) if isinstance(v, str) else v for v in value]
        return value

    return {str(k): clean(str(k), v) for k, v in settings.items()}


# --- sections --------------------------------------------------------------------------------
def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def section_versions() -> list[str]:
    frozen = getattr(sys, "frozen", False)
    kind = "bundle" if frozen else ("source checkout" if (Path(__file__).resolve().parent.parent / ".git").exists()
                                    else "installed")
    lines = [f"Presence {_version('presence') or '?'} ({kind})",
             f"Python {platform.python_version()} ({platform.python_implementation()}) {sys.executable}",
             f"OS: {_os_name()} ({platform.machine()})"]
    try:
        from PySide6 import QtCore, __version__

        lines.append(f"Qt: PySide6 {__version__}, Qt {QtCore.qVersion()}")
    except Exception as exc:
        lines.append(f"Qt: not available ({type(exc).__name__}: {exc})")
    found = [f"{d} {v}" for d in PACKAGES[2:] if (v := _version(d))]
    missing = [d for d in PACKAGES[2:] if not _version(d)]
    lines.append("Packages: " + ", ".join(found))
    if missing:
        lines.append("Not installed: " + ", ".join(missing))
    return lines


def _os_name() -> str:
    if sys.platform.startswith("linux"):
        try:
            info = platform.freedesktop_os_release()
            return f"{info.get('PRETTY_NAME', 'Linux')}, kernel {platform.release()}"
        except OSError:
            pass
    return platform.platform()


def section_session() -> list[str]:
    shown = [f"{k}={os.environ[k]}" for k in ENV_SHOWN if os.environ.get(k)]
    return [" ".join(shown) or "no desktop session variables set"]


def section_devices() -> list[str]:
    try:
        import sounddevice as sd
    except OSError as exc:
        return [f"PortAudio not available: {exc}"]
    except ImportError as exc:
        return [f"sounddevice not installed: {exc}"]
    try:
        devices = list(sd.query_devices())
        default_in, default_out = _default_index(sd, "input"), _default_index(sd, "output")
        apis = [a["name"] for a in sd.query_hostapis()]
    except Exception as exc:
        return [f"devices could not be listed: {type(exc).__name__}: {exc}"]
    lines = [f"host APIs: {', '.join(apis) or 'none'}"]
    for i, d in enumerate(devices):
        roles = [r for r, n in (("in", d["max_input_channels"]), ("out", d["max_output_channels"])) if n > 0]
        marks = [m for m, idx in (("default input", default_in), ("default output", default_out)) if idx == i]
        lines.append(f"#{i} {d['name']} [{'/'.join(roles)}] {int(d['default_samplerate'])} Hz"
                     + (f" ({', '.join(marks)})" if marks else ""))
    if len(lines) == 1:
        lines.append("no audio devices")
    return lines


def _default_index(sd: Any, kind: str) -> int | None:
    try:
        return int(sd.query_devices(kind=kind)["index"])
    except Exception:  # no such device
        return None


def section_models() -> list[str]:
    try:
        from presence.models.paths import EMBEDDED, ModelMissing, find, size_bytes
    except Exception as exc:
        return [f"model finder unavailable: {exc}"]
    lines = []
    for key, model in EMBEDDED.items():
        try:
            path = find(key)
            lines.append(f"{key}: {model.name}: {path} ({size_bytes(path) / 1e6:.1f} MB)")
        except ModelMissing as exc:
            lines.append(f"{key}: MISSING: {exc}")
    try:
        from presence.models.whisper_base import describe

        lines.append(f"asr_base: {describe()}")
    except Exception as exc:  # ModelMissing, ModelCorrupt, or anything else: a line, never a failure
        lines.append(f"asr_base: MISSING: {exc}")
    try:
        lines.append(f"llama-cpp-python {_version('llama_cpp_python') or '?'}"
                     if _import_ok("llama_cpp") else "llama-cpp-python: MISSING")
    except Exception as exc:
        lines.append(f"llama-cpp-python: {exc}")
    return lines


def _import_ok(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def section_files() -> list[str]:
    lines = []
    try:
        from presence.settings.store import config_dir

        lines.append(f"settings: {config_dir() / 'settings.json'}")
    except Exception as exc:
        lines.append(f"settings: unknown ({exc})")
    try:
        from presence.logs import log_path

        lines.append(f"log: {log_path()}")
    except Exception as exc:
        lines.append(f"log: unknown ({exc})")
    return lines


def section_settings(settings: Mapping[str, Any] | None) -> list[str]:
    if settings is None:
        return ["(not given)"]
    values = redact_settings(settings)
    extra = getattr(settings, "extra", None)  # presence.settings.schema.Settings keeps unknown keys here
    if isinstance(extra, Mapping) and extra:
        values.update({f"{k} (unknown to this version)": v for k, v in redact_settings(extra).items()})
    return [f"{k} = {v!r}" for k, v in values.items()] or ["(none)"]


def diagnostics_text(settings: Mapping[str, Any] | None = None) -> str:
    """Plain text for the clipboard or a bug report; see the module docstring for what is in it."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    sections: list[tuple[str, Callable[[], list[str]]]] = [
        ("Versions", section_versions), ("Session", section_session), ("Audio devices", section_devices),
        ("Models", section_models), ("Files", section_files), ("Settings", lambda: section_settings(settings))]
    out = [f"Presence diagnostics, {now}"]
    for title, collect in sections:
        try:
            lines = collect()
        except Exception as exc:  # one broken section must not lose the others
            lines = [f"could not be collected: {type(exc).__name__}: {exc}"]
        out.append("")
        out.append(f"{title}:")
        out.extend(f"  {line}" for line in lines)
    text = scrub("\n".join(out)) + "\n"
    home = str(Path.home())
    return text.replace(home + os.sep, "~" + os.sep) if len(home) > 1 else text
