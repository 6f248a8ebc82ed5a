"""The mss capture adapter on a real X display (Xvfb in CI: `eval "$(bash .ci/x-setup.sh start)"`)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time

import numpy as np
import pytest

from presence.devices.screen_mss import CaptureSettings, MssScreen, bgra_to_rgb
from presence.screen.windows import exclude_windows

pytestmark = pytest.mark.gui


def _display_or_skip() -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("no X display (set DISPLAY, e.g. via .ci/x-setup.sh start)")
    try:
        import mss

        with mss.MSS() as sct:
            sct.grab(sct.monitors[1])
    except Exception as exc:
        pytest.skip(f"X display not usable for capture: {exc}")


class RootColor:
    """Paint the root window one colour with plain Xlib (no toolkit), so a capture has known pixels."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("X11")
        if path is None:
            pytest.skip("libX11 not found")
        x = ctypes.cdll.LoadLibrary(path)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XSetWindowBackground.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
        x.XClearWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.x = x
        self.dpy = x.XOpenDisplay(None)
        if not self.dpy:
            pytest.skip("cannot open the X display with Xlib")
        self.root = x.XDefaultRootWindow(self.dpy)

    def paint(self, rgb: int) -> None:
        self.x.XSetWindowBackground(self.dpy, self.root, rgb)  # 24-bit TrueColor: 0xRRGGBB
        self.x.XClearWindow(self.dpy, self.root)
        self.x.XSync(self.dpy, 0)

    def close(self) -> None:
        self.paint(0x000000)
        self.x.XCloseDisplay(self.dpy)


def _share_of(pixels: np.ndarray, rgb: tuple[int, int, int]) -> float:
    return float((pixels == np.array(rgb, np.uint8)).all(axis=2).mean())


def test_bgra_to_rgb():
    bgra = bytes([10, 20, 30, 0, 1, 2, 3, 0])
    assert bgra_to_rgb(bgra, 2, 1).tolist() == [[[30, 20, 10], [3, 2, 1]]]


def test_capture_off_until_asked():
    screen = MssScreen(frame_filter=exclude_windows)
    try:
        assert screen.latest(1000) is None and not screen.capturing
        assert screen.frames == 0
    finally:
        screen.close()


def test_captures_real_frames_in_rgb():
    _display_or_skip()
    root = RootColor()
    screen = MssScreen(CaptureSettings(monitor=1), capturing=True, frame_filter=exclude_windows)
    try:
        root.paint(0xC81E0A)  # R=200 G=30 B=10: a BGR mix-up would show as (10, 30, 200)
        time.sleep(0.05)
        assert screen.wait_frame(3.0), screen.error
        deadline = time.monotonic() + 3
        frame = screen.latest(5000)
        while _share_of(frame.pixels, (200, 30, 10)) < 0.5 and time.monotonic() < deadline:
            screen.set_watching(True)  # capture faster until the repaint is in
            time.sleep(0.2)
            frame = screen.latest(5000)
        assert frame is not None and frame.pixels.dtype == np.uint8 and frame.pixels.ndim == 3
        assert frame.pixels.shape[2] == 3 and frame.pixels.flags.c_contiguous
        assert _share_of(frame.pixels, (200, 30, 10)) > 0.5  # most of the screen is the root colour
        assert 4000 <= frame.t_ms <= 5000  # stamped by its age in logical ms
        assert screen.grab_ms and float(np.median(screen.grab_ms)) < 50
    finally:
        screen.close()
        root.close()


def test_rate_adapts_and_capture_turns_off():
    _display_or_skip()
    screen = MssScreen(CaptureSettings(idle_fps=1.0, active_fps=5.0), capturing=True, frame_filter=exclude_windows)
    try:
        assert screen.wait_frame(3.0), screen.error
        time.sleep(0.1)
        n0 = screen.frames
        time.sleep(1.05)
        idle = screen.frames - n0
        screen.set_watching(True)
        n1 = screen.frames
        time.sleep(1.05)
        active = screen.frames - n1
        assert idle <= 3 and active >= 4, (idle, active)
        screen.set_capturing(False)
        assert screen.latest(9000) is None
        n2 = screen.frames
        time.sleep(0.5)
        assert screen.frames - n2 <= 1  # at most the grab in flight
    finally:
        screen.close()


def test_all_monitors_as_one_image():
    _display_or_skip()
    screen = MssScreen(CaptureSettings(monitor=0), capturing=True, frame_filter=exclude_windows)
    try:
        assert screen.wait_frame(3.0), screen.error
        frame = screen.latest(100)
        all_mon = screen.monitors[0]
        assert frame.pixels.shape[:2] == (all_mon["height"], all_mon["width"])
        assert frame.monitor == 0
    finally:
        screen.close()
