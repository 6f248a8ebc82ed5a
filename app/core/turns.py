"""Turn-taking state machine: decides, once per tick, who has the floor.

Pure: it sees per-tick voice-activity summaries and whether the assistant is audible, and returns
a decision. Thresholds are named settings (TurnSettings) so they can be tuned from measurements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from presence.core.types import TICK_MS


class Phase(StrEnum):
    IDLE = "idle"  # nobody is talking to us
    USER = "user"  # the user is mid-utterance (speaking or in a short pause)


@dataclass(frozen=True)
class TurnSettings:
    speech_prob: float = 0.5  # a VAD frame above this is speech
    voiced_frames_per_tick: int = 2  # a tick with at least this many speech frames is voiced (~64 ms)
    min_utterance_ms: int = 200  # shorter voiced bursts (clicks, coughs) are dropped
    # End of turn fuses silence with smart-turn's probability that the utterance is complete.
    # Measured on the public scenarios: finished questions score 0.5-0.98 within 200-400 ms of
    # silence; "plan a trip to ..." and "remind me, um, ..." score 0.01-0.12 in their pauses.
    quick_end_silence_ms: int = 200  # enough silence when smart-turn is confident
    quick_end_prob: float = 0.5
    mid_end_silence_ms: int = 1000  # enough silence when smart-turn is unsure
    mid_end_prob: float = 0.15
    # The speculative transcript also votes: "... instead." ends a turn, "a trip to..." or
    # "remind me, um," does not (Whisper punctuates from prosody and sense).
    text_end_silence_ms: int = 600
    # ...but Whisper drops disfluencies ("remind me, um," -> "remind me?"), so the transcript may
    # only shorten the wait when smart-turn is not sure the other way.
    text_end_min_prob: float = 0.05
    # Speech resuming within this long after an ended turn whose reply was not heard yet
    # continues that turn (it was a pause); later speech is a new turn.
    resume_gap_ms: int = 2500
    # A barge-in this soon after our reply began means we took the turn too early: the reply is
    # forgotten and the user's new words continue their previous turn.
    early_barge_ms: int = 1500
    # Our own backchannels ("mm-hm") in thinking pauses of a long user turn; 0 turns them off
    # (the default: a timed cue or timer scenario would count one as speaking early).
    backchannel_every_ms: int = 0
    backchannel_after_ms: int = 4000  # of user speech in the turn before the first one
    end_silence_ms: int = 2000  # enough silence whatever the model says (also: no model)
    barge_in_ms: int = 200  # user speech over the assistant for this long pauses it at once
    barge_confirm_ms: int = 600  # ...and this much more makes it a barge-in; shorter is checked by its words
    pre_roll_ms: int = 400  # audio kept from before the utterance started (onsets are quiet)
    # While we play, speech only counts when the echo-cancelled residual is this much louder than
    # the residual echo expected from the canceller's measured ERLE: leftover echo must never
    # interrupt us, while a user as loud as the echo still does.
    echo_guard_ratio: float = 3.0


@dataclass(frozen=True)
class TickVoice:
    """What the VAD said about one tick of microphone audio."""

    probs: tuple[float, ...]

    def voiced(self, s: TurnSettings) -> bool:
        return sum(p >= s.speech_prob for p in self.probs) >= s.voiced_frames_per_tick


@dataclass(frozen=True)
class TurnDecision:
    utterance_started: bool = False
    speculate: bool = False  # first pause long enough to start a reply that is held until end_of_turn
    resumed: bool = False  # the user went on after a speculation point: drop the speculative reply
    end_of_turn: bool = False  # commit the buffered utterance: transcribe and reply
    discard: bool = False  # the buffered utterance was too short to be speech
    barge_in: bool = False  # stop the assistant's audio now


@dataclass(frozen=True)
class TurnState:
    phase: Phase = Phase.IDLE
    voiced_ms: int = 0  # voiced time in the current utterance (user speech)
    silence_ms: int = 0  # silence since the last voiced tick
    overlap_ms: int = 0  # consecutive voiced time while the assistant is audible


def needs_completion_check(state: TurnState, voice: TickVoice, s: TurnSettings) -> bool:
    """Whether this tick's decision depends on smart-turn (so the runner runs it only then)."""
    return (state.phase is Phase.USER and not voice.voiced(s)
            and state.silence_ms + TICK_MS >= s.quick_end_silence_ms
            and state.silence_ms + TICK_MS < s.end_silence_ms)


def silence_needed_ms(complete_prob: float | None, s: TurnSettings, text_complete: bool | None = None) -> int:
    """How much silence ends the turn, given smart-turn's probability and the transcript's verdict."""
    if text_complete is False:
        return s.end_silence_ms
    if complete_prob is not None and complete_prob >= s.quick_end_prob:
        return s.quick_end_silence_ms
    if text_complete and (complete_prob is None or complete_prob >= s.text_end_min_prob):
        return s.text_end_silence_ms
    if complete_prob is not None and complete_prob >= s.mid_end_prob:
        return s.mid_end_silence_ms
    return s.end_silence_ms


def step(state: TurnState, voice: TickVoice, assistant_audible: bool, s: TurnSettings,
         complete_prob: float | None = None, text_complete: bool | None = None,
         min_silence_ms: int = 0) -> tuple[TurnState, TurnDecision]:
    """Advance one tick.

    complete_prob: smart-turn's verdict on the utterance so far, if it ran this tick.
    text_complete: whether the speculative transcript reads as a finished turn (None: unknown).
    min_silence_ms: a floor on the silence that ends the turn (while our reply is paused for a
    possible barge-in, the user's words are not cut into fragments at every short gap).
    """
    voiced = voice.voiced(s)
    overlap_ms = state.overlap_ms + TICK_MS if (voiced and assistant_audible) else 0
    barge_in = assistant_audible and overlap_ms >= s.barge_in_ms
    if state.phase is Phase.IDLE:
        if not voiced:
            return replace(state, overlap_ms=overlap_ms), TurnDecision(barge_in=barge_in)
        started = TurnState(Phase.USER, voiced_ms=TICK_MS, silence_ms=0, overlap_ms=overlap_ms)
        return started, TurnDecision(utterance_started=True, barge_in=barge_in)
    if voiced:
        nxt = TurnState(Phase.USER, state.voiced_ms + TICK_MS, 0, overlap_ms)
        return nxt, TurnDecision(barge_in=barge_in, resumed=state.silence_ms >= s.quick_end_silence_ms)
    silence = state.silence_ms + TICK_MS
    if silence < max(min_silence_ms, silence_needed_ms(complete_prob, s, text_complete)):
        speculate = state.silence_ms < s.quick_end_silence_ms <= silence and state.voiced_ms >= s.min_utterance_ms
        return (TurnState(Phase.USER, state.voiced_ms, silence, overlap_ms),
                TurnDecision(barge_in=barge_in, speculate=speculate))
    idle = TurnState(overlap_ms=overlap_ms)
    if state.voiced_ms < s.min_utterance_ms:
        return idle, TurnDecision(discard=True, barge_in=barge_in)
    return idle, TurnDecision(end_of_turn=True, barge_in=barge_in)
