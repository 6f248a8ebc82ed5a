"""The listening half of the runner: echo removal, the echo guard, speech-end tracking, smart-turn.

A mixin of Runner (it uses the runner's echo canceller, endpoint model, settings and events);
kept apart so each file stays small.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from presence.core import turns
from presence.core.text import sounds_complete


class ListeningMixin:
    echo: Any
    endpoint: Any
    settings: turns.TurnSettings
    _last_out: np.ndarray
    _speech_end_ms: int
    _utterance: Any
    _held: list[Any] | None
    _hold_until_ms: int | None
    _reply_heard: bool
    _turn_end_speech_ms: int

    def _cancel_echo(self, chunk: np.ndarray) -> np.ndarray:
        """Remove what the speaker played during this chunk.

        Live microphones pair each block with what the speaker played meanwhile (the device
        clock); otherwise (replay) that is what the previous tick wrote.
        """
        if self.echo is None:
            return chunk
        paired = getattr(self.mic, "played_during_last_read", None)
        played = paired() if paired is not None else None
        return self.echo.process(chunk, self._last_out if played is None else played)

    def _guard_echo(self, voice: turns.TickVoice) -> turns.TickVoice:
        """Residual echo is not the user: while echo is expected, speech must rise clearly above it.
        Once the mic is known to hear our speaker, only whole voiced ticks count (a single frame of
        leftover echo at the start of a sentence must not pause our reply)."""
        if self.echo is None:
            return voice
        if self.echo.has_echo_path and not voice.voiced(self.settings):
            return turns.TickVoice(())  # with speakers the mic hears, a lone speech frame may be our echo
        expected = self.echo.expected_residual_rms
        if expected <= 1e-5:
            return voice
        if self.echo.residual_rms > self.settings.echo_guard_ratio * expected:
            return voice
        if voice.voiced(self.settings):
            self.emit("echo_suppressed", residual=round(self.echo.residual_rms, 4), expected=round(expected, 4))
        return turns.TickVoice(())

    def _track_speech_end(self, voice: turns.TickVoice) -> None:
        frame_ms = 32
        voiced = [i for i, p in enumerate(voice.probs) if p >= self.settings.speech_prob]
        if voiced and voice.voiced(self.settings):
            self._speech_end_ms = self.now_ms - (len(voice.probs) - 1 - voiced[-1]) * frame_ms

    def _completion(self, chunk: np.ndarray) -> float | None:
        if self.endpoint is None or self._utterance is None:
            return None
        p = self.endpoint.complete_probability(np.concatenate([*self._utterance.chunks, chunk]))
        self.emit("end_of_turn_check", complete=round(p, 3))
        return p

    def _hold_unfinished_reply(self, text: str) -> None:
        """The turn ended on smart-turn's word, but its transcript reads unfinished ("So what I was
        thinking is..."): the reply waits for the silence an unfinished turn needs, as if the
        transcript had voted before the end; the user going on meanwhile continues the turn."""
        if sounds_complete(text) is not False or self._reply_heard or self._utterance is not None:
            return
        self._held = []
        self._hold_until_ms = self._turn_end_speech_ms + self.settings.end_silence_ms
        self.emit("reply_held", reason="the transcript reads unfinished")

    def _release_held_reply(self) -> None:
        if self._hold_until_ms is None or self.now_ms < self._hold_until_ms:
            return
        self._hold_until_ms = None
        if self._held is not None and self._utterance is None:
            self._commit()
