"""API keys: in the desktop's keyring (Secret Service through `keyring`), never in settings.json.

    secrets = SecretStore(config_dir)
    secrets.set("fg_server_key", "sk-...")   # keyring, or the 0600 file when there is none
    secrets.get("fg_server_key")             # "" when none is stored

Where no keyring exists (a bare window manager, a headless box: keyring's "fail" backend) or it
refuses a write, keys go to `secrets.json` beside the settings, created readable only by the user
(mode 0600), and `warning` says so in one line for the window. $PRESENCE_KEYRING=file never asks
the system keyring (tests, portable installs). Values are never logged: errors name the key's
setting, not its value.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "presence"
FILE_NAME = "secrets.json"
ENV_BACKEND = "PRESENCE_KEYRING"


def system_keyring() -> Any | None:
    """The usable keyring backend, or None (no Secret Service, keyring missing, or $PRESENCE_KEYRING=file)."""
    if os.environ.get(ENV_BACKEND, "").strip().lower() == "file":
        return None
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration: the file is used
        log.warning("no usable keyring: %s", type(exc).__name__)
        return None
    if isinstance(backend, fail.Keyring) or type(backend).__module__.endswith(".null"):
        return None
    return backend


class SecretStore:
    """Get and set secrets by setting key. `backend`: a keyring backend (get_password, set_password,
    delete_password); by default the system's, found at first use."""

    _UNSET: Any = object()

    def __init__(self, directory: Path | str, backend: Any = _UNSET) -> None:
        self.directory = Path(directory)
        self._backend = backend
        self.fell_back = False  # a write went to the file because the keyring refused it

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    @property
    def backend(self) -> Any | None:
        if self._backend is SecretStore._UNSET:
            self._backend = system_keyring()
        return self._backend

    @property
    def uses_keyring(self) -> bool:
        return self.backend is not None and not self.fell_back

    @property
    def warning(self) -> str:
        """One line for the window when keys are kept in the file."""
        if self.uses_keyring:
            return ""
        why = "the keyring refused them" if self.backend is not None else "no keyring (Secret Service) was found"
        return f"API keys are stored in {self.path}, readable only by you, because {why}."

    # --- get / set --------------------------------------------------------------------------
    def get(self, key: str) -> str:
        backend = self.backend
        if backend is not None:
            try:
                value = backend.get_password(SERVICE, key)
            except Exception as exc:  # locked, dismissed, D-Bus gone: the file may still hold it
                log.warning("the keyring could not be read for %s: %s", key, type(exc).__name__)
            else:
                if value:
                    return str(value)
        return str(self._read_file().get(key, ""))

    def set(self, key: str, value: str) -> None:
        """Store (or, for "", forget) a secret. OSError when even the file cannot be written."""
        backend = self.backend
        if backend is not None:
            try:
                if value:
                    backend.set_password(SERVICE, key, value)
                else:
                    with contextlib.suppress(Exception):  # nothing stored is fine
                        backend.delete_password(SERVICE, key)
            except Exception as exc:
                log.warning("the keyring refused %s (%s); it is kept in %s", key, type(exc).__name__, self.path)
                self.fell_back = True
            else:
                self._update_file(key, "")  # a copy left from a run without a keyring goes
                return
        self._update_file(key, value)

    # --- the file ---------------------------------------------------------------------------
    def _read_file(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("%s is unreadable (%s); no API key is read from it", self.path, type(exc).__name__)
            return {}
        values = data.get("secrets") if isinstance(data, dict) else None
        return {str(k): v for k, v in values.items() if isinstance(v, str)} if isinstance(values, dict) else {}

    def _update_file(self, key: str, value: str) -> None:
        values = self._read_file()
        if values.get(key, "") == value:
            return
        if value:
            values[key] = value
        else:
            values.pop(key, None)
        if not values:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secrets-", suffix=".tmp", dir=self.directory)  # created 0600
        try:
            if hasattr(os, "fchmod"):  # mkstemp already makes it 0600; say so where umask games could not
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": 1, "secrets": values}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
