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


@pytest.fixture
def make_shell(qtbot, private_config):
    """Builds Shells (window, fake controller, private settings, fake probes); closes them after the test."""
    from fakes_for_gui import FakeController, fake_probes
    from PySide6.QtWidgets import QApplication

    from presence.gui.shell import Shell
    from presence.gui.window import MainWindow
    from presence.settings.store import SettingsStore

    shells = []

    def make(use_tray: bool = False, use_hotkeys: bool = False, calls: list | None = None, checks: list | None = None):
        store = SettingsStore(private_config)
        window = MainWindow()
        qtbot.addWidget(window)
        controller = FakeController()
        window.set_controller(controller)
        shell = Shell(QApplication.instance(), window, controller, store, store.load(), fake_probes(calls),
                      checks or [], use_tray=use_tray, use_hotkeys=use_hotkeys)
        shells.append(shell)
        return shell, controller

    yield make
    for shell in shells:
        shell.close()
    QApplication.instance().setQuitOnLastWindowClosed(True)
