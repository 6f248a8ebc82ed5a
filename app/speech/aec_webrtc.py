"""WebRTC's AEC3 (pywebrtc-audio) as the echo guard's second opinion.

AEC3 ends in a non-linear suppressor: it removes nearly all of an echo that is alone on the
microphone (measured on our voice, 0.3-0.8 gain, 20-120 ms, with room reverb: 50-70 dB), but it
also takes 2-3 dB and some words off a user who talks over us (Whisper recalled 62-100 % of the
words, against 100 % from our NLMS residual). So its output is not what we listen to; what share
of the microphone it keeps tells echo from the user: an echo alone keeps at most 2.5 %, a user's
first voiced tick over our echo at least 36 %.

Optional: without the package (or on a platform without a wheel) the guard falls back to the
residual-echo estimate alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# AEC3's own delay search holds up to ~450 ms at 16 kHz (measured on our voice: 300 ms already slow
# to converge, 500 ms drifts, 600 ms fails; live at 345 ms it kept 62 % of the echo): the canceller
# hands it a reference already delayed by most of a longer path's delay
LEAD_FROM = 3200


class WebRtcAec:
    """AEC3 on 16 kHz mono float32; the far end may be handed in already delayed (see `lead`)."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._aec = module.EchoCanceller(16000, 1, 0)

    def reset(self) -> None:
        self._aec = self._module.EchoCanceller(16000, 1, 0)

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        return self._aec.process(np.ascontiguousarray(near, np.float32), np.ascontiguousarray(far, np.float32))


def open_webrtc_aec() -> WebRtcAec | None:
    """AEC3, or None where pywebrtc-audio is not installed."""
    try:
        import pywebrtc_audio
    except ImportError:
        return None
    return WebRtcAec(pywebrtc_audio)
