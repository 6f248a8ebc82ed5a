"""Turn-taking state machine: decides, once per tick, who has the floor.

Pure: it sees per-tick voice-activity summaries and whether the assistant is audible, and returns
a decision. Thresholds are named settings (TurnSettings) so they can be tuned from measurements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from presence.core.types import TICK_MS

VAD_FRAME_MS = 32  # one VAD probability per 512 samples at 16 kHz


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
    # Within a tick: speech that ended this long before the tick's end, with smart-turn sure,
    # ends the turn at once instead of one tick later. Measured on the public and own scenarios
    # where speech stops mid-tick: finished questions 0.73-0.99, thinking pauses at most 0.59 (a
    # turn ended too early is still recovered: the user going on drops our reply).
    instant_end_silence_ms: int = 96
    instant_end_prob: float = 0.7
    mid_end_silence_ms: int = 1000  # enough silence when smart-turn is unsure
    mid_end_prob: float = 0.15
    # The speculative transcript also votes: "... instead." ends a turn, "a trip to..." or
    # "remind me, um..." does not (Whisper punctuates from prosody and sense, and writes the
    # "um" since it is given a disfluent context: presence.speech.asr).
    text_end_silence_ms: int = 400
    # ...unless smart-turn is all but certain the user is not done.
    text_end_min_prob: float = 0.01
    # Speech that stopped this long (one VAD frame) before a tick's end starts the speculative
    # reply (and so its transcript) in that tick: one tick sooner than waiting for a silent tick.
    # Measured on the public, own and 42 other-voice scenarios: against two frames, the answer's
    # words come ~200 ms sooner in a third of the turns (public content p50 1008 -> 829 ms) and no
    # turn ends later; more speculative replies are dropped when the user goes on (CPU only).
    speculate_silence_ms: int = 32
    # Speech resuming within this long after an ended turn whose reply was not heard yet
    # continues that turn (it was a pause); later speech is a new turn. Thinking pauses run to
    # 2.5 s, and the user is heard going on up to a tick later: on the pause corpus (tuning half)
    # 2500 split two 2.5 s pauses into two turns, the first half answered on its own.
    resume_gap_ms: int = 3000
    # A barge-in this soon after our reply began means we took the turn too early: the reply is
    # forgotten and the user's new words continue their previous turn.
    early_barge_ms: int = 1500
    # Our own backchannels ("mm-hm") in thinking pauses of a long user turn; 0 turns them off
    # (the default: a timed cue or timer scenario would count one as speaking early).
    backchannel_every_ms: int = 0
    backchannel_after_ms: int = 4000  # of user speech in the turn before the first one
    end_silence_ms: int = 2000  # enough silence whatever the model says (also: no model)
    # ...and when the transcript reads unfinished ("a trip to", "how far is it from?", "remind me,
    # um"): people pause 0.8-2.5 s mid-sentence to think, so this waits longer, whatever smart-turn
    # says (it scores such pauses up to 0.9 "complete" in voices that fall in pitch at a pause).
    unfinished_silence_ms: int = 3000
    barge_in_ms: int = 200  # user speech over the assistant for this long pauses it at once
    # ...and so does speech that starts in the last frames of a tick, so a user who starts late in
    # a tick is not heard a whole tick later (a click that stops there is discarded, and we go on)
    barge_onset_frames: int = 1
    barge_confirm_ms: int = 600  # ...and this much more makes it a barge-in; shorter is checked by its words
    pre_roll_ms: int = 400  # audio kept from before the utterance started (onsets are quiet)
    # Utterances longer than this are transcribed as they go (when the worker is free): a long
    # request ("write a plan for my week") can then be acknowledged the moment it ends.
    partial_after_ms: int = 1000
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

    def trailing_silence_ms(self, s: TurnSettings) -> int:
        """How long before the end of the tick its last speech frame ended."""
        speech = [i for i, p in enumerate(self.probs) if p >= s.speech_prob]
        return (len(self.probs) - 1 - speech[-1] if speech else len(self.probs)) * VAD_FRAME_MS

    def trailing_speech_frames(self, s: TurnSettings) -> int:
        n = 0
        for p in reversed(self.probs):
            if p < s.speech_prob:
                break
            n += 1
        return n


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
    speculated: bool = False  # a speculative reply was started in this pause


def _instant_end_possible(state: TurnState, voice: TickVoice, s: TurnSettings) -> bool:
    return (state.phase is Phase.USER and voice.voiced(s)
            and voice.trailing_silence_ms(s) >= s.instant_end_silence_ms)


def needs_completion_check(state: TurnState, voice: TickVoice, s: TurnSettings) -> bool:
    """Whether this tick's decision depends on smart-turn (so the runner runs it only then)."""
    if _instant_end_possible(state, voice, s):
        return True
    return (state.phase is Phase.USER and not voice.voiced(s)
            and state.silence_ms + TICK_MS >= s.quick_end_silence_ms
            and state.silence_ms + TICK_MS < s.end_silence_ms)


def silence_needed_ms(complete_prob: float | None, s: TurnSettings, text_complete: bool | None = None,
                      interruption: bool = False) -> int:
    """How much silence ends the turn, given smart-turn's probability and the transcript's verdict.

    interruption: the user cut our reply short and has the floor to redirect us; they expect an
    answer the moment they stop, so a short pause ends it unless smart-turn is all but certain of
    more (measured: it gives 0.01-0.03 on "Wait, stop. Make it about a cat instead." in our voice,
    so the 400 ms transcript vote answered ~0.55 s after the user stopped). A continuation after
    such a pause is recovered as after any early end: our reply is dropped and the turn goes on.
    """
    if text_complete is False:
        return max(s.end_silence_ms, s.unfinished_silence_ms)
    if interruption and (complete_prob is None or complete_prob >= s.text_end_min_prob):
        return s.quick_end_silence_ms
    if complete_prob is not None and complete_prob >= s.quick_end_prob:
        return s.quick_end_silence_ms
    if text_complete and (complete_prob is None or complete_prob >= s.text_end_min_prob):
        return s.text_end_silence_ms
    if complete_prob is not None and complete_prob >= s.mid_end_prob:
        return s.mid_end_silence_ms
    return s.end_silence_ms


def _ended(voiced_ms: int, s: TurnSettings) -> tuple[TurnState, TurnDecision]:
    if voiced_ms < s.min_utterance_ms:
        return TurnState(), TurnDecision(discard=True)
    return TurnState(), TurnDecision(end_of_turn=True)


def step(state: TurnState, voice: TickVoice, assistant_audible: bool, s: TurnSettings,
         complete_prob: float | None = None, text_complete: bool | None = None,
         min_silence_ms: int = 0, interruption: bool = False) -> tuple[TurnState, TurnDecision]:
    """Advance one tick.

    Silence is counted from the last speech frame, so a tick whose speech stopped early already
    holds some of it. complete_prob: smart-turn's verdict on the utterance so far, if it ran this
    tick. text_complete: whether the speculative transcript reads as a finished turn (None:
    unknown). min_silence_ms: a floor on the silence that ends the turn (while our reply is paused
    for a possible barge-in, the user's words are not cut into fragments at every short gap).
    interruption: this utterance cut our reply short (see silence_needed_ms).
    """
    voiced = voice.voiced(s)
    onset = assistant_audible and not voiced and voice.trailing_speech_frames(s) >= s.barge_onset_frames
    overlap_ms = state.overlap_ms + TICK_MS if (voiced and assistant_audible) else 0
    barge_in = assistant_audible and (overlap_ms >= s.barge_in_ms or onset)
    if state.phase is Phase.IDLE:
        if not (voiced or onset):
            return replace(state, overlap_ms=overlap_ms), TurnDecision(barge_in=barge_in)
        heard_ms = TICK_MS if voiced else voice.trailing_speech_frames(s) * VAD_FRAME_MS
        started = TurnState(Phase.USER, heard_ms, voice.trailing_silence_ms(s) if voiced else 0, overlap_ms)
        return started, TurnDecision(utterance_started=True, barge_in=barge_in)
    if voiced:
        silence = voice.trailing_silence_ms(s)
        voiced_ms = state.voiced_ms + TICK_MS
        resumed = state.speculated  # the user went on after a speculation point
        sure = complete_prob is not None and text_complete is not False and voiced_ms >= s.min_utterance_ms
        prob = complete_prob or 0.0  # read only when sure, that is when smart-turn gave a verdict
        if (sure and _instant_end_possible(state, voice, s) and prob >= s.instant_end_prob
                and silence >= min_silence_ms):
            idle, decision = _ended(voiced_ms, s)
            return replace(idle, overlap_ms=overlap_ms), replace(decision, barge_in=barge_in, resumed=resumed)
        likely_end = silence >= s.speculate_silence_ms and voiced_ms >= s.min_utterance_ms
        speculate = likely_end or (sure and prob >= s.quick_end_prob)  # start transcribing now
        return (TurnState(Phase.USER, voiced_ms, silence, overlap_ms, speculate),
                TurnDecision(barge_in=barge_in, resumed=resumed, speculate=speculate))
    silence = state.silence_ms + TICK_MS
    too_short = state.voiced_ms < s.min_utterance_ms and silence >= s.quick_end_silence_ms  # a click, not words
    # speech starting again in the tick's last frames: the user goes on ("apple, | say ding"), so
    # the turn does not end here whatever smart-turn said of the words before; the next tick decides
    resuming = voice.trailing_speech_frames(s) >= s.barge_onset_frames
    needed = max(min_silence_ms, silence_needed_ms(complete_prob, s, text_complete, interruption))
    if not too_short and (resuming or silence < needed):
        speculate = (not state.speculated and not resuming and silence >= s.quick_end_silence_ms
                     and state.voiced_ms >= s.min_utterance_ms)
        return (TurnState(Phase.USER, state.voiced_ms, silence, overlap_ms, state.speculated or speculate),
                TurnDecision(barge_in=barge_in, speculate=speculate))
    idle, decision = _ended(state.voiced_ms, s)
    return replace(idle, overlap_ms=overlap_ms), replace(decision, barge_in=barge_in)
