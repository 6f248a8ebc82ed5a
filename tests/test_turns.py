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
    """'Could you remind me?' (Whisper dropped the 'um') cannot end a turn smart-turn calls unfinished."""
    assert turns.silence_needed_ms(0.3, S, text_complete=True) == S.text_end_silence_ms
    assert turns.silence_needed_ms(0.01, S, text_complete=True) == S.end_silence_ms
    assert turns.silence_needed_ms(0.9, S, text_complete=False) == S.end_silence_ms
