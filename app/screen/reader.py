"""Reading screen regions with OCR, off the tick thread.

Why: one OCR call costs 0.1-1 s, five ticks or more. The tick thread only *submits* a ReadJob
(which crops of which frame to read) and later *polls* results. Two readers share that interface:

- ThreadedReader (live, real-time replay): its own worker thread and a one-slot queue where the
  latest request wins. A request that arrives while an older one still waits is merged into it
  (newest pixels, union of regions), so a burst of changes costs one read, not a backlog.
- InlineReader (tests, `replay --fast`): reads at once but releases the result only when logical
  time reaches submit time + measured compute time, like the VirtualTimeExecutor.

Both cache OCR output per crop by a hash of its pixels (a blinking cursor or a spinner alternates
between a few states) and redact text before it leaves: nothing unredacted is returned unless the
job itself says so (ReadJob.redact: the user turned the "Hide passwords, card numbers and keys" setting off). The
cache holds OCR output as read, so switching redaction needs no new OCR.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from presence.screen.changes import Box, merge_boxes
from presence.screen.privacy import SECRET_LABEL_AT_END, SECRET_MASK, redact

# An OCR function: RGB pixels of a crop -> [(text, (x0, y0, x1, y1) in crop pixels)]. The crop is
# a view into the frame (not a copy); the function must not write to it.
OcrFn = Callable[[np.ndarray], Sequence[tuple[str, Box]]]


@dataclass(frozen=True)
class TextLine:
    """One line of (redacted) screen text and where it is, in screen pixels."""

    text: str
    box: Box

    @property
    def center(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True)
class ReadJob:
    """Read `crops` of one frame; lines centred inside `changed` boxes are candidates for watches.

    `full` marks a whole-screen read (a baseline when a watch starts, or push-to-observe).
    `redact` masks secrets in the text read (presence.screen.privacy); off only when the user said so.
    """

    job_id: int
    frame_t_ms: int
    pixels: Any
    crops: tuple[Box, ...]
    changed: tuple[Box, ...] = ()
    full: bool = False
    redact: bool = True

    def merged_with(self, newer: ReadJob) -> ReadJob:
        """The older job has not started: read the newer pixels, over both jobs' regions."""
        crops = tuple(merge_boxes(list(self.crops) + list(newer.crops)))
        return replace(newer, crops=crops, changed=self.changed + newer.changed, full=self.full or newer.full)


@dataclass(frozen=True)
class ReadResult:
    job_id: int
    frame_t_ms: int
    crops: tuple[Box, ...]
    changed: tuple[Box, ...]
    full: bool
    lines: tuple[TextLine, ...]
    compute_ms: float
    cache_hits: int = 0
    error: str | None = None
    redacted: bool = True  # the lines went through redact_lines


class TextReader(Protocol):
    def submit(self, job: ReadJob, now_ms: int) -> None: ...

    def poll(self, now_ms: int) -> list[ReadResult]: ...

    @property
    def busy(self) -> bool: ...

    def close(self) -> None: ...


def _reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Top to bottom, then left to right within a row (rows by overlapping vertical centres)."""
    return sorted(lines, key=lambda ln: (round(ln.center[1] / 12), ln.box[0]))


def join_rows(lines: list[TextLine]) -> list[TextLine]:
    """Join boxes of one text row that the detector split at a wide space ("error:" | "mirror ...").

    Line identity must not depend on where the detector happened to split, or an old line read in
    two pieces would look new. Boxes join when they share a row and the gap is under ~2 glyph heights.
    """
    out: list[TextLine] = []
    for ln in _reading_order(lines):
        if out:
            prev = out[-1]
            h = max(prev.box[3] - prev.box[1], ln.box[3] - ln.box[1], 1)
            same_row = abs(prev.center[1] - ln.center[1]) < 0.5 * h
            gap = ln.box[0] - prev.box[2]
            if same_row and -0.5 * h <= gap <= 2.0 * h:
                a, b = prev.box, ln.box
                box = (a[0], min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                out[-1] = TextLine(f"{prev.text} {ln.text}", box)
                continue
        out.append(ln)
    return out


def redact_lines(lines: list[TextLine]) -> list[TextLine]:
    """Redact each line, and mask a value that OCR split from its label ("Password:" | "hunter2")."""
    ordered = _reading_order(lines)
    out: list[TextLine] = []
    mask_next_right_of: TextLine | None = None
    for ln in ordered:
        text = redact(ln.text)
        prev = mask_next_right_of
        if prev is not None and abs(prev.center[1] - ln.center[1]) < 12 and ln.box[0] >= prev.box[2] - 4:
            text = SECRET_MASK
        mask_next_right_of = ln if SECRET_LABEL_AT_END.search(ln.text) else None
        out.append(TextLine(text, ln.box))
    return out


class RegionCache:
    """OCR output per crop, keyed by a hash of the crop's pixels; bounded, least recently used out."""

    def __init__(self, max_entries: int = 256) -> None:
        self._d: OrderedDict[bytes, tuple[tuple[str, Box], ...]] = OrderedDict()
        self._max = max_entries

    @staticmethod
    def key(crop: np.ndarray) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        h.update(repr(crop.shape).encode())
        h.update(np.ascontiguousarray(crop).data)
        return h.digest()

    def get(self, key: bytes) -> tuple[tuple[str, Box], ...] | None:
        hit = self._d.get(key)
        if hit is not None:
            self._d.move_to_end(key)
        return hit

    def put(self, key: bytes, value: tuple[tuple[str, Box], ...]) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self._max:
            self._d.popitem(last=False)


def read_job(job: ReadJob, ocr: OcrFn, cache: RegionCache) -> ReadResult:
    """Crop, OCR (or take from cache), move boxes to screen coordinates, redact (unless job.redact is off)."""
    t0 = time.perf_counter()
    lines: list[TextLine] = []
    hits = 0
    try:
        for x0, y0, x1, y1 in job.crops:
            crop = job.pixels[y0:y1, x0:x1]
            if crop.size == 0:
                continue
            key = cache.key(crop)
            found = cache.get(key)
            if found is None:
                found = tuple((str(t), tuple(int(v) for v in b)) for t, b in ocr(crop))  # type: ignore[misc]
                cache.put(key, found)
            else:
                hits += 1
            lines.extend(TextLine(t, (b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0)) for t, b in found if t.strip())
        error = None
    except Exception as exc:  # an OCR failure must not kill the reader; the watcher reports it
        error = f"{type(exc).__name__}: {exc}"
    ms = (time.perf_counter() - t0) * 1000.0
    joined = join_rows(lines)
    return ReadResult(job.job_id, job.frame_t_ms, job.crops, job.changed, job.full,
                      tuple(redact_lines(joined) if job.redact else joined), ms, hits, error, job.redact)


class InlineReader:
    """Reads synchronously; releases each result at submit + compute time (logical ms).

    `instant=True` releases at once (unit tests that should not depend on machine speed).
    """

    def __init__(self, ocr: OcrFn, instant: bool = False) -> None:
        self._ocr, self._instant = ocr, instant
        self._cache = RegionCache()
        self._pending: list[tuple[float, ReadResult]] = []
        self._busy_until_ms = 0.0

    def submit(self, job: ReadJob, now_ms: int) -> None:
        result = read_job(job, self._ocr, self._cache)
        start = max(float(now_ms), self._busy_until_ms)
        done = float(now_ms) if self._instant else start + result.compute_ms
        self._busy_until_ms = done
        self._pending.append((done, result))

    def choose_engine(self, engine: str) -> None:
        """Switch the OCR engine when the OCR function can (presence.screen.ocr.ChosenOcr)."""
        choose = getattr(self._ocr, "choose", None)
        if choose is not None and choose(engine):
            self._cache = RegionCache()  # another engine reads differently

    def poll(self, now_ms: int) -> list[ReadResult]:
        due = [r for t, r in self._pending if t <= now_ms]
        self._pending = [(t, r) for t, r in self._pending if t > now_ms]
        return due

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def close(self) -> None:
        self._pending.clear()


class ThreadedReader:
    """A worker thread with a latest-request-wins slot. Started on first submit."""

    def __init__(self, ocr: OcrFn, name: str = "screen-ocr") -> None:
        self._ocr, self._name = ocr, name
        self._cache = RegionCache()
        self._cond = threading.Condition()
        self._slot: ReadJob | None = None
        self._running = False
        self._results: list[ReadResult] = []
        self._closed = False
        self._thread: threading.Thread | None = None
        self.merged = 0  # requests folded into a waiting one (a measure of OCR falling behind)

    def submit(self, job: ReadJob, now_ms: int) -> None:
        with self._cond:
            if self._closed:
                return
            if self._slot is not None:
                job = self._slot.merged_with(job)
                self.merged += 1
            self._slot = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def choose_engine(self, engine: str) -> None:
        """Switch the OCR engine when the OCR function can; a read in progress finishes on the old one."""
        choose = getattr(self._ocr, "choose", None)
        if choose is not None and choose(engine):
            self._cache = RegionCache()

    def _work(self) -> None:
        while True:
            with self._cond:
                while self._slot is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job, self._slot, self._running = self._slot, None, True
            result = read_job(job, self._ocr, self._cache)
            with self._cond:
                self._results.append(result)
                self._running = False
                self._cond.notify_all()

    def poll(self, now_ms: int) -> list[ReadResult]:
        with self._cond:
            out, self._results = self._results, []
        return out

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._slot is not None or self._running or bool(self._results)

    def wait_idle(self, timeout_s: float) -> bool:
        """For tests and bench: block until nothing is waiting or running."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._slot is not None or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._slot = None
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
