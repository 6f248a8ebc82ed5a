"""Window exclusions: windows whose title matches a user pattern are blanked out of the frame.

Why here and this early: the capture thread calls `exclude_windows` on every grab, before the
frame is published, so an excluded window's pixels never reach change detection, OCR, a vision
model, a panel or a log, and its title is replaced too (a password manager's title can name the
vault). Other titles pass as they are: the watcher redacts them along with the screen text, so
the "Hide passwords, card numbers and keys" setting switches both. Patterns match
case-insensitively as a substring ("1Password" matches "Vault — 1Password"); `*` and `?` work as
wildcards, and a leading `=` matches the whole title only (Presence's own windows). A window that
moved between two window listings is blanked at both places. Pure numpy; the X11 listing lives in
presence.devices.x11_windows.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

import numpy as np

from presence.core.ports import Box, WindowInfo, clip_box

EXCLUDED_TITLE = "[excluded window]"
# never captured unless the user changes it: password managers and private browsing windows
DEFAULT_EXCLUSIONS = ("1Password", "Bitwarden", "KeePassXC", "Private Browsing")
BLANK_RGB = (128, 128, 128)  # flat grey: no ink, so the detector and OCR find nothing in it


def title_matches(title: str, patterns: Iterable[str]) -> bool:
    """True when the title contains one of the patterns (case-insensitive; `*`/`?` are wildcards).
    A pattern that starts with `=` matches the whole title only ("=Presence" is Presence's own
    window, not every window that mentions presence)."""
    low = title.casefold()
    for raw in patterns:
        pat = raw.strip().casefold()
        if not pat:
            continue
        if pat.startswith("="):
            if low.strip() == pat[1:].strip():
                return True
        elif any(c in pat for c in "*?["):
            if fnmatch.fnmatchcase(low, f"*{pat}*"):
                return True
        elif pat in low:
            return True
    return False


def blank(pixels: np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """A copy of pixels with boxes filled flat grey (frames are shared and never written in place)."""
    h, w = int(pixels.shape[0]), int(pixels.shape[1])
    clipped = [b for b in (clip_box(b, w, h) for b in boxes) if b is not None]
    if not clipped:
        return pixels
    out = pixels.copy()
    for x0, y0, x1, y1 in clipped:
        out[y0:y1, x0:x1] = BLANK_RGB
    return out


def exclude_windows(pixels: np.ndarray, windows: Sequence[WindowInfo], patterns: Sequence[str],
                    also_at: Sequence[WindowInfo] = ()) -> tuple[np.ndarray, tuple[WindowInfo, ...]]:
    """Blank every window whose title matches and hide those titles; other titles are kept as they are.

    `windows` and `also_at` are listings taken just before and just after the grab (frame
    coordinates): a matching window is blanked where either listing saw it.
    """
    boxes = [w.box for w in (*windows, *also_at) if title_matches(w.title, patterns)]
    out: list[WindowInfo] = []
    for w in windows:
        if title_matches(w.title, patterns):
            out.append(WindowInfo(EXCLUDED_TITLE, w.box, w.active, excluded=True))
        else:
            out.append(WindowInfo(w.title, w.box, w.active))
    return blank(pixels, boxes), tuple(out)
