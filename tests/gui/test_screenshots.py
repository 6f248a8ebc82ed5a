"""The docs' screenshots come from the same sample the tests use; saved as test artifacts here
(`python -m presence.gui.screenshots docs/` refreshes the committed ones)."""

from __future__ import annotations

import pytest
from fakes_for_gui import needs_display

pytestmark = [pytest.mark.gui, needs_display]


def test_screenshots_of_window_panel_and_settings(qtbot, artifacts):
    from PySide6.QtGui import QImage

    from presence.gui.screenshots import save_screenshots

    paths = save_screenshots(artifacts / "screenshots")
    assert [p.name for p in paths] == ["main_window.png", "panel.png", "settings.png", "welcome.png"]
    for path in paths:
        image = QImage(str(path))
        assert not image.isNull() and image.width() > 300 and image.height() > 200, path
