"""Scripted timelines through the pure turn-taking state machine."""

from presence.core import turns
from presence.core.turns import TickVoice, TurnSettings, TurnState

S = TurnSettings()
SPEECH = TickVoice((0.9,) * 6)
SILENCE = TickVoice((0.01,) * 6)


def run(timeline: str, audible: str | None = None, prob: float | None = None) -> list[turns.TurnDecision]:
    """'s' = voiced tick, '.' = silent tick; audible marks ticks where the assistant is playing.

    prob is smart-turn's verdict, given on the ticks where the runner would run it.
    """
    state, out = TurnState(), []
    for i, c in enumerate(timeline):
        heard = audible is not None and audible[i] == "a"
        voice = SPEECH if c == "s" else SILENCE
        p = prob if turns.needs_completion_check(state, voice, S) else None
        state, d = turns.step(state, voice, heard, S, p)
        out.append(d)
    return out


def _end_tick(ds) -> int:
    ends = [i for i, d in enumerate(ds) if d.end_of_turn]
    assert len(ends) == 1
    return ends[0]


def test_confident_end_is_quick():
    """smart-turn >= quick_end_prob ends the turn after quick_end_silence_ms of silence."""
    ds = run("ssss" + "." * 12, prob=0.9)
    assert ds[0].utterance_started
    assert _end_tick(ds) == 4 + S.quick_end_silence_ms // 200 - 1


def test_unsure_end_waits_longer():
    """A middling smart-turn score waits mid_end_silence_ms."""
    assert _end_tick(run("ssss" + "." * 12, prob=0.3)) == 4 + S.mid_end_silence_ms // 200 - 1


def test_incomplete_end_waits_for_the_fallback():
    """'I'd like a trip to ...' (low score) is only ended by end_silence_ms."""
    assert _end_tick(run("ssss" + "." * 12, prob=0.02)) == 4 + S.end_silence_ms // 200 - 1


def test_thinking_pause_does_not_end_turn():
    """A 1.6 s pause with an incomplete-sounding utterance keeps the user's turn open."""
    ds = run("sss" + "." * 8 + "sss" + "." * 12, prob=0.05)
    assert sum(d.end_of_turn for d in ds) == 1
    assert sum(d.utterance_started for d in ds) == 1


def test_without_smart_turn_the_silence_fallback_ends_the_turn():
    """No model verdict at all still ends the turn, after end_silence_ms."""
    assert _end_tick(run("ssss" + "." * 12, prob=None)) == 4 + S.end_silence_ms // 200 - 1


def test_click_is_discarded():
    """A single short voiced tick below min_utterance_ms is dropped, not answered."""
    s = TurnSettings(min_utterance_ms=400)
    state, decisions = TurnState(), []
    for v in [SPEECH] + [SILENCE] * 12:
        state, d = turns.step(state, v, False, s)
        decisions.append(d)
    assert any(d.discard for d in decisions) and not any(d.end_of_turn for d in decisions)


def test_barge_in_when_user_talks_over_assistant():
    """User speech while the assistant is audible triggers barge-in after barge_in_ms."""
    ds = run("..ss", audible="aaaa")
    first = next(i for i, d in enumerate(ds) if d.barge_in)
    assert first == 2 + S.barge_in_ms // 200 - 1


def test_no_barge_in_when_assistant_silent():
    """The same speech with the assistant quiet is a normal turn, not a barge-in."""
    assert not any(d.barge_in for d in run("ssss...."))


def test_voiced_needs_enough_frames():
    """One speech frame in a tick is not a voiced tick."""
    assert not TickVoice((0.9, 0.1, 0.1, 0.1, 0.1, 0.1)).voiced(S)
    assert TickVoice((0.9, 0.9, 0.1, 0.1, 0.1, 0.1)).voiced(S)


def test_transcript_vote_needs_smart_turn_not_to_disagree():
    """A finished-looking transcript cannot end a turn smart-turn is all but certain is unfinished."""
    assert turns.silence_needed_ms(0.3, S, text_complete=True) == S.text_end_silence_ms
    assert turns.silence_needed_ms(0.02, S, text_complete=True) == S.text_end_silence_ms
    assert turns.silence_needed_ms(0.005, S, text_complete=True) == S.end_silence_ms
    # an unfinished transcript waits out a long thinking pause, whatever smart-turn says
    assert turns.silence_needed_ms(0.9, S, text_complete=False) == S.unfinished_silence_ms
    assert S.unfinished_silence_ms > 2500 >= S.end_silence_ms


ENDING = TickVoice((0.9, 0.9, 0.9, 0.1, 0.1, 0.1))  # speech that stopped 96 ms before the tick's end
LATE_START = TickVoice((0.1, 0.1, 0.1, 0.1, 0.1, 0.9))  # speech that starts in the tick's last frame


def _steps(voices, probs, audible=False):
    state, out = TurnState(), []
    for v, p in zip(voices, probs, strict=True):
        p = p if turns.needs_completion_check(state, v, S) else None
        state, d = turns.step(state, v, audible, S, p)
        out.append(d)
    return out


def test_speech_end_inside_a_tick_counts_as_silence():
    """A tick whose speech stopped 96 ms before its end holds 96 ms of silence already."""
    assert ENDING.voiced(S) and ENDING.trailing_silence_ms(S) == 96
    assert SPEECH.trailing_silence_ms(S) == 0 and SILENCE.trailing_silence_ms(S) == 6 * 32


def test_a_sure_end_inside_a_tick_ends_the_turn_in_that_tick():
    """smart-turn >= instant_end_prob on speech that stopped mid-tick ends the turn without waiting a tick."""
    ds = _steps([SPEECH, SPEECH, ENDING, SILENCE], [0.9] * 4)
    assert _end_tick(ds) == 2


def test_a_likely_end_inside_a_tick_speculates_then_ends_next_tick():
    """A merely likely end mid-tick starts the speculative reply at once, and ends the turn a tick later."""
    ds = _steps([SPEECH, SPEECH, ENDING, SILENCE, SILENCE], [0.6] * 5)
    assert ds[2].speculate and not ds[2].end_of_turn
    assert _end_tick(ds) == 3
    assert sum(d.speculate for d in ds) == 1  # once per pause


def test_speech_that_stops_early_in_a_tick_speculates_whatever_smart_turn_says():
    """A silent last frame (32 ms) starts the speculative transcript in that tick, even with smart-turn
    unsure (it is not run), so the transcript's vote comes a tick sooner; the turn still waits."""
    stopped = TickVoice((0.9,) * 5 + (0.01,))
    ds = _steps([SPEECH, SPEECH, stopped, SILENCE, SILENCE], [0.05] * 5)
    assert ds[2].speculate and not any(d.end_of_turn for d in ds)
    assert sum(d.speculate for d in ds) == 1
    assert not _steps([SPEECH, SPEECH, TickVoice((0.9,) * 6)], [0.05] * 3)[2].speculate  # still talking: no


def test_an_interruption_is_answered_after_a_short_pause():
    """Words that cut our reply short end after quick_end_silence_ms even with smart-turn at 0.02;
    not when smart-turn is all but certain of more, nor when the transcript says unfinished."""
    def end_tick(prob, text_complete=None, interruption=True):
        state = TurnState()
        for i, v in enumerate([SPEECH] * 4 + [SILENCE] * 18):
            p = prob if turns.needs_completion_check(state, v, S) else None
            state, d = turns.step(state, v, False, S, p, text_complete, interruption=interruption)
            if d.end_of_turn:
                return i
        return None

    assert end_tick(0.02) == 4 + S.quick_end_silence_ms // 200 - 1
    assert end_tick(0.02, interruption=False) == 4 + S.end_silence_ms // 200 - 1
    assert end_tick(0.005) == 4 + S.end_silence_ms // 200 - 1
    assert end_tick(0.02, text_complete=False) == 4 + S.unfinished_silence_ms // 200 - 1


def test_going_on_after_a_speculation_point_is_a_resumption():
    """Speech after a speculation point says resumed (drop the speculative reply); before it, it does not."""
    ds = _steps([SPEECH, SPEECH, ENDING, SPEECH, SPEECH], [0.6] * 5)
    assert ds[2].speculate and ds[3].resumed and not ds[4].resumed
    assert not _steps([SPEECH, SPEECH, SPEECH], [0.6] * 3)[1].resumed


def test_late_speech_over_the_assistant_pauses_it_in_that_tick():
    """One speech frame at a tick's end while we are audible is enough to pause (barge_onset_frames)."""
    ds = _steps([SILENCE, LATE_START, SPEECH], [None] * 3, audible=True)
    assert not ds[0].barge_in and ds[1].barge_in and ds[1].utterance_started


def test_speech_resuming_at_a_ticks_end_holds_the_turn():
    """A silent tick whose last frame is speech again does not end the turn, however sure smart-turn is."""
    ds = _steps([SPEECH, SPEECH, SPEECH, LATE_START, SPEECH, SILENCE, SILENCE, SILENCE], [0.97] * 8)
    assert not ds[3].end_of_turn and not ds[3].speculate
    assert _end_tick(ds) > 4


def test_a_click_is_discarded_at_the_next_silent_tick():
    """Speech too short to be words ends as a discard at the first silent tick, whatever smart-turn says."""
    ds = _steps([SILENCE, LATE_START, SILENCE, SILENCE], [0.01] * 4, audible=True)
    assert ds[2].discard and not any(d.end_of_turn for d in ds)
