"""Cheap change detection on a downscaled grey frame: what changed on screen, and where.

Why it is shaped like this: OCR is the expensive step (0.1-0.3 s per dialog, ~1 s per full
frame), so the tick thread must only decide *which pixels are worth reading*. A strided grey
image (about 640 px wide) is differenced against the previous one; cells of `cell_px` screen
pixels whose largest difference exceeds a threshold are "changed". Changed cells are grouped
into boxes by recursive XY cuts (fast numpy projections, no per-pixel Python), and each box is
widened along its text rows to the neighbouring ink, so that a line whose last word changed is
still read whole ("Progress: 45%" -> "Download complete"). numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from presence.screen.scroll import Box, Shift, find_shift

__all__ = ["Box", "ChangeDetector", "ChangeSettings", "FrameChange", "Shift", "merge_boxes", "xy_cut"]


@dataclass(frozen=True)
class ChangeSettings:
    """Thresholds of the detector; grey levels are the sum of R+G+B (0..765)."""

    target_width_px: int = 640  # the grey image is about this wide: cost stays flat on big screens
    cells_per_block: int = 4  # a cell is this many strided pixels square
    diff_threshold: int = 60  # a cell changed if any sampled pixel moved by more (~20 per channel)
    ink_threshold: int = 90  # a cell holds ink (text, borders) if its max-min exceeds this
    row_gap_cells: int = 2  # blank cell rows that separate two regions
    col_gap_cells: int = 4  # blank cell columns that separate two regions
    widen_gap_cells: int = 3  # a text run continues across gaps up to this wide (word spacing)
    margin_px: int = 6  # padding around each box so glyph edges are not cut
    full_frame_fraction: float = 0.5  # more changed than this: treat as a whole new screen
    scroll_min_px: int = 48  # regions at least this tall are checked for a pure scroll


@dataclass(frozen=True)
class FrameChange:
    """The outcome of comparing one frame with the previous one.

    `reset` is True for the first frame and after a resolution change: everything is new and
    there is nothing to compare with.
    """

    boxes: tuple[Box, ...]  # what to read: changed regions, and the new strips of scrolled ones
    changed_fraction: float
    reset: bool
    frame_w_px: int
    frame_h_px: int
    shifts: tuple[Shift, ...] = ()  # regions whose known content only moved

    @property
    def any(self) -> bool:
        return self.reset or bool(self.boxes) or bool(self.shifts)


def _runs(flags: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """[start, stop) runs of True in a 1-D mask, merging runs separated by fewer than min_gap Falses."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    stops = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def xy_cut(mask: np.ndarray, row_gap: int, col_gap: int, depth: int = 3) -> list[tuple[int, int, int, int]]:
    """Boxes (c0, r0, c1, r1) in cell units that cover the True cells of mask, split at blank bands."""
    out: list[tuple[int, int, int, int]] = []
    for r0, r1 in _runs(mask.any(axis=1), row_gap):
        band = mask[r0:r1]
        for c0, c1 in _runs(band.any(axis=0), col_gap):
            piece = band[:, c0:c1]
            rows = _runs(piece.any(axis=1), row_gap)
            if depth > 1 and (len(rows) > 1 or rows[0] != (0, r1 - r0)):
                inner = xy_cut(piece, row_gap, col_gap, depth - 1)
                out.extend((c0 + a, r0 + b, c0 + c, r0 + d) for a, b, c, d in inner)
            else:
                out.append((c0, r0, c1, r1))
    return out


def merge_boxes(boxes: list[Box], gap_px: int = 0) -> list[Box]:
    """Union boxes that overlap or lie within gap_px of each other, until none do."""
    merged = sorted(boxes)
    changed = True
    while changed:
        changed = False
        out: list[Box] = []
        for b in merged:
            for i, o in enumerate(out):
                if b[0] <= o[2] + gap_px and o[0] <= b[2] + gap_px and b[1] <= o[3] + gap_px and o[1] <= b[3] + gap_px:
                    out[i] = (min(o[0], b[0]), min(o[1], b[1]), max(o[2], b[2]), max(o[3], b[3]))
                    changed = True
                    break
            else:
                out.append(b)
        merged = out
    return merged


def contains_point(b: Box, x: float, y: float) -> bool:
    return b[0] <= x < b[2] and b[1] <= y < b[3]


class ChangeDetector:
    """Keeps the previous strided grey frame and reports changed boxes for each new frame.

    Not thread-safe by design: it lives on the tick thread and costs a few ms per frame.
    """

    def __init__(self, settings: ChangeSettings | None = None) -> None:
        self.settings = settings or ChangeSettings()
        self._prev: np.ndarray | None = None
        self._prev_px: np.ndarray | None = None  # the previous frame itself (frames are never mutated)
        self._shape: tuple[int, int] | None = None
        self._stride = 2

    def reset(self) -> None:
        self._prev, self._shape = None, None

    @property
    def cell_px(self) -> int:
        return self._stride * self.settings.cells_per_block

    def _grey(self, pixels: np.ndarray) -> np.ndarray:
        """Strided R+G+B as int16, trimmed to whole cells (the sum keeps blue-on-black visible)."""
        s = self._stride
        cb = self.settings.cells_per_block
        sub = pixels[::s, ::s]
        h = sub.shape[0] // cb * cb
        w = sub.shape[1] // cb * cb
        sub = sub[:h, :w]
        grey = sub[..., 0].astype(np.int16)
        grey += sub[..., 1]
        grey += sub[..., 2]
        return grey

    def _block(self, a: np.ndarray, reduce: str) -> np.ndarray:
        """Per-cell max or min; two single-axis reductions are ~4x faster than axis=(1, 3) here."""
        cb = self.settings.cells_per_block
        h, w = a.shape
        f = np.max if reduce == "max" else np.min
        return f(f(a.reshape(h // cb, cb, w), axis=1).reshape(h // cb, w // cb, cb), axis=2)

    def update(self, pixels: np.ndarray) -> FrameChange:
        """Compare pixels (H x W x 3 uint8 RGB) with the previous frame; keep them as the new reference."""
        h_px, w_px = int(pixels.shape[0]), int(pixels.shape[1])
        if self._shape != (h_px, w_px):
            self._stride = max(1, w_px // self.settings.target_width_px)
            self._shape = (h_px, w_px)
            self._prev, self._prev_px = self._grey(pixels), pixels
            return FrameChange((), 1.0, True, w_px, h_px)
        grey = self._grey(pixels)
        prev, prev_px = self._prev, self._prev_px
        self._prev, self._prev_px = grey, pixels
        assert prev is not None
        diff = np.abs(grey - prev)
        changed = self._block(diff, "max") > self.settings.diff_threshold
        frac = float(changed.mean()) if changed.size else 0.0
        if not changed.any():
            return FrameChange((), 0.0, False, w_px, h_px)
        if frac > self.settings.full_frame_fraction:
            whole = (0, 0, w_px, h_px)
            shift = find_shift(prev_px, pixels, whole) if prev_px is not None else None
            if shift is not None:  # a maximised terminal scrolled
                return FrameChange(shift.exposed, frac, False, w_px, h_px, (shift,))
            return FrameChange((whole,), frac, False, w_px, h_px)
        ink = (self._block(grey, "max") - self._block(grey, "min")) > self.settings.ink_threshold
        st = self.settings
        boxes = [self._to_px(self._widen(b, ink), w_px, h_px) for b in xy_cut(changed, st.row_gap_cells,
                                                                               st.col_gap_cells)]
        read: list[Box] = []
        shifts: list[Shift] = []
        for box in merge_boxes(boxes):
            shift = None
            if prev_px is not None and box[3] - box[1] >= st.scroll_min_px:
                shift = find_shift(prev_px, pixels, box)
            if shift is None:
                read.append(box)
            else:
                shifts.append(shift)
                read.extend(shift.exposed)
        return FrameChange(tuple(read), frac, False, w_px, h_px, tuple(shifts))

    def _widen(self, b: tuple[int, int, int, int], ink: np.ndarray) -> tuple[int, int, int, int]:
        """Extend a cell box left and right along its rows while ink continues (a text line)."""
        c0, r0, c1, r1 = b
        cols = ink[r0:r1].any(axis=0)
        gap_max = self.settings.widen_gap_cells
        gap, c = 0, c0 - 1
        while c >= 0 and gap <= gap_max:
            if cols[c]:
                c0, gap = c, 0
            else:
                gap += 1
            c -= 1
        gap, c = 0, c1
        while c < cols.size and gap <= gap_max:
            if cols[c]:
                c1, gap = c + 1, 0
            else:
                gap += 1
            c += 1
        return c0, r0, c1, r1

    def _to_px(self, b: tuple[int, int, int, int], w_px: int, h_px: int) -> Box:
        cp, m = self.cell_px, self.settings.margin_px
        c0, r0, c1, r1 = b
        return max(0, c0 * cp - m), max(0, r0 * cp - m), min(w_px, c1 * cp + m), min(h_px, r1 * cp + m)
