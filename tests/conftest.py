"""Shared fixtures: the repo's paths, the optional ../shared scenarios, models loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO


@pytest.fixture(scope="session", autouse=True)
def private_log_dir(tmp_path_factory):
    """Tests (and the CLI subprocesses they start) log to a temporary folder, not the user's."""
    import os

    os.environ["PRESENCE_LOG_DIR"] = str(tmp_path_factory.mktemp("logs"))
    os.environ["PRESENCE_KEYRING"] = "file"  # API keys saved by tests never reach the developer's keyring
    os.environ["PRESENCE_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))  # nor does conversation history


@pytest.fixture(scope="session")
def models():
    from presence.runtime.build import load_models

    return load_models()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    d = REPO / "test-artifacts"
    d.mkdir(exist_ok=True)
    return d
