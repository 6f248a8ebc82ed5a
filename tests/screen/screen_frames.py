"""Synthetic screens for the screen tests, drawn with PIL so the project needs no ../shared.

A Scene records every text item it draws with its box, so a fake OCR can "read" a crop exactly
(tests of the watcher logic do not depend on OCR accuracy or speed); the real-OCR tests read the
same pixels with rapidocr.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

W, H = 1280, 800
BG = (30, 30, 36)
FG = (220, 220, 220)
MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if MONO.exists():
        return ImageFont.truetype(str(MONO), size)
    return ImageFont.load_default(size=size)  # Pillow's bundled font: no system fonts needed


@dataclass
class Scene:
    """A terminal-like screen: a title bar, lines of text, optionally a dialog and a clock."""

    lines: Sequence[str] = ()
    dialog: Sequence[str] = ()
    clock: str | None = None
    title: str = "terminal - build"
    line_px: int = 26
    top_px: int = 56
    size_px: int = 18
    items: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    pixels: np.ndarray | None = None

    def render(self) -> np.ndarray:
        img = Image.new("RGB", (W, H), BG)
        d = ImageDraw.Draw(img)
        d.rectangle((0, 0, W, 36), fill=(50, 50, 60))
        self.items = []
        self._text(d, (12, 8), self.title, FG, font(18))
        if self.clock is not None:
            self._text(d, (W - 110, 8), self.clock, FG, font(18))
        for i, line in enumerate(self.lines):
            self._text(d, (24, self.top_px + i * self.line_px), line, FG, font(self.size_px))
        if self.dialog:
            d.rectangle((300, 280, 980, 520), fill=(234, 234, 234), outline=(180, 20, 20), width=4)
            for i, line in enumerate(self.dialog):
                color = (160, 0, 0) if i == 0 else (20, 20, 20)
                self._text(d, (330, 310 + i * 40), line, color, font(26))
        self.pixels = np.asarray(img).copy()
        return self.pixels

    def _text(self, d: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, color: tuple[int, int, int],
              f: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> None:
        if not text:
            return
        d.text(xy, text, fill=color, font=f)
        x0, y0, x1, y1 = (int(v) for v in d.textbbox(xy, text, font=f))
        self.items.append((text, (x0, y0, x1, y1)))


class SceneOcr:
    """Fake OCR: returns the scene items whose centre lies in the crop, in crop coordinates.

    It finds where the crop sits in its frame from the crop's memory address: the reader hands the
    OCR function a view of the frame (no copy), as documented in presence.screen.reader.
    """

    def __init__(self) -> None:
        self.scenes: list[Scene] = []
        self.calls: list[tuple[int, int, int, int]] = []

    def add(self, scene: Scene) -> np.ndarray:
        pixels = scene.render() if scene.pixels is None else scene.pixels
        self.scenes.append(scene)
        return pixels

    def __call__(self, crop: np.ndarray) -> list[tuple[str, tuple[int, int, int, int]]]:
        for scene in self.scenes:
            frame = scene.pixels
            assert frame is not None
            off = crop.ctypes.data - frame.ctypes.data
            if 0 <= off < frame.nbytes and crop.strides == frame.strides:
                y0, rem = divmod(off, frame.strides[0])
                x0 = rem // frame.strides[1]
                h, w = crop.shape[:2]
                self.calls.append((x0, y0, x0 + w, y0 + h))
                out = []
                for text, (a, b, c, e) in scene.items:
                    cx, cy = (a + c) / 2, (b + e) / 2
                    if x0 <= cx < x0 + w and y0 <= cy < y0 + h:
                        out.append((text, (max(0, a - x0), max(0, b - y0), min(w, c - x0), min(h, e - y0))))
                return out
        raise AssertionError("crop is not a view of any scene frame")
