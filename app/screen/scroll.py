"""Scroll detection: a changed region whose content only moved up or down.

Why: a terminal printing a build log scrolls on every new line. Read naively, each scroll is a
change of the whole text area (1-3 s of OCR for 15 lines), so alerts would lag by seconds and the
reader would never catch up. Recognising "same rows, moved by dy" lets the watcher move the lines
it already knows and read only the newly exposed strip (one line: ~50-100 ms). Exact row matching
(screens are digital: scrolled pixels are identical) via per-row hashes; numpy and hashing only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Shift:
    """Content of `box` moved vertically by `dy_px` (negative: up); `exposed` strips are new pixels."""

    box: Box
    dy_px: int
    exposed: tuple[Box, ...]


def _row_keys(pixels: np.ndarray, x0: int, x1: int, y0: int, y1: int) -> tuple[list[int], np.ndarray]:
    """Hash of each row's pixels in [x0, x1), and which rows are one flat colour (they match anything)."""
    region = pixels[y0:y1, x0:x1]
    flat = region.reshape(region.shape[0], -1)  # a view: rows stay contiguous
    uniform = (flat[:, 3:] == flat[:, :-3]).all(axis=1)  # every pixel equals its left neighbour
    return [hash(row.tobytes()) for row in region], uniform


def find_shift(prev: np.ndarray, cur: np.ndarray, box: Box, min_rows: int = 8, margin_px: int = 4) -> Shift | None:
    """If most non-blank rows of `box` in `cur` equal rows of `prev` moved by one dy, return it."""
    x0, y0, x1, y1 = box
    h_img = cur.shape[0]
    h = y1 - y0
    if h < 2 * min_rows or prev.shape != cur.shape:
        return None
    max_dy = int(h * 0.75)
    py0, py1 = max(0, y0 - max_dy), min(h_img, y1 + max_dy)
    prev_keys, prev_flat = _row_keys(prev, x0, x1, py0, py1)
    cur_keys, cur_flat = _row_keys(cur, x0, x1, y0, y1)
    where: dict[int, list[int]] = {}
    for i, k in enumerate(prev_keys):
        if not prev_flat[i]:
            where.setdefault(k, []).append(py0 + i)
    votes: Counter[int] = Counter()
    content_rows = 0
    for i, k in enumerate(cur_keys):
        if cur_flat[i]:
            continue
        content_rows += 1
        for py in where.get(k, ())[:8]:  # repeated rows (ruled lines) add a few votes, not many
            votes[(y0 + i) - py] += 1
    votes.pop(0, None)
    if not votes or content_rows < min_rows:
        return None
    dy, n = votes.most_common(1)[0]
    if n < min_rows or n < 0.5 * content_rows:
        return None
    # rows that do not equal prev at y - dy are new content (the exposed strip, or a changed line)
    new_rows = np.zeros(h, bool)
    for i, k in enumerate(cur_keys):
        src = y0 + i - dy
        if src < py0 or src >= py1 or prev_keys[src - py0] != k:
            new_rows[i] = True
    exposed: list[Box] = []
    idx = np.flatnonzero(new_rows)
    if idx.size:
        breaks = np.flatnonzero(np.diff(idx) > 3)
        starts = np.concatenate(([idx[0]], idx[breaks + 1]))
        stops = np.concatenate((idx[breaks], [idx[-1]])) + 1
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            if cur_flat[a:b].all():
                continue  # newly exposed blank rows: nothing to read
            exposed.append((x0, max(0, y0 + a - margin_px), x1, min(h_img, y0 + b + margin_px)))
    return Shift(box, dy, tuple(exposed))
