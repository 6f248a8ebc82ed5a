"""Silero VAD (ONNX, shipped in the silero-vad wheel) run with onnxruntime, streamed in 32 ms frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from presence.models.paths import find

FRAME_SAMPLES = 512  # 32 ms at 16 kHz: the frame size the model is trained on
CONTEXT_SAMPLES = 64  # the model expects the tail of the previous frame in front of each frame


def onnx_session(path: Path, threads: int = 1) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # Spinning worker threads burn the other core while idle and stall badly when the machine is
    # busy (the tick loop, ASR and the LLM share two cores): park them instead.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


class SileroVad:
    """Streaming VAD. Its recurrent state, frame context and leftover samples live here; reset() clears them."""

    def __init__(self, model_path: Path | None = None) -> None:
        self._session = onnx_session(model_path or find("vad"))
        self._sr = np.array(16000, dtype=np.int64)
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._input = np.zeros((1, CONTEXT_SAMPLES + FRAME_SAMPLES), dtype=np.float32)

    def reset(self) -> None:
        self._state[:] = 0.0
        self._context[:] = 0.0
        self._pending = np.zeros(0, dtype=np.float32)

    def process(self, samples: np.ndarray) -> list[float]:
        """Probabilities for every complete 512-sample frame; a remainder waits for the next call."""
        buf = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        n_frames = len(buf) // FRAME_SAMPLES
        probs = []
        for i in range(n_frames):
            frame = buf[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES]
            self._input[0, :CONTEXT_SAMPLES] = self._context
            self._input[0, CONTEXT_SAMPLES:] = frame
            out, self._state = self._session.run(None, {"input": self._input, "state": self._state, "sr": self._sr})
            self._context[:] = frame[-CONTEXT_SAMPLES:]
            probs.append(float(out[0, 0]))
        self._pending = buf[n_frames * FRAME_SAMPLES:].copy()
        return probs
