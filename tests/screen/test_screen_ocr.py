"""Real OCR (rapidocr, PP-OCRv6 small) on drawn frames and on the public screen scenarios."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from screen_frames import Scene

from presence.core.ports import ScreenFrame
from presence.devices.fakes import PngFolderScreen
from presence.screen.ocr import RapidOcr
from presence.screen.reader import ThreadedReader
from presence.screen.requests import SCREEN_WORDS_FOR_FAILURE
from presence.screen.watch import ScreenAlert, ScreenWatcher, WatchKind, parse_watch_request

pytestmark = pytest.mark.slow

PUBLIC = Path(__file__).resolve().parents[2].parent / "shared" / "duplex" / "public"
BUILD = "Keep an eye on my screen and tell me if the wheel fails."  # as ASR heard it once
TICK_MS = 200


@pytest.fixture(scope="module")
def ocr() -> RapidOcr:
    engine = RapidOcr()
    engine.load()
    return engine


class Frames:
    def __init__(self, frames: list[tuple[int, object]]) -> None:
        self.frames = sorted(frames, key=lambda f: f[0])

    def latest(self, now_ms: int) -> ScreenFrame | None:
        due = [f for f in self.frames if f[0] <= now_ms]
        return ScreenFrame(due[-1][0], due[-1][1]) if due else None


def drive(ocr: RapidOcr, screen, request: str, watch_at_ms: int, until_ms: int) -> list[tuple[int, ScreenAlert]]:
    """Tick every 200 ms with a real OCR thread. Logical time runs at real pace while a read is in
    flight (so latency is real) and skips ahead while nothing is pending (so the test is short)."""
    reader = ThreadedReader(ocr)
    watcher = ScreenWatcher(reader)
    alerts = []
    try:
        for now in range(TICK_MS, until_ms + 1, TICK_MS):
            if now == watch_at_ms:
                watcher.add_watch(parse_watch_request(request), now)
            if reader.busy:
                time.sleep(TICK_MS / 1000)
            if watcher.needs_frames:
                alerts += [(now, e) for e in watcher.observe(screen.latest(now), now) if isinstance(e, ScreenAlert)]
    finally:
        reader.close()
    return alerts


def test_rapidocr_reads_a_dialog_region(ocr):
    scene = Scene(["$ make build"], dialog=["Build failed", "error: cannot find symbol", "line 12 in Main.java"])
    px = scene.render()
    lines = ocr(px[274:526, 294:986])
    texts = [t for t, _ in lines]
    assert "Build failed" in texts and any("cannot find symbol" in t for t in texts), texts
    for _, (x0, y0, x1, y1) in lines:
        assert 0 <= x0 < x1 <= 692 and 0 <= y0 < y1 <= 252


def test_own_frames_build_error_fires_within_a_second(ocr):
    base = ["def total(items):", "    return sum(i.price for i in items)", "", "$ make build", "compiling 9 files ..."]
    screen = Frames([(0, Scene(base).render()),
                     (7000, Scene(base, dialog=["Build failed", "error: cannot find symbol", "line 4"]).render())])
    alerts = drive(ocr, screen, BUILD, watch_at_ms=3000, until_ms=10000)
    assert len(alerts) == 1
    t, alert = alerts[0]
    assert t - 7000 <= 1000, f"alert {t - 7000} ms after the error appeared"
    assert any(w in alert.text.lower() for w in SCREEN_WORDS_FOR_FAILURE) and "cannot find symbol" in alert.text


def test_own_frames_download_finished_fires(ocr):
    head = ["$ wget https://example.com/dataset.tar.gz"]
    frames = [(0, Scene(head + ["dataset.tar.gz   12%  [=>          ]  1.2 MB/s"]).render()),
              (4000, Scene(head + ["dataset.tar.gz   64%  [=======>    ]  1.3 MB/s"]).render()),
              (8000, Scene(head + ["Download complete: dataset.tar.gz saved"]).render())]
    alerts = drive(ocr, Frames(frames), "Watch my screen and tell me when the download finishes.", 2000, 11000)
    assert len(alerts) == 1 and alerts[0][1].kind is WatchKind.FINISH
    assert 8000 <= alerts[0][0] <= 9000 and "finished" in alerts[0][1].text


def _scrolling_log(new_error_at_ms: int | None = None) -> Frames:
    """Old lines scroll up, harmless new ones appear, the clock ticks; an old error stays in view.
    With new_error_at_ms, a new error line appears at that time (a positive control)."""
    log = [f"[{i:02d}] fetched chunk {i} of 40" for i in range(10)] + ["warning: retry after timeout (ok)"]
    frames = [(0, Scene(log + ["error: mirror unreachable, using fallback"], clock="09:41").render())]
    body = []
    for k in range(1, 6):
        new = [f"[{10 + j:02d}] fetched chunk" for j in range(k)]
        body = log[k:] + ["error: mirror unreachable, using fallback"] + new
        frames.append((2000 + 1500 * k, Scene(body, clock=f"09:4{1 + k}").render()))
    if new_error_at_ms is not None:
        frames.append((new_error_at_ms, Scene(body + ["error: build failed, cannot find symbol"],
                                              clock="09:47").render()))
    return Frames(frames)


def test_own_frames_scrolling_and_benign_output_never_fire(ocr):
    """Scrolling, benign output and an old error fire nothing; a new error on the same screen does."""
    control = drive(ocr, _scrolling_log(new_error_at_ms=11000), BUILD, 1000, 13000)
    assert len(control) == 1 and control[0][1].kind is WatchKind.FAILURE and control[0][0] >= 11000
    assert drive(ocr, _scrolling_log(), BUILD, 1000, 13000) == []


def _public(name: str) -> Path:
    d = PUBLIC / name
    if not (d / "screen").is_dir():
        pytest.skip(f"../shared/duplex/public/{name} is not available in this checkout")
    return d


def test_public_build_error_fires_within_a_second_of_its_frame(ocr):
    d = _public("screen_build_error")
    truth = json.loads((d / "truth.json").read_text())
    watch_at = (truth["user_end_ms"] // TICK_MS + 5) * TICK_MS  # ~1 s after the request: ASR + ack
    alerts = drive(ocr, PngFolderScreen(d / "screen"), BUILD, watch_at, truth["duration_ms"])
    assert len(alerts) == 1
    t, alert = alerts[0]
    assert truth["event_ms"] <= t <= truth["event_ms"] + 1000, f"alert {t - truth['event_ms']} ms after the frame"
    assert alert.frame_t_ms == truth["event_ms"]
    assert any(w in alert.text.lower() for w in SCREEN_WORDS_FOR_FAILURE)
    assert "prce" in alert.text


def test_public_benign_change_never_fires(ocr):
    d = _public("screen_benign")
    truth = json.loads((d / "truth.json").read_text())
    watch_at = (truth["user_end_ms"] // TICK_MS + 5) * TICK_MS
    assert drive(ocr, PngFolderScreen(d / "screen"), BUILD, watch_at, truth["duration_ms"]) == []
