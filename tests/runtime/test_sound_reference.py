"""The speaker's output reaches the echo canceller on the microphone's clock (device callbacks, not ticks)."""

import numpy as np

from presence.devices import sound
from presence.devices.sound import PlayedReference, SoundDeviceMicrophone


def _block(value: float, n: int = 320) -> np.ndarray:
    return np.full(n, value, np.float32)


def test_microphone_blocks_pair_with_what_the_speaker_played_meanwhile():
    """Blocks come out in the order the speaker played them, one microphone block's worth at a time."""
    ref = PlayedReference()
    ref.played(_block(0.1))
    ref.played(_block(0.2))
    assert np.array_equal(ref.take(320), _block(0.1))
    assert np.array_equal(ref.take(320), _block(0.2))


def test_a_late_speaker_pairs_with_silence_and_its_samples_come_next():
    """A speaker callback that comes late played late: the microphone block before it gets silence."""
    ref = PlayedReference()
    assert np.array_equal(ref.take(320), _block(0.0))
    ref.played(_block(0.3))
    assert np.array_equal(ref.take(320), _block(0.3))


def test_a_stalled_microphone_does_not_grow_the_reference_without_end():
    """Played audio nobody takes is kept only up to the limit (the newest)."""
    ref = PlayedReference(max_samples=1000)
    for k in range(10):
        ref.played(_block(float(k)))
    assert np.array_equal(ref.take(1000), np.concatenate([_block(6.0)[-40:], _block(7.0), _block(8.0), _block(9.0)]))


def test_microphone_read_returns_the_speaker_samples_of_the_same_moments(monkeypatch):
    """A tick read from the microphone comes with exactly the reference captured alongside it."""
    monkeypatch.setattr(sound, "resolve_device", lambda spec, kind: 0)
    ref = PlayedReference()
    mic = SoundDeviceMicrophone(reference=ref)
    mic._stream = object()  # callbacks are driven by hand below (no device in this unit test)
    for k in range(12):
        ref.played(_block(k / 100))
        mic._callback(_block(-k / 100)[:, None], 320, None, None)
    got = mic.read(3200)
    assert np.array_equal(got, np.concatenate([_block(-k / 100) for k in range(10)]))
    assert np.array_equal(mic.played_during_last_read(), np.concatenate([_block(k / 100) for k in range(10)]))
    mic.read(640)
    assert np.array_equal(mic.played_during_last_read(), np.concatenate([_block(0.10), _block(0.11)]))
