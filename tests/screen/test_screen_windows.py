"""Window titles and title exclusions: the pure blanking, and real Tk windows on an X display
(Xvfb in CI, `eval "$(bash .ci/x-setup.sh start)"`; no window manager there, only trayer)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from presence.core.ports import ScreenFrame, WindowInfo, to_frame
from presence.screen.reader import InlineReader
from presence.screen.watch import ScreenRead, ScreenWatcher
from presence.screen.windows import BLANK_RGB, EXCLUDED_TITLE, exclude_windows, title_matches


def test_title_patterns_match_substrings_case_blind_and_wildcards():
    """'1password' matches 'Vault — 1Password 8'; '*bank*statement' works as a glob."""
    assert title_matches("Vault — 1Password 8", ["1password"])
    assert title_matches("My Bank: March statement.pdf", ["*bank*statement"])
    assert not title_matches("Terminal", ["1Password", "", "  "])
    assert not title_matches("anything", [])


def test_an_equals_pattern_matches_the_whole_title_only():
    """'=Presence' is Presence's own window, not every window that mentions presence."""
    assert title_matches("Presence", ["=presence"]) and title_matches("Presence settings", ["=Presence settings"])
    assert not title_matches("Presence — notes.md - Editor", ["=Presence"])
    assert not title_matches("Online presence report", ["=Presence"])
    pixels = np.full((40, 80, 3), 7, np.uint8)
    out, listed = exclude_windows(pixels, [WindowInfo("Presence", (0, 0, 40, 40), active=True),
                                           WindowInfo("Presence — notes.md", (40, 0, 80, 40))], ("=Presence",))
    assert (out[:, :40] == BLANK_RGB).all() and (out[:, 40:] == 7).all()
    assert listed[0].excluded and not listed[1].excluded


def test_excluded_window_is_blanked_in_a_copy_and_its_title_hidden():
    """The frame is copied (never written in place); the excluded box is flat grey, others untouched."""
    pixels = np.full((100, 200, 3), 7, np.uint8)
    wins = [WindowInfo("Editor sk-abcdefghijklmnop1234", (0, 0, 50, 50)),
            WindowInfo("KeePassXC - db", (60, 10, 120, 60), active=True)]
    out, listed = exclude_windows(pixels, wins, ("keepassxc",))
    assert out is not pixels and (pixels == 7).all()
    assert (out[10:60, 60:120] == BLANK_RGB).all()
    assert (out[:, :60] == 7).all() and (out[:, 120:] == 7).all()
    assert listed[1] == WindowInfo(EXCLUDED_TITLE, (60, 10, 120, 60), active=True, excluded=True)
    # other titles pass as captured: the watcher redacts them with the screen text (test_screen_redaction_setting)
    assert listed[0] == wins[0]
    assert ScreenFrame(0, out, windows=listed).active_title == EXCLUDED_TITLE


def test_window_that_moved_during_the_grab_is_blanked_at_both_places():
    """Listings before and after the grab disagree: both boxes are blanked."""
    pixels = np.zeros((100, 100, 3), np.uint8)
    before = [WindowInfo("Bitwarden", (0, 0, 20, 20))]
    after = [WindowInfo("Bitwarden", (50, 50, 70, 70))]
    out, _ = exclude_windows(pixels, before, ("Bitwarden",), after)
    assert (out[0:20, 0:20] == BLANK_RGB).all() and (out[50:70, 50:70] == BLANK_RGB).all()


def test_no_matching_window_leaves_the_frame_itself():
    """Nothing to blank: the same array goes on (no copy per frame)."""
    pixels = np.zeros((10, 10, 3), np.uint8)
    out, listed = exclude_windows(pixels, [WindowInfo("Terminal", (0, 0, 5, 5))], ("Bank",))
    assert out is pixels and listed[0].title == "Terminal"


def test_windows_move_to_monitor_coordinates_and_off_monitor_ones_drop():
    """A second monitor at x=1280: a window there is at x=100 in that monitor's frame."""
    wins = [WindowInfo("left", (10, 10, 300, 300)), WindowInfo("right", (1380, 50, 1500, 150))]
    assert to_frame(wins, (1280, 0), 1920, 1080) == [WindowInfo("right", (100, 50, 220, 150))]
    assert to_frame(wins, (0, 0), 1280, 800)[0].box == (10, 10, 300, 300)


def test_watcher_state_carries_the_active_title():
    """The structured screen state reports the active window's title with the text read."""
    frame = ScreenFrame(0, np.zeros((40, 40, 3), np.uint8),
                        windows=(WindowInfo("bg", (0, 0, 10, 10)), WindowInfo("Build log", (0, 0, 40, 40), True)))
    watcher = ScreenWatcher(InlineReader(lambda _px: [("make: done", (0, 0, 30, 10))], instant=True))
    watcher.request_read()
    reads = [e for e in watcher.observe(frame, 200) if isinstance(e, ScreenRead)]
    assert reads and reads[0].state.active_title == "Build log"
    assert reads[0].state.context_text() == "Active window: Build log\nmake: done"
    assert reads[0].pixels is frame.pixels


# --- on a real X display -----------------------------------------------------------------------

TK_WINDOW = r"""
import sys, tkinter as tk
title, text, x, y = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
root = tk.Tk()
root.title(title)
root.geometry(f"+{x}+{y}")
tk.Label(root, text=text, font=("DejaVu Sans", 30), bg="white", fg="black", padx=30, pady=30).pack()
root.update()
print("shown", flush=True)
root.mainloop()
"""


@pytest.fixture
def x_display():
    if not os.environ.get("DISPLAY"):
        pytest.skip("no X display (set DISPLAY, e.g. via .ci/x-setup.sh start)")
    from presence.devices.x11_windows import open_window_lister

    lister = open_window_lister()
    if lister is None:
        pytest.skip("the X display cannot be opened with python-xlib")
    yield lister
    lister.close()


@pytest.fixture
def tk_windows():
    procs: list[subprocess.Popen] = []

    def show(title: str, text: str, x: int, y: int) -> None:
        p = subprocess.Popen([sys.executable, "-c", TK_WINDOW, title, text, str(x), str(y)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(p)
        line = p.stdout.readline() if p.stdout else ""
        if "shown" not in line:
            pytest.skip(f"a Tk window could not be shown: {p.stderr.read() if p.stderr else ''}")

    yield show
    for p in procs:
        p.terminate()
        p.wait(timeout=10)


def _wait_for(lister, titles: set[str], timeout_s: float = 10.0) -> list[WindowInfo]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        wins = lister.windows()
        if titles <= {w.title for w in wins}:
            return wins
        time.sleep(0.05)
    raise AssertionError(f"windows {titles} not listed; saw {[w.title for w in lister.windows()]}")


@pytest.mark.gui
def test_x11_lists_real_windows_with_titles_geometry_and_focus(x_display, tk_windows):
    """Two Tk windows are listed with their titles and where they are; the focused one is active."""
    tk_windows("Quarterly notes", "Meeting at noon", 40, 80)
    tk_windows("Build log", "All tests passed", 600, 420)
    wins = _wait_for(x_display, {"Quarterly notes", "Build log"})
    notes = next(w for w in wins if w.title == "Quarterly notes")
    assert abs(notes.box[0] - 40) <= 12 and abs(notes.box[1] - 80) <= 40 and notes.box[2] - notes.box[0] > 200
    wid = subprocess.run(["xdotool", "search", "--name", "^Build log$"], capture_output=True, text=True,
                         timeout=10).stdout.split()
    if not wid:
        pytest.skip("xdotool cannot find the window")
    subprocess.run(["xdotool", "windowfocus", "--sync", wid[0]], check=True, timeout=10)
    assert next(w for w in x_display.windows() if w.active).title == "Build log"


@pytest.mark.gui
@pytest.mark.slow
def test_excluded_window_text_never_reaches_ocr_and_the_title_is_reported(x_display, tk_windows):
    """mss capture with the exclusion 'vault': that window's text is not in OCR output; the other's is,
    and the screen state reports the active window's title."""
    from presence.devices.screen_mss import CaptureSettings, MssScreen
    from presence.screen.ocr import RapidOcr

    tk_windows("Password Vault", "hunter2 zebra", 40, 80)
    tk_windows("Quarterly notes", "Meeting at noon", 40, 420)
    _wait_for(x_display, {"Password Vault", "Quarterly notes"})
    wid = subprocess.run(["xdotool", "search", "--name", "^Quarterly notes$"], capture_output=True, text=True,
                         timeout=10).stdout.split()
    subprocess.run(["xdotool", "windowfocus", "--sync", wid[0]], check=True, timeout=10)
    time.sleep(0.3)  # the windows have drawn
    screen = MssScreen(CaptureSettings(monitor=1), capturing=True, exclusions=("vault",),
                       frame_filter=exclude_windows)
    try:
        assert screen.wait_frame(5.0), screen.error
        frame = screen.latest(1000)
        assert frame is not None
    finally:
        screen.close()
    vault = next(w for w in frame.windows if w.excluded)
    assert vault.title == EXCLUDED_TITLE and "Password Vault" not in [w.title for w in frame.windows]
    x0, y0, x1, y1 = vault.box
    assert (frame.pixels[y0:y1, x0:x1] == BLANK_RGB).all()
    watcher = ScreenWatcher(InlineReader(RapidOcr(), instant=True))
    watcher.request_read()
    read = next(e for e in watcher.observe(frame, 1000) if isinstance(e, ScreenRead))
    text = read.state.text().lower()
    assert "noon" in text
    assert "hunter2" not in text and "zebra" not in text
    assert read.state.active_title == "Quarterly notes"


@pytest.mark.gui
def test_capture_without_a_window_list_has_no_titles_and_says_so(x_display):
    """A display whose windows cannot be listed (as on Wayland): frames carry no windows."""
    from presence.devices.screen_mss import CaptureSettings, MssScreen

    screen = MssScreen(CaptureSettings(monitor=1), capturing=True, exclusions=("vault",), window_lister=lambda: None,
                       frame_filter=exclude_windows)
    try:
        assert screen.wait_frame(5.0), screen.error
        frame = screen.latest(0)
    finally:
        screen.close()
    assert frame is not None and frame.windows == () and screen.titles_available is False
