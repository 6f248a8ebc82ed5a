"""The "Captures per second while watching" setting (screen_fps): MssScreen.set_fps sets the capture
interval while watching; idle capture stays at most 1 fps. No display needed (the thread is not started)."""

from __future__ import annotations

import pytest

from presence.devices.screen_mss import MssScreen
from presence.screen.windows import exclude_windows
from presence.settings.schema import BY_KEY, Settings


def _screen() -> MssScreen:
    return MssScreen(frame_filter=exclude_windows)


def test_default_matches_the_capture_default():
    screen = _screen()
    try:
        assert Settings.defaults()["screen_fps"] == screen.settings.active_fps == 5.0
    finally:
        screen.close()


@pytest.mark.parametrize(("fps", "watching_s", "idle_s"), [(2.0, 0.5, 1.0), (5.0, 0.2, 1.0), (0.5, 2.0, 2.0)])
def test_set_fps_sets_the_watching_interval(fps, watching_s, idle_s):
    screen = _screen()
    try:
        screen.set_monitor(0)
        screen.set_fps(fps)
        assert screen.settings.monitor == 0  # other capture settings are kept
        assert screen._interval_s(0.0) == pytest.approx(idle_s)  # not watching, no recent change
        screen.set_watching(True)
        assert screen._interval_s(0.0) == pytest.approx(watching_s)
        screen.set_watching(False)
        screen._boost_until = 10.0  # the screen changed a moment ago: the watching rate too
        assert screen._interval_s(5.0) == pytest.approx(watching_s)
        assert not screen.capturing and screen.frames == 0  # setting a rate captures nothing
    finally:
        screen.close()


def test_every_value_the_setting_allows_is_accepted_and_nonsense_is_refused():
    setting = BY_KEY["screen_fps"]
    screen = _screen()
    try:
        for fps in (setting.minimum, setting.default, setting.maximum):
            screen.set_fps(fps)
            assert screen.settings.active_fps == fps
        with pytest.raises(ValueError):
            screen.set_fps(0)
    finally:
        screen.close()
