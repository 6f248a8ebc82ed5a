"""Echo cancellation: the assistant's own voice is removed from the microphone, the user's is kept."""

import numpy as np
import pytest
from helpers import echo_ticks_let_through, room_echo

from presence.speech.echo import EchoCanceller

TICK = 3200


def _speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped into syllables: a stand-in for speech with speech-like pauses (a fake signal)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 16000)
    envelope = (np.sin(np.arange(n) * 2 * np.pi * 4 / 16000) > 0.2).astype(np.float32)
    return (rng.standard_normal(n) * 0.1 * envelope).astype(np.float32)


def _run(played, mic):
    ec, ratios = EchoCanceller(), []
    for i in range(0, len(mic) - TICK + 1, TICK):
        out = ec.process(mic[i:i + TICK], played[i:i + TICK])
        ratios.append((np.sqrt(np.mean(out ** 2)), np.sqrt(np.mean(mic[i:i + TICK] ** 2)), ec))
    return ratios


@pytest.mark.parametrize("delay_ms,reverb", [(60, False), (180, False), (60, True)])
def test_echo_is_removed_from_the_first_second(delay_ms, reverb):
    """Echo of our own speech (delay, gain, room reverb) drops by >= 15 dB after the first second."""
    played = _speechlike(4.0, 1)
    mic = room_echo(played, delay_ms * 16, 0.5, reverb)
    ticks = _run(played, mic)
    late = [20 * np.log10(res / m) for res, m, _ in ticks[5:] if m > 1e-3]
    assert np.median(late) < -15


def test_user_speech_survives_cancellation():
    """The user talking over the echo stays in the residual, well above the expected leftover echo."""
    played = _speechlike(4.0, 1)
    user = np.zeros_like(played)
    user[40000:52000] = _speechlike(0.75, 7)
    mic = room_echo(played, 960, 0.5, False) + user
    ec = EchoCanceller()
    for i in range(0, 41600, TICK):
        ec.process(mic[i:i + TICK], played[i:i + TICK])
    i = 41600
    out = ec.process(mic[i:i + TICK], played[i:i + TICK])
    kept = np.sqrt(np.mean(out ** 2)) / np.sqrt(np.mean(user[i:i + TICK] ** 2))
    assert 0.7 < kept < 1.4
    assert ec.residual_rms > 3 * ec.expected_residual_rms


def test_no_reference_passes_the_microphone_through():
    """When we have not spoken, the microphone is untouched."""
    mic = _speechlike(0.2, 2)
    assert np.array_equal(EchoCanceller().process(mic, np.zeros(TICK, np.float32)), mic)


def test_echo_whose_delay_jumps_mid_reply_is_still_guarded():
    """Live device buffers grow after an underrun (100 -> 350 ms): the echo that gets past the filter is still echo."""
    played = _speechlike(6.0, 1)
    mic = room_echo(played, 1600, 0.5, False)
    mic[48000:] = room_echo(played, 5600, 0.5, False)[48000:]
    assert echo_ticks_let_through(played, mic, start_tick=0) == []


def test_a_user_far_louder_than_our_echo_is_heard_even_when_they_sound_like_us():
    """Words that resemble what we just said (the same voice) correlate with our output like leaked echo
    does; five times louder than the whole echo, they are the user all the same (a leak is at most the echo)."""
    played = _speechlike(6.0, 1)
    user = np.zeros_like(played)
    user[64000:67200] = 5 * 0.5 * played[61000:64200]
    through = echo_ticks_let_through(played, room_echo(played, 1600, 0.5, False) + user, start_tick=20)
    assert 20 in through


def test_no_echo_path_is_made_from_the_users_voice():
    """With a headset (no echo), the user's speech against ours finds no path: nothing is guarded or removed."""
    played, mic = _speechlike(4.0, 1), _speechlike(4.0, 9)
    ec = EchoCanceller()
    for i in range(0, len(mic) - TICK + 1, TICK):
        out = ec.process(mic[i:i + TICK], played[i:i + TICK])
        assert ec.expected_residual_rms == 0.0
        assert np.array_equal(out, mic[i:i + TICK])


def test_a_user_who_sounds_like_us_for_a_moment_makes_no_path():
    """Words over us that match what we said 300 ms earlier (the same voice) are not taken for an echo."""
    played = _speechlike(4.0, 1)
    mic = np.zeros_like(played)
    mic[48000:52000] = 0.8 * played[43200:47200]  # a quarter second of "our" voice, no echo before it
    ec = EchoCanceller()
    for i in range(0, len(mic) - TICK + 1, TICK):
        ec.process(mic[i:i + TICK], played[i:i + TICK])
        assert not ec.has_echo_path


def test_a_path_waits_for_the_echo_to_arrive():
    """Our first words, while the mic still holds the user's question, do not fix a wrong delay."""
    user = _speechlike(1.0, 9)
    played = np.concatenate([np.zeros(16000, np.float32), _speechlike(2.0, 1)])
    mic = np.concatenate([user, np.zeros(32000, np.float32)]) + room_echo(played, 4000, 0.5, False)
    ec = EchoCanceller()
    for i in range(0, len(mic) - TICK + 1, TICK):
        ec.process(mic[i:i + TICK], played[i:i + TICK])
        if i == 16000:  # our first tick: its echo is 250 ms away
            assert ec.expected_residual_rms == 0.0
    assert abs(ec.delay_samples + 160 - 4000) < 80  # the path found is the real one


class FakeCanceller:
    """Echo canceller stand-in with fixed residual and expected-echo levels (and, optionally, AEC3's
    share of the microphone: None where it is not installed or not trusted)."""

    def __init__(self, expected, residual, share=None, leaking=False, settling=False):
        self.expected_residual_rms, self.residual_rms = expected, residual
        self.has_echo_path = expected > 0
        self.echo_free_share, self.residual_follows_output, self.path_settling = share, leaking, settling


def _guarded(expected, residual, probs, **opinion):
    from presence.core.turns import TickVoice, TurnSettings
    from presence.runtime.context import Hearing
    from presence.runtime.listening import Listening

    listener = Listening(None, None, FakeCanceller(expected, residual, **opinion), None, Hearing(2),
                         lambda *a, **k: None, TurnSettings)
    return listener.guard(TickVoice(probs))


VOICED = (0.9,) * 6


def test_aec3_decides_over_our_echo_estimate_where_our_filter_holds():
    """AEC3 keeping a real share of the microphone is the user, though the residual is not 3x the
    expected echo; keeping next to nothing is our echo, though the residual is far above it."""
    assert _guarded(0.02, 0.05, VOICED, share=0.5).probs == VOICED
    assert _guarded(0.02, 0.5, VOICED, share=0.01).probs == ()


def test_both_opinions_must_agree_where_echo_got_past_our_filter():
    """When what our filter left follows our output, or the path just moved, AEC3 alone is not
    believed (live it kept up to 80 % of echo at a moved path)."""
    for state in ({"leaking": True}, {"settling": True}):
        assert _guarded(0.02, 0.05, VOICED, share=0.5, **state).probs == ()
        assert _guarded(0.02, 0.2, VOICED, share=0.5, **state).probs == VOICED


def test_no_echo_path_no_guard():
    """With no echo path nothing is suppressed, whatever the levels."""
    assert _guarded(0.0, 0.01, VOICED, share=0.0).probs == VOICED


def test_a_lone_onset_frame_pauses_nothing_while_echo_is_expected():
    """Once the mic hears our speaker, one speech frame at a tick's end is dropped; with no echo path it
    stays (a headset)."""
    late = (0.1, 0.1, 0.1, 0.1, 0.1, 0.9)
    assert _guarded(0.01, 0.5, late).probs == ()
    assert _guarded(0.0, 0.5, late).probs == late
    assert _guarded(0.01, 0.5, VOICED).probs == VOICED  # loud, whole-tick speech still counts
