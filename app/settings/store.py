"""Settings on disk: versioned JSON in the platform config folder, atomic saves, migrations.

    {"version": 3, "settings": {"voice_speed": 1.1, ...}}

Loading never fails: a missing file is a first run (defaults); an unreadable one is moved aside
(settings.json.corrupt-<time>) and reported, so the user's file is kept for inspection and the app
still starts; a single bad value falls back to its default with a message naming it. Saving writes
a temporary file in the same folder and renames it over the old one (os.replace), so a crash or a
full disk mid-save leaves the previous file intact, never half a file.

API keys (the "secret" settings) are not in the file: they go to the desktop's keyring, or to a 0600
secrets.json when there is none (presence.settings.secrets; `warning` then says so after a load or
a save, for the window to show). A key found in an older settings.json is moved there on load.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presence.settings.schema import BY_KEY, SCHEMA, Settings
from presence.settings.secrets import SecretStore

SECRET_KEYS = tuple(s.key for s in SCHEMA if s.kind == "secret")

CURRENT_VERSION = 3
FILE_NAME = "settings.json"
ENV_DIR = "PRESENCE_CONFIG_DIR"  # overrides the platform folder (tests, portable installs)


def config_dir() -> Path:
    """$PRESENCE_CONFIG_DIR, else the platform's folder (~/.config/presence on Linux)."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("presence", appauthor=False))


def data_dir() -> Path:
    """The app's per-user data folder (for what it keeps besides settings)."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser() / "data"
    from platformdirs import user_data_dir

    return Path(user_data_dir("presence", appauthor=False))


@dataclass
class Loaded:
    settings: Settings
    messages: list[str] = field(default_factory=list)  # shown to the user (window error line / dialog)
    first_run: bool = False  # no settings file yet: show the welcome
    migrated_from: int | None = None


class CorruptSettings(ValueError):
    """The file exists but is not a settings file we can read."""


class SettingsStore:
    def __init__(self, directory: Path | str | None = None, now: Callable[[], float] = time.time,
                 secrets: SecretStore | None = None) -> None:
        self.directory = Path(directory) if directory is not None else config_dir()
        self._now = now
        self.secrets = secrets if secrets is not None else SecretStore(self.directory)
        self.warning = ""  # after load() or save(): why the API keys are in a file rather than the keyring

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    def load(self) -> Loaded:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Loaded(Settings.defaults(), first_run=True)
        except OSError as exc:
            return Loaded(Settings.defaults(), [f"Settings could not be read ({exc.strerror or exc}); using defaults."])
        try:
            version, values = migrate(_decode(raw))
        except CorruptSettings as exc:
            moved = self._move_aside()
            where = f"it was moved to {moved.name}" if moved else "it could not be moved aside"
            return Loaded(Settings.defaults(), [f"Your settings file was damaged ({exc}); {where} and the defaults "
                                                f"are used."])
        settings, messages = _validated(values)
        settings = self._with_secrets(settings, messages)
        if version > CURRENT_VERSION:
            messages.insert(0, f"settings.json is from a newer Presence (version {version}); settings this "
                               "version does not know are kept as they are.")
        return Loaded(settings, messages, migrated_from=version if version < CURRENT_VERSION else None)

    def _with_secrets(self, settings: Settings, messages: list[str]) -> Settings:
        """The settings with their API keys from the secret store; keys still in settings.json (written by
        an older Presence) are moved to the store and the file is rewritten without them."""
        in_file = {k: settings[k] for k in SECRET_KEYS if settings[k]}
        if in_file:
            try:
                self.save(settings)
            except OSError as exc:
                messages.append(f"API keys could not be moved out of settings.json ({exc.strerror or exc}).")
        stored = {k: self.secrets.get(k) for k in SECRET_KEYS if k not in in_file}
        settings = settings.replace({k: v for k, v in stored.items() if v})
        self.warning = self.secrets.warning if any(settings[k] for k in SECRET_KEYS) else ""
        return settings

    def save(self, settings: Settings) -> None:
        """Write atomically: temp file in the same folder (mode 0600), fsync, rename over. API keys go to
        the keyring (or the 0600 secrets file), never into settings.json."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for key in SECRET_KEYS:
            self.secrets.set(key, settings[key])
        self.warning = self.secrets.warning if any(settings[k] for k in SECRET_KEYS) else ""
        values = {**settings.to_json(), **dict.fromkeys(SECRET_KEYS, "")}
        data = json.dumps({"version": CURRENT_VERSION, "settings": values}, indent=2, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.directory)

    def _move_aside(self) -> Path | None:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._now()))
        target = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}-{n}")
        try:
            os.replace(self.path, target)
        except OSError:
            return None
        return target


def _decode(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptSettings(f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CorruptSettings(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CorruptSettings(f"expected an object, found {type(data).__name__}")
    return data


def _validated(values: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Known keys with valid values; each bad value is reported and replaced by its default."""
    good: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    messages: list[str] = []
    for key, value in values.items():
        setting = BY_KEY.get(key)
        if setting is None:
            extra[key] = value
            continue
        try:
            good[key] = setting.coerce(value)
        except ValueError as exc:
            messages.append(f"Setting '{setting.label}' was invalid ({exc}); using the default.")
    return Settings(good, extra), messages


# --- migrations ---------------------------------------------------------------------------------
def migrate(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(version the file had, its settings in the current shape).

    Version 0 — the prototype's flat object without a version: "mic", "speaker", "llm" (one
    string: "embedded", a URL or a .gguf path), "screen" (bool), "hotkey".
    Version 1 — {"version": 1, "settings": {...}} with one model for both roles ("llm_backend",
    "llm_url", "llm_model", "llm_key", "llm_gguf"), "barge_in" as low/medium/high and
    "push_to_observe" for the hotkey.
    Version 2 — the current shape plus settings that did nothing: "voice" (one voice ships),
    "keep_transcripts" and "transcripts_dir" (no transcript store yet), and "screen_fps", which
    then meant an idle rate and was never applied (now: the rate while watching, default 5).
    """
    version = data.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise CorruptSettings(f"version {version!r} is not a version number")
    if version == 0:
        values = _from_v0(data)
        version_in = 0
        values = _from_v2(_from_v1(values))
    else:
        values = data.get("settings")
        if not isinstance(values, dict):
            raise CorruptSettings("'settings' is missing or not an object")
        version_in = version
        if version == 1:
            values = _from_v1(values)
        if version <= 2:
            values = _from_v2(values)
    return version_in, dict(values)


def _from_v0(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    renames = {"mic": "input_device", "speaker": "output_device", "screen": "screen_capture_enabled",
               "hotkey": "push_to_observe"}
    for key, value in data.items():
        if key == "llm" and isinstance(value, str):
            if value.startswith(("http://", "https://")):
                out.update(llm_backend="server", llm_url=value)
            elif value.endswith(".gguf"):
                out.update(llm_backend="gguf", llm_gguf=value)
            else:
                out["llm_backend"] = "embedded"
        elif key != "version":
            out[renames.get(key, key)] = value
    return out


def _from_v1(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    llm = {"llm_backend": "backend", "llm_url": "server_url", "llm_model": "server_model", "llm_key": "server_key",
           "llm_gguf": "gguf_path"}
    for old, new in llm.items():
        if old in out:
            value = out.pop(old)
            for role in ("fg", "bg"):
                out.setdefault(f"{role}_{new}", value)
    if "barge_in" in out:
        level = out.pop("barge_in")
        out.setdefault("barge_in_sensitivity", {"low": 25, "medium": 50, "high": 75}.get(str(level), 50))
    if "push_to_observe" in out:
        out.setdefault("hotkey_observe", out.pop("push_to_observe"))
    return out


DROPPED_IN_V3 = ("voice", "keep_transcripts", "transcripts_dir", "screen_fps")


def _from_v2(values: dict[str, Any]) -> dict[str, Any]:
    """Drop the settings that were shown but never honoured; screen_fps starts again from its new default."""
    return {k: v for k, v in values.items() if k not in DROPPED_IN_V3}


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless to skip where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
