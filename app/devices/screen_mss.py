"""Real screen capture with mss: a ScreenSource whose frames come from a capture thread.

Why a thread and a slot: a grab costs ~0.4 ms with XShm but the BGRA->RGB copy a few more, and
an X server can stall; the tick thread must never wait on it. The mss handle is created *inside*
the capture thread (mss handles are not safe to share across threads). The thread keeps only the
latest frame; the tick reads it. The rate adapts: ~1 fps idle, the watching rate (set_fps, 5 fps
by default) while a watch is active or the screen is changing (a cheap sampled signature detects
change). Capture is off until set_capturing(True): privacy first, nothing is grabbed unless the
user asked. Frames are never written to disk.

Window titles (X11): the window list is read just before and just after each grab, and the grab
goes through the injected `frame_filter` before it is published. The real filter
(presence.screen.windows.exclude_windows, wired by whoever builds the screen) blanks windows whose
title matches an exclusion pattern (the watcher redacts the other titles), so nothing downstream
ever sees an excluded window's pixels or title. The filter is a required argument: this device knows no
privacy policy of its own, and a capture that forgot it must not publish unfiltered frames.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from presence.core.ports import FrameFilter, ScreenFrame, WindowInfo, to_frame


@dataclass(frozen=True)
class CaptureSettings:
    monitor: int = 1  # mss numbering: 0 = all monitors as one image, 1.. = one monitor
    idle_fps: float = 1.0
    active_fps: float = 5.0
    boost_after_change_s: float = 3.0  # stay fast this long after the screen changed


def bgra_to_rgb(raw: bytes | bytearray | memoryview, width: int, height: int) -> np.ndarray:
    """mss gives BGRA (alpha 0 on X11); an owned, contiguous H x W x 3 RGB copy.

    Channel-wise copies (~1 ms for 1280x800) or OpenCV (~0.1 ms, present with rapidocr); a
    reversed-stride `ascontiguousarray` would cost ~13 ms.
    """
    bgra = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    cv2 = _opencv()
    if cv2 is not None:
        return cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGB)
    out = np.empty((height, width, 3), np.uint8)
    out[..., 0] = bgra[..., 2]
    out[..., 1] = bgra[..., 1]
    out[..., 2] = bgra[..., 0]
    return out


_CV2: list[Any] = []


def _opencv() -> Any:
    """Headless OpenCV if installed (it comes with rapidocr); imported once, on first use."""
    if not _CV2:
        try:
            import cv2
        except ImportError:  # pragma: no cover
            _CV2.append(None)
        else:
            _CV2.append(cv2)
    return _CV2[0]


class MssScreen:
    """ScreenSource over mss. `latest(now_ms)` returns the newest frame, stamped in logical ms by
    its age (a frame captured 80 ms ago at now_ms=5000 has t_ms=4920); the same numpy array is
    returned until a newer capture replaces it, so consumers can skip unchanged frames by identity.
    """

    def __init__(self, settings: CaptureSettings | None = None, capturing: bool = False,
                 clock: Callable[[], float] = time.monotonic, display: str | None = None,
                 exclusions: tuple[str, ...] = (), window_lister: Callable[[], Any] | None = None, *,
                 frame_filter: FrameFilter) -> None:
        self.settings = settings or CaptureSettings()
        self._filter = frame_filter
        self._clock = clock
        self._display = display
        self._exclusions = tuple(exclusions)
        self._open_lister = window_lister or (lambda: _default_lister(display))
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._capturing = capturing
        self._watching = False
        self._frame: tuple[np.ndarray, float, tuple[WindowInfo, ...]] | None = None
        self._boost_until = 0.0
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self.frames = 0
        self.grab_ms: list[float] = []  # recent grab+convert times, for bench
        self.monitors: list[dict[str, int]] = []
        self.titles_available: bool | None = None  # known once capture ran: X11 window list or none
        if capturing:
            self._ensure_thread()

    # --- controls (any thread) ------------------------------------------------------------------
    def set_capturing(self, on: bool) -> None:
        """Turn capture on (the first frame follows within one grab) or off (the frame is dropped)."""
        with self._lock:
            self._capturing = on
            if not on:
                self._frame = None
        if on:
            self._ensure_thread()
        self._wake.set()

    @property
    def capturing(self) -> bool:
        return self._capturing

    def set_watching(self, on: bool) -> None:
        """While watching, capture at the active rate."""
        self._watching = on
        self._wake.set()

    def set_exclusions(self, patterns: tuple[str, ...] | list[str]) -> None:
        """Window title patterns never to capture; applies from the next grab (the current frame is dropped)."""
        patterns = tuple(p for p in patterns if p.strip())
        with self._lock:
            if patterns != self._exclusions:
                self._exclusions = patterns
                self._frame = None
        self._wake.set()

    @property
    def exclusions(self) -> tuple[str, ...]:
        return self._exclusions

    def set_monitor(self, monitor: int) -> None:
        self.settings = CaptureSettings(monitor, self.settings.idle_fps, self.settings.active_fps,
                                        self.settings.boost_after_change_s)
        with self._lock:
            self._frame = None
        self._wake.set()

    def set_fps(self, fps: float) -> None:
        """The capture rate while watching or just after a change (the screen_fps setting). Idle
        capture stays at 1 fps, or at this rate where that is lower. Applies from the next grab."""
        if not fps > 0:
            raise ValueError(f"capture rate must be positive, not {fps!r}")
        s = self.settings
        self.settings = CaptureSettings(s.monitor, min(CaptureSettings.idle_fps, fps), float(fps),
                                        s.boost_after_change_s)
        self._wake.set()

    # --- ScreenSource ------------------------------------------------------------------------------
    def latest(self, now_ms: int) -> ScreenFrame | None:
        with self._lock:
            if self._frame is None or not self._capturing:
                return None
            pixels, t_s, windows = self._frame
        age_ms = int(max(0.0, self._clock() - t_s) * 1000)
        return ScreenFrame(now_ms - age_ms, pixels, self.settings.monitor, windows)

    def wait_frame(self, timeout_s: float = 2.0) -> bool:
        """For tests and push-to-observe: block until a frame is available."""
        deadline = self._clock() + timeout_s
        while self._clock() < deadline:
            with self._lock:
                if self._frame is not None:
                    return True
            if self.error:
                return False
            time.sleep(0.005)
        return False

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self._lock:
            self._frame = None

    # --- the capture thread ------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="screen-capture", daemon=True)
            self._thread.start()

    def _interval_s(self, now: float) -> float:
        s = self.settings
        fast = self._watching or now < self._boost_until
        return 1.0 / (s.active_fps if fast else s.idle_fps)

    def _run(self) -> None:
        try:
            import mss
        except ImportError:  # pragma: no cover - mss is a dependency
            self.error = "screen capture needs mss: pip install mss==10.2.0"
            return
        try:
            sct = mss.MSS(display=self._display) if self._display else mss.MSS()
        except Exception as exc:  # no display, no permission
            self.error = f"screen capture unavailable: {exc}"
            return
        signature: bytes | None = None
        lister = self._lister()
        self.titles_available = lister is not None
        try:
            self.monitors = [dict(m) for m in sct.monitors]
            while not self._closed:
                if not self._capturing:
                    self._wake.wait()
                    self._wake.clear()
                    continue
                t0 = self._clock()
                monitors = sct.monitors
                index = self.settings.monitor if 0 <= self.settings.monitor < len(monitors) else 1
                mon = monitors[index]
                with self._lock:
                    patterns = self._exclusions
                before, lister = _list_windows(lister)
                shot = sct.grab(mon)
                after, lister = _list_windows(lister) if patterns else ([], lister)
                pixels = bgra_to_rgb(shot.raw, shot.width, shot.height)
                origin, size = (int(mon["left"]), int(mon["top"])), (shot.width, shot.height)
                pixels, windows = self._filter(pixels, to_frame(before, origin, *size), patterns,
                                               to_frame(after, origin, *size))
                sig = bytes(pixels[::37, ::41].tobytes())  # ~700 sampled pixels: cheap change hint
                if signature is not None and sig != signature:
                    self._boost_until = t0 + self.settings.boost_after_change_s
                signature = sig
                with self._lock:
                    if self._capturing and patterns == self._exclusions:
                        self._frame = (pixels, t0, windows)
                self.frames += 1
                self.grab_ms.append((self._clock() - t0) * 1000.0)
                del self.grab_ms[:-50]
                wait = self._interval_s(t0) - (self._clock() - t0)
                if wait > 0 and self._wake.wait(wait):
                    self._wake.clear()
        except Exception as exc:  # a display that goes away ends capture, visibly
            self.error = f"screen capture stopped: {exc}"
        finally:
            sct.close()
            if lister is not None:
                lister.close()

    def _lister(self) -> Any:
        try:
            return self._open_lister()
        except Exception:  # no window list: frames simply carry no titles
            return None


def _default_lister(display: str | None) -> Any:
    from presence.devices.x11_windows import open_window_lister

    return open_window_lister(display)


def _list_windows(lister: Any) -> tuple[list[WindowInfo], Any]:
    """The window list, or none; a lister that fails once (the X connection broke) is dropped."""
    if lister is None:
        return [], None
    try:
        return list(lister.windows()), lister
    except Exception:
        with contextlib.suppress(Exception):
            lister.close()
        return [], None
