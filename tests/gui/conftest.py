"""Every GUI test gets its own settings and autostart folders, never the developer's real ones."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESENCE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return tmp_path / "config"


@pytest.fixture
def controlled(qtbot):
    """A shown main window wired to a FakeController: (window, controller)."""
    from fakes_for_gui import FakeController

    from presence.gui.window import MainWindow

    controller = FakeController()
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, controller
