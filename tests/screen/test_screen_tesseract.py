"""The Tesseract fallback OCR on rendered screen images, and how the engine is chosen."""

from __future__ import annotations

import pytest

from presence.screen import ocr as ocr_module
from presence.screen.bench import demo_frames
from presence.screen.changes import ChangeDetector
from presence.screen.ocr import ChosenOcr, OcrUnavailable
from presence.screen.reader import InlineReader, ReadJob

tesserocr = pytest.importorskip("tesserocr", reason="the ocr-fallback extra is not installed")


@pytest.fixture(scope="module")
def dialog():
    before, after, _ = demo_frames()
    det = ChangeDetector()
    det.update(before)
    x0, y0, x1, y1 = det.update(after).boxes[0]
    return after[y0:y1, x0:x1]


@pytest.fixture(scope="module")
def tesseract():
    from presence.screen.tesseract_ocr import TesseractOcr

    engine = TesseractOcr()
    try:
        engine.load()
    except OcrUnavailable as exc:
        pytest.skip(str(exc))
    yield engine
    engine.close()


class Broken:
    """A RapidOCR whose models cannot load."""

    def load(self) -> None:
        raise OcrUnavailable("rapidocr failed to load its models: test")

    def __call__(self, pixels):
        raise AssertionError("never called")


def test_tesseract_reads_a_rendered_error_dialog_line_by_line(tesseract, dialog):
    """Three lines in reading order, with boxes inside the crop."""
    lines = tesseract(dialog)
    texts = [t for t, _ in lines]
    assert texts[0] == "Build failed"
    assert any("cannot find symbol" in t for t in texts) and any("total.py" in t for t in texts)
    h, w = dialog.shape[:2]
    assert all(0 <= b[0] < b[2] <= w and 0 <= b[1] < b[3] <= h for _, b in lines)


def test_auto_falls_back_to_tesseract_when_rapidocr_cannot_load(monkeypatch, tesseract, dialog):
    """'auto' reads with Tesseract and says why; 'rapidocr' alone raises."""
    monkeypatch.setattr(ocr_module, "shared_rapidocr", Broken)
    chosen = ChosenOcr("auto")
    assert "Build failed" in [t for t, _ in chosen(dialog)]
    assert chosen.name == "tesseract" and "rapidocr failed" in (chosen.fallback_reason or "")
    with pytest.raises(OcrUnavailable):
        ChosenOcr("rapidocr").load()


def test_reader_switches_engine_by_setting(monkeypatch, tesseract, dialog):
    """choose_engine('tesseract') applies to the next read (and drops cached results)."""
    calls = []

    class Recording:
        def load(self) -> None:
            pass

        def __call__(self, pixels):
            calls.append(pixels.shape)
            return [("from rapidocr", (0, 0, 10, 10))]

    monkeypatch.setattr(ocr_module, "shared_rapidocr", Recording)
    reader = InlineReader(ChosenOcr("auto"), instant=True)
    crop = (0, 0, dialog.shape[1], dialog.shape[0])
    reader.submit(ReadJob(1, 0, dialog, (crop,)), 0)
    assert [ln.text for ln in reader.poll(0)[0].lines] == ["from rapidocr"]
    reader.choose_engine("tesseract")
    reader.submit(ReadJob(2, 0, dialog, (crop,)), 0)
    assert "Build failed" in [ln.text for ln in reader.poll(0)[0].lines]
    assert len(calls) == 1
