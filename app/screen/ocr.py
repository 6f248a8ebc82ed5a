"""OCR adapter: rapidocr 3.10 with the PP-OCRv6 small models shipped inside its wheel.

Why these settings: screen text is upright, so the angle classifier is skipped (use_cls off).
The detector's default (`limit_type: min`, 736) *upscales* a 240 px dialog to 736 px on its short
side, which makes a dialog cost ~2 s here. Instead the detector sees the crop scaled down to
about half size (never below `det_min_side_px` on the long side, so 12 px text is still found),
while the recogniser reads each found line at full resolution from the original crop: a dialog
costs ~0.2 s, and recognition (per text line) dominates. Lines are recognised one per call: a
batch is padded to its widest line (and to at least 320 px), so a short title beside a long
error line costs as much as another long line; one per call cut a 3-line dialog from ~290 to
~200 ms of CPU. rapidocr treats a numpy image as BGR, so RGB crops are flipped. rapidocr pulls
opencv-python-headless (not the GUI opencv whose Qt plugins fight PySide6).

Loading costs ~1 s, so the model is created lazily on the first call, on the reader's thread.

Nothing is downloaded: rapidocr fetches a model from the internet when it finds none at the path it
computed, so the bundled files are named explicitly (`bundled_models`), a missing one is an
OcrUnavailable naming it (the reader then falls back to Tesseract), and rapidocr's downloader is
switched off for the process (`forbid_downloads`) in case a later version looks for more files.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from presence.screen.changes import Box


class OcrUnavailable(RuntimeError):
    """The OCR package is missing or failed to load; the message says what to install."""


@dataclass(frozen=True)
class OcrSettings:
    max_side_px: int = 1280  # the detector's input is never larger than this on its long side
    det_scale: float = 0.5  # the detector finds screen text reliably at half size (12 px fonts too)
    det_min_side_px: int = 480  # ... but small crops are not shrunk below this
    threads: int = 1  # onnxruntime intra-op threads: 1 beat 2 here (2 shared cores: 300 vs 450 ms per dialog)
    min_score: float = 0.5  # drop recognitions below this confidence
    pad_px: int = 8  # pad thin crops so a single text line is not cut at the detector's edge
    rec_batch: int = 1  # lines per recogniser call: a batch is padded to its widest line, so 1 is ~30 % faster


# The models rapidocr 3.10's wheel ships (rapidocr/models/): PP-OCRv6 small detector and recogniser
# (whose character list is inside the .onnx), and the angle classifier (unused: use_cls is off).
BUNDLED_MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx",
                  "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}


def bundled_models(package_dir: Path | None = None) -> dict[str, Path]:
    """The bundled model files by rapidocr part; OcrUnavailable naming the first one missing."""
    if package_dir is None:
        import rapidocr

        package_dir = Path(rapidocr.__file__).parent
    paths = {part: package_dir / "models" / name for part, name in BUNDLED_MODELS.items()}
    for path in paths.values():
        if not path.is_file():
            raise OcrUnavailable(f"rapidocr's bundled model {path} is missing (nothing is downloaded); "
                                 "reinstall rapidocr==3.10.0")
    return paths


def forbid_downloads() -> None:
    """rapidocr's downloader raises instead of reaching the internet (process-wide; idempotent)."""
    try:
        from rapidocr.utils.download_file import DownloadFile
    except ImportError:  # pragma: no cover - a rapidocr without it downloads nothing this way
        return

    def refuse(cls: Any, input_params: Any) -> None:
        url = getattr(input_params, "file_url", "?")
        raise OcrUnavailable(f"rapidocr wanted to download {url}; Presence never downloads models")

    DownloadFile.run = classmethod(refuse)  # type: ignore[method-assign, assignment]


class RapidOcr:
    """Callable OCR function: RGB pixels -> [(text, (x0, y0, x1, y1))] in the crop's pixels."""

    def __init__(self, settings: OcrSettings | None = None) -> None:
        self.settings = settings or OcrSettings()
        self._engine: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._engine is not None:
                return
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise OcrUnavailable("screen reading needs rapidocr: pip install rapidocr==3.10.0") from exc
            s = self.settings
            models = bundled_models()
            forbid_downloads()
            try:
                self._engine = RapidOCR(params={
                    "Det.model_path": str(models["Det"]),
                    "Rec.model_path": str(models["Rec"]),
                    "Cls.model_path": str(models["Cls"]),
                    "Global.log_level": "error",  # "no text found" is a normal answer here
                    "Global.use_cls": False,
                    "Global.text_score": s.min_score,
                    "Det.limit_type": "max",
                    "Det.limit_side_len": s.max_side_px,
                    "Rec.rec_batch_num": s.rec_batch,
                    "EngineConfig.onnxruntime.intra_op_num_threads": s.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                })
                self._engine._load_det_model()  # so the detector's input size can be set per call
            except OcrUnavailable:
                raise
            except Exception as exc:  # pragma: no cover - broken install
                raise OcrUnavailable(f"rapidocr failed to load its models: {exc}") from exc

    def _det_side_px(self, h: int, w: int) -> int:
        s = self.settings
        return int(min(s.max_side_px, max(s.det_min_side_px, round(max(h, w) * s.det_scale))))

    def __call__(self, pixels: np.ndarray) -> Sequence[tuple[str, Box]]:
        self.load()
        pad = self.settings.pad_px
        bgr = pixels[..., [2, 1, 0]]  # a contiguous copy; a reversed-stride view is ~10x slower to copy
        if pad:
            bgr = np.pad(bgr, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
        with self._lock:
            det = getattr(self._engine, "text_det", None)
            if det is not None and hasattr(det, "limit_side_len"):  # rapidocr 3.x reads it on every call
                det.limit_side_len = self._det_side_px(*bgr.shape[:2])
            out = self._engine(bgr)
        if out is None or out.boxes is None or out.txts is None:
            return []
        h, w = pixels.shape[:2]
        lines: list[tuple[str, Box]] = []
        for quad, text in zip(out.boxes, out.txts, strict=False):
            q = np.asarray(quad, dtype=np.float32)
            x0 = int(max(0, min(w, q[:, 0].min() - pad)))
            y0 = int(max(0, min(h, q[:, 1].min() - pad)))
            x1 = int(max(0, min(w, q[:, 0].max() - pad)))
            y1 = int(max(0, min(h, q[:, 1].max() - pad)))
            lines.append((str(text), (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))))
        return lines


_shared: RapidOcr | None = None

def shared_rapidocr() -> RapidOcr:
    """One model per process: it is ~30 MB and takes ~1 s to load."""
    global _shared
    if _shared is None:
        _shared = RapidOcr()
    return _shared


class ChosenOcr:
    """The OCR engine the settings name, resolved on first use (on the reader's thread).

    "auto" is RapidOCR, or Tesseract when RapidOCR cannot load (OcrUnavailable then names both).
    """

    def __init__(self, engine: str = "auto") -> None:
        self.engine = engine
        self._impl: Any = None
        self._impl_name = ""
        self._lock = threading.Lock()
        self.fallback_reason: str | None = None  # why "auto" is on Tesseract

    def choose(self, engine: str) -> bool:
        """Switch engines (applies from the next read); True if it changed."""
        with self._lock:
            if engine == self.engine:
                return False
            self.engine, self._impl, self._impl_name, self.fallback_reason = engine, None, "", None
            return True

    def _resolve(self) -> Any:
        with self._lock:
            if self._impl is not None:
                return self._impl
            engine = self.engine
        name = "tesseract" if engine == "tesseract" else "rapidocr"
        impl: Any = _tesseract() if name == "tesseract" else shared_rapidocr()
        try:
            impl.load()
        except OcrUnavailable as exc:
            if engine != "auto":
                raise
            name, impl = "tesseract", _tesseract()
            try:
                impl.load()
            except OcrUnavailable as second:
                raise OcrUnavailable(f"{exc}; the Tesseract fallback is unavailable too: {second}") from second
            self.fallback_reason = str(exc)
        with self._lock:
            if self.engine == engine:
                self._impl, self._impl_name = impl, name
        return impl

    def load(self) -> None:
        self._resolve()

    @property
    def name(self) -> str:
        """The engine in use ("rapidocr", "tesseract"), or the choice while nothing is loaded."""
        return self._impl_name or self.engine

    def __call__(self, pixels: np.ndarray) -> Sequence[tuple[str, Box]]:
        return self._resolve()(pixels)


def _tesseract() -> Any:
    from presence.screen.tesseract_ocr import TesseractOcr

    return TesseractOcr()


def default_ocr() -> ChosenOcr:
    """What the app reads the screen with: RapidOCR, falling back to Tesseract ("auto")."""
    return ChosenOcr("auto")
