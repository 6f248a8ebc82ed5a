"""What a vision model is shown for a screen question: a downscaled frame and the OCR text.

Why this shape: a 2560x1440 screenshot as PNG is megabytes and most servers resize it anyway, so
the frame is scaled down (area interpolation keeps text legible) to at most `max_side_px` on its
long side and encoded as JPEG (~100-250 KB) or PNG. The frame is the one the capture thread
published, so excluded windows are already blank; the text is the redacted OCR text, fenced as
untrusted content (screen text is quoted, never obeyed). Pure: numpy plus OpenCV's codecs
(opencv-python-headless, installed with rapidocr), Pillow where OpenCV is missing.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np

from presence.screen.watch import ScreenState, untrusted_block


@dataclass(frozen=True)
class VisionSettings:
    max_side_px: int = 1024  # long side of the image sent; vision models tile or resize above this anyway
    image_format: str = "jpeg"  # "jpeg" (small) or "png" (lossless)
    jpeg_quality: int = 85
    max_text_chars: int = 4000  # OCR text beside the image is cut here


OBSERVE_QUESTION = ("I pressed push-to-observe. In one or two short spoken sentences, tell me what is on my screen "
                    "and anything that needs my attention.")


def downscale(pixels: np.ndarray, max_side_px: int) -> np.ndarray:
    """RGB frame -> at most max_side_px on its long side (never enlarged); area interpolation."""
    h, w = int(pixels.shape[0]), int(pixels.shape[1])
    scale = max_side_px / max(h, w)
    if scale >= 1.0:
        return pixels
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    try:
        import cv2
    except ImportError:  # pragma: no cover - cv2 comes with rapidocr
        from PIL import Image

        return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BOX))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def encode_image(pixels: np.ndarray, settings: VisionSettings | None = None) -> tuple[str, bytes]:
    """(mime type, bytes) of an RGB image in the configured format."""
    s = settings or VisionSettings()
    png = s.image_format.lower() == "png"
    try:
        import cv2
    except ImportError:  # pragma: no cover
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, "PNG" if png else "JPEG", quality=s.jpeg_quality)
        return ("image/png" if png else "image/jpeg"), buf.getvalue()
    bgr = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2BGR)
    params = [] if png else [int(cv2.IMWRITE_JPEG_QUALITY), int(s.jpeg_quality)]
    ok, data = cv2.imencode(".png" if png else ".jpg", bgr, params)
    if not ok:
        raise ValueError("the screen image could not be encoded")
    return ("image/png" if png else "image/jpeg"), data.tobytes()


def image_data_url(pixels: np.ndarray, settings: VisionSettings | None = None) -> str:
    """A downscaled frame as a data URL (data:image/jpeg;base64,...) for an image_url content part."""
    s = settings or VisionSettings()
    mime, data = encode_image(downscale(pixels, s.max_side_px), s)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def screen_question_text(question: str, state: ScreenState, settings: VisionSettings | None = None,
                         image: bool = True) -> str:
    """The user turn's text: the question, the active window's title, and the fenced OCR text
    (`image`: a screenshot goes with it, and the text says so)."""
    s = settings or VisionSettings()
    text = state.text()
    if len(text) > s.max_text_chars:
        text = text[:s.max_text_chars] + " ..."
    if state.active_title:  # a title is screen content too (a web page sets it): inside the fence
        text = f"Active window: {state.active_title}\n{text}"
    attached = ["A screenshot of my screen is attached (grey areas are windows hidden for privacy)."] if image else []
    return "\n".join([question.strip(), *attached, untrusted_block(text or "(no text was read)")])
