"""The listening part of the tick: echo removal, the echo guard, speech-end tracking, smart-turn.

What the microphone heard becomes the VAD's view of this tick; the guard makes sure that our own
voice coming back through the speakers is never taken for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from presence.core import turns
from presence.core.ports import Microphone, VoiceActivity
from presence.core.types import TICK_SAMPLES
from presence.runtime.context import Emitter, Hearing

VAD_FRAME_MS = 32
# A voiced tick over our echo is the user when AEC3 kept at least this share of the microphone's
# level (measured on our voice, gains 0.3-0.8, 20-120 ms, with reverb: echo alone <= 0.025, a user's
# first voiced tick over it >= 0.36)
ECHO_FREE_SHARE = 0.1


class Listening:
    def __init__(self, mic: Microphone, vad: VoiceActivity, echo: Any, endpoint: Any, hearing: Hearing,
                 emit: Emitter, settings: Callable[[], turns.TurnSettings]) -> None:
        self.mic, self.vad, self.echo, self.endpoint = mic, vad, echo, endpoint
        self.hearing, self.emit, self._settings = hearing, emit, settings
        self.last_out = np.zeros(TICK_SAMPLES, np.float32)  # what the speaker played last tick (the echo reference)

    def clean(self, chunk: np.ndarray) -> np.ndarray:
        """Remove what the speaker played during this chunk.

        Live microphones pair each block with what the speaker played meanwhile (the device
        clock); otherwise (replay) that is what the previous tick wrote.
        """
        if self.echo is None:
            return chunk
        paired = getattr(self.mic, "played_during_last_read", None)
        played = paired() if paired is not None else None
        return self.echo.process(chunk, self.last_out if played is None else played)

    def voice(self, chunk: np.ndarray) -> turns.TickVoice:
        """The VAD's view of this tick, with residual echo taken out, and where speech last ended."""
        voice = self.guard(turns.TickVoice(tuple(self.vad.process(chunk))))
        self._track_speech_end(voice)
        return voice

    def guard(self, voice: turns.TickVoice) -> turns.TickVoice:
        """Residual echo is not the user: while echo is expected, speech must be more than echo.

        No echo path (a headset; a path must be confirmed by the echo alone): nothing is guarded.
        With one, only whole voiced ticks count (a single frame of leftover echo at the start of a
        sentence must not pause our reply), and a voiced tick is the user when WebRTC's AEC3 keeps a
        real share of the microphone (it removes an echo alone almost entirely), or, where AEC3 is
        missing or not yet proven on this path, when the residual rises clearly above the echo the
        canceller expects to leave. Where echo got past our filter (what it left follows our
        output) and for a second after the path moved (live: a gap in playback; then the echo
        expected is all of it), both must agree."""
        s = self._settings()
        if self.echo is None:
            return voice
        if self.echo.has_echo_path and not voice.voiced(s):
            return turns.TickVoice(())  # with speakers the mic hears, a lone speech frame may be our echo
        expected = self.echo.expected_residual_rms
        if expected <= 1e-5:
            return voice
        above_echo = self.echo.residual_rms > s.echo_guard_ratio * expected
        share = getattr(self.echo, "echo_free_share", None)
        if share is None:
            heard = above_echo
        elif self.echo.path_settling or self.echo.residual_follows_output:
            heard = above_echo and share >= ECHO_FREE_SHARE  # echo got past our filter: both must agree
        else:
            heard = share >= ECHO_FREE_SHARE
        if heard:
            return voice
        if voice.voiced(s):
            self.emit("echo_suppressed", residual=round(self.echo.residual_rms, 4), expected=round(expected, 4),
                      **({} if share is None else {"kept": round(share, 4)}))
        return turns.TickVoice(())

    def _track_speech_end(self, voice: turns.TickVoice) -> None:
        s = self._settings()
        voiced = [i for i, p in enumerate(voice.probs) if p >= s.speech_prob]
        if voiced and voice.voiced(s):
            self.hearing.speech_end_ms = self.emit.clock.now_ms - (len(voice.probs) - 1 - voiced[-1]) * VAD_FRAME_MS

    def completion(self, chunk: np.ndarray, voice: turns.TickVoice) -> float | None:
        """Smart-turn's probability that the utterance is complete, when the turn logic needs it."""
        h = self.hearing
        if (self.endpoint is None or h.utterance is None
                or not turns.needs_completion_check(h.turn, voice, self._settings())):
            return None
        p = self.endpoint.complete_probability(np.concatenate([*h.utterance.chunks, chunk]))
        self.emit("end_of_turn_check", complete=round(p, 3))
        return p
