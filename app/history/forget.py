"""Forget everything: the history file (and its WAL, and damaged copies kept aside), the caches and
the logs. Settings and API keys stay (they are not a record of what was said)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable
from pathlib import Path

from presence.history.store import FILE_NAME

LOG_PATTERNS = ("presence.log*", "crash.log*")


def forget_everything(history_path: Path, cache_dirs: Iterable[Path] = (), log_dirs: Iterable[Path] = ()) -> list[Path]:
    """Delete what Presence kept of the user's conversations; the paths removed."""
    removed: list[Path] = []
    folder = history_path.parent
    for path in [history_path, *folder.glob(f"{FILE_NAME}-*"), *folder.glob(f"{FILE_NAME}.corrupt-*")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    for cache in cache_dirs:
        if cache.is_dir():
            shutil.rmtree(cache, ignore_errors=True)
            removed.append(cache)
    for logs in log_dirs:
        for pattern in LOG_PATTERNS:
            for path in logs.glob(pattern):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed
