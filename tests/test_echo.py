"""Echo cancellation: the assistant's own voice is removed from the microphone, the user's is kept."""

import numpy as np
import pytest

from presence.speech.echo import EchoCanceller

TICK = 3200


def _speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped into syllables: a stand-in for speech with speech-like pauses (a fake signal)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 16000)
    envelope = (np.sin(np.arange(n) * 2 * np.pi * 4 / 16000) > 0.2).astype(np.float32)
    return (rng.standard_normal(n) * 0.1 * envelope).astype(np.float32)


def _room(played: np.ndarray, delay: int, gain: float, reverb: bool) -> np.ndarray:
    h = np.zeros(delay + 400)
    h[delay] = gain
    if reverb:
        rng = np.random.default_rng(3)
        h[delay + 1:] = rng.standard_normal(399) * gain * 0.2 * np.exp(-np.arange(399) / 80)
    return np.convolve(played, h)[: len(played)].astype(np.float32)


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
    mic = _room(played, delay_ms * 16, 0.5, reverb)
    ticks = _run(played, mic)
    late = [20 * np.log10(res / m) for res, m, _ in ticks[5:] if m > 1e-3]
    assert np.median(late) < -15


def test_user_speech_survives_cancellation():
    """The user talking over the echo stays in the residual, well above the expected leftover echo."""
    played = _speechlike(4.0, 1)
    user = np.zeros_like(played)
    user[40000:52000] = _speechlike(0.75, 7)
    mic = _room(played, 960, 0.5, False) + user
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
